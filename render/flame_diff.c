// SPDX-License-Identifier: MIT
/*
 * Differential flame graphs: the layout of render/flame.c, coloured by what changed.
 *
 * The shape comes from one profile (AFTER, or BEFORE with --negate).  Each of its nodes is matched
 * with the node on the same path of names from the root in the other profile, through maps from
 * (parent, name) to child built both ways.  struct frec_diff_norm puts both on one scale (CPU time
 * by default, so unchanged code keeps its colour whatever else grew) and is the one noise floor.
 *
 * A frame's colour is the change of its self weight: red grew, blue shrank, grey within the noise
 * floor.  The intensity is the part of the larger side that changed (1 - smaller / larger: 3x is
 * two thirds of the way, vanishing all of it), the same scale in every graph.  Frames that one
 * profile lacks are new (amber, outlined) or gone (hatched): the shape's own are drawn at their
 * width; the other profile's ("ghosts") where they were, at their width there in the shape's unit,
 * so that what vanished shows in the default graph and at any zoom.  A ghost is drawn only if it
 * clears the noise floor: paths one recording sampled by chance would otherwise crowd the graph.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flame_internal.h"
#include "frec/error.h"
#include "frec/profile.h"
#include "frec/render.h"

struct flame_diff {
	struct frec_diff_norm dn;
	int shape_side;            /* 1 when the shape is AFTER, 0 with --negate */
	double conv;               /* one unit of the other's weight in units of the shape's */
	uint32_t *name_in;         /* per frame of p: the id of its name in other, or FREC_NONE */
	struct flame_map child;    /* other's (parent << 32 | name id) -> child */
	uint32_t *match;           /* per node of p: the node of other on the same path, or FREC_NONE */
	uint8_t *matched;          /* per node of other: p has a node on the same path */
	double *extra;             /* per node of p: the width the ghosts below it add */
	uint8_t *lone_shows;       /* per node of p that other lacks: its new (or gone) subtree clears the floor */
	uint32_t *other_rank;      /* per frame of other: its position in other's frames' order */
};

#define DIFF_GREY 0xdcdcdc
#define DIFF_NEW_RGB 0xf0b020
#define DIFF_NEW_ATTRS " stroke=\"#600060\" stroke-width=\"1.5\""
#define DIFF_GONE_FILL "url(#frec-gone)"
#define DIFF_GONE_ATTRS " stroke=\"#203070\" stroke-dasharray=\"3 2\""

/* ---- Matching ------------------------------------------------------------------------------- */

/*
 * Index other by names for lookups from p: d->name_in gets, per frame of p, the id of the same name
 * in other, and d->child maps (parent << 32 | name id) to other's children.  Frames are matched by
 * name alone, so that a profile from a trace (with modules) compares with one from folded stacks
 * (without); two children of one node with the same name but different modules match the first of
 * them.
 */
static int index_names(struct flame_diff *d, const struct frec_profile *p, const struct frec_profile *other)
{
	uint32_t nf = frec_profile__nr_frames(other), nn = frec_profile__nr_nodes(other);
	struct flame_map names;
	int err;

	if ((err = flame_map__init(&names, nf)))
		return err;
	for (uint32_t i = 0; i < nf; i++) {
		uint32_t id = frec_profile__frame(other, i)->name;
		const char *s = frec_profile__str(other, id);

		if ((err = flame_map__put(&names, flame_hash(s, strlen(s)), id)))
			goto out;
	}
	err = -ENOMEM;
	d->name_in = malloc(((size_t)frec_profile__nr_frames(p) + 1) * sizeof(*d->name_in));
	if (!d->name_in)
		goto out;
	for (uint32_t i = 0; i < frec_profile__nr_frames(p); i++) {
		const char *s = frec_profile__frame_name(p, i);
		uint64_t h = flame_hash(s, strlen(s));
		size_t pos = 0;
		uint32_t id;

		while ((id = flame_map__next(&names, h, &pos)) != UINT32_MAX && strcmp(frec_profile__str(other, id), s))
			;
		d->name_in[i] = id == UINT32_MAX ? FREC_NONE : id;
	}
	if ((err = flame_map__init(&d->child, nn)))
		goto out;
	for (uint32_t i = 1; i < nn; i++) {
		const struct frec_node *n = frec_profile__node(other, i);

		if ((err = flame_map__put(&d->child, (uint64_t)n->parent << 32 | frec_profile__frame(other, n->frame)->name, i)))
			goto out;
	}
	err = 0;
out:
	flame_map__exit(&names);
	return err;
}

