#!/bin/sh
# frec diff --svg: widths from AFTER (or BEFORE with --negate), red grew, blue shrank.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

D=$FREC_TEST_DATA/flame
cd "$T"

# fill NAME FILE: the fill of the frame whose tooltip starts with NAME.
fill() {
	awk -v name="<g><title>$1" 'index($0, name) == 1 && length($0) == length(name) { f = 1 }
		f && /<rect/ { sub(/.*fill="#/, ""); print substr($0, 1, 6); exit }' "$2"
}
red() { [ "$(printf %d "0x$(echo "$1" | cut -c1-2)")" -gt "$(printf %d "0x$(echo "$1" | cut -c5-6)")" ]; }

expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded" --svg
grep_err '^frec diff: wrote diff.svg$'
c=$(fill hash diff.svg)
red "$c" || fail "hash grew but is $c"
c=$(fill malloc diff.svg)
! red "$c" && [ "$c" != dcdcdc ] || fail "malloc shrank but is $c"
c=$(fill lex diff.svg)
# lex: 30% before, 60/260 = 23.1% after: shrank.
! red "$c" || fail "lex shrank but is $c"
grep -q '^before: 20 samples (20.00%), self 20 (20.00%)$' diff.svg || fail "tooltip lacks before numbers"
grep -q '^change: self +26.15 pt (+131%), total +26.15 pt (+131%)</title>' diff.svg || fail "tooltip lacks the change"
grep -q '^change: self +7.69 pt (from 0), total +7.69 pt (from 0) \[new\]</title>' diff.svg || fail "fresh_leaf not marked new"
grep -q '<g><title>gone_leaf$' diff.svg && fail "gone_leaf drawn in AFTER's shape"
grep -q '>before (baseline): before.folded, 100 samples; after: after.folded, 260 samples; widths: after<' diff.svg ||
	fail "subtitle does not say which side is which"

expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded" --svg neg.svg --negate
grep -q '<g><title>gone_leaf$' neg.svg || fail "--negate does not draw gone_leaf"
grep -q '\[gone\]</title>' neg.svg || fail "--negate does not mark gone frames"
grep -q '<g><title>fresh_leaf$' neg.svg && fail "--negate draws AFTER's new frames"
grep -q 'widths: before' neg.svg || fail "--negate subtitle"

# Options in any order, output to stdout.
expect 0 "$FREC" diff --svg - --width 600 "$D/before.folded" "$D/after.folded"
grep_out 'width="600"'
