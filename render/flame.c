// SPDX-License-Identifier: MIT
/*
 * SVG flame graphs and differential flame graphs.
 *
 * One pass lays the call tree out: children in the frames' total order (name first, as flamegraph.pl
 * sorts), each child's x the sum of its earlier siblings' weights, and children narrower than
 * --minwidth pixels skipped with their subtrees (their weight stays visible as their parent's
 * width).  The layout visits only what is drawn, so the cost follows the picture, not the profile.
 * A second pass writes one <g> per frame: a <title> (the tooltip, whose first line is the full name
 * the script reads back), a <rect>, and a <text> label cut to fit, omitted when not even three
 * characters fit.  Everything a frame shows is in the document, so the graph reads without the
 * script; the script (render/flame.js) adds zoom, search, a details line and URL state.
 *
 * A differential graph takes its shape from one profile and, for each drawn node, looks up the node
 * with the same path of names in the other (a map from (parent, name) to child in the other tree):
 * its colour is the change of the node's self share between the two, normalised by each profile's
 * total, grey when sampling alone could explain it.  A node missing from the other profile is new
 * (or gone, with --negate) and outlined.
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

#define FLAME_PAD 10       /* left and right margin */
#define FLAME_TOP 60       /* title, subtitle, buttons */
#define FLAME_BOTTOM 34    /* details line */
#define FLAME_FH 16        /* frame height including its 1 px gap */
#define FLAME_CHAR_W 7.3   /* advance of a 12 px monospace character, rounded up; flame.js agrees */
#define FLAME_TITLE_CHAR_W 10.3 /* the same at 17 px, for the title */
#define FLAME_MINWIDTH 0.1 /* default --minwidth: far below a pixel, so nothing visible is lost */

struct flame_item {
	uint32_t node;
	uint32_t depth;
	uint32_t other; /* diff: the node with the same path in the other profile, or FREC_NONE */
	uint8_t cls;    /* enum flame_class (set by classify()) */
	uint64_t x;     /* weight of the earlier siblings of it and its ancestors: its left edge */
};

struct flame_ctx {
	const struct frec_profile *p;     /* the profile that gives the shape */
	const struct frec_profile *other; /* diff: the other profile, else NULL */
	const struct render_flame_opts *opts;
	const struct flame_palette *pal;
	bool shape_is_before; /* diff with --negate */
	unsigned int width;
	double minwidth;
	double scale; /* pixels per unit of weight */
	uint64_t total;
	struct flame_item *items; /* drawn frames, in pre-order */
	size_t nr_items, items_cap;
	uint32_t max_depth;
	uint32_t *rank;          /* per frame of p: its position in the frames' total order */
	uint32_t *other_name;    /* diff, per frame of p: id of the same name in other, or FREC_NONE */
	struct flame_map other_child; /* diff: (parent << 32 | name id) -> child node of other */
	unsigned int classes_seen;    /* bit per enum flame_class drawn, for the legend */
	struct svg_out *out;
};

bool render_flame__has_palette(const char *name)
{
	return flame_palette__find(name) != NULL;
}

static int cmp_frames(const void *a, const void *b, void *p)
{
	return frec_profile__frame_cmp(p, *(const uint32_t *)a, *(const uint32_t *)b);
}

static int rank_frames(struct flame_ctx *c)
{
	uint32_t n = frec_profile__nr_frames(c->p);
	uint32_t *order = malloc(((size_t)n + 1) * sizeof(*order));

	c->rank = malloc(((size_t)n + 1) * sizeof(*c->rank));
	if (!order || !c->rank) {
		free(order);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_frames, (void *)c->p);
	for (uint32_t i = 0; i < n; i++)
		c->rank[order[i]] = i;
	free(order);
	return 0;
}

/*
 * Diff: index the other profile by names.  Frames are matched by name alone, so that a profile from
 * a trace (with modules) compares with one from folded stacks (without); two children of one node
 * with the same name but different modules match the first of them.
 */
