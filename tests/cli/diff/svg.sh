#!/bin/sh
# frec diff --svg: widths from AFTER (or BEFORE with --negate), red grew, blue shrank, grey within
# the noise floor, amber new, hatched gone (drawn beside their old siblings in the default graph).
. "$FREC_TEST_SRCDIR/cli/lib.sh"

D=$FREC_TEST_DATA/flame
cd "$T"

# frame NAME FILE: the <g> of the frame whose tooltip starts with NAME, on one line.
frame() {
	awk -v name="<g><title>$1" 'index($0, name) == 1 && length($0) == length(name) { f = 1 }
		f { printf "%s ", $0 } f && /<\/g>$/ { exit }' "$2"
}
# fill NAME FILE: its fill, "rrggbb" or "url(#...)".
fill() { frame "$1" "$2" | sed 's/.*<rect [^>]*fill="#\{0,1\}\([^"]*\)".*/\1/'; }
red() { [ "$(printf %d "0x$(echo "$1" | cut -c1-2)")" -gt "$(printf %d "0x$(echo "$1" | cut -c5-6)")" ]; }
blue() { [ "$(printf %d "0x$(echo "$1" | cut -c5-6)")" -gt "$(printf %d "0x$(echo "$1" | cut -c1-2)")" ]; }

expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded" --svg
grep_err '^frec diff: before \(baseline\): .*/before.folded, 110 samples; after: .*/after.folded, 260 samples; compared as sample counts$'
grep_err '^frec diff: wrote diff.svg$'
c=$(fill hash diff.svg)
red "$c" || fail "hash grew but is $c"
# malloc: 20 -> 10 samples, 1.8 deviations of noise: grey.
c=$(fill malloc diff.svg)
[ "$c" = dcdcdc ] || fail "malloc's change is within the noise but it is $c"
frame malloc diff.svg | grep -q '(self change within the noise floor)' || fail "malloc's tooltip does not say noise"
c=$(fill lex diff.svg)
red "$c" || fail "lex doubled (30 -> 60 samples) but is $c"
frame hash diff.svg | grep -q 'before: 20 samples (18.18%), self 20 after: 120 samples (46.15%), self 120 change: self +100 (+500%), total +100 (+500%)</title>' ||
	fail "hash's tooltip lacks before, after and change: $(frame hash diff.svg)"
[ "$(fill fresh_leaf diff.svg)" = f0b020 ] || fail "fresh_leaf is not amber"
frame fresh_leaf diff.svg | grep -q '\[new\]</title>' || fail "fresh_leaf not marked new"
# What vanished is in the default graph, hatched, at its 15 samples of width.
[ "$(fill gone_leaf diff.svg)" = 'url(#frec-gone)' ] || fail "gone_leaf is not drawn as gone: $(frame gone_leaf diff.svg)"
frame gone_leaf diff.svg | grep -q 'change: self -15 (-100%), total -15 (-100%) \[gone\]</title>' || fail "gone_leaf's tooltip"
w=$(frame gone_leaf diff.svg | sed 's/.*<rect [^>]* width="\([0-9.]*\)".*/\1/')
[ "$w" = "$(awk 'BEGIN { printf "%.2f", 1180 * 15 / 275 }' | sed 's/0*$//; s/\.$//')" ] || fail "gone_leaf is $w px wide"
grep -q '>before (baseline): before.folded, 110 samples; after: after.folded, 260 samples; compared as sample counts; widths: after<' diff.svg ||
	fail "subtitle does not say which side is which and how they compare"

expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded" --svg share.svg --normalize share
c=$(fill malloc share.svg)
blue "$c" || fail "malloc's share shrank (18% -> 4%) but is $c"
grep -q '; compared as shares of each profile&#39;s total; widths: after<' share.svg || fail "share subtitle"

expect 0 "$FREC" diff "$D/before.folded" "$D/after.folded" --svg neg.svg --negate
[ "$(fill gone_leaf neg.svg)" = 'url(#frec-gone)' ] || fail "--negate does not draw gone_leaf as gone"
[ "$(fill fresh_leaf neg.svg)" = f0b020 ] || fail "--negate does not draw fresh_leaf beside"
grep -q 'widths: before<' neg.svg || fail "--negate subtitle"

# Options in any order, output to stdout, nothing on stderr.
expect 0 "$FREC" diff --svg - --width 600 "$D/before.folded" "$D/after.folded"
grep_out 'width="600"'
[ ! -s "$T/err" ] || fail "--svg - wrote to stderr"
