#!/bin/sh
# SPDX-License-Identifier: MIT
# quickstart.sh demo | test
#   demo: install what the build needs, build frec, install it (as root: into $PREFIX, default
#         /usr/local), profile the bundled demo workload, draw its flame graph and say what
#         stands out in it (its findings), then list commands to try next.
#   test: install what the build and the tests need, build, and run the whole test suite.
# Works as root on a fresh Debian 12; elsewhere install the packages listed below by hand.
# Every command the demo suggests runs as printed, from this directory (tests/cli/frec/quickstart.sh
# runs them: with FREC_QUICKSTART_BUILT=1 the demo uses the frec already built and on $PATH).
set -eu
cd "$(dirname "$0")"

BUILD_DEPS="build-essential autoconf automake pkg-config libelf-dev libdw-dev libcapstone-dev
	libzstd-dev zlib1g-dev libdeflate-dev libiberty-dev zstd libprotobuf-c-dev protobuf-c-compiler"
DEMO_DEPS="man-db libc6-dbg"
TEST_DEPS="libcriterion-dev libxml2-utils python3 nodejs chromium lld libjson-c-dev libcrypt-dev groff-base man-db
	libc6-dbg golang-go protobuf-compiler golang-github-google-pprof-dev python3-jsonschema linux-perf time"
PREFIX=${PREFIX:-/usr/local}
LOG=${TMPDIR:-/tmp}/frec-quickstart.log

say() { printf '\n==> %s\n' "$*"; }

# quietly CMD...: run CMD with its output in $LOG, shown only if it fails.
quietly() {
	if ! "$@" > "$LOG" 2>&1; then
		cat "$LOG" >&2
		echo "quickstart: '$*' failed (its output is above and in $LOG)" >&2
		exit 1
	fi
}

# install_deps WHY PACKAGES: install the PACKAGES not installed yet, saying which and WHY.
install_deps() {
	why=$1
	shift
	missing=
	for p in $*; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "quickstart: missing packages ($why):$missing" >&2
		echo "hint: run as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi
	say "installing$missing ($why)"
	export DEBIAN_FRONTEND=noninteractive
	quietly apt-get update -q
	quietly apt-get install -y -q --no-install-recommends $missing
}

build() {
	say "building frec (a minute or two; the output goes to $LOG)"
	[ -x configure ] || quietly autoreconf -fi
	[ -f Makefile ] || quietly ./configure -q
	quietly make -j"$(nproc)" -s
}

# install_frec: as root, frec and its man pages into $PREFIX, so that `frec` and `man frec` work
# from anywhere.  Sets $frec to the command to run frec with.
install_frec() {
	frec=./frec
	if [ "$(id -u)" != 0 ]; then
		say "frec is built, not installed (that needs root): run it as ./frec, or install it with sudo make install"
		return 0
	fi
	say "installing frec into $PREFIX (bin/frec, its man pages in share/man), so that frec and man frec work anywhere"
	quietly make install prefix="$PREFIX"
	[ "$(command -v frec)" = "$PREFIX/bin/frec" ] && frec=frec
	return 0
}

demo() {
	say "recording the demo service for 5 seconds (frec-demo: a worker thread, a child, a plugin)"
	$frec record -F 999 -o demo.zst -- tests/workloads/frec-demo -d 5
	say "report: what ran, the hot functions, and whether the stacks are whole"
	$frec report -i demo.zst
	say "flame graph"
	$frec report -i demo.zst --svg demo.svg
	echo "open $(pwd)/demo.svg in a browser: click a frame to zoom, Ctrl-F to search"
	say "findings: what stands out, who is responsible, what to do"
	$frec report -i demo.zst --analyze
	say "next, from this directory"
	echo "    \$ $frec report -i demo.zst --lines                   # the hot source lines"
	echo "    \$ $frec annotate -i demo.zst parse_request           # its hot instructions"
	echo "    \$ $frec report -i demo.zst --folded -o demo.folded   # folded stacks for other tools"
	echo "    \$ $frec report -i demo.zst --format markdown         # findings to paste into an issue"
	if [ "$frec" = frec ]; then
		echo "    \$ man frec"
	else
		echo "    \$ man -l man/frec.1"
	fi
	echo "profile your own program with $frec -- PROGRAM ARGS, or a running one with $frec -p PID"
}

case "${1:-}" in
demo)
	if [ "${FREC_QUICKSTART_BUILT:-0}" = 1 ]; then
		frec=./frec
		command -v frec > /dev/null && frec=frec
	else
		install_deps "to build frec: a C compiler, autotools, libelf and libdw, capstone, zstd" "$BUILD_DEPS"
		install_deps "to read frec's manual pages, and to name libc's own functions (its symbols)" "$DEMO_DEPS"
		build
		install_frec
	fi
	demo
	;;
test)
	install_deps "to build frec: a C compiler, autotools, libelf and libdw, capstone, zstd" "$BUILD_DEPS"
	install_deps "to run its tests: Criterion, the workloads' runtimes and libraries, a browser, groff" \
		"$TEST_DEPS"
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
