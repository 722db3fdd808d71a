#!/bin/sh
# frec record as an unprivileged user under kernel.perf_event_paranoid=2: kernel samples are
# refused, so frec records user space only and says why; rings larger than the locked-memory
# limit are shrunk with a warning instead of failing.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

command -v setpriv > /dev/null || skip "setpriv (util-linux) is not installed"
[ "$(id -u)" = 0 ] || skip "needs root to switch to an unprivileged user"
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
[ "$paranoid" -ge 2 ] || skip "kernel.perf_event_paranoid is $paranoid: unprivileged users may sample the kernel"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_nobody test -x "$FREC" || skip "user nobody cannot run $FREC (its directory is private)"

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
mkdir "$T/out.d"
chmod 777 "$T" "$T/out.d"
expect 0 as_nobody "$FREC" -m 16384 -o "$T/out.d/u.zst" -- "$demo" -d 0.5 -c 0 -t 0
grep_err 'kernel samples are not permitted \(kernel.perf_event_paranoid is [0-9]\)'
grep_err 'ring buffers reduced to [0-9]+ pages'
"$FREC" dump -i "$T/out.d/u.zst" > "$T/dump"
grep -q ' SAMPLE ' "$T/dump" || fail "no samples as an unprivileged user"
grep -q ' SAMPLE .* kernel' "$T/dump" && fail "kernel samples despite exclude_kernel"

# System-wide needs privileges: the refusal names the event and says what to change.
expect 1 as_nobody "$FREC" -a -d 0.1 -o "$T/out.d/a.zst"
grep_err '^frec record: permission denied opening '
grep_err '^hint: kernel.perf_event_paranoid is [0-9]; run frec as root, give it CAP_PERFMON'
one_line_err
[ ! -e "$T/out.d/a.zst" ] || fail "a refused recording left a trace"
exit 0
