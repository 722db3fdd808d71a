#!/bin/sh
# A library replaced on disk while a process maps it, as an upgrade does: its name now leads to
# another file (here another library), and /proc/PID/maps says "PATH (deleted)".  Recorded with
# DWARF stack copies and reported while the process runs, its frames are named and unwound from
# the mapped file itself (/proc/PID/map_files), never from the file that took its name.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
. "$FREC_TEST_SRCDIR/cli/unwind/common.sh"
require_perf

w="$T/w"
mkdir "$w"
cp "$nofp" "${nofp%/*}/libnofp_late.so" "$w/"
"$w/nofp" 30 dlopen >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$T"' EXIT
for i in $(seq 50); do
	grep -q libnofp_late.so "/proc/$pid/maps" 2>/dev/null && break
	sleep 0.1
done
grep -q libnofp_late.so "/proc/$pid/maps" || fail "the workload did not load its library"
ls -l "/proc/$pid/map_files/" >/dev/null 2>&1 ||
	skip "/proc/PID/map_files cannot be read here (it needs root or CAP_CHECKPOINT_RESTORE)"
# another library takes the name (rename, as package managers do: the mapped file lives on)
cp "$FREC_TEST_BUILDDIR/workloads/libfrecdemo.so" "$w/new.so"
mv -f "$w/new.so" "$w/libnofp_late.so"
grep -q 'libnofp_late.so (deleted)' "/proc/$pid/maps" || fail "the library was not replaced while mapped"

expect 0 "$FREC" record -q -F 999 --call-graph dwarf -p "$pid" -d 2 -o "$T/t.zst"
expect 0 "$FREC" report -i "$T/t.zst" --folded --comm nofp -o "$T/folded"
expect_late_named "$T/folded" "a library replaced while mapped"
# and the report says nothing of a mismatch: the right file was found
expect 0 "$FREC" report -i "$T/t.zst" --comm nofp -o "$T/report"
! grep -q 'differs from the recorded' "$T/err" || { cat "$T/err" >&2; fail "the replacing file was looked at"; }

# The recorder read the mapped file's build-id (not the name's), so once the process is gone the
# file that took the name is refused, with a warning, rather than trusted.
"$FREC" dump -i "$T/t.zst" | grep -q "MMAP2 pid $pid .* build-id [0-9a-f]* .*libnofp_late.so (deleted)" ||
	fail "no build-id recorded for the replaced library"
kill $pid
wait $pid 2>/dev/null || true
expect 0 "$FREC" report -i "$T/t.zst" --folded --comm nofp -o "$T/gone"
grep_err 'libnofp_late.so: build-id [0-9a-f]* differs from the recorded'
! grep -q 'plugin_' "$T/gone" || fail "frames named from the library that took the name"
exit 0
