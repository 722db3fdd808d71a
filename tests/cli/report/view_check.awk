# SPDX-License-Identifier: MIT
# Checks a text view of frec report (--tree, or --callers FUNC) against the folded stacks of the same
# profile, recomputed here from scratch: awk -v view=tree|callers [-v func=F] [-v pct=P] -f
# view_check.awk FOLDED VIEW.  Every line's path, shares, order and marker, every recursion tower
# and the absence of any path the view should show; prints what differs and exits 1, or prints
# "ok: N lines, M paths".  Names are compared as the folded output writes them (kinds as _[k], _[i],
# _[j]); the module after the name is dropped, as the folded stacks do not carry it.

# The function a frame name stands for, as frec counts functions (its clone suffixes, glibc's __GI_
# alias and a JIT tier left out, the kind kept, inlined or not), written again here from the
# contract in include/frec/profile.h.  An unknown frame is no function (""): two of them are not
# recursion.
function key(n,    kind, t) {
	kind = ""
	if (n ~ /^\[unknown\]/)
		return ""
	sub(/_\[i\]$/, "", n)
	if (n ~ /_\[[kj]\]$/) {
		kind = substr(n, length(n) - 3)
		n = substr(n, 1, length(n) - 4)
	}
	if (n ~ /^__GI_./)
		n = substr(n, 6)
	if (match(n, /^(JS:|LazyCompile:|Function:|Script:)/)) {
		if (substr(n, RLENGTH + 1, 1) ~ /[*~^+]/)
			n = substr(n, 1, RLENGTH) substr(n, RLENGTH + 2)
		return n kind
	}
	for (;;) {
		t = n
		if (sub(/[0-9]+$/, "", t))
			sub(/\.$/, "", t)
		if (!match(t, /(\.constprop|\.part|\.isra|\.cold|\.lto_priv|\.localalias|\.clone)$/) || RSTART == 1)
			break
		n = substr(t, 1, RSTART - 1)
	}
	return n kind
}

# --callers FUNC matches a frame by its exact name or by its function's, whatever its kind (a C++
# name's parameters, which frec may leave out too, are not needed here).
function matches(n,    k) {
	k = n
	sub(/_\[[kij]\]$/, "", k)
	if (k == func)
		return 1
	k = key(n)
	sub(/_\[[kj]\]$/, "", k)
	return k == func
}

# A count as the text views print it: 1,234,567.
function commas(n,    s) {
	s = sprintf("%d", n)
	while (match(s, /[0-9][0-9][0-9][0-9](,|$)/))
		s = substr(s, 1, RSTART) "," substr(s, RSTART + 1)
	return s
}

function join(p, n) { return p == "" ? n : p ";" n }

function bad(msg) {
	printf "line %d: %s\n    %s\n", FNR, msg, $0
	errors++
}

function add(path, c,    i, p) {
	if (!(path in tot)) {
		p = path
		i = match(p, /;[^;]*$/) ? RSTART : 0
		parent[path] = i ? substr(p, 1, i - 1) : (view == "callers" ? "@" : "")
		npath++
	}
	tot[path] += c
}

