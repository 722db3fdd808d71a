#!/bin/sh
# Off-CPU: blocking reads of a file with O_DIRECT in read_block() (or after dropping the pages
# from the cache where O_DIRECT is refused), between naps.  Shares match the workload's
# measurements; the reads wait for the device (io_schedule).
. "$FREC_TEST_SRCDIR/cli/offcpu/common.sh"

record_mode fileio
expect 0 "$FREC" report --off-cpu -i "$T/t.zst" --folded -o "$T/f"
check_truth off-cpu "$T/f"
expect_findings read_block
expect_reason "$T/f" read_block 'io_schedule|folio_wait|blk_|iomap_dio'