/*
 * The child of other's node @parent named like p's frame @frame, or FREC_NONE.  All of other's
 * children of that name (several when their modules differ) are marked matched: none is a ghost.
 */
static uint32_t match_child(struct flame_diff *d, uint32_t parent, uint32_t frame)
{
	uint32_t v, first = FREC_NONE;
	size_t pos = 0;

	if (parent == FREC_NONE || d->name_in[frame] == FREC_NONE)
		return FREC_NONE;
	while ((v = flame_map__next(&d->child, (uint64_t)parent << 32 | d->name_in[frame], &pos)) != UINT32_MAX) {
		if (first == FREC_NONE)
			first = v;
		d->matched[v] = 1;
	}
	return first;
}

/* Whether weight @w of a frame that only one side has clears the floor (@in_shape: the shape's side). */
static bool lone_clears(const struct flame_diff *d, bool in_shape, uint64_t w)
{
	int side = in_shape ? d->shape_side : 1 - d->shape_side;

	return frec_diff_norm__is_change(&d->dn, side ? 0 : w, side ? w : 0);
}

/* Whether other's node @oc (a child of a node some node of p matches) is a ghost to draw. */
static bool is_ghost(const struct flame_ctx *c, uint32_t oc)
{
	const struct flame_diff *d = c->diff;

	return !d->matched[oc] && lone_clears(d, false, frec_profile__node(c->other, oc)->total);
}

/*
 * Per node of p, in id order (parents first): its match in other and whether a lone subtree shows;
 * then, once all of other's matched nodes are known, the width of the ghosts below each (summed up
 * from the leaves, in reverse id order).
 */
static void match_nodes(struct flame_ctx *c)
{
	struct flame_diff *d = c->diff;
	uint32_t nn = frec_profile__nr_nodes(c->p);

	d->match[FREC_NODE_ROOT] = FREC_NODE_ROOT;
	for (uint32_t i = 1; i < nn; i++) {
		const struct frec_node *n = frec_profile__node(c->p, i);
		uint32_t pm = d->match[n->parent];

		d->match[i] = match_child(d, pm, n->frame);
		if (d->match[i] == FREC_NONE)
			d->lone_shows[i] = pm != FREC_NONE ? lone_clears(d, true, n->total) : d->lone_shows[n->parent];
	}
	for (uint32_t i = 0; i < nn; i++) {
		const struct frec_node *m;

		if (d->match[i] == FREC_NONE)
			continue;
		m = frec_profile__node(c->other, d->match[i]);
		for (uint32_t oc = m->first_child; oc != FREC_NONE; oc = frec_profile__node(c->other, oc)->next_sibling)
			if (is_ghost(c, oc))
				d->extra[i] += (double)frec_profile__node(c->other, oc)->total * d->conv;
	}
	for (uint32_t i = nn; i-- > 1;)
		d->extra[frec_profile__node(c->p, i)->parent] += d->extra[i];
}

