#!/bin/sh
# tests/workloads/findings/pwhash: the top finding is known-op/password-hashing, naming validate_password, with the share the workload measured.
. "$FREC_TEST_SRCDIR/workloads/findings/check.sh"
check_workload pwhash known-op/password-hashing validate_password
exit 0
