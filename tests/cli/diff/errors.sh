#!/bin/sh
# frec diff misuse and bad input: usage errors exit 2, unreadable input 1, one line and a hint.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

D=$FREC_TEST_DATA/flame

expect 2 "$FREC" diff
grep_err 'missing BEFORE and AFTER'
grep_err '^usage: frec diff'
expect 2 "$FREC" diff "$D/before.folded"
grep_err 'missing AFTER'
expect 2 "$FREC" diff "$D/before.folded" "$D/after.folded" extra
grep_err "unexpected argument 'extra'"
expect 2 "$FREC" diff "$D/before.folded" "$D/after.folded" --negate
grep_err 'use it with --svg'
expect 2 "$FREC" diff - -
grep_err 'cannot both be standard input'
expect 2 "$FREC" diff "$D/before.folded" "$D/after.folded" --normalize percent
grep_err "^frec diff: --normalize: 'percent' is not time, count, share or rate$"
expect 2 "$FREC" diff "$D/before.folded" "$D/after.folded" --normalize
grep_err '^usage: frec diff'

expect 1 "$FREC" diff "$D/before.folded" "$T/missing.folded"
grep_err "missing.folded"
printf 'not a profile\n' >"$T/junk.txt"
expect 1 "$FREC" diff "$T/junk.txt" "$D/after.folded"
grep_err 'junk.txt'
grep_err '^hint: '
one_line_err

expect 0 "$FREC" diff --help
grep_out '^usage: frec diff'
grep_out -- '--negate'
grep_out -- '--normalize HOW'

# Every hint of frec diff names only options frec diff has (it has no -i: its inputs are
# operands).  Commands of other subcommands quoted in a hint (`frec record -o ...`, frec report
# -i FILE) are theirs.
expect 0 "$FREC" diff --help
grep -E '^ {2,6}-' "$T/out" | grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | sed -E 's/^[ ,]//' | sort -u > "$T/opts"
: > "$T/hints"
: > "$T/empty.folded"
printf 'a;b 1\n' > "$T/one.folded"
for args in "$T/missing.zst $D/after.folded" "$T/junk.txt $D/after.folded" "$T/empty.folded $D/after.folded" \
	"$D/before.folded $T/one.folded --normalize rate" "$D/before.folded $D/after.folded --fail-on-regression 0" \
	"$D/before.folded $D/after.folded --svg --analyze" "$D/before.folded $D/after.folded -o $D/before.folded" \
	"$D/before.folded $D/after.folded --top 1 --top 2"; do
	# shellcheck disable=SC2086 # the cases are lists of arguments
	"$FREC" diff $args > /dev/null 2>> "$T/hints" || true
done
grep '^hint: ' "$T/hints" | sed -E 's/`[^`]*`//g; s/frec (record|report|dump)( [^ ,;:)]+)*//g' |
	grep -oE -- '(^|[ (])--?[a-zA-Z][a-zA-Z-]*' | sed -E 's/^[ (]//' | sort -u > "$T/named"
[ -s "$T/named" ] || { cat "$T/hints" >&2; fail "no hint names an option: the check checks nothing"; }
if comm -23 "$T/named" "$T/opts" | grep -q .; then
	cat "$T/hints" >&2
	fail "frec diff's hints name options it does not have: $(comm -23 "$T/named" "$T/opts" | tr '\n' ' ')"
fi
exit 0
