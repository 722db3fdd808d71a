#!/bin/sh
# tests/workloads/findings/recursion: the top finding is recursion, naming count_ways, with the share the workload measured.
. "$FREC_TEST_SRCDIR/workloads/findings/check.sh"
check_workload recursion recursion count_ways
exit 0
