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

# as_nobody CMD...: run CMD as user nobody.
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# require_nobody: skip unless this root can run frec as user nobody under kernel.perf_event_paranoid
# 2 or more (where kernel samples are refused to users); sets $paranoid.
require_nobody() {
	command -v setpriv > /dev/null || skip "setpriv (util-linux) is not installed"
	[ "$(id -u)" = 0 ] || skip "needs root to switch to an unprivileged user"
	paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
	[ "$paranoid" -ge 2 ] || skip "kernel.perf_event_paranoid is $paranoid: unprivileged users may sample the kernel"
	as_nobody test -x "$FREC" || skip "user nobody cannot run $FREC (its directory is private)"
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

# await_exec PID WORD: wait until process PID runs a command line holding WORD (a runtime started
# in the background has exec'ed its program and read its arguments), for up to 10 s.
await_exec() {
	i=0
	until grep -q "$2" "/proc/$1/cmdline" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || fail "process $1 did not start $2"
		sleep 0.1
	done
}

# one_line_err: the error is one line plus at most one hint line.
one_line_err() {
	n=$(grep -cv '^hint: ' "$T/err" || true)
	[ "$n" -le 1 ] || { cat "$T/err" >&2; fail "error is $n lines, expected one"; }
}

# The functions where thread stacks begin (sym_is_stack_root()), as an awk regex of a frame name
# with its "__GI_" alias prefix removed.
ROOTS_RE='^(_start|__libc_start_main.*|__libc_start_call_main|start_thread|clone|clone3|__clone|__clone3|__clone_internal|thread_start|_dl_start_user|_dl_start|__start|__sanitizer::internal_clone\(.*)$'

# expect_cut_stacks_counted FOLDED REPORT: the stack-health line of text report REPORT counts every
# stack of FOLDED (the same trace's folded stacks) that does not begin where thread stacks begin:
# its truncated share is at least theirs (one decimal, rounded) and not far above it.  A stack
# made of kernel frames only has no user part to be cut; a frame of a libc without symbols may be
# the unnamed root.
expect_cut_stacks_counted() {
	line=$(grep '^stack health' "$2") || fail "no stack-health line in $2"
	awk -v line="$line" -v roots="$ROOTS_RE" '
	{
		n = $NF; total += n; s = $0; sub(/ [0-9]+$/, "", s); split(s, f, ";"); r = f[1]
		sub(/_\[i\]$/, "", r); sub(/^__GI_/, "", r)
		if (r ~ /_\[k\]$/ || r ~ /^libc\.so\.6\+0x/ || r ~ roots) next
		cut += n
		if (shown++ < 5) print "cut: " n " " substr(s, 1, 200) > "/dev/stderr"
	}
	END {
		if (!total) { print "no samples" > "/dev/stderr"; exit 1 }
		want = 100 * cut / total
		if (line ~ /good: no truncated/) got = 0
		else if (line ~ /^stack health: <0\.1% of samples have a truncated/) got = 0.05
		else if (match(line, /^stack health: [0-9.]+% of samples have a truncated/)) {
			got = substr(line, 15); sub(/%.*/, "", got); got += 0
		} else { print "unreadable: " line > "/dev/stderr"; exit 1 }
		printf "%d of %d stacks cut (%.2f%%); %s\n", cut, total, want, line > "/dev/stderr"
		exit !((cut == 0 || got > 0) && got + 0.05 >= want && got <= want + 0.5)
	}' "$1" || fail "the stack-health line does not count the stacks cut short"
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
