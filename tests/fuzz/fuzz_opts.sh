#!/bin/sh
# Replay the option-parser corpus (tests/data/corpus/opts: a subcommand byte, then NUL-separated
# arguments) through fuzz_opts, plus truncations and flipped bytes of each file.
. "$FREC_TEST_SRCDIR/fuzz/lib.sh"
i=0
for f in "$FREC_TEST_DATA"/corpus/opts/*; do
	variants "$f" "$tmp/$i" 40
	i=$(( i + 1 ))
done
"$FREC_TEST_BUILDDIR/fuzz/fuzz_opts" "$FREC_TEST_DATA"/corpus/opts/* "$tmp"/*
