#!/bin/sh
# Off-CPU options and their errors: --off-cpu in record, report and diff help; the trace's version
# (3 with stack copies, else 2 with off-CPU samples, 1 without); --off-cpu-min at report time; text, SVG and diff outputs;
# one-line errors with a hint for an off-CPU report of a trace or file that has none.
. "$FREC_TEST_SRCDIR/cli/offcpu/common.sh"

expect 0 "$FREC" record --help
grep_out -- '--off-cpu  .*switch'
grep_out 'CAP_PERFMON or perf_event_paranoid <= 1'
expect 0 "$FREC" report --help
grep_out -- '--off-cpu-min USEC'
grep_out 'applied here, at'
expect 0 "$FREC" diff --help
grep_out -- '--off-cpu '

expect 2 "$FREC" report --off-cpu-min 10 -i /dev/null
grep_err 'off-cpu-min is for off-CPU profiles'
one_line_err
expect 2 "$FREC" report --off-cpu --off-cpu-min x
one_line_err
expect 2 "$FREC" report --off-cpu --wall -i /dev/null
grep_err 'exclude each other'
one_line_err

record_mode sleep
cp "$T/t.zst" "$T/a.zst"
expect 0 "$FREC" dump -i "$T/a.zst"
# its stack copies (the default call graph, auto) may be stack deltas: version 3
grep_out 'HEADER version 3\.'
grep_out '^ *off-cpu type 1 config 0x3 period 1'
grep_out 'SWITCH pid [0-9]+ tid [0-9]+ out'
grep_out 'SWITCH pid [0-9]+ tid [0-9]+ in'

# --off-cpu-min drops the 1 ms naps (not those a busy machine made longer: a woken thread waits for
# a CPU too), keeps the 3 ms ones,
# and says what it left out; no wait lasts 100 s.
weight() { awk -v f="$2" '$0 ~ f { s += $NF } END { print s + 0 }' "$1"; }
expect 0 "$FREC" report --off-cpu -i "$T/a.zst" --folded -o "$T/all"
expect 0 "$FREC" report --off-cpu --off-cpu-min 2000 -i "$T/a.zst" --folded -o "$T/min"
grep_err 'shorter than 2000 us .* left out'
[ "$(weight "$T/min" nap_long)" -gt "$(($(weight "$T/all" nap_long) * 9 / 10))" ] ||
	fail "--off-cpu-min 2000 dropped the 3 ms naps"
[ "$(weight "$T/min" nap_short)" -lt "$(weight "$T/all" nap_short)" ] ||
	fail "--off-cpu-min 2000 kept all the 1 ms naps"
expect 0 "$FREC" report --off-cpu --off-cpu-min 100000000 -i "$T/a.zst" --folded -o "$T/none"
[ ! -s "$T/none" ] || fail "waits shorter than 100 s were kept"
grep_err ' 0 waits, .*shorter than 100000000 us'

# text and SVG
expect 0 "$FREC" report --off-cpu --top 100 -i "$T/a.zst"
grep_out '^event: +off-cpu'
grep_out 's off CPU shown'
grep_out 'nap_long  \(frec-offcpu\)'
grep_out 'do_nanosleep \[kernel\]'
# the scheduler's frames are cut: the stacks end in the reason (the "self" table names it)
! grep -q ' schedule \[kernel\]' "$T/out" || fail "the stacks still end in schedule()"
grep_out '^ +[0-9.]+% +[0-9,]+ +[0-9.]+% +futex_wait \[kernel\]'
expect 0 "$FREC" report --off-cpu -i "$T/a.zst" --svg "$T/f.svg"
grep -q 'nap_long' "$T/f.svg" || fail "the SVG lacks nap_long"
grep -q ' ns' "$T/f.svg" || fail "the SVG does not show nanoseconds"

# a diff of two off-CPU profiles compares time waited (two runs of one workload may differ by
# nothing the text diff lists: the graph holds every frame)
record_mode sleep
expect 0 "$FREC" diff --off-cpu "$T/a.zst" "$T/t.zst"
grep_out '^before \(baseline\): .* ns, '
grep_out 'normali[sz]'
expect 0 "$FREC" diff --off-cpu "$T/a.zst" "$T/t.zst" --svg "$T/d.svg"
grep -q 'nap_long' "$T/d.svg" || fail "the off-CPU diff graph lacks nap_long"
expect 0 "$FREC" diff --wall "$T/a.zst" "$T/t.zst" --svg "$T/w.svg"
grep -q 'nap_long' "$T/w.svg" || fail "the wall-clock diff graph lacks nap_long"
grep -q 'off-cpu' "$T/w.svg" || fail "the wall-clock diff graph lacks its [off-cpu] root"

# Without stack copies, version 2 (older frec reads it, with off-CPU samples) or 1 (without); an
# off-CPU report of the latter is refused with a hint.
expect 0 "$FREC" record -q --off-cpu --call-graph fp -o "$T/fp.zst" -- "$OFFCPU" sleep 0.2
expect 0 "$FREC" dump -i "$T/fp.zst"
grep_out 'HEADER version 2\.'
expect 0 "$FREC" record -q --call-graph fp -o "$T/cpu.zst" -- "$OFFCPU" sleep 0.2
expect 0 "$FREC" dump -i "$T/cpu.zst"
grep_out 'HEADER version 1\.'
! grep -q 'off-cpu' "$T/out" || fail "a trace without --off-cpu has an off-cpu event"
expect 1 "$FREC" report --off-cpu -i "$T/cpu.zst"
grep_err 'no off-CPU samples'
grep_err '^hint: .*record --off-cpu'
one_line_err
expect 0 "$FREC" report --off-cpu -i "$T/a.zst" --folded -o "$T/folded"
expect 1 "$FREC" report --off-cpu -i "$T/folded"
grep_err 'not a trace'
one_line_err
expect 1 "$FREC" report --wall -i "$T/cpu.zst"
grep_err 'no off-CPU samples'
one_line_err
