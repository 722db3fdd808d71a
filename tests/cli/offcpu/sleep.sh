#!/bin/sh
# Off-CPU and wall-clock: one thread asleep half its time, 3 ms in nap_long() and 1 ms in
# nap_short() for every 4 ms on CPU, and a parked thread.  The shares of the two naps match what the
# workload measured, their stacks end in the kernel's nanosleep; the wall-clock profile has them at
# their share of the thread's life, burn() on CPU, and leaves the parked thread out, saying so.
. "$FREC_TEST_SRCDIR/cli/offcpu/common.sh"

record_mode sleep -F 999
expect 0 "$FREC" report --off-cpu -i "$T/t.zst" --folded -o "$T/f"
grep_err '^frec report: off-cpu: [0-9]+ waits'
check_truth off-cpu "$T/f"
expect_findings nap_long --comm frec-offcpu
expect_reason "$T/f" nap_long 'do_nanosleep|hrtimer_nanosleep'
expect_reason "$T/f" nap_short 'do_nanosleep|hrtimer_nanosleep'
expect_kernel_leaves "$T/f" nap_long
# The CPU profile of the same trace has no off-CPU samples: burn() is most of it.
expect 0 "$FREC" report -i "$T/t.zst" --folded -o "$T/cpu"
b=$(share "$T/cpu" burn)
awk -v b="$b" 'BEGIN { exit !(b >= 70) }' || fail "burn() has $b% of the CPU profile"
# CPU samples may catch nap_long() entering or leaving its sleep, never for long.
n=$(share "$T/cpu" nap_long)
awk -v n="$n" 'BEGIN { exit !(n < 15) }' || fail "nap_long() has $n% of the CPU profile: off-CPU samples in it?"

# Wall-clock: the naps at their share of the thread's life, below [off-cpu]; burn() below
# [on-cpu]; the parked thread summarised, not drawn (the off-CPU profile has it).
grep -q '^park[;.]\|;park[;.]' "$T/f" || fail "the off-CPU profile lacks the parked thread"
expect 0 "$FREC" report --wall -i "$T/t.zst" --folded -o "$T/w"
grep_err 'wall: [0-9.]+ s on CPU; .*1 threads idle all along .* left out'
check_truth wall "$T/w"
grep -q '^\[on-cpu\];.*;burn ' "$T/w" || fail "burn() is not below [on-cpu]"
grep -q '^\[off-cpu\];.*;nap_long;' "$T/w" || fail "nap_long() is not below [off-cpu]"
! grep -q 'park' "$T/w" || fail "the parked thread is in the wall-clock profile"
expect 0 "$FREC" report --wall --top 100 -i "$T/t.zst"
grep_out 'on-cpu%  off-cpu%'
# nap_long's row: its time is off CPU; burn has CPU time (and waits too when preempted)
awk '$6 == "nap_long" { sub(/%/, "", $4); sub(/%/, "", $5); ok = $5 + 0 > 10 * $4 }
     $6 == "burn" { sub(/%/, "", $4); sub(/%/, "", $5); ok2 = $4 + 0 > 0 } END { exit !(ok && ok2) }' "$T/out" ||
	fail "the text report does not split nap_long and burn into on- and off-CPU time: $(grep -E 'nap_long|burn' "$T/out")"
expect 0 "$FREC" report --wall -i "$T/t.zst" --svg "$T/w.svg"
grep -q '>off CPU<' "$T/w.svg" || fail "the SVG's legend has no off-CPU colour"
# ...and the wall-clock analysis says so in wall-clock time.
expect 0 "$FREC" report --wall --analyze -i "$T/t.zst" -o "$T/wan"
finding "$T/wan" sleep > "$T/one"
grep -q ' nap_long ' "$T/one" && grep -q 'of the wall-clock time sleeping' "$T/one" ||
	fail "the wall-clock analysis has no sleep finding for nap_long: $(cat "$T/wan")"
