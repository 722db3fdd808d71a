#!/bin/sh
# ./quickstart.sh demo is quiet and informative, and every command it suggests runs as printed.
# The demo runs in a copy of what it needs (the script, the demo workload, the man pages) with
# this build's frec installed in a private prefix on $PATH and $MANPATH, as the quick start
# installs it (FREC_QUICKSTART_BUILT=1 skips the packages, the build and the installation).
# Then each suggested command ("    $ ..." lines, and frec record's "next:") is run there.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf
command -v man > /dev/null 2>&1 || fail "man is not installed (man-db): the suggested man command cannot run"

top=$FREC_TEST_SRCDIR/..
qs=$T/qs
mkdir -p "$qs/tests/workloads" "$qs/man" "$T/prefix/bin" "$T/prefix/share/man/man1" "$T/prefix/share/man/man5" \
	"$T/prefix/share/man/man7"
cp "$top/quickstart.sh" "$qs/"
cp "$FREC_TEST_BUILDDIR/workloads/frec-demo" "$FREC_TEST_BUILDDIR/workloads/libfrecdemo.so" "$qs/tests/workloads/"
cp "$top"/man/*.[157] "$qs/man/"
ln -s "$FREC" "$T/prefix/bin/frec"
for p in "$top"/man/*.[157]; do
	cp "$p" "$T/prefix/share/man/man${p##*.}/"
done
export PATH="$T/prefix/bin:$PATH" MANPATH="$T/prefix/share/man" MANPAGER=cat PAGER=cat

(cd "$qs" && FREC_QUICKSTART_BUILT=1 expect 0 sh quickstart.sh demo)
cat "$T/out" "$T/err" > "$T/all"

# Quiet: no build-system noise, no record types, no stale text, and the report's own warnings
# are not hidden.
grep -nE "^ar: |warning: .*(automake|autoconf)|installing 'build-aux" "$T/all" && fail "build-system noise"
grep -nwE 'MMAP2|COMM|FORK|SAMPLE|KSYMS|BUILD_ID|ROUND' "$T/all" && fail "record types in the quick start's output"
grep -n 'land with the symbolizer' "$T/all" && fail "stale fallback text"
grep -nE 'frec.* 2> */dev/null' "$top/quickstart.sh" && fail "quickstart.sh hides frec's warnings"
grep -q '^==> findings' "$T/out" || fail "no findings in the demo"
[ -s "$qs/demo.svg" ] || fail "no demo.svg"

# Informative: the package lines say why (checked in the script: the packages are installed here).
grep -q 'say "installing$missing ($why)"' "$top/quickstart.sh" || fail "package installation does not say why"

# Every suggested command, as printed.
{
	sed -n 's/^    \$ \(.*\)$/\1/p' "$T/out" | sed 's/  *# .*$//'
	sed -n 's/^frec: next: \(.*[^ ]\)   (.*$/\1/p' "$T/err"
	grep -o '`frec [^`]*`' "$T/out" | tr -d '`'
} > "$T/suggested"
[ "$(wc -l < "$T/suggested")" -ge 4 ] || { cat "$T/out" "$T/err" >&2; fail "too few suggestions found"; }
while read -r cmd; do
	(cd "$qs" && expect 0 sh -c "$cmd" < /dev/null) || fail "'$cmd' as printed failed"
	[ -s "$T/out" ] || [ -s "$qs/demo.folded" ] || fail "'$cmd' printed nothing"
done < "$T/suggested"
grep -q '^man ' "$T/suggested" || fail "no man page suggested"
exit 0
