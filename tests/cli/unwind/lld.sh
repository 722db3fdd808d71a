#!/bin/sh
# Workloads linked with lld, whose text segment lies 0x1000 above its file offset (GNU ld's lies at
# it): nofp without frame pointers, frec-demo with them, in the default (auto) and dwarf modes.
# Their stacks are complete; nofp gives each function the GNU ld build's share, and frec-demo has
# the GNU ld build's stacks.  (The two demo builds do not run at the same speed, as lld lays out
# their loops differently, so their shares are not compared.)
. "$FREC_TEST_SRCDIR/cli/lib.sh"
. "$FREC_TEST_SRCDIR/cli/unwind/common.sh"
require_perf
lld="$FREC_TEST_BUILDDIR/workloads/lld"
[ -x "$lld/nofp" ] && [ -x "$lld/frec-demo" ] ||
	skip "lld is not installed, so no workload was linked with it (apt-get install lld)"
gnu_nofp=$nofp
gnu_demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
# three times the usual rate: shares are compared within sampling noise, which that narrows
freq=2999

# record_demo DEMO MODE OUT: folded stacks (user frames) of frec-demo serving a fixed number of
# requests on two threads, and a child process crunching as many work units.  In a sanitizer build
# it has LeakSanitizer's runtime, whose check at exit takes a share that varies from run to run:
# not that.
record_demo() {
	expect 0 "$FREC" record -q -F "$freq" --call-graph "$2" -o "$T/demo.zst" -- \
		env ASAN_OPTIONS=detect_leaks=0 "$1" -n 400 -t 1 -c 1
	expect 0 "$FREC" report -i "$T/demo.zst" --folded --no-kernel
	cp "$T/out" "$3"
}

# expect_same_stacks A B WHAT: every stack that holds 1% of the samples of one build is in the
# other (with at least 0.1% of its samples); at least 5 such stacks.  Suffixes GCC adds to the
# names of local functions (.constprop.0, .part.0) are the same in both builds.
expect_same_stacks() {
	awk -v what="$3" '
	FNR == 1 { file++ }
	{ n = $NF; s = $0; sub(/ [0-9]+$/, "", s); w[file, s] += n; t[file] += n; stacks[s] = 1 }
	END {
		for (s in stacks) {
			a = w[1, s] / t[1]; b = w[2, s] / t[2]
			if (a < 0.01 && b < 0.01) continue
			checked++
			if (a < 0.001 || b < 0.001) {
				printf "%s: %.1f%% and %.1f%%: %s\n", what, 100 * a, 100 * b, substr(s, 1, 160) > "/dev/stderr"
				bad++
			}
		}
		printf "%s: %d stacks compared\n", what, checked > "/dev/stderr"
		exit !(checked >= 5 && !bad)
	}' "$1" "$2" || fail "$3: not the same stacks"
}

for mode in auto dwarf; do
	# nofp: its 250-deep recursion, qsort through libc and the late dlopen'ed library (lld-linked
	# too) reach main, and the health line reports no truncation (common.sh)
	nofp="$lld/nofp"
	record_nofp "$mode"
	expect_complete
	grep -v '_\[k\]' "$T/folded" >"$T/lld.folded" || true
	nofp=$gnu_nofp
	record_nofp "$mode"
	grep -v '_\[k\]' "$T/folded" >"$T/gnu.folded" || true
	expect_same_shares "$T/gnu.folded" "$T/lld.folded" "nofp, $mode"

	record_demo "$lld/frec-demo" "$mode" "$T/lld.folded"
	expect_rooted "$T/lld.folded" "frec-demo (lld), $mode"
	grep -q ';plugin_transform' "$T/lld.folded" || fail "frec-demo (lld), $mode: no stack through its plugin"
	record_demo "$gnu_demo" "$mode" "$T/gnu.folded"
	expect_same_stacks "$T/gnu.folded" "$T/lld.folded" "frec-demo, $mode"
done
exit 0
