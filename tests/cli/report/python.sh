#!/bin/sh
# JIT frames: python 3.12+ with -X perf writes /tmp/perf-PID.map for its trampolines; the recorder
# stores it in the trace and the report names the hot Python function from it.  The interpreter is
# usually built without frame pointers, so the stacks are unwound with DWARF.  Without -X perf,
# frec sets PYTHONPERFSUPPORT=1 for a python it starts and says so in one line; --no-jit-env and a
# value the user set leave the environment alone, and attaching to a python without a map says
# how to restart it.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

py=
for c in python3.14 python3.13 python3.12 python3; do
	p=$(command -v "$c" 2>/dev/null) || continue
	"$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { py=$p; break; }
done
if [ -z "$py" ]; then
	for p in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3; do
		[ -x "$p" ] && { py=$p; break; }
	done
fi
[ -n "$py" ] || skip "no python 3.12 or later"

cat > "$T/hot.py" <<'PY'
import os, sys, time
def frec_py_hot(n):
    s = 0
    for i in range(n):
        s = (s + i * i) % 1000003
    return s
end = time.time() + float(sys.argv[1] if len(sys.argv) > 1 else 1.5)
r = 0
while time.time() < end:
    r += frec_py_hot(20000)
print("ok" if r else "odd", "PYTHONPERFSUPPORT=%s" % os.environ.get("PYTHONPERFSUPPORT"))
PY
expect 0 "$FREC" record -F 499 --call-graph dwarf -o "$T/t.zst" -- "$py" -X perf "$T/hot.py"
expect 0 "$FREC" report -i "$T/t.zst" --folded -o "$T/f"
grep -q 'py::frec_py_hot:[^;]*hot\.py_\[j\]' "$T/f" || { head -n 20 "$T/f" >&2; fail "frec_py_hot is not named as a JIT frame"; }
# No flag: PYTHONPERFSUPPORT=1, said in one line, and the function named from the perf map.
expect 0 "$FREC" record -F 999 -o "$T/auto.zst" -- "$py" "$T/hot.py" 1
grep_out '^ok PYTHONPERFSUPPORT=1$'
grep_err '^frec: PYTHONPERFSUPPORT="1" so that python names its JIT code \(--no-jit-env'
[ "$(grep -c PYTHONPERFSUPPORT "$T/err")" = 1 ] || { cat "$T/err" >&2; fail "not one line about PYTHONPERFSUPPORT"; }
expect 0 "$FREC" report -i "$T/auto.zst" --folded
grep -q 'frec_py_hot[^;]*_\[j\]' "$T/out" || { head -n 20 "$T/out" >&2; fail "frec_py_hot is not named"; }

# --no-jit-env: the environment as it was, and no word about it.
expect 0 "$FREC" record -q -F 999 --no-jit-env -o "$T/bare.zst" -- "$py" "$T/hot.py" 0.3
grep_out '^ok PYTHONPERFSUPPORT=None$'
grep -q PYTHONPERFSUPPORT "$T/err" && { cat "$T/err" >&2; fail "--no-jit-env still said it set PYTHONPERFSUPPORT"; }

# A value the user set is the user's.
expect 0 env PYTHONPERFSUPPORT=0 "$FREC" record -q -F 999 -o "$T/user.zst" -- "$py" "$T/hot.py" 0.3
grep_out '^ok PYTHONPERFSUPPORT=0$'

# Attached to a python started without a map: the recorder names the variable to restart it with.
"$py" "$T/hot.py" 30 > /dev/null &
py_pid=$!
await_exec "$py_pid" hot.py
expect 0 "$FREC" record -p "$py_pid" -d 0.3 -o "$T/attached.zst"
kill "$py_pid"
grep_err "^frec record: warning: process $py_pid runs python without a perf map: .*restart it with PYTHONPERFSUPPORT=1"
exit 0
