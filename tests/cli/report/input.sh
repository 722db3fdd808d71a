#!/bin/sh
# frec report and diff on inputs that are endless, binary, not files, or whose counts overflow:
# a one-line error naming the input and a hint, never unbounded growth.  `timeout` only keeps a
# regression from hanging the suite; every case here ends at once when frec is right.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

src="$FREC_TEST_DATA/corpus/trace/synthetic-dwarf.zst"

# Endless devices: refused from their first bytes (report, --svg, diff).
for dev in /dev/zero /dev/urandom; do
	expect 1 timeout 60 "$FREC" report -i "$dev"
	grep_err "^frec report: $dev: not a frec trace, perf script output or folded stacks$"
	grep_err '^hint: '
	one_line_err
done
expect 1 timeout 60 "$FREC" report -i /dev/zero --svg "$T/zero.svg"
grep_err '/dev/zero: not a frec trace, perf script output or folded stacks'
[ ! -e "$T/zero.svg" ] || fail "an SVG was written for /dev/zero"
printf 'a;b 1\n' > "$T/ok.folded"
expect 1 timeout 60 "$FREC" diff /dev/zero "$T/ok.folded"
grep_err '^frec diff: /dev/zero: not a frec trace, perf script output or folded stacks$'
one_line_err

# A sparse file of 4 GiB is mapped, not read whole, and refused from its first page.
truncate -s 4G "$T/sparse" 2>/dev/null || skip "cannot make a sparse file in $T"
expect 1 timeout 60 "$FREC" report -i "$T/sparse"
grep_err "$T/sparse: not a frec trace, perf script output or folded stacks"

# Pipes and FIFOs: folded stacks and traces both work.
expect 0 sh -c "'$FREC' report -i - --folded < '$src'"
grep_out ';'
cp "$T/out" "$T/want"
expect 0 "$FREC" report -i "$src" --folded
cmp -s "$T/out" "$T/want" || fail "a trace read from a pipe differs from the file"
mkfifo "$T/fifo"
cat "$src" > "$T/fifo" &
expect 0 timeout 60 "$FREC" report -i "$T/fifo" --folded
wait
cmp -s "$T/out" "$T/want" || fail "a trace read from a FIFO differs from the file"
printf 'main;x 3\n' > "$T/fifo" &
expect 0 timeout 60 "$FREC" report -i "$T/fifo" --folded
wait
grep_out '^main;x 3$'

# More than 1 GiB from a pipe is refused (files are mapped and have no limit).
expect 1 timeout 120 sh -c "yes 'main;a_rather_long_frame_name_to_fill_the_pipe_quickly 1' | '$FREC' report -i -"
grep_err '^frec report: standard input: more than 1.0 GiB'
grep_err '^hint: save it to a file'

# Counts that overflow 64 bits: refused with the line, never wrapped.
printf 'a;b 9223372036854775808\n\na;c 9223372036854775808\na;d 9223372036854775808\n' > "$T/big"
expect 1 "$FREC" report -i "$T/big"
grep_err "^frec report: $T/big: line 3: the sample counts add up to more than 64 bits hold$"
grep_err '^hint: '
one_line_err
printf 'a;b 18446744073709551616\n' > "$T/huge"
expect 1 "$FREC" report -i "$T/huge" --folded
grep_err "$T/huge: line 1: "
printf 'a;b 18446744073709551615\n' > "$T/max"
expect 0 "$FREC" report -i "$T/max" --folded
grep_out '^a;b 18446744073709551615$'
exit 0
