#!/bin/sh
# The folded dialects flame-graph users feed to flamegraph.pl and inferno: fractional counts are
# weights (in thousandths), austin's '#' header is skipped, a trailing ';' adds no frame, and
# difffolded.pl's two-count lines are a diff: frec diff reads one such file, frec report refuses
# it rather than take "f 6" for a frame.  Lines that cannot be read are counted, the first quoted.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

printf '# austin: 3.6.0\n# mode: wall\n\nP1;T1;main;a 0.4\nP1;T1;main;b 1\nP1;T1;main;b; 0.6\n# duration: 1000\n' \
	> "$T/frac.folded"
expect 0 "$FREC" report -i "$T/frac.folded" --folded
grep_out '^P1;T1;main;a 400$'
grep_out '^P1;T1;main;b 1600$'
[ "$(wc -l < "$T/out")" -eq 2 ] || fail "comments or an empty frame read as stacks: $(cat "$T/out")"
[ ! -s "$T/err" ] || fail "warned about a valid file: $(cat "$T/err")"
expect 0 "$FREC" report -i "$T/frac.folded"
grep_out '^samples: +2,000 thousandths$'
expect 0 "$FREC" report -i "$T/frac.folded" --svg "$T/frac.svg"
grep -q 'thousandths' "$T/frac.svg" || fail "the flame graph does not say its unit"

# a bad line is counted and quoted (long ones cut short)
printf 'main;a 3\nmain;f 6 4\nthis log line goes on and on without ever ending in a count of samples, really\n' > "$T/bad.folded"
expect 0 "$FREC" report -i "$T/bad.folded" --folded
grep_out '^main;a 3$'
grep_err 'skipped 2 of 3 lines that are not "STACK COUNT" \(first: line 2, "main;f 6 4"\)'
printf 'main;a 3\nthis log line goes on and on without ever ending in a count of samples, really\n' > "$T/long.folded"
expect 0 "$FREC" report -i "$T/long.folded" --folded
grep_err '"this log line goes on and on without ever ending in a count ?\.\.\."'

# difffolded.pl: BEFORE AFTER per line
printf 'main;f 6 40\nmain;g 0 2\nmain;h 30 0\n' > "$T/d.folded"
expect 1 "$FREC" report -i "$T/d.folded"
grep_err 'two counts per line \(difffolded.pl output\): a diff, not one profile'
grep_err '^hint: compare its two sides with frec diff'
one_line_err
expect 0 "$FREC" diff "$T/d.folded"
grep_out 'before \(baseline\): .*d.folded \(before\), 36 samples'
grep_out 'after: .*d.folded \(after\), 42 samples'
grep_out '^ +6 +40 +\+34 .* f$'
grep_out '^ +30 +0 +-30 .* h \[gone\]$'
expect 0 "$FREC" diff "$T/d.folded" --svg "$T/d.svg"
grep -q 'd.folded (before)' "$T/d.svg" || fail "the diff's flame graph does not name its baseline"
# one input that is not a diff: the second was forgotten
expect 2 "$FREC" diff "$T/frac.folded"
grep_err 'missing AFTER: .*frac.folded is not a diff'
grep_err '^usage: frec diff'
