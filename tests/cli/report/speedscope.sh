#!/bin/sh
# frec report --speedscope checked against speedscope's file format (a JSON schema written from
# its documentation, tests/data/speedscope/) with python3's jsonschema: a profile per thread of a
# recording, weights in nanoseconds that add up to the CPU time; folded stacks weigh samples.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
py=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import jsonschema' 2>/dev/null; then
		py=$p
		break
	fi
done
[ -n "$py" ] || skip "no python3 with jsonschema (Debian: python3-jsonschema)"
check() { "$py" "$FREC_TEST_DATA/speedscope/check.py" "$FREC_TEST_DATA/speedscope/file-format.schema.json" "$@"; }

# Folded stacks: one profile, weights in samples, inlined and kernel frames kept apart.
printf 'main;work;inl_[i] 3\nmain;work 2\nmain;syscall_[k] 1\n' > "$T/in.folded"
expect 0 "$FREC" report -i "$T/in.folded" --speedscope "$T/f.json"
check "$T/f.json" > "$T/check" || fail "not a speedscope file: $(cat "$T/check")"
grep -q '^profiles: 1$' "$T/check" || fail "$(cat "$T/check")"
grep -q '	none	3	6$' "$T/check" || fail "expected 3 stacks weighing 6 samples: $(cat "$T/check")"
grep -q '"name": "inl \[inlined\]"' "$T/f.json" || fail "the inlined frame is not marked"
# a file that is not the format fails the check: the check can fail
sed 's/"sampled"/"sample"/' "$T/f.json" > "$T/bad.json"
! check "$T/bad.json" >/dev/null 2>&1 || fail "the schema accepts a profile of type \"sample\""
# A diff: the baseline's profile first, named so, the new one shown first.
printf 'main;work 1\n' > "$T/after.folded"
expect 0 "$FREC" diff "$T/in.folded" "$T/after.folded" --speedscope "$T/d.json"
check "$T/d.json" > "$T/check" || fail "not a speedscope file: $(cat "$T/check")"
grep -q "^baseline: $T/in.folded	none	3	6$" "$T/check" || fail "$(cat "$T/check")"
grep -q "^new: $T/after.folded	none	1	1$" "$T/check" || fail "$(cat "$T/check")"
grep -q '"activeProfileIndex": 1' "$T/d.json" || fail "the new profile is not the one shown"

require_perf
demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
expect 0 "$FREC" record -F 499 -o "$T/t.zst" -- "$demo" -d 1 -c 1 -t 1
expect 0 "$FREC" report -i "$T/t.zst" --speedscope "$T/t.json"
check "$T/t.json" > "$T/check" || fail "not a speedscope file: $(cat "$T/check")"
# main thread, worker thread, child process: three threads, each its own profile
grep -q '^profiles: 3$' "$T/check" || fail "expected a profile per thread: $(cat "$T/check")"
[ "$(grep -c '^frec-demo \[[0-9]*\]	nanoseconds	' "$T/check")" = 3 ] || fail "$(cat "$T/check")"
# frames carry file and line (the formats imply --lines)
grep -q '"name": "child_crunch", "file": "[^"]*demo.c", "line": [1-9]' "$T/t.json" || fail "child_crunch has no file:line"
# the weights add up to the CPU time frec's report shows (samples x mean period)
ns=$(awk -F '\t' 'NR > 1 { s += $4 } END { printf "%.0f", s }' "$T/check")
expect 0 "$FREC" report -i "$T/t.zst" --per-thread --folded
samples=$(awk '{ s += $NF } END { print s }' "$T/out")
awk -v ns="$ns" -v n="$samples" 'BEGIN { p = ns / n; exit !(p > 1.5e6 && p < 2.5e6) }' ||
	fail "$ns ns for $samples samples at 499 Hz"
exit 0
