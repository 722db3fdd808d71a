#!/bin/sh
# frec annotate refuses what it cannot show with a one-line error, a hint and status 1: a name
# that does not exist (with the closest names), a function with no samples, kernel code, a file
# gone or rebuilt since the recording, a corrupt or missing trace; a name of two modules is
# listed, picked with --module, or annotated twice with --all.  Usage errors exit 2.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

# Usage and trace errors need no recording.
expect 2 "$FREC" annotate --percent-limit 120 f
grep_err 'not a percentage'
expect 2 "$FREC" annotate --all
grep_err 'give FUNCTION'
expect 2 "$FREC" annotate f g
grep_err "unexpected argument 'g'"
expect 1 "$FREC" annotate -i "$T/none.zst" f
one_line_err
grep_err "cannot read trace $T/none.zst"
grep_err '^hint: '
printf 'not a trace at all\n' > "$T/bad.zst"
expect 1 "$FREC" annotate -i "$T/bad.zst" f
one_line_err
grep_err '^hint: frec annotate reads traces of `frec record`: folded stacks and perf script text keep no addresses'
: > "$T/empty.zst"
expect 1 "$FREC" annotate -i "$T/empty.zst" f
one_line_err
grep_err 'the input is empty'

require_perf
# one_error: one_line_err, the symbolizer's warnings aside (they name the build-ids of a rebuilt file)
one_error() {
	grep -v '^frec: warning: symbolizer: ' "$T/err" > "$T/err.own" || true
	n=$(grep -cv '^hint: ' "$T/err.own" || true)
	[ "$n" -le 1 ] || { cat "$T/err" >&2; fail "error is $n lines, expected one"; }
}
demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"

# The demo and its plugin copied twice; both copies run in one recording: parse_request is in two
# modules (same build-id, two paths).
mkdir "$T/a" "$T/b"
cp "$demo" "$FREC_TEST_BUILDDIR/workloads/libfrecdemo.so" "$T/a/"
cp "$demo" "$FREC_TEST_BUILDDIR/workloads/libfrecdemo.so" "$T/b/"
expect 0 "$FREC" record -F 999 -o "$T/t.zst" -- sh -c "'$T/a/frec-demo' -d 1 -c 0 & '$T/b/frec-demo' -d 1 -c 0; wait"

expect 1 "$FREC" annotate -i "$T/t.zst" parse_request
one_line_err
grep_err "'parse_request' names 2 functions with samples: parse_request.* in $T/[ab]/frec-demo at 0x[0-9a-f]+ \([0-9]+ samples\); "
grep_err "in $T/a/frec-demo at"
grep_err "in $T/b/frec-demo at"
grep_err '^hint: pick one with --module'
expect 0 "$FREC" annotate -i "$T/t.zst" --module "$T/b/frec-demo" parse_request
sed -n 1p "$T/out" | grep -q "  ($T/b/frec-demo)\$" || fail "--module picked $(sed -n 1p "$T/out")"
expect 0 "$FREC" annotate -i "$T/t.zst" --all parse_request
[ "$(grep -c '^parse_request.*  (/' "$T/out")" = 2 ] || fail "--all did not annotate both: $(grep '^parse' "$T/out")"

# Unknown names: the closest ones with samples.
expect 1 "$FREC" annotate -i "$T/t.zst" parse_requst
one_line_err
grep_err "no function named 'parse_requst' in $T/t.zst"
grep_err '^hint: close names with samples: .*parse_request'
# A function that exists but has no samples of its own.
expect 1 "$FREC" annotate -i "$T/t.zst" main
one_line_err
grep_err "main \(in $T/[ab]/frec-demo\) has no samples in"
grep_err '^hint: .*the hottest functions: '

# The file is gone: the samples' names are offsets, and the error says which file is missing.
rm "$T/a/frec-demo" "$T/b/frec-demo"
expect 1 "$FREC" annotate -i "$T/t.zst" parse_request
one_error
grep_err "no function named 'parse_request'"
grep_err "^hint: [0-9.]+% of the samples are in files that cannot be read, such as $T/[ab]/frec-demo \(not found\)"
# Rebuilt since: another binary at the path is refused by its build-id.
cp "$FREC_TEST_BUILDDIR/workloads/frec-regress" "$T/a/frec-demo"
cp "$FREC_TEST_BUILDDIR/workloads/frec-regress" "$T/b/frec-demo"
expect 1 "$FREC" annotate -i "$T/t.zst" parse_request
one_error
grep_err "its build-id differs from the recorded one"
# The file itself, when it is the hottest unreadable one: annotate with no FUNCTION finds none.
expect 1 "$FREC" annotate -i "$T/t.zst" --module frec-demo
one_error
grep_err 'no function of .* in module frec-demo has code that can be read'

# Kernel code: dd's reads of /dev/zero clear user pages in the kernel.
expect 0 "$FREC" record -F 999 -o "$T/k.zst" -- dd if=/dev/zero of=/dev/null bs=1M count=3000
expect 0 "$FREC" report -i "$T/k.zst" --folded -o "$T/kf"
kfunc=$(awk '{ s = $0; sub(/ [0-9]+$/, "", s); n = split(s, a, ";"); if (a[n] ~ /_\[k\]$/) w[a[n]] += $NF }
	END { for (f in w) if (w[f] > m) { m = w[f]; t = f }; sub(/_\[k\]$/, "", t); print t }' "$T/kf")
[ -n "$kfunc" ] || fail "no kernel leaf in dd's profile: $(head "$T/kf")"
expect 1 "$FREC" annotate -i "$T/k.zst" "$kfunc"
one_error
grep_err "is kernel code: the trace keeps the kernel's symbols, not its code"
grep_err '^hint: '

# A trace cut short: what was read is annotated, with a warning about the rest.
size=$(wc -c < "$T/k.zst")
head -c $((size / 2)) "$T/k.zst" > "$T/cut.zst"
set +e
"$FREC" annotate -i "$T/cut.zst" > "$T/out" 2> "$T/err"
st=$?
set -e
[ "$st" -le 1 ] || fail "annotate of a cut trace exited $st"
grep -q 'Segmentation\|AddressSanitizer\|runtime error' "$T/err" && fail "annotate crashed on a cut trace: $(cat "$T/err")"
exit 0