static int index_other(struct flame_ctx *c)
{
	const struct frec_profile *o = c->other;
	uint32_t nf = frec_profile__nr_frames(o), nn = frec_profile__nr_nodes(o);
	struct flame_map names;
	int err;

	if ((err = flame_map__init(&names, nf)))
		return err;
	for (uint32_t i = 0; i < nf; i++) {
		uint32_t id = frec_profile__frame(o, i)->name;
		const char *s = frec_profile__str(o, id);

		if ((err = flame_map__put(&names, flame_hash(s, strlen(s)), id)))
			goto out;
	}
	err = -ENOMEM;
	c->other_name = malloc(((size_t)frec_profile__nr_frames(c->p) + 1) * sizeof(*c->other_name));
	if (!c->other_name)
		goto out;
	for (uint32_t i = 0; i < frec_profile__nr_frames(c->p); i++) {
		const char *s = frec_profile__frame_name(c->p, i);
		uint64_t h = flame_hash(s, strlen(s));
		size_t pos = 0;
		uint32_t id;

		while ((id = flame_map__next(&names, h, &pos)) != UINT32_MAX &&
		       strcmp(frec_profile__str(o, id), s))
			;
		c->other_name[i] = id == UINT32_MAX ? FREC_NONE : id;
	}
	if ((err = flame_map__init(&c->other_child, nn)))
		goto out;
	for (uint32_t i = 1; i < nn; i++) {
		const struct frec_node *n = frec_profile__node(o, i);
		uint64_t key = (uint64_t)n->parent << 32 | frec_profile__frame(o, n->frame)->name;

		if ((err = flame_map__put(&c->other_child, key, i)))
			goto out;
	}
	err = 0;
out:
	flame_map__exit(&names);
	return err;
}

static uint32_t other_child_of(const struct flame_ctx *c, uint32_t other_parent, uint32_t frame)
{
	size_t pos = 0;
	uint32_t v;

	if (other_parent == FREC_NONE || c->other_name[frame] == FREC_NONE)
		return FREC_NONE;
	v = flame_map__next(&c->other_child, (uint64_t)other_parent << 32 | c->other_name[frame], &pos);
	return v == UINT32_MAX ? FREC_NONE : v;
}

static int push(struct flame_item **arr, size_t *n, size_t *cap, const struct flame_item *it)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		struct flame_item *na = realloc(*arr, ncap * sizeof(*na));

		if (!na)
			return -ENOMEM;
		*arr = na;
		*cap = ncap;
	}
	(*arr)[(*n)++] = *it;
	return 0;
}

struct child_key {
	uint32_t rank;
	uint32_t node;
};

