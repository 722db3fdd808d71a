# SPDX-License-Identifier: MIT
# Shared by the recording tests of the workloads with a planted bottleneck: sourced, never run.
# check_workload WORKLOAD ID FUNCTION: record WORKLOAD in the default call-graph mode, and check
# that the top finding of `frec report --analyze` has the stable id ID, names FUNCTION (as its
# subject or the function responsible), and explains within 3 points of the share the workload
# measured with its own CPU clocks.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

check_workload() {
	require_perf
	bin="$FREC_TEST_BUILDDIR/workloads/findings/$1"
	[ -x "$bin" ] || skip "$1 was not built: its library is missing (see ./configure's summary)"
	command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
	# 2.5 s of CPU at 1999 Hz: 5,000 samples, so one standard deviation of a 40% share is 0.7 points
	expect 0 "$FREC" record -F 1999 -o "$T/t.zst" -- "$bin" -d 2.5
	measured=$(sed -n 's/^planted [^:]*: \([0-9.]*\)% of the process CPU.*/\1/p' "$T/out")
	[ -n "$measured" ] || { cat "$T/out" "$T/err" >&2; fail "$1 printed no measure"; }
	expect 0 "$FREC" report -i "$T/t.zst" --analyze --format json -o "$T/findings.json"
	"$FREC" report -i "$T/t.zst" --analyze > "$T/findings.txt" 2>&1 || true
	python3 - "$T/findings.json" "$measured" "$2" "$3" <<'PY' || { cat "$T/findings.txt" >&2; fail "$1: see above"; }
import json, re, sys
doc = json.load(open(sys.argv[1]))
measured, want_id, want_fn = float(sys.argv[2]), sys.argv[3], sys.argv[4]
assert doc["findings"], "no findings"
top = doc["findings"][0]
names = [top["subject"]["name"]] + [r["name"] for r in top["responsible"]]
print("top finding: %s %.1f%% (%s); the workload measured %.1f%%" % (top["id"], top["share"], ", ".join(names), measured))
assert top["id"] == want_id, "the top finding is %s, not %s" % (top["id"], want_id)
# a C++ name may carry its parameters, a C one a compiler clone's suffix
assert any(n and re.match(r"%s($|[(.])" % re.escape(want_fn), n) for n in names), "%s is not named: %s" % (want_fn, names)
assert abs(top["share"] - measured) <= 3, "%.1f%% found, %.1f%% measured" % (top["share"], measured)
PY
}
