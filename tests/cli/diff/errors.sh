#!/bin/sh
# frec diff misuse and bad input: usage errors exit 2, unreadable input 1, one line and a hint.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

D=$FREC_TEST_DATA/flame

expect 2 "$FREC" diff
grep_err 'missing BEFORE and AFTER'
grep_err '^usage: frec diff'
expect 2 "$FREC" diff "$D/before.folded"
grep_err 'missing AFTER: .*before.folded is not a diff'
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
