#!/bin/sh
# frec renders what other tools' stack collapsers write (so it can replace flamegraph.pl in a
# pipeline): stackcollapse-perf.pl, inferno-collapse-*, py-spy --format raw, async-profiler
# collapsed; on a file or on standard input.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

D=$FREC_TEST_DATA/flame

# render FILE: frec report -i FILE --svg - into $T/out, no warnings.
render() {
	expect 0 "$FREC" report -i "$1" --svg -
	[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "$1: warnings"; }
}
# has NAME [NOTE]: a frame whose tooltip starts with NAME (escaped), optionally with a [NOTE] line.
has() {
	awk -v name="<g><title>$1" -v note="${2:+[$2]}" '
		index($0, name) == 1 && length($0) == length(name) { inframe = 1; if (note == "") found = 1; next }
		inframe && $0 == note { found = 1 }
		/<\/g>/ { inframe = 0 }
		END { exit !found }' "$T/out" || fail "no frame '$1' ${2:+marked [$2] }in $T/out"
}

render "$D/stackcollapse-perf.folded"
has 'native_safe_halt' kernel
has 'secondary_startup_64' kernel
has '[unknown]' 'no symbol'
has 'java/util/HashMap.put' JIT
has 'std::vector&lt;int, std::allocator&lt;int&gt; &gt;::push_back(int const&amp;)'
has 'operator new(unsigned long)'
grep -q '^120 samples (77.92%), self 120 (77.92%)</title>' "$T/out" || fail "swapper's leaf weight"

render "$D/inferno.folded"
has 'toplev::main'
has 'do_page_fault' kernel

render "$D/py-spy.folded"
has 'process 4242:&quot;python3 app.py&quot;'
has 'thread (0x7F3A2B6C1740)'
has 'handle (app.py:22)'
has 'decode (json/decoder.py:337)'

render "$D/async-profiler.folded"
has 'java/util/HashMap.getNode' inlined
has 'org/example/Server.serve' JIT
has 'ksys_write' kernel
has 'G1ParTask::work'
# Suffixes frec does not know (interpreted, C1) stay part of the name.
has 'org/example/Parser.parse_[0]'

# Standard input, as at the end of a pipeline.
set +e
"$FREC" report -i - --svg - <"$D/py-spy.folded" >"$T/out" 2>"$T/err"
st=$?
set -e
[ $st = 0 ] || { cat "$T/err" >&2; fail "frec report -i - exited $st"; }
has 'handle (app.py:22)'
grep -q 'from standard input' "$T/out" || fail "subtitle does not name standard input"
