// SPDX-License-Identifier: MIT
/*
 * Address-range tables from text: the kallsyms snapshot stored in a trace and JIT perf maps
 * (/tmp/perf-PID.map as node --perf-basic-prof, python -X perf and perf-map-agent write them).
 *
 * Entries are sorted by start and found by sym_ranges.  JITs rewrite code in place and append a
 * new line for the same range, so among covering entries the one added last wins.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sym_internal.h"

void sym_table__init(struct sym_table *t)
{
	memset(t, 0, sizeof(*t));
}

void sym_table__exit(struct sym_table *t)
{
	free(t->entries);
	sym_ranges__exit(&t->index);
	free(t->text);
	memset(t, 0, sizeof(*t));
}

static int add_text(struct sym_table *t, const char *s, size_t len, uint32_t *off)
{
	if (!t->text_cap) {
		t->text = malloc(256);
		if (!t->text)
			return -ENOMEM;
		t->text_cap = 256;
		t->text[0] = '\0';
		t->text_len = 1;
	}
	if (len == 0) {
		*off = 0;
		return 0;
	}
	if (t->text_len + len + 1 > UINT32_MAX)
		return -ENOMEM;
	while (t->text_len + len + 1 > t->text_cap) {
		char *n = realloc(t->text, t->text_cap * 2);

		if (!n)
			return -ENOMEM;
		t->text = n;
		t->text_cap *= 2;
	}
	memcpy(t->text + t->text_len, s, len);
	t->text[t->text_len + len] = '\0';
	*off = (uint32_t)t->text_len;
	t->text_len += len + 1;
	return 0;
}

static int add_entry(struct sym_table *t, uint64_t start, uint64_t end, const char *name, size_t name_len,
		     const char *mod, size_t mod_len)
{
	struct sym_table_entry *e;
	int err;

	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		void *n = realloc(t->entries, cap * sizeof(*t->entries));

		if (!n)
			return -ENOMEM;
		t->entries = n;
		t->cap = cap;
	}
	e = &t->entries[t->nr];
	e->range = (struct sym_range){ start, end };
	e->seq = (uint32_t)t->nr;
	err = add_text(t, name, name_len, &e->name);
	if (!err)
		err = add_text(t, mod, mod_len, &e->module);
	if (err)
		return err;
	t->nr++;
	t->sorted = false;
	return 0;
}

/* Parse a hex number (optional 0x) at *s, up to @end; advances *s.  false if there are no digits. */
static bool parse_hex(const char **s, const char *end, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;
	int digits = 0;

	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; p < end; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned int)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned int)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned int)(*p - 'A' + 10);
		else
			break;
		if (++digits > 16)
			return false;
		v = v << 4 | d;
	}
	if (!digits)
		return false;
	*s = p;
	*out = v;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && is_blank(*s))
		s++;
	return s;
}

/* Marks a kallsyms entry whose size is unknown: its end is the next symbol's start (see finish). */
#define KSYM_OPEN_END UINT64_MAX

static int parse_ksym_line(struct sym_table *t, const char *s, const char *end)
{
	const char *tok[5], *tok_end[5];
	uint64_t addr, size = KSYM_OPEN_END;
	const char *mod = NULL, *mod_end = NULL, *p;
	int n = 0, name_i;
	char type;

	/* "ADDR SIZE TYPE NAME[\t[MODULE]]" (frec) or "ADDR TYPE NAME[\t[MODULE]]" (/proc/kallsyms) */
	for (s = skip_blanks(s, end); s < end && n < 5; s = skip_blanks(s, end)) {
		tok[n] = s;
		while (s < end && !is_blank(*s))
			s++;
		tok_end[n++] = s;
	}
	if (n >= 4 && tok_end[2] - tok[2] == 1 && tok[3][0] != '[') {
		p = tok[1];
		if (!parse_hex(&p, tok_end[1], &size) || p != tok_end[1])
			return 1;
		name_i = 3;
	} else if (n >= 3 && tok_end[1] - tok[1] == 1) {
		name_i = 2;
	} else {
		return 1;
	}
	p = tok[0];
	if (!parse_hex(&p, tok_end[0], &addr) || p != tok_end[0])
		return 1;
	type = tok[name_i - 1][0];
	if (name_i + 1 < n && tok[name_i + 1][0] == '[') {
		mod = tok[name_i + 1] + 1;
		mod_end = memchr(mod, ']', (size_t)(end - mod));
		if (!mod_end)
			return 1;
	}
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 0;
	if (size != KSYM_OPEN_END && (addr + size < addr || size >= KSYM_OPEN_END - 1))
		return 1;
	return add_entry(t, addr, size == KSYM_OPEN_END ? KSYM_OPEN_END : addr + (size ? size : 1),
			 tok[name_i], (size_t)(tok_end[name_i] - tok[name_i]), mod,
			 mod ? (size_t)(mod_end - mod) : 0);
}

