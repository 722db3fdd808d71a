#!/bin/sh
# Off-CPU: two threads contend on one mutex (take_lock()) and sleep in rest(); main waits for them
# in wait_workers().  Shares match the workload's measurements; the lock's stacks show the futex.
. "$FREC_TEST_SRCDIR/cli/offcpu/common.sh"

record_mode mutex
expect 0 "$FREC" report --off-cpu -i "$T/t.zst" --folded -o "$T/f"
check_truth off-cpu "$T/f"
expect_findings take_lock
expect_reason "$T/f" take_lock 'futex_wait'
expect_reason "$T/f" wait_workers 'futex_wait'
expect_kernel_leaves "$T/f" take_lock
# Wall-clock: main, which only waits for the others, is idle all along: left out and said so.
expect 0 "$FREC" report --wall -i "$T/t.zst" --folded -o "$T/w"
grep_err '1 threads idle all along'
check_truth wall "$T/w"
! grep -q wait_workers "$T/w" || fail "the idle main thread is in the wall-clock profile"
