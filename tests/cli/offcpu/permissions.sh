#!/bin/sh
# SPDX-License-Identifier: MIT
# frec record --off-cpu as an unprivileged user under kernel.perf_event_paranoid=2, where a plain
# recording works (user space only): --off-cpu needs kernel samples, so it stops with one error
# naming its context-switch event and a hint that says what it needs beyond plain recording
# (a level of 1, or CAP_PERFMON), without the warning that a plain recording goes on in user space
# only; no trace is left.  The capability the hint names is enough: a copy of frec given it
# records the off-CPU samples as the same user.
. "$FREC_TEST_SRCDIR/cli/offcpu/common.sh"

require_nobody
as_nobody test -x "$OFFCPU" || skip "user nobody cannot run $OFFCPU"
mkdir "$T/out.d"
chmod 777 "$T" "$T/out.d"

# plain recording works as this user, --off-cpu does not, for a command and for a process
expect 0 as_nobody "$FREC" record -q -o "$T/out.d/plain.zst" -- "$OFFCPU" sleep 0.2
for target in command pid; do
	if [ $target = command ]; then
		expect 1 as_nobody "$FREC" record --off-cpu -o "$T/out.d/o.zst" -- "$OFFCPU" sleep 0.2
	else
		# (not as_nobody, a function: & would fork a shell and $! be its pid, not the workload's)
		setpriv --reuid=65534 --regid=65534 --clear-groups "$OFFCPU" sleep 5 2>/dev/null &
		victim=$!
		await_exec "$victim" sleep
		expect 1 as_nobody "$FREC" record --off-cpu -p "$victim" -d 0.2 -o "$T/out.d/o.zst"
		kill "$victim"
		wait "$victim" 2>/dev/null || true
	fi
	grep_err '^frec record: permission denied opening the context-switch event of --off-cpu$'
	grep_err "^hint: --off-cpu .* needs kernel samples: kernel.perf_event_paranoid at most 1 \(it is $paranoid; recording without --off-cpu needs 2\) or CAP_(PERFMON|SYS_ADMIN)"
	grep_err 'sudo sysctl kernel.perf_event_paranoid=1, '
	grep_err "sudo setcap cap_[a-z_]+\+ep $FREC\)$"
	! grep -q 'user space only' "$T/err" || fail "--off-cpu warned of a user-space-only recording it did not make"
	one_line_err
	[ ! -e "$T/out.d/o.zst" ] || fail "a refused --off-cpu recording left a trace"
done

# The capability the hint names lets the same user record off-CPU samples.
cap=$(sed -n 's/.*sudo setcap \(cap_[a-z_]*\)+ep .*/\1/p' "$T/err")
if command -v setcap > /dev/null && cp "$FREC" "$T/frec-cap" && chmod 755 "$T/frec-cap" &&
	setcap "$cap+ep" "$T/frec-cap" 2>/dev/null; then
	expect 0 as_nobody "$T/frec-cap" record -q --off-cpu -o "$T/out.d/cap.zst" -- "$OFFCPU" sleep 0.2
	"$FREC" dump -i "$T/out.d/cap.zst" > "$T/dump"
	grep -q 'SWITCH pid [0-9]* tid [0-9]* out' "$T/dump" || fail "no switch records with $cap"
else
	echo "setcap is missing or $T does not keep file capabilities: the capability is not tried" >&2
fi
exit 0
