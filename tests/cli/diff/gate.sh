#!/bin/sh
# frec diff --analyze and --fail-on-regression on real recordings of frec-regress, before and after
# its compute_hash became 3x slower: the regressed function is named first, with the CPU time the
# workload measured itself; the gate fails on it with its own status, and passes on two recordings
# of the same version.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

regress_pair
expect 0 "$FREC" diff "$T/before.zst" "$T/after.zst" --analyze --format json -o "$T/d.json"
expect 0 "$FREC" diff "$T/before.zst" "$T/after.zst" --analyze
sed -n '/^Regressions:/,/^Improvements:/p' "$T/out" | sed -n 2p | grep -q '^1\. regression: compute_hash grew from ' ||
	{ cat "$T/out" >&2; fail "compute_hash is not the first regression"; }
python3 - "$T/d.json" <<'PY' || { cat "$T/out" >&2; fail "diff findings"; }
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
assert d["normalize"] == "time" and d["unit"] == "seconds"
assert f and f[0]["id"] == "regression" and f[0]["function"]["name"] == "compute_hash", f[:1]
top = f[0]["function"]
# 3x its work: +200% of its CPU time, within sampling noise of a few hundred samples
assert 120 <= f[0]["growth_percent"] <= 300, f[0]["growth_percent"]
assert f[0]["callers"][0]["name"] == "handle_request", f[0]["callers"]
# the functions that did the same work are no findings, nor are the callers that only carry it
names = [x["function"]["name"] for x in f]
for same in ("parse_input", "compress_block", "format_output", "handle_request", "main"):
    assert same not in names, (same, names)
PY
expect 3 "$FREC" diff "$T/before.zst" "$T/after.zst" --fail-on-regression 20
grep_err '^frec diff: regressions beyond --fail-on-regression 20%:$'
grep_err '^  compute_hash grew from '

# the same version twice: no regression beyond the noise
expect 0 "$FREC" record -q -e cpu-clock -F 999 -o "$T/again.zst" -- "$FREC_TEST_BUILDDIR/workloads/frec-regress"
expect 0 "$FREC" diff "$T/before.zst" "$T/again.zst" --fail-on-regression 20
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "the gate spoke on the same version"; }
exit 0
