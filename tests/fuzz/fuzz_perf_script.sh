#!/bin/sh
# Replay the perf script fixtures (tests/data/perf_script/*.txt) through fuzz_perf_script, plus
# truncations and flipped bytes of each, and the inputs make fuzz found (tests/data/corpus/perfscript).
. "$FREC_TEST_SRCDIR/fuzz/lib.sh"
i=0
for f in "$FREC_TEST_DATA"/perf_script/*.txt; do
	variants "$f" "$tmp/$i" 40
	i=$(( i + 1 ))
done
"$FREC_TEST_BUILDDIR/fuzz/fuzz_perf_script" "$FREC_TEST_DATA"/perf_script/*.txt "$FREC_TEST_DATA"/corpus/perfscript/* "$tmp"/*
