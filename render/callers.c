// SPDX-License-Identifier: MIT
/*
 * The callers of a function (frec report --callers FUNC): the question after "what is hot" is "who
 * calls it".  Every node of the function is merged into one, and the paths above them are turned
 * upside down into a tree of their own, printed by the tree printer: the function first, each
 * caller under its callee, down to the roots (or to the process and thread roots of --per-process
 * and --per-thread).
 *
 * Each sample counts once: when the function recurses, a sample is the innermost node's, whose
 * path above holds the outer ones.  That node's weight is its total less the totals of the nodes of
 * the function below it, found in one pass over the nodes in id order (parents come first).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frec/log.h"
#include "frec/profile.h"
#include "frec/render.h"
#include "text_internal.h"

/* The index of the '(' that opens @s's C++ parameter list, or @len when it has none. */
static size_t params_start(const char *s, size_t len)
{
	static const char *const quals[] = { " const", " volatile", " &&", " &", " noexcept" };
	size_t end = len;
	int depth = 0;

	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; i < sizeof(quals) / sizeof(quals[0]); i++) {
			size_t l = strlen(quals[i]);

			if (end > l && !memcmp(s + end - l, quals[i], l)) {
				end -= l;
				again = true;
			}
		}
	}
	if (!end || s[end - 1] != ')')
		return len;
	for (size_t i = end; i-- > 0;) {
		if (s[i] == ')')
			depth++;
		else if (s[i] == '(' && --depth == 0)
			return i ? i : len;
	}
	return len;
}

struct matcher {
	const char *func;
	size_t len;
	char *buf; /* the key of the name being matched */
	size_t cap;
};

/* The key of @name (frec_name__key()) into m->buf; its length, or -ENOMEM. */
static long key_of(struct matcher *m, const char *name)
{
	size_t len;

	while ((len = frec_name__key(name, m->buf, m->cap)) >= m->cap) {
		char *nb = realloc(m->buf, len + 1);

		if (!nb)
			return -ENOMEM;
		m->buf = nb;
		m->cap = len + 1;
	}
	return (long)len;
}

/* 1 when frame @id is one of the function's, 0 when not, -ENOMEM. */
static int frame_matches(struct matcher *m, const struct frec_profile *p, uint32_t id)
{
	const struct frec_frame *fr = frec_profile__frame(p, id);
	const char *name = frec_profile__str(p, fr->name);
	long len;

	if (fr->kind == FREC_FRAME_PROCESS || fr->kind == FREC_FRAME_THREAD)
		return 0;
	if (!strcmp(name, m->func))
		return 1;
	len = key_of(m, name);
	if (len < 0)
		return (int)len;
	if ((size_t)len == m->len && !memcmp(m->buf, m->func, m->len))
		return 1;
	return params_start(m->buf, (size_t)len) == m->len && !memcmp(m->buf, m->func, m->len);
}

struct callers {
	const struct frec_profile *p;
	bool *match;       /* per frame */
	uint32_t root;     /* the frame of the inverted tree's root */
	uint64_t self;     /* the function's self weight */
	size_t nr_names;   /* distinct names matched */
	uint32_t names[3]; /* the first of them (string ids) */
};

/* Mark the frames of the function; returns how many, or -ENOMEM. */
static long match_frames(struct callers *c, const char *func)
{
	struct matcher m = { .func = func, .len = strlen(func) };
	uint32_t nr = frec_profile__nr_frames(c->p);
	long found = 0;

	c->match = calloc(nr ? nr : 1, sizeof(*c->match));
	if (!c->match)
		return -ENOMEM;
	for (uint32_t id = 0; id < nr; id++) {
		const struct frec_frame *fr = frec_profile__frame(c->p, id);
		int r = frame_matches(&m, c->p, id);
		size_t i;

		if (r < 0) {
			found = r;
			break;
		}
		if (!r)
			continue;
		c->match[id] = true;
		c->root = id;
		found++;
		for (i = 0; i < c->nr_names && i < 3 && c->names[i] != fr->name; i++)
			;
		if (i == c->nr_names) {
			if (i < 3)
				c->names[i] = fr->name;
			c->nr_names++;
		}
	}
	free(m.buf);
	return found;
}