static int parse_lines(struct sym_table *t, const char *buf, size_t len,
		       int (*line_fn)(struct sym_table *, const char *, const char *))
{
	const char *end = buf + len;

	for (const char *s = buf; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		int r;

		while (le > s && (le[-1] == '\r' || is_blank(le[-1]) || le[-1] == '\0'))
			le--;
		if (le > s) {
			if (memchr(s, '\0', (size_t)(le - s))) {
				t->bad_lines++;
			} else {
				r = line_fn(t, s, le);
				if (r < 0)
					return r;
				t->bad_lines += (uint64_t)r;
			}
		}
		s = nl ? nl + 1 : end;
	}
	return 0;
}

int sym_table__parse_kallsyms(struct sym_table *t, const char *buf, size_t len)
{
	return parse_lines(t, buf, len, parse_ksym_line);
}

static int parse_map_line(struct sym_table *t, const char *s, const char *end)
{
	uint64_t start, size;

	s = skip_blanks(s, end);
	if (!parse_hex(&s, end, &start) || s == end || !is_blank(*s))
		return 1;
	s = skip_blanks(s, end);
	if (!parse_hex(&s, end, &size) || s == end || !is_blank(*s) || !size || start + size < start)
		return 1;
	s = skip_blanks(s, end);
	if (s == end)
		return 1;
	return add_entry(t, start, start + size, s, (size_t)(end - s), NULL, 0);
}

int sym_table__parse_perf_map(struct sym_table *t, const char *buf, size_t len)
{
	return parse_lines(t, buf, len, parse_map_line);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct sym_table_entry *x = a, *y = b;

	if (x->range.start != y->range.start)
		return x->range.start < y->range.start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int sym_table__finish(struct sym_table *t)
{
	int err;

	if (t->sorted)
		return 0;
	if (t->nr)
		qsort(t->entries, t->nr, sizeof(*t->entries), cmp_entry);
	/* Sizeless kallsyms entries end where the next symbol starts (or one page on). */
	for (size_t i = 0; i < t->nr; i++) {
		struct sym_range *r = &t->entries[i].range;

		if (r->end != KSYM_OPEN_END)
			continue;
		r->end = r->start + 4096;
		for (size_t j = i + 1; j < t->nr; j++) {
			if (t->entries[j].range.start > r->start) {
				r->end = t->entries[j].range.start;
				break;
			}
		}
		if (r->end < r->start)
			r->end = UINT64_MAX;
	}
	err = sym_ranges__index(&t->index, t->entries, t->nr, sizeof(*t->entries));
	if (err)
		return err;
	t->sorted = true;
	return 0;
}

const struct sym_table_entry *sym_table__find(const struct sym_table *t, uint64_t addr)
{
	const struct sym_table_entry *best = NULL;
	size_t pos;

	if (!t->sorted)
		return NULL;
	pos = sym_ranges__upper(&t->index, addr);
	while (sym_ranges__next(&t->index, addr, &pos)) {
		const struct sym_table_entry *e = &t->entries[pos];

		if (!best || e->seq > best->seq)
			best = e;
	}
	return best;
}
