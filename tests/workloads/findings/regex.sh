#!/bin/sh
# tests/workloads/findings/regex: the top finding is known-op/regex-compile, naming validate_record, with the share the workload measured.
. "$FREC_TEST_SRCDIR/workloads/findings/check.sh"
check_workload regex known-op/regex-compile validate_record
exit 0
