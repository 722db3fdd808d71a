#!/bin/sh
# A recorder killed with SIGKILL leaves a trace readable up to its last complete frame, and takes
# the command it launched with it; SIGINT ends a recording cleanly with a footer; the tracepoint
# and DWARF modes record what they promise.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

# gone PID: the process has ended (a zombie has: only its parent's reaper is left to run).
gone() { st=$(ps -o stat= -p "$1" 2>/dev/null || true); [ -z "$st" ] || [ "${st#Z}" != "$st" ]; }

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
"$FREC" -F 999 -q -o "$T/k.zst" -- "$demo" -d 50 -c 0 -t 1 > /dev/null &
rec=$!
sleep 3
cmd=$(pgrep -P $rec || true)
[ -n "$cmd" ] || fail "frec launched no command"
trap 'kill -KILL "$cmd" 2>/dev/null || true; rm -rf "$T"' EXIT
kill -KILL $rec
wait $rec 2>/dev/null || true
i=0
until gone "$cmd"; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the command frec launched ($cmd) still runs after frec was killed"
	sleep 0.1
done
expect 0 "$FREC" dump -i "$T/k.zst" --summary
grep_err 'no footer|cut short|truncated'
n=$(awk '$1 == "SAMPLE" { print $2 }' "$T/out")
[ "${n:-0}" -gt 50 ] || fail "only ${n:-0} samples kept of ~3 s at 999 Hz"
grep -q '^FOOTER' "$T/out" && fail "a killed recorder cannot have written a footer"

"$FREC" -q -o "$T/i.zst" -- "$demo" -d 10 -c 0 -t 0 > /dev/null &
rec=$!
sleep 1
kill -INT $rec
wait $rec || fail "SIGINT: frec exited $?"
"$FREC" dump -i "$T/i.zst" > "$T/dump"
grep -q 'FOOTER .*interrupted' "$T/dump" || fail "no footer flagged interrupted: $(grep FOOTER "$T/dump")"

expect 0 "$FREC" -e sched:sched_switch -o "$T/tp.zst" -- sh -c 'for i in 1 2 3 4 5; do sleep 0.01; done'
"$FREC" dump -i "$T/tp.zst" > "$T/dump"
grep -q 'ATTR sched:sched_switch type 2' "$T/dump" || fail "tracepoint attr missing"
grep -q ' SAMPLE ' "$T/dump" || fail "no tracepoint samples"

expect 0 "$FREC" --call-graph dwarf,4096 -o "$T/d.zst" -- "$demo" -d 0.5 -c 0 -t 0
"$FREC" dump -i "$T/d.zst" > "$T/dump"
grep -q 'call_graph=dwarf,4096' "$T/dump" || fail "header lacks call_graph=dwarf,4096"
grep -q ' SAMPLE .* stack [0-9]*/4096' "$T/dump" || fail "samples lack a stack copy: $(grep -m1 SAMPLE "$T/dump")"
exit 0