int flame_diff__new(struct flame_ctx *c)
{
	uint32_t nn = frec_profile__nr_nodes(c->p);
	struct flame_diff *d = calloc(1, sizeof(*d));
	const struct frec_profile *before = c->shape_is_before ? c->p : c->other;
	const struct frec_profile *after = c->shape_is_before ? c->other : c->p;
	int err;

	if (!d)
		return -ENOMEM;
	c->diff = d;
	if ((err = frec_diff_norm__init(&d->dn, before, after, c->opts->norm)))
		return err;
	d->shape_side = c->shape_is_before ? 0 : 1;
	d->conv = d->dn.scale[d->shape_side] > 0 ? d->dn.scale[1 - d->shape_side] / d->dn.scale[d->shape_side] : 0;
	if ((err = index_names(d, c->p, c->other)))
		return err;
	d->match = malloc((size_t)nn * sizeof(*d->match));
	d->matched = calloc(frec_profile__nr_nodes(c->other), sizeof(*d->matched));
	d->extra = calloc(nn, sizeof(*d->extra));
	d->lone_shows = calloc(nn, sizeof(*d->lone_shows));
	d->other_rank = flame_rank_frames(c->other);
	if (!d->match || !d->matched || !d->extra || !d->lone_shows || !d->other_rank)
		return -ENOMEM;
	match_nodes(c);
	c->drawn += d->extra[FREC_NODE_ROOT];
	return 0;
}

void flame_diff__free(struct flame_diff *d)
{
	if (!d)
		return;
	free(d->name_in);
	flame_map__exit(&d->child);
	free(d->match);
	free(d->matched);
	free(d->extra);
	free(d->lone_shows);
	free(d->other_rank);
	free(d);
}

double flame_diff__extra(const struct flame_ctx *c, uint32_t node)
{
	return c->diff->extra[node];
}

