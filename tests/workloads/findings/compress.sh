#!/bin/sh
# tests/workloads/findings/compress: the top finding is known-op/compression, naming ship_batch, with the share the workload measured.
. "$FREC_TEST_SRCDIR/workloads/findings/check.sh"
check_workload compress known-op/compression ship_batch
exit 0
