#!/bin/sh
# frec diff without --svg: tables of regressions and improvements, shares normalised per profile.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

D=$FREC_TEST_DATA/flame

expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded"
grep_out "^before \(baseline\): $D/before.folded, 100 samples$"
grep_out "^after: +$D/after.folded, 260 samples$"
# hash: 20% -> 46.15% of its profile's samples, the largest regression, first.
sed -n '/^regressions by self share/,/^$/p' "$T/out" >"$T/reg"
sed -n 3p "$T/reg" | grep -Eq '^ +20\.00% +46\.15% +\+26\.15pt +\+131%  hash$' || { cat "$T/reg" >&2; fail "hash is not the top regression"; }
grep -Eq '^ +0\.00% +7\.69% +\+7\.69pt +from 0  fresh_leaf \[new\]$' "$T/reg" || fail "fresh_leaf is not a new regression"
sed -n '/^improvements by self share/,/^$/p' "$T/out" >"$T/imp"
sed -n 3p "$T/imp" | grep -Eq '^ +20\.00% +3\.85% +-16\.15pt +-81%  malloc$' || { cat "$T/imp" >&2; fail "malloc is not the top improvement"; }
grep -Eq '^ +5\.00% +0\.00% +-5\.00pt +-100%  gone_leaf \[gone\]$' "$T/imp" || fail "gone_leaf is not listed as gone"
# Total share: lookup holds hash, so it regressed too; eval's +6.54 points of 100 samples may be chance.
sed -n '/^regressions by total share/,/^$/p' "$T/out" >"$T/treg"
grep -Eq '^ +25\.00% +50\.00% +\+25\.00pt +\+100%  lookup$' "$T/treg" || fail "lookup is not a total regression"
grep -Eq '  eval \[noise\]$' "$T/treg" || fail "eval's total change is not marked as noise"

expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded" --top 1
[ "$(sed -n '/^regressions by self share/,/^$/p' "$T/out" | grep -c pt)" = 1 ] || fail "--top 1 shows more than 1 row"

# A profile against itself: no changes at all.
expect 0 "$FREC" diff "$D/simple.folded" "$D/simple.folded"
[ "$(grep -c '(none)' "$T/out")" = 4 ] || { cat "$T/out" >&2; fail "self-diff shows changes"; }

# Standard input as one side.
set +e
"$FREC" diff - "$D/after.folded" <"$D/before.folded" >"$T/out" 2>"$T/err"
st=$?
set -e
[ $st = 0 ] || { cat "$T/err" >&2; fail "diff - AFTER exited $st"; }
grep_out '^before \(baseline\): standard input, 100 samples$'

# Names reach a terminal: no control bytes (escape sequences) get through.
expect 0 "$FREC" diff "$D/hostile.folded" "$D/simple.folded"
grep_out 'ctl\\x01\\x02\\x1b\[31mred\\x7f'
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/out"; then
	fail "control bytes in the text diff"
fi
