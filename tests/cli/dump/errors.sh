#!/bin/sh
# frec dump on missing, foreign and damaged input: one line naming the file, a hint, status 1; a
# trace with an undecodable stack delta: read, and the damage said once.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

expect 1 "$FREC" dump -i "$T/missing.zst"
grep_err "^frec dump: cannot read trace $T/missing.zst: No such file or directory"
grep_err '^hint: '
one_line_err

printf 'main;foo 1\n' > "$T/folded.txt"
expect 1 "$FREC" dump -i "$T/folded.txt"
grep_err 'not a frec trace'
one_line_err

: > "$T/empty.zst"
expect 1 "$FREC" dump -i "$T/empty.zst"
grep_err 'the input is empty'
grep_err '^hint: an empty file holds no samples'
one_line_err

# A device or pipe is not mapped: refused from its first bytes, whatever follows.
expect 1 timeout 60 "$FREC" dump -i /dev/zero
grep_err '/dev/zero: not a frec trace'
one_line_err

expect 1 "$FREC" dump -i /
grep_err 'Is a directory'

# A corpus trace cut in half still dumps what it holds, with a warning.
src="$FREC_TEST_DATA/corpus/trace/synthetic-dwarf.zst" # several frames
size=$(wc -c < "$src")
head -c $(( size * 2 / 3 )) "$src" > "$T/cut.zst"
expect 0 "$FREC" dump -i "$T/cut.zst"
grep_out 'HEADER version'
grep_err 'cut short'

# A stack delta whose base lies in the frame before (a writer never makes one: the trace was built
# with trace_stack__encode() across a trace_writer__flush()): that sample is dumped and reported
# without its copy, once, and the rest is read.
expect 0 "$FREC" dump -i "$FREC_TEST_DATA/corpus/trace/delta-across-frames.zst"
grep_out 'SAMPLE .* stack 1024/1024$'
grep_out 'SAMPLE .* stack 0/1024 delta 24 undecodable$'
grep_err 'damaged from offset [0-9]+: 1 sample without its stack copy \(undecodable delta\), the rest was read'
expect 0 "$FREC" report -i "$FREC_TEST_DATA/corpus/trace/delta-across-frames.zst" --folded
grep_err 'undecodable delta'
