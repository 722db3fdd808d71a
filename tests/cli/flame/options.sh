#!/bin/sh
# frec report's flame-graph options: default output file, --width, --title, --colors, errors.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

D=$FREC_TEST_DATA/flame
cd "$T"

expect 0 "$FREC" report -i "$D/simple.folded" --svg
grep_err '^frec report: wrote flame.svg$'
[ -s flame.svg ] || fail "--svg without a file did not write flame.svg"
grep -q '<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="1200" ' flame.svg || fail "default width"

expect 0 "$FREC" report -i "$D/simple.folded" --svg my.svg --width 500 --title 'T & T'
grep_err '^frec report: wrote my.svg$'
grep -q 'width="500"' my.svg || fail "--width 500 ignored"
grep -q '<text id="title" x="250" y="22">T &amp; T</text>' my.svg || fail "--title ignored or unescaped"

expect 0 "$FREC" report -i "$D/simple.folded" -o other.svg --svg
[ -s other.svg ] || fail "-o with --svg"

# Colours: palettes change fills, the same palette the same fills.
"$FREC" report -i "$D/simple.folded" --svg - --colors green | grep -o 'fill="#[0-9a-f]*"' | sort -u >green.txt
"$FREC" report -i "$D/simple.folded" --svg - --colors hot | grep -o 'fill="#[0-9a-f]*"' | sort -u >hot.txt
! cmp -s green.txt hot.txt || fail "--colors green draws like hot"

expect 2 "$FREC" report -i "$D/simple.folded" --svg - --colors plaid
grep_err "unknown palette 'plaid'"
grep_err '^hint: '

expect 2 "$FREC" report -i "$D/simple.folded" --svg - --width 5
expect 2 "$FREC" report -i "$D/simple.folded" --svg - --minwidth -1

expect 1 "$FREC" report -i "$D/simple.folded" --svg "$T/no/such/dir/x.svg"
grep_err 'cannot create'
one_line_err

if [ -w /dev/full ]; then
	expect 1 "$FREC" report -i "$D/simple.folded" --svg /dev/full
	grep_err 'cannot write /dev/full'
fi
