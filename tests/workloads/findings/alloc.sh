#!/bin/sh
# tests/workloads/findings/alloc: the top finding is known-op/allocation, naming tokenize_document, with the share the workload measured.
. "$FREC_TEST_SRCDIR/workloads/findings/check.sh"
check_workload alloc known-op/allocation tokenize_document
exit 0
