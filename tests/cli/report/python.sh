#!/bin/sh
# JIT frames: python 3.12+ with -X perf writes /tmp/perf-PID.map for its trampolines; the recorder
# stores it in the trace and the report names the hot Python function from it.  The interpreter is
# usually built without frame pointers, so the stacks are unwound with DWARF.
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
import time
def frec_py_hot(n):
    s = 0
    for i in range(n):
        s = (s + i * i) % 1000003
    return s
end = time.time() + 1.5
r = 0
while time.time() < end:
    r += frec_py_hot(20000)
print("ok" if r else "odd")
PY
expect 0 "$FREC" record -F 499 --call-graph dwarf -o "$T/t.zst" -- "$py" -X perf "$T/hot.py"
expect 0 "$FREC" report -i "$T/t.zst" --folded -o "$T/f"
grep -q 'py::frec_py_hot:[^;]*hot\.py_\[j\]' "$T/f" || { head -n 20 "$T/f" >&2; fail "frec_py_hot is not named as a JIT frame"; }
exit 0
