// SPDX-License-Identifier: MIT
/*
 * Diff findings: what regressed and what improved between two profiles, per function responsible.
 *
 * Each profile goes through the same pass as the findings (classify.c, measure.c), which says who
 * is responsible for every sample: the innermost function of the program's own code that is not
 * boilerplate, with the libraries and kernel it calls.  Each sample's weight is then counted for
 * that function, and split by the part of it that holds the sample: the function's own code, or
 * the callee it went through (json_object_to_json_string_ext, deflate).  So a function that became
 * slower regresses alone, not every caller up to main, and its evidence says where it grew
 * ("serialize_response +1.5 s, of which json_object_to_json_string_ext +1.3 s").
 *
 * Functions are matched across the profiles by name (compiler clones, glibc aliases and JIT tiers
 * folded as in findings), so that a trace compares with folded stacks and a rebuilt binary with
 * the old one.  Both sides are sorted by name and merged.  A change is a finding when it clears
 * the diff's noise floor (frec_diff_norm__is_change(): FREC_NORM_MIN_Z deviations of Poisson
 * sampling noise and FREC_NORM_MIN_POINTS of the baseline) and min_points percent of the
 * baseline's total, so that only changes worth reading are listed.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"

#define MIN_POINTS 1.0 /* default smallest change reported, percent of the baseline's total */

/* One (responsible, part) pair of one profile, or one (responsible, caller) pair. */
struct entry {
	const char *rkey, *pkey; /* function keys; pkey "" for the function's own code or no caller */
	const char *rname, *rmod, *pname, *pmod; /* borrowed from the profile */
	uint64_t w;
};

struct side {
	const struct frec_profile *p;
	struct an_keys keys; /* per function of the profile */
	struct entry *parts, *callers;
	size_t nr_parts, nr_callers;
};

struct analyze_diff {
	const struct frec_profile *before, *after;
	struct frec_diff_norm dn;
	double min_size;     /* smallest change reported, in the unit */
	struct analyze_diff_finding *v;
	size_t nr, cap;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->rkey, y->rkey);

	return c ? c : strcmp(x->pkey, y->pkey);
}

/* Sort @v by keys and sum the weights of equal ones; returns the new count. */
static size_t reduce(struct entry *v, size_t n)
{
	size_t o = 0;

	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_entry);
	for (size_t i = 0; i < n; i++) {
		if (o && !cmp_entry(&v[o - 1], &v[i]))
			v[o - 1].w += v[i].w;
		else
			v[o++] = v[i];
	}
	return o;
}

static int push(struct entry **v, size_t *n, size_t *cap, struct entry e)
{
	if (an_grow((void **)v, cap, *n + 1, sizeof(**v)))
		return -ENOMEM;
	(*v)[(*n)++] = e;
	return 0;
}

static const char *func_name(const void *arg, size_t f)
{
	const struct an_ctx *c = arg;

	return frec_profile__str(c->p, c->funcs[f].name);
}

static struct entry entry_of(const struct side *s, const struct an_ctx *c, uint32_t r, uint32_t part, uint64_t w)
{
	struct entry e = { .rkey = an_keys__get(&s->keys, r), .pkey = "", .w = w };

	e.rname = frec_profile__str(c->p, c->funcs[r].name);
	e.rmod = frec_profile__str(c->p, c->funcs[r].module);
	if (part != AN_NONE) {
		e.pkey = an_keys__get(&s->keys, part);
		e.pname = frec_profile__str(c->p, c->funcs[part].name);
		e.pmod = frec_profile__str(c->p, c->funcs[part].module);
	}
	return e;
}

