#!/bin/sh
# Names from the input never reach the terminal raw: ESC, C0 and C1 controls, bytes that are not
# UTF-8 and bidirectional overrides are escaped in the text report, the findings, the text diff and
# every message that quotes the input (here: its path).
. "$FREC_TEST_SRCDIR/cli/lib.sh"

# raw_controls FILE: fail if FILE holds a control byte other than newline, or a C1 / bidi character.
raw_controls() {
	python3 - "$1" <<'PY' || fail "$1 holds raw control characters: $(od -c "$1" | head -5)"
import sys
b = open(sys.argv[1], 'rb').read()
t = b.decode('utf-8', 'surrogateescape')
bad = [c for c in t if c != '\n' and (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or 0xdc80 <= ord(c) <= 0xdcff
                                        or ord(c) in (0x61c, 0x200e, 0x200f) or 0x202a <= ord(c) <= 0x202e
                                        or 0x2066 <= ord(c) <= 0x2069)]
sys.exit(1 if bad else 0)
PY
}

name=$(printf 'n\033]0;pwned\007')
printf 'main;\033[31mred\033[0m;leaf 5\nmain;a\302\233b 3\nmain;\233raw;\342\200\256evil 2\nmain;caf\303\251 1\nnot a stack\n' \
	> "$T/$name.folded"

expect 0 "$FREC" report -i "$T/$name.folded"
raw_controls "$T/out"
raw_controls "$T/err"
grep_out '\\x1b\[31mred\\x1b\[0m'
grep_out 'a\\u009bb'
grep_out '\\x9braw'
grep_out '\\u202eevil'
grep_out "café"
grep_err 'n\\x1b\]0;pwned\\x07\.folded: skipped 1 of 5 lines'

# and so do the text views, their headings and the matched names --callers lists
for view in "--tree" "--tree --collapse-recursion --percent-limit 0" "--per-process --tree"; do
	# shellcheck disable=SC2086
	expect 0 "$FREC" report -i "$T/$name.folded" $view
	raw_controls "$T/out"
	raw_controls "$T/err"
	grep_out '\\x1b\[31mred\\x1b\[0m'
done
grep_out '\\u202eevil'
expect 0 "$FREC" report -i "$T/$name.folded" --callers "$(printf '\342\200\256evil')"
raw_controls "$T/out"
grep_out '^callers of \\u202eevil: 2 samples'
grep_out '^ *[0-9.]+% +[0-9.]+%  \\x9braw$'
expect 0 "$FREC" report -i "$T/$name.folded" --callers leaf
raw_controls "$T/out"
grep_out '^ *[0-9.]+% +[0-9.]+%  \\x1b\[31mred\\x1b\[0m$'
expect 1 "$FREC" report -i "$T/$name.folded" --callers "$(printf '\033[31mred')"
raw_controls "$T/err"
grep_err "no function named '\\\\x1b\\[31mred'"

# findings name functions too, in sentences and in their own lists
expect 0 "$FREC" report -i "$T/$name.folded" --analyze
raw_controls "$T/out"
grep_out 'a\\u009bb|\\u202eevil|\\x9braw'

expect 0 "$FREC" diff "$T/$name.folded" "$T/$name.folded" --top 50
raw_controls "$T/out"
grep_out '^before \(baseline\): .*n\\x1b\]0;pwned\\x07\.folded, 11 samples'

expect 1 "$FREC" report -i "$T/$name.missing"
raw_controls "$T/err"
grep_err 'n\\x1b\]0;pwned\\x07\.missing'
exit 0
