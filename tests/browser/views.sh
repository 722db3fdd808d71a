#!/bin/sh
# The views of a flame graph in headless Chromium (tests/browser/views.html drives them): the
# callers view of a function and back, hide and focus kept in the URL, a legend key that dims then
# hides a class, collapsed recursion, merged JIT tiers, case-insensitive search with next and
# previous match, the details of a 300-character name wrapped inside 1200 pixels (in a differential
# graph too), the width that follows the window, and the context menu.  Skips only when chromium is
# absent.
. "$FREC_TEST_SRCDIR/browser/lib.sh"

long=$(printf 'x%.0s' $(seq 1 292))
cat >"$T/v.folded" <<F
main;serve;lookup;hash;memcmp 20
main;serve;lookup;hash 10
main;serve;parse;lookup;hash 20
main;batch;lookup 10
main;rec;rec;rec;leaf 8
main;JS:*fib_[j] 6
main;JS:~fib_[j] 4
main;read;entry_SYSCALL_[k];sys_read_[k] 5
main;LongName$long 3
F
"$FREC" report -i "$T/v.folded" --svg "$T/v.svg" 2>/dev/null || fail "frec report failed"
page views.html "svg=file://$T/v.svg"
is help_keys 'listed inside'
# Callers of hash: its two calls (30 + 20 samples) merged across the width; memcmp above it; lookup
# below it, then serve (30 direct, 20 through parse) and parse.
is callers_layer view
is callers_mid 'hash 1180.00 50'
is callers_lookup '1180.00 50 16'
is callers_serve '20@48 30@32'
is callers_parse '20@32'
is callers_hash_calls '20 -16'
is callers_hash_url '#c=hash'
is callers_status 'View: callers and callees of hash  (Esc or click: back)'
is callers_back "base $(grep -c '<g><title>' "$T/v.svg")"
is callers_link 'view hash 1180.00'
is callers_link_back base
# Hidden, serve gives its 50 samples to main: lookup now under main, parse too.
is hide_serve gone
is hide_main 'true 3 20'
is hide_url '#h=serve'
# A focus on parse: only the stacks through it, all of the width.
is focus 'all,main,serve,parse,lookup,hash'
is focus_main '20 1180.00'
is focus_url '#f=parse'
is focus_link 'all,main,serve,parse,lookup,hash'
# The kernel key dims the kernel frames, then hides them (read keeps their 5 samples), then shows
# them, no longer dim.
is legend_dim '0.3 key dim'
is legend_dim_url '#dk=kernel'
is legend_hide 'gone gone 5 key off'
is legend_hide_url '#hk=kernel'
is legend_show 'there base key 1'
is rec_before 3
is rec_after '1 8 8'
is rec_again 3
is tiers_tooltips '[JIT, optimised] / [JIT, interpreted]'
is tiers_merged 'merged 10'
is tiers_url '#t=1'
# 60 of 86 samples under the three lookup frames, whatever the case; none case-sensitively.
is search_ci '3 69.77'
is search_cs '0 btn on'
is search_cs_url '#s=LOOKUP&cs=1'
is next1 'lookup 1180.00 | Matched: 69.77% (100.00% of zoom) for /LOOKUP/i, 1 of 3'
is next2 '1180.00 true'
is prev 'true 1 of 3'
# 300 characters (161 to a line at 1200 pixels): two lines of name and one of weights, in the image.
is details_rows 3
is details_fits yes
is details_whole yes
is details_box inside
is details_cleared yes
is width_900 '880.00 900'
is width_1000 '980.00 990'
is menu 'Zoom|Callers of lookup|Focus on lookup|Hide lookup'
is menu_callers 'view lookup closed'

# A differential graph's details: the name and the numbers of both sides wrap inside 1200 pixels too.
sed 's/^main;serve;lookup;hash 10$/main;serve;lookup;hash 40/' "$T/v.folded" >"$T/v2.folded"
"$FREC" diff "$T/v.folded" "$T/v2.folded" --svg "$T/vd.svg" 2>/dev/null || fail "frec diff failed"
page views.html "step=details&svg=file://$T/vd.svg"
# two lines of name, then before, after and change
is details_rows 5
is details_fits yes
is details_whole yes
is details_box inside
exit 0
