#!/bin/sh
# Replay the folded fixtures of the flame graphs and of the text views through fuzz_views, plus
# truncations and flipped bytes of each, and the inputs make fuzz found (tests/data/corpus/views).
. "$FREC_TEST_SRCDIR/fuzz/lib.sh"
i=0
for f in "$FREC_TEST_DATA"/flame/*.folded "$FREC_TEST_DATA"/report/*.folded; do
	variants "$f" "$tmp/$i"
	i=$(( i + 1 ))
done
"$FREC_TEST_BUILDDIR/fuzz/fuzz_views" "$FREC_TEST_DATA"/flame/*.folded "$FREC_TEST_DATA"/report/*.folded \
	"$FREC_TEST_DATA"/corpus/views/* "$tmp"/*
