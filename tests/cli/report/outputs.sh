#!/bin/sh
# What frec report and frec diff write: never one of their own inputs, never a trace, never through
# a symbolic link or into another user's file; an existing output is left alone by a failed command.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

D=$FREC_TEST_DATA/flame
cp "$FREC_TEST_DATA/corpus/trace/synthetic-dwarf.zst" "$T/trace.zst"
cp "$T/trace.zst" "$T/trace.orig"
cp "$D/before.folded" "$T/a.folded"
cp "$D/after.folded" "$T/b.folded"
cp "$T/a.folded" "$T/a.orig"
cp "$T/b.folded" "$T/b.orig"
unchanged() { cmp -s "$1" "$2" || fail "$1 was changed"; }
cd "$T"

# `--svg FILE` takes the name after it: with the default input trace.zst, this named the trace as
# the flame graph and overwrote the recording.
expect 1 "$FREC" report --svg trace.zst
grep_err '^frec report: refusing to write trace.zst: its name ends in .zst'
grep_err '^hint: the input is named with -i, the output with -o or right after --svg'
one_line_err
unchanged trace.zst trace.orig
expect 1 "$FREC" report -i a.folded --folded -o trace.zst
grep_err 'refusing to write trace.zst'
unchanged trace.zst trace.orig
# a trace by its contents, whatever its name
cp trace.zst rec.bin
expect 1 "$FREC" report -i a.folded --svg rec.bin
grep_err '^frec report: refusing to write rec.bin: it is a frec trace'
unchanged rec.bin trace.orig

# The output is the input: by name, by another name of the same file, or as standard input.
expect 1 "$FREC" report -i a.folded --folded -o a.folded
grep_err '^frec report: refusing to write a.folded: it is also an input of this command$'
grep_err '^hint: '
one_line_err
unchanged a.folded a.orig
ln a.folded same.txt
expect 1 "$FREC" report -i same.txt -o a.folded
grep_err 'refusing to write a.folded: it is also an input'
unchanged a.folded a.orig
expect 1 "$FREC" report -i - --folded -o a.folded < a.folded
grep_err 'refusing to write a.folded: it is also an input'
unchanged a.folded a.orig
# one that does not exist yet is known by its name
expect 1 "$FREC" report -i new.svg --svg new.svg
grep_err 'refusing to write new.svg: it is also an input'
[ ! -e new.svg ] || fail "a refused output was created"

# frec diff: -o, --svg FILE, and a third operand after --svg name the output.
expect 1 "$FREC" diff a.folded b.folded -o a.folded
grep_err '^frec diff: refusing to write a.folded: it is also an input of this command$'
grep_err '^hint: the output is named with -o or --svg FILE'
unchanged a.folded a.orig
expect 1 "$FREC" diff a.folded b.folded --svg b.folded
grep_err 'refusing to write b.folded: it is also an input'
unchanged b.folded b.orig
expect 1 "$FREC" diff a.folded b.folded --svg trace.zst
grep_err 'refusing to write trace.zst: its name ends in .zst'
unchanged trace.zst trace.orig
expect 1 "$FREC" diff trace.zst trace.zst -o trace.zst
unchanged trace.zst trace.orig

# Never through a symbolic link (one planted in a shared directory could aim anywhere).
echo keep > victim
ln -s victim link.svg
expect 1 "$FREC" report -i a.folded --svg link.svg
grep_err '^frec report: refusing to write link.svg: it is a symbolic link$'
grep_err '^hint: '
one_line_err
[ "$(cat victim)" = keep ] || fail "report wrote through a symbolic link"
expect 1 "$FREC" diff a.folded b.folded -o link.svg
grep_err 'refusing to write link.svg: it is a symbolic link'
[ "$(cat victim)" = keep ] || fail "diff wrote through a symbolic link"
# nor into a FIFO, which would block
mkfifo fifo
expect 1 timeout -s KILL 30 "$FREC" report -i a.folded --folded -o fifo
grep_err 'refusing to write fifo: it is a FIFO, not a regular file'

# A report is an ordinary file: what the umask allows (only traces are private).
expect 0 sh -c 'umask 022 && exec "$1" report -i a.folded --svg out.svg' sh "$FREC"
[ "$(stat -c %a out.svg)" = 644 ] || fail "a flame graph was created $(stat -c %a out.svg)"
# An existing output is replaced, but not by a command that failed before writing.
expect 1 "$FREC" report -i missing.folded --svg out.svg
[ -s out.svg ] || fail "a failed report emptied its existing output"
expect 1 "$FREC" report -i missing.folded --svg fresh.svg
[ ! -e fresh.svg ] || fail "a failed report left an empty output behind"

# Another user's file, even one all may write, is not written into.
if [ "$(id -u)" = 0 ]; then
	echo theirs > theirs.svg
	chown 65534 theirs.svg
	chmod 666 theirs.svg
	expect 1 "$FREC" report -i a.folded --svg theirs.svg
	grep_err '^frec report: refusing to write theirs.svg: it belongs to uid 65534, not to uid 0$'
	grep_err '^hint: '
	[ "$(cat theirs.svg)" = theirs ] || fail "report wrote into another user's file"
fi
exit 0
