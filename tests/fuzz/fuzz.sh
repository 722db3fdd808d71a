#!/bin/sh
# SPDX-License-Identifier: MIT
# make fuzz: build every harness of tests/fuzz with clang's libFuzzer (and ASan + UBSan) and run each
# for FUZZ_SECONDS.  Every input that crashes, leaks, runs out of memory or hangs is copied into the
# corpus that `make check` replays (tests/data/corpus/<dir>/ in the source tree): fix the bug, then
# commit the input with the fix.  Inputs that only add coverage stay in the build tree
# (tests/fuzz/work/<name>/) and make later runs start further on.
#
# The harnesses' own output is closed (-close_fd_mask=3): the option parsers print usage on every
# input; sanitizer reports still reach the log.
#
# Environment (set by the make target): FUZZ_CC, HAVE_LIBFUZZER, FUZZ_SECONDS, FUZZ_CFLAGS (include
# paths and libraries' flags), FUZZ_LIBS, srcdir, builddir.  Arguments: the harnesses to run.
set -eu

if [ "${HAVE_LIBFUZZER:-no}" != yes ]; then
	echo "make fuzz: no compiler with libFuzzer was found by configure (FUZZ_CC=${FUZZ_CC:-none})" >&2
	echo "hint: install clang (Debian: apt-get install clang), then rerun ./configure" \
	     "(or ./configure FUZZ_CC=/path/to/clang)" >&2
	exit 1
fi

out="$builddir/tests/fuzz/libfuzzer"
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-std=gnu11 -g -O1 -fno-omit-frame-pointer -fno-strict-aliasing -include $builddir/config.h \
	-I$srcdir/include -I$srcdir/symbolizer -I$srcdir/cli -I$srcdir/render $FUZZ_CFLAGS"
mkdir -p "$out/obj"

# The corpus directory that keeps a harness's crashers (replayed by make check), then its seeds.
corpus_dirs() {
	c="$srcdir/tests/data/corpus"
	case $1 in
	trace_reader) echo "$c/trace" ;;
	flame) echo "$c/flame $srcdir/tests/data/flame" ;;
	views) echo "$c/views $srcdir/tests/data/report $srcdir/tests/data/flame" ;;
	sym_text) echo "$c/symtext $c/perfmap" ;;
	perf_map) echo "$c/perfmap $c/symtext" ;;
	sym_elf) echo "$c/elf $builddir/tests/fixtures/symbolizer" ;;
	symbolizer) echo "$c/symbolizer $c/trace" ;;
	opts) echo "$c/opts" ;;
	*) echo "make fuzz: unknown harness '$1'" >&2; exit 2 ;;
	esac
}

# 1. Every source of frec but main(), instrumented for coverage, in one archive.  An object is
#    rebuilt when its source or any header is newer.
newest_header=$(ls -t "$srcdir"/include/frec/*.h "$srcdir"/*/*.h "$builddir/config.h" | head -n 1)
objs=
for dir in common recorder symbolizer render analyze cli; do
	for src in "$srcdir/$dir"/*.c "$builddir/$dir"/flame_*.c; do
		[ -f "$src" ] || continue
		case $src in */cli/frec.c) continue ;; esac
		obj="$out/obj/$dir-$(basename "$src" .c).o"
		objs="$objs $obj"
		if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_header" -nt "$obj" ]; then
			echo "$FUZZ_CC $cflags $san -fsanitize=fuzzer-no-link -c $src -o $obj"
		fi
	done
done > "$out/compile.list"
if [ -s "$out/compile.list" ]; then
	echo "make fuzz: compiling $(wc -l < "$out/compile.list") files with $FUZZ_CC"
	tr '\n' '\0' < "$out/compile.list" | xargs -0 -n 1 -P 2 sh -c '$0' 2>&1 | grep -v '^$' || true
fi
for obj in $objs; do
	[ -f "$obj" ] || { echo "make fuzz: $obj was not built" >&2; exit 1; }
done
rm -f "$out/libfrec.a"
ar rcs "$out/libfrec.a" $objs

# 2. Each harness, linked with libFuzzer's main instead of the replay driver.
status=0
for name in "$@"; do
	set -- $(corpus_dirs "$name")
	keep=$1
	extra=
	[ "$name" = opts ] && extra="$srcdir/tests/fuzz/frec_table.c"
	$FUZZ_CC $cflags $san -fsanitize=fuzzer "$srcdir/tests/fuzz/fuzz_$name.c" $extra "$out/libfrec.a" \
		$FUZZ_LIBS -o "$out/fuzz_$name"

	work="$builddir/tests/fuzz/work/$name"
	art="$out/artifacts/$name"
	rm -rf "$art"
	mkdir -p "$work" "$art" "$keep"
	# Seeds: the kept corpus and the fixtures (flame: its .folded files only).
	seeds=
	for d in "$@"; do
		[ -d "$d" ] || continue
		if [ "$name" = flame ] && [ "$d" != "$keep" ]; then
			mkdir -p "$work.seed"
			cp "$d"/*.folded "$work.seed/" 2>/dev/null || true
			d="$work.seed"
		fi
		seeds="$seeds $d"
	done
	echo "make fuzz: fuzz_$name for ${FUZZ_SECONDS}s"
	set +e
	"$out/fuzz_$name" -max_total_time="$FUZZ_SECONDS" -timeout=25 -rss_limit_mb=2560 -close_fd_mask=3 \
		-print_final_stats=1 -artifact_prefix="$art/" "$work" $seeds > "$out/fuzz_$name.log" 2>&1
	rc=$?
	set -e
	grep -E '^(stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)' "$out/fuzz_$name.log" |
		sed "s/^/  /"
	found=0
	for a in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-*; do
		[ -f "$a" ] || continue
		cp "$a" "$keep/"
		echo "make fuzz: fuzz_$name: kept $keep/$(basename "$a"): fix it, then commit it" >&2
		found=1
	done
	if [ "$rc" != 0 ] || [ "$found" = 1 ]; then
		echo "make fuzz: fuzz_$name failed (exit $rc): see $out/fuzz_$name.log" >&2
		status=1
	fi
done
exit $status
