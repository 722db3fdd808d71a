// SPDX-License-Identifier: MIT
/*
 * The measures every kind of finding needs, in one pass over the call tree.
 *
 * The walk enters each node once, parents before children, and leaves it after its subtree.  On the
 * way down it carries what a stack's outer part says about the frames below it:
 *   - who is responsible for samples here: the innermost frame of the program's own code that is
 *     not boilerplate and not inside a known operation (the operation's cost belongs to its
 *     caller); failing that the innermost program frame, even boilerplate (main calling qsort
 *     itself); failing that the innermost non-boilerplate frame of an executable (the profiled
 *     program is a system tool such as gzip or sort);
 *   - the caller that counts for repeated work: the innermost program function that is neither
 *     boilerplate nor the stack's entry (main, a thread's function), so that two threads running
 *     the same loop are not "the same work from two callers";
 *   - the library a run of library frames entered first (libjson-c, even when the leaf is its
 *     memcpy), for library blocks; the run starts under the program's own code, boilerplate or an
 *     executable's code (the profiled program may be a system tool); kernel leaves form a block of
 *     their own;
 *   - how many times each function and each operation rule is already on the stack, so that a
 *     function's total counts a sample once however deep it recurses, recursion depth is known, and
 *     only the outermost match of an operation claims its subtree.  An operation inside a specific
 *     one (memcpy inside JSON serialisation) belongs to the outer one; inside a generic one (a futex
 *     inside the system-call entry) it stands on its own.
 * Nodes get pre-order indices, so a subtree is a range of indices: candidates claim samples as
 * ranges or single nodes, and overlaps between candidates are counted on those.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"

/* Per depth of the current stack, what the walk carries down (freed after the pass). */
struct carry {
	uint32_t resp0, resp1, resp2; /* see the comment at the top */
	uint32_t caller;              /* caller for repeated work */
	uint32_t lib;                 /* module a run of non-program frames entered, or AN_NONE */
	bool in_op, in_specific, seen_user, unknown_user;
};

#define FLAG_OUTER 1u    /* outermost node of its function on this stack */
#define FLAG_OP_OUTER 2u /* outermost match of its operation rule, claiming its subtree */
#define FLAG_ENTRY 4u    /* first program frame from the root */
#define FLAG_SELF 8u     /* has self weight (build_lists() then need not read the node) */

/* What is wanted of the nodes of a frame's function once the walk has summed it (per frame). */
#define WANT_SELF 1u   /* its nodes with self weight, listed: an_wants_self() */
#define WANT_OUTER 2u  /* its outermost calls, listed: an_wants_outer() */
#define WANT_CALLS 4u  /* how its outermost calls split among children: an_may_repeat() */

struct walk {
	struct an_ctx *c;
	struct carry *cy;      /* per depth on the current stack */
	uint32_t *path;        /* per depth: the pre-order index there */
	size_t path_cap;
	uint8_t *flags;
	uint32_t *caller;      /* per pre-order index: the caller of an outermost call that may be
				* repeated work, known once the walk has summed its function's total */
	uint32_t *rule_active; /* per rule: matches on the current stack */
	size_t lib_cap, calls_cap, self_cap, op_cap;
};

/* Room for one more index with self weight in the three arrays that list them.  0 or -ENOMEM. */
static int grow_self(struct walk *w)
{
	struct an_ctx *c = w->c;
	size_t cap = w->self_cap ? 2 * w->self_cap : 1024;
	void *k = realloc(c->selfk, cap * sizeof(*c->selfk)), *wt, *r;

	if (!k)
		return -ENOMEM;
	c->selfk = k;
	if (!(wt = realloc(c->selfw, cap * sizeof(*c->selfw))))
		return -ENOMEM;
	c->selfw = wt;
	if (!(r = realloc(c->selfr, cap * sizeof(*c->selfr))))
		return -ENOMEM;
	c->selfr = r;
	w->self_cap = cap;
	return 0;
}

