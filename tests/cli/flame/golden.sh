#!/bin/sh
# Exact outputs of small profiles (tests/data/flame/cases: flame graphs and diffs;
# tests/data/report/cases: the report's text views).  FREC_UPDATE_GOLDEN=1 (make update-golden)
# rewrites them instead of comparing.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

n=0
for D in "$FREC_TEST_DATA/flame" "$FREC_TEST_DATA/report"; do
	cd "$D"
	while read -r out args; do
		case $out in '' | '#'*) continue ;; esac
		eval "set -- $args"
		"$FREC" "$@" >"$T/$out" 2>"$T/err" || { cat "$T/err" >&2; fail "frec $args exited $?"; }
		[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "frec $args wrote to stderr"; }
		n=$((n + 1))
		if [ "${FREC_UPDATE_GOLDEN:-0}" = 1 ]; then
			cp "$T/$out" "$D/$out"
			echo "updated $D/$out"
			continue
		fi
		[ -f "$D/$out" ] || fail "no golden file $out: run make update-golden"
		if ! cmp -s "$T/$out" "$D/$out"; then
			diff -u "$D/$out" "$T/$out" | head -40 >&2
			fail "frec $args differs from $out (if the change is intended: make update-golden)"
		fi
		# And the same bytes a second time: nothing depends on time, addresses or the environment.
		"$FREC" "$@" 2>/dev/null | cmp -s - "$D/$out" || fail "frec $args is not deterministic"
	done <"$D/cases"
done
[ "$n" -ge 16 ] || fail "only $n golden cases ran"
