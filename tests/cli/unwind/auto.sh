#!/bin/sh
# --call-graph auto on code without frame pointers: the frame-pointer chains are found unsound
# and DWARF takes over, so stacks are as complete as in dwarf mode.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
. "$FREC_TEST_SRCDIR/cli/unwind/common.sh"
require_perf

record_nofp auto
expect_complete

# Threads and a child process (frec-demo), with the default call graph (auto): stacks start in
# libc (start_thread, clone3, __libc_start_call_main), and are complete even where libc has no
# symbols (Debian without libc6-dbg), because the unwind information says where they end.
expect 0 "$FREC" record -q -F 999 -o "$T/demo.zst" -- "$FREC_TEST_BUILDDIR/workloads/frec-demo" -d 2
expect 0 "$FREC" report -i "$T/demo.zst"
line=$(grep '^stack health' "$T/out") || fail "no stack-health line"
case $line in
'stack health: good'*) ;;
'stack health: 0.'*'% of samples have a truncated stack'*) ;;
'stack health: <0.1% of samples have a truncated stack'*) ;;
*) fail "frec-demo: truncated stacks: $line" ;;
esac
exit 0
