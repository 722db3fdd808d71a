#!/bin/sh
# Where frec record writes its trace: a new file readable by its owner only (it holds stack
# memory), never through a symbolic link or into another user's file or a FIFO, and with -o - to
# standard output (never a terminal), the launched command's own output going to standard error.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
require_perf

demo="$FREC_TEST_BUILDDIR/workloads/frec-demo"
cd "$T"

# 0600 whatever the umask, also when an existing file of ours is replaced.
expect 0 sh -c 'umask 022 && exec "$@"' sh "$FREC" record -q -o new.zst -- true
[ "$(stat -c %a new.zst)" = 600 ] || fail "a new trace is mode $(stat -c %a new.zst), not 600"
echo old > old.zst
chmod 644 old.zst
expect 0 "$FREC" record -q -o old.zst -- true
[ "$(stat -c %a old.zst)" = 600 ] || fail "a replaced trace is mode $(stat -c %a old.zst), not 600"
"$FREC" dump -i old.zst --summary > /dev/null 2>&1 || fail "the replaced file does not hold a trace"

# A link planted where the trace goes (as root, it would overwrite the file it aims at).
echo keep > victim
ln -s victim link.zst
expect 1 "$FREC" record -o link.zst -- true
grep_err '^frec record: refusing to write link.zst: it is a symbolic link$'
grep_err '^hint: '
one_line_err
[ "$(cat victim)" = keep ] || fail "the trace was written through a symbolic link"
# A FIFO blocked open(2) until someone read it.
mkfifo fifo
expect 1 timeout -s KILL 30 "$FREC" record -o fifo -- true
grep_err '^frec record: refusing to write fifo: it is a FIFO, not a regular file$'
grep_err '^hint: write to standard output with -o -'
if [ "$(id -u)" = 0 ]; then
	# another user's file, pre-created world-writable to receive the trace
	: > theirs.zst
	chown 65534 theirs.zst
	chmod 666 theirs.zst
	expect 1 "$FREC" record -o theirs.zst -- true
	grep_err '^frec record: refusing to write theirs.zst: it belongs to uid 65534, not to uid 0$'
	[ ! -s theirs.zst ] || fail "the trace went into another user's file"
fi

# -o -: the trace on standard output, the command's output on standard error; no file named '-'.
"$FREC" record -q -o - -- "$demo" -d 0.3 -c 0 -t 0 > piped.zst 2> "$T/err" || fail "frec record -o - failed: $(cat "$T/err")"
[ ! -e ./- ] || fail "-o - made a file named '-'"
grep_err '^frec-demo: done'
"$FREC" dump -i piped.zst > dump || fail "the trace written to standard output is not readable"
grep -q ' SAMPLE ' dump || fail "no samples in the trace written to standard output"
grep -q ' FOOTER ' dump || fail "no footer in the trace written to standard output"
# and through a pipe, which cannot seek
"$FREC" record -q -o - -- true | cat > cat.zst
"$FREC" dump -i cat.zst --summary > /dev/null 2>&1 || fail "a trace written into a pipe is not readable"
# never to a terminal
if command -v script > /dev/null; then
	script -qec "'$FREC' record -o - -- true" /dev/null > tty.out 2>&1 || true
	grep -q 'refusing to write a trace to the terminal' tty.out || fail "a trace went to a terminal: $(head -c 200 tty.out)"
fi
exit 0
