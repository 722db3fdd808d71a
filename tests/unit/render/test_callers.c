// SPDX-License-Identifier: MIT
/*
 * The callers view (render_callers__write()) and its suggestions on hand-written folded profiles:
 * merged occurrences, shares of the total and of the function, each sample once under recursion,
 * what FUNC matches, and the names offered when it matches nothing.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_fixture.h"

static int callers(const char *text, const char *func, double limit, char **out)
{
	struct frec_profile *p = folded(text);
	size_t len = 0;
	FILE *f = open_memstream(out, &len);
	int err;

	cr_assert_not_null(f);
	err = render_callers__write(p, func, &(struct render_tree_opts){ .percent_limit = limit }, f);
	cr_assert_eq(fclose(f), 0);
	frec_profile__free(p);
	return err;
}

Test(render_callers, paths_to_every_occurrence_are_merged_and_inverted)
{
	char *out;

	cr_assert_eq(callers("main;a;hot 3\nmain;b;hot 1\nmain;b;c;hot 2\nmain;a;cold 4\n", "hot", 0, &out), 0);
	cr_assert(strstr(out, "callers of hot: 6 samples, 60.00% of all, self 60.00%\n") == out, "%s", out);
	cr_assert_str_eq(tree_body(out), " 60.00%  100.00%  hot\n"
				    " 30.00%   50.00%  |- a\n"
				    " 30.00%   50.00%  |  main\n"
				    " 20.00%   33.33%  |- c\n"
				    " 20.00%   33.33%  |  b\n"
				    " 20.00%   33.33%  |  main\n"
				    " 10.00%   16.67%  `- b\n"
				    " 10.00%   16.67%     main\n");
	free(out);
}

Test(render_callers, a_function_counts_its_callees_and_each_sample_once)
{
	char *out;

	/* f;g;f: the inner f's path holds the outer one; 4 samples, not 4 + 2 */
	cr_assert_eq(callers("main;f;g;f;leaf 2\nmain;f 1\nmain;x;f 1\n", "f", 0, &out), 0);
	cr_assert(strstr(out, "callers of f: 4 samples, 100.00% of all, self 50.00%\n") == out, "%s", out);
	cr_assert_str_eq(tree_body(out), "100.00%  100.00%  f\n"
				    " 50.00%   50.00%  |- g\n"
				    " 50.00%   50.00%  |  f\n"
				    " 50.00%   50.00%  |  main\n"
				    " 25.00%   25.00%  |- main\n"
				    " 25.00%   25.00%  `- x\n"
				    " 25.00%   25.00%     main\n");
	free(out);
}

Test(render_callers, the_limit_is_of_the_function)
{
	char *out;

	/* b's path is 1 of f's 10 samples: 10%, though only 1% of all */
	cr_assert_eq(callers("main;idle 90\nmain;a;f 9\nmain;b;f 1\n", "f", 10, &out), 0);
	cr_assert(strstr(out, "`- b\n"), "%s", out);
	cr_assert(strstr(out, "callers under 10% of it hidden (--percent-limit)"), "%s", out);
	free(out);
	cr_assert_eq(callers("main;idle 90\nmain;a;f 9\nmain;b;f 1\n", "f", 11, &out), 0);
	cr_assert_null(strstr(out, "b\n"), "%s", out);
	free(out);
}

Test(render_callers, clones_and_parameter_lists_match)
{
	static const char text[] = "main;parse.constprop.0 2\nmain;parse 1\nmain;ns::Lexer::next(int) const 4\n"
				   "main;ns::Lexer::next(char*) 1\nmain;parser 8\n";
	char *out;

	cr_assert_eq(callers(text, "parse", 0, &out), 0);
	cr_assert(strstr(out, "callers of parse (parse.constprop.0, parse): 3 samples"), "%s", out);
	free(out);
	/* a clone's own name is only that clone */
	cr_assert_eq(callers(text, "parse.constprop.0", 0, &out), 0);
	cr_assert(strstr(out, "callers of parse.constprop.0: 2 samples"), "%s", out);
	free(out);
	cr_assert_eq(callers(text, "ns::Lexer::next", 0, &out), 0);
	cr_assert(strstr(out, ": 5 samples"), "%s", out);
	free(out);
	cr_assert_eq(callers(text, "ns::Lexer::next(char*)", 0, &out), 0);
	cr_assert(strstr(out, ": 1 samples"), "%s", out);
	free(out);
}

Test(render_callers, no_match_writes_nothing)
{
	char *out;

	cr_assert_eq(callers("main;parse 1\n", "pars", 0, &out), -ENOENT);
	cr_assert_str_eq(out, "");
	free(out);
	/* an empty name matches nothing */
	cr_assert_eq(callers("main;parse 1\n", "", 0, &out), -ENOENT);
	free(out);
}

static int suggest(const char *text, const char *func, char **names, size_t max)
{
	struct frec_profile *p = folded(text);
	int n = render_callers__suggest(p, func, names, max);

	frec_profile__free(p);
	return n;
}

Test(render_callers, suggestions_are_close_names_heaviest_first)
{
	static const char text[] = "main;parse_request.constprop.0 5\nmain;Parse 1\nmain;parse_header 9\n"
				   "main;checksum 3\nmain;[unknown] 50\n";
	char *n[5];
	int nr;

	/* case aside, then containing, heaviest first; clone suffixes dropped */
	nr = suggest(text, "parse", n, 5);
	cr_assert_eq(nr, 3);
	cr_expect_str_eq(n[0], "Parse");
	cr_expect_str_eq(n[1], "parse_header");
	cr_expect_str_eq(n[2], "parse_request");
	for (int i = 0; i < nr; i++)
		free(n[i]);
	/* typing errors */
	nr = suggest(text, "chekcsum", n, 5);
	cr_assert_eq(nr, 1);
	cr_expect_str_eq(n[0], "checksum");
	free(n[0]);
	/* at most @max, and nothing for a name far from all */
	cr_assert_eq(suggest(text, "parse", n, 1), 1);
	free(n[0]);
	cr_assert_eq(suggest(text, "zzzzzzzzzz", n, 5), 0);
}
