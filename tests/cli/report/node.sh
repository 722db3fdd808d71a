#!/bin/sh
# JIT frames: node --perf-basic-prof writes /tmp/perf-PID.map; the recorder stores it in the trace
# and the report names the hot JavaScript function from it.  V8's C++ (JSON here) keeps frame
# pointers in some functions and not in others: stacks that its unwinding cuts short are counted
# in the health line, whatever stopped them.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf
command -v node >/dev/null 2>&1 || skip "node is not installed"

cat > "$T/hot.js" <<'JS'
function frecHotLoop(n) {
	let s = 0;
	for (let i = 0; i < n; i++)
		s = (s + i * i) % 1000003;
	return s;
}
function frecChurn() {
	const a = [];
	for (let i = 0; i < 2000; i++)
		a.push({ k: "x" + i, v: [i, i * 2, { d: i }] });
	return JSON.parse(JSON.stringify(a)).length;
}
const end = Date.now() + 2000;
let r = 0;
while (Date.now() < end)
	r += frecHotLoop(200000) + frecChurn();
console.log(r > 0 ? "ok" : "odd");
JS
# node also writes a V8 log (isolate-*-v8.log) to its working directory: keep it in $T.
(cd "$T" && expect 0 "$FREC" record -F 999 -o "$T/t.zst" -- node --perf-basic-prof "$T/hot.js")
expect 0 "$FREC" report -i "$T/t.zst" --folded -o "$T/f"
grep -q 'frecHotLoop[^;]*_\[j\]' "$T/f" || { head -n 20 "$T/f" >&2; fail "frecHotLoop is not named as a JIT frame"; }
expect 0 "$FREC" report -i "$T/t.zst" -o "$T/report"
expect_cut_stacks_counted "$T/f" "$T/report"
exit 0
