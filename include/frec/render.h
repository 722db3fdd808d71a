/* SPDX-License-Identifier: MIT */
/*
 * Renderers: a profile (contract 2) in, text or SVG out to a FILE *.  They read the profile only,
 * so they work the same on a trace, on folded stacks from another tool, or on a hand-written
 * fixture.  Output is deterministic: the same profile gives the same bytes.
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

/* ---- Flame graphs (flame-graph issue) --------------------------------------------------------- */

#endif /* FREC_RENDER_H */
