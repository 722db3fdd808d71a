#!/bin/sh
# frec diff without --svg: a header naming both sides, the normalisation and the noise floor, then
# tables of regressions and improvements beyond the floor.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

D=$FREC_TEST_DATA/flame

# Folded stacks carry no time: compared as counts, as difffolded.pl does.
expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded"
grep_out "^before \(baseline\): $D/before.folded, 110 samples$"
grep_out "^after: +$D/after.folded, 260 samples$"
grep_out '^compared as sample counts \[--normalize count\]$'
grep_out "^noise floor: 3 standard deviations of sampling noise and 0.1% of before's total \(0.11\);$"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "a diff to stdout wrote to stderr"; }
# hash: 20 -> 120 samples, the largest regression, first.
sed -n '/^regressions by self samples/,/^$/p' "$T/out" >"$T/reg"
sed -n 3p "$T/reg" | grep -Eq '^ +20 +120 +\+100 +\+500%  hash$' || { cat "$T/reg" >&2; fail "hash is not the top regression"; }
grep -Eq '^ +0 +20 +\+20 +from 0  fresh_leaf \[new\]$' "$T/reg" || fail "fresh_leaf is not a new regression"
sed -n '/^improvements by self samples/,/^$/p' "$T/out" >"$T/imp"
grep -Eq '^ +15 +0 +-15 +-100%  gone_leaf \[gone\]$' "$T/imp" || fail "gone_leaf is not listed as gone"
# malloc: 20 -> 10 samples is within the noise (1.8 deviations): in no table, but counted.
grep -q ' malloc' "$T/out" && fail "malloc's change within the noise is listed"
grep_out '^within the noise floor, not listed: 2 of 12 functions$'

# As shares (the comparison of percentages), malloc shrank: 18.18% -> 3.85%.
expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded" --normalize share
grep_out '^compared as shares of each profile.s total \[--normalize share\]$'
sed -n '/^improvements by self share/,/^$/p' "$T/out" >"$T/imp"
sed -n 3p "$T/imp" | grep -Eq '^ +18\.18% +3\.85% +-14\.34 pt +-79%  malloc$' || { cat "$T/imp" >&2; fail "malloc is not the top improvement by share"; }
# Total share: lookup holds hash, so it regressed too.
sed -n '/^regressions by total share/,/^$/p' "$T/out" >"$T/treg"
grep -Eq '^ +22\.73% +50\.00% +\+27\.27 pt +\+120%  lookup$' "$T/treg" || fail "lookup is not a total regression"

# Time needs traces.
expect 1 "$FREC" diff "$D/before.folded" "$D/after.folded" --normalize time
grep_err "^frec diff: --normalize time: $D/before.folded has no CPU time$"
grep_err '^hint: .*--normalize count or share'
one_line_err
expect 1 "$FREC" diff "$D/before.folded" "$D/after.folded" --normalize rate
grep_err 'has no CPU time or duration'

expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded" --top 1
[ "$(sed -n '/^regressions by self samples/,/^$/p' "$T/out" | grep -c '%  ')" = 1 ] || fail "--top 1 shows more than 1 row"

# A profile against itself: no changes at all.
expect 0 "$FREC" diff "$D/simple.folded" "$D/simple.folded"
[ "$(grep -c '(none)' "$T/out")" = 4 ] || { cat "$T/out" >&2; fail "self-diff shows changes"; }
grep_out '^within the noise floor, not listed: ([0-9]+) of \1 functions$'

# To a file: the baseline and the normalisation are named on stderr.
expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded" -o "$T/diff.txt"
grep_err "^frec diff: before \(baseline\): $D/before.folded, 110 samples; after: $D/after.folded, 260 samples; compared as sample counts$"
grep_err "^frec diff: wrote $T/diff.txt$"
head -1 "$T/diff.txt" | grep -q "^before (baseline): $D/before.folded, 110 samples$" || fail "-o FILE lacks the diff"

# Standard input as one side.
set +e
"$FREC" diff - "$D/after.folded" <"$D/before.folded" >"$T/out" 2>"$T/err"
st=$?
set -e
[ $st = 0 ] || { cat "$T/err" >&2; fail "diff - AFTER exited $st"; }
grep_out '^before \(baseline\): standard input, 110 samples$'

# Names reach a terminal: no control bytes (escape sequences) get through.  (100 times the samples,
# so that every name clears the noise floor and is listed.)
awk '{ $NF = $NF * 100; print }' "$D/hostile.folded" >"$T/hostile.folded"
expect 0 "$FREC" diff "$T/hostile.folded" "$D/simple.folded"
grep_out 'ctl\\x01\\x02\\x1b\[31mred\\x7f'
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/out"; then
	fail "control bytes in the text diff"
fi
# and neither do file names.
cp "$D/simple.folded" "$T/$(printf 'x\033[31my').folded"
expect 0 "$FREC" diff "$T/$(printf 'x\033[31my').folded" "$D/simple.folded" -o "$T/names.txt"
grep -q '^before (baseline): .*/x\\x1b\[31my\.folded, 100 samples$' "$T/names.txt" || fail "a file name's escape reached the text"
grep_err '^frec diff: before \(baseline\): .*/x\\x1b\[31my\.folded, 100 samples; after'