/* Repeated work: how this outermost call of @f splits among its children, keyed by its caller. */
static int record_call(struct walk *w, uint32_t k, uint32_t f, uint32_t caller)
{
	struct an_ctx *c = w->c;
	const struct frec_node *n = frec_profile__node(c->p, an_node(c, k));
	int err = 0;

	if (an_self(c, k))
		err = an_tuples__push(&c->calls, &c->nr_calls, &w->calls_cap,
				 (struct an_tuple){ f, caller, AN_NONE, an_self(c, k) });
	for (uint32_t ch = n->first_child; ch != FREC_NONE && !err; ch = frec_profile__node(c->p, ch)->next_sibling) {
		const struct frec_node *cn = frec_profile__node(c->p, ch);

		err = an_tuples__push(&c->calls, &c->nr_calls, &w->calls_cap,
				 (struct an_tuple){ f, caller, c->fi[cn->frame].func, cn->total });
	}
	return err;
}

/* Enter index @k, at depth @d (the root's children are 1). */
static int enter(struct walk *w, uint32_t k, uint32_t d)
{
	struct an_ctx *c = w->c;
	const struct frec_node *n = frec_profile__node(c->p, an_node(c, k));
	const struct an_frame_info *fi = &c->fi[n->frame];
	const struct carry *up = &w->cy[d - 1];
	struct carry *cy = &w->cy[d];
	bool user = fi->cls == AN_CLASS_USER, lib = fi->cls == AN_CLASS_SYSTEM || fi->cls == AN_CLASS_KERNEL;
	uint32_t f = fi->cls == AN_CLASS_GROUP ? AN_NONE : fi->func;
	uint32_t block, resp;

	*cy = *up;
	cy->in_op = up->in_op || fi->rule != AN_NONE;
	cy->in_specific = up->in_specific || (fi->rule != AN_NONE && !an_rules__get(c->rules, fi->rule)->generic);
	cy->seen_user = up->seen_user || user;
	if (user && !up->seen_user)
		w->flags[k] |= FLAG_ENTRY;
	if (!cy->in_op && user && !fi->boilerplate)
		cy->resp0 = f;
	if (!cy->in_op && user)
		cy->resp1 = f;
	if (!cy->in_op && fi->program && !fi->boilerplate && fi->cls != AN_CLASS_GROUP)
		cy->resp2 = f;
	if (!cy->in_op && user && !fi->boilerplate && !(w->flags[k] & FLAG_ENTRY))
		cy->caller = f;
	/* a library run starts at the first library frame under code that may be responsible */
	if (user || fi->boilerplate || (fi->program && fi->cls == AN_CLASS_SYSTEM))
		cy->lib = AN_NONE;
	else if (up->lib == AN_NONE)
		cy->lib = frec_profile__frame(c->p, n->frame)->module;
	resp = cy->resp0 != AN_NONE ? cy->resp0 : cy->resp1 != AN_NONE ? cy->resp1 : cy->resp2;
	if (resp == AN_NONE)
		c->unattributed += n->self;
	if (n->self) {
		w->flags[k] |= FLAG_SELF;
		if (c->nr_self == w->self_cap && grow_self(w))
			return -ENOMEM;
		c->selfk[c->nr_self] = k;
		c->selfw[c->nr_self] = n->self;
		c->selfr[c->nr_self++] = resp;
	}

	if (fi->unknown && fi->cls != AN_CLASS_SYSTEM && fi->cls != AN_CLASS_KERNEL && !up->unknown_user) {
		cy->unknown_user = true;
		c->unknown_user += n->total;
	}
	if (f != AN_NONE) {
		struct an_fcount *fc = &c->fc[f];
		uint32_t a = ++fc->active;

		fc->self += n->self;
		if (a == 1) {
			w->flags[k] |= FLAG_OUTER;
			fc->total += n->total;
			if (w->flags[k] & FLAG_ENTRY)
				fc->entry += n->total;
		}
		if (a > fc->maxrep)
			fc->maxrep = a;
		if (a == AN_RECURSION_DEPTH) {
			/* allocated at the first such recursion: most large profiles have none */
			if (!c->deep && !(c->deep = calloc((size_t)c->nr_funcs + 1, sizeof(*c->deep))))
				return -ENOMEM;
			c->deep[f] += n->total;
		}
		if (a == 1 && user && !fi->boilerplate && !up->in_op)
			w->caller[k] = up->caller;
	}
	if (fi->rule != AN_NONE) {
		if (!up->in_specific && !w->rule_active[fi->rule]) {
			w->flags[k] |= FLAG_OP_OUTER;
			if (an_tuples__push(&c->op_resp, &c->nr_op_resp, &w->op_cap, (struct an_tuple){ k, resp, 0, 0 }))
				return -ENOMEM;
		}
		w->rule_active[fi->rule]++;
	}
	/* Library blocks: self weight in a library (or the kernel) whose module is not the responsible's. */
	block = fi->cls == AN_CLASS_KERNEL ? AN_KERNEL_MODULE : cy->lib;
	if (n->self && lib && block != AN_NONE && block != 0 && resp != AN_NONE && c->funcs[resp].module != block)
		return an_tuples__push(&c->lib, &c->nr_lib, &w->lib_cap, (struct an_tuple){ block, resp, k, n->self });
	return 0;
}

