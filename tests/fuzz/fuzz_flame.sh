#!/bin/sh
# Replay the flame-graph fixtures (tests/data/flame/*.folded) through fuzz_flame, plus truncations
# and a byte flip of each, and the inputs make fuzz found (tests/data/corpus/flame).
set -eu
corpus="$FREC_TEST_DATA/flame"
bin="$FREC_TEST_BUILDDIR/fuzz/fuzz_flame"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
for f in "$corpus"/*.folded; do
	size=$(wc -c < "$f")
	step=$(( size / 20 + 1 ))
	n=1
	while [ "$n" -lt "$size" ]; do
		head -c "$n" "$f" > "$tmp/cut.$i.$n"
		n=$(( n + step ))
	done
	python3 - "$f" "$tmp/flip.$i" <<'PY' 2>/dev/null || cp "$f" "$tmp/flip.$i"
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
if b:
    b[len(b) // 3] ^= 0xff
open(sys.argv[2], 'wb').write(b)
PY
	i=$(( i + 1 ))
done
"$bin" "$corpus"/*.folded "$FREC_TEST_DATA"/corpus/flame/* "$tmp"/*
