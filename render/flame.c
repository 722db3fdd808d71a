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
 * script; the script (render/flame.js) adds zoom, search, a details line, the views it builds from
 * the frames (callers, focus, hiding, collapsed recursion, merged JIT tiers, legend classes), a
 * width that follows the window and URL state.  The tooltip's last line of a plain graph holds its
 * weights, and a line names the frame's class unless it is the program's own: the script reads
 * both back.
 *
 * Differential graphs (render/flame_diff.c) share the layout: their frames can be wider than their
 * node's total, by the frames only the other profile has ("ghosts"), and ghosts have children of
 * their own.
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
#define FLAME_BOTTOM 48    /* details line, and the keys' help (the script writes it) */
#define FLAME_FH 16        /* frame height including its 1 px gap */
#define FLAME_CHAR_W 7.3   /* advance of a 12 px monospace character, rounded up; flame.js agrees */
#define FLAME_TITLE_CHAR_W 10.3 /* the same at 17 px, for the title */
#define FLAME_MINWIDTH 0.1 /* default --minwidth: far below a pixel, so nothing visible is lost */

bool render_flame__has_palette(const char *name)
{
	return flame_palette__find(name) != NULL;
}

static int cmp_frames(const void *a, const void *b, void *p)
{
	return frec_profile__frame_cmp(p, *(const uint32_t *)a, *(const uint32_t *)b);
}

