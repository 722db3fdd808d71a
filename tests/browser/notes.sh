#!/bin/sh
# The panel of findings of `frec report --svg` in headless Chromium (tests/browser/notes.html
# drives it): each finding lists its frames; a click outlines them and zooms to the frame that
# holds them all, another finding replaces the outline, a second click clears it.  Skips only
# when chromium is absent.
. "$FREC_TEST_SRCDIR/browser/lib.sh"

# crypt_r under validate_password in two places; checksum once
cat > "$T/p.folded" <<'F'
main;serve;login;validate_password;crypt_r;libcrypt.so.1+0x10 30
main;serve;signup;validate_password;crypt_r;libcrypt.so.1+0x10 20
main;serve;checksum 35
main;serve;other 8
main;serve;misc 7
F
"$FREC" report -i "$T/p.folded" --svg "$T/p.svg" 2>/dev/null || fail "frec report failed"
page notes.html "svg=file://$T/p.svg" 10000
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
