#!/bin/sh
# frec record as root against another user's process: the /tmp/perf-PID.map that process makes is
# read only when it is a regular file of that user, of at most 64 MiB.  A symbolic link (to a file
# only root may read), a FIFO (which blocked frec for ever in open()), a hard link to another
# user's file or a huge file is skipped with one warning naming it, and recording goes on.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

command -v setpriv > /dev/null || skip "setpriv (util-linux) is not installed"
[ "$(id -u)" = 0 ] || skip "needs root to profile another user's process"

pid=
other=$(mktemp /tmp/frec-other.XXXXXX)
cleanup() {
	if [ -n "$pid" ]; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		rm -f "/tmp/perf-$pid.map"
	fi
	pid=
}
trap 'cleanup; rm -f "$other"; rm -rf "$T"' EXIT

echo 'SECRET-OF-ROOT' > "$T/secret"
chmod 600 "$T/secret"
printf '1000 10 OTHER-USERS-SECRET\n' > "$other"
chown 1:1 "$other" # daemon's; writable by all, so that fs.protected_hardlinks lets nobody link it
chmod 666 "$other"

# record MAKE: as nobody, a shell makes its own /tmp/perf-$$.map with the command MAKE and then
# spins; frec -p records it for half a second.  Nothing may block: a hang is a failure.  The shell
# stops itself first, so that a stale map an earlier process of the same pid left in /tmp (node
# and python leave theirs) is removed before the shell makes its own.
record() {
	cleanup
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'kill -STOP $$; '"$1"' && while :; do :; done' sh &
	pid=$!
	i=0
	until [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" = T ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "the target did not stop itself: $1"
		sleep 0.05
	done
	rm -f "/tmp/perf-$pid.map"
	kill -CONT "$pid"
	i=0
	until [ -e "/tmp/perf-$pid.map" ] || [ -L "/tmp/perf-$pid.map" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "the target did not make its perf map with: $1"
		sleep 0.05
	done
	expect 0 timeout -s KILL 60 "$FREC" record -q -p "$pid" -d 0.5 -o "$T/t.zst"
	"$FREC" dump -i "$T/t.zst" > "$T/dump"
	grep -q ' FOOTER .*duration' "$T/dump" || fail "the recording did not go on to its end ($1)"
}

# refused REASON: the map was not copied, and one warning names it and says why.
refused() {
	n=$(grep -c "perf-$pid\.map" "$T/err" || true)
	[ "$n" = 1 ] || { cat "$T/err" >&2; fail "$n lines about the perf map, expected one warning"; }
	grep_err "^frec: .*/tmp/perf-$pid\.map: not read: $1"
	grep -q " PERF_MAP pid $pid " "$T/dump" && fail "the perf map was copied although $1"
	! zstd -dc "$T/t.zst" 2>/dev/null | grep -aq 'SECRET' || fail "a secret reached the trace"
}

# A regular file of the process's user is copied, silently.
record 'printf "1000 10 jitted_fn\n" > /tmp/perf-$$.map'
grep -q " PERF_MAP pid $pid bytes 18 lines 1" "$T/dump" || fail "the target's own perf map was not copied"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "warnings about a good perf map"; }

record 'ln -s '"$T/secret"' /tmp/perf-$$.map'
refused 'it is a symbolic link'

record 'mkfifo /tmp/perf-$$.map'
refused 'it is a FIFO, not a regular file'

record 'ln '"$other"' /tmp/perf-$$.map'
refused 'it belongs to uid 1, not to the process.s user \(uid 65534\) or root'

record 'truncate -s 65M /tmp/perf-$$.map'
refused 'it is larger than the limit of 64 MiB'
exit 0
