# SPDX-License-Identifier: MIT
# Sourced by the browser tests: a page of tests/browser drives a flame graph in headless Chromium
# and writes "key value" lines into <pre id="out">, "done yes" last.  Skips when chromium is absent.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -n "$CHROMIUM" ] || skip "chromium is not installed (Debian: apt-get install chromium); CI installs it"

# page PAGE QUERY [BUDGET_MS]: open tests/browser/PAGE?QUERY and leave its lines in $T/results.
page() {
	# Each run gets its own profile directory, so that parallel tests do not share one.
	timeout 60 "$CHROMIUM" --headless --disable-gpu --no-sandbox --allow-file-access-from-files \
		--user-data-dir="$T/chromium" --virtual-time-budget="${3:-20000}" --dump-dom \
		"file://$FREC_TEST_SRCDIR/browser/$1?$2" >"$T/dom" 2>"$T/chromium.err" ||
		{ tail -5 "$T/chromium.err" >&2; fail "chromium failed on $1?$2"; }
	sed -n '/<pre id="out">/,/<\/pre>/p' "$T/dom" | sed 's/<[^>]*>//g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' >"$T/results"
	grep -q '^done yes$' "$T/results" || { cat "$T/results" "$T/dom" | head -40 >&2; fail "$1 did not finish ($2)"; }
}

# is KEY VALUE: the page reported KEY VALUE.
is() {
	got=$(sed -n "s/^$1 //p" "$T/results")
	[ "$got" = "$2" ] || { cat "$T/results" >&2; fail "$1 is '$got', expected '$2'"; }
}
