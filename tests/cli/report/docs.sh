#!/bin/sh
# frec-report(1) and frec report --help say the same: the usage line is the SYNOPSIS, the OPTIONS
# list and --help hold the same options, the call tree's example has the view's own heading, and
# the page renders without a warning.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

man="$FREC_TEST_SRCDIR/../man/frec-report.1"
expect 0 "$FREC" report --help
cp "$T/out" "$T/help"

# the SYNOPSIS, its mdoc macros written out as --help writes them
sed -n '/^\.Sh SYNOPSIS$/,/^\.Sh /p' "$man" | sed '1,2d; $d' |
	sed -E 's/^\.Op (.*)$/[\1]/; s/Op Ar ([A-Z]+)/[\1]/g; s/Oo Ar ([A-Z]+) Oc/[\1]/g; s/Fl \\-/--/g; s/Fl ([a-z])/-\1/g; s/Ar //g' |
	tr '\n' ' ' | sed 's/^/usage: frec report /; s/ $//' > "$T/synopsis"
echo >> "$T/synopsis"
head -n 1 "$T/help" > "$T/usage"
cmp -s "$T/synopsis" "$T/usage" || { diff -u "$T/synopsis" "$T/usage" >&2 || :; fail "the SYNOPSIS and the usage line differ"; }

# the options of the OPTIONS list, and those of --help
sed -n '/^\.Sh OPTIONS$/,/^\.Sh /p' "$man" | grep '^\.It Fl' | grep -oE 'Fl \\-[a-z][a-z-]*' |
	sed 's/^Fl \\-/--/' | sort -u > "$T/man-opts"
grep -oE -- '--[a-z][a-z-]*' "$T/help" | sort -u > "$T/help-opts"
[ "$(wc -l < "$T/man-opts")" -gt 20 ] || fail "no options found in $man: $(cat "$T/man-opts")"
cmp -s "$T/man-opts" "$T/help-opts" ||
	{ diff -u "$T/man-opts" "$T/help-opts" >&2 || :; fail "frec-report.1's OPTIONS and --help differ"; }

# the example of --tree in the page has the heading --tree prints
expect 0 "$FREC" report -i "$FREC_TEST_DATA/report/views.folded" --tree
sed -n 2p "$T/out" > "$T/heading"
grep -qxF -f "$T/heading" "$man" || fail "frec-report.1's tree example lacks the heading $(cat "$T/heading")"
expect 0 "$FREC" report -i "$FREC_TEST_DATA/report/views.folded" --callers parse
sed -n 2p "$T/out" | grep -qE '^ total%    func%  ' || fail "the callers' heading changed: $(cat "$T/out")"
grep -qF 'func%' "$man" || fail "frec-report.1 does not explain the callers' func% column"

# rendered: no warning from groff (its mdoc package), and the views' options in the text
if command -v groff > /dev/null; then
	LC_ALL=C.UTF-8 MANWIDTH=80 groff -mandoc -Tutf8 -ww -P -cbou "$man" > "$T/page" 2> "$T/warn"
	[ ! -s "$T/warn" ] || fail "groff warns about frec-report.1: $(cat "$T/warn")"
	for o in --tree --callers --percent-limit --collapse-recursion --per-process --per-thread; do
		grep -qF -- "$o" "$T/page" || fail "the rendered page lacks $o"
	done
fi
exit 0
