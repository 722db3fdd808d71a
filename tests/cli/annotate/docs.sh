#!/bin/sh
# frec-annotate(1) says what frec annotate prints: its example has the column heading the
# command prints, it says what an instruction's samples count and where inlined code goes, and it
# renders without a warning.  (manpages.sh checks its SYNOPSIS and options against --help.)
. "$FREC_TEST_SRCDIR/cli/lib.sh"

man="$FREC_TEST_SRCDIR/../man/frec-annotate.1"
heading=$(sed -n 's/.*fputs("\\n\\n\(   samples  percent  address  instruction\)\\n", out);/\1/p' \
	"$FREC_TEST_SRCDIR/../cli/cmd_annotate.c")
[ -n "$heading" ] || fail "no column heading found in cli/cmd_annotate.c"
grep -qxF "$heading" "$man" || fail "frec-annotate.1's example lacks the heading '$heading'"
grep -q 'sampled instruction pointer' "$man" || fail "frec-annotate.1 does not say what is counted"
grep -q 'inlined' "$man" || fail "frec-annotate.1 does not say where inlined code goes"
for o in --module --all --percent-limit --no-source; do
	grep -qF "Fl \\${o#-}" "$man" || fail "frec-annotate.1 lacks $o"
done
if command -v groff > /dev/null; then
	LC_ALL=C.UTF-8 MANWIDTH=80 groff -mandoc -Tutf8 -ww -P -cbou "$man" > "$T/page" 2> "$T/warn"
	[ ! -s "$T/warn" ] || fail "groff warns about frec-annotate.1: $(cat "$T/warn")"
	grep -q 'build-id differs' "$T/page" || fail "the rendered page lacks what a rebuilt file does"
fi
exit 0
