#!/bin/sh
# JIT frames: node --perf-basic-prof writes /tmp/perf-PID.map; the recorder stores it in the trace
# and the report names the hot JavaScript function from it.  frec turns the flag on by itself for
# a node it starts (unless --no-jit-env), and says how to restart one it attaches to.  V8's C++ (JSON here) keeps frame
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
const end = Date.now() + (+process.argv[2] || 2000);
let r = 0;
while (Date.now() < end)
	r += frecHotLoop(200000) + frecChurn();
console.log(r > 0 ? "ok" : "odd", "NODE_OPTIONS=" + process.env.NODE_OPTIONS);
JS
# node also writes a V8 log (isolate-*-v8.log) to its working directory: keep it in $T.
(cd "$T" && expect 0 "$FREC" record -F 999 -o "$T/t.zst" -- node --perf-basic-prof "$T/hot.js")
expect 0 "$FREC" report -i "$T/t.zst" --folded -o "$T/f"
grep -q 'frecHotLoop[^;]*_\[j\]' "$T/f" || { head -n 20 "$T/f" >&2; fail "frecHotLoop is not named as a JIT frame"; }
expect 0 "$FREC" report -i "$T/t.zst" -o "$T/report"
expect_cut_stacks_counted "$T/f" "$T/report"

# named JIT: the hot JavaScript function of trace $1 is named as a JIT frame.
named_jit() {
	expect 0 "$FREC" report -i "$1" --folded
	grep -q 'frecHotLoop[^;]*_\[j\]' "$T/out" || { head -n 20 "$T/out" >&2; fail "$2: frecHotLoop is not named"; }
}

# No flag: frec turns node's perf map on through NODE_OPTIONS, appended to what it holds, and says
# so in one line; also for a script run by its "#!" line.
(cd "$T" && NODE_OPTIONS=--stack-trace-limit=20 expect 0 "$FREC" record -F 999 -o "$T/auto.zst" -- node "$T/hot.js" 700)
grep_out '^ok NODE_OPTIONS=--stack-trace-limit=20 --perf-basic-prof$'
grep_err '^frec: NODE_OPTIONS="--stack-trace-limit=20 --perf-basic-prof" so that node names its JIT code \(--no-jit-env'
named_jit "$T/auto.zst" "frec -- node hot.js"
{ echo '#!/usr/bin/env node'; cat "$T/hot.js"; } > "$T/hot-script"
chmod +x "$T/hot-script"
(cd "$T" && expect 0 "$FREC" record -F 999 -o "$T/script.zst" -- "$T/hot-script" 700)
grep_out 'NODE_OPTIONS=--perf-basic-prof$'
named_jit "$T/script.zst" "a #!/usr/bin/env node script"

# --no-jit-env: the environment as it was, and the report's hint names the flag to add.
(cd "$T" && expect 0 "$FREC" record -F 999 --no-jit-env -o "$T/bare.zst" -- node "$T/hot.js" 700)
grep_out '^ok NODE_OPTIONS=undefined$'
grep -q 'NODE_OPTIONS' "$T/err" && { cat "$T/err" >&2; fail "--no-jit-env still said it set NODE_OPTIONS"; }
expect 0 "$FREC" report -i "$T/bare.zst"
grep_out '^stack health: .*JIT code of node without a perf map \(start node with --perf-basic-prof, or NODE_OPTIONS=--perf-basic-prof'

# Attached to a node started without the flag: the recorder says how to restart it, the graph is
# titled with its command line.
(cd "$T" && exec node "$T/hot.js" 20000) > /dev/null &
node_pid=$!
await_exec "$node_pid" hot.js
expect 0 "$FREC" record -p "$node_pid" -d 0.5 -o "$T/attached.zst"
kill "$node_pid"
grep_err "^frec record: warning: process $node_pid runs node without a perf map: .*restart it with node --perf-basic-prof \(or NODE_OPTIONS=--perf-basic-prof\)$"
exit 0