/* Every sample of one profile, counted for its function responsible, by part and by caller. */
static int collect(struct side *s, const struct analyze_rules *rules)
{
	struct an_ctx c = { .p = s->p, .rules = rules, .total = frec_profile__total(s->p) };
	size_t parts_cap = 0, callers_cap = 0;
	int err;

	if ((err = an_ctx__classify(&c)) || !c.total || (err = an_ctx__measure(&c)) || (err = an_keys__init(&s->keys, c.nr_funcs, func_name, &c)))
		goto out;
	for (uint32_t p = 0; p < c.nr_self && !err; p++) {
		uint32_t k = c.selfk[p], r, j, via = FREC_NONE, up;

		r = c.selfr[p] != AN_NONE ? c.selfr[p] : an_fn(&c, k);
		if (r == AN_NONE)
			continue;
		/* the responsible frame: the nearest one of r at or above the sample; via: its child (node ids) */
		for (j = an_node(&c, k); j != FREC_NODE_ROOT && an_node_fn(&c, j) != r; j = an_node_parent(&c, j))
			via = j;
		if (j == FREC_NODE_ROOT) {
			j = an_node(&c, k);
			via = FREC_NONE;
		}
		err = push(&s->parts, &s->nr_parts, &parts_cap,
			   entry_of(s, &c, r, via == FREC_NONE ? AN_NONE : an_node_fn(&c, via), c.selfw[p]));
		up = an_node_parent(&c, j);
		while (up != FREC_NODE_ROOT && (an_node_fn(&c, up) == r || an_node_boilerplate(&c, up)))
			up = an_node_parent(&c, up);
		if (!err)
			err = push(&s->callers, &s->nr_callers, &callers_cap,
				   entry_of(s, &c, r, an_node_fn(&c, up), c.selfw[p]));
	}
	if (!err) {
		s->nr_parts = reduce(s->parts, s->nr_parts);
		s->nr_callers = reduce(s->callers, s->nr_callers);
	}
out:
	an_ctx__exit(&c);
	return err;
}

static void side_exit(struct side *s)
{
	an_keys__exit(&s->keys);
	free(s->parts);
	free(s->callers);
}

static struct analyze_delta delta_of(const struct analyze_diff *d, const struct entry *b, const struct entry *a,
				     bool part)
{
	const struct entry *e = a ? a : b;
	uint64_t wb = b ? b->w : 0, wa = a ? a->w : 0;

	return (struct analyze_delta){
		.name = part ? e->pname : e->rname,
		.module = part ? (e->pmod ? e->pmod : "") : e->rmod,
		.before = (double)wb * d->dn.scale[0],
		.after = (double)wa * d->dn.scale[1],
		.share_before = an_pct(wb, frec_profile__total(d->before)),
		.share_after = an_pct(wa, frec_profile__total(d->after)),
		.weight_before = wb,
		.weight_after = wa,
	};
}

/* ---- Merging the two sides ------------------------------------------------------------------- */

/* Entries of two sides sorted by keys, walked together: each key once, with NULL where absent. */
struct merge {
	const struct entry *b, *a;
	size_t nb, na, i, j;
};

static bool merge_next(struct merge *m, const struct entry **eb, const struct entry **ea)
{
	int c;

	if (m->i == m->nb && m->j == m->na)
		return false;
	c = m->i == m->nb ? 1 : m->j == m->na ? -1 : cmp_entry(&m->b[m->i], &m->a[m->j]);
	*eb = c <= 0 ? &m->b[m->i++] : NULL;
	*ea = c >= 0 ? &m->a[m->j++] : NULL;
	return true;
}

/* The run of entries of responsible function @rkey at *@i (skipping smaller keys); *@n its length. */
static const struct entry *run_of(const struct entry *v, size_t nr, size_t *i, const char *rkey, size_t *n)
{
	size_t start;

	while (*i < nr && strcmp(v[*i].rkey, rkey) < 0)
		(*i)++;
	start = *i;
	while (*i < nr && !strcmp(v[*i].rkey, rkey))
		(*i)++;
	*n = *i - start;
	return v + start;
}

static double change_of(const struct analyze_delta *x)
{
	return x->after - x->before;
}

