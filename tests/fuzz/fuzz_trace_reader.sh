#!/bin/sh
# Replay the trace-reader corpus, plus every truncation and a byte flip of each corpus file.
set -eu
corpus="$FREC_TEST_DATA/corpus/trace"
bin="$FREC_TEST_BUILDDIR/fuzz/fuzz_trace_reader"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
for f in "$corpus"/*; do
	size=$(wc -c < "$f")
	step=$(( size / 50 + 1 ))
	n=1
	while [ "$n" -lt "$size" ]; do
		head -c "$n" "$f" > "$tmp/cut.$i.$n"
		n=$(( n + step ))
	done
	# flip one byte at a third of the file
	python3 - "$f" "$tmp/flip.$i" <<'PY' 2>/dev/null || cp "$f" "$tmp/flip.$i"
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
if b:
    b[len(b) // 3] ^= 0xff
open(sys.argv[2], 'wb').write(b)
PY
	i=$(( i + 1 ))
done
"$bin" "$corpus"/* "$tmp"/*
