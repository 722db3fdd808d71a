#!/bin/sh
# perf script text in: a `perf record -g` recording made here, its `perf script` output imported
# by frec report -i, has the top functions of `perf report` with shares within 1 point; frec diff
# takes any mix of perf script text, folded stacks and traces; text that is no profile is refused.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

# Refused, not misread: text without samples, and perf script headers whose frames are garbage.
printf '2016-01-01 12:00:00 INFO server started\n' > "$T/log"
expect 1 "$FREC" report -i "$T/log"
grep_err 'not a frec trace, perf script output or folded stacks'
one_line_err
expect 0 "$FREC" report -i "$FREC_TEST_DATA/perf_script/callchain.txt" --folded
grep_out '^main;handle_request;parse_header_\[i\] 1$'
grep_out '^main;handle_request;__GI___libc_write;entry_SYSCALL_64_after_hwframe_\[k\];copy_user_generic_\[k\] 1$'
expect 0 "$FREC" report -i "$FREC_TEST_DATA/perf_script/flat.txt"
grep_err 'kept the 3 samples of the first event \(cycles\), skipped 1 of others \(first: instructions\)'
# the fixture through a pipe is recognised as well
cat "$FREC_TEST_DATA/perf_script/callchain.txt" | "$FREC" report --folded > "$T/piped" 2>"$T/err" || fail "$(cat "$T/err")"
grep -q 'parse_header_\[i\]' "$T/piped" || fail "stdin: $(cat "$T/piped")"

command -v perf >/dev/null || skip "perf is not installed (Debian: linux-perf)"
require_perf
demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
perf record -q -g -F 999 -o "$T/perf.data" -- "$demo" -d 2 -c 1 -t 1 >/dev/null 2>"$T/perf.err" ||
	fail "perf record: $(cat "$T/perf.err")"
perf script -i "$T/perf.data" > "$T/perf.txt" 2>/dev/null || fail "perf script failed"
perf report -i "$T/perf.data" --no-children --stdio --sort sym -g none 2>/dev/null > "$T/perf.report" ||
	fail "perf report failed"
expect 0 "$FREC" report -i "$T/perf.txt" --top 10
[ ! -s "$T/err" ] || fail "report wrote to stderr: $(cat "$T/err")"
cp "$T/out" "$T/text"
grep -q '^event:    cpu-clock$' "$T/text" || fail "$(head "$T/text")"

# perf report: "   32.84%  [.] child_crunch"; frec: "   32.84%   265   33.33%  child_crunch  (frec-demo)"
awk '/^top functions by self/ { on = 1; next } on && /^$/ { exit } on && $1 ~ /%$/ && $2 ~ /^[0-9,]+$/ { print $4, $1 }' \
	"$T/text" > "$T/frec.self"
awk '!/^#/ && $2 ~ /^\[.\]$/ { print $3, $1 }' "$T/perf.report" | head -n 5 > "$T/perf.self"
[ "$(wc -l < "$T/perf.self")" = 5 ] || fail "perf report: $(cat "$T/perf.report")"
while read -r fn share; do
	got=$(awk -v fn="$fn" '$1 == fn { print $2; exit }' "$T/frec.self")
	[ -n "$got" ] || fail "frec's report lacks $fn (perf: $share): $(cat "$T/text")"
	awk -v a="${share%\%}" -v b="${got%\%}" 'BEGIN { d = a - b; exit !(d <= 1 && d >= -1) }' ||
		fail "$fn: perf report $share, frec $got"
done < "$T/perf.self"

# Any mix in frec diff: perf script text against folded stacks and against a trace.
expect 0 "$FREC" report -i "$T/perf.txt" --folded -o "$T/perf.folded"
expect 0 "$FREC" diff "$T/perf.txt" "$T/perf.folded"
expect 0 "$FREC" record -F 499 -o "$T/t.zst" -- "$demo" -d 1 -c 1 -t 1
expect 0 "$FREC" diff "$T/t.zst" "$T/perf.txt" --normalize share
grep_out 'perf\.txt'
exit 0
