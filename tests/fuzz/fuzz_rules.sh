#!/bin/sh
# Replay the rules corpus (tests/data/corpus/rules: rules files and a folded profile) through
# fuzz_rules, with each file cut after every line and with each line's first byte flipped.
set -eu
corpus="$FREC_TEST_DATA/corpus/rules"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" "$corpus"/* <<'PY'
import os, sys
out = sys.argv[1]
for k, path in enumerate(sys.argv[2:]):
    data = open(path, "rb").read()
    ends = [i + 1 for i, b in enumerate(data) if b == 10]
    for j, end in enumerate(ends):
        open(os.path.join(out, "cut.%d.%d" % (k, j)), "wb").write(data[:end - 1])
        flipped = bytearray(data)
        start = ends[j - 1] if j else 0
        flipped[start] ^= 0x5a
        open(os.path.join(out, "flip.%d.%d" % (k, j)), "wb").write(bytes(flipped))
PY
"$FREC_TEST_BUILDDIR/fuzz/fuzz_rules" "$corpus"/* "$tmp"/*
