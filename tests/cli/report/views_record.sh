#!/bin/sh
# The text views on a live recording of frec-demo (a worker thread and a forked child): the
# process and thread tables name each with its pid, agree with --per-process and --per-thread,
# and every output takes --per-process, --per-thread and --collapse-recursion.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
expect 0 "$FREC" record -q -F 499 -o "$T/t.zst" -- "$demo" -d 1 -c 1 -t 1
R="$FREC report -i $T/t.zst"

# The tables: the parent and its child (a sanitizer build may add its leak checker's process),
# the main thread, the worker and the child's, each "frec-demo [N]", never a bare pid.
expect 0 $R
sed -n '/^processes:$/,/^$/p' "$T/out" | sed '1,2d; /^$/d' > "$T/procs"
sed -n '/^threads:$/,/^$/p' "$T/out" | sed '1,2d; /^$/d' > "$T/threads"
[ "$(wc -l < "$T/procs")" -ge 2 ] || fail "expected 2 processes: $(cat "$T/out")"
[ "$(wc -l < "$T/threads")" -ge 3 ] || fail "expected 3 threads: $(cat "$T/out")"
grep -Evq '^ +[0-9.]+% +[0-9,]+  frec-demo \[[0-9]+\]$' "$T/procs" && fail "a process row: $(cat "$T/procs")"
grep -Evq '^ +[0-9.]+% +[0-9,]+  frec-demo \[[0-9]+\]  \(frec-demo \[[0-9]+\]\)$' "$T/threads" &&
	fail "a thread row: $(cat "$T/threads")"
# the shares add up to the whole (two decimals each)
for t in procs threads; do
	awk '{ s += $1 } END { exit !(s > 99.9 && s < 100.1) }' "$T/$t" || fail "$t add up to $(awk '{ s += $1 } END { print s }' "$T/$t")%"
done
# the parent holds the worker: two threads; the child is where child_crunch runs
parent=$(awk '{ print $NF }' "$T/threads" | tr -d '[])' | sort | uniq -d)
[ "$(echo "$parent" | wc -w)" = 1 ] || fail "no process with two threads in $(cat "$T/threads")"
expect 0 $R --per-process --folded
child=$(grep 'child_crunch' "$T/out" | sed -n 's/^frec-demo \[\([0-9]*\)\];.*/\1/p' | sort -u)
[ "$(echo "$child" | wc -w)" = 1 ] && [ "$child" != "$parent" ] || fail "child_crunch not in one child: $child"
grep -q "frec-demo \[$child\]$" "$T/procs" || fail "the child $child is not in the process table"

# The same figures as the roots of --per-process, and the same names.
awk '{ n = $NF; sub(/;.*/, ""); s[$0] += n; t += n } END { for (k in s) printf "%.2f%% %s\n", 100 * s[k] / t, k }' "$T/out" |
	sort > "$T/roots"
awk '{ print $1 " " $(NF-1) " " $NF }' "$T/procs" | sort > "$T/table"
cmp -s "$T/roots" "$T/table" || { diff "$T/table" "$T/roots" >&2 || :; fail "the process table and --per-process differ"; }

# --per-process and --per-thread in the text report: tables for each process and thread.
expect 0 $R --per-process
grep_out "^process frec-demo \\[$child\\]: "
sed -n "/^process frec-demo \\[$child\\]: /,/^\$/p" "$T/out" > "$T/section"
grep -q 'child_crunch  (frec-demo)' "$T/section" || fail "the child's tables lack child_crunch: $(cat "$T/section")"
grep -q 'serve_requests' "$T/section" && fail "the child's tables hold the parent's functions: $(cat "$T/section")"
expect 0 $R --per-thread --sort module
[ "$(grep -c '^thread frec-demo \[[0-9]*\]: [0-9.]*% of the samples' "$T/out")" = "$(wc -l < "$T/threads")" ] ||
	fail "not one section per thread"
grep_out '^modules by self:$'

# In the other views: the roots are the processes.
expect 0 $R --per-process --tree
grep_out "^ *[0-9.]+% +0\\.00%  [|\`]- frec-demo \\[$child\\]\$"
expect 0 $R --per-thread --callers child_crunch
grep_out '^callers of child_crunch: '
tail -n 1 "$T/out" | grep -Eq "frec-demo \\[$child\\]\$" || fail "the callers do not end at the child: $(tail -n 3 "$T/out")"
expect 0 $R --per-process --svg "$T/p.svg"
grep -q "frec-demo \\[$child\\]" "$T/p.svg" || fail "no process root in the flame graph"

# The tree and the callers of every function agree with the recording's folded stacks, recomputed
# by view_check.awk (views_check.sh): shares, markers, order, recursion towers, nothing missing.
CHECK="$FREC_TEST_SRCDIR/cli/report/view_check.awk"
expect 0 $R --folded
cp "$T/out" "$T/t.folded"
for pct in 0 0.5; do
	expect 0 $R --tree --percent-limit $pct
	awk -v view=tree -v pct=$pct -f "$CHECK" "$T/t.folded" "$T/out" > "$T/check" ||
		fail "--tree --percent-limit $pct: $(cat "$T/check")"
done
sed 's/ [0-9]*$//' "$T/t.folded" | tr ';' '\n' | sed 's/_\[[kij]\]$//' | sort -u > "$T/funcs"
grep -qx 'msort_with_tmp' "$T/funcs" && grep -qx 'child_crunch' "$T/funcs" || fail "not the demo's functions: $(cat "$T/funcs")"
while IFS= read -r f; do
	expect 0 $R --callers "$f" --percent-limit 0
	awk -v view=callers -v func="$f" -f "$CHECK" "$T/t.folded" "$T/out" > "$T/check" ||
		fail "--callers $f: $(cat "$T/check")"
done < "$T/funcs"
expect 0 $R --callers msort_with_tmp
awk -v view=callers -v func=msort_with_tmp -v pct=0.5 -f "$CHECK" "$T/t.folded" "$T/out" > "$T/check" ||
	fail "--callers msort_with_tmp: $(cat "$T/check")"

# --collapse-recursion: qsort's merge sort calls itself (through an inlined copy); not once merged.
expect 0 $R --folded
grep -q 'msort_with_tmp[^;]*;msort_with_tmp' "$T/out" || fail "no recursion in the demo's sort: $(grep msort "$T/out" | head -n 3)"
total=$(awk '{ s += $NF } END { print s }' "$T/out")
expect 0 $R --folded --collapse-recursion
grep -q 'msort_with_tmp[^;]*;msort_with_tmp' "$T/out" && fail "recursion left after --collapse-recursion: $(grep msort "$T/out" | head -n 3)"
[ "$(awk '{ s += $NF } END { print s }' "$T/out")" = "$total" ] || fail "--collapse-recursion changed the total"
cp "$T/out" "$T/collapsed.folded"
expect 0 $R --tree --collapse-recursion --percent-limit 0
grep -q 'recursion: ' "$T/out" && fail "a recursion tower after --collapse-recursion"
grep_out 'msort_with_tmp'
awk -v view=tree -f "$CHECK" "$T/collapsed.folded" "$T/out" > "$T/check" ||
	fail "--tree --collapse-recursion: $(cat "$T/check")"
echo "tree and callers of $(wc -l < "$T/funcs") functions checked; collapsed: $(cat "$T/check")"
exit 0
