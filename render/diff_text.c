// SPDX-License-Identifier: MIT
/*
 * The text diff: the functions whose weight grew or shrank most between two profiles.
 *
 * Each profile is reduced to one row per function name: its self weight (samples where it is the
 * leaf), and its total weight (samples where it is on the stack, counted once per sample however
 * deep the recursion: a node adds its total only if no ancestor has the same name).  struct
 * frec_diff_norm puts both sides on one scale (CPU time by default, so that unchanged code stays
 * unchanged whatever else grew) and decides, with the noise floor the flame graph uses, which
 * changes are listed.  Changes are in the normalisation's unit and relative to the value before (so
 * a function that vanished is -100%); functions present in one profile only are marked new or gone.
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
	double d_self, d_total;     /* after - before, in the normalisation's unit */
	bool ch_self, ch_total;     /* the change clears the noise floor */
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

/* What the tables' values are, in their headings: "CPU time", "off-CPU time per second"... */
static const char *norm_noun(const struct frec_diff_norm *dn, char *buf, size_t size)
{
	switch (dn->norm) {
	case FREC_NORM_TIME:
		return dn->time;
	case FREC_NORM_RATE:
		snprintf(buf, size, "%s per second", dn->time);
		return buf;
	case FREC_NORM_SHARE:
		return "share";
	default:
		return "samples";
	}
}

static void print_table(FILE *f, const struct frec_diff_norm *dn, const char *heading, struct fn_row **sorted,
			size_t n, unsigned int top, bool by_total, bool grew)
{
	unsigned int shown = 0;

	fprintf(f, "\n%s\n%10s %10s %11s %9s  %s\n", heading, "before", "after", "change", "relative", "function");
	for (size_t i = 0; i < n && shown < top; i++) {
		const struct fn_row *r = sorted[i];
		double d = by_total ? r->d_total : r->d_self, before;
		const uint64_t *w = by_total ? r->total : r->self;
		char rel[32] = "from 0", vb[48], va[48], vd[48];

		if (grew ? d <= 0 : d >= 0)
			break;
		if (!(by_total ? r->ch_total : r->ch_self))
			continue;
		before = (double)w[0] * dn->scale[0];
		if (before > 0)
			snprintf(rel, sizeof(rel), "%+.0f%%", 100 * d / before);
		fprintf(f, "%10s %10s %11s %9s  ", frec_norm__fmt(dn->norm, before, false, vb, sizeof(vb)),
			frec_norm__fmt(dn->norm, (double)w[1] * dn->scale[1], false, va, sizeof(va)),
			frec_norm__fmt(dn->norm, d, true, vd, sizeof(vd)), rel);
		frec_term__puts(f, r->name);
		fputs(!r->total[0] ? " [new]\n" : !r->total[1] ? " [gone]\n" : "\n", f);
		shown++;
	}
	if (!shown)
		fprintf(f, "%10s %10s %11s %9s  (none)\n", "", "", "", "");
}

/* "before (baseline): FILE, N samples, D s" and the same for after, on one line or two. */
static void print_sides(FILE *f, const struct frec_profile *before, const struct frec_profile *after,
			const char *sep)
{
	struct flame_line l[2] = { { .len = 0 }, { .len = 0 } };

	diff_side__describe(&l[0], before, "BEFORE", false);
	diff_side__describe(&l[1], after, "AFTER", false);
	/* File names are the user's, but a terminal must not take them for escape sequences. */
	fputs("before (baseline): ", f);
	frec_term__puts(f, l[0].buf);
	fputs(sep, f);
	frec_term__puts(f, l[1].buf);
}

