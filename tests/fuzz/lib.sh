# SPDX-License-Identifier: MIT
# Shared by the fuzz replay scripts (tests/fuzz/fuzz_*.sh): sourced, never run.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# variants FILE OUT [CUTS]: OUT.cut.N, FILE cut short at CUTS (20) evenly spaced lengths, and
# OUT.flipK (K = 1..7), FILE with two bytes flipped at the K-th eighth: what a damaged copy of a
# corpus file looks like, so that every run also goes past the corpus itself.
variants() {
	f=$1 out=$2 cuts=${3:-20}
	size=$(wc -c < "$f")
	step=$(( size / cuts + 1 ))
	n=1
	while [ "$n" -lt "$size" ]; do
		head -c "$n" "$f" > "$out.cut.$n"
		n=$(( n + step ))
	done
	python3 - "$f" "$out.flip" <<'PY' 2>/dev/null || true
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
for k in range(1, 8):
    c = bytearray(b)
    if c:
        c[len(c) * k // 8] ^= 0xff
        c[(len(c) * k // 8 + 17) % len(c)] ^= 0x55
    open(sys.argv[2] + str(k), 'wb').write(c)
PY
}
