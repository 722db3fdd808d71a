#!/bin/sh
# Replay the flame-graph fixtures (tests/data/flame/*.folded) through fuzz_flame, plus truncations
# and flipped bytes of each, and the inputs make fuzz found (tests/data/corpus/flame).
. "$FREC_TEST_SRCDIR/fuzz/lib.sh"
i=0
for f in "$FREC_TEST_DATA"/flame/*.folded; do
	variants "$f" "$tmp/$i"
	i=$(( i + 1 ))
done
"$FREC_TEST_BUILDDIR/fuzz/fuzz_flame" "$FREC_TEST_DATA"/flame/*.folded "$FREC_TEST_DATA"/corpus/flame/* "$tmp"/*
