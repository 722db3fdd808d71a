// SPDX-License-Identifier: MIT
/*
 * Candidates: every explanation of some samples that passes its kind's threshold, before overlaps
 * are resolved (findings.c).  Thresholds are shares of all samples and are documented in
 * frec-findings(7); keep the two in step.
 *
 * Each candidate claims the samples it explains, as call-tree nodes in pre-order: a known operation
 * claims the subtrees of its outermost matches, recursion, repeated work and heavy subtrees the
 * subtrees of their function's outermost calls, hotspots and library blocks the self weight of
 * single nodes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"

#define HOTSPOT_MIN 5.0        /* % self: no hotspot below */
#define HOTSPOT_ALWAYS 15.0    /* % self: a hotspot whatever the rest of the profile looks like */
#define HOTSPOT_STANDOUT 2.0   /* else at least this many times the median self of the 10 heaviest */
#define HEAVY_MIN 10.0         /* % total */
#define HEAVY_MAX 85.0         /* % total: a function on nearly every stack is the program, not a finding */
#define HEAVY_SELF_MAX 0.25    /* self at most this part of the total: the callees carry it */
#define RECURSION_MIN 5.0      /* % total of the recursive function */
#define REPEATED_MIN 10.0      /* % total of the callee reached from several callers */
#define REPEATED_CALLER_MIN 2.0   /* % of all samples each caller brings */
#define REPEATED_CALLER_PART 0.10 /* and at least this part of the callee's total */
#define REPEATED_ALIKE 0.5     /* overlap of the callee's children's shares with the heaviest caller's */
#define LIBRARY_MIN 10.0       /* % self in one library under one responsible function */

double an_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static int cmp_tuple(const void *a, const void *b)
{
	const struct an_tuple *x = a, *y = b;

	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	return (x->c > y->c) - (x->c < y->c);
}

int an_grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *nv;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	nv = realloc(*v, n * elem);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = n;
	return 0;
}

int an_tuples__push(struct an_tuple **v, size_t *n, size_t *cap, struct an_tuple t)
{
	if (an_grow((void **)v, cap, *n + 1, sizeof(**v)))
		return -ENOMEM;
	(*v)[(*n)++] = t;
	return 0;
}

size_t an_tuples__reduce(struct an_tuple *t, size_t n)
{
	size_t o = 0;

	if (n > 1)
		qsort(t, n, sizeof(*t), cmp_tuple);
	for (size_t i = 0; i < n; i++) {
		if (o && t[o - 1].a == t[i].a && t[o - 1].b == t[i].b && t[o - 1].c == t[i].c)
			t[o - 1].w += t[i].w;
		else
			t[o++] = t[i];
	}
	return o;
}

static int add(struct an_ctx *c, const struct an_cand *cand)
{
	if (an_grow((void **)&c->cands, &c->cands_cap, c->nr_cands + 1, sizeof(*c->cands)))
		return -ENOMEM;
	c->cands[c->nr_cands++] = *cand;
	return 0;
}

static bool at_least(const struct an_ctx *c, uint64_t w, double pct)
{
	return an_pct(w, c->total) >= pct;
}

static struct an_claim outer_claim(const struct an_ctx *c, uint32_t f)
{
	return (struct an_claim){ c->outer_idx + c->outer_start[f], c->outer_start[f + 1] - c->outer_start[f], true, false };
}

/* A program function that may be a finding's subject: not boilerplate, not mostly a stack's entry. */
static bool subject_ok(const struct an_ctx *c, uint32_t f)
{
	const struct an_frame_info *fi = &c->fi[c->funcs[f].frame];

	return fi->cls == AN_CLASS_USER && !fi->boilerplate && c->fc[f].entry * 2 <= c->fc[f].total;
}