static int cmp_child_keys(const void *a, const void *b)
{
	const struct child_key *x = a, *y = b;

	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* The drawn frames in pre-order, children in the frames' order (see the comment at the top). */
static int layout(struct flame_ctx *c)
{
	struct flame_item *stack = NULL;
	size_t sp = 0, stack_cap = 0;
	struct child_key *kids = NULL;
	size_t kids_cap = 0;
	int err;

	err = push(&stack, &sp, &stack_cap,
		   &(struct flame_item){
			   .node = FREC_NODE_ROOT,
			   .other = c->other ? FREC_NODE_ROOT : FREC_NONE,
		   });
	while (!err && sp) {
		struct flame_item it = stack[--sp];
		const struct frec_node *n = frec_profile__node(c->p, it.node);
		uint64_t x = it.x;
		size_t k = 0;

		if ((err = push(&c->items, &c->nr_items, &c->items_cap, &it)))
			break;
		if (it.depth > c->max_depth)
			c->max_depth = it.depth;
		for (uint32_t ch = n->first_child; ch != FREC_NONE;
		     ch = frec_profile__node(c->p, ch)->next_sibling) {
			if (k == kids_cap) {
				size_t ncap = kids_cap ? kids_cap * 2 : 64;
				struct child_key *nk = realloc(kids, ncap * sizeof(*nk));

				if (!nk) {
					err = -ENOMEM;
					goto out;
				}
				kids = nk;
				kids_cap = ncap;
			}
			kids[k++] = (struct child_key){ c->rank[frec_profile__node(c->p, ch)->frame], ch };
		}
		if (k > 1)
			qsort(kids, k, sizeof(*kids), cmp_child_keys);
		/*
		 * Every child takes its place, drawn or not (a skipped child leaves a gap narrower than
		 * --minwidth in its parent).  Walk them last to first from the right edge, so that the
		 * stack pops them in order.
		 */
		for (size_t i = 0; i < k; i++)
			x += frec_profile__node(c->p, kids[i].node)->total;
		for (size_t i = k; i-- > 0;) {
			const struct frec_node *ch = frec_profile__node(c->p, kids[i].node);

			x -= ch->total;
			if (!ch->total || (double)ch->total * c->scale < c->minwidth)
				continue;
			err = push(&stack, &sp, &stack_cap,
				   &(struct flame_item){
					   .node = kids[i].node,
					   .depth = it.depth + 1,
					   .x = x,
					   .other = c->other ? other_child_of(c, it.other, ch->frame)
							     : FREC_NONE,
				   });
			if (err)
				break;
		}
	}
out:
	free(stack);
	free(kids);
	return err;
}

static double item_y(const struct flame_ctx *c, uint32_t depth)
{
	if (c->opts->icicle)
		return FLAME_TOP + (double)depth * FLAME_FH;
	return FLAME_TOP + (double)(c->max_depth - depth) * FLAME_FH;
}

static unsigned int svg_height(const struct flame_ctx *c)
{
	return FLAME_TOP + (c->max_depth + 1) * FLAME_FH + FLAME_BOTTOM + (c->other ? 0 : flame_notes__height(c->opts));
}

/* The panel of findings (render/flame_notes.c), under the frames. */
static int write_notes(struct flame_ctx *c)
{
	uint32_t *nodes = malloc((c->nr_items + 1) * sizeof(*nodes));
	int err;

	if (!nodes)
		return -ENOMEM;
	for (size_t i = 0; i < c->nr_items; i++)
		nodes[i] = c->items[i].node;
	err = flame_notes__write(c->out, c->p, c->opts, nodes, c->nr_items,
				 FLAME_TOP + (double)(c->max_depth + 1) * FLAME_FH + 4, c->width);
	free(nodes);
	return err;
}

/*
 * C++ and Rust names are long mostly because of template arguments and parameter lists: when a
 * name does not fit, its label first shortens each outermost <...> and (...) to <..> and (..), as
 * in "std::vector<..>::push_back(..)", and is cut only if that still does not fit.  Names with
 * "operator" (whose brackets are not brackets) and unbalanced names are left alone.  flame.js
 * applies the same rule when zooming.  Returns the length written to @out, or 0 to keep the name.
 */
static size_t shorten_name(const char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	if (len >= cap || memmem(s, len, "operator", 8))
		return 0;
	for (size_t i = 0; i < len;) {
		char open = s[i], close = open == '<' ? '>' : ')';
		size_t j = i;
		int depth = 0;

		if (open != '<' && open != '(') {
			out[o++] = s[i++];
			continue;
		}
		for (; j < len; j++) {
			if (s[j] == open)
				depth++;
			else if (s[j] == close && --depth == 0)
				break;
		}
		if (j == len)
			return 0;
		if (j - i > 3) {
			out[o++] = open;
			out[o++] = '.';
			out[o++] = '.';
			out[o++] = close;
		} else {
			memcpy(out + o, s + i, j + 1 - i);
			o += j + 1 - i;
		}
		i = j + 1;
	}
	return o < len ? o : 0;
}

/* "<text ...>label</text>": @name cut to what fits in @w pixels, or nothing if 3 characters do not. */
static void write_label(struct svg_out *o, const char *name, double x, double y, double w)
{
	size_t len = strlen(name), fit, chars, short_len;
	char short_name[1024];

	if (w < 3 * FLAME_CHAR_W + 6)
		return;
	fit = (size_t)((w - 6) / FLAME_CHAR_W);
	chars = utf8_chars(name, len);
	if (chars > fit && (short_len = shorten_name(name, len, short_name, sizeof(short_name)))) {
		name = short_name;
		len = short_len;
		chars = utf8_chars(name, len);
	}
	svg_out__str(o, "<text x=\"");
	svg_out__fix(o, x + 3);
	svg_out__str(o, "\" y=\"");
	svg_out__fix(o, y + 11);
	svg_out__str(o, "\">");
	if (chars <= fit) {
		svg_out__esc(o, name, len, SIZE_MAX);
	} else {
		svg_out__esc(o, name, len, fit - 2);
		svg_out__str(o, "..");
	}
	svg_out__str(o, "</text>");
}

static const char *kind_note(const struct frec_frame *f)
{
	if (f->flags & FREC_FRAME_INLINED)
		return "inlined";
	switch (f->kind) {
	case FREC_FRAME_KERNEL:
		return "kernel";
	case FREC_FRAME_JIT:
		return "JIT";
	case FREC_FRAME_UNKNOWN:
		return "no symbol";
	default:
		return NULL;
	}
}

/* The tooltip lines that describe the frame itself: module, source line, kind. */
static void write_frame_lines(struct svg_out *o, const struct frec_profile *p, const struct frec_frame *f)
{
	const char *note = kind_note(f);

	if (f->module) {
		svg_out__str(o, "\nmodule: ");
		svg_out__esc_str(o, frec_profile__str(p, f->module));
	}
	if (f->file) {
		svg_out__str(o, "\nsource: ");
		svg_out__esc_str(o, frec_profile__str(p, f->file));
		if (f->line) {
			svg_out__chr(o, ':');
			svg_out__u64(o, f->line);
		}
	}
	if (note) {
		svg_out__str(o, "\n[");
		svg_out__str(o, note);
		svg_out__chr(o, ']');
	}
}

/* "1,234 samples (12.34%), self 56 (0.45%)" */
static void write_weights(struct svg_out *o, const char *unit, uint64_t total, uint64_t self, uint64_t all)
{
	svg_out__group(o, total);
	svg_out__chr(o, ' ');
	if (total == 1 && !strcmp(unit, "samples"))
		svg_out__str(o, "sample");
	else
		svg_out__esc_str(o, unit);
	svg_out__str(o, " (");
	svg_out__pct(o, total, all);
	svg_out__str(o, "), self ");
	svg_out__group(o, self);
	svg_out__str(o, " (");
	svg_out__pct(o, self, all);
	svg_out__chr(o, ')');
}

static const char *item_name(const struct flame_ctx *c, const struct flame_item *it,
			     const struct frec_frame **f)
{
	const struct frec_node *n = frec_profile__node(c->p, it->node);

	if (it->node == FREC_NODE_ROOT) {
		*f = NULL;
		return "all";
	}
	*f = frec_profile__frame(c->p, n->frame);
	return frec_profile__str(c->p, (*f)->name);
}

static void write_frame_start(struct flame_ctx *c, const char *name,
			      const struct frec_frame *f)
{
	struct svg_out *o = c->out;

	svg_out__str(o, "<g><title>");
	svg_out__esc_str(o, name);
	if (f)
		write_frame_lines(o, c->p, f);
}

/* Diff: frames missing from the other profile are outlined, so that they stand out at any shade. */
#define FLAME_OUTLINE "\" stroke=\"#600060\" stroke-width=\"1.5"

static void write_frame_end(struct flame_ctx *c, const struct flame_item *it, const char *name, uint32_t rgb,
			    bool outline)
{
	const struct frec_node *n = frec_profile__node(c->p, it->node);
	struct svg_out *o = c->out;
	double x = FLAME_PAD + (double)it->x * c->scale;
	double w = (double)n->total * c->scale;
	double y = item_y(c, it->depth);

	svg_out__str(o, "</title><rect x=\"");
	svg_out__fix(o, x);
	svg_out__str(o, "\" y=\"");
	svg_out__fix(o, y);
	svg_out__str(o, "\" width=\"");
	svg_out__fix(o, w);
	svg_out__str(o, "\" height=\"15\" fill=\"");
	svg_out__rgb(o, rgb);
	if (outline)
		svg_out__str(o, FLAME_OUTLINE);
	svg_out__str(o, "\"/>");
	/* Fit the label to the width as printed, which is what flame.js sees when it relabels. */
	write_label(o, name, x, y, floor(w * 100 + 0.5) / 100);
	svg_out__str(o, "</g>\n");
}

/* The class of every frame drawn, and the set of them for the legend, which precedes the frames. */
static void classify(struct flame_ctx *c)
{
	for (size_t i = 0; i < c->nr_items; i++) {
		struct flame_item *it = &c->items[i];
		const struct frec_frame *f;

		item_name(c, it, &f);
		it->cls = (uint8_t)(f ? flame_class__of(c->p, f) : FLAME_CLASS_GROUP);
		c->classes_seen |= f ? 1u << it->cls : 0;
	}
}

static void write_frames(struct flame_ctx *c)
{
	const char *unit = frec_profile__str(c->p, frec_profile__meta_const(c->p)->unit);

	for (size_t i = 0; i < c->nr_items; i++) {
		const struct flame_item *it = &c->items[i];
		const struct frec_node *n = frec_profile__node(c->p, it->node);
		const struct frec_frame *f;
		const char *name = item_name(c, it, &f);
		enum flame_class cls = (enum flame_class)it->cls;

		write_frame_start(c, name, f);
		svg_out__chr(c->out, '\n');
		write_weights(c->out, unit, n->total, n->self, c->total);
		write_frame_end(c, it, name, f ? flame_palette__rgb(c->pal, cls, name) : 0xd8d8d8, false);
	}
}

/* ---- Differential graphs -------------------------------------------------------------------- */

/* Below this change of share (in percentage points) a frame counts as unchanged: grey. */
#define DIFF_NOISE_POINTS 0.01
/*
 * A change of self share also stays grey when sampling alone could explain it: two proportions
 * test, |z| under 2 (about 95%).  Otherwise a frame seen in 2 samples of 100 before and 0 after
 * would be drawn as one of the graph's biggest changes.
 */
#define DIFF_NOISE_Z 2.0

struct diff_vals {
	uint64_t before_total, before_self, after_total, after_self;
	double b_self, b_total;  /* shares before, in percent */
	double d_self, d_total;  /* after share - before share, in points */
	bool is_new, is_gone;
	bool is_noise;           /* the change of self share is within sampling noise */
};

static void diff_vals(const struct flame_ctx *c, const struct flame_item *it, struct diff_vals *v)
{
	const struct frec_node *n = frec_profile__node(c->p, it->node);
	const struct frec_node *m = it->other != FREC_NONE ? frec_profile__node(c->other, it->other) : NULL;
	uint64_t shape_total = c->total, other_total = frec_profile__total(c->other);
	uint64_t mt = m ? m->total : 0, ms = m ? m->self : 0;
	double before_all, after_all;

	if (c->shape_is_before) {
		*v = (struct diff_vals){ n->total, n->self, mt, ms };
		before_all = (double)shape_total;
		after_all = (double)other_total;
		v->is_gone = !m;
	} else {
		*v = (struct diff_vals){ mt, ms, n->total, n->self };
		before_all = (double)other_total;
		after_all = (double)shape_total;
		v->is_new = !m;
	}
	v->b_self = before_all ? 100 * (double)v->before_self / before_all : 0;
	v->b_total = before_all ? 100 * (double)v->before_total / before_all : 0;
	v->d_self = (after_all ? 100 * (double)v->after_self / after_all : 0) - v->b_self;
	v->d_total = (after_all ? 100 * (double)v->after_total / after_all : 0) - v->b_total;
	if (before_all && after_all) {
		double pooled = (double)(v->before_self + v->after_self) / (before_all + after_all);
		double se = 100 * sqrt(pooled * (1 - pooled) * (1 / before_all + 1 / after_all));

		v->is_noise = fabs(v->d_self) < DIFF_NOISE_Z * se;
	}
}

/* Grey for no change, to red (grew) or blue (shrank) as |d| approaches the largest change. */
static uint32_t diff_rgb(double d, double max)
{
	double t;
	unsigned int fade;

	if (fabs(d) < DIFF_NOISE_POINTS || max <= 0)
		return 0xdcdcdc;
	t = fabs(d) / max;
	if (t > 1)
		t = 1;
	fade = (unsigned int)lround(220 - 180 * t);
	if (d > 0)
		return 0xe00000u | fade << 8 | fade;
	return fade << 16 | fade << 8 | 0xe0;
}

/*
 * "+1.5 pt (+30%)": the change of a share in points, then relative to the share before, so that a
 * frame that vanished reads -100% however small it was.  From a share of 0 there is no ratio.
 */
static void write_change(struct svg_out *o, double d, double before)
{
	svg_out__chr(o, d <= -0.005 ? '-' : '+');
	svg_out__fix(o, fabs(d));
	svg_out__str(o, " pt");
	if (before > 0)
		svg_out__printf(o, " (%+.0f%%)", 100 * d / before);
	else if (d >= 0.005)
		svg_out__str(o, " (from 0)");
}

static void write_diff_frames(struct flame_ctx *c)
{
	const char *unit = frec_profile__str(c->p, frec_profile__meta_const(c->p)->unit);
	uint64_t before_all = c->shape_is_before ? c->total : frec_profile__total(c->other);
	uint64_t after_all = c->shape_is_before ? frec_profile__total(c->other) : c->total;
	struct svg_out *o = c->out;
	double max = 0;

	for (size_t i = 0; i < c->nr_items; i++) {
		struct diff_vals v;

		diff_vals(c, &c->items[i], &v);
		if (!v.is_noise && fabs(v.d_self) > max)
			max = fabs(v.d_self);
	}
	for (size_t i = 0; i < c->nr_items; i++) {
		const struct flame_item *it = &c->items[i];
		const struct frec_frame *f;
		const char *name = item_name(c, it, &f);
		struct diff_vals v;

		diff_vals(c, it, &v);
		write_frame_start(c, name, f);
		svg_out__str(o, "\nbefore: ");
		write_weights(o, unit, v.before_total, v.before_self, before_all);
		svg_out__str(o, "\nafter: ");
		write_weights(o, unit, v.after_total, v.after_self, after_all);
		svg_out__str(o, "\nchange: self ");
		write_change(o, v.d_self, v.b_self);
		svg_out__str(o, ", total ");
		write_change(o, v.d_total, v.b_total);
		if (v.is_new)
			svg_out__str(o, " [new]");
		if (v.is_gone)
			svg_out__str(o, " [gone]");
		if (v.is_noise && fabs(v.d_self) >= DIFF_NOISE_POINTS)
			svg_out__str(o, "\n(self change within sampling noise)");
		write_frame_end(c, it, name, v.is_noise ? 0xdcdcdc : diff_rgb(v.d_self, max),
				v.is_new || v.is_gone);
	}
}

/* ---- The document --------------------------------------------------------------------------- */

/* The last component of a path: subtitles must fit on one line. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/*
 * Title and subtitle are built as plain text, then escaped and cut to the graph's width: a command
 * line can be longer than any screen (a JVM's class path).
 */
struct text_line {
	char buf[1024];
	size_t len;
};

static void line_add(struct text_line *l, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(l->buf) - 1 - l->len)
		n = sizeof(l->buf) - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

static void line_group(struct text_line *l, uint64_t v)
{
	char tmp[32];

	fmt_group(tmp, v);
	line_add(l, tmp);
}

static void subtitle_from_meta(struct text_line *l, const struct frec_profile *p)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	const char *sep = "";
	char tmp[64];

	if (m->event) {
		line_add(l, frec_profile__str(p, m->event));
		sep = ", ";
	}
	if (m->freq) {
		snprintf(tmp, sizeof(tmp), "%s%" PRIu64 " Hz", sep, m->freq);
		line_add(l, tmp);
		sep = ", ";
	} else if (m->period) {
		line_add(l, sep);
		line_add(l, "every ");
		line_group(l, m->period);
		sep = ", ";
	}
	if (m->duration_ns) {
		snprintf(tmp, sizeof(tmp), "%s%.1f s", sep, (double)m->duration_ns / 1e9);
		line_add(l, tmp);
		sep = ", ";
	}
	line_add(l, sep);
	line_group(l, frec_profile__total(p));
	line_add(l, " ");
	line_add(l, frec_profile__str(p, m->unit));
	if (m->lost) {
		line_add(l, ", ");
		fmt_pct(tmp, m->lost, m->lost + (m->samples ? m->samples : frec_profile__total(p)));
		line_add(l, tmp);
		line_add(l, " lost");
	}
	if (m->truncated)
		line_add(l, ", trace cut short");
	if (!m->event && m->source) {
		line_add(l, ", from ");
		line_add(l, base_name(frec_profile__str(p, m->source)));
	}
}

