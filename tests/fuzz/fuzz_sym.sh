#!/bin/sh
# Replay the symbolizer's fuzz corpora: kallsyms and perf-map text (tests/data/corpus/symtext,
# perfmap), recorded traces (tests/data/corpus/symbolizer) and ELF images (the fixture files built
# by make check), each also cut short and with flipped bytes.
. "$FREC_TEST_SRCDIR/fuzz/lib.sh"
builddir="$FREC_TEST_BUILDDIR"

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
