// SPDX-License-Identifier: MIT
/*
 * render_folded and render_text on hand-written folded profiles: round trip, kinds, recursion.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sym_fixture.h"

static struct frec_profile *prof;
static char *out;

static void teardown(void)
{
	frec_profile__free(prof);
	free(out);
}

TestSuite(render, .fini = teardown);

static void load(const char *folded)
{
	prof = frec_profile__new();
	cr_assert_not_null(prof);
	cr_assert_gt(frec_profile__import_folded(prof, folded, strlen(folded), NULL), 0);
	cr_assert_eq(frec_profile__sort(prof), 0);
}

Test(render, folded_round_trip)
{
	static const char in[] = "main;work;leaf 5\n"
				 "main;syscall_[k];do_read_[k] 2\n"
				 "main;jit_fn_[j] 1\n"
				 "main;outer;helper_[i] 3\n"
				 "main 4\n"
				 "[unknown] 1\n";
	static const char sorted[] = "[unknown] 1\n"
				     "main 4\n"
				     "main;jit_fn_[j] 1\n"
				     "main;outer;helper_[i] 3\n"
				     "main;syscall_[k];do_read_[k] 2\n"
				     "main;work;leaf 5\n";

	load(in);
	out = symfix_folded(prof);
	cr_assert_str_eq(out, sorted);
	frec_profile__free(prof);
	load(out);
	free(out);
	out = symfix_folded(prof);
	cr_assert_str_eq(out, sorted, "a second round trip changes nothing");
}

Test(render, folded_merges_identical_stacks)
{
	load("a;b 1\na;b 2\na;c 1\n");
	out = symfix_folded(prof);
	cr_assert_str_eq(out, "a;b 3\na;c 1\n");
}

Test(render, text_counts_recursion_once)
{
	load("main;rec;rec;rec 4\nmain;other 4\n");
	out = symfix_text_report(prof);
	cr_assert(strstr(out, "   50.00%          4   50.00%  rec\n"), "%s", out);
	cr_assert(strstr(out, "  100.00%          8    0.00%  main\n"), "%s", out);
	cr_assert(strstr(out, "stack health: unknown"), "%s", out);
}

Test(render, text_top_limits_rows)
{
	struct render_text_opts o = { .top = 1 };
	size_t len = 0;
	FILE *f;

	load("main;a 3\nmain;b 2\nmain;c 1\n");
	f = open_memstream(&out, &len);
	cr_assert_eq(render_text__write(prof, &o, f), 0);
	fclose(f);
	cr_assert(strstr(out, "  a\n"), "%s", out);
	cr_assert_null(strstr(out, "  b\n"), "%s", out);
}
