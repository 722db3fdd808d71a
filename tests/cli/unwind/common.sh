# SPDX-License-Identifier: MIT
# Shared by the unwinding cases: sourced after lib.sh, never run.

nofp="$FREC_TEST_BUILDDIR/workloads/nofp/nofp"
[ -x "$nofp" ] || fail "the nofp workload is not built: $nofp"

# record_nofp MODE: 2 s of the nofp workload at 999 Hz into $T/t.zst, then its folded stacks
# (main thread only: the workload is single-threaded, and its threads are all named nofp).
record_nofp() {
	expect 0 "$FREC" record -q -F 999 --call-graph "$1" -o "$T/t.zst" -- "$nofp" 2
	expect 0 "$FREC" report -i "$T/t.zst" --folded --comm nofp
	cp "$T/out" "$T/folded"
	expect 0 "$FREC" report -i "$T/t.zst" --comm nofp
	cp "$T/out" "$T/report"
}

# samples: total weight of $T/folded; reaching_main: the weight of stacks that go through main.
samples() { awk '{ n += $NF } END { print n + 0 }' "$T/folded"; }
reaching_main() { awk '/(^|;)main;/ { n += $NF } END { print n + 0 }' "$T/folded"; }

# expect_complete: at least 99% of the samples reach main, each phase of the workload is there
# with its full depth, and the stack-health line reports under 1% truncated stacks.
expect_complete() {
	total=$(samples)
	main=$(reaching_main)
	[ "$total" -ge 200 ] || fail "only $total samples"
	[ $((main * 100)) -ge $((total * 99)) ] || {
		grep -v ';main;' "$T/folded" | sort -t' ' -k2 -nr | head -5 >&2
		fail "$main of $total samples reach main (< 99%)"
	}
	# 250 levels of recursion under main, in one stack
	awk -F';' '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^nofp_recurse/) n++; if (n > m) m = n }
		END { exit !(m >= 251) }' "$T/folded" || fail "no stack with the 251 nofp_recurse frames"
	grep -Eq ';main;nofp_phase_qsort;.*qsort.*;nofp_cmp' "$T/folded" || fail "no main -> qsort -> nofp_cmp stack"
	grep -Eq ';main;nofp_phase_dlopen;nofp_late_work;nofp_late_outer;nofp_late_inner' "$T/folded" ||
		fail "no stack through the dlopen'ed library"
	# The stack-health line: no truncation to speak of, no full stack copy.  (Unknown frames are a
	# naming matter, not an unwinding one: a sample in a PLT stub of libc has no symbol.)
	line=$(grep '^stack health' "$T/report") || fail "no stack-health line"
	case $line in
	'stack health: good'*) ;;
	'stack health: 0.'*'% of samples have a truncated stack'*) ;;
	'stack health: <0.1% of samples have a truncated stack'*) ;;
	*) fail "truncated stacks: $line" ;;
	esac
	case $line in *'stack copy'*) fail "stack copies too small: $line" ;; esac
}
