#!/bin/sh
# --call-graph dwarf on code without frame pointers: complete stacks, through libc and a late
# dlopen'ed library, 250 frames deep.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
. "$FREC_TEST_SRCDIR/cli/unwind/common.sh"
require_perf

record_nofp dwarf
expect_complete
exit 0
