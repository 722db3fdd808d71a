# SPDX-License-Identifier: MIT
# Shared by the off-CPU cases: sourced, never run.  Each case records one mode of the frec-offcpu
# workload (tests/workloads/offcpu.c), which prints where its threads waited ("truth off-cpu FUNC
# PERCENT" lines, measured around each blocking call), and checks frec's off-CPU profile against it.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

OFFCPU="$FREC_TEST_BUILDDIR/workloads/frec-offcpu"

# record_mode MODE [RECORD OPTIONS...]: record the workload's MODE for 1.5 s into $T/t.zst, its truth
# in $T/truth.
record_mode() {
	mode=$1
	shift
	expect 0 "$FREC" record -q --off-cpu "$@" -o "$T/t.zst" -- "$OFFCPU" "$mode" 1.5
	grep '^truth ' "$T/err" > "$T/truth" || fail "the workload printed no truth: $(cat "$T/err")"
}

# share FOLDED FUNC [AMONG]: the per cent of FOLDED's weight in stacks holding a frame of FUNC (its
# clones FUNC.constprop.0 and inlined copies included); with AMONG (an awk regex of function names),
# of the weight in stacks that hold one of those functions.
share() {
	awk -v f="$2" -v among="^(${3:-.*})\$" '
	{
		n = $NF; s = $0; sub(/ [0-9]+$/, "", s); k = split(s, a, ";"); in_among = 0
		for (i = 1; i <= k; i++) {
			x = a[i]; sub(/_\[[kij]\]$/, "", x); sub(/\..*$/, "", x)
			if (x ~ among) in_among = 1
			if (x == f) { in_f += n; break }
		}
		if (in_among || i <= k) total += n
	}
	END { printf "%.1f\n", total ? 100 * in_f / total : 0 }' "$1"
}

# check_truth KIND FOLDED: every "truth KIND FUNC PERCENT" line is within 5 points of FOLDED's share
# of FUNC: for off-cpu among the functions of the truth, for wall of everything.
check_truth() {
	kind=$1
	# wall shares are of the threads' whole lives, off-CPU ones of the waits in the functions listed
	among=.*
	[ "$kind" = wall ] || among=$(awk -v k="$kind" '$2 == k { printf "%s%s", sep, $3; sep = "|" }' "$T/truth")
	while read -r _ k fn want; do
		[ "$k" = "$kind" ] || continue
		got=$(share "$2" "$fn" "$among")
		echo "$kind $fn: truth $want%, frec $got%" >&2
		awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; exit !(d <= 5 && d >= -5) }' ||
			fail "$kind share of $fn is $got%, the workload measured $want%"
	done < "$T/truth"
}

# expect_reason FOLDED FUNC KERNEL_RE: the stacks through FUNC show the kernel's reason: a kernel
# frame matching KERNEL_RE, below FUNC.
expect_reason() {
	awk -v f="$2" -v re="$3" '
	{
		s = $0; sub(/ [0-9]+$/, "", s); k = split(s, a, ";"); seen = 0
		for (i = 1; i <= k; i++) {
			x = a[i]; sub(/\..*$/, "", x); sub(/_\[i\]$/, "", x)
			if (x == f) seen = 1
			else if (seen && a[i] ~ /_\[k\]$/ && a[i] ~ re) { found = 1; exit }
		}
	}
	END { exit !found }' "$1" || { grep "$2" "$1" | head -3 >&2; fail "no stack through $2 shows /$3/ in the kernel"; }
}

# expect_kernel_leaves FOLDED FUNC: the stacks through FUNC end in the kernel (the blocking call's frames).
expect_kernel_leaves() {
	awk -v f="$2" '
	{
		s = $0; sub(/ [0-9]+$/, "", s); k = split(s, a, ";")
		for (i = 1; i <= k; i++) { x = a[i]; sub(/\..*$/, "", x); if (x == f) break }
		if (i > k) next
		through++
		if (a[k] !~ /_\[k\]$/) bad++
	}
	END { exit !(through && !bad) }' "$1" || fail "stacks through $2 do not all end in kernel frames"
}

# kind_of FUNC: the finding kind (known-op/KIND of the rules' waits) that a wait in FUNC belongs to.
kind_of() {
	case $1 in
	take_lock) echo lock-wait ;;
	read_block) echo io-wait ;;
	read_pipe | wait_workers) echo child-pipe-wait ;; # pthread_join waits for a thread to end
	nap_long | nap_short | rest | writer_nap | file_nap) echo sleep ;;
	*) fail "kind_of: no kind for $1" ;;
	esac
}