static int cmp_grew(const void *a, const void *b)
{
	double x = change_of(a), y = change_of(b);

	return (x < y) - (x > y);
}

static int cmp_shrank(const void *a, const void *b)
{
	return cmp_grew(b, a);
}

static int cmp_after(const void *a, const void *b)
{
	const struct analyze_delta *x = a, *y = b;

	return (x->after < y->after) - (x->after > y->after);
}

static int cmp_before(const void *a, const void *b)
{
	const struct analyze_delta *x = a, *y = b;

	return (x->before < y->before) - (x->before > y->before);
}

static bool grew(const struct analyze_delta *x)
{
	return change_of(x) > 0;
}

static bool shrank(const struct analyze_delta *x)
{
	return change_of(x) < 0;
}

static bool named(const struct analyze_delta *x)
{
	return x->name != NULL;
}

/*
 * The deltas of the keys of two runs, sorted by @cmp, the first ANALYZE_TOP that @keep accepts
 * into @out: parts only when their own change clears the floors (an interrupt's 1 ms is no
 * evidence), callers whatever their size.  0 or -ENOMEM.
 */
static int top_deltas(const struct analyze_diff *d, const struct entry *b, size_t nb, const struct entry *a,
		      size_t na, int (*cmp)(const void *, const void *), bool (*keep)(const struct analyze_delta *),
		      struct analyze_delta *out, size_t *nr_out)
{
	struct merge m = { b, a, nb, na, 0, 0 };
	struct analyze_delta *v = malloc((nb + na + 1) * sizeof(*v));
	const struct entry *eb, *ea;
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	while (merge_next(&m, &eb, &ea))
		v[n++] = delta_of(d, eb, ea, true);
	qsort(v, n, sizeof(*v), cmp);
	*nr_out = 0;
	for (size_t i = 0; i < n && *nr_out < ANALYZE_TOP; i++)
		if (keep(&v[i]) && (keep == named || (frec_diff_norm__is_change(&d->dn, v[i].weight_before, v[i].weight_after) &&
						      fabs(change_of(&v[i])) >= d->min_size)))
			out[(*nr_out)++] = v[i];
	free(v);
	return 0;
}

/* ---- Findings -------------------------------------------------------------------------------- */


/*
 * "compute_hash grew from 250 ms to 750 ms of CPU time (25.0% to 50.0%), +500 ms (+200%), ..."; of
 * off-CPU or wall-clock time for those profiles.
 */
static char *summary(const struct analyze_diff *d, const struct analyze_diff_finding *f)
{
	char name[128], from[32], to[32], by[32], part[128], pby[32], caller[128], rel[32], unit[64] = "";
	const struct analyze_delta *x = &f->fn;
	bool up = f->change == ANALYZE_REGRESSION || f->change == ANALYZE_NEW;
	/* shares are of all the samples, or of all the time waited (or wall-clock time) */
	const char *of = !strcmp(d->dn.time, "CPU time") ? "samples" : d->dn.time;

	if (d->dn.norm == FREC_NORM_TIME || d->dn.norm == FREC_NORM_RATE)
		snprintf(unit, sizeof(unit), " of %s%s", d->dn.time, d->dn.norm == FREC_NORM_RATE ? " per second" : "");
	an_short_name(x->name, name, sizeof(name));
	frec_norm__fmt(d->dn.norm, x->before, false, from, sizeof(from));
	frec_norm__fmt(d->dn.norm, x->after, false, to, sizeof(to));
	frec_norm__fmt(d->dn.norm, x->after - x->before, true, by, sizeof(by));
	snprintf(rel, sizeof(rel), isfinite(f->growth) ? " (%+.0f%%)" : "", f->growth);
	part[0] = caller[0] = '\0';
	/* "of which" only says something when the part is not the whole change */
	if (f->nr_parts && fabs(change_of(&f->parts[0]) - change_of(x)) < 0.5 * d->dn.scale[0]) {
		;
	} else if (f->nr_parts && f->parts[0].name) {
		char pn[96];

		frec_norm__fmt(d->dn.norm, change_of(&f->parts[0]), true, pby, sizeof(pby));
		snprintf(part, sizeof(part), ", of which %s %s", an_short_name(f->parts[0].name, pn, sizeof(pn)), pby);
	} else if (f->nr_parts) {
		frec_norm__fmt(d->dn.norm, change_of(&f->parts[0]), true, pby, sizeof(pby));
		snprintf(part, sizeof(part), ", of which its own code %s", pby);
	}
	if (f->nr_callers && f->callers[0].name) {
		char cn[96];

		snprintf(caller, sizeof(caller), "; called from %s", an_short_name(f->callers[0].name, cn, sizeof(cn)));
	}
	switch (f->change) {
	case ANALYZE_NEW:
		return an_fmt("%s is new: %s%s (%.1f%% of the %s)%s%s", name, to, unit, x->share_after, of, part, caller);
	case ANALYZE_VANISHED:
		return an_fmt("%s is gone: it had %s%s (%.1f%% of the %s)%s%s", name, from, unit, x->share_before, of, part,
			   caller);
	default:
		return an_fmt("%s %s from %s to %s%s (%.1f%% to %.1f%%), %s%s%s%s", name, up ? "grew" : "shrank", from, to, unit,
			   x->share_before, x->share_after, by, rel, part, caller);
	}
}

