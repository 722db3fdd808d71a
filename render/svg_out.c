// SPDX-License-Identifier: MIT
/*
 * The flame graphs' writer: buffered output, numbers without printf on the hot path, and the one
 * place where untrusted text (frame names, module paths, titles) is made safe for XML.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "flame_internal.h"
#include "frec/log.h"

void svg_out__init(struct svg_out *o, FILE *f)
{
	o->f = f;
	o->len = 0;
	o->err = 0;
}

int svg_out__flush(struct svg_out *o)
{
	if (o->err)
		return o->err;
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = -EIO;
	o->len = 0;
	return o->err;
}

void svg_out__printf(struct svg_out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	svg_out__mem(o, tmp, FREC_MIN((size_t)n, sizeof(tmp) - 1));
}

void svg_out__u64(struct svg_out *o, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	svg_out__mem(o, tmp + i, sizeof(tmp) - i);
}

size_t fmt_group(char *buf, uint64_t v)
{
	char tmp[32];
	size_t i = sizeof(tmp), n;
	int digits = 0;

	do {
		if (digits && digits % 3 == 0)
			tmp[--i] = ',';
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
		digits++;
	} while (v);
	n = sizeof(tmp) - i;
	memcpy(buf, tmp + i, n);
	buf[n] = '\0';
	return n;
}

void svg_out__group(struct svg_out *o, uint64_t v)
{
	char tmp[32];

	svg_out__mem(o, tmp, fmt_group(tmp, v));
}

void svg_out__fix(struct svg_out *o, double v)
{
	uint64_t c;

	if (v < 0) {
		svg_out__chr(o, '-');
		v = -v;
	}
	c = (uint64_t)(v * 100 + 0.5);
	svg_out__u64(o, c / 100);
	c %= 100;
	if (c) {
		svg_out__chr(o, '.');
		svg_out__chr(o, (char)('0' + c / 10));
		if (c % 10)
			svg_out__chr(o, (char)('0' + c % 10));
	}
}

size_t fmt_pct(char *buf, uint64_t part, uint64_t whole)
{
	/* In integers, so that 100% prints as 100.00% and the output never depends on float printing. */
	unsigned __int128 hundredths = whole ? ((unsigned __int128)part * 10000 + whole / 2) / whole : 0;
	uint64_t h = (uint64_t)hundredths;

	return (size_t)sprintf(buf, "%" PRIu64 ".%02u%%", h / 100, (unsigned int)(h % 100));
}

void svg_out__pct(struct svg_out *o, uint64_t part, uint64_t whole)
{
	char tmp[48];

	svg_out__mem(o, tmp, fmt_pct(tmp, part, whole));
}

void svg_out__esc_fit(struct svg_out *o, const char *s, size_t max_chars)
{
	size_t len = strlen(s);

	if (utf8_chars(s, len) <= max_chars || max_chars < 3) {
		svg_out__esc(o, s, len, SIZE_MAX);
		return;
	}
	svg_out__esc(o, s, len, max_chars - 2);
	svg_out__str(o, "..");
}

/* Characters XML 1.0 allows (besides tab, newline and return, which frame names never need). */
static bool xml_char_ok(uint32_t c)
{
	return (c >= 0x20 && c < 0x7f) || (c > 0x9f && c != 0xfffe && c != 0xffff);
}

void svg_out__esc(struct svg_out *o, const char *str, size_t len, size_t max_chars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0, chars = 0;

	/* Copy runs of plain ASCII at once: nearly every name is one such run. */
	while (i < len && chars < max_chars) {
		unsigned char b = s[i];
		uint32_t cp;
		size_t n;

		if (b >= 0x20 && b < 0x7f && b != '<' && b != '>' && b != '&' && b != '"' && b != '\'') {
			i++;
			run++;
			chars++;
			continue;
		}
		svg_out__mem(o, s + i - run, run);
		run = 0;
		chars++;
		switch (b) {
		case '<':
			svg_out__mem(o, "&lt;", 4);
			i++;
			continue;
		case '>':
			svg_out__mem(o, "&gt;", 4);
			i++;
			continue;
		case '&':
			svg_out__mem(o, "&amp;", 5);
			i++;
			continue;
		case '"':
			svg_out__mem(o, "&quot;", 6);
			i++;
			continue;
		case '\'':
			svg_out__mem(o, "&#39;", 5);
			i++;
			continue;
		default:
			break;
		}
		n = frec_utf8__decode(s + i, len - i, &cp);
		if (xml_char_ok(cp) && cp != 0xfffd)
			svg_out__mem(o, s + i, n);
		else
			svg_out__mem(o, "\xef\xbf\xbd", 3);
		i += n;
	}
	svg_out__mem(o, s + i - run, run);
}

size_t utf8_chars(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t chars = 0;
	uint32_t cp;

	for (size_t i = 0; i < len; chars++)
		i += s[i] < 0x80 ? 1 : frec_utf8__decode(s + i, len - i, &cp);
	return chars;
}

void svg_out__rgb(struct svg_out *o, uint32_t rgb)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[7] = { '#' };

	for (int i = 0; i < 6; i++)
		tmp[1 + i] = hex[(rgb >> (20 - 4 * i)) & 0xf];
	svg_out__mem(o, tmp, sizeof(tmp));
}

uint64_t flame_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	/* FNV's low bits mix poorly; finish with a 64-bit avalanche (splitmix64's). */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

int flame_map__init(struct flame_map *m, size_t expect)
{
	size_t cap = 16;

	while (cap < expect * 2)
		cap *= 2;
	m->keys = malloc(cap * sizeof(*m->keys));
	m->vals = malloc(cap * sizeof(*m->vals));
	m->mask = cap - 1;
	m->n = 0;
	if (!m->keys || !m->vals) {
		flame_map__exit(m);
		return -ENOMEM;
	}
	memset(m->vals, 0xff, cap * sizeof(*m->vals));
	return 0;
}

void flame_map__exit(struct flame_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
}

static size_t slot_of(uint64_t key, size_t mask)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & mask;
}

int flame_map__put(struct flame_map *m, uint64_t key, uint32_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->mask + 1) {
		struct flame_map bigger;

		if (flame_map__init(&bigger, m->n + 1))
			return -ENOMEM;
		for (size_t j = 0; j <= m->mask; j++)
			if (m->vals[j] != UINT32_MAX)
				flame_map__put(&bigger, m->keys[j], m->vals[j]);
		flame_map__exit(m);
		*m = bigger;
	}
	for (i = slot_of(key, m->mask); m->vals[i] != UINT32_MAX; i = (i + 1) & m->mask)
		;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

uint32_t flame_map__next(const struct flame_map *m, uint64_t key, size_t *pos)
{
	/* *pos counts the slots already probed past the key's home. */
	for (size_t i = (slot_of(key, m->mask) + *pos) & m->mask; m->vals[i] != UINT32_MAX;
	     i = (i + 1) & m->mask) {
		(*pos)++;
		if (m->keys[i] == key)
			return m->vals[i];
	}
	return UINT32_MAX;
}