# finding FILE KIND: the text of the first finding known-op/KIND in FILE (frec report --analyze).
finding() {
	awk -v id="known-op/$2" '$1 ~ /^[0-9]+\.$/ { if (on) exit; on = ($2 == id) } on' "$1"
}

# expect_findings FUNC [REPORT OPTIONS...]: `frec report --off-cpu --analyze` puts first, of the
# waits' kinds, the kind of the function that waited most in the truth and names it.  The truth
# has two measures: time off CPU, and the same less the time runnable (its wait lines).  Under load
# preemptions can make most of a function's time off CPU, which frec reports as preemptions, not
# as the function's wait; the run delay also holds the wait for a CPU after a wakeup, which frec
# counts in the wait: a function that waited most by either measure may come first; it has FUNC's
# kind too, naming FUNC, in shares of the off-CPU time; the CPU profile of the same trace has none of
# the waits' kinds.  Findings of other kinds may come before: on a busy machine, preemptions (time
# runnable, waiting for a CPU) can outweigh any wait.  When waits of two kinds are within 15 points
# of each other in the truth, either may come first: frec's finding holds the waiting call's
# subtree, the truth the time around the call.
expect_findings() {
	func=$1
	shift
	expect 0 "$FREC" report --off-cpu --analyze "$@" -i "$T/t.zst" -o "$T/an"
	top=$(awk '$2 == "off-cpu" && $4 + 0 > max + 0 { max = $4; f = $3 } END { print f }' "$T/truth")
	close=$(awk '$2 == "off-cpu" || $2 == "wait" { s[$2, $3] = $4; if ($4 + 0 > max[$2] + 0) max[$2] = $4 }
	    END { for (k in s) { split(k, kf, SUBSEP); if (s[k] + 15 >= max[kf[1]]) print kf[2] } }' "$T/truth" | sort -u)
	first=$(awk '$1 ~ /^[0-9]+\.$/ && $2 ~ /^known-op\/(lock-wait|io-wait|sleep|child-pipe-wait)$/ { print $2; exit }' "$T/an")
	echo "first wait finding: $first; the truth's longest waits: $(echo $close)" >&2
	ok=
	for f in $close; do
		if [ "$first" = "known-op/$(kind_of "$f")" ]; then ok=$f; fi
	done
	[ -n "$ok" ] || fail "the first wait finding is $first, not that of $top (known-op/$(kind_of "$top")): $(cat "$T/an")"
	# A function whose waits the analysis cannot see (under its 5% threshold) cannot be asked
	# for: on a busy machine the contenders of the mutex workload rarely meet (each waits for
	# a CPU far longer than the other holds the lock).  Then no finding may claim more of it.
	want=$(awk -v f="$func" '$2 == "off-cpu" && $3 == f { print $4 }' "$T/truth")
	funcs=$func
	if awk -v w="$want" 'BEGIN { exit !(w + 0 < 8) }'; then
		echo "$func waited only $want% of the time in the truth: its finding is not required" >&2
		funcs=
		got=$(finding "$T/an" "$(kind_of "$func")" | awk 'NR == 1 { sub(/%/, "", $3); print $3 + 0 }')
		[ -z "$got" ] || awk -v g="$got" -v w="$want" 'BEGIN { exit !(g <= w + 5) }' ||
			fail "the known-op/$(kind_of "$func") finding claims $got%, the workload measured $want% in $func"
	fi
	for f in "$ok" $funcs; do
		finding "$T/an" "$(kind_of "$f")" > "$T/one"
		grep -Eq "(^|[ >(])$f([ >),]|$)" "$T/one" || fail "the known-op/$(kind_of "$f") finding does not name $f: $(cat "$T/an")"
		grep -q 'of the off-CPU time' "$T/one" || fail "the finding is not worded in off-CPU time: $(cat "$T/one")"
	done
	expect 0 "$FREC" report --analyze "$@" -i "$T/t.zst" -o "$T/cpu-an"
	! grep -Eq '^[0-9]+\. known-op/(lock-wait|io-wait|sleep|child-pipe-wait)' "$T/cpu-an" ||
		fail "the CPU profile has findings of waits: $(cat "$T/cpu-an")"
}
