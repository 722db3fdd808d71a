#!/bin/sh
# --call-graph dwarf on code without frame pointers: complete stacks, through libc and a late
# dlopen'ed library, 250 frames deep.  The main thread's stack copies end where its stack starts:
# the environment above it is not in the trace.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
. "$FREC_TEST_SRCDIR/cli/unwind/common.sh"
require_perf

record_nofp dwarf
expect_complete

# Copies of 32 KiB reach past the environment from any frame of nofp's shallow phases.
FREC_TEST_SECRET=frec-test-secret-7f3a9c
export FREC_TEST_SECRET
expect 0 "$FREC" record -q -F 999 --call-graph dwarf,32768 -o "$T/env.zst" -- "$nofp" 1
command -v zstd >/dev/null || fail "the zstd command is needed to read the trace (apt-get install zstd)"
n=$(zstd -dc "$T/env.zst" | grep -ac "$FREC_TEST_SECRET" || true)
[ "$n" = 0 ] || fail "the trace holds the workload's environment ($n copies of a variable)"
exit 0
