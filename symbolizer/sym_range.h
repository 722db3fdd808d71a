/* SPDX-License-Identifier: MIT */
/*
 * The one address-range search of the symbolizer: symbols, compile units and subprograms, PLT
 * stubs, kallsyms and perf-map entries, a process's mappings all answer "what covers ADDR" with
 * it.
 *
 * Entries live in their owner's array, sorted by start, each beginning with a struct sym_range.
 * Ranges may nest or overlap (a symbol inside a larger one, a JIT rewriting code in place, the
 * mappings of several moments of a process), so the entry that starts last at or before the
 * address may not cover it while an earlier one does, however far back.  The index keeps the
 * running maximum of the ends: a walk back from the last start at or before the address stops as
 * soon as no earlier entry reaches it, which makes a miss as cheap as a hit.
 *
 * Private to the symbolizer.
 */
#ifndef FREC_SYM_RANGE_H
#define FREC_SYM_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The head of every entry: [start, end). */
struct sym_range {
	uint64_t start, end;
};

/** An index over @nr entries of @size bytes at @base, sorted by start. */
struct sym_ranges {
	const void *base;
	size_t nr, size;
	uint64_t *max_end; /* max_end[i]: the largest end among entries 0..i */
};

/**
 * sym_search__upper() - how many of the @nr entries of @size bytes at @base, sorted by the
 * uint64_t each begins with, begin with a value <= @key (a binary search).  Inline: it runs for
 * every frame of every sample, and a constant @size makes it the search written for the type.
 */
static inline size_t sym_search__upper(const void *base, size_t nr, size_t size, uint64_t key)
{
	const char *b = base;
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (*(const uint64_t *)(const void *)(b + mid * size) <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/** sym_ranges__init() - an empty index (no entries: every search misses). */
void sym_ranges__init(struct sym_ranges *r);

/**
 * sym_ranges__index() - index the @nr entries of @size bytes at @base, sorted by start; again
 * after the array moved or changed.  Returns 0 or -ENOMEM (then the index is empty).
 */
int sym_ranges__index(struct sym_ranges *r, const void *base, size_t nr, size_t size);

/** sym_ranges__exit() - release the index (not the entries). */
void sym_ranges__exit(struct sym_ranges *r);

static inline const struct sym_range *sym_ranges__at(const struct sym_ranges *r, size_t i)
{
	return (const struct sym_range *)(const void *)((const char *)r->base + i * r->size);
}

/** sym_ranges__upper() - where the walk for @addr starts (the entries starting at or before it). */
static inline size_t sym_ranges__upper(const struct sym_ranges *r, uint64_t addr)
{
	return sym_search__upper(r->base, r->nr, r->size, addr);
}

/**
 * sym_ranges__next() - the next entry that covers @addr, walking to earlier starts from *@pos
 * (exclusive; start with sym_ranges__upper()): true with *@pos its index, false when none is
 * left.  Entries come latest start first: the innermost of nested ranges first.
 */
static inline bool sym_ranges__next(const struct sym_ranges *r, uint64_t addr, size_t *pos)
{
	while (*pos > 0) {
		size_t i = --*pos;

		if (r->max_end[i] <= addr)
			break;
		if (addr < sym_ranges__at(r, i)->end)
			return true;
	}
	*pos = 0;
	return false;
}

/** sym_ranges__find() - the index of the innermost entry covering @addr, or -1. */
static inline long sym_ranges__find(const struct sym_ranges *r, uint64_t addr)
{
	size_t pos = sym_ranges__upper(r, addr);

	return sym_ranges__next(r, addr, &pos) ? (long)pos : -1;
}

#endif /* FREC_SYM_RANGE_H */