# A folded stack: root first, the count last.
FNR == NR && (/^#/ || !NF) { next }
FNR == NR {
	c = $NF
	sub(/ [0-9]+$/, "")
	n = split($0, fr, ";")
	total += c
	if (view == "tree") {
		p = ""
		for (i = 1; i <= n; i++) {
			p = join(p, fr[i])
			add(p, c)
		}
		self[p] += c
		next
	}
	# callers: a sample is the innermost node of the function's, its callers reversed below it
	for (i = n; i >= 1 && !matches(fr[i]); i--)
		;
	if (i < 1)
		next
	base += c
	if (i == n)
		fself += c
	p = "@"
	for (i--; i >= 1; i--) {
		p = p ";" fr[i]
		add(p, c)
	}
	next
}

# The view: the shown nodes are those of at least pct percent of the 100% of the second column.
FNR == 1 {
	if (view == "tree")
		base = total
	min = pct > 0 ? pct / 100 * base : 0
	if (min != int(min))
		min = int(min) + 1
	for (p in tot)
		if (tot[p] >= min)
			kids[parent[p]]++
	if (view == "callers") {
		tot["@"] = base
		want = sprintf("^callers of .*: %s samples, %.2f%% of all, self %.2f%%", commas(base), 100 * base / total,
			       100 * fself / total)
		if ($0 !~ want)
			bad("heading, expected /" want "/")
	}
}

!/^ *[0-9.]+%  +[0-9.]+%  / { next }

{
	t = substr($0, 1, 7) + 0
	s = substr($0, 10, 7) + 0
	rest = substr($0, 19)
	col = 0
	marker = 0
	while (match(rest, /^(\|  |   |\|- |`- )/)) {
		marker = substr(rest, 2, 1) == "-"
		rest = substr(rest, 4)
		col += 3
	}
	levels = 1
	if (match(rest, /  \[recursion: [0-9]+ levels\]$/)) {
		levels = substr(rest, RSTART + 14) + 0
		rest = substr(rest, 1, RSTART - 1)
	}
	sub(/  \([^()]*\)$/, "", rest)
	sub(/ \[kernel\]$/, "_[k]", rest)
	sub(/ \[jit\]$/, "_[j]", rest)
	sub(/ \[inlined\]$/, "_[i]", rest)
	lines++

	if (view == "callers" && lines == 1) {
		if (!matches(rest) || col || marker)
			bad("the first line is not " func)
		up = ""
		path = "@"
	} else {
		if (marker) {
			up = ""
			for (i = lines - 1; i >= 1; i--)
				if (lcol[i] == col - 3) {
					up = lend[i]
					break
				}
			if (i < 1 && col != 3)
				bad("a sibling with no caller line")
			if (i < 1 && view == "callers")
				bad("a caller outside the function's tree")
			if (kids[up] < 2)
				bad("marked as one of " kids[up] + 0 " children")
		} else {
			up = lines > 1 ? lend[lines - 1] : ""
			if (kids[up] != 1)
				bad("in its caller's column, but one of " kids[up] + 0 " children")
		}
		path = join(up, rest)
	}
	if (!(path in tot) || tot[path] < min) {
		bad("no such shown path " path)
		next
	}
	if (marker && (up in last) && tot[path] > last[up])
		bad("heavier than the sibling above it")
	last[up] = tot[path]
	if (sprintf("%.2f", t) != sprintf("%.2f", 100 * tot[path] / total))
		bad(sprintf("total %.2f%%, expected %.2f%%", t, 100 * tot[path] / total))

	# the tower: each level the one shown child of the level above, of the same function
	top = path
	sum = self[path]
	seen[path]++
	for (l = 2; l <= levels; l++) {
		nxt = ""
		for (p in tot)
			if (parent[p] == path && tot[p] >= min)
				nxt = p
		if (kids[path] != 1 || key(rest) == "" || key(substr(nxt, length(path) + 2)) != key(rest)) {
			bad("level " l " of the tower is not the one child of level " l - 1)
			break
		}
		path = nxt
		sum += self[path]
		seen[path]++
	}
	if (kids[path] == 1 && key(rest) != "")
		for (p in tot)
			if (parent[p] == path && tot[p] >= min && key(substr(p, length(path) + 2)) == key(rest))
				bad("the tower ends before its level " levels + 1)
	# the tree's second column is the tower's self; the callers', the share of the function that
	# the line's first column is of all (the top level's, which holds what is hidden below it)
	second = view == "tree" ? 100 * sum / total : 100 * tot[lines == 1 && view == "callers" ? "@" : top] / base
	if (view == "callers" && lines == 1)
		second = 100
	if (sprintf("%.2f", s) != sprintf("%.2f", second))
		bad(sprintf("second column %.2f%%, expected %.2f%%", s, second))
	lcol[lines] = col
	lend[lines] = path
}

END {
	for (p in tot)
		if (p != "@" && tot[p] >= min && !(p in seen)) {
			printf "missing from the view: %s (%d)\n", p, tot[p]
			errors++
		}
	for (p in seen)
		if (seen[p] > 1) {
			printf "shown %d times: %s\n", seen[p], p
			errors++
		}
	if (!lines) {
		print "no lines in the view"
		errors++
	}
	if (errors)
		exit 1
	printf "ok: %d lines, %d paths\n", lines, npath
}
