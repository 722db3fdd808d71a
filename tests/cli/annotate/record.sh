#!/bin/sh
# frec annotate on a recording of the demo: parse_request's samples fall on its inner loop (by the
# loop's addresses, from its backward jump, and by the loop's source lines), the instructions'
# counts add up to the function's self samples in frec report, a function of the demo's shared
# library annotates alike, and the options do what they say.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
src="$FREC_TEST_SRCDIR/workloads/demo.c"
expect 0 "$FREC" record -F 999 -o "$T/t.zst" -- "$demo" -d 3 -c 1 -t 1
# leaves without inline frames: the self samples of each function, inlined code included
expect 0 "$FREC" report -i "$T/t.zst" --folded --no-inline -o "$T/f"

# self FUNCTION: the samples whose leaf frame is FUNCTION
self() { awk -v f="$1" '{ s = $0; sub(/ [0-9]+$/, "", s); n = split(s, a, ";"); if (a[n] == f) t += $NF } END { print t + 0 }' "$T/f"; }
# insns: "ADDRESS SAMPLES MARK INSTRUCTION" of each instruction line of $T/out, by its columns
# (mark, samples, percent, address, instruction); source lines and hidden runs leave the
# address's column blank.
insns() {
	awk 'substr($0, 21, 9) ~ /^ *[0-9a-f]+  $/ {
		a = substr($0, 21, 7); c = substr($0, 2, 8); gsub(/ /, "", a)
		print a, c + 0, (substr($0, 1, 1) == ">" ? "hot" : "-"), substr($0, 30)
	}' "$T/out"
}
# HEX: hexadecimal to a number, in awk (mawk has no strtonum)
HEX='function hex(s,  i, n) { s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return n }'
insn_sum() { insns | awk '{ t += $2 } END { print t + 0 }'; }
# header_samples: the "N of M samples" of the header
header_samples() { sed -n '2s/^\([0-9]*\) of [0-9]* samples.*/\1/p' "$T/out"; }

expect 0 "$FREC" annotate -i "$T/t.zst" parse_request
[ ! -s "$T/err" ] || fail "annotate wrote to stderr: $(cat "$T/err")"
cp "$T/out" "$T/parse"
name=$(sed -n '1s/  (.*//p' "$T/out")
case "$name" in parse_request | parse_request.*) ;; *) fail "header names '$name'" ;; esac
sed -n 1p "$T/out" | grep -q "  ($demo)\$" || fail "header lacks the module: $(sed -n 1p "$T/out")"
n=$(header_samples)
[ "$n" -ge 30 ] || fail "only $n samples in parse_request"
[ "$(insn_sum)" = "$n" ] || fail "the instructions hold $(insn_sum) samples, the header says $n"
[ "$(self "$name")" = "$n" ] || fail "frec report has $(self "$name") self samples of $name, annotate $n"

# The inner loop by its addresses: the backward jump with the shortest span is its end, its
# target its start.
insns > "$T/insns"
awk "$HEX"'$5 ~ /^0x[0-9a-f]+$/ && $4 ~ /^j/ {
		a = hex($1); b = hex($5)
		if (b < a && (!span || a - b < span)) { span = a - b; lo = b; hi = a }
	}
	END { if (!span) exit 1; printf "%d %d\n", lo, hi }' "$T/insns" > "$T/loop" ||
	fail "no backward jump in parse_request: $(cat "$T/out")"
