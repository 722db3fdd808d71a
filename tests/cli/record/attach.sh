#!/bin/sh
# frec record -p PID: attach to a running process; its threads, names and mappings come from /proc.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
# Long enough to outlive every recording below; killed at exit (set -e: the kill may find it gone).
"$demo" -d 60 -c 0 -t 1 > /dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$T"' EXIT
sleep 0.5

expect 0 "$FREC" -p "$pid" -d 1 -o "$T/p.zst"
grep_err 'duration reached'
"$FREC" dump -i "$T/p.zst" > "$T/dump"
grep -q " SAMPLE .* pid $pid " "$T/dump" || fail "no samples of $pid"
grep -q "MMAP2 pid $pid .* build-id [0-9a-f]\{40\} .*frec-demo$" "$T/dump" ||
	fail "no synthesized mapping of the workload"
grep -q "MMAP2 pid $pid .*libc\.so\.6$" "$T/dump" || fail "no synthesized mapping of libc"
# both threads named by synthesized COMM records
n=$(grep -c "COMM pid $pid tid [0-9]* frec-demo" "$T/dump" || true)
[ "$n" -ge 2 ] || fail "expected COMM records for 2 threads, found $n"
grep -q 'target=pid' "$T/dump" || fail "header lacks target=pid"
# The command is what the process runs, not "pid N": the report and the graph's title say it.
grep -q "^ *command=$demo -d 60 -c 0 -t 1\$" "$T/dump" || fail "header's command is not the process's command line"
expect 0 "$FREC" report -i "$T/p.zst"
grep_out "^command:  $demo -d 60 -c 0 -t 1\$"
expect 0 "$FREC" report -i "$T/p.zst" --svg "$T/p.svg"
grep -q "id=\"title\"[^>]*>Flame graph: $demo -d 60 -c 0 -t 1<" "$T/p.svg" || {
	grep -o 'id="title"[^<]*' "$T/p.svg" >&2
	fail "the flame graph of an attached process is not titled with its command"
}

# -t TID and -a work too.
expect 0 "$FREC" record -t "$pid" -d 0.5 -q -o "$T/t.zst"
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] || fail "-q printed something"
"$FREC" dump -i "$T/t.zst" | grep -q " SAMPLE .* tid $pid " || fail "-t: no samples of the thread"
expect 0 "$FREC" record -a -d 0.5 -o "$T/a.zst"
"$FREC" dump -i "$T/a.zst" | grep -q 'target=system-wide' || fail "-a: no system-wide header"

# A target that exits with nothing to reap it ends the recording all the same: the shell execs frec
# after starting the workload, which so becomes frec's own child and stays a zombie.
st=0
timeout 30 sh -c '"$1" -d 1 -c 0 > /dev/null & exec "$2" -p $! -q -o "$3"' sh "$demo" "$FREC" "$T/z.zst" || st=$?
[ "$st" -eq 0 ] || fail "frec -p did not end when its unreaped target exited (status $st)"
"$FREC" dump -i "$T/z.zst" | grep -q 'FOOTER .*target-exited' || fail "zombie target: footer lacks target-exited"
exit 0
