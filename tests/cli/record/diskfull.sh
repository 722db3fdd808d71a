#!/bin/sh
# A disk that fills up while recording: frec stops with the error and a hint, keeps what was
# written, and its summary still counts the CPU time it used (it once said it used none).
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
mkdir "$T/small"
mount -t tmpfs -o size=128k frec-test "$T/small" 2>"$T/mount.err" || skip "cannot mount a tmpfs: $(cat "$T/mount.err")"
trap 'umount "$T/small" 2>/dev/null || true; rm -rf "$T"' EXIT

# DWARF stack copies at 999 Hz fill 128 KiB in a few seconds; the command would run for long.
demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
expect 1 "$FREC" record -F 999 --call-graph dwarf -o "$T/small/t.zst" -- "$demo" -d 50 -c 1 -t 1
grep_err "^frec record: cannot write $T/small/t.zst: No space left on device\$"
grep_err '^hint: the disk is full'
grep_err '\(write error\), [1-9][0-9]* samples'
grep_err 'own CPU use: [0-9.]+% of one CPU while recording, plus [0-9.]+ s to start and finish'
grep -q 'own CPU use: 0\.0% .* plus 0\.00 s' "$T/err" && fail "a full disk lost frec's CPU time"
"$FREC" dump -i "$T/small/t.zst" > "$T/dump" 2>/dev/null
grep -q ' SAMPLE ' "$T/dump" || fail "nothing of the full trace is readable"
exit 0
