#!/bin/sh
# SPDX-License-Identifier: MIT
# quickstart.sh demo | test
#   demo: install what the build needs, build frec, profile the bundled demo workload, draw its
#         flame graph and say what stands out in it (its findings).
#   test: install what the build and the tests need, build, and run the whole test suite.
# Works as root on a fresh Debian 12; elsewhere install the packages listed below by hand.
set -eu
cd "$(dirname "$0")"

BUILD_DEPS="build-essential autoconf automake pkg-config libelf-dev libdw-dev libcapstone-dev
	libzstd-dev zlib1g-dev libiberty-dev zstd libprotobuf-c-dev protobuf-c-compiler"
TEST_DEPS="libcriterion-dev libxml2-utils python3 nodejs chromium lld libjson-c-dev libcrypt-dev
	golang-go protobuf-compiler golang-github-google-pprof-dev python3-jsonschema linux-perf"

say() { printf '\n==> %s\n' "$*"; }

install_deps() {
	missing=
	for p in $*; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "quickstart: missing packages:$missing" >&2
		echo "hint: run as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi
	say "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

build() {
	say "building frec"
	[ -x configure ] || autoreconf -fi
	[ -f Makefile ] || ./configure -q
	make -j"$(nproc)" -s
}

case "${1:-}" in
demo)
	install_deps "$BUILD_DEPS"
	build
	say "recording the demo service for 5 seconds (frec-demo: a worker thread, a child, a plugin)"
	./frec record -F 999 -o demo.zst -- tests/workloads/frec-demo -d 5
	say "what the trace holds"
	./frec dump -i demo.zst --summary | sed -n '/^records/,$p'
	if ./frec report -i demo.zst --svg demo.svg 2>/dev/null; then
		say "report"
		./frec report -i demo.zst
		say "flame graph: $(pwd)/demo.svg (open it in a browser)"
		say "findings: what stands out, who is responsible, what to do (frec report --analyze)"
		./frec report -i demo.zst --analyze
	else
		say "trace: $(pwd)/demo.zst (reports land with the symbolizer)"
	fi
	;;
test)
	install_deps "$BUILD_DEPS $TEST_DEPS"
	build
	say "running the test suite"
	make -j"$(nproc)" check || {
		for log in $(grep -l -E '^(FAIL|ERROR)' $(find tests -name '*.log')); do
			say "$log"
			tail -n 40 "$log"
		done
		exit 1
	}
	;;
*)
	echo "usage: ./quickstart.sh demo | test" >&2
	exit 2
	;;
esac
