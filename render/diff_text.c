// SPDX-License-Identifier: MIT
/*
 * The text diff: the functions whose share of the samples grew or shrank most between two profiles.
 *
 * Each profile is reduced to one row per function name: its self weight (samples where it is the
 * leaf), and its total weight (samples where it is on the stack, counted once per sample however
 * deep the recursion: a node adds its total only if no ancestor has the same name).  Shares are of
 * each profile's own total, so profiles of different lengths or rates compare; changes are in
 * percentage points and relative to the share before (so a function that vanished is -100%).
 * Functions present in one profile only are marked new or gone.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flame_internal.h"
#include "frec/log.h"
#include "frec/profile.h"
#include "frec/render.h"

struct fn_row {
	const char *name;
	uint64_t self[2], total[2]; /* [0] before, [1] after */
	double d_self, d_total;     /* share after - share before, in points */
	uint32_t active;            /* frames of this name on the current walk's stack */
};

struct fn_table {
	struct fn_row *rows;
	size_t n, cap;
	struct flame_map by_name; /* hash of name -> row */
};

static int row_of(struct fn_table *t, const char *name, uint32_t *out)
{
	uint64_t h = flame_hash(name, strlen(name));
	size_t pos = 0;
	uint32_t r;

	while ((r = flame_map__next(&t->by_name, h, &pos)) != UINT32_MAX)
		if (!strcmp(t->rows[r].name, name)) {
			*out = r;
			return 0;
		}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct fn_row *nr = realloc(t->rows, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		t->rows = nr;
		t->cap = cap;
	}
	t->rows[t->n] = (struct fn_row){ .name = name };
	*out = (uint32_t)t->n;
	if (flame_map__put(&t->by_name, h, *out))
		return -ENOMEM;
	t->n++;
	return 0;
}

