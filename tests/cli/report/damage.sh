#!/bin/sh
# A damaged trace is read around its damage, and the warning counts what was skipped: never "0
# unreadable frames", never "the rest was read" when it was not.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

src="$FREC_TEST_DATA/corpus/trace/synthetic-dwarf.zst" # six frames, at 0, 257, 460, 657, 856, 1061
expect 0 "$FREC" report -i "$src" --folded
cp "$T/out" "$T/whole"
[ -s "$T/whole" ] || fail "the corpus trace has no samples"

# flip ONE byte at OFFSET of the corpus trace into $T/d.zst
flip() {
	python3 - "$src" "$T/d.zst" "$1" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[int(sys.argv[3])] ^= 0xff
open(sys.argv[2], 'wb').write(b)
PY
}

# The magic of the third frame: no frame starts there.  Its bytes are skipped and counted, and the
# frames after it are read.
flip 460
expect 0 "$FREC" report -i "$T/d.zst" --folded
grep_err "d.zst is damaged from offset 460: 1 unreadable frame \(197 B\) skipped, the rest was read$"
[ "$(wc -l < "$T/out")" -gt 0 ] || fail "nothing was read after the damage"

# Inside a frame: it fails to decompress and is skipped whole.
flip 700
expect 0 "$FREC" report -i "$T/d.zst" --folded
grep_err "d.zst is damaged from offset 657: 1 unreadable frame \(199 B\) skipped, the rest was read$"

# Whatever byte is damaged, a damage warning counts something and a cut names its bytes.
for off in 5 40 300 470 900 1100 1170; do
	flip $off
	set +e
	"$FREC" report -i "$T/d.zst" --folded >/dev/null 2>"$T/err"
	set -e
	if grep -q 'is damaged from' "$T/err"; then
		grep_err 'damaged from offset [0-9]+: ([1-9][0-9]* unreadable frames? \([0-9.]+ [KM]?i?B\) skipped|[1-9][0-9]* frames? read up to a malformed record)'
	fi
	! grep -Eq ' 0 (unreadable|complete) frame' "$T/err" || fail "a count of 0 at offset $off: $(cat "$T/err")"
done
exit 0
