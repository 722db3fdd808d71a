#!/bin/sh
# frec record's refusals: one line naming the object, a hint, status 1 (2 for misuse), and no
# trace damaged or left behind.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

# An existing trace survives a mistyped PID.
echo keep > "$T/t.zst"
expect 1 "$FREC" -p 2147483 -o "$T/t.zst"
grep_err '^frec record: no such process: 2147483$'
grep_err '^hint: '
one_line_err
[ "$(cat "$T/t.zst")" = keep ] || fail "a bad PID truncated the output"

expect 1 "$FREC" -o "$T/x.zst" -- /nonexistent/command
grep_err 'command not found: /nonexistent/command'
one_line_err
[ ! -e "$T/x.zst" ] || fail "a failed launch left a trace"

expect 1 "$FREC" -o "$T/nodir/x.zst" -- true
grep_err "cannot create $T/nodir/x.zst: No such file or directory"
grep_err '^hint: '
one_line_err

expect 1 "$FREC" -o "$T" -- true
grep_err "refusing to write $T: it is a directory"
one_line_err

expect 1 "$FREC" -e no-such-event -o "$T/x.zst" -- true
grep_err "unknown event 'no-such-event'"
grep_err '^hint: events are'

expect 1 "$FREC" -e sched:no_such_tracepoint -o "$T/x.zst" -- true
grep_err "unknown event"

# A full disk: the error says so and what was recorded is kept.
expect 1 "$FREC" -o /dev/full -- "$FREC_TEST_BUILDDIR/workloads/frec-demo" -d 0.3 -c 0 -t 0
grep_err 'cannot write /dev/full: No space left on device'
grep_err 'disk is full'
[ -c /dev/full ] || fail "a failed recording removed its output, the device /dev/full"

# Misuse: status 2 and usage.
expect 2 "$FREC" record
grep_err 'nothing to profile'
expect 2 "$FREC" -p 1 -a
grep_err 'only one target'
expect 2 "$FREC" -F 0 -- true
expect 2 "$FREC" --call-graph bogus -- true
grep_err "unknown mode 'bogus'"
expect 2 "$FREC" --call-graph dwarf,70000 -- true
expect 2 "$FREC" -m 3 -- true
grep_err 'not a power of 2'
exit 0
