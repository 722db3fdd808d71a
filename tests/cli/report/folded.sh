#!/bin/sh
# frec report on folded stacks from other tools: detected by content, every view works, stable output.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

printf 'main;work;leaf 5\nmain;syscall_[k];read_[k] 2\nmain 4\nmain;work;leaf 1\nmain;py_func (x.py:3) 2\n' > "$T/in.txt"
expect 0 "$FREC" report -i "$T/in.txt" --folded
cat > "$T/want" <<'W'
main 4
main;py_func (x.py:3) 2
main;syscall_[k];read_[k] 2
main;work;leaf 6
W
cmp -s "$T/out" "$T/want" || { diff "$T/want" "$T/out" >&2; fail "folded output differs"; }
[ ! -s "$T/err" ] || fail "stderr not empty: $(cat "$T/err")"

# round trip through a file and through stdin
cp "$T/out" "$T/once"
expect 0 "$FREC" report -i "$T/once" --folded -o "$T/twice"
cmp -s "$T/once" "$T/twice" || fail "a second round trip changed the output"
expect 0 sh -c "cat '$T/in.txt' | '$FREC' report -i - --folded"
cmp -s "$T/out" "$T/want" || fail "stdin input differs"

# text report
expect 0 "$FREC" report -i "$T/in.txt" --top 3
grep_out '^samples:  14'
grep_out '^ +42\.86% +6 +42\.86%  leaf$'
grep_out '^ +100\.00% +14 +28\.57%  main$'
grep_out '^stack health: unknown'

# malformed lines are skipped with a warning naming the file and the first bad line
printf 'a;b 3\nthis line has no count\na;c 1\n' > "$T/bad.txt"
expect 0 "$FREC" report -i "$T/bad.txt" --folded
grep_err "bad.txt: skipped 1 of 3 lines .*line 2"
grep_out '^a;b 3$'
# Without -i, a pipe on stdin is read (flamegraph.pl's habit); anything else means trace.zst.
printf 'main;hot 7\nmain;cold 1\n' | "$FREC" report --folded > "$T/piped" || fail "piped folded input refused"
grep -q '^main;hot 7$' "$T/piped" || fail "piped folded input not read: $(cat "$T/piped")"
(cd "$T" && expect 1 "$FREC" report --folded < /dev/null)
grep_err 'cannot read trace trace.zst'
exit 0
