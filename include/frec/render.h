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

struct render_flame_opts {
	const char *title;    /* NULL: from the metadata */
	const char *subtitle; /* NULL: from the metadata */
	const char *palette;  /* NULL: the default palette */
	unsigned int width;   /* pixels; 0 = default (1200) */
	double minwidth;      /* pixels; frames narrower are merged into their parent; < 0 = default */
	bool icicle;          /* root at the top */
	bool negate;          /* diff: draw BEFORE's shape */
};

/** render_flame__write() - an interactive, self-contained SVG flame graph of @p. */
int render_flame__write(const struct frec_profile *p, const struct render_flame_opts *opts, FILE *f);

/**
 * render_flame__write_diff() - a differential flame graph: shape from @after (@before with
 * opts->negate), colour by the change of each frame's self share.
 */
int render_flame__write_diff(const struct frec_profile *before, const struct frec_profile *after,
			     const struct render_flame_opts *opts, FILE *f);

struct render_diff_opts {
	unsigned int top; /* rows per table; 0 = default (20) */
};

/** render_diff__write_text() - tables of the largest regressions and improvements (self and total). */
int render_diff__write_text(const struct frec_profile *before, const struct frec_profile *after,
			    const struct render_diff_opts *opts, FILE *f);

#endif /* FREC_RENDER_H */
