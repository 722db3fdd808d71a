#!/bin/sh
# --call-graph auto on code without frame pointers: the frame-pointer chains are found unsound
# and DWARF takes over, so stacks are as complete as in dwarf mode.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
. "$FREC_TEST_SRCDIR/cli/unwind/common.sh"
require_perf

record_nofp auto
expect_complete
exit 0
