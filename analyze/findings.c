// SPDX-License-Identifier: MIT
/*
 * Findings from candidates: overlaps resolved, ranked, and given their evidence and words.
 *
 * One set of samples can be explained several ways: a hotspot in BF_encrypt, a libcrypt library
 * block and a known password-hashing operation, all under validate_password.  Candidates are taken
 * the most specific kind first (known operation, recursion, repeated work, generic operation,
 * library block, hotspot, heavy subtree; the heaviest first within a kind, but heavy subtrees the
 * lightest first so that the deepest function that explains the weight wins).  Each node's self
 * weight belongs to the first finding that claims it.  A candidate whose samples mostly (half or
 * more) belong to one finding already taken is folded into it as evidence; else it becomes a finding
 * if what no finding explains yet still reaches its kind's threshold.  Findings are then ranked by
 * that unexplained share, the share a fix could remove, near-ties (within half a point) going to
 * the more specific kind.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"

#define BROKEN_MIN 5.0     /* % of samples with truncated stacks or unnamed program frames */
#define MAX_NODES 64       /* call-tree nodes kept per finding for the SVG */
#define STACK_EXTEND 12    /* frames a stack may go on below the finding's node */
#define TIE_POINTS 0.5     /* unexplained shares this close are a tie */

struct analyze_report {
	const struct frec_profile *p;
	struct analyze_finding *v;
	struct an_finding_mem *mem;
	size_t nr, nr_mem; /* findings, and entries of mem (one past nr may hold a half-built one) */
	bool *boiler; /* per frame: boilerplate (for trimming stacks in the output) */
};

static const char *const kind_names[ANALYZE_KIND_MAX] = {
	[ANALYZE_BROKEN_STACKS] = "broken-stacks",
	[ANALYZE_KNOWN_OP] = "known-op",
	[ANALYZE_RECURSION] = "recursion",
	[ANALYZE_REPEATED] = "repeated-subtree",
	[ANALYZE_LIBRARY] = "library-block",
	[ANALYZE_HOTSPOT] = "hotspot",
	[ANALYZE_HEAVY] = "heavy-subtree",
};

static const char *const kind_titles[ANALYZE_KIND_MAX] = {
	[ANALYZE_BROKEN_STACKS] = "broken stacks",
	[ANALYZE_KNOWN_OP] = "known expensive operation",
	[ANALYZE_RECURSION] = "deep recursion",
	[ANALYZE_REPEATED] = "repeated work",
	[ANALYZE_LIBRARY] = "time inside a library",
	[ANALYZE_HOTSPOT] = "hot function",
	[ANALYZE_HEAVY] = "heavy subtree",
};

const char *analyze_kind__name(enum analyze_kind kind)
{
	return (unsigned int)kind < ANALYZE_KIND_MAX ? kind_names[kind] : "?";
}

/* ---- Choosing ------------------------------------------------------------------------------------ */

static int cmp_cand(const void *a, const void *b, void *arg)
{
	const struct an_cand *x = a, *y = b;
	const struct an_ctx *c = arg;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (x->weight != y->weight) {
		bool asc = x->kind == ANALYZE_HEAVY;

		return (x->weight > y->weight) == asc ? 1 : -1;
	}
	if (x->level != y->level)
		return x->level > y->level ? -1 : 1;
	if (x->func != y->func)
		return an_frank(c, x->func) < an_frank(c, y->func) ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	if (x->module != y->module)
		return x->module < y->module ? -1 : 1;
	return (an_frank(c, x->resp) > an_frank(c, y->resp)) - (an_frank(c, x->resp) < an_frank(c, y->resp));
}

struct chosen {
	struct an_cand *cand;
	uint64_t unique;
	struct analyze_also also[ANALYZE_ALSO];
	size_t nr_also;
};

