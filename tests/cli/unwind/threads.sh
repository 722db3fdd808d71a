#!/bin/sh
# A threaded service without frame pointers (nofp-threads: 4 glibc threads, shallow stacks), in
# the dwarf and auto modes.  The workers' stack copies end below their thread descriptors: the
# value each worker stored with pthread_setspecific(), which glibc keeps there, is not in the
# trace.  And the cut loses no frame: every worker stack still starts at start_thread and goes
# through the workload's functions, down to the leaf and into libc's qsort and back.  Most copies
# are stored as stack deltas, and a trace cut inside a frame still reads, as completely.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

threads="$FREC_TEST_BUILDDIR/workloads/nofp/nofp-threads"
[ -x "$threads" ] || fail "the nofp-threads workload is not built: $threads"
command -v zstd >/dev/null || fail "the zstd command is needed to read the trace (apt-get install zstd)"

for mode in dwarf auto; do
	expect 0 "$FREC" record -q -F 999 --call-graph "$mode" -o "$T/$mode.zst" -- "$threads" 2
	# "frecTCB!", NOFP_TCB_MARKER as stored in memory
	n=$(zstd -dc "$T/$mode.zst" | grep -ac 'frecTCB!' || true)
	[ "$n" = 0 ] || fail "$mode: $n worker stack copies hold their thread descriptor"

	expect 0 "$FREC" report -i "$T/$mode.zst" --folded --comm nofp-worker
	total=$(awk '{ n += $NF } END { print n + 0 }' "$T/out")
	complete=$(awk '/^start_thread;nofp_thread_main(;| )/ { n += $NF } END { print n + 0 }' "$T/out")
	[ "$total" -ge 200 ] || fail "$mode: only $total worker samples"
	[ $((complete * 100)) -ge $((total * 99)) ] || {
		grep -v '^start_thread;nofp_thread_main' "$T/out" | sort -t' ' -k2 -nr | head -5 >&2
		fail "$mode: $complete of $total worker samples start at start_thread;nofp_thread_main (< 99%)"
	}
	grep -q '^start_thread;nofp_thread_main;nofp_thread_serve;nofp_thread_hash ' "$T/out" ||
		fail "$mode: no stack down to nofp_thread_hash"
	grep -Eq '^start_thread;nofp_thread_main;nofp_thread_serve;.*qsort.*;nofp_thread_cmp ' "$T/out" ||
		fail "$mode: no stack through qsort to nofp_thread_cmp"

	# the stacks above were rebuilt from stack deltas: most copies are one
	expect 0 "$FREC" dump -i "$T/$mode.zst"
	samples=$(grep -c ' SAMPLE .* stack ' "$T/out" || true)
	deltas=$(grep -c ' SAMPLE .* stack [0-9]*/[0-9]* delta [0-9]*$' "$T/out" || true)
	[ $((deltas * 2)) -ge "$samples" ] || fail "$mode: $deltas of $samples stack copies are stack deltas"
	! grep -q ' undecodable' "$T/out" || fail "$mode: the recorder wrote a delta that does not decode"
done

# Cut inside a frame (as by kill -9): each complete frame decodes on its own, its deltas included.
size=$(wc -c < "$T/dwarf.zst")
head -c $((size * 2 / 3)) "$T/dwarf.zst" > "$T/cut.zst"
expect 0 "$FREC" report -i "$T/cut.zst" --folded --comm nofp-worker
grep -Eq 'cut short|no footer' "$T/err" || fail "the cut trace is not reported as cut: $(cat "$T/err")"
! grep -q 'damaged' "$T/err" || fail "the cut trace reads as damaged: $(cat "$T/err")"
total=$(awk '{ n += $NF } END { print n + 0 }' "$T/out")
complete=$(awk '/^start_thread;nofp_thread_main(;| )/ { n += $NF } END { print n + 0 }' "$T/out")
[ "$total" -ge 50 ] || fail "cut: only $total worker samples"
[ $((complete * 100)) -ge $((total * 99)) ] || fail "cut: $complete of $total worker samples are complete"
exit 0
