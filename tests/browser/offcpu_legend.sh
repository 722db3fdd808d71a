#!/bin/sh
# SPDX-License-Identifier: MIT
# The "off CPU" legend key of a wall-clock flame graph (frec report --wall) in headless Chromium
# (tests/browser/views.html?step=legend): a click dims the frames of time waited, a second hides
# them, a third shows them, as the other keys do; the frames on CPU stay as they are, and shown
# again none stays dim.  Skips when chromium is absent or perf_event_open is refused.
. "$FREC_TEST_SRCDIR/browser/lib.sh"
require_perf

"$FREC" record -q --off-cpu -o "$T/t.zst" -- "$FREC_TEST_BUILDDIR/workloads/frec-offcpu" sleep 0.5 2>"$T/rec.err" ||
	{ cat "$T/rec.err" >&2; fail "frec record --off-cpu failed"; }
"$FREC" report --wall -i "$T/t.zst" --svg "$T/w.svg" 2>/dev/null || fail "frec report --wall failed"
# do_nanosleep is only ever off CPU (the workload's naps); burn is on CPU, and off it when preempted
grep -q '<title>do_nanosleep' "$T/w.svg" || fail "the wall-clock graph lacks do_nanosleep"
grep -q '<title>burn' "$T/w.svg" || fail "the wall-clock graph lacks burn"
page views.html "svg=file://$T/w.svg&step=legend&key=off%20CPU&frame=do_nanosleep&other=burn"
grep -q '^keys .*off CPU' "$T/results" || { cat "$T/results" >&2; fail "the legend has no off CPU key"; }
is key_dim '0.3 1 key dim'
is key_hide 'gone 1 key off'
is key_show '1 1 key'