/*
 * The root frame of the inverted tree: the function's frame when one frame matched, else a frame
 * named @func (in their module, if they share one).
 */
static int root_frame(struct callers *c, struct frec_profile *q, const char *func, long nr_frames)
{
	const struct frec_frame *last = frec_profile__frame(c->p, c->root);
	struct frec_frame fr = { .module = last->module, .kind = last->kind };
	int id;

	if (nr_frames == 1)
		return 0;
	for (uint32_t i = 0; i < frec_profile__nr_frames(c->p); i++) {
		const struct frec_frame *f = frec_profile__frame(c->p, i);

		if (!c->match[i])
			continue;
		if (f->module != fr.module)
			fr.module = 0;
		if (f->kind != fr.kind)
			fr.kind = FREC_FRAME_USER;
	}
	id = frec_profile__intern_str(q, func);
	if (id < 0)
		return id;
	fr.name = (uint32_t)id;
	id = frec_profile__add_frame(q, &fr);
	if (id < 0)
		return id;
	c->root = (uint32_t)id;
	return 0;
}

/* The inverted tree of the paths above the function's nodes into @q. */
static int invert(struct callers *c, struct frec_profile *q)
{
	const struct frec_profile *p = c->p;
	uint32_t nr = frec_profile__nr_nodes(p);
	uint32_t *inner = malloc((size_t)nr * sizeof(*inner)); /* nearest node of the function at or above */
	uint64_t *own = malloc((size_t)nr * sizeof(*own));     /* a node of the function: its samples */
	uint32_t *path = malloc((size_t)nr * sizeof(*path));
	int err = -ENOMEM;

	if (!inner || !own || !path)
		goto out;
	inner[FREC_NODE_ROOT] = FREC_NONE;
	for (uint32_t id = 1; id < nr; id++) {
		const struct frec_node *n = frec_profile__node(p, id);
		uint32_t above = inner[n->parent];

		inner[id] = above;
		if (!c->match[n->frame])
			continue;
		inner[id] = id;
		own[id] = n->total;
		c->self += n->self;
		if (above != FREC_NONE)
			own[above] -= n->total;
	}
	for (uint32_t id = 1; id < nr; id++) {
		size_t depth = 0;

		if (inner[id] != id || !own[id])
			continue;
		path[depth++] = c->root;
		for (uint32_t a = frec_profile__node(p, id)->parent; a != FREC_NODE_ROOT; a = frec_profile__node(p, a)->parent)
			path[depth++] = frec_profile__node(p, a)->frame;
		err = frec_profile__add_stack(q, path, depth, own[id]);
		if (err < 0)
			goto out;
	}
	err = frec_profile__sort(q);
out:
	free(inner);
	free(own);
	free(path);
	return err;
}

static void heading(const struct callers *c, const struct frec_profile *q, const char *func, double limit,
		    uint64_t total, FILE *f)
{
	uint64_t w = frec_profile__total(q);
	char n[32];

	fputs("callers of ", f);
	frec_term__puts(f, func);
	if (c->nr_names > 1 || strcmp(frec_profile__str(c->p, c->names[0]), func)) {
		fputs(" (", f);
		for (size_t i = 0; i < c->nr_names && i < 3; i++) {
			fputs(i ? ", " : "", f);
			frec_term__puts(f, frec_profile__str(c->p, c->names[i]));
		}
		fputs(c->nr_names > 3 ? ", ...)" : ")", f);
	}
	fprintf(f, ": %s ", text_count(w, n, sizeof(n)));
	frec_term__puts(f, frec_profile__str(c->p, frec_profile__meta_const(c->p)->unit));
	fprintf(f, ", %.2f%% of all, self %.2f%%", text_pct(w, total), text_pct(c->self, total));
	if (limit > 0)
		fprintf(f, "; callers under %g%% of it hidden (--percent-limit)", limit);
	fputs("\n", f);
}