static int known_ops(struct an_ctx *c)
{
	for (uint32_t r = 0; r < c->nr_rules; r++) {
		const struct an_rule *rule = an_rules__get(c->rules, r);
		struct an_cand cand = {
			.kind = ANALYZE_KNOWN_OP,
			.order = rule->generic ? 3 : 0,
			.func = AN_NONE,
			.rule = r,
			.claim = { c->op_idx + c->op_start[r], c->op_start[r + 1] - c->op_start[r], true, false },
		};

		for (size_t i = 0; i < cand.claim.n; i++)
			cand.weight += an_tot(c, cand.claim.idx[i]);
		if (rule->type == AN_RULE_OP && cand.weight && at_least(c, cand.weight, rule->threshold)) {
			int err = add(c, &cand);

			if (err)
				return err;
		}
	}
	return 0;
}

static int recursions(struct an_ctx *c)
{
	for (uint32_t f = 0; f < c->nr_funcs; f++) {
		struct an_cand cand = { .kind = ANALYZE_RECURSION, .order = 1, .func = f, .rule = AN_NONE };
		int err;

		/* Deep in at least half of its samples: a tree walk of depth 3 is not what this means. */
		if (c->fc[f].maxrep < AN_RECURSION_DEPTH || c->deep[f] * 2 < c->fc[f].total ||
		    !at_least(c, c->fc[f].total, RECURSION_MIN) || !subject_ok(c, f))
			continue;
		cand.depth = c->fc[f].maxrep;
		cand.weight = c->fc[f].total;
		cand.claim = outer_claim(c, f);
		if ((err = add(c, &cand)))
			return err;
	}
	return 0;
}

/* Sum of the smaller share of each child in two callers' runs of (callee, caller, child) tuples. */
static double alike(const struct an_tuple *a, size_t na, uint64_t wa, const struct an_tuple *b, size_t nb,
		    uint64_t wb)
{
	double sum = 0;
	size_t i = 0, j = 0;

	while (i < na && j < nb) {
		if (a[i].c != b[j].c) {
			if (a[i].c < b[j].c)
				i++;
			else
				j++;
			continue;
		}
		double x = (double)a[i].w / (double)wa, y = (double)b[j].w / (double)wb;

		sum += x < y ? x : y;
		i++;
		j++;
	}
	return sum;
}

struct group {
	const struct an_tuple *t;
	size_t n;
	uint64_t w;
};

static int cmp_group(const void *a, const void *b, void *arg)
{
	const struct group *x = a, *y = b;
	const struct an_ctx *c = arg;

	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return (an_frank(c, x->t->b) > an_frank(c, y->t->b)) - (an_frank(c, x->t->b) < an_frank(c, y->t->b));
}

/*
 * Repeated work: one callee reached from several callers, with subtrees that look alike (the same
 * children in similar proportions), as N+1 queries or one document parsed in several places look.
 */
static int repeated_one(struct an_ctx *c, uint32_t f, const struct an_tuple *t, size_t n, struct group *g)
{
	struct an_cand cand = { .kind = ANALYZE_REPEATED, .order = 2, .func = f, .rule = AN_NONE };
	size_t ng = 0, nalike = 1;

	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint64_t w = 0;

		while (j < n && t[j].b == t[i].b)
			w += t[j++].w;
		if (at_least(c, w, REPEATED_CALLER_MIN) && (double)w >= REPEATED_CALLER_PART * (double)c->fc[f].total)
			g[ng++] = (struct group){ t + i, j - i, w };
		i = j;
	}
	if (ng < 2)
		return 0;
	qsort_r(g, ng, sizeof(*g), cmp_group, c);
	for (size_t i = 1; i < ng; i++)
		if (alike(g[0].t, g[0].n, g[0].w, g[i].t, g[i].n, g[i].w) >= REPEATED_ALIKE)
			g[nalike++] = g[i];
	if (nalike < 2)
		return 0;
	cand.weight = c->fc[f].total;
	cand.depth = (uint32_t)nalike; /* callers doing the same work */
	cand.claim = outer_claim(c, f);
	for (size_t i = 0; i < nalike && i < ANALYZE_TOP; i++) {
		cand.callers[i] = (struct analyze_fn){ c->funcs[g[i].t->b].name, c->funcs[g[i].t->b].module, g[i].w };
		cand.nr_callers++;
	}
	return add(c, &cand);
}

