# SPDX-License-Identifier: MIT
# Shared by the unwinding cases: sourced after lib.sh, never run.

nofp="$FREC_TEST_BUILDDIR/workloads/nofp/nofp"
[ -x "$nofp" ] || fail "the nofp workload is not built: $nofp"

# record_nofp MODE: 2 s of the nofp workload at $freq Hz (999 unless set) into $T/t.zst, then its
# folded stacks (main thread only: the workload is single-threaded, and its threads are all named nofp).
record_nofp() {
	expect 0 "$FREC" record -q -F "${freq:-999}" --call-graph "$1" -o "$T/t.zst" -- "$nofp" 2
	expect 0 "$FREC" report -i "$T/t.zst" --folded --comm nofp
	cp "$T/out" "$T/folded"
	expect 0 "$FREC" report -i "$T/t.zst" --comm nofp
	cp "$T/out" "$T/report"
}

# samples: total weight of $T/folded; reaching_main: the weight of stacks that go through main.
samples() { awk '{ n += $NF } END { print n + 0 }' "$T/folded"; }
reaching_main() { awk '/(^|;)main;/ { n += $NF } END { print n + 0 }' "$T/folded"; }

# expect_complete: at least 99% of the samples reach main, each phase of the workload is there
# with its full depth, and the stack-health line reports under 1% truncated stacks.
expect_complete() {
	total=$(samples)
	main=$(reaching_main)
	[ "$total" -ge 200 ] || fail "only $total samples"
	[ $((main * 100)) -ge $((total * 99)) ] || {
		grep -v ';main;' "$T/folded" | sort -t' ' -k2 -nr | head -5 >&2
		fail "$main of $total samples reach main (< 99%)"
	}
	# 250 levels of recursion under main, in one stack
	awk -F';' '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^nofp_recurse/) n++; if (n > m) m = n }
		END { exit !(m >= 251) }' "$T/folded" || fail "no stack with the 251 nofp_recurse frames"
	grep -Eq ';main;nofp_phase_qsort;.*qsort.*;nofp_cmp' "$T/folded" || fail "no main -> qsort -> nofp_cmp stack"
	grep -Eq ';main;nofp_phase_dlopen;nofp_late_work;nofp_late_outer;nofp_late_inner' "$T/folded" ||
		fail "no stack through the dlopen'ed library"
	# The stack-health line: no truncation to speak of, no full stack copy.  (Unknown frames are a
	# naming matter, not an unwinding one: a sample in a PLT stub of libc has no symbol.)
	line=$(grep '^stack health' "$T/report") || fail "no stack-health line"
	case $line in
	'stack health: good'*) ;;
	'stack health: 0.'*'% of samples have a truncated stack'*) ;;
	'stack health: <0.1% of samples have a truncated stack'*) ;;
	*) fail "truncated stacks: $line" ;;
	esac
	# (a hint may name a larger copy as a fix for a stray truncated stack: not that)
	case $line in *'filled the stack copy'* | *'stack copy is too small'*) fail "stack copies too small: $line" ;; esac
}

# expect_rooted FOLDED WHAT: at least 99% of the samples of FOLDED (frames of user code) are in
# stacks that begin where threads begin: main's callers for the main thread (and a forked child),
# start_thread or clone3 for the others.
expect_rooted() {
	awk -v roots="$ROOTS_RE" -v what="$2" '
	{
		n = $NF; total += n; r = $0; sub(/;.*/, "", r); sub(/ [0-9]+$/, "", r); sub(/^__GI_/, "", r)
		if (r ~ roots) rooted += n
		else if (shown++ < 5) print "cut: " substr($0, 1, 200) > "/dev/stderr"
	}
	END {
		printf "%s: %d of %d samples in stacks that begin at a root\n", what, rooted, total > "/dev/stderr"
		exit !(total >= 200 && rooted * 100 >= total * 99)
	}' "$1" || fail "$2: fewer than 99% of the stacks are complete"
}

# expect_same_shares A B WHAT: two profiles of the same source, built two ways (folded stacks A and
# B, user frames only), give every function the same share of its part of the run, within 2 points
# plus sampling noise (3 standard errors).  A part is the subtree under the function main calls
# (a phase of the workload), or under the root for other threads: phases are split by wall time,
# which a busy machine skews from one run to the next.  Parts under 100 samples are left out.
expect_same_shares() {
	awk -v what="$3" '
	FNR == 1 { file++ }
	{
		n = $NF; s = $0; sub(/ [0-9]+$/, "", s); k = split(s, f, ";")
		part = f[1]
		for (i = 1; i < k; i++)
			if (f[i] == "main") { part = f[i + 1]; break }
		parts[file, part] += n; names[part] = 1
		delete seen
		for (i = 1; i <= k; i++) {
			if (f[i] in seen) continue
			seen[f[i]] = 1
			in_part[file, part, f[i]] += n
			funcs[part, f[i]] = 1
		}
	}
	END {
		for (key in funcs) {
			split(key, kp, SUBSEP); part = kp[1]; fn = kp[2]
			na = parts[1, part]; nb = parts[2, part]
			if (na < 100 || nb < 100) continue
			a = in_part[1, part, fn] / na; b = in_part[2, part, fn] / nb
			if (a < 0.01 && b < 0.01) continue
			d = 100 * (a > b ? a - b : b - a)
			tol = 2 + 300 * sqrt(a * (1 - a) / na + b * (1 - b) / nb)
			checked++
			if (d > tol) {
				printf "%s: %s under %s: %.1f%% and %.1f%% (tolerance %.1f points)\n", what,
					substr(fn, 1, 60), substr(part, 1, 40), 100 * a, 100 * b, tol > "/dev/stderr"
				bad++
			}
		}
		printf "%s: %d function shares compared\n", what, checked > "/dev/stderr"
		exit !(checked >= 3 && !bad)
	}' "$1" "$2" || fail "$3: function shares differ"
}

# expect_late_named FOLDED WHAT: at least 99% of the samples of FOLDED (the nofp workload in its
# dlopen phase, --call-graph dwarf) are in its library, named, under main: its files were found
# and unwound through.
expect_late_named() {
	awk -v what="$2" '
	{ n = $NF; total += n; if ($0 ~ /(^|;)main;nofp_phase_dlopen;nofp_late_work(;|_\[| )/) named += n }
	END {
		printf "%s: %d of %d samples named in the library under main\n", what, named, total > "/dev/stderr"
		exit !(total >= 100 && named * 100 >= total * 99)
	}' "$1" || { head -n 5 "$1" >&2; fail "$2: fewer than 99% of the samples named and unwound to main"; }
}
