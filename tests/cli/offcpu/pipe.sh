#!/bin/sh
# Off-CPU: a reader blocked in read_pipe() on a pipe that main feeds every 3 ms, napping in
# writer_nap() in between.  Shares match the workload's measurements; the reader waits in the
# kernel's pipe read.
. "$FREC_TEST_SRCDIR/cli/offcpu/common.sh"

record_mode pipe
expect 0 "$FREC" report --off-cpu -i "$T/t.zst" --folded -o "$T/f"
check_truth off-cpu "$T/f"
expect_findings read_pipe
expect_reason "$T/f" read_pipe 'pipe_read'
expect_reason "$T/f" writer_nap 'nanosleep'
expect 0 "$FREC" report --wall -i "$T/t.zst" --folded -o "$T/w"
check_truth wall "$T/w"
