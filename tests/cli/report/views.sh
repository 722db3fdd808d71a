#!/bin/sh
# frec report's text views: the options' errors, --callers' answer when nothing matches, the
# process and thread tables of a stored trace, and what --per-process does on folded stacks.  The
# views' exact outputs are golden files (tests/data/report/cases, tests/cli/flame/golden.sh).
. "$FREC_TEST_SRCDIR/cli/lib.sh"

V=$FREC_TEST_DATA/report/views.folded

# Each text view is an output of its own: with another one, an error, not "the last one wins".
for pair in "--tree --svg" "--svg x.svg --tree" "--tree --folded" "--analyze --tree" \
	"--callers parse --folded" "--tree --callers parse" "--callers parse --analyze"; do
	# shellcheck disable=SC2086
	expect 2 "$FREC" report -i "$V" $pair
	grep_err '^frec report: --[a-z]+( [a-z.]+)? and --[a-z]+( [a-z.]+)? exclude each other$'
	one_line_err
	[ ! -s "$T/out" ] || fail "$pair wrote output"
done
expect 2 "$FREC" report -i "$V" --tree --callers parse
grep_err '^frec report: --tree and --callers parse exclude each other$'
expect 2 "$FREC" report -i "$V" --callers parse --callers lex
grep_err "^frec report: --callers given twice: --callers parse, then --callers lex$"
expect 2 "$FREC" report -i "$V" --callers ''
grep_err 'the function.s name is empty'
# options of the findings and of the text report are no options of the views
expect 2 "$FREC" report -i "$V" --tree --format json
grep_err '^frec report: --format is for findings: use it without --tree$'
expect 2 "$FREC" report -i "$V" --context 'slow login' --callers parse
grep_err '^frec report: --context is for findings: use it without --callers$'
expect 2 "$FREC" report -i "$V" --tree --rules "$V"
grep_err '^frec report: --rules is for findings \(--analyze or --svg\), not for --tree$'
expect 2 "$FREC" report -i "$V" --sort module --tree
grep_err '^frec report: --sort is for the text report, not for --tree$'
grep_err '^hint: '
expect 2 "$FREC" report -i "$V" --folded --sort module
grep_err '^frec report: --sort is for the text report, not for --folded$'
expect 2 "$FREC" report -i "$V" --sort size
grep_err "^frec report: --sort: unknown key 'size'$"
grep_err '^hint: the keys are function and module'
for bad in 101 -1 abc '' nan 5%% 1e999; do
	expect 2 "$FREC" report -i "$V" --tree --percent-limit "$bad"
	grep_err "^frec report: --percent-limit: '.*' is not a percentage from 0 to 100"
done
expect 2 "$FREC" report -i "$V" --percent-limit 1
grep_err '^frec report: --percent-limit is for --tree and --callers, not for the text report$'
expect 2 "$FREC" report -i "$V" --svg - --percent-limit 1
grep_err 'not for --svg$'
# perf's names of the keys work, and the default is the function tables
expect 0 "$FREC" report -i "$V" --sort dso
grep_out '^modules by self:$'
expect 0 "$FREC" report -i "$V" --sort sym
grep_out '^top functions by self:$'
# and each view works with every frame option, and from standard input
expect 0 sh -c 'cat "$2" | "$1" report --tree --per-thread --no-kernel --collapse-recursion' sh "$FREC" "$V"
grep_out '^call tree of 160 samples'

# A function that is not there: an error naming it, the closest names, nothing on stdout.
expect 1 "$FREC" report -i "$V" --callers chekcsum
grep_err "^frec report: --callers: no function named 'chekcsum' in .*views.folded$"
grep_err '^hint: close matches: checksum \(FUNC is matched exactly'
one_line_err
[ ! -s "$T/out" ] || fail "--callers wrote output for a missing function"
expect 1 "$FREC" report -i "$V" --callers PARSE
grep_err '^hint: close matches: parse'
expect 1 "$FREC" report -i "$V" --callers zzzzzzzzzzzz
grep_err "^hint: FUNC is a function's exact name"
one_line_err
# to a file: nothing is left behind
expect 1 "$FREC" report -i "$V" --callers nothere -o "$T/callers.txt"
[ ! -e "$T/callers.txt" ] || fail "a failed --callers left its output"
# a name from the terminal is quoted safely
expect 1 "$FREC" report -i "$V" --callers "$(printf 'x\033[2J')"
grep -q "$(printf '\033')" "$T/err" && fail "an escape sequence reached the terminal"

# Filters that leave none of a trace's samples: the views are empty, and say why.
D="$FREC_TEST_DATA/corpus/trace/demo-fp.zst"
expect 0 "$FREC" report -i "$D" --pid 1 --tree
grep_err '^frec report: warning: none of the 270 samples of .*demo-fp.zst matches the filters$'
[ "$(wc -l < "$T/out")" = 2 ] || fail "an empty tree of $(wc -l < "$T/out") lines: $(cat "$T/out")"
grep_out '^call tree of 0 samples'
expect 0 "$FREC" report -i "$D" --pid 1
grep_out '^stack health: unknown \(no samples after the filters\)$'
expect 1 "$FREC" report -i "$D" --pid 1 --callers main
grep_err "^frec report: --callers: no samples of .*demo-fp.zst are left to find 'main' in$"
grep_err '^hint: keep more of them: check --pid'
[ ! -s "$T/out" ] || fail "--callers wrote output with no samples"
printf 'main;f 0\n' > "$T/zero.folded"
expect 1 "$FREC" report -i "$T/zero.folded" --callers f
grep_err "^frec report: --callers: no samples of .*zero.folded are left to find 'f' in$"
grep_err '^hint: --callers looks for FUNC in the samples'
expect 0 "$FREC" report -i "$T/zero.folded"
grep_out '^stack health: unknown \(no trace: the profile was imported\)$'

