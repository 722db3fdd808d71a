// SPDX-License-Identifier: MIT
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "frec/strset.h"

Test(common_strset, empty_string_is_id_zero)
{
	struct frec_strset *s = frec_strset__new();

	cr_assert_not_null(s);
	cr_assert_eq(frec_strset__add(s, "", 0), 0);
	cr_assert_str_eq(frec_strset__str(s, 0), "");
	cr_assert_eq(frec_strset__count(s), 1);
	frec_strset__free(s);
}

Test(common_strset, same_bytes_same_id_and_ids_are_dense)
{
	struct frec_strset *s = frec_strset__new();
	char buf[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "sym_%d", i);
		cr_assert_eq(frec_strset__add_str(s, buf), i + 1);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "sym_%d", i);
		cr_assert_eq(frec_strset__add_str(s, buf), i + 1);
		cr_assert_eq(frec_strset__find(s, buf, strlen(buf)), i + 1);
		cr_assert_str_eq(frec_strset__str(s, (uint32_t)i + 1), buf);
	}
	cr_assert_eq(frec_strset__find(s, "absent", 6), -ENOENT);
	cr_assert_null(frec_strset__str(s, 999999));
	frec_strset__free(s);
}

Test(common_strset, add_takes_a_length_not_a_terminator)
{
	struct frec_strset *s = frec_strset__new();
	int a = frec_strset__add(s, "main;foo", 4);

	cr_assert_str_eq(frec_strset__str(s, (uint32_t)a), "main");
	cr_assert_eq(frec_strset__add_str(s, "main"), a);
	cr_assert_eq(frec_strset__len(s, (uint32_t)a), 4);
	frec_strset__free(s);
}

Test(common_strset, a_trimmed_set_finds_and_adds_as_before)
{
	struct frec_strset *s = frec_strset__new();
	char buf[32];

	for (int i = 0; i < 2000; i++) {
		snprintf(buf, sizeof(buf), "sym_%d", i);
		cr_assert_eq(frec_strset__add_str(s, buf), i + 1);
	}
	frec_strset__trim(s);
	cr_assert_eq(frec_strset__find(s, "sym_1999", 8), 2000);
	cr_assert_eq(frec_strset__find(s, "", 0), 0);
	cr_assert_eq(frec_strset__find(s, "sym_2000", 8), -ENOENT);
	for (int i = 0; i < 4000; i++) {
		snprintf(buf, sizeof(buf), "sym_%d", i);
		cr_assert_eq(frec_strset__add_str(s, buf), i + 1, "%s", buf);
	}
	cr_assert_eq(frec_strset__find(s, "sym_3999", 8), 4000);
	cr_assert_eq(frec_strset__count(s), 4001);
	frec_strset__free(s);
}
