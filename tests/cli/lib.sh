# SPDX-License-Identifier: MIT
# Shared by the shell test cases: sourced, never run.  Cases exit 0 (pass), 1 (fail) or 77 (skip).
set -eu

FREC=${FREC:-$(cd "$(dirname "$0")/../../.." && pwd)/frec}
T=$(mktemp -d "${TMPDIR:-/tmp}/frec-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# require_perf: skip when perf_event_open is refused, unless FREC_REQUIRE_PERF=1 (CI) makes it a failure.
require_perf() {
	if ! "$FREC_TEST_BUILDDIR/perf_probe" 2>"$T/probe.err"; then
		reason="perf_event_open not permitted: $(cat "$T/probe.err")"
		[ "${FREC_REQUIRE_PERF:-0}" = 1 ] && fail "$reason (FREC_REQUIRE_PERF=1)"
		skip "$reason"
	fi
}

# expect STATUS CMD...: run CMD, capture $T/out and $T/err, and check its exit status.
expect() {
	want=$1
	shift
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	[ "$got" = "$want" ] || { cat "$T/err" >&2; fail "'$*' exited $got, expected $want"; }
}

# grep_out / grep_err PATTERN: the last command's stdout / stderr matches the extended regex.
grep_out() { grep -Eq -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks /$1/"; }; }
grep_err() { grep -Eq -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks /$1/"; }; }

# one_line_err: the error is one line plus at most one hint line.
one_line_err() {
	n=$(grep -cv '^hint: ' "$T/err" || true)
	[ "$n" -le 1 ] || { cat "$T/err" >&2; fail "error is $n lines, expected one"; }
}

# regress_pair: record frec-regress (tests/workloads/regress.c) before and after its compute_hash
# became 3x slower, into $T/before.zst and $T/after.zst: launched, so the work is fixed and the slow
# version runs longer; cpu-clock at 999 Hz, about 250 samples per unchanged function (they vary by
# about 10 between runs), enough for shares to call them shrunk where CPU time does not.  For the
# diff tests; call require_perf first.
regress_pair() {
	expect 0 "$FREC" record -q -e cpu-clock -F 999 -o "$T/before.zst" -- "$FREC_TEST_BUILDDIR/workloads/frec-regress"
	expect 0 "$FREC" record -q -e cpu-clock -F 999 -o "$T/after.zst" -- "$FREC_TEST_BUILDDIR/workloads/frec-regress" -s compute_hash
}
