#!/bin/sh
# Replay the option-parser corpus (tests/data/corpus/opts: a subcommand byte, then NUL-separated
# arguments) through fuzz_opts, plus every truncation of each file.
set -eu
corpus="$FREC_TEST_DATA/corpus/opts"
bin="$FREC_TEST_BUILDDIR/fuzz/fuzz_opts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
for f in "$corpus"/*; do
	size=$(wc -c < "$f")
	n=1
	while [ "$n" -lt "$size" ]; do
		head -c "$n" "$f" > "$tmp/cut.$i.$n"
		n=$(( n + 3 ))
	done
	i=$(( i + 1 ))
done
"$bin" "$corpus"/* "$tmp"/*
