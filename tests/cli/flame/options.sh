#!/bin/sh
# frec report's flame-graph options: default output file, --width, --title, --colors, errors.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

D=$FREC_TEST_DATA/flame
cd "$T"

expect 0 "$FREC" report -i "$D/simple.folded" --svg
grep_err '^frec report: wrote flame.svg$'
[ -s flame.svg ] || fail "--svg without a file did not write flame.svg"
grep -q '<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="1200" ' flame.svg || fail "default width"

expect 0 "$FREC" report -i "$D/simple.folded" --svg my.svg --width 500 --title 'T & T'
grep_err '^frec report: wrote my.svg$'
grep -q 'width="500"' my.svg || fail "--width 500 ignored"
grep -q '<text id="title" x="250" y="22">T &amp; T</text>' my.svg || fail "--title ignored or unescaped"

expect 0 "$FREC" report -i "$D/simple.folded" -o other.svg --svg
[ -s other.svg ] || fail "-o with --svg"

# Colours: palettes change fills, the same palette the same fills.
"$FREC" report -i "$D/simple.folded" --svg - --colors green | grep -o 'fill="#[0-9a-f]*"' | sort -u >green.txt
"$FREC" report -i "$D/simple.folded" --svg - --colors hot | grep -o 'fill="#[0-9a-f]*"' | sort -u >hot.txt
! cmp -s green.txt hot.txt || fail "--colors green draws like hot"

expect 2 "$FREC" report -i "$D/simple.folded" --svg - --colors plaid
grep_err "unknown palette 'plaid'"
grep_err '^hint: '

expect 2 "$FREC" report -i "$D/simple.folded" --svg - --width 5
expect 2 "$FREC" report -i "$D/simple.folded" --svg - --minwidth -1

expect 1 "$FREC" report -i "$D/simple.folded" --svg "$T/no/such/dir/x.svg"
grep_err 'cannot create'
one_line_err

if [ -w /dev/full ]; then
	expect 1 "$FREC" report -i "$D/simple.folded" --svg /dev/full
	grep_err 'cannot write /dev/full'
fi

# --merge-jit-tiers: V8's tiers of one function become one frame, in every output, and in a diff a
# function optimised on one side only compares as itself.  Other frames keep their names.
printf 'main;JS:*fib_[j];JS:~fib_[j] 3\nmain;JS:~fib_[j] 4\nmain;JS:*fib_[j] 6\nmain;LazyCompile:^run_[j] 1\nmain;JS:*user 2\n' >"$T/tiers.folded"
"$FREC" report -i "$T/tiers.folded" --folded --merge-jit-tiers >"$T/merged" || fail "--merge-jit-tiers failed"
printf 'main;JS:*user 2\nmain;JS:fib_[j] 10\nmain;JS:fib_[j];JS:fib_[j] 3\nmain;LazyCompile:run_[j] 1\n' | cmp -s - "$T/merged" ||
	{ cat "$T/merged" >&2; fail "--merge-jit-tiers: folded stacks not merged"; }
"$FREC" report -i "$T/tiers.folded" --svg - | grep -q '<title>JS:\*fib$' || fail "tiers merged without --merge-jit-tiers"
"$FREC" report -i "$T/tiers.folded" --svg - | grep -q '^\[JIT, optimised\]$' || fail "no tier in the tooltip of JS:*fib"
"$FREC" report -i "$T/tiers.folded" --svg - --merge-jit-tiers | grep -q '<title>JS:fib$' || fail "--merge-jit-tiers: not in the graph"
printf 'main;JS:~fib_[j] 10\nmain;other 10\n' >"$T/tiers-before.folded"
printf 'main;JS:*fib_[j] 10\nmain;other 10\n' >"$T/tiers-after.folded"
"$FREC" diff "$T/tiers-before.folded" "$T/tiers-after.folded" --merge-jit-tiers >"$T/tiers.diff" || fail "diff --merge-jit-tiers failed"
! grep -q 'fib' "$T/tiers.diff" || { cat "$T/tiers.diff" >&2; fail "diff --merge-jit-tiers: fib changed"; }
"$FREC" diff "$T/tiers-before.folded" "$T/tiers-after.folded" | grep -q 'JS:\*fib' || fail "diff without --merge-jit-tiers: no change of tier"