static int add_finding(struct analyze_diff *d, const struct analyze_diff_finding *f)
{
	if (an_grow((void **)&d->v, &d->cap, d->nr + 1, sizeof(*d->v)))
		return -ENOMEM;
	d->v[d->nr++] = *f;
	return 0;
}

static const char *const change_ids[] = {
	[ANALYZE_REGRESSION] = "regression",
	[ANALYZE_NEW] = "new-function",
	[ANALYZE_IMPROVEMENT] = "improvement",
	[ANALYZE_VANISHED] = "vanished-function",
};

/* One responsible function, from its runs of parts and of callers on both sides. */
static int consider(struct analyze_diff *d, const struct entry *pb, size_t npb, const struct entry *pa, size_t npa,
		    const struct entry *cb, size_t ncb, const struct entry *ca, size_t nca)
{
	struct analyze_diff_finding f = { 0 };
	uint64_t wb = 0, wa = 0;
	bool up;
	int err;

	for (size_t i = 0; i < npb; i++)
		wb += pb[i].w;
	for (size_t i = 0; i < npa; i++)
		wa += pa[i].w;
	f.fn = delta_of(d, npb ? &(struct entry){ .rname = pb->rname, .rmod = pb->rmod, .w = wb } : NULL,
			npa ? &(struct entry){ .rname = pa->rname, .rmod = pa->rmod, .w = wa } : NULL, false);
	if (!frec_diff_norm__is_change(&d->dn, wb, wa) || fabs(change_of(&f.fn)) < d->min_size)
		return 0;
	up = change_of(&f.fn) > 0;
	f.change = !wb ? ANALYZE_NEW : !wa ? ANALYZE_VANISHED : up ? ANALYZE_REGRESSION : ANALYZE_IMPROVEMENT;
	f.id = change_ids[f.change];
	f.growth = wb ? 100 * change_of(&f.fn) / f.fn.before : INFINITY;
	f.z = frec_diff_norm__z(&d->dn, wb, wa);
	if ((err = top_deltas(d, pb, npb, pa, npa, up ? cmp_grew : cmp_shrank, up ? grew : shrank, f.parts, &f.nr_parts)) ||
	    (err = top_deltas(d, cb, ncb, ca, nca, up ? cmp_after : cmp_before, named, f.callers, &f.nr_callers)))
		return err;
	f.summary = summary(d, &f);
	if (!f.summary)
		return -ENOMEM;
	if ((err = add_finding(d, &f)))
		free((void *)f.summary);
	return err;
}

