#!/bin/sh
# tests/workloads/findings/nplus1: the top finding is repeated-subtree, naming fetch_customer, with the share the workload measured.
. "$FREC_TEST_SRCDIR/workloads/findings/check.sh"
check_workload nplus1 repeated-subtree fetch_customer
exit 0
