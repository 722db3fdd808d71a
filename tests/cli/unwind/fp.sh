#!/bin/sh
# --call-graph fp on code without frame pointers: the stacks are broken, and the report says so
# in its stack-health line with the fix.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
. "$FREC_TEST_SRCDIR/cli/unwind/common.sh"
require_perf

# 5 kHz: a busy machine gives the workload a fraction of a CPU, and cpu-clock counts only what it gets.
freq=4999 record_nofp fp
total=$(samples)
main=$(reaching_main)
[ "$total" -ge 200 ] || fail "only $total samples"
# Frame-pointer walks cannot cross these frames: most stacks lose main.
[ $((main * 2)) -lt "$total" ] || fail "$main of $total fp stacks reach main: is nofp built with frame pointers?"
line=$(grep '^stack health' "$T/report") || fail "no stack-health line"
echo "$line" | grep -Eq '[0-9.]+% of samples have a truncated stack' || fail "no truncation figure: $line"
pct=$(echo "$line" | sed -n 's/^stack health: \([0-9]*\)\.[0-9]*% of samples have a truncated stack.*/\1/p')
[ "${pct:-0}" -ge 50 ] || fail "only ${pct}% reported truncated: $line"
echo "$line" | grep -q 'missing frame pointers in nofp' || fail "the hint does not name nofp: $line"
# The fix is frec's default mode (frame pointers repaired from a stack copy), not dwarf mode, which
# would lose the frame pointers where the copy runs out.
echo "$line" | grep -q -- "frec's default mode (no --call-graph fp)" || fail "the hint does not suggest the default mode: $line"
echo "$line" | grep -q -- 'dwarf' && fail "the hint suggests dwarf mode, worse than the default: $line"
exit 0
