/* SPDX-License-Identifier: MIT */
/*
 * Renderers: a profile (contract 2) in, text or SVG out to a FILE *.  (Folded stacks, the
 * profile's own text form, are written by frec_profile__write_folded().)  They read the profile only,
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

#include "frec/profile.h"

/* ---- Text report ------------------------------------------------------------------------------ */

struct render_text_opts {
	unsigned int top; /* rows per table; 0 = default (20) */
	bool by_module;   /* self time by module (library) instead of the tables of functions */
};

/**
 * render_text__write() - the default report: header from the metadata; when the profile's tasks
 * hold more than one process (thread), a table of the processes (threads) with their shares,
 * "comm [pid]"; the top functions by self and by total with their module (opts->by_module: the
 * modules by self, with their total); and the stack-health summary.  When the call tree is grouped
 * by process or thread (its roots are FREC_FRAME_PROCESS or _THREAD frames), the tables of
 * functions or modules are repeated for each group, heaviest first, at most opts->top of them.
 * Every share is of the whole profile.
 */
int render_text__write(const struct frec_profile *p, const struct render_text_opts *opts, FILE *f);

/* ---- Call trees in text ---------------------------------------------------------------------- */

#define RENDER_TREE_LIMIT 0.5 /* percent: the default of render_tree_opts.percent_limit */

struct render_tree_opts {
	double percent_limit; /* hide nodes under this share, in percent; < 0: RENDER_TREE_LIMIT */
};

/**
 * render_tree__write() - the callee tree from the roots, one line per node: its total and self
 * shares and its name and module, heaviest child first, children under their caller (a single
 * shown child stays in its caller's column, so that chains of calls do not drift right).  Nodes
 * lighter than opts->percent_limit percent of the total are hidden.  A tower of direct recursion
 * with nothing else shown is one line, marked with its depth; when a function that calls itself
 * is shown level by level, a last line says that --collapse-recursion merges the levels.
 * Returns 0, -ENOMEM or -EIO.
 */
int render_tree__write(const struct frec_profile *p, const struct render_tree_opts *opts, FILE *f);

/**
 * render_callers__write() - the callers of the function @func, as an inverted tree: @func first,
 * then each caller under its callee, down to the roots, merged over every node of the function
 * (the innermost, when it recurses: each sample counts once), with each path's share of the total
 * and of @func's weight.  @func is a function's name as frames carry it, or without compiler
 * clone suffixes or C++ parameter list ("parse" matches "parse.constprop.0" and "parse(int)"): no
 * pattern.  opts->percent_limit is of @func's weight.  Returns 0, -ENOENT when no frame of @p
 * matches (see render_callers__suggest()), -ENOMEM or -EIO.
 */
int render_callers__write(const struct frec_profile *p, const char *func, const struct render_tree_opts *opts,
			  FILE *f);

/**
 * render_callers__suggest() - up to @max names of functions of @p close to @func, for when
 * render_callers__write() matched nothing: names that contain it (case aside) or it contains,
 * then names within a few typing errors of it, heaviest first; each as --callers would match it
 * (without clone suffixes).  The names are malloc'ed into @out[]; the caller frees them.  Returns
 * how many, or -ENOMEM.
 */
int render_callers__suggest(const struct frec_profile *p, const char *func, char **out, size_t max);

/* ---- Flame graphs ----------------------------------------------------------------------------- */

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
	enum frec_norm norm;  /* diff: how the profiles compare; FREC_NORM_DEFAULT: see frec_norm__resolve() */
	const struct render_flame_note *notes; /* findings for the panel under the graph (not in diffs) */
	size_t nr_notes;
};

/**
 * render_profile__merge_jit_tiers() - a copy of @p in which the JIT frames of a function compiled at
 * several tiers are one frame: V8's tier mark before the name goes ("JS:*fib" optimised and
 * "JS:~fib" interpreted become "JS:fib"), and their weights and subtrees add up.  Returns 0 with
 * *@out owned by the caller (frec_profile__free()), or -ENOMEM.
 */
int render_profile__merge_jit_tiers(const struct frec_profile *p, struct frec_profile **out);

/** render_flame__has_palette() - whether @name is a palette: hot, mem, io, blue, green, aqua. */
bool render_flame__has_palette(const char *name);

/**
 * render_flame__write() - an interactive, self-contained SVG flame graph of @p: one frame per drawn
 * call-tree node (children in name order, root at the bottom or, with opts->icicle, at the top),
 * tooltips, click to zoom, regular-expression search with next and previous match, the callers
 * view of a function, focus and hiding, collapsed recursion, merged JIT tiers, legend classes to
 * dim or hide, a width that follows the window (opts->width where no script runs), and the view
 * kept in the URL.  Frame
 * names and every other string are escaped, so any input gives well-formed XML that runs no
 * script but the graph's own.  @opts may be NULL for the defaults.  Returns 0, -EINVAL for an
 * unknown palette or a width under 21 pixels, -ENOMEM, or -EIO when writing to @f failed.
 */
int render_flame__write(const struct frec_profile *p, const struct render_flame_opts *opts, FILE *f);

/**
 * render_flame__write_diff() - a differential flame graph.  Both profiles are put on one scale by
 * opts->norm (struct frec_diff_norm: CPU time when both carry it, else counts), and frames are
 * matched by the path of their names from the root.  The shape and widths are @after's (@before's
 * with opts->negate); each frame is coloured by the change of its self weight: red grew, blue shrank,
 * by the part of the larger side that changed, grey within the noise floor
 * (frec_diff_norm__is_change()).  Frames only the shape's profile has are new (amber, outlined) or,
 * with opts->negate, gone (hatched); those only the other profile has are drawn beside their
 * siblings at their width there, gone (or new), when they clear the noise floor.  The subtitle names
 * both inputs, their samples and durations, and the normalisation; tooltips give before, after and
 * the change in its unit.  Returns as render_flame__write(), or -FREC_E_NORM_NO_TIME when opts->norm
 * needs a time (or a duration) that a profile lacks.
 */
int render_flame__write_diff(const struct frec_profile *before, const struct frec_profile *after,
			     const struct render_flame_opts *opts, FILE *f);

struct render_diff_opts {
	unsigned int top;    /* rows per table; 0 = default (20) */
	enum frec_norm norm; /* as render_flame_opts.norm */
};

/**
 * render_diff__write_text() - the text diff: a header naming both inputs (file, samples, duration),
 * the normalisation and the noise floor, then tables of the functions (by name) whose self and total
 * weights grew (regressions) or shrank (improvements) beyond the noise floor, most first: before,
 * after, the change in the normalisation's unit, and relative to before.  Functions one side lacks
 * are marked [new] or [gone].  When both recordings are windowed and their durations differ by more
 * than 10% (struct frec_diff_norm.suggest_rate), a note says so.  Returns 0, -ENOMEM, -EIO or
 * -FREC_E_NORM_NO_TIME.
 */
int render_diff__write_text(const struct frec_profile *before, const struct frec_profile *after,
			    const struct render_diff_opts *opts, FILE *f);

/**
 * render_diff__write_summary() - one line for a diff's stderr summary: "before (baseline): FILE, N
 * samples, D s; after: FILE, N samples, D s; compared as NORMALISATION".  Returns as
 * render_diff__write_text().
 */
int render_diff__write_summary(const struct frec_profile *before, const struct frec_profile *after,
			       enum frec_norm norm, FILE *f);

#endif /* FREC_RENDER_H */
