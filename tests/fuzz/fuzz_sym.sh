#!/bin/sh
# Replay the symbolizer's fuzz corpora: kallsyms and perf-map text (tests/data/corpus/symtext,
# perfmap), recorded traces (tests/data/corpus/symbolizer) and ELF images (the fixture files built
# by make check), each also cut short and with flipped bytes.
set -eu
builddir="$FREC_TEST_BUILDDIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Variants of a file: every 1/20th truncation and a few flipped bytes.
variants() {
	f=$1 out=$2
	size=$(wc -c < "$f")
	step=$(( size / 20 + 1 ))
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

i=0
for f in "$FREC_TEST_DATA"/corpus/symtext/*; do
	variants "$f" "$tmp/text.$i"
	i=$(( i + 1 ))
done
"$builddir/fuzz/fuzz_sym_text" "$FREC_TEST_DATA"/corpus/symtext/* "$tmp"/text.*

# perf maps alone, with the lookup invariants of fuzz_perf_map
mkdir "$tmp/perfmap"
i=0
for f in "$FREC_TEST_DATA"/corpus/perfmap/*; do
	variants "$f" "$tmp/perfmap/$i"
	i=$(( i + 1 ))
done
"$builddir/fuzz/fuzz_perf_map" "$FREC_TEST_DATA"/corpus/perfmap/* "$FREC_TEST_DATA"/corpus/symtext/* \
	"$tmp"/perfmap/* "$tmp"/text.*

# whole traces through the symbolizer and the renderers
mkdir "$tmp/trace"
i=0
for f in "$FREC_TEST_DATA"/corpus/symbolizer/* "$FREC_TEST_DATA"/corpus/trace/*; do
	variants "$f" "$tmp/trace/$i"
	i=$(( i + 1 ))
done
"$builddir/fuzz/fuzz_symbolizer" "$FREC_TEST_DATA"/corpus/symbolizer/* "$tmp"/trace/*

mkdir "$tmp/elf"
i=0
for f in "$builddir"/fixtures/symbolizer/fix_nodebug "$builddir"/fixtures/symbolizer/fix_debug \
	 "$builddir"/fixtures/symbolizer/libfix.so; do
	variants "$f" "$tmp/elf/$i"
	i=$(( i + 1 ))
done
"$builddir/fuzz/fuzz_sym_elf" "$builddir"/fixtures/symbolizer/fix_nodebug "$FREC_TEST_DATA"/corpus/elf/* \
	"$tmp"/elf/*