bool an_may_repeat(const struct an_ctx *c, uint32_t f, uint64_t ftotal)
{
	const struct an_frame_info *fi = &c->fi[c->funcs[f].frame];

	return fi->cls == AN_CLASS_USER && !fi->boilerplate && at_least(c, ftotal, REPEATED_MIN);
}

static int repeated(struct an_ctx *c)
{
	struct group *g;
	size_t n = 0;
	int err = 0;

	/*
	 * Only a function of at least REPEATED_MIN can be one: the others' tuples go before sorting, which
	 * on a profile of millions of distinct stacks (a tuple per node) cost more than all the rest.
	 */
	for (size_t i = 0; i < c->nr_calls; i++)
		if (subject_ok(c, c->calls[i].a) && at_least(c, c->fc[c->calls[i].a].total, REPEATED_MIN))
			c->calls[n++] = c->calls[i];
	c->nr_calls = n;
	g = malloc((c->nr_calls + 1) * sizeof(*g));
	if (!g)
		return -ENOMEM;
	c->nr_calls = an_tuples__reduce(c->calls, c->nr_calls);
	for (size_t i = 0; i < c->nr_calls && !err;) {
		uint32_t f = c->calls[i].a;
		size_t j = i;

		while (j < c->nr_calls && c->calls[j].a == f)
			j++;
		if (subject_ok(c, f) && at_least(c, c->fc[f].total, REPEATED_MIN))
			err = repeated_one(c, f, c->calls + i, j - i, g);
		i = j;
	}
	free(g);
	return err;
}

/* Library blocks: self weight inside one library (or the kernel) under one responsible function. */
static int libraries(struct an_ctx *c)
{
	if (c->nr_lib > 1)
		qsort(c->lib, c->nr_lib, sizeof(*c->lib), cmp_tuple);
	for (size_t i = 0; i < c->nr_lib;) {
		struct an_cand cand = { .kind = ANALYZE_LIBRARY, .order = 4, .func = AN_NONE, .rule = AN_NONE };
		size_t j = i;
		uint32_t *idx;

		while (j < c->nr_lib && c->lib[j].a == c->lib[i].a && c->lib[j].b == c->lib[i].b)
			cand.weight += c->lib[j++].w;
		if (!at_least(c, cand.weight, LIBRARY_MIN)) {
			i = j;
			continue;
		}
		idx = malloc((j - i) * sizeof(*idx));
		if (!idx)
			return -ENOMEM;
		for (size_t k = i; k < j; k++)
			idx[k - i] = c->lib[k].c;
		cand.module = c->lib[i].a;
		cand.resp = c->lib[i].b;
		cand.claim = (struct an_claim){ idx, j - i, false, true };
		if (add(c, &cand)) {
			free(idx);
			return -ENOMEM;
		}
		i = j;
	}
	return 0;
}

/* A function may be a hotspot unless it is frec's own root, unnamed, or system boilerplate. */
static bool hotspot_ok(const struct an_ctx *c, uint32_t f)
{
	const struct an_frame_info *fi = &c->fi[c->funcs[f].frame];

	return fi->cls != AN_CLASS_GROUP && fi->cls != AN_CLASS_UNKNOWN && (!fi->boilerplate || fi->cls == AN_CLASS_USER);
}

/*
 * Hotspots: a large self share that stands out.  In a flat profile (ten functions at 8% each)
 * no function is "the" hotspot: the share must reach HOTSPOT_ALWAYS or be HOTSPOT_STANDOUT times
 * the median of the ten heaviest.
 */