/* The first position in c->selfk of an index at least @k (c->nr_self if none). */
static uint32_t self_pos(const struct an_ctx *c, uint32_t k)
{
	uint32_t lo = 0, hi = c->nr_self;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->selfk[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t an_resp(const struct an_ctx *c, uint32_t k)
{
	uint32_t p = self_pos(c, k);
	size_t lo = 0, hi = c->nr_op_resp;

	if (p < c->nr_self && c->selfk[p] == k)
		return c->selfr[p];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->op_resp[mid].a < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nr_op_resp && c->op_resp[lo].a == k ? c->op_resp[lo].b : AN_NONE;
}

/*
 * Apply @body to the position @p in c->selfk of every index with self weight that a claim covers:
 * the samples it claims (the other indices hold none).
 */
#define FOR_CLAIM(c, cl, p, body)                                                               \
	for (size_t ci_ = 0; ci_ < (cl)->n; ci_++) {                                            \
		uint32_t lo_ = (cl)->idx[ci_], hi_ = (cl)->subtree ? (c)->end[lo_] : lo_ + 1;   \
		for (uint32_t p = self_pos(c, lo_); p < (c)->nr_self && (c)->selfk[p] < hi_; p++) \
			body                                                                    \
	}

static void fn_of(const struct an_ctx *c, const struct an_cand *cand, struct analyze_fn *out)
{
	*out = (struct analyze_fn){ 0 };
	if (cand->kind == ANALYZE_LIBRARY) {
		out->kernel = cand->module == AN_KERNEL_MODULE;
		out->module = out->kernel ? 0 : cand->module;
	} else if (cand->func != AN_NONE) {
		out->name = c->funcs[cand->func].name;
		out->module = c->funcs[cand->func].module;
	}
	out->weight = cand->weight;
}

static void add_also(struct chosen *ch, const struct an_ctx *c, const struct an_cand *cand)
{
	struct analyze_also *a;

	if (ch->nr_also == ANALYZE_ALSO)
		return;
	a = &ch->also[ch->nr_also++];
	a->kind = cand->kind;
	a->id = cand->kind == ANALYZE_KNOWN_OP ? an_rules__get(c->rules, cand->rule)->id : kind_names[cand->kind];
	fn_of(c, cand, &a->what);
}

/*
 * The children of a candidate's nodes, by function, with only the weight that finding @me explains
 * and no other: what a heavy subtree itself stands for.  Appended to *@t.  0 or -ENOMEM.
 */
static int children_of(const struct an_ctx *c, const struct an_cand *cand, uint32_t me, struct an_tuple **t,
		       size_t *n, size_t *cap)
{
	for (size_t i = 0; i < cand->claim.n; i++) {
		uint32_t x = cand->claim.idx[i], p = self_pos(c, x + 1);

		for (uint32_t ch = x + 1; ch < c->end[x]; ch = c->end[ch]) {
			uint64_t w = 0;

			for (; p < c->nr_self && c->selfk[p] < c->end[ch]; p++)
				w += c->owner[p] == me ? c->selfw[p] : 0;
			if (an_tuples__push(t, n, cap, (struct an_tuple){ an_fn(c, ch), 0, 0, w }))
				return -ENOMEM;
		}
	}
	return 0;
}

/*
 * A heavy subtree is a finding when children of some size (1% of all samples or more) carry at least
 * half of what no other finding explains: a utility called from everywhere, whose time splits into
 * hundreds of slivers, names nothing worth looking at.
 */
static bool heavy_concentrated(const struct an_ctx *c, const struct an_cand *cand, uint32_t me, uint64_t free_w)
{
	struct an_tuple *t = NULL;
	size_t n = 0, cap = 0;
	uint64_t sum = 0;

	if (children_of(c, cand, me, &t, &n, &cap)) {
		free(t);
		return false;
	}
	n = an_tuples__reduce(t, n);
	for (size_t i = 0; i < n; i++)
		if (an_pct(t[i].w, c->total) >= 1.0)
			sum += t[i].w;
	free(t);
	return sum * 2 >= free_w;
}

static int choose(struct an_ctx *c, struct chosen **out, size_t *nr)
{
	uint32_t *owner = c->owner = malloc(((size_t)c->nr_self + 1) * sizeof(*owner));
	struct chosen *ch = calloc(c->nr_cands + 1, sizeof(*ch));
	uint64_t *by = calloc(c->nr_cands + 1, sizeof(*by));
	size_t n = 0;

	if (!owner || !ch || !by) {
		free(ch);
		free(by);
		return -ENOMEM;
	}
	for (uint32_t p = 0; p < c->nr_self; p++)
		owner[p] = AN_NONE;
	if (c->nr_cands > 1)
		qsort_r(c->cands, c->nr_cands, sizeof(*c->cands), cmp_cand, c);
	for (size_t i = 0; i < c->nr_cands; i++) {
		struct an_cand *cand = &c->cands[i];
		uint64_t free_w = 0, best_w = 0;
		size_t best = 0;

		memset(by, 0, n * sizeof(*by));
		FOR_CLAIM(c, &cand->claim, p, {
			if (owner[p] == AN_NONE)
				free_w += c->selfw[p];
			else
				by[owner[p]] += c->selfw[p];
		});
		for (size_t j = 0; j < n; j++)
			if (by[j] > best_w) {
				best_w = by[j];
				best = j;
			}
		if (best_w && best_w * 2 >= cand->weight) {
			/* a heavy subtree inside a finding only says that the finding's caller is heavy */
			if (cand->kind != ANALYZE_HEAVY)
				add_also(&ch[best], c, cand);
			continue;
		}
		if (an_pct(free_w, c->total) < an_cand__min_share(c, cand))
			continue;
		FOR_CLAIM(c, &cand->claim, p, {
			if (owner[p] == AN_NONE)
				owner[p] = (uint32_t)n;
		});
		if (cand->kind == ANALYZE_HEAVY && !heavy_concentrated(c, cand, (uint32_t)n, free_w)) {
			FOR_CLAIM(c, &cand->claim, p, {
				if (owner[p] == n)
					owner[p] = AN_NONE;
			});
			continue;
		}
		ch[n].cand = cand;
		ch[n++].unique = free_w;
	}
	free(by);
	*out = ch;
	*nr = n;
	return 0;
}

/* ---- Evidence ------------------------------------------------------------------------------------ */

/* The @max heaviest (a, weight) of @t (reduced on a), as functions. */
static size_t top_funcs(const struct an_ctx *c, struct an_tuple *t, size_t n, uint32_t skip, struct analyze_fn *out,
			size_t max)
{
	uint64_t sum = 0;
	size_t k = 0;

	n = an_tuples__reduce(t, n);
	for (size_t i = 0; i < n; i++)
		sum += t[i].w;
	for (size_t picked = 0; picked < max; picked++) {
		size_t best = n;

		for (size_t i = 0; i < n; i++)
			if (t[i].a != AN_NONE && t[i].a != skip && t[i].w &&
			    (best == n || t[i].w > t[best].w || (t[i].w == t[best].w && c->frank[t[i].a] < c->frank[t[best].a])))
				best = i;
		/* a name for less than 5% of the whole list would only mislead */
		if (best == n || t[best].w * 20 < sum)
			break;
		out[k++] = (struct analyze_fn){ c->funcs[t[best].a].name, c->funcs[t[best].a].module, t[best].w, false };
		t[best].w = 0;
	}
	return k;
}

/* Gather (function, weight) pairs over a claim and keep the heaviest: what, who, callers. */
enum gather { RESPONSIBLE, CALLERS, INSIDE, CHILDREN };

/*
 * The heaviest functions of a candidate's claim (finding @me once chosen): who is responsible,
 * who calls it, where its self time goes inside, or which children carry it.
 */

static size_t gather(const struct an_ctx *c, const struct an_cand *cand, enum gather what, uint32_t me,
		     struct analyze_fn *out)
{
	const struct an_claim *cl = &cand->claim;
	size_t cap = 0, n = 0, k = 0;
	struct an_tuple *t = NULL;
	/* a function is not its own caller, nor where its own time goes (its self is in the summary) */
	uint32_t skip = what == CALLERS || (what == RESPONSIBLE && cand->kind == ANALYZE_HOTSPOT) ||
				what == INSIDE ? cand->func : AN_NONE;

	if (what == CHILDREN && children_of(c, cand, me, &t, &n, &cap))
		goto out;
	for (size_t i = 0; what != CHILDREN && i < cl->n; i++) {
		uint32_t x = cl->idx[i], up = an_node_parent(c, an_node(c, x)), fx;
		uint64_t w = cl->subtree ? an_tot(c, x) : an_self(c, x);
		int err = 0;

		switch (what) {
		case RESPONSIBLE:
			err = an_tuples__push(&t, &n, &cap, (struct an_tuple){ an_resp(c, x), 0, 0, w });
			break;
		case CALLERS:
			/* the nearest caller that is another function and not boilerplate (an interpreter's
			 * loop, a trampoline): recursion and inlined copies skipped */
			fx = an_fn(c, x);
			while (up != FREC_NODE_ROOT && (an_node_fn(c, up) == fx || an_node_boilerplate(c, up)))
				up = an_node_parent(c, up);
			err = an_tuples__push(&t, &n, &cap, (struct an_tuple){ an_node_fn(c, up), 0, 0, w });
			break;
		default:
			/* where the self time goes, inside the claimed subtrees (the nodes without any add none) */
			for (uint32_t p = self_pos(c, x), hi = cl->subtree ? c->end[x] : x + 1;
			     p < c->nr_self && c->selfk[p] < hi && !err; p++)
				err = an_tuples__push(&t, &n, &cap,
						      (struct an_tuple){ an_fn(c, c->selfk[p]), 0, 0, c->selfw[p] });
			break;
		}
		if (err)
			goto out;
	}
	k = top_funcs(c, t, n, skip, out, ANALYZE_TOP);
out:
	free(t);
	return k;
}

/* The claimed node with the most weight, and its path from the root, continued down its heaviest
 * children while one of them carries at least half. */
static int heaviest_stack(const struct an_ctx *c, const struct an_cand *cand, uint32_t **stack, size_t *len)
{
	const struct an_claim *cl = &cand->claim;
	uint32_t best = AN_NONE, depth = 0, *s;
	uint64_t bw = 0;

	for (size_t i = 0; i < cl->n; i++) {
		uint64_t w = cl->subtree ? an_tot(c, cl->idx[i]) : an_self(c, cl->idx[i]);

		if (best == AN_NONE || w > bw) {
			best = cl->idx[i];
			bw = w;
		}
	}
	*stack = NULL;
	*len = 0;
	if (best == AN_NONE)
		return 0;
	for (uint32_t n = an_node(c, best); n != FREC_NODE_ROOT; n = an_node_parent(c, n))
		depth++;
	s = malloc(((size_t)depth + STACK_EXTEND + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (uint32_t n = an_node(c, best), i = depth; n != FREC_NODE_ROOT; n = an_node_parent(c, n))
		s[--i] = frec_profile__node(c->p, n)->frame;
	*len = depth;
	for (uint32_t k = best, extra = 0; cl->subtree && extra < STACK_EXTEND; extra++) {
		uint32_t next = AN_NONE;

		for (uint32_t ch = k + 1; ch < c->end[k]; ch = c->end[ch])
			if (an_tot(c, ch) * 2 >= an_tot(c, k) && (next == AN_NONE || an_tot(c, ch) > an_tot(c, next)))
				next = ch;
		if (next == AN_NONE)
			break;
		s[(*len)++] = frec_profile__node(c->p, an_node(c, next))->frame;
		k = next;
	}
	*stack = s;
	return 0;
}

/* What claim_nodes() sorts by: the claim's weight at each index. */
struct by_weight {
	const struct an_ctx *c;
	bool subtree;
};

static int cmp_by_weight(const void *a, const void *b, void *arg)
{
	const struct by_weight *bw = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint64_t wx = bw->subtree ? an_tot(bw->c, x) : an_self(bw->c, x);
	uint64_t wy = bw->subtree ? an_tot(bw->c, y) : an_self(bw->c, y);

	if (wx != wy)
		return wx > wy ? -1 : 1;
	return (x > y) - (x < y);
}

/* The claim's nodes (as node ids), heaviest first, at most MAX_NODES. */
static int claim_nodes(const struct an_ctx *c, const struct an_cand *cand, uint32_t **out, size_t *nr)
{
	const struct an_claim *cl = &cand->claim;
	uint32_t *idx = malloc((cl->n + 1) * sizeof(*idx));
	size_t n = cl->n < MAX_NODES ? cl->n : MAX_NODES;
	struct by_weight bw = { c, cl->subtree };

	if (!idx)
		return -ENOMEM;
	memcpy(idx, cl->idx, cl->n * sizeof(*idx));
	qsort_r(idx, cl->n, sizeof(*idx), cmp_by_weight, &bw);
	for (size_t i = 0; i < n; i++)
		idx[i] = an_node(c, idx[i]);
	*out = idx;
	*nr = n;
	return 0;
}

/* ---- The report ---------------------------------------------------------------------------------- */

static int finish(struct an_ctx *c, struct analyze_report *r, const struct chosen *ch, uint32_t me)
{
	struct analyze_finding *f = &r->v[r->nr];
	struct an_finding_mem *m = &r->mem[r->nr];
	const struct an_cand *cand = ch->cand;
	int err;

	*f = (struct analyze_finding){ .kind = cand->kind, .weight = cand->weight, .unique = ch->unique };
	m->order = cand->order;
	f->id = cand->kind == ANALYZE_KNOWN_OP ? an_rules__get(c->rules, cand->rule)->id : kind_names[cand->kind];
	f->title = cand->kind == ANALYZE_KNOWN_OP ? an_rules__get(c->rules, cand->rule)->title : kind_titles[cand->kind];
	fn_of(c, cand, &f->subject);
	memcpy(f->also, ch->also, sizeof(f->also));
	f->nr_also = ch->nr_also;
	f->depth = cand->kind == ANALYZE_RECURSION ? cand->depth : 0;
	if (cand->kind == ANALYZE_KNOWN_OP) {
		/* the matched function that carries most of the operation: crypt_r, deflate */
		struct an_tuple *t = malloc((cand->claim.n + 1) * sizeof(*t));
		struct analyze_fn top;

		if (!t)
			return -ENOMEM;
		for (size_t i = 0; i < cand->claim.n; i++)
			t[i] = (struct an_tuple){ an_fn(c, cand->claim.idx[i]), 0, 0, an_tot(c, cand->claim.idx[i]) };
		if (top_funcs(c, t, cand->claim.n, AN_NONE, &top, 1))
			f->subject = (struct analyze_fn){ top.name, top.module, cand->weight, false };
		free(t);
	}
	if (cand->kind == ANALYZE_LIBRARY) {
		f->responsible[0] = (struct analyze_fn){ c->funcs[cand->resp].name, c->funcs[cand->resp].module,
							 cand->weight, false };
		f->nr_responsible = 1;
	} else if (cand->kind == ANALYZE_KNOWN_OP || cand->kind == ANALYZE_HOTSPOT) {
		f->nr_responsible = gather(c, cand, RESPONSIBLE, me, f->responsible);
	}
	if (cand->kind == ANALYZE_REPEATED) {
		memcpy(f->callers, cand->callers, sizeof(f->callers));
		f->nr_callers = cand->nr_callers;
	} else if (cand->kind != ANALYZE_LIBRARY) {
		f->nr_callers = gather(c, cand, CALLERS, me, f->callers);
	}
	if (cand->kind != ANALYZE_HOTSPOT)
		f->nr_inside = gather(c, cand, cand->kind == ANALYZE_HEAVY ? CHILDREN : INSIDE, me, f->inside);
	FOR_CLAIM(c, &cand->claim, p, {
		uint32_t fk = an_fn(c, c->selfk[p]);

		if (fk != AN_NONE && c->funcs[fk].name == f->subject.name && c->funcs[fk].module == f->subject.module)
			f->subject_self += c->selfw[p];
	});
	if ((err = heaviest_stack(c, cand, &m->stack, &f->stack_len)))
		return err;
	f->stack = m->stack;
	while (f->stack_trim < f->stack_len && r->boiler[f->stack[f->stack_trim]])
		f->stack_trim++;
	if ((err = claim_nodes(c, cand, &m->nodes, &f->nr_nodes)))
		return err;
	f->nodes = m->nodes;
	if ((err = an_finding__words(c, f, m)))
		return err;
	r->nr++;
	return 0;
}

static int cmp_rank(const void *a, const void *b, void *arg)
{
	const struct analyze_report *r = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct analyze_finding *x = &r->v[i], *y = &r->v[j];
	uint64_t total = frec_profile__total(r->p);
	double bx = floor(an_pct(x->unique, total) / TIE_POINTS), by = floor(an_pct(y->unique, total) / TIE_POINTS);

	if (bx != by)
		return bx > by ? -1 : 1;
	if (r->mem[i].order != r->mem[j].order)
		return r->mem[i].order < r->mem[j].order ? -1 : 1;
	if (x->unique != y->unique)
		return x->unique > y->unique ? -1 : 1;
	return strcmp(x->summary, y->summary);
}

/* Sort the findings, and their memory alongside, by rank. */
static int rank(struct analyze_report *r)
{
	size_t *order = malloc((r->nr + 1) * sizeof(*order));
	struct analyze_finding *v = malloc((r->nr + 1) * sizeof(*v));
	struct an_finding_mem *m = malloc((r->nr + 1) * sizeof(*m));

	if (!order || !v || !m) {
		free(order);
		free(v);
		free(m);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->nr; i++)
		order[i] = i;
	qsort_r(order, r->nr, sizeof(*order), cmp_rank, r);
	for (size_t i = 0; i < r->nr; i++) {
		v[i] = r->v[order[i]];
		m[i] = r->mem[order[i]];
	}
	free(r->v);
	free(r->mem);
	free(order);
	r->v = v;
	r->mem = m;
	r->nr_mem = r->nr;
	return 0;
}

void an_ctx__exit(struct an_ctx *c)
{
	free(c->fi);
	free(c->funcs);
	free(c->frank);
	free(c->node);
	free(c->end);
	free(c->fc);
	free(c->deep);
	free(c->self_start);
	free(c->self_idx);
	free(c->outer_start);
	free(c->outer_idx);
	free(c->op_start);
	free(c->op_idx);
	free(c->lib);
	free(c->calls);
	free(c->owner);
	free(c->selfk);
	free(c->selfw);
	free(c->selfr);
	free(c->op_resp);
	for (size_t i = 0; i < c->nr_cands; i++)
		if (c->cands[i].claim.owned)
			free((void *)c->cands[i].claim.idx);
	free(c->cands);
}

int analyze_report__new(const struct frec_profile *p, const struct analyze_opts *opts, struct analyze_report **out)
{
	struct an_ctx c = { .p = p, .rules = opts ? opts->rules : NULL, .total = frec_profile__total(p) };
	struct analyze_report *r = calloc(1, sizeof(*r));
	struct chosen *ch = NULL;
	size_t nr = 0;
	int err = -ENOMEM;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->p = p;
	if ((err = an_ctx__classify(&c)))
		goto out;
	r->boiler = calloc((size_t)frec_profile__nr_frames(p) + 1, sizeof(*r->boiler));
	if (!r->boiler) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < frec_profile__nr_frames(p); i++)
		r->boiler[i] = c.fi[i].boilerplate;
	if (c.total && ((err = an_ctx__measure(&c)) || (err = an_ctx__candidates(&c)) || (err = choose(&c, &ch, &nr))))
		goto out;
	err = -ENOMEM;
	r->v = calloc(nr + 2, sizeof(*r->v));
	r->mem = calloc(nr + 2, sizeof(*r->mem));
	if (!r->v || !r->mem)
		goto out;
	r->nr_mem = nr + 2;
	for (size_t i = 0; i < nr; i++)
		if ((err = finish(&c, r, &ch[i], (uint32_t)i)))
			goto out;
	err = c.total ? an_broken_stacks(&c, r->v + r->nr, r->mem + r->nr, BROKEN_MIN) : 0;
	if (err > 0)
		r->nr++;
	if (err < 0 || (err = rank(r)))
		goto out;
	*out = r;
	r = NULL;
	err = 0;
out:
	free(ch);
	an_ctx__exit(&c);
	analyze_report__free(r);
	return err;
}

void analyze_report__free(struct analyze_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->mem && i < r->nr_mem; i++) {
		free(r->mem[i].summary);
		free(r->mem[i].why);
		free(r->mem[i].fix);
		free(r->mem[i].stack);
		free(r->mem[i].nodes);
	}
	free(r->v);
	free(r->mem);
	free(r->boiler);
	free(r);
}

size_t analyze_report__nr_findings(const struct analyze_report *r)
{
	return r->nr;
}

const struct analyze_finding *analyze_report__finding(const struct analyze_report *r, size_t i)
{
	return &r->v[i];
}

const struct frec_profile *analyze_report__profile(const struct analyze_report *r)
{
	return r->p;
}

bool an_report__is_boilerplate(const struct analyze_report *r, uint32_t frame)
{
	return r->boiler[frame];
}
