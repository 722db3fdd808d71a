#!/bin/sh
# frec diff --analyze on folded stacks: regressions and improvements per function responsible (not
# every caller up to main), where they changed and who calls them, new and vanished functions,
# changes within the noise left out, the formats, and the CI gate's own exit status.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

cat > "$T/before.folded" <<'F'
main;serve;handle;serialize_response;json_object_to_json_string_ext;printbuf_memappend 400
main;serve;handle;serialize_response 100
main;serve;handle;load_orders;run_query 2500
main;serve;handle;render_page 1500
main;serve;handle;old_cache_lookup 300
main;serve;handle;audit_log 200
F
cat > "$T/after.folded" <<'F'
main;serve;handle;serialize_response;json_object_to_json_string_ext;printbuf_memappend 1700
main;serve;handle;serialize_response 200
main;serve;handle;load_orders;run_query 1000
main;serve;handle;render_page 1510
main;serve;handle;validate_schema 400
main;serve;handle;audit_log 205
F

expect 0 "$FREC" diff "$T/before.folded" "$T/after.folded" --analyze
grep_out "^before \(baseline\): $T/before.folded, 5,000 samples$"
grep_out '^compared as sample counts \[--normalize count\]$'
grep_out '^noise floor: a change is a finding when it is more than 3 standard deviations'
# the regressed function first, with the library call it grew in and its caller
grep_out '^1\. regression: serialize_response grew from 500 to 1,900 \(10\.0% to 37\.9%\), \+1,400 \(\+280%\), of which$'
grep_out 'json_object_to_json_string_ext \+1,300; called from handle$'
grep_out '^2\. new-function: validate_schema is new: 400 \(8\.0% of the samples\)'
# the improvement and the vanished function
grep_out '^1\. improvement: run_query shrank from 2,500 to 1,000 .*; called from'
grep_out '^   load_orders$'
grep_out '^2\. vanished-function: old_cache_lookup is gone: it had 300'
# unchanged code, and callers that only carry the change, are no findings
for f in render_page audit_log handle serve main; do
	grep -q "^[0-9]*\. [a-z-]*: $f " "$T/out" && fail "$f is a finding"
done
cp "$T/out" "$T/once"
expect 0 "$FREC" diff "$T/before.folded" "$T/after.folded" --analyze
cmp -s "$T/out" "$T/once" || fail "two runs differ"

# JSON and markdown
expect 0 "$FREC" diff "$T/before.folded" "$T/after.folded" --format json --context 'release 2.3 vs 2.2'
python3 - "$T/out" <<'PY' || fail "JSON diff findings"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "frec-diff-findings" and d["version"] == 1
assert d["normalize"] == "count" and d["unit"] == "samples" and d["context"] == "release 2.3 vs 2.2"
f = d["findings"]
assert [x["id"] for x in f] == ["regression", "new-function", "improvement", "vanished-function"], [x["id"] for x in f]
top = f[0]
assert top["function"]["name"] == "serialize_response" and top["function"]["change"] == 1400
assert round(top["growth_percent"]) == 280 and top["z"] > 3
assert top["parts"][0]["name"] == "json_object_to_json_string_ext" and top["parts"][0]["change"] == 1300
assert top["callers"][0]["name"] == "handle"
assert f[1]["growth_percent"] is None
PY
expect 0 "$FREC" diff "$T/before.folded" "$T/after.folded" --format markdown
grep_out '^## Profile diff findings$'
grep_out '^1\. \*\*regression\*\*: serialize_response grew'

# the CI gate: its own status, the offending findings on stderr
expect 3 "$FREC" diff "$T/before.folded" "$T/after.folded" --fail-on-regression 50
grep_err '^frec diff: regressions beyond --fail-on-regression 50%:$'
grep_err '^  serialize_response grew from 500 to 1,900'
grep_err '^  validate_schema is new'
grep_err '^hint: '
grep_out '^regressions by self'
# a gate above the growth passes the regression, but a new function still trips it
expect 3 "$FREC" diff "$T/before.folded" "$T/after.folded" --fail-on-regression 500
grep -q serialize_response "$T/err" && fail "serialize_response grew 280%, under 500%"
grep_err 'validate_schema is new'
# the same profile against itself, and small changes within the noise, pass
expect 0 "$FREC" diff "$T/before.folded" "$T/before.folded" --fail-on-regression 0
sed 's/ 200$/ 215/; s/ 1500$/ 1530/' "$T/before.folded" > "$T/noise.folded"
expect 0 "$FREC" diff "$T/before.folded" "$T/noise.folded" --fail-on-regression 1 --analyze
grep_out '^   none beyond the noise floor$'

# misuse
expect 2 "$FREC" diff "$T/before.folded" "$T/after.folded" --analyze --svg "$T/d.svg"
grep_err -- '--analyze writes findings, --svg a flame graph'
expect 2 "$FREC" diff "$T/before.folded" "$T/after.folded" --fail-on-regression ten
grep_err -- '--fail-on-regression'
expect 2 "$FREC" diff "$T/before.folded" "$T/after.folded" --format yaml
exit 0
