#!/bin/sh
# frec record -- CMD: the demo workload launched by frec, with its thread, child and late plugin.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
expect 0 "$FREC" record -F 99 -o "$T/t.zst" -- "$demo" -d 2 -c 1 -t 1
grep_err 'samples of'
grep_err ' 0 lost'
"$FREC" dump -i "$T/t.zst" > "$T/dump"

samples=$(grep -c ' SAMPLE ' "$T/dump" || true)
# (not a rate check: these machines are shared, so the workload may get little CPU)
[ "$samples" -gt 10 ] || fail "only $samples samples in 2 s of 3 busy tasks at 99 Hz"
grep -q 'MMAP2 .* /.*frec-demo$' "$T/dump" || fail "no mapping of the workload binary"
grep -q 'MMAP2 .* /.*libc\.so\.6$' "$T/dump" || fail "no mapping of libc"
grep -q 'MMAP2 .* /.*libfrecdemo\.so$' "$T/dump" || fail "no mapping of the late dlopen'ed plugin"
grep -q 'MMAP2 .* build-id [0-9a-f]\{40\} .*frec-demo$' "$T/dump" || fail "no build-id for the workload"
grep -q '^ *[0-9.]* COMM .* exec frec-demo' "$T/dump" || fail "no COMM at exec"
# Without --call-graph, auto: frame-pointer chains and stack copies, with registers.
grep -q 'call_graph=auto,8192' "$T/dump" || fail "the default call graph is not auto,8192"
grep -q ' SAMPLE .* stack [1-9][0-9]*' "$T/dump" || fail "no sample carries a stack copy"

# The forked child (a FORK with pid != ppid) must have been followed and sampled.
child=$(awk '$2 == "FORK" && $4 != $6 { print $4; exit }' "$T/dump")
[ -n "$child" ] || fail "no child process was seen"
grep -q " SAMPLE .* pid $child " "$T/dump" || fail "the child $child has no samples"
# and the worker thread too (a FORK within the process).
thread=$(awk '$2 == "FORK" && $4 == $6 { print $8; exit }' "$T/dump")
[ -n "$thread" ] || fail "no thread creation was seen"
grep -q " SAMPLE .* tid $thread " "$T/dump" || fail "the thread $thread has no samples"

# 0 lost at 99 Hz, and a footer that agrees with the records.
"$FREC" dump -i "$T/t.zst" --summary > "$T/sum"
grep -q '^LOST' "$T/sum" && fail "LOST records at 99 Hz"
grep -q '^FOOTER' "$T/sum" || fail "no footer"
grep -q " FOOTER samples $samples lost 0" "$T/dump" || fail "footer disagrees: $(grep FOOTER "$T/dump")"
exit 0
