#!/bin/sh
# frec report --tree and --callers checked against the folded stacks they come from, recomputed
# independently by view_check.awk: every path's share, the markers, the order of siblings, the
# recursion towers and the limit.  On the views' sample stacks and on their --collapse-recursion,
# itself checked against a collapse done here.  (views_record.sh does the same on a recording.)
. "$FREC_TEST_SRCDIR/cli/lib.sh"

CHECK="$FREC_TEST_SRCDIR/cli/report/view_check.awk"
V=$FREC_TEST_DATA/report/views.folded

# check_views FOLDED REPORT-ARGS...: the tree at several limits and the callers of every function
# of FOLDED, as frec report REPORT-ARGS prints them, agree with FOLDED.
check_views() {
	folded=$1
	shift
	for pct in 0 0.5 5 20; do
		expect 0 "$FREC" report "$@" --tree --percent-limit "$pct"
		awk -v view=tree -v pct="$pct" -f "$CHECK" "$folded" "$T/out" > "$T/check" ||
			fail "--tree --percent-limit $pct: $(cat "$T/check")"
	done
	# every function, by the name --callers is given (its kind suffix left out)
	sed '/^#/d; s/ [0-9]*$//' "$folded" | tr ';' '\n' | sed 's/_\[[kij]\]$//' | sort -u > "$T/funcs"
	[ -s "$T/funcs" ] || fail "no functions in $folded"
	while IFS= read -r f; do
		for pct in 0 5; do
			expect 0 "$FREC" report "$@" --callers "$f" --percent-limit "$pct"
			awk -v view=callers -v func="$f" -v pct="$pct" -f "$CHECK" "$folded" "$T/out" > "$T/check" ||
				fail "--callers $f --percent-limit $pct: $(cat "$T/check")"
		done
	done < "$T/funcs"
	echo "$folded: $(wc -l < "$T/funcs") functions"
}

# collapse FOLDED: FOLDED with each frame that is of the function of the frame above it left out
# (direct recursion), as "stack count" lines, summed and sorted.  The function of a frame: its name
# less clone suffixes (a clone calling its original is recursion) and an inlined mark; an unknown
# frame is no function.
collapse() {
	awk '
	function key(n) {
		if (n ~ /^\[unknown\]/)
			return "?" NR ":" ++unknown
		sub(/_\[i\]$/, "", n)
		while (match(n, /\.(constprop|part|isra|cold|lto_priv|localalias|clone)(\.[0-9]+)?$/) && RSTART > 1)
			n = substr(n, 1, RSTART - 1)
		return n
	}
	/^#/ || !NF { next }
	{
		c = $NF
		sub(/ [0-9]+$/, "")
		n = split($0, fr, ";")
		s = fr[1]
		for (i = 2; i <= n; i++)
			if (key(fr[i]) != key(fr[i - 1]))
				s = s ";" fr[i]
		sum[s] += c
	}
	END { for (s in sum) print s " " sum[s] }' "$1" | sort
}

# --collapse-recursion: the same stacks as collapsed here, and its views agree with them
for input in "$V" "$FREC_TEST_DATA/report/towers.folded"; do
	check_views "$input" -i "$input"
	collapse "$input" > "$T/collapsed.folded"
	grep -q 'walk;walk' "$T/collapsed.folded" && fail "the collapse left walk;walk"
	expect 0 "$FREC" report -i "$input" --folded --collapse-recursion
	sort "$T/out" > "$T/frec-collapsed"
	cmp -s "$T/collapsed.folded" "$T/frec-collapsed" ||
		{ diff -u "$T/collapsed.folded" "$T/frec-collapsed" >&2 || :; fail "--collapse-recursion differs from the collapse"; }
	check_views "$T/collapsed.folded" -i "$input" --collapse-recursion
done

# The checker finds what is wrong: a share, a sibling out of order, a missing path, a wrong tower.
expect 0 "$FREC" report -i "$V" --tree --percent-limit 0
sed 's/^ 37\.50%/ 37.49%/' "$T/out" > "$T/bad"
awk -v view=tree -f "$CHECK" "$V" "$T/bad" > "$T/check" && fail "a wrong share passed"
grep -q 'total 37.49%, expected 37.50%' "$T/check" || fail "$(cat "$T/check")"
sed -n '3,8p' "$T/out" | grep -q '^ 15.62%   15.62%  |  |  |- checksum$' || fail "not the tree expected: $(cat "$T/out")"
sed '6{h;d};7{H;d};8G' "$T/out" > "$T/bad"
awk -v view=tree -f "$CHECK" "$V" "$T/bad" > "$T/check" && fail "siblings out of order passed"
grep -q 'heavier than the sibling above it' "$T/check" || fail "$(cat "$T/check")"
sed '/lex$/d' "$T/out" > "$T/bad"
awk -v view=tree -f "$CHECK" "$V" "$T/bad" > "$T/check" && fail "a missing path passed"
grep -q 'missing from the view: main;serve;handle;parse.constprop.0;lex' "$T/check" || fail "$(cat "$T/check")"
sed 's/\[recursion: 4 levels\]/[recursion: 3 levels]/' "$T/out" > "$T/bad"
awk -v view=tree -f "$CHECK" "$V" "$T/bad" > "$T/check" && fail "a short tower passed"
expect 0 "$FREC" report -i "$V" --callers cmp --percent-limit 0
sed 's/^  1\.88%   25\.00%  |  `- sort$/  1.88%   25.00%  |  `- handle/' "$T/out" > "$T/bad"
cmp -s "$T/out" "$T/bad" && fail "the callers' edit did not apply"
awk -v view=callers -v func=cmp -f "$CHECK" "$V" "$T/bad" > "$T/check" && fail "a wrong caller passed"
exit 0