static void leave(struct walk *w, uint32_t k)
{
	struct an_ctx *c = w->c;
	const struct an_frame_info *fi = &c->fi[frec_profile__node(c->p, an_node(c, k))->frame];

	c->end[k] = c->nr;
	if (fi->cls != AN_CLASS_GROUP)
		c->fc[fi->func].active--;
	if (fi->rule != AN_NONE)
		w->rule_active[fi->rule]--;
}

/* One of build_lists()'s lists: the indices with @flag, by key (for functions, those with @want in @wf). */
struct list_spec {
	uint8_t flag;
	uint8_t want;
	const uint8_t *wf;
	size_t nr_keys;
	uint32_t **start, **idx; /* where the list goes */
	uint32_t *s, *ix;        /* while it is built */
};

/* The key under which a node of @frame with @flags goes in @ls's list, or AN_NONE. */
static uint32_t list_key(const struct an_ctx *c, uint8_t flags, const struct list_spec *ls, uint32_t frame)
{
	if (!(flags & ls->flag))
		return AN_NONE;
	if (ls->flag == FLAG_OP_OUTER)
		return c->fi[frame].rule;
	return ls->wf[frame] & ls->want ? c->fi[frame].func : AN_NONE;
}

/*
 * Compressed lists: for each key, the pre-order indices with a flag.  The lists are built together,
 * so that each index's node is read once per pass (to count, then to fill) rather than once per
 * list; the count pass clears the flags of the nodes that no list takes, which the fill pass then
 * skips without reading their node.
 */
