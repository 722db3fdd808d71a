#!/bin/sh
# Folded stacks are read in pieces, from files and pipes alike, so that reading them costs the
# memory of their call tree and not that of their text; a pipe is read ahead only as far as telling
# perf script text from folded stacks takes (its first 200 lines), whatever comes before them.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

# perf script text behind 100 KiB of comments (more than the first read of a pipe): still perf
# script text, read whole, the same as from the file.
src="$FREC_TEST_DATA/perf_script/callchain.txt"
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "# %0100d\n", i }' > "$T/commented.txt"
cat "$src" >> "$T/commented.txt"
expect 0 "$FREC" report -i "$T/commented.txt" --folded
cp "$T/out" "$T/want"
[ -s "$T/want" ] || fail "no stacks read from $T/commented.txt"
expect 0 timeout 60 sh -c "cat '$T/commented.txt' | '$FREC' report -i - --folded"
cmp -s "$T/out" "$T/want" || fail "perf script text behind long comments reads differently from a pipe"

# 400 MB of folded stacks (one stack of 100 frames of 10 bytes, 400,000 times) from a pipe and from
# a file: the right total, in much less memory than the input (reading it whole needs 400 MB).
line=$(awk 'BEGIN { for (i = 0; i < 100; i++) printf "%sframe_%03d", i ? ";" : "", i; print " 1" }')
n=400000
TIME=$(command -v /usr/bin/time || true)
[ -n "$TIME" ] && "$TIME" -f %M true > /dev/null 2>&1 || TIME=
for how in pipe file; do
	if [ "$how" = file ]; then
		yes "$line" | head -n "$n" > "$T/big.folded"
		run="'$FREC' report -i '$T/big.folded' --folded"
	else
		run="yes '$line' | head -n $n | '$FREC' report -i - --folded"
	fi
	if [ -n "$TIME" ]; then
		expect 0 timeout 300 "$TIME" -f %M -o "$T/kb" sh -c "$run"
		kb=$(cat "$T/kb")
		[ "$kb" -lt 150000 ] || fail "$how: 400 MB of folded stacks took $kb KB of memory"
	else
		expect 0 timeout 300 sh -c "$run"
	fi
	grep_out "^frame_000;.*;frame_099 $n\$"
	rm -f "$T/big.folded"
done
[ -n "$TIME" ] || skip "GNU time (/usr/bin/time) is not installed: the memory used was not checked"
exit 0
