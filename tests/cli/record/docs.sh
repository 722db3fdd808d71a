#!/bin/sh
# The security promises are written down where users look: frec-record(1) and the README say what
# a trace holds, who may read it, how perf maps and outputs are opened and how to report a
# problem; frec-trace(5) and --help say traces are private and where -o - writes.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

top=$FREC_TEST_SRCDIR/..
page=$top/man/frec-record.1
has() { grep -qE -- "$2" "$1" || fail "$(basename "$1") does not say /$2/"; }

has "$page" '^\.Sh SECURITY$'
sed -n '/^\.Sh SECURITY$/,/^\.Sh /p' "$page" > "$T/security"
for what in 'stack' 'command line' 'host name' 'perf map' 'mode 0600' 'O_NOFOLLOW' 'O_NONBLOCK' \
	'RESOLVE_IN_ROOT' '64 MiB' '\.zst' 'issue marked'; do
	has "$T/security" "$what"
done
has "$top/man/frec-trace.5" 'mode 0600'
has "$top/README.md" '^## Security$'
sed -n '/^## Security$/,/^## /p' "$top/README.md" > "$T/readme"
for what in 'stack' 'command lines' 'host name' 'perf maps?' '0600' 'O_NOFOLLOW' '64 MiB' 'issue marked'; do
	has "$T/readme" "$what"
done

expect 0 "$FREC" record --help
grep_out 'readable by you only'
grep_out '[-] writes it'
exit 0