int render_callers__write(const struct frec_profile *p, const char *func, const struct render_tree_opts *opts,
			  FILE *f)
{
	double limit = opts && opts->percent_limit >= 0 ? opts->percent_limit : RENDER_TREE_LIMIT;
	struct callers c = { .p = p };
	struct frec_profile *q = NULL;
	/* a profile weighed in ns (off-CPU, wall-clock) has time, not samples */
	bool ns = !strcmp(frec_profile__str(p, frec_profile__meta_const(p)->unit), "ns");
	struct tree_view v = {
		.total = frec_profile__total(p),
		.heading = ns ? " total%    func%  function  (module), callers under their callee; "
				"func%: share of the function's time\n"
			      : " total%    func%  function  (module), callers under their callee; "
				"func%: share of the function's samples\n",
	};
	long found = match_frames(&c, func);
	bool split = false;
	int err = found < 0 ? (int)found : 0;

	if (!err && !found)
		err = -ENOENT;
	if (!err)
		err = frec_profile__new_like(p, &q);
	if (!err)
		err = root_frame(&c, q, func, found);
	if (!err)
		err = invert(&c, q);
	if (!err && !frec_profile__total(q))
		err = -ENOENT;
	if (!err)
		err = frec_profile__func_ids(q, (uint32_t **)&v.func);
	if (err)
		goto out;
	heading(&c, q, func, limit, v.total, f);
	v.p = q;
	v.base = frec_profile__total(q);
	v.min = tree_view__min(limit, v.base);
	err = tree_view__write(&v, f, &split);
	if (!err && split)
		err = tree_view__note_recursion(f);
out:
	free((void *)v.func);
	free(c.match);
	frec_profile__free(q);
	return err;
}

/* ---- Suggestions ------------------------------------------------------------------------------ */

#define SUGGEST_MAX_DIST 5 /* typing errors */

/* Levenshtein distance of @a and @b (case aside) if at most @bound, else @bound + 1. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb, size_t bound)
{
	size_t row[2][64], *prev = row[0], *cur = row[1];

	if ((la > lb ? la - lb : lb - la) > bound || lb + 1 > 64)
		return bound + 1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t best = cur[0] = i, *t;

		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			if (cur[j] < best)
				best = cur[j];
		}
		if (best > bound)
			return bound + 1;
		t = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb] <= bound ? prev[lb] : bound + 1;
}

struct cand {
	const char *name;
	int rank; /* 0: the same but for case, 1: one contains the other, 2: a few errors away */
	size_t dist;
	uint64_t weight;
};

