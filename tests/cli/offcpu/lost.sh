#!/bin/sh
# SPDX-License-Identifier: MIT
# Lost events are counted and reported, never silent: frec record --off-cpu of a thread that
# switches about 20,000 times a second, with one-page rings (-m 1) that no sample with a stack
# copy (8 KiB by default) fits, so the kernel drops every sample and keeps only switch records.
# The loss the recorder prints is the sum of the trace's LOST records and its footer's total; it
# is in the health line of the off-CPU, wall-clock and CPU reports, in a warning on stderr, and in
# the JSON findings; the record's hint names bigger rings and a call graph without a stack copy.
. "$FREC_TEST_SRCDIR/cli/offcpu/common.sh"

expect 0 "$FREC" record --off-cpu -m 1 -o "$T/t.zst" -- "$OFFCPU" switches 0.5
lost=$(sed -n 's/^frec: .* samples of [^,]*, \([0-9]*\) lost (.*/\1/p' "$T/err")
[ -n "$lost" ] && [ "$lost" -gt 0 ] || { cat "$T/err" >&2; fail "the recorder reported no loss"; }
grep_err '^hint: samples were lost: give the rings more room \(-m 4\), or copy no stack at each switch \(--call-graph fp\)$'
grep_err '^frec: off-cpu: .* switch records \(the waits that lost ones began or ended will be missing or too long\)$'
! grep -q 'was the target busy' "$T/err" || fail "no samples blamed on an idle target, not on the loss"

expect 0 "$FREC" dump -i "$T/t.zst"
in_records=$(awk '$2 == "LOST" { s += $6 } END { print s + 0 }' "$T/out")
[ "$in_records" = "$lost" ] || fail "the recorder said $lost lost, the trace's LOST records $in_records"
grep_out "FOOTER samples [0-9]+ lost $lost "

for mode in --off-cpu --wall; do
	expect 0 "$FREC" report $mode -i "$T/t.zst"
	grep_err "^frec report: warning: the kernel dropped $lost samples or switch records: "
	tr -d , < "$T/out" | grep -Eq "^samples: .* lost $lost \(" || { cat "$T/out" >&2; fail "$mode: no loss of $lost in the health line"; }
done
expect 0 "$FREC" report -i "$T/t.zst"
grep_out '^samples: .*, lost [0-9,]+ \(100\.0%\)$'
expect 0 "$FREC" report --off-cpu --format json -i "$T/t.zst"
python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["profile"]; assert p["lost"] == int(sys.argv[2]), p' \
	"$T/out" "$lost" || fail "the JSON findings do not count $lost lost"
