// SPDX-License-Identifier: MIT
/*
 * sym_ranges: what covers an address among nested and overlapping ranges, however far back the
 * covering one starts.
 */
#include <criterion/criterion.h>

#include "sym_range.h"

struct ent {
	struct sym_range range;
	int id;
};

static struct sym_ranges index_of(struct ent *e, size_t n)
{
	struct sym_ranges r;

	sym_ranges__init(&r);
	cr_assert_eq(sym_ranges__index(&r, e, n, sizeof(*e)), 0);
	return r;
}

static int id_at(const struct sym_ranges *r, const struct ent *e, uint64_t addr)
{
	long i = sym_ranges__find(r, addr);

	return i < 0 ? -1 : e[i].id;
}

Test(sym_range, the_innermost_of_nested_ranges_wins)
{
	struct ent e[] = {
		{ { 100, 200 }, 1 },
		{ { 110, 150 }, 2 },
		{ { 120, 130 }, 3 },
		{ { 160, 170 }, 4 },
	};
	struct sym_ranges r = index_of(e, 4);

	cr_assert_eq(id_at(&r, e, 99), -1);
	cr_assert_eq(id_at(&r, e, 100), 1);
	cr_assert_eq(id_at(&r, e, 115), 2);
	cr_assert_eq(id_at(&r, e, 125), 3);
	cr_assert_eq(id_at(&r, e, 130), 2, "the end is outside");
	cr_assert_eq(id_at(&r, e, 155), 1);
	cr_assert_eq(id_at(&r, e, 165), 4);
	cr_assert_eq(id_at(&r, e, 199), 1);
	cr_assert_eq(id_at(&r, e, 200), -1);
	sym_ranges__exit(&r);
}

Test(sym_range, an_enclosing_range_is_found_however_far_back_it_starts)
{
	struct ent e[41];
	struct sym_ranges r;

	/* a large function holding 40 small sized labels, with gaps between them */
	e[0] = (struct ent){ { 0x1000, 0x9000 }, 0 };
	for (int i = 1; i <= 40; i++)
		e[i] = (struct ent){ { 0x1000 + (uint64_t)i * 0x100, 0x1000 + (uint64_t)i * 0x100 + 0x10 }, i };
	r = index_of(e, 41);
	cr_assert_eq(id_at(&r, e, 0x1000 + 40 * 0x100 + 0x20), 0, "a gap after 40 nested ranges");
	cr_assert_eq(id_at(&r, e, 0x1000 + 40 * 0x100 + 0x8), 40);
	cr_assert_eq(id_at(&r, e, 0x8fff), 0);
	cr_assert_eq(id_at(&r, e, 0x9000), -1);
	sym_ranges__exit(&r);
}

Test(sym_range, walks_every_covering_range_latest_start_first)
{
	struct ent e[] = {
		{ { 0, 1000 }, 1 },
		{ { 10, 20 }, 2 },
		{ { 50, 500 }, 3 },
		{ { 60, 70 }, 4 },
		{ { 100, 300 }, 5 },
	};
	struct sym_ranges r = index_of(e, 5);
	size_t pos = sym_ranges__upper(&r, 200);
	int seen[5], n = 0;

	while (sym_ranges__next(&r, 200, &pos))
		seen[n++] = e[pos].id;
	cr_assert_eq(n, 3);
	cr_assert_eq(seen[0], 5);
	cr_assert_eq(seen[1], 3);
	cr_assert_eq(seen[2], 1);
	sym_ranges__exit(&r);
}

Test(sym_range, an_empty_index_finds_nothing)
{
	struct sym_ranges r;

	sym_ranges__init(&r);
	cr_assert_eq(sym_ranges__find(&r, 0), -1);
	cr_assert_eq(sym_ranges__find(&r, UINT64_MAX), -1);
	sym_ranges__exit(&r);
}

Test(sym_range, upper_counts_the_keys_at_or_below)
{
	uint64_t keys[] = { 1, 3, 3, 7 };

	cr_assert_eq(sym_search__upper(keys, 4, sizeof(keys[0]), 0), 0);
	cr_assert_eq(sym_search__upper(keys, 4, sizeof(keys[0]), 3), 3);
	cr_assert_eq(sym_search__upper(keys, 4, sizeof(keys[0]), 6), 3);
	cr_assert_eq(sym_search__upper(keys, 4, sizeof(keys[0]), 7), 4);
	cr_assert_eq(sym_search__upper(keys, 0, sizeof(keys[0]), 7), 0);
}