static void diff_subtitle(struct text_line *l, const struct flame_ctx *c)
{
	const struct frec_profile *before = c->shape_is_before ? c->p : c->other;
	const struct frec_profile *after = c->shape_is_before ? c->other : c->p;
	const char *bs = frec_profile__str(before, frec_profile__meta_const(before)->source);
	const char *as = frec_profile__str(after, frec_profile__meta_const(after)->source);

	line_add(l, "before (baseline): ");
	line_add(l, *bs ? base_name(bs) : "BEFORE");
	line_add(l, ", ");
	line_group(l, frec_profile__total(before));
	line_add(l, " samples; after: ");
	line_add(l, *as ? base_name(as) : "AFTER");
	line_add(l, ", ");
	line_group(l, frec_profile__total(after));
	line_add(l, c->shape_is_before ? " samples; widths: before" : " samples; widths: after");
}

static void title(struct text_line *l, const struct flame_ctx *c)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(c->p);
	const char *cmd = frec_profile__str(c->p, m->command);

	if (c->opts->title) {
		line_add(l, c->opts->title);
		return;
	}
	if (c->other)
		line_add(l, "Differential flame graph");
	else
		line_add(l, c->opts->icicle ? "Icicle graph" : "Flame graph");
	if (*cmd && !c->other) {
		line_add(l, ": ");
		line_add(l, cmd);
	}
}

