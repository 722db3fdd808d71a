#!/bin/sh
# frec annotate of a stripped binary: without its debug file its functions are offsets, which
# have no symbol to annotate; with --debug-dir naming the build-id tree that holds the debug file,
# the function is found by name, its code read from the stripped binary and its lines from the
# debug file.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
mkdir "$T/bin"
id=$(LC_ALL=C readelf -n "$demo" | sed -n 's/.*Build ID: *//p')
[ -n "$id" ] || fail "frec-demo has no build-id"
mkdir -p "$T/dbg/.build-id/$(echo "$id" | cut -c1-2)"
objcopy --only-keep-debug "$demo" "$T/dbg/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug"
strip --strip-all -o "$T/bin/frec-demo" "$demo"
cp "$FREC_TEST_BUILDDIR/workloads/libfrecdemo.so" "$T/bin/"
expect 0 "$FREC" record -F 999 -o "$T/t.zst" -- "$T/bin/frec-demo" -d 2 -c 0

expect 1 "$FREC" annotate -i "$T/t.zst" parse_request
grep_err "no function named 'parse_request'"
# the stripped code is named by offset: such a name is refused with the reason
expect 0 "$FREC" report -i "$T/t.zst" --folded -o "$T/f"
off=$(awk '{ s = $0; sub(/ [0-9]+$/, "", s); n = split(s, a, ";"); if (a[n] ~ /^frec-demo\+0x[0-9a-f]+$/) { print a[n]; exit } }' "$T/f")
[ -n "$off" ] || fail "no frec-demo+0x... leaf in the stripped binary's profile"
expect 1 "$FREC" annotate -i "$T/t.zst" "$off"
one_line_err
grep_err "has no function symbol to annotate"
grep_err '^hint: a stripped file'

expect 0 "$FREC" annotate -i "$T/t.zst" --debug-dir "$T/dbg" parse_request
sed -n 1p "$T/out" | grep -q "^parse_request.*  ($T/bin/frec-demo)\$" || fail "header: $(sed -n 1p "$T/out")"
grep -q 'demo\.c:[0-9]*  state = (state ^ buf\[i\])' "$T/out" || fail "no source lines from the debug file: $(cat "$T/out")"
grep -q ' imul ' "$T/out" || fail "no code from the stripped binary: $(cat "$T/out")"
exit 0
