#!/bin/sh
# frec record as an unprivileged user under kernel.perf_event_paranoid=2: kernel samples are
# refused, so frec records user space only and says why; rings larger than the locked-memory
# limit are shrunk with a warning instead of failing.  What it may not record (the whole system,
# another user's process, a tracepoint) is refused with the hint that fits the case.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

require_nobody

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
mkdir "$T/out.d"
chmod 777 "$T" "$T/out.d"
expect 0 as_nobody "$FREC" -m 16384 -o "$T/out.d/u.zst" -- "$demo" -d 0.5 -c 0 -t 0
grep_err 'kernel samples are not permitted \(kernel.perf_event_paranoid is [0-9]\)'
grep_err 'ring buffers reduced to [0-9]+ pages'
"$FREC" dump -i "$T/out.d/u.zst" > "$T/dump"
grep -q ' SAMPLE ' "$T/dump" || fail "no samples as an unprivileged user"
grep -q ' SAMPLE .* kernel' "$T/dump" && fail "kernel samples despite exclude_kernel"

# System-wide needs privileges: the refusal names the event and says what to change, which for -a
# is a level of 0 or less (1 would not do), or CAP_PERFMON.
expect 1 as_nobody "$FREC" -a -d 0.1 -o "$T/out.d/a.zst"
grep_err '^frec record: permission denied opening '
grep_err "^hint: -a samples every CPU, which needs kernel.perf_event_paranoid at most 0 \(it is $paranoid\) or CAP_(PERFMON|SYS_ADMIN)"
grep_err 'sudo sysctl kernel.perf_event_paranoid=0$'
grep_err "sudo setcap cap_[a-z_]+,cap_sys_ptrace\+ep $FREC"
one_line_err
[ ! -e "$T/out.d/a.zst" ] || fail "a refused recording left a trace"

# Another user's process (root's, here): ptrace rights are what helps, no perf_event_paranoid.
sleep 60 &
victim=$!
expect 1 as_nobody "$FREC" -p "$victim" -d 0.1 -o "$T/out.d/p.zst"
kill "$victim"
grep_err "^frec record: permission denied profiling process $victim \(of root\)$"
grep_err "^hint: process $victim belongs to root: profiling another user's process needs ptrace rights"
grep_err "setcap cap_sys_ptrace\+ep $FREC"
grep -q 'sysctl' "$T/err" && { cat "$T/err" >&2; fail "the hint suggests a sysctl, which cannot help"; }
one_line_err
[ ! -e "$T/out.d/p.zst" ] || fail "a refused recording left a trace"

# A tracepoint: tracefs is root's, so the event is refused, not unknown.
if [ -d /sys/kernel/tracing/events/sched ] && ! as_nobody test -r /sys/kernel/tracing/events; then
	expect 1 as_nobody "$FREC" -e sched:sched_switch -d 0.1 -o "$T/out.d/t.zst" -- true
	grep_err '^frec record: permission denied opening sched:sched_switch$'
	grep_err '^hint: tracepoints need privileges: .*run frec as root$'
	one_line_err
fi
exit 0