static void write_legend(struct svg_out *o, const struct flame_ctx *c)
{
	double x = 130;

	if (c->other) {
		static const struct {
			uint32_t rgb;
			const char *what;
		} keys[] = { { 0xe02828, "grew" }, { 0xdcdcdc, "unchanged" }, { 0x2828e0, "shrank" } };

		for (size_t i = 0; i < FREC_ARRAY_SIZE(keys); i++) {
			svg_out__printf(o, "<rect x=\"%g\" y=\"41\" width=\"10\" height=\"10\" fill=\"", x);
			svg_out__rgb(o, keys[i].rgb);
			svg_out__printf(o, "\"/><text x=\"%g\" y=\"50\">%s</text>\n", x + 14, keys[i].what);
			x += 24 + FLAME_CHAR_W * (double)strlen(keys[i].what);
		}
		svg_out__printf(o, "<rect x=\"%g\" y=\"41\" width=\"10\" height=\"10\" fill=\"#ffffff%s\"/>", x,
				FLAME_OUTLINE);
		svg_out__printf(o, "<text x=\"%g\" y=\"50\">%s</text>\n", x + 14,
				c->shape_is_before ? "gone" : "new");
		return;
	}
	if (!flame_palette__is_kinds(c->pal))
		return;
	for (int cls = 0; cls < FLAME_CLASS_MAX; cls++) {
		const char *what = flame_class__name((enum flame_class)cls);

		if (!(c->classes_seen & 1u << cls))
			continue;
		svg_out__printf(o, "<rect x=\"%g\" y=\"41\" width=\"10\" height=\"10\" fill=\"", x);
		svg_out__rgb(o, flame_palette__class_rgb(c->pal, (enum flame_class)cls));
		svg_out__printf(o, "\"/><text x=\"%g\" y=\"50\">%s</text>\n", x + 14, what);
		x += 24 + FLAME_CHAR_W * (double)strlen(what);
	}
}

