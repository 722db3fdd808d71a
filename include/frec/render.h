/* SPDX-License-Identifier: MIT */
/*
 * Renderers: a profile (contract 2) in, text or SVG out to a FILE *.  They read the profile only,
 * so they work the same on a trace, on folded stacks from another tool, or on a hand-written
 * fixture.  Output is deterministic: the same profile gives the same bytes.  Every function returns
 * 0 or a negative errno (-EIO when writing to @f failed).
 */
#ifndef FREC_RENDER_H
#define FREC_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct frec_profile;

/* ---- Folded stacks (symbolizer issue) --------------------------------------------------------- */

/** render_folded__write() - one "root;...;leaf COUNT" line per call-tree leaf path with self weight. */
int render_folded__write(const struct frec_profile *p, FILE *f);

/* ---- Text report (symbolizer issue) ----------------------------------------------------------- */

struct render_text_opts {
	unsigned int top; /* rows per table; 0 = default (20) */
};

/**
 * render_text__write() - the default report: header from the metadata, top functions by self and
 * by total with their module, and the stack-health summary.
 */
int render_text__write(const struct frec_profile *p, const struct render_text_opts *opts, FILE *f);

/* ---- Flame graphs (flame-graph issue) --------------------------------------------------------- */

/*
 * A finding shown in the flame graph's panel (frec report --svg), handed over as plain data by the
 * CLI, since render/ does not see analyze/: a line of text, and the call-tree nodes it is about,
 * outlined and zoomed to when the line is clicked.
 */
struct render_flame_note {
	const char *text;      /* one line */
	const uint32_t *nodes; /* node ids of the profile drawn, heaviest first */
	size_t nr_nodes;
};

struct render_flame_opts {
	const char *title;    /* NULL: from the metadata */
	const char *subtitle; /* NULL: from the metadata */
	const char *palette;  /* NULL: the default palette ("hot"); see render_flame__has_palette() */
	unsigned int width;   /* pixels; 0 = default (1200) */
	double minwidth;      /* pixels; frames narrower are merged into their parent; < 0 = default (0.1) */
	bool icicle;          /* root at the top */
	bool negate;          /* diff: draw BEFORE's shape */
	const struct render_flame_note *notes; /* findings for the panel under the graph (not in diffs) */
	size_t nr_notes;
};

/** render_flame__has_palette() - whether @name is a palette: hot, mem, io, blue, green, aqua. */
bool render_flame__has_palette(const char *name);

/**
 * render_flame__write() - an interactive, self-contained SVG flame graph of @p: one frame per drawn
 * call-tree node (children in name order, root at the bottom or, with opts->icicle, at the top),
 * tooltips, click to zoom, regular-expression search, and zoom and search kept in the URL.  Frame
 * names and every other string are escaped, so any input gives well-formed XML that runs no
 * script but the graph's own.  @opts may be NULL for the defaults.  Returns 0, -EINVAL for an
 * unknown palette or a width under 21 pixels, -ENOMEM, or -EIO when writing to @f failed.
 */
int render_flame__write(const struct frec_profile *p, const struct render_flame_opts *opts, FILE *f);

/**
 * render_flame__write_diff() - a differential flame graph: shape from @after (@before with
 * opts->negate), colour by the change of each frame's self share (its self weight over its
 * profile's total, so profiles of different lengths compare): red grew, blue shrank, grey under
 * 0.01 points or within sampling noise (a two-proportion z-test, |z| < 2), intensity relative to
 * the largest other change drawn.  Frames are matched by the path of
 * their names from the root.  Tooltips give before, after and the change in points, and mark
 * frames that are new (or gone, with opts->negate).  Returns as render_flame__write().
 */
int render_flame__write_diff(const struct frec_profile *before, const struct frec_profile *after,
			     const struct render_flame_opts *opts, FILE *f);

struct render_diff_opts {
	unsigned int top; /* rows per table; 0 = default (20) */
};

/**
 * render_diff__write_text() - tables of the functions (by name) whose self and total shares grew
 * (regressions) or shrank (improvements) most, before and after shares and the change in points.
 * Returns 0, -ENOMEM or -EIO.
 */
int render_diff__write_text(const struct frec_profile *before, const struct frec_profile *after,
			    const struct render_diff_opts *opts, FILE *f);

#endif /* FREC_RENDER_H */
