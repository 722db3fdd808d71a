#!/bin/sh
# A command line that says two things is refused with a one-line error naming both, status 2, and
# nothing run: an option that takes a value given twice (no "last one wins"), and options that
# exclude each other, in every subcommand.  Options that take a list add up; a flag given twice
# is the flag.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

folded=$FREC_TEST_DATA/flame/simple.folded
cd "$T"

# refused CMD... PATTERN: status 2, the error matches PATTERN, one line and a hint, no output written.
refused() {
	pat=$1
	shift
	expect 2 "$FREC" "$@"
	grep_err "$pat"
	grep_err '^hint: '
	one_line_err
	[ ! -s "$T/out" ] || fail "'$*' wrote to stdout"
	for f in a.zst b.zst a.svg b.svg flame.svg diff.svg; do
		[ ! -e "$f" ] || fail "'$*' wrote $f"
	done
}

# record: repeated values, and -F with -c, -g with --call-graph none.
refused '^frec record: -e given twice: -e cycles, then -e cpu-clock$' record -e cycles -e cpu-clock -- true
refused '^frec record: -o given twice: -o a.zst, then -o b.zst$' record -o a.zst -o b.zst -- true
refused '^frec record: -F given twice' record -F 99 -F 999 -- true
refused '^frec record: -d given twice' -d 1 -d 2 -- true
refused '^frec record: --call-graph given twice: --call-graph fp, then --call-graph dwarf$' \
	record --call-graph fp --call-graph dwarf -- true
refused '^frec record: -F 99 and -c 1000 exclude each other$' record -F 99 -c 1000 -- true
refused '^frec record: -g and --call-graph none exclude each other$' record -g --call-graph none -- true
refused '^frec record: give only one target' record -a -p 1

# report: two inputs, two outputs, two output formats.
refused '^frec report: -i given twice: -i a.zst, then -i b.zst$' report -i a.zst -i b.zst
refused '^frec report: --folded and --svg exclude each other$' report -i "$folded" --folded --svg
refused '^frec report: --svg and --analyze exclude each other$' report -i "$folded" --svg --analyze
refused '^frec report: --svg a.svg and -o b.svg exclude each other$' report -i "$folded" --svg a.svg -o b.svg
refused '^frec report: -o b.svg and --svg a.svg exclude each other$' report -i "$folded" -o b.svg --svg a.svg
refused '^frec report: --svg a.svg and --svg b.svg exclude each other$|^frec report: --svg given twice' \
	report -i "$folded" --svg a.svg --svg b.svg
refused '^frec report: --top given twice: --top 5, then --top 6$' report -i "$folded" --top 5 --top 6
refused '^frec report: --title given twice' report -i "$folded" --svg --title x --title y
refused '^frec report: --per-process and --per-thread exclude each other$' report -i "$folded" --per-process --per-thread

# diff: the same classes.
refused '^frec diff: --svg a.svg and -o b.svg exclude each other$' diff "$folded" "$folded" --svg a.svg -o b.svg
refused '^frec diff: -o b.svg and --svg a.svg exclude each other$' diff -o b.svg "$folded" "$folded" --svg a.svg
refused '^frec diff: --normalize given twice: --normalize share, then --normalize count$' \
	diff "$folded" "$folded" --normalize share --normalize count
refused '^frec diff: --svg and --analyze exclude each other$' diff "$folded" "$folded" --svg --analyze
refused '^frec diff: --format json and --svg exclude each other$' diff "$folded" "$folded" --format json --svg

# dump
refused '^frec dump: -i given twice: -i a.zst, then -i b.zst$' dump -i a.zst -i b.zst

# What still works: a flag twice, lists that add up, the output named once by --svg FILE.
expect 0 "$FREC" report -i "$folded" --folded --folded
[ -s "$T/out" ] || fail "--folded --folded wrote nothing"
expect 0 "$FREC" report -i "$folded" --svg a.svg --icicle --icicle
[ -s a.svg ] || fail "--svg a.svg wrote nothing"
printf '[op frec-test-a]\nmatch frecNothingA\nwhy a\nfix a\n' > a.rules
printf '[op frec-test-b]\nmatch frecNothingB\nwhy b\nfix b\n' > b.rules
expect 0 "$FREC" report -i "$folded" --rules a.rules --rules b.rules --analyze
expect 0 "$FREC" report -i "$folded" --pid 1 --pid 2 --folded
exit 0