static int hotspots(struct an_ctx *c)
{
	uint64_t top[10]; /* the heaviest selves, heaviest first: kept as they come, not sorted all */
	size_t n = 0;
	double median;
	int err = 0;

	for (uint32_t f = 0; f < c->nr_funcs; f++) {
		uint64_t s = c->fc[f].self;
		size_t i;

		if (!s || (n == 10 && s <= top[9]) || !hotspot_ok(c, f))
			continue;
		for (i = n < 10 ? n++ : 9; i && top[i - 1] < s; i--)
			top[i] = top[i - 1];
		top[i] = s;
	}
	median = n ? (n % 2 ? (double)top[n / 2] : ((double)top[n / 2 - 1] + (double)top[n / 2]) / 2) : 0;
	for (uint32_t f = 0; f < c->nr_funcs && !err; f++) {
		struct an_cand cand = { .kind = ANALYZE_HOTSPOT, .order = 5, .func = f, .rule = AN_NONE };

		if (!an_wants_self(c, f) ||
		    (!at_least(c, c->fc[f].self, HOTSPOT_ALWAYS) && (double)c->fc[f].self < HOTSPOT_STANDOUT * median))
			continue;
		cand.weight = c->fc[f].self;
		cand.claim = (struct an_claim){ c->self_idx + c->self_start[f], c->self_start[f + 1] - c->self_start[f],
						false, false };
		err = add(c, &cand);
	}
	return err;
}

static int heavies(struct an_ctx *c)
{
	for (uint32_t f = 0; f < c->nr_funcs; f++) {
		struct an_cand cand = { .kind = ANALYZE_HEAVY, .order = 6, .func = f, .rule = AN_NONE };
		int err;

		if (!at_least(c, c->fc[f].total, HEAVY_MIN) || at_least(c, c->fc[f].total, HEAVY_MAX) ||
		    (double)c->fc[f].self > HEAVY_SELF_MAX * (double)c->fc[f].total || !subject_ok(c, f))
			continue;
		cand.weight = c->fc[f].total;
		cand.claim = outer_claim(c, f);
		/* the least depth of its nodes, counted up to the root (and no further than the least so far) */
		cand.level = UINT32_MAX;
		for (size_t i = 0; i < cand.claim.n; i++) {
			uint32_t d = 0, n = an_node(c, cand.claim.idx[i]);

			for (; n != FREC_NODE_ROOT && d < cand.level; n = an_node_parent(c, n))
				d++;
			if (d < cand.level)
				cand.level = d;
		}
		if ((err = add(c, &cand)))
			return err;
	}
	return 0;
}

int an_ctx__candidates(struct an_ctx *c)
{
	int err;

	if ((err = known_ops(c)) || (err = recursions(c)) || (err = repeated(c)) || (err = libraries(c)) ||
	    (err = hotspots(c)) || (err = heavies(c)))
		return err;
	return 0;
}

bool an_wants_self(const struct an_ctx *c, uint32_t f)
{
	return at_least(c, c->fc[f].self, HOTSPOT_MIN) && hotspot_ok(c, f);
}

bool an_wants_outer(const struct an_ctx *c, uint32_t f)
{
	double min = RECURSION_MIN < REPEATED_MIN ? RECURSION_MIN : REPEATED_MIN;

	return at_least(c, c->fc[f].total, min < HEAVY_MIN ? min : HEAVY_MIN) && subject_ok(c, f);
}

/* The threshold a candidate's share not explained by others must still reach. */
double an_cand__min_share(const struct an_ctx *c, const struct an_cand *cand)
{
	switch (cand->kind) {
	case ANALYZE_KNOWN_OP:
		return an_rules__get(c->rules, cand->rule)->threshold;
	case ANALYZE_RECURSION:
		return RECURSION_MIN;
	case ANALYZE_REPEATED:
		return REPEATED_MIN;
	case ANALYZE_LIBRARY:
		return LIBRARY_MIN;
	case ANALYZE_HOTSPOT:
		return HOTSPOT_MIN;
	case ANALYZE_HEAVY:
	default:
		return HEAVY_MIN;
	}
}
