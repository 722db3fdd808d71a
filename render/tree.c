// SPDX-License-Identifier: MIT
/*
 * The call tree in text (frec report --tree), and the printer it shares with the callers view.
 *
 * perf report --stdio --children prints every callee a level deeper, so that real stacks of forty
 * frames run off the screen.  Here a node with a single shown child keeps it in its own column
 * (a chain of calls reads down, not right), and only a node with several shown children indents
 * them, under "|- " and "`- " markers.  A tower of direct recursion whose levels have nothing else
 * worth showing is one line with its depth.  Nodes under the percent limit are hidden; the
 * heaviest child comes first.
 *
 * The walk is iterative (folded stacks may be 65,536 frames deep): a stack of levels, each with its
 * shown children in a shared pool and the length of the prefix that its lines start with.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frec/array.h"
#include "frec/log.h"
#include "frec/profile.h"
#include "frec/render.h"
#include "text_internal.h"

#define TREE_INDENT 3 /* "|- " */

struct level {
	size_t kids;   /* offset of its children in the pool */
	size_t nr;     /* how many */
	size_t next;   /* the next to print */
	size_t prefix; /* length of the prefix of its children's lines */
};

struct printer {
	const struct tree_view *v;
	FILE *f;
	uint32_t *pool;
	size_t pool_len, pool_cap;
	struct level *levels;
	size_t nr_levels, levels_cap;
	char *prefix;
	size_t prefix_cap;
	bool split_recursion;
};

static bool shown(const struct tree_view *v, const struct frec_node *n)
{
	return n->total && n->total >= v->min;
}

/* Append @node's shown children, heaviest first, to the pool; returns how many, or -ENOMEM. */
static long add_kids(struct printer *pr, uint32_t node)
{
	const struct frec_profile *p = pr->v->p;
	size_t start = pr->pool_len;

	for (uint32_t c = frec_profile__node(p, node)->first_child; c != FREC_NONE;
	     c = frec_profile__node(p, c)->next_sibling) {
		if (!shown(pr->v, frec_profile__node(p, c)))
			continue;
		if (frec_array__grow((void **)&pr->pool, &pr->pool_cap, pr->pool_len + 1, sizeof(*pr->pool)))
			return -ENOMEM;
		pr->pool[pr->pool_len++] = c;
	}
	if (pr->pool_len - start > 1)
		qsort_r(pr->pool + start, pr->pool_len - start, sizeof(*pr->pool), text_cmp_nodes, (void *)p);
	return (long)(pr->pool_len - start);
}

static int push_level(struct printer *pr, uint32_t node, size_t prefix)
{
	long nr;

	if (frec_array__grow((void **)&pr->levels, &pr->levels_cap, pr->nr_levels + 1, sizeof(*pr->levels)))
		return -ENOMEM;
	pr->levels[pr->nr_levels] = (struct level){ .kids = pr->pool_len, .prefix = prefix };
	nr = add_kids(pr, node);
	if (nr < 0)
		return (int)nr;
	pr->levels[pr->nr_levels++].nr = (size_t)nr;
	return 0;
}

/* The only shown child of @node if it is of @node's function (direct recursion), else FREC_NONE. */
static uint32_t recursion_next(const struct printer *pr, uint32_t node)
{
	const struct tree_view *v = pr->v;
	const struct frec_node *n = frec_profile__node(v->p, node);
	uint32_t only = FREC_NONE;

	for (uint32_t c = n->first_child; c != FREC_NONE; c = frec_profile__node(v->p, c)->next_sibling) {
		if (!shown(v, frec_profile__node(v->p, c)))
			continue;
		if (only != FREC_NONE)
			return FREC_NONE;
		only = c;
	}
	return only != FREC_NONE && v->func[n->frame] != FREC_NONE &&
			       v->func[frec_profile__node(v->p, only)->frame] == v->func[n->frame]
		       ? only
		       : FREC_NONE;
}

/*
 * Print @node (and the recursion tower it starts) after the prefix of @up with @marker, then push
 * the level of its children.
 */
