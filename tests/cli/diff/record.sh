#!/bin/sh
# frec diff on real recordings of frec-regress, before and after one function (compute_hash) became
# 3x slower while the others did the same work: compared as CPU time, the slowed function is the top
# regression, and the unchanged ones stay within the noise floor in the text (not "shrank") and grey
# in the graph.  Two attachments of different lengths are told to compare per second.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

regress_pair
expect 0 "$FREC" diff "$T/before.zst" "$T/after.zst"
cp "$T/out" "$T/diff.txt"
grep_out '^compared as CPU time \(samples x period\) \[--normalize time\]$'
grep_out "^before \(baseline\): $T/before.zst, [0-9,]+ samples, [0-9.]+ s$"
grep -q '^note:' "$T/diff.txt" && fail "launched commands ran as long as their work: no note due"
sed -n '/^regressions by self CPU time/,/^$/p' "$T/diff.txt" >"$T/reg"
sed -n 3p "$T/reg" | grep -Eq '^ .* \+[0-9.]+ m?s +\+[0-9]+%  compute_hash$' || { cat "$T/diff.txt" >&2; fail "compute_hash is not the top regression"; }
for f in parse_input compress_block format_output; do
	grep -q " $f\$" "$T/diff.txt" && { cat "$T/diff.txt" >&2; fail "$f did the same work but is listed as changed"; }
done
# As shares they all shrank (25% -> 17%): the comparison that misled users, and a check that this
# pair has the samples to tell.
expect 0 "$FREC" diff "$T/before.zst" "$T/after.zst" --normalize share
sed -n '/^improvements by self share/,/^$/p' "$T/out" | grep -q ' parse_input$' || fail "shares do not show parse_input shrunk: too few samples?"

expect 0 "$FREC" diff "$T/before.zst" "$T/after.zst" --svg "$T/diff.svg"
grep_err "^frec diff: before \(baseline\): $T/before.zst, [0-9,]+ samples, [0-9.]+ s; after: $T/after.zst, .*; compared as CPU time"
fill() {
	awk -v name="<g><title>$1" 'index($0, name) == 1 && length($0) == length(name) { f = 1 }
		f && /<rect/ { sub(/.*<rect [^>]*fill="#/, ""); print substr($0, 1, 6); exit }' "$2"
}
c=$(fill compute_hash "$T/diff.svg")
[ "$(printf %d "0x$(echo "$c" | cut -c1-2)")" -gt "$(printf %d "0x$(echo "$c" | cut -c5-6)")" ] || fail "compute_hash is $c, not red"
for f in parse_input compress_block format_output; do
	c=$(fill "$f" "$T/diff.svg")
	[ "$c" = dcdcdc ] || { cat "$T/diff.txt" >&2; fail "$f did the same work but is drawn $c"; }
done
grep -q 'compared as CPU time (samples x period); widths: after</text>' "$T/diff.svg" || fail "the subtitle lacks the normalisation"

# Two attachments to a running process, 0.5 s and 1.5 s: CPU time grows with the window.
"$FREC_TEST_BUILDDIR/workloads/frec-regress" -n 1000000 >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$T"' EXIT
expect 0 "$FREC" record -q -p $pid -d 0.5 -e cpu-clock -o "$T/short.zst"
expect 0 "$FREC" record -q -p $pid -d 1.5 -e cpu-clock -o "$T/long.zst"
kill $pid
wait $pid || true
expect 0 "$FREC" diff "$T/short.zst" "$T/long.zst"
grep_err "^frec diff: warning: both recordings lasted as long as you chose, and $T/long.zst is [0-9]+% longer than $T/short.zst"
grep_err '^hint: .*--normalize rate'
grep_out '^note: both recordings lasted as long as you chose'
expect 0 "$FREC" diff "$T/short.zst" "$T/long.zst" --normalize rate
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "--normalize rate still warns"; }
grep_out '^compared as CPU time per second of recording \[--normalize rate\]$'
grep -q '^note:' "$T/out" && fail "--normalize rate still notes"
exit 0