/* Regressions and new functions first, the largest growth first; then the largest shrinking. */
static int cmp_findings(const void *a, const void *b)
{
	const struct analyze_diff_finding *x = a, *y = b;
	bool ux = x->change <= ANALYZE_NEW, uy = y->change <= ANALYZE_NEW;
	double cx = fabs(change_of(&x->fn)), cy = fabs(change_of(&y->fn));

	if (ux != uy)
		return ux ? -1 : 1;
	if (cx != cy)
		return cx > cy ? -1 : 1;
	return strcmp(x->fn.name, y->fn.name);
}

int analyze_diff__new(const struct frec_profile *before, const struct frec_profile *after,
		      const struct analyze_diff_opts *opts, struct analyze_diff **out)
{
	static const struct analyze_diff_opts defaults;
	struct side sb = { .p = before }, sa = { .p = after };
	struct analyze_diff *d = calloc(1, sizeof(*d));
	size_t icb = 0, ica = 0;
	struct merge m;
	int err;

	*out = NULL;
	opts = opts ? opts : &defaults;
	if (!d)
		return -ENOMEM;
	d->before = before;
	d->after = after;
	if ((err = frec_diff_norm__init(&d->dn, before, after, opts->norm)) || (err = collect(&sb, opts->rules)) ||
	    (err = collect(&sa, opts->rules)))
		goto out;
	d->min_size = (opts->min_points > 0 ? opts->min_points : MIN_POINTS) / 100 * d->dn.total[0];
	/* walk the responsible functions of both sides in key order: the first part of each run */
	m = (struct merge){ sb.parts, sa.parts, sb.nr_parts, sa.nr_parts, 0, 0 };
	while (!err && (m.i < m.nb || m.j < m.na)) {
		const char *rkey;
		size_t npb, npa, ncb, nca;
		const struct entry *pb, *pa, *cb, *ca;

		if (m.i == m.nb)
			rkey = m.a[m.j].rkey;
		else if (m.j == m.na)
			rkey = m.b[m.i].rkey;
		else
			rkey = strcmp(m.b[m.i].rkey, m.a[m.j].rkey) <= 0 ? m.b[m.i].rkey : m.a[m.j].rkey;
		pb = run_of(sb.parts, sb.nr_parts, &m.i, rkey, &npb);
		pa = run_of(sa.parts, sa.nr_parts, &m.j, rkey, &npa);
		cb = run_of(sb.callers, sb.nr_callers, &icb, rkey, &ncb);
		ca = run_of(sa.callers, sa.nr_callers, &ica, rkey, &nca);
		err = consider(d, pb, npb, pa, npa, cb, ncb, ca, nca);
	}
	if (!err && d->nr > 1)
		qsort(d->v, d->nr, sizeof(*d->v), cmp_findings);
out:
	side_exit(&sb);
	side_exit(&sa);
	if (err) {
		analyze_diff__free(d);
		return err;
	}
	*out = d;
	return 0;
}

void analyze_diff__free(struct analyze_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nr; i++)
		free((void *)d->v[i].summary);
	free(d->v);
	free(d);
}

size_t analyze_diff__nr(const struct analyze_diff *d)
{
	return d->nr;
}

const struct analyze_diff_finding *analyze_diff__finding(const struct analyze_diff *d, size_t i)
{
	return &d->v[i];
}

const struct frec_diff_norm *analyze_diff__norm(const struct analyze_diff *d)
{
	return &d->dn;
}

bool analyze_diff__over(const struct analyze_diff_finding *f, double pct)
{
	return f->change == ANALYZE_NEW || (f->change == ANALYZE_REGRESSION && f->growth > pct);
}

const struct frec_profile *an_diff__profile(const struct analyze_diff *d, bool after)
{
	return after ? d->after : d->before;
}

double an_diff__min_size(const struct analyze_diff *d)
{
	return d->min_size;
}
