#!/bin/sh
# A recording's duration is one figure everywhere: the recorder's summary, the text report's
# header, the findings, the flame graph's subtitle and the trace's footer all say the same, from
# the start of recording to its stop.  frec's own CPU is a share of one CPU while recording, with
# the fixed cost to start and finish apart, so that a short recording gets no absurd share.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
expect 0 "$FREC" record -F 999 -d 0.7 -o "$T/t.zst" -- "$demo" -d 5
rec=$(sed -n 's/^frec: \([0-9.]* s\) (duration reached), .*/\1/p' "$T/err")
[ -n "$rec" ] || { cat "$T/err" >&2; fail "no duration in the recorder's summary"; }

expect 0 "$FREC" report -i "$T/t.zst"
grep_out "^duration: $rec\$"
expect 0 "$FREC" report -i "$T/t.zst" --analyze
head -n 1 "$T/out" | grep -q ", $rec, " || { head -n 1 "$T/out" >&2; fail "the findings do not say $rec"; }
expect 0 "$FREC" report -i "$T/t.zst" --svg "$T/t.svg"
grep -q "id=\"subtitle\"[^>]*>[^<]*, $rec, " "$T/t.svg" || {
	grep -o 'id="subtitle"[^<]*' "$T/t.svg" >&2
	fail "the flame graph's subtitle does not say $rec"
}
# The footer's end is the stop: its span rounds to the same figure.
expect 0 "$FREC" diff "$T/t.zst" "$T/t.zst" --svg "$T/d.svg"
grep -q "$rec" "$T/d.svg" || fail "the diff's subtitle does not say $rec"

# A command that exits at once: a share of one CPU, not thousands of percent.
expect 0 "$FREC" record -o "$T/short.zst" -- true
line=$(grep '^frec: own CPU use: ' "$T/err") || { cat "$T/err" >&2; fail "no CPU line"; }
pct=$(echo "$line" | sed -n 's/^frec: own CPU use: \([0-9]*\)\.[0-9]% of one CPU while recording, plus [0-9.]* s to start and finish$/\1/p')
[ -n "$pct" ] || fail "unreadable CPU line: $line"
[ "$pct" -le 100 ] || fail "frec used more than one CPU while recording: $line"
exit 0
