// SPDX-License-Identifier: MIT
/*
 * Untrusted text on a terminal.  Frame names, module paths and command lines come from traces and
 * folded files that anyone may have written: an ESC in one would let it recolour, retitle or rewrite
 * the terminal that shows a report.  Every renderer and message that writes such text to a
 * terminal goes through frec_term__write() or frec_term__escape(), so the rule lives in one place.
 */
#include <stdio.h>
#include <string.h>

#include "frec/log.h"

size_t frec_utf8__decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		goto bad;
	}
	if (len > n)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = 0xfffd;
	return 1;
}

/* Characters a terminal would act on, or that reorder what it shows (bidirectional controls). */
static bool is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * The next piece of @s (@n > 0 bytes left): *@used bytes of it, written as the returned number of
 * bytes at *@out: either the bytes themselves or an escape in @esc.
 */
static size_t next_piece(const unsigned char *s, size_t n, char esc[12], const char **out, size_t *used)
{
	uint32_t cp;
	size_t len = frec_utf8__decode(s, n, &cp);

	*used = len;
	*out = esc;
	if (cp == 0xfffd && len == 1)
		return (size_t)snprintf(esc, 12, "\\x%02x", s[0]); /* not UTF-8 */
	if (is_control(cp))
		return (size_t)snprintf(esc, 12, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned int)cp);
	*out = (const char *)s;
	return len;
}

void frec_term__write(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	while (i < len && s[i]) {
		char esc[12];
		const char *out;
		size_t used, n;

		/* Plain printable ASCII, nearly every name, is copied in runs. */
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			i++;
			run++;
			continue;
		}
		fwrite(s + i - run, 1, run, f);
		run = 0;
		n = next_piece(s + i, len - i, esc, &out, &used);
		fwrite(out, 1, n, f);
		i += used;
	}
	fwrite(s + i - run, 1, run, f);
}

void frec_term__puts(FILE *f, const char *s)
{
	frec_term__write(f, s, strlen(s));
}

size_t frec_term__escape(char *dst, size_t size, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, o = 0;

	while (i < len && s[i]) {
		char esc[12];
		const char *out;
		size_t used, n = next_piece(s + i, len - i, esc, &out, &used);

		if (o + n < size)
			memcpy(dst + o, out, n);
		else if (o < size)
			size = o + 1; /* cut short: never half an escape or character */
		o += n;
		i += used;
	}
	if (size)
		dst[o < size ? o : size - 1] = '\0';
	return o;
}
