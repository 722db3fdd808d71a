#!/bin/sh
# SPDX-License-Identifier: MIT
# make check-valgrind: frec's record and report paths on one small workload under valgrind's
# memcheck.  Fails on any memory error and on any leak (definite, indirect or possible; memory
# still reachable at exit, which libraries keep, is not a leak).  Also the paths that refuse bad
# input, where cleanup is most often forgotten.  Run from the build tree (make sets FREC and
# FREC_TEST_*); recording needs perf_event_open and is skipped, with a note, without it.
set -eu

FREC=${FREC:-./frec}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "check-valgrind: valgrind is not installed" >&2
	echo "hint: apt-get install valgrind (Debian), then make check-valgrind" >&2
	exit 1
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/frec-vg.XXXXXX")
trap 'rm -rf "$T"' EXIT
failed=0
runs=0

# vg EXPECTED_STATUS ARGS...: frec ARGS under memcheck; its own status must be EXPECTED_STATUS.
vg() {
	want=$1
	shift
	runs=$((runs + 1))
	set +e
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		--log-file="$T/vg.log" "$FREC" "$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	# 99: memcheck found an error or a leak.  Its log may also hold warnings that are valgrind's
	# own (3.19 does not know openat2, which frec then does without): those are not failures.
	if [ "$got" = 99 ]; then
		echo "FAIL: valgrind: frec $*" >&2
		cat "$T/vg.log" >&2
		failed=$((failed + 1))
	elif [ "$got" != "$want" ]; then
		echo "FAIL: frec $* exited $got, expected $want" >&2
		cat "$T/err" >&2
		failed=$((failed + 1))
	else
		echo "ok: frec $*"
	fi
}

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
if "$FREC_TEST_BUILDDIR/perf_probe" 2>/dev/null; then
	vg 0 record -q -F 499 -o "$T/fp.zst" -- "$demo" -d 1
	vg 0 record -q -F 499 --call-graph dwarf -o "$T/dwarf.zst" -- "$demo" -d 1
	vg 0 record -q -a -F 99 -d 1 -o "$T/all.zst"
	vg 1 record -q -e no-such-event -- true
	vg 1 record -q -o "$T/no/such/dir/t.zst" -- true
	traces="$T/fp.zst $T/dwarf.zst $T/all.zst"
else
	echo "note: perf_event_open not permitted: record paths skipped, reporting the corpus traces"
	traces="$FREC_TEST_DATA/corpus/trace/demo-fp.zst $FREC_TEST_DATA/corpus/trace/demo-dwarf.zst"
fi

for t in $traces; do
	vg 0 report -i "$t"
	vg 0 report -i "$t" --folded -o "$T/out.folded"
	vg 0 report -i "$t" --svg "$T/out.svg"
	vg 0 report -i "$t" --per-thread --lines
	vg 0 report -i "$t" --analyze
	vg 0 dump -i "$t" --summary
done
set -- $traces
vg 0 diff "$1" "$2"
vg 0 diff "$1" "$2" --analyze
vg 0 diff "$T/out.folded" "$2" --svg "$T/diff.svg"
vg 0 report -i "$T/out.folded"

# Refused input: every error path frees what it built.
size=$(wc -c < "$2")
head -c $((size / 2)) "$2" > "$T/cut.zst"
vg 0 report -i "$T/cut.zst"
printf 'a;b 9223372036854775808\na;c 9223372036854775808\n' > "$T/big.folded"
vg 1 report -i "$T/big.folded"
vg 1 report -i /dev/zero
vg 1 report -i "$T/missing.zst"
vg 2 report --tid 1 --tid x
vg 2 diff "$1"

echo "check-valgrind: $runs runs, $failed failed"
[ "$failed" = 0 ]