/* Name order, then the shape's frames before ghosts of the same name, then each profile's order. */
static int cmp_kids_by_name(const void *a, const void *b)
{
	const struct flame_kid *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (r)
		return r;
	if (x->ghost != y->ghost)
		return x->ghost ? 1 : -1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

int flame_diff__add_ghosts(const struct flame_ctx *c, const struct flame_item *it, struct flame_kids *kids)
{
	const struct flame_diff *d = c->diff;
	uint32_t parent = it->ghost ? it->node : d->match[it->node];
	size_t own = kids->n;
	int err;

	if (parent == FREC_NONE)
		return 0;
	for (uint32_t oc = frec_profile__node(c->other, parent)->first_child; oc != FREC_NONE;
	     oc = frec_profile__node(c->other, oc)->next_sibling) {
		const struct frec_node *n = frec_profile__node(c->other, oc);

		/* Below a ghost, everything is the other profile's. */
		if (!it->ghost && !is_ghost(c, oc))
			continue;
		err = flame_kids__push(kids, &(struct flame_kid){
			.name = frec_profile__frame_name(c->other, n->frame),
			.rank = d->other_rank[n->frame],
			.node = oc,
			.ghost = true,
			.w = (double)n->total * d->conv,
		});
		if (err)
			return err;
	}
	if (kids->n == own)
		return 0;
	for (size_t i = 0; i < own; i++)
		kids->v[i].name = frec_profile__frame_name(c->p, frec_profile__node(c->p, kids->v[i].node)->frame);
	qsort(kids->v, kids->n, sizeof(*kids->v), cmp_kids_by_name);
	return 0;
}

/* ---- Frames ---------------------------------------------------------------------------------- */

struct diff_vals {
	uint64_t total[2], self[2]; /* [0] before, [1] after */
	bool lone;                  /* one side lacks the frame: new or gone */
	bool shows;                 /* lone, and its subtree clears the noise floor */
};

static void diff_vals(const struct flame_ctx *c, const struct flame_item *it, struct diff_vals *v)
{
	const struct flame_diff *d = c->diff;
	int own = it->ghost ? 1 - d->shape_side : d->shape_side;
	const struct frec_node *n = frec_profile__node(it->ghost ? c->other : c->p, it->node);
	uint32_t m = it->ghost ? FREC_NONE : d->match[it->node];

	*v = (struct diff_vals){ .lone = m == FREC_NONE };
	v->total[own] = n->total;
	v->self[own] = n->self;
	if (!v->lone) {
		v->total[1 - own] = frec_profile__node(c->other, m)->total;
		v->self[1 - own] = frec_profile__node(c->other, m)->self;
	}
	/* Ghosts are drawn only when they clear the floor, and so is all below them. */
	v->shows = it->ghost || (v->lone && d->lone_shows[it->node]);
}

/* From grey-tinted to full red (grew) or blue (shrank) as @t goes from 0 to 1. */
static uint32_t diff_rgb(bool grew, double t)
{
	unsigned int fade = (unsigned int)lround(200 - 170 * (t > 1 ? 1 : t));

	return grew ? 0xe00000u | fade << 8 | fade : fade << 16 | fade << 8 | 0xe0;
}

static void diff_paint(const struct flame_diff *d, const struct diff_vals *v, struct flame_paint *paint)
{
	double b = (double)v->self[0] * d->dn.scale[0], a = (double)v->self[1] * d->dn.scale[1];

	*paint = (struct flame_paint){ .rgb = DIFF_GREY };
	if (v->lone) {
		if (v->shows && v->total[1])
			*paint = (struct flame_paint){ .rgb = DIFF_NEW_RGB, .attrs = DIFF_NEW_ATTRS };
		else if (v->shows)
			*paint = (struct flame_paint){ .fill = DIFF_GONE_FILL, .attrs = DIFF_GONE_ATTRS };
	} else if (frec_diff_norm__is_change(&d->dn, v->self[0], v->self[1])) {
		paint->rgb = diff_rgb(a > b, fabs(a - b) / fmax(a, b));
	}
}

/* "245 ms (24.90%), self 245 ms": a side's values in the unit, and its share for the units that are not one. */
static void write_side(struct svg_out *o, const struct flame_diff *d, const struct frec_profile *p, int side,
		       uint64_t total, uint64_t self)
{
	const char *unit = frec_profile__str(p, frec_profile__meta_const(p)->unit);
	char buf[48];

	svg_out__str(o, frec_norm__fmt(d->dn.norm, (double)total * d->dn.scale[side], false, buf, sizeof(buf)));
	if (d->dn.norm == FREC_NORM_COUNT) {
		svg_out__chr(o, ' ');
		svg_out__esc_str(o, total == 1 && !strcmp(unit, "samples") ? "sample" : unit);
	}
	if (d->dn.norm != FREC_NORM_SHARE) {
		svg_out__str(o, " (");
		svg_out__pct(o, total, frec_profile__total(p));
		svg_out__chr(o, ')');
	}
	svg_out__str(o, ", self ");
	svg_out__str(o, frec_norm__fmt(d->dn.norm, (double)self * d->dn.scale[side], false, buf, sizeof(buf)));
}

/* "+497 ms (+203%)": the change in the unit, then relative to the value before ("from 0" if none). */
static void write_change(struct svg_out *o, const struct flame_diff *d, const uint64_t w[2])
{
	double before = (double)w[0] * d->dn.scale[0], delta = frec_diff_norm__delta(&d->dn, w[0], w[1]);
	char buf[48];

	svg_out__str(o, frec_norm__fmt(d->dn.norm, delta, true, buf, sizeof(buf)));
	if (before > 0)
		svg_out__printf(o, " (%+.0f%%)", 100 * delta / before);
	else if (w[1])
		svg_out__str(o, " (from 0)");
}

void flame_diff__write_frames(struct flame_ctx *c)
{
	const struct flame_diff *d = c->diff;
	const struct frec_profile *side[2] = { c->shape_is_before ? c->p : c->other, c->shape_is_before ? c->other : c->p };
	struct svg_out *o = c->out;

	for (size_t i = 0; i < c->nr_items; i++) {
		const struct flame_item *it = &c->items[i];
		const struct frec_profile *p;
		const struct frec_frame *f;
		const char *name = flame_item__name(c, it, &p, &f);
		struct flame_paint paint;
		struct diff_vals v;

		diff_vals(c, it, &v);
		diff_paint(d, &v, &paint);
		flame__write_frame_start(c, p, name, f, false);
		svg_out__str(o, "\nbefore: ");
		write_side(o, d, side[0], 0, v.total[0], v.self[0]);
		svg_out__str(o, "\nafter: ");
		write_side(o, d, side[1], 1, v.total[1], v.self[1]);
		svg_out__str(o, "\nchange: self ");
		write_change(o, d, v.self);
		svg_out__str(o, ", total ");
		write_change(o, d, v.total);
		if (v.lone)
			svg_out__str(o, v.total[1] ? " [new]" : " [gone]");
		if (v.lone && !v.shows)
			svg_out__str(o, "\n(within the noise floor)");
		else if (!v.lone && frec_diff_norm__delta(&d->dn, v.self[0], v.self[1]) != 0 &&
			 !frec_diff_norm__is_change(&d->dn, v.self[0], v.self[1]))
			svg_out__str(o, "\n(self change within the noise floor)");
		flame__write_frame_end(c, it, name, &paint);
	}
}

/* ---- Header ---------------------------------------------------------------------------------- */

void flame_diff__write_legend(const struct flame_ctx *c, double x)
{
	struct svg_out *o = c->out;

	/* Hatching marks what vanished however narrow or pale it is drawn. */
	svg_out__str(o, "<defs><pattern id=\"frec-gone\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
			"patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#e0e6f6\"/>"
			"<rect width=\"2\" height=\"6\" fill=\"#96a6d8\"/></pattern></defs>\n");
	flame__write_legend_key(o, &x, &(struct flame_paint){ .rgb = diff_rgb(true, 1) }, "grew");
	flame__write_legend_key(o, &x, &(struct flame_paint){ .rgb = DIFF_GREY }, "unchanged");
	flame__write_legend_key(o, &x, &(struct flame_paint){ .rgb = diff_rgb(false, 1) }, "shrank");
	flame__write_legend_key(o, &x, &(struct flame_paint){ .rgb = DIFF_NEW_RGB, .attrs = DIFF_NEW_ATTRS }, "new");
	flame__write_legend_key(o, &x, &(struct flame_paint){ .fill = DIFF_GONE_FILL, .attrs = DIFF_GONE_ATTRS }, "gone");
}

void diff_side__describe(struct flame_line *l, const struct frec_profile *p, const char *fallback, bool base_only)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	const char *src = frec_profile__str(p, m->source), *unit = frec_profile__str(p, m->unit);
	uint64_t total = frec_profile__total(p);
	char tmp[64];

	flame_line__add(l, !*src ? fallback : base_only ? flame_base_name(src) : src);
	flame_line__add(l, ", ");
	flame_line__group(l, total);
	flame_line__add(l, " ");
	flame_line__add(l, total == 1 && !strcmp(unit, "samples") ? "sample" : unit);
	if (m->duration_ns) {
		flame_line__add(l, ", ");
		flame_line__add(l, frec_duration__str(m->duration_ns, tmp, sizeof(tmp)));
	}
}

void flame_diff__subtitle(struct flame_line *l, const struct flame_ctx *c)
{
	char what[96];

	flame_line__add(l, "before (baseline): ");
	diff_side__describe(l, c->shape_is_before ? c->p : c->other, "BEFORE", true);
	flame_line__add(l, "; after: ");
	diff_side__describe(l, c->shape_is_before ? c->other : c->p, "AFTER", true);
	flame_line__add(l, "; compared as ");
	flame_line__add(l, frec_diff_norm__describe(&c->diff->dn, what, sizeof(what)));
	flame_line__add(l, c->shape_is_before ? "; widths: before" : "; widths: after");
}
