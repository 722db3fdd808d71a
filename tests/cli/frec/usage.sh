#!/bin/sh
# frec's dispatch: --help on stdout with status 0, misuse on stderr with status 2, every command
# listed has a man page whose SYNOPSIS names it.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

expect 0 "$FREC" --help
grep_out '^usage: frec'
cp "$T/out" "$T/top"
for c in record report diff dump annotate; do
	grep -q "^  $c " "$T/top" || fail "frec --help does not list $c"
	[ -f "$FREC_TEST_SRCDIR/../man/frec-$c.1" ] || fail "no man page for frec $c"
	expect 0 "$FREC" "$c" --help
	grep_out "^usage: frec $c|^usage: frec \[record\]"
	[ ! -s "$T/err" ] || fail "frec $c --help wrote to stderr"
	# Every long option of --help is documented in the man page (as "Fl \-name").
	man="$FREC_TEST_SRCDIR/../man/frec-$c.1"
	for o in $(grep -oE -- '--[a-z][a-z-]+' "$T/out" | sort -u); do
		grep -qF -- "Fl \\${o#-}" "$man" || fail "frec $c --help lists $o, frec-$c.1 does not"
	done
	expect 2 "$FREC" "$c" --no-such-option
	grep_err '^usage: frec'
done

expect 2 "$FREC"
grep_err '^usage: frec'
expect 2 "$FREC" nosuchcommand
grep_err "unknown command 'nosuchcommand'"
grep_err '^hint: '
expect 0 "$FREC" --version
grep_out '^frec [0-9]'
# No prefix matching: "rep" is not "report".
expect 2 "$FREC" rep
