#!/bin/sh
# The panel of findings of `frec report --svg` in headless Chromium (tests/browser/notes.html
# drives it): each finding lists its frames; a click outlines them and zooms to the frame that
# holds them all, another finding replaces the outline, a second click clears it.  Skips only
# when chromium is absent.
. "$FREC_TEST_SRCDIR/cli/lib.sh"

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -n "$CHROMIUM" ] || skip "chromium is not installed (Debian: apt-get install chromium); CI installs it"
# crypt_r under validate_password in two places; checksum once
cat > "$T/p.folded" <<'F'
main;serve;login;validate_password;crypt_r;libcrypt.so.1+0x10 30
main;serve;signup;validate_password;crypt_r;libcrypt.so.1+0x10 20
main;serve;checksum 35
main;serve;other 8
main;serve;misc 7
F
"$FREC" report -i "$T/p.folded" --svg "$T/p.svg" 2>/dev/null || fail "frec report failed"
timeout 60 "$CHROMIUM" --headless --disable-gpu --no-sandbox --allow-file-access-from-files \
	--user-data-dir="$T/chromium" --virtual-time-budget=10000 --dump-dom \
	"file://$FREC_TEST_SRCDIR/browser/notes.html?svg=file://$T/p.svg" >"$T/dom" 2>"$T/chromium.err" ||
	{ tail -5 "$T/chromium.err" >&2; fail "chromium failed"; }
sed -n '/<pre id="out">/,/<\/pre>/p' "$T/dom" | sed 's/<[^>]*>//g; s/&amp;/\&/g' >"$T/results"
grep -q '^done yes$' "$T/results" || { cat "$T/results" >&2; fail "the page did not finish"; }
is() {
	got=$(sed -n "s/^$1 //p" "$T/results")
	[ "$got" = "$2" ] || { cat "$T/results" >&2; fail "$1 is '$got', expected '$2'"; }
}
is notes 2
# the password hashing first (50%): both crypt_r frames; then the hotspot
is note0_frames crypt_r,crypt_r
is note1_frames checksum
is lit 2
# crypt_r is under login and under signup: the frame that holds both is serve
is zoomed btn
is note_class 'note on'
is lit_second 1
is lit_cleared 0
is unzoomed 'btn hide'
exit 0
