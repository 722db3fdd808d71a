#!/bin/sh
# Replay the trace-reader corpus, plus truncations and flipped bytes of each corpus file.
. "$FREC_TEST_SRCDIR/fuzz/lib.sh"
i=0
for f in "$FREC_TEST_DATA"/corpus/trace/*; do
	variants "$f" "$tmp/$i" 50
	i=$(( i + 1 ))
done
"$FREC_TEST_BUILDDIR/fuzz/fuzz_trace_reader" "$FREC_TEST_DATA"/corpus/trace/* "$tmp"/*
