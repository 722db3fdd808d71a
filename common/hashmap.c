// SPDX-License-Identifier: MIT
/*
 * Open-addressing hash map, u64 -> u64, linear probing, grown at 50% load.  Every cache in frec only
 * grows; the recorder's per-process maps also drop the processes that exit, by backward-shift
 * deletion, so that probing needs no tombstones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frec/hashmap.h"

/*
 * Eight bytes at a time (then the tail byte by byte), and mixed at the end: interning hashes every
 * function name a profile holds, and a byte-at-a-time hash cost four times as many steps.
 */
uint64_t frec_hash_bytes(const void *buf, size_t len)
{
	const unsigned char *s = buf;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;

	for (; len >= 8; s += 8, len -= 8) {
		uint64_t x;

		memcpy(&x, s, 8);
		h = (h ^ x) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	while (len--)
		h = (h ^ *s++) * 0x100000001b3ull;
	return frec_hash64(h);
}

void frec_hashmap__init(struct frec_hashmap *m)
{
	*m = (struct frec_hashmap){ 0 };
}

void frec_hashmap__exit(struct frec_hashmap *m)
{
	if (!m)
		return;
	free(m->entries);
	*m = (struct frec_hashmap){ 0 };
}

static struct frec_hashmap_entry *hashmap_probe(const struct frec_hashmap *m, uint64_t key)
{
	size_t mask = m->cap - 1;
	size_t i = frec_hash64(key) & mask;

	while (m->entries[i].key != key && m->entries[i].key != FREC_HASHMAP_EMPTY)
		i = (i + 1) & mask;
	return &m->entries[i];
}

static int hashmap_grow(struct frec_hashmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct frec_hashmap_entry *old = m->entries;
	size_t old_cap = m->cap;

	m->entries = malloc(cap * sizeof(*m->entries));
	if (!m->entries) {
		m->entries = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < cap; i++)
		m->entries[i].key = FREC_HASHMAP_EMPTY;
	m->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key != FREC_HASHMAP_EMPTY)
			*hashmap_probe(m, old[i].key) = old[i];
	free(old);
	return 0;
}

bool frec_hashmap__find(const struct frec_hashmap *m, uint64_t key, uint64_t *val)
{
	const struct frec_hashmap_entry *e;

	if (key == FREC_HASHMAP_EMPTY) {
		if (m->has_empty_key && val)
			*val = m->empty_key_val;
		return m->has_empty_key;
	}
	if (!m->cap)
		return false;
	e = hashmap_probe(m, key);
	if (e->key != key)
		return false;
	if (val)
		*val = e->val;
	return true;
}

uint64_t *frec_hashmap__slot(struct frec_hashmap *m, uint64_t key, bool *added)
{
	struct frec_hashmap_entry *e;
	bool dummy;

	if (!added)
		added = &dummy;
	*added = false;
	if (key == FREC_HASHMAP_EMPTY) {
		if (!m->has_empty_key) {
			m->has_empty_key = true;
			m->empty_key_val = 0;
			*added = true;
		}
		return &m->empty_key_val;
	}
	if ((m->len + 1) * 2 > m->cap && hashmap_grow(m))
		return NULL;
	e = hashmap_probe(m, key);
	if (e->key != key) {
		e->key = key;
		e->val = 0;
		m->len++;
		*added = true;
	}
	return &e->val;
}

int frec_hashmap__set(struct frec_hashmap *m, uint64_t key, uint64_t val)
{
	uint64_t *slot = frec_hashmap__slot(m, key, NULL);

	if (!slot)
		return -ENOMEM;
	*slot = val;
	return 0;
}

bool frec_hashmap__del(struct frec_hashmap *m, uint64_t key)
{
	size_t mask = m->cap - 1, i, j;
	struct frec_hashmap_entry *e;

	if (key == FREC_HASHMAP_EMPTY) {
		bool had = m->has_empty_key;

		m->has_empty_key = false;
		return had;
	}
	if (!m->cap)
		return false;
	e = hashmap_probe(m, key);
	if (e->key != key)
		return false;
	/*
	 * Close the gap: move back each later entry of the probe run that may live there, i.e. whose
	 * home slot is not cyclically in (gap, its slot].
	 */
	i = (size_t)(e - m->entries);
	for (j = (i + 1) & mask; m->entries[j].key != FREC_HASHMAP_EMPTY; j = (j + 1) & mask) {
		size_t home = frec_hash64(m->entries[j].key) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->entries[i] = m->entries[j];
			i = j;
		}
	}
	m->entries[i].key = FREC_HASHMAP_EMPTY;
	m->len--;
	return true;
}