static int build_lists(struct an_ctx *c, uint8_t *flags, struct list_spec *ls, size_t nr)
{
	uint8_t mask = 0;
	int err = -ENOMEM;

	for (size_t l = 0; l < nr; l++) {
		mask |= ls[l].flag;
		if (!(ls[l].s = calloc(ls[l].nr_keys + 1, sizeof(*ls[l].s))))
			goto out;
	}
	for (uint32_t k = 1; k < c->nr; k++) {
		uint32_t frame;
		bool taken = false;

		/* the flags first: the key costs a look at the node, far away for most */
		if (!(flags[k] & mask))
			continue;
		frame = frec_profile__node(c->p, an_node(c, k))->frame;
		for (size_t l = 0; l < nr; l++) {
			uint32_t key = list_key(c, flags[k], &ls[l], frame);

			if (key != AN_NONE) {
				ls[l].s[key + 1]++;
				taken = true;
			}
		}
		if (!taken)
			flags[k] &= (uint8_t)~mask;
	}
	for (size_t l = 0; l < nr; l++) {
		for (size_t i = 0; i < ls[l].nr_keys; i++)
			ls[l].s[i + 1] += ls[l].s[i];
		if (!(ls[l].ix = malloc(((size_t)ls[l].s[ls[l].nr_keys] + 1) * sizeof(*ls[l].ix))))
			goto out;
	}
	/* Fill in pre-order, using s[key] as the cursor, then shift the starts back. */
	for (uint32_t k = 1; k < c->nr; k++) {
		uint32_t frame;

		if (!(flags[k] & mask))
			continue;
		frame = frec_profile__node(c->p, an_node(c, k))->frame;
		for (size_t l = 0; l < nr; l++) {
			uint32_t key = list_key(c, flags[k], &ls[l], frame);

			if (key != AN_NONE)
				ls[l].ix[ls[l].s[key]++] = k;
		}
	}
	for (size_t l = 0; l < nr; l++) {
		for (size_t i = ls[l].nr_keys; i > 0; i--)
			ls[l].s[i] = ls[l].s[i - 1];
		ls[l].s[0] = 0;
		*ls[l].start = ls[l].s;
		*ls[l].idx = ls[l].ix;
		ls[l].s = ls[l].ix = NULL;
	}
	err = 0;
out:
	for (size_t l = 0; l < nr; l++) {
		free(ls[l].s);
		free(ls[l].ix);
	}
	return err;
}

/* Index @k of @nn is node @n: a table from the first index that is not its own node on.  0 or -ENOMEM. */
static int set_node(struct an_ctx *c, uint32_t k, uint32_t n, uint32_t nn)
{
	if (!c->node && n == k)
		return 0;
	if (!c->node) {
		if (!(c->node = malloc(((size_t)nn + 1) * sizeof(*c->node))))
			return -ENOMEM;
		for (uint32_t i = 0; i < k; i++)
			c->node[i] = i;
	}
	c->node[k] = n;
	return 0;
}

/* Room in the per-depth arrays for depth @d.  0 or -ENOMEM. */
static int reach(struct walk *w, uint32_t d)
{
	size_t cap = w->path_cap ? w->path_cap : 64;
	void *np, *nc;

	if (d < w->path_cap)
		return 0;
	while (cap <= d)
		cap *= 2;
	np = realloc(w->path, cap * sizeof(*w->path));
	if (!np)
		return -ENOMEM;
	w->path = np;
	nc = realloc(w->cy, cap * sizeof(*w->cy));
	if (!nc)
		return -ENOMEM;
	w->cy = nc;
	w->path_cap = cap;
	return 0;
}

/*
 * Repeated work: how the outermost calls of the functions that may be repeated work split, for
 * those that a caller reached.  A function qualifies by its total (its outermost calls), which the
 * walk has summed by now: recording it for every function made a tuple per node of a large
 * profile, and a first walk to sum the totals cost as much as the walk itself.  In pre-order, as
 * the walk would have recorded them.
 */
static int record_calls(struct walk *w, const uint8_t *wf)
{
	struct an_ctx *c = w->c;
	int err = 0;

	for (uint32_t k = 1; k < c->nr && !err; k++) {
		uint32_t frame;

		if (w->caller[k] == AN_NONE)
			continue;
		frame = frec_profile__node(c->p, an_node(c, k))->frame;
		if (wf[frame] & WANT_CALLS)
			err = record_call(w, k, c->fi[frame].func, w->caller[k]);
	}
	return err;
}

/*
 * Per frame, what is wanted of its function's nodes (WANT_*), decided on the function's sums:
 * the passes after the walk look a node's frame up in these bytes rather than in the frame infos
 * (12 bytes a frame, 18 MB on a profile of 1.5M frames) to skip the nodes of other functions.
 */
