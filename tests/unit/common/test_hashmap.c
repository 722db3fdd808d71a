// SPDX-License-Identifier: MIT
#include <criterion/criterion.h>

#include "frec/hashmap.h"

Test(common_hashmap, finds_what_was_set_across_growth)
{
	struct frec_hashmap m;
	uint64_t v;

	frec_hashmap__init(&m);
	for (uint64_t k = 0; k < 10000; k++)
		cr_assert_eq(frec_hashmap__set(&m, k * 7919, k + 1), 0);
	cr_assert_eq(frec_hashmap__count(&m), 10000);
	for (uint64_t k = 0; k < 10000; k++) {
		cr_assert(frec_hashmap__find(&m, k * 7919, &v));
		cr_assert_eq(v, k + 1);
	}
	cr_assert_not(frec_hashmap__find(&m, 3, &v));
	frec_hashmap__exit(&m);
}

Test(common_hashmap, keeps_the_empty_marker_key_aside)
{
	struct frec_hashmap m;
	uint64_t v = 0;
	bool added;

	frec_hashmap__init(&m);
	cr_assert_not(frec_hashmap__find(&m, FREC_HASHMAP_EMPTY, &v));
	*frec_hashmap__slot(&m, FREC_HASHMAP_EMPTY, &added) = 42;
	cr_assert(added);
	cr_assert(frec_hashmap__find(&m, FREC_HASHMAP_EMPTY, &v));
	cr_assert_eq(v, 42);
	cr_assert_eq(frec_hashmap__count(&m), 1);
	frec_hashmap__slot(&m, FREC_HASHMAP_EMPTY, &added);
	cr_assert_not(added);
	frec_hashmap__exit(&m);
}

Test(common_hashmap, slot_reports_whether_it_added)
{
	struct frec_hashmap m;
	bool added;

	frec_hashmap__init(&m);
	*frec_hashmap__slot(&m, 5, &added) = 9;
	cr_assert(added);
	cr_assert_eq(*frec_hashmap__slot(&m, 5, &added), 9);
	cr_assert_not(added);
	frec_hashmap__exit(&m);
}

Test(common_hashmap, deleted_keys_are_gone_and_the_others_still_found)
{
	struct frec_hashmap m;
	uint64_t v;

	frec_hashmap__init(&m);
	cr_assert_not(frec_hashmap__del(&m, 1));
	/* Many keys in a small table: long probe runs that deletion must keep whole. */
	for (uint64_t k = 0; k < 3000; k++)
		cr_assert_eq(frec_hashmap__set(&m, k, k + 1), 0);
	for (uint64_t k = 0; k < 3000; k += 3)
		cr_assert(frec_hashmap__del(&m, k));
	cr_assert_not(frec_hashmap__del(&m, 0));
	cr_assert_eq(frec_hashmap__count(&m), 2000);
	for (uint64_t k = 0; k < 3000; k++) {
		bool there = frec_hashmap__find(&m, k, &v);

		cr_assert_eq(there, k % 3 != 0, "key %lu", (unsigned long)k);
		if (there)
			cr_assert_eq(v, k + 1);
	}
	/* A map that keys come and go through stays its size. */
	for (uint64_t round = 0; round < 100; round++) {
		for (uint64_t k = 0; k < 3000; k += 3)
			cr_assert_eq(frec_hashmap__set(&m, 1000000 + round * 3000 + k, 1), 0);
		for (uint64_t k = 0; k < 3000; k += 3)
			cr_assert(frec_hashmap__del(&m, 1000000 + round * 3000 + k));
	}
	cr_assert_eq(frec_hashmap__count(&m), 2000);
	cr_assert_leq(m.cap, 8192);
	cr_assert(frec_hashmap__set(&m, FREC_HASHMAP_EMPTY, 1) == 0 && frec_hashmap__del(&m, FREC_HASHMAP_EMPTY));
	cr_assert_not(frec_hashmap__find(&m, FREC_HASHMAP_EMPTY, NULL));
	frec_hashmap__exit(&m);
}
