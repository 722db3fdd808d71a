#!/bin/sh
# A generated graph in headless Chromium (tests/browser/flame.html drives it): frames drawn, a
# click zooms, Ctrl-F searches and highlights with the right matched share, the URL reproduces the
# view, and hostile names run no script.  Skips only when chromium is absent.
. "$FREC_TEST_SRCDIR/browser/lib.sh"
D=$FREC_TEST_DATA/flame

# drive SVG ZOOM SEARCH: load the page on SVG and leave the results in $T/results.
drive() { page flame.html "svg=file://$1&zoom=$2&search=$3" 10000; }

"$FREC" report -i "$D/simple.folded" --svg "$T/simple.svg" 2>/dev/null || fail "frec report failed"
drive "$T/simple.svg" eval 'lookup|hash'
is frames "$(grep -c '<g><title>' "$T/simple.svg")"
is script_ran true
# eval holds 51 of 100 samples: 601.8 px, and zoomed it spans the 1180 px.
is before_width 601.8
is zoomed_width 1180.00
is zoomed_label eval
# eval, its 5 descendants and its 2 ancestors (main, all) remain.
is zoomed_visible 8
is root_faded 0.55
is unzoom_button btn
# Hovering eval's first child (alloc, 12 of eval's 51 samples) describes it, with its share of the zoomed frame.
is details 'alloc; 12 samples (12.00%), self 0 (0.00%); 23.53% of zoom'
is details_after_out '" "'
# lookup (30 samples) holds hash: the match counts 30 of 100 once, 30 of 51 in the zoom.
is highlighted 2
is matched 30.00
is matched_text 'Matched: 30.00% (58.82% of zoom) for /lookup|hash/i'
is hash '#x=10.00&y=92.00&s=lookup%7Chash'
is unzoomed_width 601.80
is unzoomed_visible "$(grep -c '<g><title>' "$T/simple.svg")"
is labels_match yes
is after_reset_highlighted 0
is after_reset_hash '(empty)'
is bad_regex 'invalid regular expression: (unclosed'
is escape_visible "$(grep -c '<g><title>' "$T/simple.svg")"
# The link reproduces zoom and search.
is link_zoomed_width 1180.00
is link_highlighted 2
is link_matched 30.00

# Hostile names: escaped, so the injected script never runs; search still finds them.
"$FREC" report -i "$D/hostile.folded" --svg "$T/hostile.svg" 2>/dev/null || fail "frec report failed"
drive "$T/hostile.svg" main 'script'
is script_ran true
is injected no
is highlighted 2

# Icicle graphs zoom the same way, upside down.
"$FREC" report -i "$D/simple.folded" --svg "$T/icicle.svg" --icicle 2>/dev/null || fail "frec report failed"
drive "$T/icicle.svg" lookup 'hash'
is zoomed_width 1180.00
is zoomed_visible 5
is matched 25.00

# Long C++ names: the script shortens and cuts labels exactly as frec did.
printf 'main;std::vector<int, std::allocator<int> >::push_back(int const&);operator new(unsigned long) %s\n' 10 10 >"$T/cxx.folded"
printf 'main;std::map<std::string, std::vector<int> >::operator[](std::string const&) 40\nmain;other 40\n' >>"$T/cxx.folded"
"$FREC" report -i "$T/cxx.folded" --svg "$T/cxx.svg" 2>/dev/null || fail "frec report failed"
grep -q '>std::vector&lt;..&gt;::push_back(..)</text>' "$T/cxx.svg" || fail "template arguments not shortened in labels"
drive "$T/cxx.svg" other 'vector'
is labels_match yes

# A differential graph is interactive too; what vanished is drawn (hatched) where it was, and is
# found and zoomed like any frame.
"$FREC" diff "$D/before.folded" "$D/after.folded" --svg "$T/diff.svg" 2>/dev/null || fail "frec diff failed"
drive "$T/diff.svg" eval '^(fresh|gone)_leaf$'
is zoomed_width 1180.00
is highlighted 2
drive "$T/diff.svg" oldpath 'gone_leaf'
is zoomed_width 1180.00
is zoomed_fill 'url(#frec-gone)'
is zoomed_label oldpath
# oldpath, gone_leaf above it, main and all below.
is zoomed_visible 4
is details 'gone_leaf; before: 15 samples (13.64%), self 15; after: 0 samples (0.00%), self 0; change: self -15 (-100%), total -15 (-100%) [gone]; 100.00% of zoom'
# 15 of the 275 samples drawn (260 after, 15 vanished).
is matched 5.45
is labels_match yes
is link_zoomed_width 1180.00
is link_highlighted 1
