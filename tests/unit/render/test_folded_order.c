// SPDX-License-Identifier: MIT
/*
 * The folded importer reuses the frames a line shares with the previous one (collapsers sort their
 * output): whatever the order of the lines, the profile must be the same.  Checked through the
 * flame graph, whose bytes depend on the tree only.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/profile.h"
#include "frec/render.h"

static const char *const lines[] = {
	"a 1", "a;b 1", "a;b 2", "a;b;c 1", "a;b;c 1", "a;bc 1", "a;bc;d 4", "a;;b 1", "a;b;;c 2",
	"a;b;c;d 0", ";; 0", "a;b_[k];c 3", "a;b;c_[k] 1", "ab;c 1", "a;b c;d 2", "a;b;c;d;e 1",
	"x;y 1", "a;b 1",
};

static char *render_lines(const int *order, size_t n, uint32_t *nr_nodes)
{
	char *text = NULL, *svg = NULL;
	size_t len = 0, svg_len = 0;
	FILE *f = open_memstream(&text, &len);
	struct frec_profile *p = frec_profile__new();

	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", lines[order[i]]);
	fclose(f);
	cr_assert_gt(frec_profile__import_folded(p, text, len, NULL), 0);
	*nr_nodes = frec_profile__nr_nodes(p);
	f = open_memstream(&svg, &svg_len);
	cr_assert_eq(render_flame__write(p, &(struct render_flame_opts){ .minwidth = 0 }, f), 0);
	fclose(f);
	free(text);
	frec_profile__free(p);
	return svg;
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(lines[*(const int *)a], lines[*(const int *)b]);
}

Test(folded_order, any_line_order_gives_the_same_profile)
{
	enum { N = sizeof(lines) / sizeof(lines[0]) };
	int order[N];
	uint32_t nodes, nodes_ref;
	char *ref, *got;

	for (int i = 0; i < N; i++)
		order[i] = i;
	ref = render_lines(order, N, &nodes_ref);
	/* Sorted, as collapsers write it, then reversed, then shuffled. */
	qsort(order, N, sizeof(order[0]), cmp_lines);
	got = render_lines(order, N, &nodes);
	cr_assert_str_eq(got, ref, "sorted input differs");
	cr_assert_eq(nodes, nodes_ref);
	free(got);
	for (int i = 0; i < N / 2; i++) {
		int t = order[i];

		order[i] = order[N - 1 - i];
		order[N - 1 - i] = t;
	}
	got = render_lines(order, N, &nodes);
	cr_assert_str_eq(got, ref, "reversed input differs");
	free(got);
	srand(7);
	for (int round = 0; round < 20; round++) {
		for (int i = N - 1; i > 0; i--) {
			int j = rand() % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		got = render_lines(order, N, &nodes);
		cr_assert_str_eq(got, ref, "shuffled input differs (round %d)", round);
		cr_assert_eq(nodes, nodes_ref);
		free(got);
	}
	/* Under a;b, c holds a;b;c twice, a;b;;c (2) and a;b;c;d;e; a;b;c;d 0 added nothing. */
	cr_assert_not_null(strstr(ref, "<g><title>c\n5 samples"), "%s", ref);
	free(ref);
}
