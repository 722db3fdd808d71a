#!/bin/sh
# End to end: record the demo workload (main binary, worker thread, forked child, late-dlopen'ed
# plugin) and find its functions, with plausible shares, in the folded stacks and the text report.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
expect 0 "$FREC" record -F 499 -o "$T/t.zst" -- "$demo" -d 2 -c 1 -t 1
expect 0 "$FREC" report -i "$T/t.zst" --folded -o "$T/f"
[ ! -s "$T/err" ] || fail "report wrote to stderr: $(cat "$T/err")"
total=$(awk '{ s += $NF } END { print s }' "$T/f")
[ "$total" -gt 100 ] || fail "only $total samples"

# share (per cent) of samples whose stack holds frame $1
share() { awk -v f="$1" -v t="$total" '{ n = split($0, a, /[; ]/); for (i = 1; i < n; i++) if (a[i] == f) { s += $NF; break } } END { printf "%d\n", 100 * s / t }' "$T/f"; }
for fn in main serve_requests child_crunch worker_thread plugin_mix; do
	grep -q "[;]$fn[; ]\|^$fn[; ]" "$T/f" || fail "no frame named $fn"
done
grep -q '^[^ ]*parse_request' "$T/f" || fail "no parse_request"
# the child crunches alone in its process: a good share of all samples (3 busy tasks)
c=$(share child_crunch)
[ "$c" -ge 10 ] && [ "$c" -le 60 ] || fail "child_crunch has $c% of the samples"
s=$(share serve_requests)
[ "$s" -ge 20 ] || fail "serve_requests has $s% of the samples"
# plugin frames come from the late-mapped library
expect 0 "$FREC" report -i "$T/t.zst"
grep_out 'plugin_mix  \(libfrecdemo\.so\)'
grep_out 'child_crunch  \(frec-demo\)'
grep_out '^stack health: '

# each distinct address is named once, however many samples hit it (-v output of the symbolizer)
FREC_LOG_LEVEL=info "$FREC" report -i "$T/t.zst" --folded > /dev/null 2> "$T/info"
line=$(grep 'distinct addresses named' "$T/info") || fail "no symbolizer statistics: $(cat "$T/info")"
n=$(echo "$line" | sed -n 's/.*: \([0-9]*\) samples, \([0-9]*\) distinct.*/\1 \2/p')
set -- $n
[ "$2" -lt "$1" ] || fail "as many addresses named as samples: $line"
echo "$line" | grep -q ' [1-9][0-9]* ELF files opened' || fail "$line"

# grouping and filters
expect 0 "$FREC" report -i "$T/t.zst" --per-process --folded
n=$(sed 's/\].*/]/' "$T/out" | sort -u | grep -c '^frec-demo \[' || true)
[ "$n" -ge 2 ] || fail "expected the parent and the child as roots, got $n"
child=$(grep 'child_crunch' "$T/out" | sed -n 's/^frec-demo \[\([0-9]*\)\].*/\1/p' | head -n 1)
[ -n "$child" ] || fail "no child root"
expect 0 "$FREC" report -i "$T/t.zst" --pid "$child" --folded
grep -qv 'child_crunch\|\[k\]\|\[unknown\]\|__libc_start\|main\|_start' "$T/out" && fail "other frames in the child: $(cat "$T/out")"
expect 0 "$FREC" report -i "$T/t.zst" --no-kernel --folded
grep -q '_\[k\]' "$T/out" && fail "kernel frames with --no-kernel"
exit 0