static int print_node(struct printer *pr, const struct level *up, uint32_t node, const char *marker)
{
	const struct tree_view *v = pr->v;
	const struct frec_node *first = frec_profile__node(v->p, node);
	uint64_t self = first->self;
	struct text_name name = text_name__of_frame(v->p, first->frame);
	size_t depth = 1, prefix = up->prefix;
	uint32_t last = node, next;

	while ((next = recursion_next(pr, last)) != FREC_NONE) {
		last = next;
		self += frec_profile__node(v->p, last)->self;
		depth++;
	}
	fprintf(pr->f, "%6.2f%%  %6.2f%%  ", text_pct(first->total, v->total),
		v->base ? text_pct(first->total, v->base) : text_pct(self, v->total));
	if (prefix)
		fwrite(pr->prefix, 1, prefix, pr->f);
	fputs(marker, pr->f);
	text_name__put(v->p, &name, pr->f);
	if (depth > 1)
		fprintf(pr->f, "  [recursion: %zu levels]", depth);
	putc('\n', pr->f);

	/* Its children start under its name: the marker's column continues down while siblings follow. */
	if (*marker) {
		if (frec_array__grow((void **)&pr->prefix, &pr->prefix_cap, prefix + TREE_INDENT, 1))
			return -ENOMEM;
		memcpy(pr->prefix + prefix, !strcmp(marker, "`- ") ? "   " : "|  ", TREE_INDENT);
		prefix += TREE_INDENT;
	}
	if (push_level(pr, last, prefix))
		return -ENOMEM;
	/* A function that calls itself among other callees is still shown level by level. */
	for (size_t i = 0; i < pr->levels[pr->nr_levels - 1].nr; i++) {
		uint32_t c = pr->pool[pr->levels[pr->nr_levels - 1].kids + i];

		if (v->func[first->frame] != FREC_NONE && v->func[frec_profile__node(v->p, c)->frame] == v->func[first->frame])
			pr->split_recursion = true;
	}
	return 0;
}

int tree_view__write(const struct tree_view *v, FILE *f, bool *split_recursion)
{
	struct printer pr = { .v = v, .f = f };
	int err;

	fputs(v->heading, f);
	err = push_level(&pr, FREC_NODE_ROOT, 0);
	while (!err && pr.nr_levels) {
		struct level *l = &pr.levels[pr.nr_levels - 1];
		uint32_t node;
		const char *marker;

		if (l->next == l->nr) {
			pr.pool_len = l->kids;
			pr.nr_levels--;
			continue;
		}
		node = pr.pool[l->kids + l->next++];
		marker = l->nr == 1 ? "" : l->next == l->nr ? "`- " : "|- ";
		err = print_node(&pr, l, node, marker);
	}
	free(pr.pool);
	free(pr.levels);
	free(pr.prefix);
	if (split_recursion)
		*split_recursion = pr.split_recursion;
	if (err)
		return err;
	return ferror(f) ? -EIO : 0;
}

int tree_view__note_recursion(FILE *f)
{
	fputs("note: a function that calls itself among other calls is shown level by level; "
	      "--collapse-recursion merges the levels\n", f);
	return ferror(f) ? -EIO : 0;
}

/* The smallest weight shown under a limit of @pct percent of @total. */
uint64_t tree_view__min(double pct, uint64_t total)
{
	double min = ceil(pct / 100 * (double)total);

	return min >= (double)UINT64_MAX ? UINT64_MAX : (uint64_t)min;
}

int render_tree__write(const struct frec_profile *p, const struct render_tree_opts *opts, FILE *f)
{
	double limit = opts && opts->percent_limit >= 0 ? opts->percent_limit : RENDER_TREE_LIMIT;
	uint64_t total = frec_profile__total(p);
	struct tree_view v = {
		.p = p,
		.min = tree_view__min(limit, total),
		.total = total,
		.heading = " total%    self%  function  (module), callees under their caller\n",
	};
	bool split = false;
	char n[32];
	int err;

	fprintf(f, "call tree of %s ", text_count(total, n, sizeof(n)));
	frec_term__puts(f, frec_profile__str(p, frec_profile__meta_const(p)->unit));
	if (limit > 0)
		fprintf(f, "; frames under %g%% of them hidden (--percent-limit)", limit);
	fputs("\n", f);
	err = frec_profile__func_ids(p, (uint32_t **)&v.func);
	if (err)
		return err;
	err = tree_view__write(&v, f, &split);
	free((void *)v.func);
	if (!err && split)
		err = tree_view__note_recursion(f);
	return err;
}
