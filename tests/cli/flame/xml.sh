#!/bin/sh
# Every graph is well-formed XML with exactly one script, the graph's own, whatever the names hold:
# the golden files, every fixture, and names made of every byte value.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

command -v xmllint >/dev/null || skip "xmllint is not installed (Debian: libxml2-utils)"
D=$FREC_TEST_DATA/flame

check() {
	xmllint --noout "$1" 2>"$T/xml.err" || { head -5 "$T/xml.err" >&2; fail "$2: not well-formed XML"; }
	n=$(grep -c '<script' "$1" || true)
	[ "$n" = 1 ] || fail "$2: $n <script elements, expected 1"
}

for f in "$D"/*.svg; do
	check "$f" "$f"
done
for f in "$D"/*.folded; do
	"$FREC" report -i "$f" --svg "$T/out.svg" 2>/dev/null || fail "frec report -i $f failed"
	check "$T/out.svg" "$f"
	"$FREC" report -i "$f" --svg "$T/out.svg" --icicle --width 300 --colors aqua 2>/dev/null || fail "frec report -i $f --icicle failed"
	check "$T/out.svg" "$f (icicle)"
done

# Each byte 1..255 (but newline and ';') in a name of its own, in a title, and in pairs.
i=1
: >"$T/bytes.folded"
while [ $i -le 255 ]; do
	if [ $i != 10 ] && [ $i != 59 ] && [ $i != 13 ]; then
		b=$(printf "\\$(printf %03o $i)")
		printf 'main;x%sy;%s%s\\%s 1\n' "$b" "$b" "$b" "$b" >>"$T/bytes.folded"
	fi
	i=$((i + 1))
done
"$FREC" report -i "$T/bytes.folded" --svg "$T/bytes.svg" --title "$(printf 'a\001<b>&\377')" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "frec report on every byte failed"; }
check "$T/bytes.svg" "every byte"
[ "$(grep -c '<g><title>' "$T/bytes.svg")" -gt 400 ] || fail "every byte: frames are missing"

"$FREC" diff "$D/hostile.folded" "$D/simple.folded" --svg "$T/diff.svg" 2>/dev/null || fail "frec diff failed"
check "$T/diff.svg" "diff of hostile names"
"$FREC" diff "$T/bytes.folded" "$D/hostile.folded" --svg "$T/diff.svg" --negate 2>/dev/null || fail "frec diff --negate failed"
check "$T/diff.svg" "negated diff of every byte"