/* @l cut to @max_chars; when cut, a tooltip holds all of it. */
static void write_fitted(struct svg_out *o, const struct text_line *l, size_t max_chars)
{
	if (utf8_chars(l->buf, l->len) > max_chars) {
		svg_out__str(o, "<title>");
		svg_out__esc(o, l->buf, l->len, SIZE_MAX);
		svg_out__str(o, "</title>");
	}
	svg_out__esc_fit(o, l->buf, max_chars);
}

/* The header (its legend needs the frames' classes), the frames, the script: all streamed to @f. */
static int write_document(struct flame_ctx *c, FILE *f)
{
	unsigned int h = svg_height(c);
	struct svg_out *o = c->out;
	struct text_line text;
	int err;

	if (!c->other)
		classify(c);
	svg_out__init(o, f);
	svg_out__printf(o,
			"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
			"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
			"viewBox=\"0 0 %u %u\" data-frec=\"%u %d %d %d\">\n",
			c->width, h, c->width, h, c->width, FLAME_PAD, c->opts->icicle ? 1 : 0,
			c->other ? 1 : 0);
	svg_out__str(o, "<!-- frec flame graph: click a frame to zoom, Ctrl-F or Search to find functions by "
			"regular expression; zoom and search are kept in the URL. -->\n<style>");
	svg_out__str(o, flame_css);
	svg_out__str(o, "</style>\n");
	svg_out__str(o, "<rect width=\"100%\" height=\"100%\" fill=\"#f6f6f2\"/>\n");
	text = (struct text_line){ .len = 0 };
	title(&text, c);
	svg_out__printf(o, "<text id=\"title\" x=\"%u\" y=\"22\">", c->width / 2);
	write_fitted(o, &text, (size_t)((c->width - 2 * FLAME_PAD) / FLAME_TITLE_CHAR_W));
	text = (struct text_line){ .len = 0 };
	if (c->opts->subtitle)
		line_add(&text, c->opts->subtitle);
	else if (c->other)
		diff_subtitle(&text, c);
	else
		subtitle_from_meta(&text, c->p);
	svg_out__printf(o, "</text>\n<text id=\"subtitle\" x=\"%u\" y=\"36\">", c->width / 2);
	write_fitted(o, &text, (size_t)((c->width - 2 * FLAME_PAD) / FLAME_CHAR_W));
	svg_out__str(o, "</text>\n");
	svg_out__printf(o, "<text id=\"unzoom\" class=\"btn hide\" x=\"%d\" y=\"50\">Reset zoom</text>\n",
			FLAME_PAD);
	svg_out__printf(o, "<text id=\"search\" class=\"btn\" x=\"%u\" y=\"50\">Search</text>\n",
			c->width - FLAME_PAD);
	write_legend(o, c);
	svg_out__printf(o, "<text id=\"details\" x=\"%d\" y=\"%u\"> </text>\n", FLAME_PAD, h - 12);
	svg_out__printf(o, "<text id=\"matched\" x=\"%u\" y=\"%u\"> </text>\n", c->width - FLAME_PAD, h - 12);
	if (!c->total)
		svg_out__printf(o, "<text x=\"%u\" y=\"%u\" id=\"empty\">no samples</text>\n", c->width / 2,
				FLAME_TOP + FLAME_FH);
	svg_out__str(o, "<g id=\"frames\">\n");
	if (c->other)
		write_diff_frames(c);
	else
		write_frames(c);
	svg_out__str(o, "</g>\n");
	if (!c->other && c->opts->nr_notes && (err = write_notes(c)))
		return err;
	/* The script last, so that the frames exist when it runs; the panel's after the graph's. */
	svg_out__str(o, "<script><![CDATA[\n");
	svg_out__str(o, flame_js);
	if (!c->other && c->opts->nr_notes)
		svg_out__str(o, flame_notes_js);
	svg_out__str(o, "]]></script>\n</svg>\n");
	return svg_out__flush(o);
}

