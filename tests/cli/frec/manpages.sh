#!/bin/sh
# The man pages render cleanly and say what --help says: for every subcommand, the SYNOPSIS as
# rendered is the usage line of --help, and the options the page lists (.It Fl ...) are those
# --help lists, no more, no fewer.  Rendered text holds no broken option such as "-is" (a word
# taken for a flag by .Fl), groff has nothing to warn about, frec(1) lists every command, and
# frec-trace(5) describes the format version frec writes.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

command -v groff >/dev/null 2>&1 || fail "groff is not installed (groff-base): the man pages cannot be checked"
man=$FREC_TEST_SRCDIR/../man
src=$FREC_TEST_SRCDIR/..

# render PAGE: the page as plain ASCII text, without overstriking.
render() {
	groff -mandoc -Tascii -P-cbou -rLL=200n "$1" 2>"$T/groff.err"
}

for page in "$man"/*.[1-8]; do
	groff -mandoc -Tascii -ww -z "$page" 2>"$T/warn" || fail "groff fails on $(basename "$page")"
	[ ! -s "$T/warn" ] || { cat "$T/warn" >&2; fail "groff warns about $(basename "$page")"; }
	render "$page" > "$T/page"
	# A short option is one letter: a longer word after a single dash is roff gone wrong, such
	# as ".Fl \-svg is" rendering "--svg -is".  Compiler flags quoted in the text are not frec's,
	# nor are go tool pprof's (-diff_base is matched as "-diff": the '_' ends the word).
	grep -noE '(^|[ ([])-[a-zA-Z][a-zA-Z]+' "$T/page" |
		grep -vE -- '-(fno-omit-frame-pointer|fsanitize|Wl|Xperf)|-(diff|tags|disasm|weblist|top)$' > "$T/bad" || true
	[ ! -s "$T/bad" ] || { cat "$T/bad" >&2; fail "$(basename "$page") renders words as options"; }
done

# options OUT: every option --help lists (at the start of a line: "  -p, --pid PID", "      --top N").
help_options() {
	grep -E '^ {2,6}-' "$1" | sed -E 's/^ +//; s/   .*//' | grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' |
		sed -E 's/^[ ,]//' | sort -u
}
# man_options PAGE: every option the page lists as an item (.It Fl x , Fl \-long ...).
man_options() {
	grep -E '^\.It Fl ' "$1" | grep -oE 'Fl (\\-)?[a-zA-Z][a-zA-Z-]*' | sed -E 's/^Fl //; s/^\\-/--/; s/^([a-zA-Z])/-\1/' |
		sort -u
}

for c in record report diff dump annotate; do
	page=$man/frec-$c.1
	expect 0 "$FREC" "$c" --help
	cp "$T/out" "$T/help"
	help_options "$T/help" > "$T/help.opts"
	man_options "$page" > "$T/man.opts"
	[ "$(wc -l < "$T/help.opts")" -ge 3 ] || fail "frec $c --help lists no options"
	diff -u "$T/help.opts" "$T/man.opts" >&2 || fail "frec $c --help and frec-$c.1 list different options"

	# SYNOPSIS, rendered and joined, is "frec " and the usage line; mdoc spaces "..." apart.
	usage=$(sed -n '1s/^usage: //p' "$T/help")
	synopsis=$(render "$page" | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \t\n' '   ' |
		sed -E 's/^ +//; s/ +$//; s/ \.\.\./.../g')
	[ "$synopsis" = "$usage" ] || fail "frec-$c.1's SYNOPSIS is not frec $c --help's usage:
  man:  $synopsis
  help: $usage"
done

# frec(1) lists every command of frec --help.
expect 0 "$FREC" --help
for c in $(sed -n 's/^  \([a-z]*\) .*/\1/p' "$T/out"); do
	grep -q "^\\.It Cm $c\$" "$man/frec.1" || fail "frec.1 does not list $c"
	grep -q "Xr frec-$c 1" "$man/frec.1" || fail "frec.1 does not refer to frec-$c(1)"
done

# frec-trace(5) describes the version frec writes.
major=$(sed -n 's/^#define TRACE_VERSION_MAJOR \([0-9]*\).*/\1/p' "$src/include/frec/trace.h")
minor=$(sed -n 's/^#define TRACE_VERSION_MINOR \([0-9]*\).*/\1/p' "$src/include/frec/trace.h")
grep -qE "^u16 +version_major; +$major\$" "$man/frec-trace.5" || fail "frec-trace.5: version_major is not $major"
grep -qE "^u16 +version_minor; +$minor\$" "$man/frec-trace.5" || fail "frec-trace.5: version_minor is not $minor"
grep -q "describes version $major\\.$minor of the format" "$man/frec-trace.5" ||
	fail "frec-trace.5 does not say it describes version $major.$minor"
exit 0