in_loop=$(awk -v lo="$(cut -d' ' -f1 "$T/loop")" -v hi="$(cut -d' ' -f2 "$T/loop")" '
	'"$HEX"'{ a = hex($1); if (a >= lo && a <= hi) t += $2 } END { print t + 0 }' "$T/insns")
[ $((in_loop * 100)) -ge $((n * 80)) ] || fail "only $in_loop of $n samples in the inner loop's addresses: $(cat "$T/out")"

# The same by source lines: the inner for and its body, the two lines after "parse_request(".
start=$(grep -n 'parse_request(const uint8_t' "$src" | head -n 1 | cut -d: -f1)
inner=$(awk -v s="$start" 'NR > s && /for \(size_t i = 0; i < len; i\+\+\)/ { print NR; exit }' "$src")
[ -n "$inner" ] || fail "no inner loop found in demo.c"
on_lines=$(awk -v l1="$inner" -v l2="$((inner + 1))" '
	substr($0, 1, 27) ~ /^ *$/ && substr($0, 28) ~ /^demo\.c:[0-9]+/ { split(substr($0, 28), p, "[: ]"); line = p[2] + 0; next }
	substr($0, 21, 9) ~ /^ *[0-9a-f]+  $/ { if (line == l1 || line == l2) t += substr($0, 2, 8) + 0 }
	END { print t + 0 }' "$T/out")
[ $((on_lines * 100)) -ge $((n * 80)) ] || fail "only $on_lines of $n samples on demo.c:$inner-$((inner + 1))"
grep -q 'demo\.c:[0-9]*  state = (state ^ buf\[i\])' "$T/out" || fail "no source text of the loop's body"
# the hottest instructions are marked, and are the ones with the most samples
insns | awk '$3 == "hot"' > "$T/hot"
[ "$(wc -l < "$T/hot")" -ge 1 ] && [ "$(wc -l < "$T/hot")" -le 3 ] || fail "not 1 to 3 marked instructions: $(cat "$T/hot")"
max=$(insns | sort -k2,2n | tail -n 1 | cut -d' ' -f2)
awk -v m="$max" '$2 == m { f = 1 } END { exit !f }' "$T/hot" || fail "the instruction with $max samples is not marked"

# A function of the shared library, dlopen'ed late.
expect 0 "$FREC" annotate -i "$T/t.zst" plugin_mix
sed -n 1p "$T/out" | grep -q '^plugin_mix  (.*/libfrecdemo\.so)$' || fail "plugin_mix: $(sed -n 1p "$T/out")"
n=$(header_samples)
[ "$n" -ge 3 ] || fail "only $n samples in plugin_mix"
[ "$(insn_sum)" = "$n" ] && [ "$(self plugin_mix)" = "$n" ] ||
	fail "plugin_mix: instructions $(insn_sum), header $n, frec report $(self plugin_mix)"
grep -q 'plugin\.c:[0-9]' "$T/out" || fail "no source lines of plugin.c"
expect 0 "$FREC" annotate -i "$T/t.zst" --module libfrecdemo plugin_mix
expect 1 "$FREC" annotate -i "$T/t.zst" --module frec-demo plugin_mix
one_line_err
grep_err "no function named 'plugin_mix' in module frec-demo"

# No FUNCTION: the function with the most self samples.
expect 0 "$FREC" annotate -i "$T/t.zst"
top=$(awk '{ s = $0; sub(/ [0-9]+$/, "", s); n = split(s, a, ";"); if (a[n] !~ /_\[k\]$/) w[a[n]] += $NF }
	END { for (f in w) if (w[f] > m) { m = w[f]; t = f }; print t }' "$T/f")
[ "$(sed -n '1s/  (.*//p' "$T/out")" = "$top" ] || fail "annotated $(sed -n 1p "$T/out"), the hottest is $top"

# --no-source: no source lines; --percent-limit: only instructions at or above it, the rest counted.
expect 0 "$FREC" annotate -i "$T/t.zst" parse_request --no-source
grep -q 'demo\.c:' "$T/out" && fail "--no-source printed source lines"
grep -q 'imul\|lea\|cmp' "$T/out" || fail "--no-source printed no instructions"
expect 0 "$FREC" annotate -i "$T/t.zst" --percent-limit 5 parse_request
grep -q '^ *\.\.\. [0-9]* instructions\?, [0-9]* samples\? ' "$T/out" || fail "--percent-limit hid nothing: $(cat "$T/out")"
awk 'substr($0, 21, 9) ~ /^ *[0-9a-f]+  $/ { p = substr($0, 12, 7); sub(/%/, "", p); if (p + 0 < 5) bad = 1 } END { exit bad }' "$T/out" ||
	fail "--percent-limit 5 shows an instruction under 5%: $(cat "$T/out")"
shown=$(insn_sum)
hidden=$(sed -n 's/^ *\.\.\. [0-9]* instructions\?, \([0-9]*\) samples\? .*/\1/p' "$T/out" | awk '{ t += $1 } END { print t + 0 }')
[ $((shown + hidden)) = "$(sed -n '2s/^\([0-9]*\) of.*/\1/p' "$T/parse")" ] || fail "--percent-limit: $shown shown + $hidden hidden"

# A hotspot finding's fix names the annotate command for its function, which runs as printed.
expect 0 "$FREC" report -i "$T/t.zst" --analyze --format json
cmd=$(grep -o '`frec annotate -i [^`]*`' "$T/out" | head -n 1 | tr -d '`')
[ -n "$cmd" ] || fail "no hotspot finding names frec annotate: $(cat "$T/out")"
fn=${cmd##* }
set -- $cmd
shift
expect 0 "$FREC" "$@"
grep -q "^$fn[ .]" "$T/out" || fail "'$cmd' annotated $(sed -n 1p "$T/out")"
exit 0
