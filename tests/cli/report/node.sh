#!/bin/sh
# JIT frames: node --perf-basic-prof writes /tmp/perf-PID.map; the recorder stores it in the trace
# and the report names the hot JavaScript function from it.
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
const end = Date.now() + 1500;
let r = 0;
while (Date.now() < end)
	r += frecHotLoop(200000);
console.log(r > 0 ? "ok" : "odd");
JS
# node also writes a V8 log (isolate-*-v8.log) to its working directory: keep it in $T.
(cd "$T" && expect 0 "$FREC" record -F 499 -o "$T/t.zst" -- node --perf-basic-prof "$T/hot.js")
expect 0 "$FREC" report -i "$T/t.zst" --folded -o "$T/f"
grep -q 'frecHotLoop[^;]*_\[j\]' "$T/f" || { head -n 20 "$T/f" >&2; fail "frecHotLoop is not named as a JIT frame"; }
exit 0
