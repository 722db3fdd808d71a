#!/bin/sh
# Without -i, frec report reads standard input when it is a pipe that carries data, and trace.zst
# otherwise: a pipe closed with nothing in it (`true | frec report`, a CI step whose standard input
# is an empty pipe) is no input.  frec-report(1), -i.  `timeout` only keeps a regression from
# hanging the suite.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

trace="$FREC_TEST_DATA/corpus/trace/synthetic-dwarf.zst"
printf 'main;piped 7\n' > "$T/piped.folded"
mkdir "$T/d"
cd "$T/d"
cp "$trace" trace.zst
expect 0 "$FREC" report -i trace.zst --folded
cp "$T/out" "$T/want"

# An empty pipe: trace.zst, and no word about it (it is there).
expect 0 timeout 60 sh -c "true | '$FREC' report --folded"
cmp -s "$T/out" "$T/want" || fail "an empty pipe did not fall back to trace.zst"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "a fallback to an existing trace.zst said something"; }

# A pipe with data: the data, not trace.zst; also when the writer takes its time.
expect 0 timeout 60 sh -c "cat '$T/piped.folded' | '$FREC' report --folded"
grep_out '^main;piped 7$'
expect 0 timeout 60 sh -c "{ sleep 1; cat '$T/piped.folded'; } | '$FREC' report --folded"
grep_out '^main;piped 7$'

# Not a pipe (a CI runner's /dev/null): trace.zst.
expect 0 timeout 60 sh -c "'$FREC' report --folded < /dev/null"
cmp -s "$T/out" "$T/want" || fail "/dev/null on standard input did not read trace.zst"

# An empty pipe and no trace.zst: the error says what frec read, and why.
rm trace.zst
expect 1 timeout 60 sh -c "true | '$FREC' report"
grep_err '^frec report: standard input is an empty pipe: reading trace.zst$'
grep_err '^frec report: cannot read trace trace.zst: No such file'
grep_err '^hint: '
exit 0