static int cmp_cands(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank - b->rank;
	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The suggestions' names: each frame's key without its parameter list, with the weight below it. */
struct names {
	char *text;
	size_t len, cap;
	size_t *off;      /* per name: offset in text */
	uint64_t *weight; /* per name */
	uint32_t *of;     /* per frame: its name, or FREC_NONE */
	size_t nr;
};

static void names__exit(struct names *ns)
{
	free(ns->text);
	free(ns->off);
	free(ns->weight);
	free(ns->of);
}

/* Room for @need more bytes of text.  0 or -ENOMEM. */
static int grow_text(struct names *ns, size_t need)
{
	size_t cap = ns->cap ? ns->cap : 4096;
	char *t;

	if (ns->len + need <= ns->cap)
		return 0;
	while (cap < ns->len + need)
		cap *= 2;
	t = realloc(ns->text, cap);
	if (!t)
		return -ENOMEM;
	ns->text = t;
	ns->cap = cap;
	return 0;
}

/* Fill @ns from @p's frames and nodes.  0 or -ENOMEM. */
static int names__init(struct names *ns, const struct frec_profile *p)
{
	uint32_t nr = frec_profile__nr_frames(p), *func = NULL, *first = NULL;
	struct matcher m = { 0 };
	int err = frec_profile__func_ids(p, &func);

	ns->of = malloc((nr ? nr : 1) * sizeof(*ns->of));
	ns->off = malloc((nr ? nr : 1) * sizeof(*ns->off));
	ns->weight = calloc(nr ? nr : 1, sizeof(*ns->weight));
	first = malloc((nr ? nr : 1) * sizeof(*first)); /* per function id: its name */
	if (err || !ns->of || !ns->off || !ns->weight || !first) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < nr; i++)
		first[i] = FREC_NONE;
	/* One name per function (frec_profile__func_ids()), however many frames it has. */
	for (uint32_t id = 0; id < nr; id++) {
		const struct frec_frame *fr = frec_profile__frame(p, id);
		long len;

		ns->of[id] = FREC_NONE;
		if (func[id] == FREC_NONE)
			continue;
		if (first[func[id]] != FREC_NONE) {
			ns->of[id] = first[func[id]];
			continue;
		}
		len = key_of(&m, frec_profile__str(p, fr->name));
		if (len < 0 || grow_text(ns, (size_t)len + 1)) {
			err = -ENOMEM;
			goto out;
		}
		len = (long)params_start(m.buf, (size_t)len);
		memcpy(ns->text + ns->len, m.buf, (size_t)len);
		ns->text[ns->len + (size_t)len] = '\0';
		ns->off[ns->nr] = ns->len;
		ns->len += (size_t)len + 1;
		ns->of[id] = first[func[id]] = (uint32_t)ns->nr++;
	}
	/* A name's weight: the totals of its nodes whose caller is another function. */
	for (uint32_t id = 1; id < frec_profile__nr_nodes(p); id++) {
		const struct frec_node *n = frec_profile__node(p, id);
		uint32_t k = ns->of[n->frame];

		if (k != FREC_NONE && (n->parent == FREC_NODE_ROOT || ns->of[frec_profile__node(p, n->parent)->frame] != k))
			ns->weight[k] += n->total;
	}
out:
	free(m.buf);
	free(func);
	free(first);
	return err;
}

int render_callers__suggest(const struct frec_profile *p, const char *func, char **out, size_t max)
{
	struct names ns = { 0 };
	struct cand *c = NULL;
	size_t lf = strlen(func), nr = 0, bound = lf / 4 < 1 ? 1 : lf / 4 > SUGGEST_MAX_DIST ? SUGGEST_MAX_DIST : lf / 4;
	int err = names__init(&ns, p), n = 0;

	if (!err && !(c = malloc((ns.nr ? ns.nr : 1) * sizeof(*c))))
		err = -ENOMEM;
	for (size_t i = 0; !err && i < ns.nr; i++) {
		const char *name = ns.text + ns.off[i];
		size_t ln = strlen(name);
		struct cand k = { .name = name, .weight = ns.weight[i] };

		if (!ns.weight[i] || !ln)
			continue;
		if (!strcasecmp(name, func))
			k.rank = 0;
		else if (strcasestr(name, func) || (ln >= 3 && strcasestr(func, name)))
			k.rank = 1;
		else if ((k.dist = distance(name, ln, func, lf, bound)) <= bound)
			k.rank = 2;
		else
			continue;
		c[nr++] = k;
	}
	if (!err)
		qsort(c, nr, sizeof(*c), cmp_cands);
	for (size_t i = 0; !err && i < nr && (size_t)n < max; i++) {
		if (!(out[n] = strdup(c[i].name)))
			err = -ENOMEM;
		else
			n++;
	}
	if (err)
		while (n)
			free(out[--n]);
	free(c);
	names__exit(&ns);
	return err ? err : n;
}
