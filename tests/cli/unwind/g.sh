#!/bin/sh
# -g means what it means to perf users, "record call graphs": frec's default mode (auto), not
# frame pointers alone.  A recording with -g is set up as the default one (same call-graph mode,
# same sample layout) and its stacks through code without frame pointers are as complete and
# weigh the same; --call-graph fp still asks for frame pointers only.
. "$FREC_TEST_SRCDIR/cli/lib.sh"
. "$FREC_TEST_SRCDIR/cli/unwind/common.sh"
require_perf

# settings TRACE: the call-graph mode the header records and the sampled fields of each event.
settings() {
	expect 0 "$FREC" dump -i "$1"
	grep -E '^ +call_graph=' "$T/out" || fail "$1: no call_graph in the header"
	grep -oE 'sample_type [^ ]+|stack_user [0-9]+ regs_user [^ ]+' "$T/out" | sort -u
}

# 2 kHz: a busy machine gives nofp a fraction of a CPU, and each phase needs 100 samples to compare.
expect 0 "$FREC" record -q -F 1999 -o "$T/default.zst" -- "$nofp" 2
expect 0 "$FREC" report -i "$T/default.zst" --folded --comm nofp
cp "$T/out" "$T/default.folded"
settings "$T/default.zst" > "$T/default.settings"
grep -q 'call_graph=auto' "$T/default.settings" || fail "the default mode is not auto: $(cat "$T/default.settings")"

expect 0 "$FREC" record -q -F 1999 -g -o "$T/t.zst" -- "$nofp" 2
settings "$T/t.zst" > "$T/g.settings"
diff "$T/default.settings" "$T/g.settings" >&2 || fail "-g records differently from the default"
expect 0 "$FREC" report -i "$T/t.zst" --folded --comm nofp
cp "$T/out" "$T/folded"
expect 0 "$FREC" report -i "$T/t.zst" --comm nofp
cp "$T/out" "$T/report"
expect_complete
expect_same_shares "$T/default.folded" "$T/folded" "-g against the default"

# Frame pointers only, when asked for by name.
expect 0 "$FREC" record -q -F 99 --call-graph fp -o "$T/fp.zst" -- "$nofp" 0.2
settings "$T/fp.zst" | grep -q 'call_graph=fp' || fail "--call-graph fp did not record frame pointers only"
exit 0