# Folded stacks hold no processes or threads: --per-process says so instead of being ignored.
expect 0 "$FREC" report -i "$V" --per-process --tree
grep_err '^frec report: warning: --per-process does nothing on .*views.folded: folded stacks hold no processes, threads or times$'
expect 0 "$FREC" report -i "$V" --pid 12 --folded
grep_err 'warning: --pid does nothing on'
# nor are there frames to symbolize: --no-kernel keeps the _[k] frames of folded stacks, and says so
for opt in --no-kernel --no-inline --lines --mangled "--debug-dir /nonexistent"; do
	# shellcheck disable=SC2086
	expect 0 "$FREC" report -i "$V" --tree $opt
	grep_err "^frec report: warning: ${opt%% *} does nothing on .*views.folded: folded stacks are symbolized already\$"
done
expect 0 "$FREC" report -i "$V" --tree
[ ! -s "$T/err" ] || fail "a warning without options: $(cat "$T/err")"

# Stacks as deep as folded input goes (65,536 frames): a recursion tower, a chain of distinct
# calls and mutual recursion, in every view, each line in its column (the chain reads down).
awk 'BEGIN {
	n = 65536
	for (i = 1; i <= n; i++) printf "%s", (i > 1 ? ";" : "") "f"; print " 3"
	for (i = 0; i < n; i++) printf "%s", (i ? ";" : "") "g" i; print " 2"
	for (i = 0; i < n; i++) printf "%s", (i ? ";" : "") (i % 2 ? "b" : "a"); print " 1"
}' > "$T/deep.folded"
expect 0 "$FREC" report -i "$T/deep.folded" --tree --percent-limit 0
grep_out '^ 50\.00%   50\.00%  \|- f  \[recursion: 65536 levels\]$'
[ "$(grep -c '^ 33\.33%    0\.00%  |  g[0-9]*$' "$T/out")" = 65534 ] || fail "the chain of g drifts: $(sed -n 5,6p "$T/out")"
[ "$(wc -l < "$T/out")" = $((2 + 1 + 2 * 65536)) ] || fail "$(wc -l < "$T/out") lines in the deep tree"
expect 0 "$FREC" report -i "$T/deep.folded" --callers g65535
[ "$(wc -l < "$T/out")" = $((2 + 65536)) ] || fail "$(wc -l < "$T/out") lines in the deep callers"
tail -n 1 "$T/out" | grep -qx ' 33\.33%  100\.00%  g0' || fail "the callers do not end at g0: $(tail -n 1 "$T/out")"
expect 0 "$FREC" report -i "$T/deep.folded" --callers b --percent-limit 0
[ "$(wc -l < "$T/out")" = $((2 + 65536)) ] || fail "$(wc -l < "$T/out") lines in the callers of b"
expect 0 "$FREC" report -i "$T/deep.folded" --folded --collapse-recursion
grep -qx 'f 3' "$T/out" || fail "the tower of f is not one frame: $(cut -c1-40 "$T/out")"

# The process and thread tables of a stored trace of frec-demo (a worker thread, a forked child):
# they come from the trace's records alone, whatever the symbols on this machine.
expect 0 "$FREC" report -i "$FREC_TEST_DATA/corpus/trace/demo-fp.zst"
sed -n '/^processes:$/,/^$/p; /^threads:$/,/^$/p' "$T/out" > "$T/tables"
cat > "$T/want" <<'W'
processes:
   share%    samples  process
   63.70%        172  frec-demo [22091]
   36.30%         98  frec-demo [22092]

threads:
   share%    samples  thread  (process)
   36.30%         98  frec-demo [22092]  (frec-demo [22092])
   34.44%         93  frec-demo [22093]  (frec-demo [22091])
   29.26%         79  frec-demo [22091]  (frec-demo [22091])

W
cmp -s "$T/tables" "$T/want" || { diff -u "$T/want" "$T/tables" >&2 || :; fail "process and thread tables differ"; }
# with --per-thread, the tables of each thread; the figures are the tables'
expect 0 "$FREC" report -i "$FREC_TEST_DATA/corpus/trace/demo-fp.zst" --per-thread
grep_out '^thread frec-demo \[22092\]: 36\.30% of the samples \(98\)$'
grep_out '^thread frec-demo \[22093\]: 34\.44% of the samples \(93\)$'
grep_out '^thread frec-demo \[22091\]: 29\.26% of the samples \(79\)$'
expect 0 "$FREC" report -i "$FREC_TEST_DATA/corpus/trace/demo-fp.zst" --per-process --tree --percent-limit 1
grep_out '^ 63\.70%    0\.00%  \|- frec-demo \[22091\]$'
grep_out '^ 36\.30%    0\.00%  `- frec-demo \[22092\]$'
exit 0
