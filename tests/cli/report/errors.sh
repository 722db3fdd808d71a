#!/bin/sh
# frec report on bad input and options: one line naming the object, a hint, the right status.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

expect 1 "$FREC" report -i "$T/missing.zst"
grep_err "$T/missing.zst"
grep_err '^hint: '
one_line_err

printf '\001\002\003 binary garbage without lines' > "$T/junk"
expect 1 "$FREC" report -i "$T/junk"
grep_err "$T/junk: not a frec trace, perf script output or folded stacks"
grep_err '^hint: '
one_line_err

# Empty and comment-only input holds no samples; it was not cut off.
: > "$T/empty"
expect 1 "$FREC" report -i "$T/empty"
grep_err "$T/empty holds no samples: it is empty"
grep_err '^hint: '
one_line_err
printf '# a comment\n\n# another\n' > "$T/comments"
expect 1 "$FREC" report -i "$T/comments"
grep_err "$T/comments holds no samples: it has only blank and comment lines"
one_line_err

printf 'a;b 1\n' > "$T/ok.txt"
expect 1 "$FREC" report -i "$T/ok.txt" --folded -o "$T/no/such/dir/out"
grep_err "cannot create $T/no/such/dir/out"
grep_err '^hint: '

expect 2 "$FREC" report --per-process --per-thread -i "$T/ok.txt"
grep_err 'exclude each other'
expect 2 "$FREC" report --time abc -i "$T/ok.txt"
grep_err -- '--time'
# found by make fuzz: seconds whose nanoseconds overflow 64 bits, and NaN
expect 2 "$FREC" report --time 1e26, -i "$T/ok.txt"
grep_err -- "--time: '1e26,'"
expect 2 "$FREC" report --time nan,5 -i "$T/ok.txt"
expect 2 "$FREC" report --minwidth nan -i "$T/ok.txt"
grep_err -- '--minwidth'
expect 2 "$FREC" report --pid 12x -i "$T/ok.txt"
grep_err -- '--pid'
expect 2 "$FREC" report extra -i "$T/ok.txt"
grep_err "unexpected argument 'extra'"

# A trace cut short still reports what it holds, with a warning.
src="$FREC_TEST_DATA/corpus/trace/synthetic-dwarf.zst" # several frames
size=$(wc -c < "$src")
head -c $(( size * 2 / 3 )) "$src" > "$T/cut.zst"
expect 0 "$FREC" report -i "$T/cut.zst" --folded
grep_err 'cut short'
exit 0
