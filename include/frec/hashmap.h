/* SPDX-License-Identifier: MIT */
/*
 * An open-addressing hash map from 64-bit keys to 64-bit values, embedded in its owner.  Used for the
 * caches that make symbolization cost grow with unique addresses instead of samples, and for the call
 * tree's (parent, frame) -> child index.  Not thread-safe.
 */
#ifndef FREC_HASHMAP_H
#define FREC_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frec_hashmap_entry {
	uint64_t key;
	uint64_t val;
};

struct frec_hashmap {
	struct frec_hashmap_entry *entries;
	size_t cap; /* power of two, or 0 */
	size_t len;
	/* FREC_HASHMAP_EMPTY marks a free slot; that one key is kept aside. */
	bool has_empty_key;
	uint64_t empty_key_val;
};

#define FREC_HASHMAP_EMPTY UINT64_MAX

/** frec_hashmap__init() / __exit() - embedded lifecycle; __exit() frees memory and accepts a zeroed map. */
void frec_hashmap__init(struct frec_hashmap *m);
void frec_hashmap__exit(struct frec_hashmap *m);

/** frec_hashmap__find() - true and *val set if @key is present. */
bool frec_hashmap__find(const struct frec_hashmap *m, uint64_t key, uint64_t *val);

/**
 * frec_hashmap__slot() - the value slot of @key, adding it (value 0, *added = true) when absent.
 * Returns NULL only when out of memory.  The pointer is valid until the next call that adds a key.
 */
uint64_t *frec_hashmap__slot(struct frec_hashmap *m, uint64_t key, bool *added);

/** frec_hashmap__set() - insert or replace.  Returns 0 or -ENOMEM. */
int frec_hashmap__set(struct frec_hashmap *m, uint64_t key, uint64_t val);

/** frec_hashmap__del() - remove @key; true if it was there.  Slots from __slot() become invalid. */
bool frec_hashmap__del(struct frec_hashmap *m, uint64_t key);

/** frec_hashmap__count() - number of keys. */
static inline size_t frec_hashmap__count(const struct frec_hashmap *m)
{
	return m->len + m->has_empty_key;
}

/** frec_hash64() - a well-mixed hash of a 64-bit value. */
static inline uint64_t frec_hash64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/** frec_hash_bytes() - 64-bit hash of a byte string (in memory only: it may change between versions). */
uint64_t frec_hash_bytes(const void *buf, size_t len);

#endif /* FREC_HASHMAP_H */
