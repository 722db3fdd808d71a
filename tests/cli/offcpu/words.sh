#!/bin/sh
# SPDX-License-Identifier: MIT
# Off-CPU and wall-clock profiles are not called CPU time in any output: the text, markdown and
# JSON diffs and findings, the text report's tables, the diff graph's subtitle and the pprof export
# name the time they weigh (off-CPU, wall-clock); the JSON key is "seconds" with the kind in
# "time".  A CPU profile of the same traces still says CPU time, so the checks can tell.
. "$FREC_TEST_SRCDIR/cli/offcpu/common.sh"

# "CPU time" not preceded by "off-" (nor "per second" of wall-clock or off-CPU time)
no_cpu_time() { ! grep -Eq '(^|[^-])CPU time|of CPU|cpu_seconds' "$1" || { grep -E '(^|[^-])CPU time|of CPU|cpu_seconds' "$1" >&2; fail "$2 calls it CPU time"; }; }

record_mode sleep
cp "$T/t.zst" "$T/a.zst"
record_mode sleep
cp "$T/t.zst" "$T/b.zst"
record_mode mutex
mv "$T/t.zst" "$T/m.zst"

for mode in off-cpu wall; do
	case $mode in
	off-cpu) time='off-CPU time' ;;
	wall) time='wall-clock time' ;;
	esac
	expect 0 "$FREC" diff --$mode "$T/a.zst" "$T/b.zst"
	grep_out "^compared as $time \("
	grep_out "^regressions by self $time \(in the function itself\)"
	grep_out '^before \(baseline\): .*, [0-9,]+ ns, '
	no_cpu_time "$T/out" "the $mode text diff"
	expect 0 "$FREC" diff --$mode --normalize rate "$T/a.zst" "$T/b.zst"
	grep_out "^compared as $time per second of recording"
	grep_out "^improvements by total $time per second"
	no_cpu_time "$T/out" "the $mode text diff per second"

	expect 0 "$FREC" diff --$mode --analyze "$T/a.zst" "$T/b.zst"
	grep_out "^compared as $time \("
	grep_out '^after: +.*, [0-9,]+ ns, '
	no_cpu_time "$T/out" "the $mode diff findings"
	# the mutex workload's contender threads are new beside the sleep workload's: their shares are
	# of that time too (which of their functions clear the noise floor depends on the machine's load)
	expect 0 "$FREC" diff --$mode --analyze --top 100 "$T/a.zst" "$T/m.zst"
	tr '\n' ' ' < "$T/out" | grep -Eq "new-function: [a-z_]+ is new: [0-9.]+ [mu]?s +of +$time +\([0-9.]+% +of +the +$time\)" ||
		{ cat "$T/out" >&2; fail "the $mode diff findings give no new function in $time"; }
	no_cpu_time "$T/out" "the $mode diff findings of two workloads"
	expect 0 "$FREC" diff --$mode --format markdown "$T/a.zst" "$T/b.zst"
	grep_out "^- compared as $time \("
	no_cpu_time "$T/out" "the $mode markdown diff findings"
	expect 0 "$FREC" diff --$mode --format json "$T/a.zst" "$T/b.zst"
	python3 - "$T/out" "$mode" <<'PY' || fail "$mode JSON diff findings: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == 1 and d["time"] == sys.argv[2] and d["unit"] == "seconds", d
for side in ("before", "after"):
    s = d[side]
    # samples are the switches and CPU samples, the weight their nanoseconds
    assert s["unit"] == "ns" and 0 < s["samples"] < s["weight"] // 1000, s
PY
	expect 0 "$FREC" diff --$mode "$T/a.zst" "$T/b.zst" --svg "$T/d.svg"
	grep -Eq "compared as $time \(" "$T/d.svg" || fail "the $mode diff graph does not say $time"
	no_cpu_time "$T/d.svg" "the $mode diff graph"

	expect 0 "$FREC" report --$mode --format json -i "$T/a.zst"
	python3 - "$T/out" "$mode" <<'PY' || fail "$mode JSON findings: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
p = d["profile"]
assert d["version"] == 2 and p["time"] == sys.argv[2] and p["unit"] == "ns", p
assert "cpu_seconds" not in p and abs(p["seconds"] - p["weight"] / 1e9) < 1e-5, p
for f in d["findings"]:
    assert "cpu_seconds" not in f and f["seconds"] is not None and abs(f["seconds"] - f["weight"] / 1e9) < 1e-5, f
PY
	expect 0 "$FREC" report --$mode --analyze -i "$T/a.zst"
	no_cpu_time "$T/out" "the $mode findings"
	expect 0 "$FREC" report --$mode --format markdown -i "$T/a.zst"
	no_cpu_time "$T/out" "the $mode markdown findings"
	expect 0 "$FREC" report --$mode --per-thread -i "$T/a.zst"
	grep_out "^thread .*: [0-9.]+% of the $time \([0-9,]+\)$"
	expect 0 "$FREC" report --$mode -i "$T/a.zst" --svg "$T/f.svg"
	no_cpu_time "$T/f.svg" "the $mode flame graph"
done

# the callers view's shares are of time
expect 0 "$FREC" report --off-cpu -i "$T/a.zst" --callers nap_long
grep_out "func%: share of the function's time$"

# the threads table heads its column with the unit
expect 0 "$FREC" report --off-cpu -i "$T/a.zst"
grep_out '^   share% +ns  thread  \(process\)$'

# The CPU profile of the same traces: CPU time, and the same checks find it.
expect 0 "$FREC" diff "$T/a.zst" "$T/b.zst"
grep_out '^compared as CPU time \('
! (no_cpu_time "$T/out" "a CPU diff") 2>/dev/null || fail "no_cpu_time cannot tell a CPU diff"
expect 0 "$FREC" report --format json -i "$T/a.zst"
python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["profile"]; assert p["time"] == "cpu", p' "$T/out" ||
	fail "the CPU profile's JSON time is not cpu"

# pprof names the time its values are: off-cpu or wall nanoseconds, one value (no samples count
# that would hold nanoseconds)
if command -v go >/dev/null; then
	export GOCACHE="$T/gocache" HOME="$T"
	for mode in off-cpu wall; do
		expect 0 "$FREC" report --$mode -i "$T/a.zst" --pprof "$T/p.pb.gz"
		expect 0 go tool pprof -raw "$T/p.pb.gz"
		grep_out "^PeriodType: $mode nanoseconds$"
		grep_out "^$mode/nanoseconds\[dflt\]$"
		! grep -q '^samples/count' "$T/out" || fail "the $mode pprof export counts nanoseconds as samples"
	done
else
	echo "go is not installed (Debian: golang-go): the pprof sample types are not checked" >&2
fi
exit 0