uint32_t *flame_rank_frames(const struct frec_profile *p)
{
	uint32_t n = frec_profile__nr_frames(p);
	const uint32_t *sorted = frec_profile__frame_rank(p);
	uint32_t *order = sorted ? NULL : malloc(((size_t)n + 1) * sizeof(*order));
	uint32_t *rank = malloc(((size_t)n + 1) * sizeof(*rank));

	/* A sorted profile knows its frames' order already: sorting 200k names again cost a tenth of a run. */
	if (sorted && rank) {
		memcpy(rank, sorted, (size_t)n * sizeof(*rank));
		return rank;
	}
	if (!order || !rank) {
		free(order);
		free(rank);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_frames, (void *)p);
	for (uint32_t i = 0; i < n; i++)
		rank[order[i]] = i;
	free(order);
	return rank;
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

int flame_kids__push(struct flame_kids *k, const struct flame_kid *kid)
{
	if (k->n == k->cap) {
		size_t ncap = k->cap ? k->cap * 2 : 64;
		struct flame_kid *nv = realloc(k->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		k->v = nv;
		k->cap = ncap;
	}
	k->v[k->n++] = *kid;
	return 0;
}

static int cmp_kids(const void *a, const void *b)
{
	const struct flame_kid *x = a, *y = b;

	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* @it's children, in the order they are drawn. */
static int children(struct flame_ctx *c, const struct flame_item *it, struct flame_kids *kids)
{
	int err = 0;

	kids->n = 0;
	if (!it->ghost) {
		const struct frec_node *n = frec_profile__node(c->p, it->node);

		for (uint32_t ch = n->first_child; ch != FREC_NONE && !err;
		     ch = frec_profile__node(c->p, ch)->next_sibling) {
			const struct frec_node *cn = frec_profile__node(c->p, ch);

			err = flame_kids__push(kids, &(struct flame_kid){
				.rank = c->rank[cn->frame],
				.node = ch,
				.w = (double)cn->total + (c->diff ? flame_diff__extra(c, ch) : 0),
			});
		}
		if (kids->n > 1)
			qsort(kids->v, kids->n, sizeof(*kids->v), cmp_kids);
	}
	if (!err && c->diff)
		err = flame_diff__add_ghosts(c, it, kids);
	return err;
}

/* The drawn frames in pre-order, children in the frames' order (see the comment at the top). */
static int layout(struct flame_ctx *c)
{
	struct flame_item *stack = NULL;
	size_t sp = 0, stack_cap = 0;
	struct flame_kids kids = { 0 };
	int err;

	err = push(&stack, &sp, &stack_cap, &(struct flame_item){ .node = FREC_NODE_ROOT, .w = c->drawn });
	while (!err && sp) {
		struct flame_item it = stack[--sp];
		double x = it.x;

		if ((err = push(&c->items, &c->nr_items, &c->items_cap, &it)) || (err = children(c, &it, &kids)))
			break;
		if (it.depth > c->max_depth)
			c->max_depth = it.depth;
		/*
		 * Every child takes its place, drawn or not (a skipped child leaves a gap narrower than
		 * --minwidth in its parent).  Walk them last to first from the right edge, so that the
		 * stack pops them in order.
		 */
		for (size_t i = 0; i < kids.n; i++)
			x += kids.v[i].w;
		for (size_t i = kids.n; i-- > 0;) {
			const struct flame_kid *k = &kids.v[i];

			x -= k->w;
			if (!(k->w > 0) || k->w * c->scale < c->minwidth)
				continue;
			err = push(&stack, &sp, &stack_cap,
				   &(struct flame_item){
					   .node = k->node,
					   .depth = it.depth + 1,
					   .x = x,
					   .w = k->w,
					   .ghost = k->ghost,
				   });
			if (err)
				break;
		}
	}
	free(stack);
	free(kids.v);
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
	return FLAME_TOP + (c->max_depth + 1) * FLAME_FH + FLAME_BOTTOM + (c->diff ? 0 : flame_notes__height(c->opts));
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

/*
 * The tooltip's line for the frame's class, the legend's word (the script reads it back for the
 * legend's toggles); none for the program's own code.  A frame of time waited in a wall-clock
 * profile is of the off-CPU class, whatever its own: its colour, and its legend key, say so.
 */
static const char *kind_note(const struct frec_profile *p, const struct frec_frame *f, bool off_cpu)
{
	enum flame_class cls = off_cpu ? FLAME_CLASS_OFF_CPU : flame_class__of(p, f);
	const char *tier;

	switch (cls) {
	case FLAME_CLASS_USER:
		return NULL;
	case FLAME_CLASS_UNKNOWN:
		return "no symbol";
	case FLAME_CLASS_JIT:
		tier = flame_jit_tier(frec_profile__str(p, f->name));
		return tier ? tier : "JIT";
	default:
		return flame_class__name(cls);
	}
}

/* The tooltip lines that describe the frame itself: module, source line, class. */
static void write_frame_lines(struct svg_out *o, const struct frec_profile *p, const struct frec_frame *f,
			      bool off_cpu)
{
	const char *note = kind_note(p, f, off_cpu);

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

const char *flame_item__name(const struct flame_ctx *c, const struct flame_item *it,
			     const struct frec_profile **p, const struct frec_frame **f)
{
	*p = it->ghost ? c->other : c->p;
	if (it->node == FREC_NODE_ROOT) {
		*f = NULL;
		return "all";
	}
	*f = frec_profile__frame(*p, frec_profile__node(*p, it->node)->frame);
	return frec_profile__str(*p, (*f)->name);
}

void flame__write_frame_start(struct flame_ctx *c, const struct frec_profile *p, const char *name,
			      const struct frec_frame *f, bool off_cpu)
{
	struct svg_out *o = c->out;

	svg_out__str(o, "<g><title>");
	svg_out__esc_str(o, name);
	if (f)
		write_frame_lines(o, p, f, off_cpu);
}

/* ' fill="#rrggbb"' (or the paint's fill) and its other attributes. */
static void write_paint(struct svg_out *o, const struct flame_paint *paint)
{
	svg_out__str(o, " fill=\"");
	if (paint->fill)
		svg_out__str(o, paint->fill);
	else
		svg_out__rgb(o, paint->rgb);
	svg_out__chr(o, '"');
	if (paint->attrs)
		svg_out__str(o, paint->attrs);
}

void flame__write_frame_end(struct flame_ctx *c, const struct flame_item *it, const char *name,
			    const struct flame_paint *paint)
{
	struct svg_out *o = c->out;
	double x = FLAME_PAD + it->x * c->scale;
	double w = it->w * c->scale;
	double y = item_y(c, it->depth);

	svg_out__str(o, "</title><rect x=\"");
	svg_out__fix(o, x);
	svg_out__str(o, "\" y=\"");
	svg_out__fix(o, y);
	svg_out__str(o, "\" width=\"");
	svg_out__fix(o, w);
	svg_out__str(o, "\" height=\"15\"");
	write_paint(o, paint);
	svg_out__str(o, "/>");
	/* Fit the label to the width as printed, which is what flame.js sees when it relabels. */
	write_label(o, name, x, y, floor(w * 100 + 0.5) / 100);
	svg_out__str(o, "</g>\n");
}

/* Whether node @id of @p is below a wall-clock profile's FREC_MARKER_OFF_CPU root. */
static bool below_off_cpu(const struct frec_profile *p, uint32_t id)
{
	for (uint32_t n = frec_profile__node(p, id)->parent; n != FREC_NONE && n != FREC_NODE_ROOT;
	     n = frec_profile__node(p, n)->parent) {
		const struct frec_frame *f = frec_profile__frame(p, frec_profile__node(p, n)->frame);

		if (f->kind == FREC_FRAME_THREAD && !strcmp(frec_profile__str(p, f->name), FREC_MARKER_OFF_CPU))
			return true;
	}
	return false;
}

/* The class of every frame drawn, and the set of them for the legend, which precedes the frames. */
static void classify(struct flame_ctx *c)
{
	for (size_t i = 0; i < c->nr_items; i++) {
		struct flame_item *it = &c->items[i];
		const struct frec_profile *p;
		const struct frec_frame *f;

		flame_item__name(c, it, &p, &f);
		it->cls = (uint8_t)(f ? flame_class__of(p, f) : FLAME_CLASS_GROUP);
		/* Wall-clock profiles: the time waited apart from the CPU time, at a glance. */
		if (f && p == c->p && f->kind != FREC_FRAME_THREAD && below_off_cpu(p, it->node))
			it->cls = FLAME_CLASS_OFF_CPU;
		c->classes_seen |= f ? 1u << it->cls : 0;
	}
}

static void write_frames(struct flame_ctx *c)
{
	const char *unit = frec_profile__str(c->p, frec_profile__meta_const(c->p)->unit);

	for (size_t i = 0; i < c->nr_items; i++) {
		const struct flame_item *it = &c->items[i];
		const struct frec_node *n = frec_profile__node(c->p, it->node);
		const struct frec_profile *p;
		const struct frec_frame *f;
		const char *name = flame_item__name(c, it, &p, &f);
		enum flame_class cls = (enum flame_class)it->cls;

		flame__write_frame_start(c, p, name, f, cls == FLAME_CLASS_OFF_CPU);
		svg_out__chr(c->out, '\n');
		write_weights(c->out, unit, n->total, n->self, c->total);
		flame__write_frame_end(c, it, name,
				       &(struct flame_paint){ .rgb = f ? flame_palette__rgb(c->pal, cls, name) : 0xd8d8d8 });
	}
}

/* ---- The document --------------------------------------------------------------------------- */

const char *flame_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

void flame_line__add(struct flame_line *l, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(l->buf) - 1 - l->len)
		n = sizeof(l->buf) - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

void flame_line__group(struct flame_line *l, uint64_t v)
{
	char tmp[32];

	fmt_group(tmp, v);
	flame_line__add(l, tmp);
}

static void subtitle_from_meta(struct flame_line *l, const struct frec_profile *p)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	const char *sep = "";
	char tmp[64];

	if (m->event) {
		flame_line__add(l, frec_profile__str(p, m->event));
		sep = ", ";
	}
	if (m->freq) {
		snprintf(tmp, sizeof(tmp), "%s%" PRIu64 " Hz", sep, m->freq);
		flame_line__add(l, tmp);
		sep = ", ";
	} else if (m->period) {
		flame_line__add(l, sep);
		flame_line__add(l, "every ");
		flame_line__group(l, m->period);
		sep = ", ";
	}
	if (m->duration_ns) {
		flame_line__add(l, sep);
		flame_line__add(l, frec_duration__str(m->duration_ns, tmp, sizeof(tmp)));
		sep = ", ";
	}
	flame_line__add(l, sep);
	flame_line__group(l, frec_profile__total(p));
	flame_line__add(l, " ");
	flame_line__add(l, frec_profile__str(p, m->unit));
	if (m->lost) {
		flame_line__add(l, ", ");
		fmt_pct(tmp, m->lost, m->lost + (m->samples ? m->samples : frec_profile__total(p)));
		flame_line__add(l, tmp);
		flame_line__add(l, " lost");
	}
	if (m->truncated)
		flame_line__add(l, ", trace cut short");
	if (!m->event && m->source) {
		flame_line__add(l, ", from ");
		flame_line__add(l, flame_base_name(frec_profile__str(p, m->source)));
	}
}

static void title(struct flame_line *l, const struct flame_ctx *c)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(c->p);
	const char *cmd = frec_profile__str(c->p, m->command);

	if (c->opts->title) {
		flame_line__add(l, c->opts->title);
		return;
	}
	if (c->diff)
		flame_line__add(l, "Differential flame graph");
	else
		flame_line__add(l, c->opts->icicle ? "Icicle graph" : "Flame graph");
	if (*cmd && !c->diff) {
		flame_line__add(l, ": ");
		flame_line__add(l, cmd);
	}
}

/* A legend key; a toggle's word has class "key", which the script makes dim or hide its frames. */
static void write_key(struct svg_out *o, double *x, const struct flame_paint *paint, const char *what, bool toggle)
{
	svg_out__printf(o, "<rect x=\"%g\" y=\"41\" width=\"10\" height=\"10\"", *x);
	write_paint(o, paint);
	svg_out__printf(o, "/><text%s x=\"%g\" y=\"50\">%s</text>\n", toggle ? " class=\"key\"" : "", *x + 14, what);
	*x += 24 + FLAME_CHAR_W * (double)strlen(what);
}

void flame__write_legend_key(struct svg_out *o, double *x, const struct flame_paint *paint, const char *what)
{
	write_key(o, x, paint, what, false);
}

static void write_legend(struct svg_out *o, const struct flame_ctx *c)
{
	double x = 130;

	if (c->diff) {
		flame_diff__write_legend(c, x);
		return;
	}
	if (!flame_palette__is_kinds(c->pal))
		return;
	for (int cls = 0; cls < FLAME_CLASS_MAX; cls++) {
		if (c->classes_seen & 1u << cls)
			write_key(o, &x, &(struct flame_paint){ .rgb = flame_palette__class_rgb(c->pal, (enum flame_class)cls) },
				  flame_class__name((enum flame_class)cls), true);
	}
}

/* @l cut to @max_chars; when cut, a tooltip holds all of it. */
static void write_fitted(struct svg_out *o, const struct flame_line *l, size_t max_chars)
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
	struct flame_line text;
	int err;

	if (!c->diff)
		classify(c);
	svg_out__init(o, f);
	svg_out__printf(o,
			"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
			"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
			"viewBox=\"0 0 %u %u\" data-frec=\"%u %d %d %d %d %d\">\n",
			c->width, h, c->width, h, c->width, FLAME_PAD, c->opts->icicle ? 1 : 0,
			c->diff ? 1 : 0, FLAME_TOP, FLAME_BOTTOM);
	svg_out__str(o, "<!-- frec flame graph: click a frame to zoom, Ctrl-F or Search to find functions by "
			"regular expression, right-click a frame for its callers, to focus on it or hide it; the "
			"keys are listed under the graph; the view is kept in the URL. -->\n<style>");
	svg_out__str(o, flame_css);
	svg_out__str(o, "</style>\n");
	svg_out__str(o, "<rect width=\"100%\" height=\"100%\" fill=\"#f6f6f2\"/>\n");
	text = (struct flame_line){ .len = 0 };
	title(&text, c);
	svg_out__printf(o, "<text id=\"title\" x=\"%u\" y=\"22\">", c->width / 2);
	write_fitted(o, &text, (size_t)((c->width - 2 * FLAME_PAD) / FLAME_TITLE_CHAR_W));
	text = (struct flame_line){ .len = 0 };
	if (c->opts->subtitle)
		flame_line__add(&text, c->opts->subtitle);
	else if (c->diff)
		flame_diff__subtitle(&text, c);
	else
		subtitle_from_meta(&text, c->p);
	svg_out__printf(o, "</text>\n<text id=\"subtitle\" x=\"%u\" y=\"36\">", c->width / 2);
	write_fitted(o, &text, (size_t)((c->width - 2 * FLAME_PAD) / FLAME_CHAR_W));
	svg_out__str(o, "</text>\n");
	svg_out__printf(o, "<text id=\"unzoom\" class=\"btn hide\" x=\"%d\" y=\"50\">Reset zoom</text>\n",
			FLAME_PAD);
	svg_out__printf(o, "<text id=\"search\" class=\"btn\" x=\"%u\" y=\"50\">Search</text>\n",
			c->width - FLAME_PAD);
	svg_out__printf(o, "<text id=\"case\" class=\"btn\" x=\"%u\" y=\"50\"><title>case-sensitive search "
			   "(key i)</title>Aa</text>\n", c->width - FLAME_PAD - 100);
	write_legend(o, c);
	if (!c->total)
		svg_out__printf(o, "<text x=\"%u\" y=\"%u\" id=\"empty\">no samples</text>\n", c->width / 2,
				FLAME_TOP + FLAME_FH);
	svg_out__str(o, "<g id=\"frames\">\n");
	if (c->diff)
		flame_diff__write_frames(c);
	else
		write_frames(c);
	svg_out__str(o, "</g>\n");
	if (!c->diff && c->opts->nr_notes && (err = write_notes(c)))
		return err;
	/* The lines under the graph after it: the details box the script draws covers the frames. */
	svg_out__printf(o, "<text id=\"details\" x=\"%d\" y=\"%u\"> </text>\n", FLAME_PAD, h - FLAME_BOTTOM + 22);
	svg_out__printf(o, "<text id=\"matched\" x=\"%u\" y=\"%u\"> </text>\n", c->width - FLAME_PAD,
			h - FLAME_BOTTOM + 22);
	svg_out__printf(o, "<text id=\"help\" x=\"%d\" y=\"%u\"> </text>\n", FLAME_PAD, h - FLAME_BOTTOM + 40);
	/* The script last, so that the frames exist when it runs; the panel's after the graph's. */
	svg_out__str(o, "<script><![CDATA[\n");
	svg_out__str(o, flame_js);
	if (!c->diff && c->opts->nr_notes)
		svg_out__str(o, flame_notes_js);
	svg_out__str(o, "]]></script>\n</svg>\n");
	return svg_out__flush(o);
}

static int flame_ctx__init(struct flame_ctx *c, const struct frec_profile *p, const struct frec_profile *other,
			   bool shape_is_before, const struct render_flame_opts *opts, struct svg_out *out)
{
	int err;

	*c = (struct flame_ctx){
		.p = p,
		.other = other,
		.shape_is_before = shape_is_before,
		.opts = opts,
		.out = out,
		.width = opts->width ? opts->width : 1200,
		.minwidth = opts->minwidth < 0 ? FLAME_MINWIDTH : opts->minwidth,
		.total = frec_profile__total(p),
	};
	c->drawn = (double)c->total;
	/* Even with --minwidth 0, a frame must keep a width once printed with 2 decimals. */
	if (c->minwidth < 0.01)
		c->minwidth = 0.01;
	c->pal = flame_palette__find(opts->palette);
	if (!c->pal || c->width <= 2 * FLAME_PAD)
		return -EINVAL;
	if (!(c->rank = flame_rank_frames(p)))
		return -ENOMEM;
	/* A diff's ghosts widen the root. */
	if (other && (err = flame_diff__new(c)))
		return err;
	c->scale = c->drawn > 0 ? (double)(c->width - 2 * FLAME_PAD) / c->drawn : 0;
	return 0;
}

static void flame_ctx__exit(struct flame_ctx *c)
{
	free(c->items);
	free(c->rank);
	flame_diff__free(c->diff);
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
	err = flame_ctx__init(&c, p, other, shape_is_before, opts ? opts : &defaults, out);
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