/* Add profile @p's weights into column @col, walking the tree depth first without recursion. */
static int add_profile(struct fn_table *t, const struct frec_profile *p, int col)
{
	uint32_t nn = frec_profile__nr_nodes(p);
	uint32_t *row = malloc(((size_t)nn + 1) * sizeof(*row)); /* node -> row, filled on entry */
	uint32_t node = frec_profile__node(p, FREC_NODE_ROOT)->first_child;
	int err = 0;

	if (!row)
		return -ENOMEM;
	/*
	 * Iterative pre-order walk: enter a node (count it, mark its name active), go to its first child
	 * or, when it has none, leave nodes upwards until one has a next sibling.
	 */
	while (node != FREC_NONE) {
		const struct frec_node *n = frec_profile__node(p, node);
		struct fn_row *r;

		if ((err = row_of(t, frec_profile__frame_name(p, n->frame), &row[node])))
			break;
		r = &t->rows[row[node]];
		r->self[col] += n->self;
		if (!r->active++)
			r->total[col] += n->total;
		if (n->first_child != FREC_NONE) {
			node = n->first_child;
			continue;
		}
		for (;;) {
			const struct frec_node *m = frec_profile__node(p, node);

			t->rows[row[node]].active--;
			if (m->next_sibling != FREC_NONE) {
				node = m->next_sibling;
				break;
			}
			node = m->parent;
			if (node == FREC_NODE_ROOT) {
				node = FREC_NONE;
				break;
			}
		}
	}
	free(row);
	return err;
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* Sort keys: by the delta (self or total), largest first or last, then by name for stable output. */
static int by_self_up(const void *a, const void *b)
{
	const struct fn_row *x = *(const struct fn_row *const *)a, *y = *(const struct fn_row *const *)b;

	if (x->d_self != y->d_self)
		return x->d_self < y->d_self ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_self_down(const void *a, const void *b)
{
	const struct fn_row *x = *(const struct fn_row *const *)a, *y = *(const struct fn_row *const *)b;

	if (x->d_self != y->d_self)
		return x->d_self > y->d_self ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_total_up(const void *a, const void *b)
{
	const struct fn_row *x = *(const struct fn_row *const *)a, *y = *(const struct fn_row *const *)b;

	if (x->d_total != y->d_total)
		return x->d_total < y->d_total ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_total_down(const void *a, const void *b)
{
	const struct fn_row *x = *(const struct fn_row *const *)a, *y = *(const struct fn_row *const *)b;

	if (x->d_total != y->d_total)
		return x->d_total > y->d_total ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Deltas smaller than this (points) are rounding noise, not changes. */
#define DIFF_TEXT_NOISE 0.005

/*
 * Whether sampling alone could explain the change from w[0] of all[0] to w[1] of all[1]: a
 * two-proportion z-test, |z| < 2, as the differential flame graph greys such frames.
 */
static bool within_noise(const uint64_t w[2], const uint64_t all[2])
{
	double pooled, se, d;

	if (!all[0] || !all[1])
		return false;
	pooled = (double)(w[0] + w[1]) / (double)(all[0] + all[1]);
	se = sqrt(pooled * (1 - pooled) * (1 / (double)all[0] + 1 / (double)all[1]));
	d = (double)w[1] / (double)all[1] - (double)w[0] / (double)all[0];
	return fabs(d) < 2 * se;
}

static void print_table(FILE *f, const char *heading, struct fn_row **sorted, size_t n, unsigned int top,
			bool by_total, bool grew, const uint64_t all[2])
{
	unsigned int shown = 0;

	fprintf(f, "\n%s\n%9s %9s %10s %9s  %s\n", heading, "before", "after", "change", "relative",
		"function");
	for (size_t i = 0; i < n && shown < top; i++) {
		const struct fn_row *r = sorted[i];
		double d = by_total ? r->d_total : r->d_self;
		const uint64_t *w = by_total ? r->total : r->self;

		if (grew ? d < DIFF_TEXT_NOISE : d > -DIFF_TEXT_NOISE)
			break;
		char rel[32] = "from 0";

		if (w[0])
			snprintf(rel, sizeof(rel), "%+.0f%%", 100 * d / share(w[0], all[0]));
		fprintf(f, "%8.2f%% %8.2f%% %+8.2fpt %9s  ", share(w[0], all[0]), share(w[1], all[1]), d,
			rel);
		frec_term__puts(f, r->name);
		fputs(!r->total[0] ? " [new]" : !r->total[1] ? " [gone]" : "", f);
		fputs(within_noise(w, all) ? " [noise]\n" : "\n", f);
		shown++;
	}
	if (!shown)
		fprintf(f, "%9s %9s %10s %9s  (none)\n", "", "", "", "");
}

int render_diff__write_text(const struct frec_profile *before, const struct frec_profile *after,
			    const struct render_diff_opts *opts, FILE *f)
{
	unsigned int top = opts && opts->top ? opts->top : 20;
	const uint64_t all[2] = { frec_profile__total(before), frec_profile__total(after) };
	const char *names[2] = {
		frec_profile__str(before, frec_profile__meta_const(before)->source),
		frec_profile__str(after, frec_profile__meta_const(after)->source),
	};
	struct fn_table t = { 0 };
	struct fn_row **sorted = NULL;
	int err;

	if ((err = flame_map__init(&t.by_name, 1024)))
		return err;
	if ((err = add_profile(&t, before, 0)) || (err = add_profile(&t, after, 1)))
		goto out;
	err = -ENOMEM;
	sorted = malloc((t.n + 1) * sizeof(*sorted));
	if (!sorted)
		goto out;
	for (size_t i = 0; i < t.n; i++) {
		struct fn_row *r = &t.rows[i];

		r->d_self = share(r->self[1], all[1]) - share(r->self[0], all[0]);
		r->d_total = share(r->total[1], all[1]) - share(r->total[0], all[0]);
		sorted[i] = r;
	}
	fputs("before (baseline): ", f);
	frec_term__puts(f, *names[0] ? names[0] : "BEFORE");
	fprintf(f, ", %" PRIu64 " samples\nafter:             ", all[0]);
	frec_term__puts(f, *names[1] ? names[1] : "AFTER");
	fprintf(f, ", %" PRIu64 " samples\n", all[1]);
	fprintf(f, "shares are of each profile's own total; "
		   "change is in percentage points (after - before),\n"
		   "relative is the change over the share before; [noise]: sampling alone could explain it\n");

	qsort(sorted, t.n, sizeof(*sorted), by_self_up);
	print_table(f, "regressions by self share (time spent in the function itself)", sorted, t.n, top,
		    false, true, all);
	qsort(sorted, t.n, sizeof(*sorted), by_self_down);
	print_table(f, "improvements by self share", sorted, t.n, top, false, false, all);
	qsort(sorted, t.n, sizeof(*sorted), by_total_up);
	print_table(f, "regressions by total share (time in the function and its callees)", sorted, t.n, top,
		    true, true, all);
	qsort(sorted, t.n, sizeof(*sorted), by_total_down);
	print_table(f, "improvements by total share", sorted, t.n, top, true, false, all);
	err = ferror(f) ? -EIO : 0;
out:
	free(sorted);
	free(t.rows);
	flame_map__exit(&t.by_name);
	return err;
}
