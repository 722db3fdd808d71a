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
# the frames below the [off-cpu] root are of the off CPU class, the naps' do_nanosleep among them
awk '/^<g><title>do_nanosleep$/ { on = 1 } on && /^\[/ { print } /<\/title>/ { on = 0 }' "$T/w.svg" | grep -qx '\[off CPU\]' ||
	fail "no do_nanosleep frame is of the off CPU class"
page views.html "svg=file://$T/w.svg&step=legend&key=off%20CPU"
grep -q '^keys .*off CPU' "$T/results" || { cat "$T/results" >&2; fail "the legend has no off CPU key"; }
# N/M: of the M frames of the class (then of the others), N dimmed, or N/M left when hidden
n=$(sed -n 's/^key_before 0\/\([0-9]*\) 0\/\([0-9]*\)$/\1 \2/p' "$T/results")
[ -n "$n" ] || { cat "$T/results" >&2; fail "frames were dim before any click"; }
set -- $n
[ "$1" -gt 0 ] && [ "$2" -gt 0 ] || { cat "$T/results" >&2; fail "no off CPU frames ($1) or no others ($2)"; }
is key_dim "$1/$1 0/$2 key dim"
is key_hide "0/0 0/$2 key off"
is key_show 'as before key'
