#!/bin/sh
# The module boundaries, checked on the archives the link uses: a module references no symbol that
# another module it must not see defines (ARCHITECTURE: the recorder never sees the symbolizer or
# the renderers; render and analyze see only the profile, which is common's; the symbolizer sees
# no recorder internals; common sees no module).  The CLI may see them all.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

top=$FREC_TEST_BUILDDIR/..
NM=${NM:-nm}
command -v "$NM" >/dev/null 2>&1 || fail "$NM is not installed"

# MODULE FORBIDDEN...: one rule per module
rules='
recorder symbolizer render analyze
symbolizer recorder render analyze
render symbolizer recorder analyze
analyze symbolizer recorder render
common recorder symbolizer render analyze
'

# symbols ARCHIVE defined|undefined: the global symbols the archive defines or needs, sorted
symbols() {
	if [ "$2" = defined ]; then
		"$NM" -g --defined-only "$1" | awk 'NF == 3 && $2 ~ /^[A-Z]$/ { print $3 }'
	else
		"$NM" -g --undefined-only "$1" | awk 'NF >= 2 { print $NF }'
	fi | sort -u
}

archive() { echo "$top/lib$1.a"; }

# The check must be able to see a reference across archives: the symbolizer's to common's.
[ -f "$(archive symbolizer)" ] && [ -f "$(archive common)" ] || fail "the archives are not built in $top"
symbols "$(archive symbolizer)" undefined >"$T/sym.u"
symbols "$(archive common)" defined >"$T/common.d"
[ -n "$(comm -12 "$T/sym.u" "$T/common.d")" ] || fail "no reference of the symbolizer to common found: the check sees nothing"

echo "$rules" | while read -r module forbidden; do
	[ -n "$module" ] || continue
	a=$(archive "$module")
	[ -f "$a" ] || continue # not a module of this build yet (analyze)
	symbols "$a" undefined >"$T/$module.u"
	for other in $forbidden; do
		b=$(archive "$other")
		[ -f "$b" ] || continue
		symbols "$b" defined >"$T/$other.d"
		comm -12 "$T/$module.u" "$T/$other.d" >"$T/cross"
		if [ -s "$T/cross" ]; then
			echo "$module uses symbols of $other:" >&2
			sed 's/^/  /' "$T/cross" >&2
			echo x >>"$T/bad"
		fi
	done
done
[ ! -f "$T/bad" ] || fail "module boundaries crossed (see above)"
exit 0
