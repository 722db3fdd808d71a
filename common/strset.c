// SPDX-License-Identifier: MIT
/*
 * String interning.  The bytes of all strings live in one buffer, NUL-separated; ids index an array
 * of offsets; an open-addressing table of ids, probed by hash and confirmed by memcmp, finds them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frec/hashmap.h"
#include "frec/strset.h"

#define STRSET_EMPTY UINT32_MAX

struct frec_strset {
	char *data;
	size_t data_len, data_cap;
	uint32_t *offs; /* id -> offset in data; offs[count] is the end of the last string */
	uint32_t count, offs_cap;
	uint32_t *table; /* ids, STRSET_EMPTY for a free slot */
	uint32_t table_cap;
};

static int strset_store(struct frec_strset *s, const char *str, size_t len);

struct frec_strset *frec_strset__new(void)
{
	struct frec_strset *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (strset_store(s, "", 0) < 0) {
		frec_strset__free(s);
		return NULL;
	}
	return s;
}

void frec_strset__free(struct frec_strset *s)
{
	if (!s)
		return;
	free(s->data);
	free(s->offs);
	free(s->table);
	free(s);
}

static inline size_t strset_len(const struct frec_strset *s, uint32_t id)
{
	return s->offs[id + 1] - s->offs[id] - 1;
}

static uint32_t *strset_probe(const struct frec_strset *s, const char *str, size_t len, uint64_t hash)
{
	uint32_t mask = s->table_cap - 1;
	uint32_t i = (uint32_t)hash & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t id = s->table[i];

		if (id == STRSET_EMPTY)
			return &s->table[i];
		if (strset_len(s, id) == len && !memcmp(s->data + s->offs[id], str, len))
			return &s->table[i];
	}
}

/* A table for one string more than the set holds, at most half full, filled from the strings. */
static int strset_rehash(struct frec_strset *s)
{
	uint32_t cap = 256;
	uint32_t *table;

	/* from the count, not the old size: trimmed or never built, there is no old table */
	while ((uint64_t)cap < ((uint64_t)s->count + 1) * 2) {
		if (cap > UINT32_MAX / 8)
			return -ENOMEM;
		cap *= 2;
	}
	/* the strings are all it needs: the old table goes first, so that there are never two */
	free(s->table);
	s->table_cap = 0;
	s->table = table = malloc(cap * sizeof(*table));
	if (!table)
		return -ENOMEM;
	s->table_cap = cap;
	memset(table, 0xff, cap * sizeof(*table));
	for (uint32_t id = 0; id < s->count; id++) {
		const char *str = s->data + s->offs[id];
		size_t len = strset_len(s, id);

		*strset_probe(s, str, len, frec_hash_bytes(str, len)) = id;
	}
	return 0;
}

/* Append a new string (known to be absent) and return its id. */
static int strset_store(struct frec_strset *s, const char *str, size_t len)
{
	if (len > UINT32_MAX / 2 || s->data_len + len + 1 > UINT32_MAX || s->count + 2 > INT32_MAX)
		return -ENOMEM;
	if (s->data_len + len + 1 > s->data_cap) {
		size_t cap = s->data_cap ? s->data_cap : 4096;
		char *data;

		while (cap < s->data_len + len + 1)
			cap *= 2;
		data = realloc(s->data, cap);
		if (!data)
			return -ENOMEM;
		s->data = data;
		s->data_cap = cap;
	}
	if (s->count + 2 > s->offs_cap) {
		uint32_t cap = s->offs_cap ? s->offs_cap * 2 : 256;
		uint32_t *offs = realloc(s->offs, cap * sizeof(*offs));

		if (!offs)
			return -ENOMEM;
		s->offs = offs;
		s->offs_cap = cap;
	}
	memcpy(s->data + s->data_len, str, len);
	s->data[s->data_len + len] = '\0';
	s->offs[s->count] = (uint32_t)s->data_len;
	s->data_len += len + 1;
	s->offs[s->count + 1] = (uint32_t)s->data_len;
	return (int)s->count++;
}

int frec_strset__add(struct frec_strset *s, const char *str, size_t len)
{
	uint64_t hash = frec_hash_bytes(str, len);
	uint32_t *slot;
	int id;

	if ((s->count + 1) * 2 > s->table_cap) {
		int err = strset_rehash(s);

		if (err)
			return err;
	}
	slot = strset_probe(s, str, len, hash);
	if (*slot != STRSET_EMPTY)
		return (int)*slot;
	id = strset_store(s, str, len);
	if (id >= 0)
		*slot = (uint32_t)id;
	return id;
}

int frec_strset__add_str(struct frec_strset *s, const char *str)
{
	return frec_strset__add(s, str, strlen(str));
}

int frec_strset__find(const struct frec_strset *s, const char *str, size_t len)
{
	uint32_t *slot;

	if (!s->table_cap) {
		/* trimmed (a set read, not added to): the strings themselves */
		for (uint32_t id = 0; id < s->count; id++)
			if (strset_len(s, id) == len && !memcmp(s->data + s->offs[id], str, len))
				return (int)id;
		return -ENOENT;
	}
	slot = strset_probe(s, str, len, frec_hash_bytes(str, len));
	return *slot == STRSET_EMPTY ? -ENOENT : (int)*slot;
}

void frec_strset__trim(struct frec_strset *s)
{
	free(s->table);
	s->table = NULL;
	s->table_cap = 0;
}

const char *frec_strset__str(const struct frec_strset *s, uint32_t id)
{
	return id < s->count ? s->data + s->offs[id] : NULL;
}

size_t frec_strset__len(const struct frec_strset *s, uint32_t id)
{
	return id < s->count ? strset_len(s, id) : 0;
}

uint32_t frec_strset__count(const struct frec_strset *s)
{
	return s->count;
}
