#!/bin/sh
# tests/workloads/findings/json: the top finding is known-op/serialization, naming serialize_response, with the share the workload measured.
. "$FREC_TEST_SRCDIR/workloads/findings/check.sh"
check_workload json known-op/serialization serialize_response
exit 0
