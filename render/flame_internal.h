/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the flame-graph renderers (render/flame*.c, render/svg_out.c,
 * render/palette.c, render/diff_text.c): a buffered writer that escapes untrusted text for XML,
 * the colour palettes, a small hash map, and the flame graph's layout that the differential graph
 * extends.  Not part of any contract.
 */
#ifndef FREC_RENDER_FLAME_INTERNAL_H
#define FREC_RENDER_FLAME_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "frec/compiler.h"

struct frec_profile;
struct frec_frame;
struct render_flame_opts;

/* ---- Buffered writer ------------------------------------------------------------------------ */

/*
 * Output goes through a 64 KiB buffer flushed with fwrite(): a flame graph is a few hundred thousand
 * small pieces and stdio's per-call locking would dominate.  The first write error sticks in @err
 * and later writes are dropped, so callers check once at the end.
 */
struct svg_out {
	FILE *f;
	size_t len;
	int err;
	char buf[1 << 16];
};

void svg_out__init(struct svg_out *o, FILE *f);
/** svg_out__flush() - write what is buffered; returns 0 or -EIO (also kept in o->err). */
int svg_out__flush(struct svg_out *o);

static inline void svg_out__mem(struct svg_out *o, const void *p, size_t n)
{
	if (frec_unlikely(o->len + n > sizeof(o->buf))) {
		if (svg_out__flush(o))
			return;
		if (n > sizeof(o->buf)) {
			if (fwrite(p, 1, n, o->f) != n && !o->err)
				o->err = -EIO;
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static inline void svg_out__str(struct svg_out *o, const char *s)
{
	svg_out__mem(o, s, strlen(s));
}

static inline void svg_out__chr(struct svg_out *o, char c)
{
	if (frec_unlikely(o->len == sizeof(o->buf)) && svg_out__flush(o))
		return;
	o->buf[o->len++] = c;
}

void svg_out__printf(struct svg_out *o, const char *fmt, ...) frec_printf(2, 3);
/** svg_out__u64() - a decimal number. */
void svg_out__u64(struct svg_out *o, uint64_t v);
/** svg_out__group() - a decimal number with thousands separators ("1,234,567"). */
void svg_out__group(struct svg_out *o, uint64_t v);
/** fmt_group() - the same into @buf (32 bytes); returns its length. */
size_t fmt_group(char *buf, uint64_t v);
/** svg_out__fix() - @v rounded to 2 decimals, trailing zeros dropped ("12.5", "3", "0.07"). */
void svg_out__fix(struct svg_out *o, double v);
/** svg_out__pct() - @part / @whole as a percentage with 2 decimals ("12.34%"). */
void svg_out__pct(struct svg_out *o, uint64_t part, uint64_t whole);
/** fmt_pct() - the same into @buf (48 bytes); returns its length. */
size_t fmt_pct(char *buf, uint64_t part, uint64_t whole);

/**
 * svg_out__esc() - @len bytes of untrusted text, escaped for XML text and attribute values: markup
 * characters become entities, and control bytes, invalid UTF-8 and characters XML forbids become
 * U+FFFD, so the document stays well-formed whatever the input.  At most @max_chars characters are
 * written (SIZE_MAX: all).
 */
void svg_out__esc(struct svg_out *o, const char *s, size_t len, size_t max_chars);

static inline void svg_out__esc_str(struct svg_out *o, const char *s)
{
	svg_out__esc(o, s, strlen(s), SIZE_MAX);
}

/** svg_out__esc_fit() - svg_out__esc() of @s, cut to @max_chars characters with "..". */
void svg_out__esc_fit(struct svg_out *o, const char *s, size_t max_chars);

/** utf8_chars() - the number of characters svg_out__esc() would write for @s. */
size_t utf8_chars(const char *s, size_t len);

/* ---- Colours -------------------------------------------------------------------------------- */

/* What a frame's colour family says about it (the "hot" palette's legend). */
enum flame_class {
	FLAME_CLASS_USER,
	FLAME_CLASS_LIB,
	FLAME_CLASS_LIBC,
	FLAME_CLASS_KERNEL,
	FLAME_CLASS_JIT,
	FLAME_CLASS_INLINED,
	FLAME_CLASS_UNKNOWN,
	FLAME_CLASS_GROUP,
	FLAME_CLASS_OFF_CPU, /* any frame below a wall-clock profile's FREC_MARKER_OFF_CPU */
	FLAME_CLASS_MAX,
};

struct flame_palette;

/** flame_palette__find() - the palette called @name (NULL: the default), or NULL if none is. */
const struct flame_palette *flame_palette__find(const char *name);
/** flame_palette__is_kinds() - whether the palette colours by frame class (and has a legend). */
bool flame_palette__is_kinds(const struct flame_palette *pal);
/** flame_class__of() - the class of frame @f of @p. */
enum flame_class flame_class__of(const struct frec_profile *p, const struct frec_frame *f);
/** flame_class__name() - the legend's word for @c. */
const char *flame_class__name(enum flame_class c);
/**
 * flame_palette__rgb() - the colour of a frame named @name of class @c, as 0xRRGGBB.  It depends on
 * the name's bytes and the class only, so a function keeps its colour across runs and graphs.
 */
uint32_t flame_palette__rgb(const struct flame_palette *pal, enum flame_class c, const char *name);
/** flame_class__rgb() - the middle colour of class @c (for the legend). */
uint32_t flame_palette__class_rgb(const struct flame_palette *pal, enum flame_class c);

/** svg_out__rgb() - "#rrggbb". */
void svg_out__rgb(struct svg_out *o, uint32_t rgb);

/** flame_hash() - FNV-1a of @len bytes, then mixed: the basis of stable colours and name maps. */
uint64_t flame_hash(const char *s, size_t len);

/* ---- Maps ----------------------------------------------------------------------------------- */

/*
 * Open addressing from a 64-bit key to a 32-bit value.  The caller hashes; keys are compared by
 * value, so string maps store a hash and confirm with strcmp through flame_map__next().
 */
struct flame_map {
	uint64_t *keys;
	uint32_t *vals; /* UINT32_MAX: empty slot */
	size_t mask;
	size_t n;
};

int flame_map__init(struct flame_map *m, size_t expect);
void flame_map__exit(struct flame_map *m);
/** flame_map__put() - add @key -> @val (duplicates allowed); 0 or -ENOMEM. */
int flame_map__put(struct flame_map *m, uint64_t key, uint32_t val);
/**
 * flame_map__next() - iterate over the values stored under @key: start with *@pos = 0; returns
 * UINT32_MAX when there are no more.
 */
uint32_t flame_map__next(const struct flame_map *m, uint64_t key, size_t *pos);

/* ---- Flame graph layout (render/flame.c) and its differential graph (render/flame_diff.c) ---- */

struct flame_item {
	uint32_t node;  /* the node drawn: of the shape's profile, or of the other one for a ghost */
	uint32_t depth;
	double x, w;    /* left edge and width, in units of the shape profile's weight */
	uint8_t cls;    /* enum flame_class (plain graphs) */
	bool ghost;     /* diff: a frame that only the other profile has, at its width there */
};

/* A child to place: children are drawn in rank order (a diff merges its ghosts in by name). */
struct flame_kid {
	const char *name; /* diff: for merging */
	uint32_t rank;    /* of the child's frame in its own profile's order */
	uint32_t node;
	bool ghost;
	double w;
};

struct flame_kids {
	struct flame_kid *v;
	size_t n, cap;
};

/** flame_kids__push() - append @kid; 0 or -ENOMEM. */
int flame_kids__push(struct flame_kids *k, const struct flame_kid *kid);

/* What a frame's rectangle is filled and drawn with. */
struct flame_paint {
	uint32_t rgb;
	const char *fill;  /* instead of @rgb, e.g. "url(#frec-gone)" */
	const char *attrs; /* more attributes, each with a leading space */
};

struct flame_diff;

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
	double drawn; /* the root's width in units of weight: the total, plus a diff's ghosts */
	struct flame_item *items; /* drawn frames, in pre-order */
	size_t nr_items, items_cap;
	uint32_t max_depth;
	uint32_t *rank;            /* per frame of p: its position in the frames' total order */
	struct flame_diff *diff;   /* diff: matching and scales (render/flame_diff.c), else NULL */
	unsigned int classes_seen; /* bit per enum flame_class drawn, for the legend */
	struct svg_out *out;
};

/** flame_rank_frames() - per frame of @p, its position in the frames' total order; NULL: -ENOMEM. */
uint32_t *flame_rank_frames(const struct frec_profile *p);
/** flame_item__name() - the name of @it ("all" for the root); sets its profile and frame (NULL for the root). */
const char *flame_item__name(const struct flame_ctx *c, const struct flame_item *it,
			     const struct frec_profile **p, const struct frec_frame **f);
/**
 * flame__write_frame_start() - "<g><title>NAME" and the frame's own tooltip lines; @off_cpu: the
 * frame is time waited in a wall-clock profile, of the off-CPU class whatever its own.
 */
void flame__write_frame_start(struct flame_ctx *c, const struct frec_profile *p, const char *name,
			      const struct frec_frame *f, bool off_cpu);
/** flame__write_frame_end() - closes the tooltip, then the rectangle and the label of @it. */
void flame__write_frame_end(struct flame_ctx *c, const struct flame_item *it, const char *name,
			    const struct flame_paint *paint);
/** flame__write_legend_key() - a swatch and its word at *@x, which moves past them. */
void flame__write_legend_key(struct svg_out *o, double *x, const struct flame_paint *paint, const char *what);

/* Title and subtitle are built as plain text, then escaped and cut to the graph's width. */
struct flame_line {
	char buf[1024];
	size_t len;
};

void flame_line__add(struct flame_line *l, const char *s);
void flame_line__group(struct flame_line *l, uint64_t v);
/** flame_base_name() - the last component of @path: subtitles must fit on one line. */
const char *flame_base_name(const char *path);

/**
 * flame_diff__new() - match c->p with c->other, put them on one scale (c->opts->norm) and find the
 * ghosts; sets c->diff and widens c->drawn.  0, -ENOMEM or -FREC_E_NORM_NO_TIME.
 */
int flame_diff__new(struct flame_ctx *c);
void flame_diff__free(struct flame_diff *d);
/** flame_diff__extra() - what ghosts below node @node of c->p add to its width. */
double flame_diff__extra(const struct flame_ctx *c, uint32_t node);
/** flame_diff__add_ghosts() - append @it's ghost children to @kids and order them all. */
int flame_diff__add_ghosts(const struct flame_ctx *c, const struct flame_item *it, struct flame_kids *kids);
void flame_diff__write_frames(struct flame_ctx *c);
void flame_diff__write_legend(const struct flame_ctx *c, double x);
void flame_diff__subtitle(struct flame_line *l, const struct flame_ctx *c);

/* ---- Both diffs (render/flame_diff.c, render/diff_text.c) -------------------------------------- */

/**
 * diff_side__describe() - "FILE, N samples, D s" for one side of a diff (FILE from the metadata,
 * its last component only with @base_only, or @fallback); into @l.
 */
void diff_side__describe(struct flame_line *l, const struct frec_profile *p, const char *fallback, bool base_only);

/** flame_jit_tier() - "JIT, optimised" (or interpreted, baseline, Maglev) for a V8 name with its tier mark, else NULL. */
const char *flame_jit_tier(const char *name);

/* ---- The page's script and style -------------------------------------------------------------- */

extern const char flame_js[];
extern const char flame_css[];
extern const char flame_notes_js[];

/* ---- The panel of findings (flame_notes.c) ---------------------------------------------------- */

/** flame_notes__height() - pixels the panel of @opts->notes takes (0 without notes). */
unsigned int flame_notes__height(const struct render_flame_opts *opts);

/**
 * flame_notes__write() - the panel at @y: a line per note with its frames, given as indices among
 * the @nr_items drawn frames (@item_node: each drawn frame's node, in drawing order).  0 or -ENOMEM.
 */
int flame_notes__write(struct svg_out *o, const struct frec_profile *p, const struct render_flame_opts *opts,
		       const uint32_t *item_node, size_t nr_items, double y, unsigned int width);

#endif /* FREC_RENDER_FLAME_INTERNAL_H */