static uint8_t *wanted(const struct an_ctx *c, uint8_t *any)
{
	uint32_t n = frec_profile__nr_frames(c->p);
	uint8_t *wf = malloc((size_t)n + 1);

	*any = 0;
	for (uint32_t i = 0; wf && i < n; i++) {
		const struct an_frame_info *fi = &c->fi[i];

		wf[i] = 0;
		if (fi->cls == AN_CLASS_GROUP)
			continue;
		wf[i] |= an_wants_self(c, fi->func) ? WANT_SELF : 0;
		wf[i] |= an_wants_outer(c, fi->func) ? WANT_OUTER : 0;
		wf[i] |= an_may_repeat(c, fi->func, c->fc[fi->func].total) ? WANT_CALLS : 0;
		*any |= wf[i];
	}
	return wf;
}

int an_ctx__measure(struct an_ctx *c)
{
	uint32_t nn = frec_profile__nr_nodes(c->p), nf = c->nr_funcs, depth = 0;
	struct walk w = { .c = c };
	uint8_t *wf = NULL, any;
	uint32_t n;
	int err = -ENOMEM;

	c->nr_rules = (uint32_t)an_rules__nr(c->rules);
	if ((err = reach(&w, 1)))
		goto out;
	err = -ENOMEM;
	w.flags = calloc((size_t)nn + 1, 1);
	w.caller = malloc(((size_t)nn + 1) * sizeof(*w.caller));
	w.rule_active = calloc((size_t)c->nr_rules + 1, sizeof(*w.rule_active));
	c->end = malloc(((size_t)nn + 1) * sizeof(*c->end));
	c->fc = calloc((size_t)nf + 1, sizeof(*c->fc));
	if (!w.flags || !w.caller || !w.rule_active || !c->end || !c->fc)
		goto out;

	/* The root: index 0, nothing carried. */
	w.cy[0] = (struct carry){ AN_NONE, AN_NONE, AN_NONE, AN_NONE, AN_NONE, false, false, false, false };
	c->nr = 1;
	w.path[depth++] = 0;
	n = frec_profile__node(c->p, FREC_NODE_ROOT)->first_child;
	while (n != FREC_NONE) {
		uint32_t k = c->nr++;

		if ((err = set_node(c, k, n, nn)))
			goto out;
		w.caller[k] = AN_NONE;
		if ((err = reach(&w, depth + 1)) || (err = enter(&w, k, depth)))
			goto out;
		w.path[depth++] = k;
		if (frec_profile__node(c->p, n)->first_child != FREC_NONE) {
			n = frec_profile__node(c->p, n)->first_child;
			continue;
		}
		n = FREC_NONE;
		while (depth > 1) {
			uint32_t top = w.path[--depth];

			leave(&w, top);
			n = frec_profile__node(c->p, an_node(c, top))->next_sibling;
			if (n != FREC_NONE)
				break;
		}
	}
	c->end[0] = c->nr;
	/* the passes that follow are skipped when no function wants them, as on most large profiles */
	wf = wanted(c, &any);
	err = !wf ? -ENOMEM : any & WANT_CALLS ? record_calls(&w, wf) : 0;
	free(w.caller);
	w.caller = NULL;
	/*
	 * Only the functions that a candidate may claim get lists: on a profile of many functions
	 * nearly none, and filling lists of every node was a fifth of the walk's time, and 8 bytes a
	 * node.
	 */
	if (!err) {
		struct list_spec ls[] = {
			/* a list no function wants has no keys either (no candidate reads its starts) */
			{ any & WANT_SELF ? FLAG_SELF : 0, WANT_SELF, wf, any & WANT_SELF ? nf : 0, &c->self_start, &c->self_idx,
			  NULL, NULL },
			{ any & WANT_OUTER ? FLAG_OUTER : 0, WANT_OUTER, wf, any & WANT_OUTER ? nf : 0, &c->outer_start,
			  &c->outer_idx, NULL, NULL },
			{ FLAG_OP_OUTER, 0, NULL, c->nr_rules, &c->op_start, &c->op_idx, NULL, NULL },
		};

		err = build_lists(c, w.flags, ls, sizeof(ls) / sizeof(ls[0]));
	}
out:
	free(wf);
	free(w.path);
	free(w.caller);
	free(w.cy);
	free(w.flags);
	free(w.rule_active);
	return err;
}
