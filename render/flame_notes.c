// SPDX-License-Identifier: MIT
/*
 * The panel of findings under a flame graph (frec report --svg): one line per finding, and its
 * frames.  Each line carries the indices of its frames among the drawn ones (data-frames) and the
 * frame to zoom to (data-zoom): the deepest drawn frame that holds them all, found on the call
 * tree, so that a hotspot reached from two callers zooms to their common caller.  The script
 * (render/flame_notes.js) outlines the frames and zooms on a click.  Frames too narrow to be drawn
 * are left out; a finding none of whose frames is drawn still lists its line.
 */
#include <stdlib.h>

#include "flame_internal.h"
#include "frec/profile.h"
#include "frec/render.h"

#define NOTES_MAX 5      /* lines in the panel */
#define NOTE_H 16        /* height of a line */
#define NOTES_FRAMES 64  /* frames outlined per finding */

unsigned int flame_notes__height(const struct render_flame_opts *opts)
{
	size_t n = opts->nr_notes < NOTES_MAX ? opts->nr_notes : NOTES_MAX;

	return n ? (unsigned int)(n + 1) * NOTE_H + 8 : 0;
}

/* The deepest node that is an ancestor of (or is) every node of @nodes. */
static uint32_t common_ancestor(const struct frec_profile *p, const uint32_t *nodes, size_t n)
{
	uint32_t lca = n ? nodes[0] : FREC_NODE_ROOT;

	for (size_t i = 1; i < n && lca != FREC_NODE_ROOT; i++) {
		/* climb from lca until it holds nodes[i] */
		for (;;) {
			uint32_t x = nodes[i];

			while (x != FREC_NONE && x != lca)
				x = frec_profile__node(p, x)->parent;
			if (x == lca)
				break;
			lca = frec_profile__node(p, lca)->parent;
		}
	}
	return lca;
}

int flame_notes__write(struct svg_out *o, const struct frec_profile *p, const struct render_flame_opts *opts,
		       const uint32_t *item_node, size_t nr_items, double y, unsigned int width)
{
	uint32_t nn = frec_profile__nr_nodes(p), *item_of = malloc(((size_t)nn + 1) * sizeof(*item_of));
	size_t n = opts->nr_notes < NOTES_MAX ? opts->nr_notes : NOTES_MAX;
	size_t chars = (width - 20) / 7; /* FLAME_CHAR_W, rounded down */

	if (!item_of)
		return -ENOMEM;
	for (uint32_t i = 0; i < nn; i++)
		item_of[i] = UINT32_MAX;
	for (size_t i = 0; i < nr_items; i++)
		item_of[item_node[i]] = (uint32_t)i;
	svg_out__str(o, "<g id=\"notes\"><style>.note{cursor:pointer;fill:#1a4f8a}.note:hover,.note.on{text-decoration:"
			"underline}.lit{stroke:#0030ff;stroke-width:2}</style>\n");
	svg_out__printf(o, "<text x=\"10\" y=\"%.0f\">Findings (frec report --analyze tells more); click one to "
			   "outline its frames:</text>\n", y + 12);
	for (size_t i = 0; i < n; i++) {
		const struct render_flame_note *note = &opts->notes[i];
		size_t nodes = note->nr_nodes < NOTES_FRAMES ? note->nr_nodes : NOTES_FRAMES;
		uint32_t zoom = common_ancestor(p, note->nodes, nodes);
		const char *sep = "";

		svg_out__str(o, "<text class=\"note\" x=\"10\" y=\"");
		svg_out__u64(o, (uint64_t)(y + 12 + (double)(i + 1) * NOTE_H));
		svg_out__str(o, "\" data-frames=\"");
		for (size_t k = 0; k < nodes; k++) {
			if (note->nodes[k] >= nn || item_of[note->nodes[k]] == UINT32_MAX)
				continue;
			svg_out__str(o, sep);
			svg_out__u64(o, item_of[note->nodes[k]]);
			sep = " ";
		}
		svg_out__str(o, "\" data-zoom=\"");
		svg_out__u64(o, zoom < nn && item_of[zoom] != UINT32_MAX ? item_of[zoom] : 0);
		svg_out__str(o, "\">");
		svg_out__esc_fit(o, note->text ? note->text : "", chars);
		svg_out__str(o, "</text>\n");
	}
	svg_out__str(o, "</g>\n");
	free(item_of);
	return 0;
}