static void print_header(FILE *f, const struct frec_profile *before, const struct frec_profile *after,
			 const struct frec_diff_norm *dn)
{
	char floor[48], what[96];

	/* A floor under one sample still reads as a number of samples. */
	if (dn->norm == FREC_NORM_COUNT)
		snprintf(floor, sizeof(floor), "%.3g", dn->min_size);
	else
		frec_norm__fmt(dn->norm, dn->min_size, false, floor, sizeof(floor));
	print_sides(f, before, after, "\nafter:             ");
	fprintf(f, "\ncompared as %s [--normalize %s]\n", frec_diff_norm__describe(dn, what, sizeof(what)),
		frec_norm__name(dn->norm));
	fprintf(f, "noise floor: %.0f standard deviations of sampling noise and %.1f%% of before's total (%s);\n"
		   "smaller changes are not listed; relative is the change over the value before\n",
		dn->min_z, FREC_NORM_MIN_POINTS, floor);
	if (dn->suggest_rate)
		fprintf(f, "note: both recordings lasted as long as you chose, and after's is %.0f%% %s than before's:\n"
			   "      unchanged code differs by as much; --normalize rate compares %s per second\n",
			100 * fabs(dn->duration_change), dn->duration_change > 0 ? "longer" : "shorter", dn->time);
}

int render_diff__write_summary(const struct frec_profile *before, const struct frec_profile *after,
			       enum frec_norm norm, FILE *f)
{
	struct frec_diff_norm dn;
	int err = frec_diff_norm__init(&dn, before, after, norm);
	char what[96];

	if (err)
		return err;
	print_sides(f, before, after, "; after: ");
	fprintf(f, "; compared as %s\n", frec_diff_norm__describe(&dn, what, sizeof(what)));
	return ferror(f) ? -EIO : 0;
}

int render_diff__write_text(const struct frec_profile *before, const struct frec_profile *after,
			    const struct render_diff_opts *opts, FILE *f)
{
	unsigned int top = opts && opts->top ? opts->top : 20;
	struct fn_table t = { 0 };
	struct fn_row **sorted = NULL;
	struct frec_diff_norm dn;
	char noun[128], unit[64];
	size_t quiet = 0;
	int err;

	if ((err = frec_diff_norm__init(&dn, before, after, opts ? opts->norm : FREC_NORM_DEFAULT)))
		return err;
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

		r->d_self = frec_diff_norm__delta(&dn, r->self[0], r->self[1]);
		r->d_total = frec_diff_norm__delta(&dn, r->total[0], r->total[1]);
		r->ch_self = frec_diff_norm__is_change(&dn, r->self[0], r->self[1]);
		r->ch_total = frec_diff_norm__is_change(&dn, r->total[0], r->total[1]);
		quiet += !r->ch_self && !r->ch_total;
		sorted[i] = r;
	}
	print_header(f, before, after, &dn);

	snprintf(noun, sizeof(noun), "regressions by self %s (in the function itself)",
		 norm_noun(&dn, unit, sizeof(unit)));
	qsort(sorted, t.n, sizeof(*sorted), by_self_up);
	print_table(f, &dn, noun, sorted, t.n, top, false, true);
	snprintf(noun, sizeof(noun), "improvements by self %s", norm_noun(&dn, unit, sizeof(unit)));
	qsort(sorted, t.n, sizeof(*sorted), by_self_down);
	print_table(f, &dn, noun, sorted, t.n, top, false, false);
	snprintf(noun, sizeof(noun), "regressions by total %s (in the function and its callees)",
		 norm_noun(&dn, unit, sizeof(unit)));
	qsort(sorted, t.n, sizeof(*sorted), by_total_up);
	print_table(f, &dn, noun, sorted, t.n, top, true, true);
	snprintf(noun, sizeof(noun), "improvements by total %s", norm_noun(&dn, unit, sizeof(unit)));
	qsort(sorted, t.n, sizeof(*sorted), by_total_down);
	print_table(f, &dn, noun, sorted, t.n, top, true, false);
	fprintf(f, "\nwithin the noise floor, not listed: %zu of %zu functions\n", quiet, t.n);
	err = ferror(f) ? -EIO : 0;
out:
	free(sorted);
	free(t.rows);
	flame_map__exit(&t.by_name);
	return err;
}
