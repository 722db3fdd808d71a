#!/bin/sh
# A process in a mount namespace of its own (a container's view): its binary and library exist only
# there, on a private tmpfs over a directory that is empty from the outside.  Recorded with DWARF
# stack copies and reported while it runs, its frames are named and unwound through its root
# (/proc/PID/root), which the unwinder and the namer find the files in alike.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
. "$FREC_TEST_SRCDIR/cli/unwind/common.sh"
require_perf
command -v unshare >/dev/null 2>&1 || skip "unshare is not installed"

w="$T/w"
mkdir "$w"
unshare -m --propagation private sh -c \
	"mount -t tmpfs tmpfs '$w' && cp '$nofp' '${nofp%/*}/libnofp_late.so' '$w/' && exec '$w/nofp' 30 dlopen" \
	>/dev/null 2>"$T/ns.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$T"' EXIT
# unshare and sh exec: $pid becomes the workload once it runs, with its library loaded
for i in $(seq 50); do
	grep -q libnofp_late.so "/proc/$pid/maps" 2>/dev/null && break
	kill -0 $pid 2>/dev/null || skip "cannot make a mount namespace: $(cat "$T/ns.err")"
	sleep 0.1
done
grep -q libnofp_late.so "/proc/$pid/maps" || fail "the workload did not load its library in its namespace"
[ ! -e "$w/nofp" ] || fail "the namespace's files are visible from outside it: nothing is tested"

expect 0 "$FREC" record -q -F 999 --call-graph dwarf -p "$pid" -d 2 -o "$T/t.zst"
expect 0 "$FREC" report -i "$T/t.zst" --folded --comm nofp -o "$T/folded"
expect_late_named "$T/folded" "a process in its own mount namespace"
exit 0