static int flame_ctx__init(struct flame_ctx *c, const struct frec_profile *p,
			   const struct render_flame_opts *opts, struct svg_out *out)
{
	*c = (struct flame_ctx){
		.p = p,
		.opts = opts,
		.out = out,
		.width = opts->width ? opts->width : 1200,
		.minwidth = opts->minwidth < 0 ? FLAME_MINWIDTH : opts->minwidth,
		.total = frec_profile__total(p),
	};
	/* Even with --minwidth 0, a frame must keep a width once printed with 2 decimals. */
	if (c->minwidth < 0.01)
		c->minwidth = 0.01;
	c->pal = flame_palette__find(opts->palette);
	if (!c->pal || c->width <= 2 * FLAME_PAD)
		return -EINVAL;
	c->scale = c->total ? (double)(c->width - 2 * FLAME_PAD) / (double)c->total : 0;
	return rank_frames(c);
}

static void flame_ctx__exit(struct flame_ctx *c)
{
	free(c->items);
	free(c->rank);
	free(c->other_name);
	if (c->other)
		flame_map__exit(&c->other_child);
}

static int render(const struct frec_profile *p, const struct frec_profile *other, bool shape_is_before,
		  const struct render_flame_opts *opts, FILE *f)
{
	static const struct render_flame_opts defaults = { .minwidth = -1 };
	struct svg_out *out = malloc(sizeof(*out));
	struct flame_ctx c;
	int err;

	if (!out)
		return -ENOMEM;
	err = flame_ctx__init(&c, p, opts ? opts : &defaults, out);
	c.other = other;
	c.shape_is_before = shape_is_before;
	if (!err && other) {
		c.other_child = (struct flame_map){ 0 };
		err = index_other(&c);
	}
	if (!err && c.total)
		err = layout(&c);
	if (!err)
		err = write_document(&c, f);
	flame_ctx__exit(&c);
	free(out);
	return err;
}

int render_flame__write(const struct frec_profile *p, const struct render_flame_opts *opts, FILE *f)
{
	return render(p, NULL, false, opts, f);
}

int render_flame__write_diff(const struct frec_profile *before, const struct frec_profile *after,
			     const struct render_flame_opts *opts, FILE *f)
{
	bool negate = opts && opts->negate;

	return render(negate ? before : after, negate ? after : before, negate, opts, f);
}
