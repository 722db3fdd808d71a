// SPDX-License-Identifier: MIT
/*
 * The text call tree (render_tree__write()) on hand-written folded profiles: layout, pruning,
 * recursion towers, order and escaping.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_fixture.h"

static char *tree(const char *text, double limit)
{
	struct frec_profile *p = folded(text);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(render_tree__write(p, &(struct render_tree_opts){ .percent_limit = limit }, f), 0);
	cr_assert_eq(fclose(f), 0);
	frec_profile__free(p);
	return buf;
}

Test(render_tree, chains_stay_in_their_column_and_siblings_are_marked)
{
	char *out = tree("main;a;b;c 6\nmain;a;d 2\nmain;e 2\n", 0);

	cr_assert_str_eq(tree_body(out), "100.00%    0.00%  main\n"
				    " 80.00%    0.00%  |- a\n"
				    " 60.00%    0.00%  |  |- b\n"
				    " 60.00%   60.00%  |  |  c\n"
				    " 20.00%   20.00%  |  `- d\n"
				    " 20.00%   20.00%  `- e\n");
	free(out);
}

Test(render_tree, the_heading_says_what_is_hidden)
{
	char *out = tree("main;a 199\nmain;b 1\n", 1);

	cr_assert(strstr(out, "call tree of 200 samples; frames under 1% of them hidden (--percent-limit)\n") == out,
		  "%s", out);
	cr_assert_str_eq(tree_body(out), "100.00%    0.00%  main\n"
				    " 99.50%   99.50%  a\n");
	free(out);
	out = tree("main;a 199\nmain;b 1\n", 0);
	cr_assert(strstr(out, "call tree of 200 samples\n") == out, "%s", out);
	cr_assert(strstr(out, "`- b\n"), "%s", out);
	free(out);
}

Test(render_tree, the_limit_is_inclusive)
{
	/* b is exactly 10% */
	char *out = tree("main;a 9\nmain;b 1\n", 10);

	cr_assert(strstr(out, "`- b\n"), "%s", out);
	free(out);
	out = tree("main;a 9\nmain;b 1\n", 10.01);
	cr_assert_null(strstr(out, "b\n"), "%s", out);
	free(out);
}

Test(render_tree, heaviest_child_first_then_by_name)
{
	char *out = tree("r;z 5\nr;y 5\nr;a 1\nr;x 9\n", 0);

	cr_assert_str_eq(tree_body(out), "100.00%    0.00%  r\n"
				    " 45.00%   45.00%  |- x\n"
				    " 25.00%   25.00%  |- y\n"
				    " 25.00%   25.00%  |- z\n"
				    "  5.00%    5.00%  `- a\n");
	free(out);
}

Test(render_tree, a_recursion_tower_is_one_line)
{
	/* the towers' levels have nothing else to show: one line with the self of all levels */
	char *out = tree("main;walk;walk;walk;visit 6\nmain;walk;walk 2\nmain;walk.constprop.0;walk_[i] 2\n", 0);

	cr_assert_str_eq(tree_body(out), "100.00%    0.00%  main\n"
				    " 80.00%   20.00%  |- walk  [recursion: 3 levels]\n"
				    " 60.00%   60.00%  |  visit\n"
				    " 20.00%   20.00%  `- walk.constprop.0  [recursion: 2 levels]\n");
	cr_assert_null(strstr(out, "note:"), "%s", out);
	free(out);
}

Test(render_tree, recursion_among_other_calls_is_split_with_a_note)
{
	char *out = tree("main;f;f;g 3\nmain;f;h 2\n", 0);

	cr_assert_str_eq(tree_body(out), "100.00%    0.00%  main\n"
				    "100.00%    0.00%  f\n"
				    " 60.00%    0.00%  |- f\n"
				    " 60.00%   60.00%  |  g\n"
				    " 40.00%   40.00%  `- h\n"
				    "note: a function that calls itself among other calls is shown level by level; "
				    "--collapse-recursion merges the levels\n");
	free(out);
}

Test(render_tree, unnamed_frames_are_no_recursion)
{
	char *out = tree("main;[unknown];[unknown] 4\n", 0);

	cr_assert_str_eq(tree_body(out), "100.00%    0.00%  main\n"
				    "100.00%    0.00%  [unknown]\n"
				    "100.00%  100.00%  [unknown]\n");
	free(out);
}

Test(render_tree, kinds_show_and_names_are_escaped)
{
	char *out = tree("main;sys_read_[k] 1\nmain;js_[j] 1\nmain;add_[i] 1\nmain;evil\033[31mred\a 1\n", 0);

	cr_assert(strstr(out, "sys_read [kernel]\n"), "%s", out);
	cr_assert(strstr(out, "js [jit]\n"), "%s", out);
	cr_assert(strstr(out, "add [inlined]\n"), "%s", out);
	cr_assert(strstr(out, "evil\\x1b[31mred\\x07\n"), "%s", out);
	cr_assert_null(strchr(out, '\033'));
	free(out);
}

Test(render_tree, an_empty_profile_has_only_the_heading)
{
	struct frec_profile *p = frec_profile__new();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(render_tree__write(p, NULL, f), 0);
	fclose(f);
	cr_assert_str_eq(tree_body(buf), "");
	free(buf);
	frec_profile__free(p);
}

Test(render_tree, deep_stacks_do_not_exhaust_the_stack)
{
	enum { DEPTH = 60000 };
	char *text = malloc(DEPTH * 8 + 16), *out;
	size_t o = 0;

	for (int i = 0; i < DEPTH; i++)
		o += (size_t)sprintf(text + o, "%sf%d", i ? ";" : "", i % 2);
	strcpy(text + o, " 1\n");
	out = tree(text, 0);
	/* f0;f1;f0;... is mutual recursion: one line per level, all in one column */
	cr_assert(strstr(out, "100.00%  100.00%  f1\n"), "the leaf is missing");
	free(out);
	free(text);
}
