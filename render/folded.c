// SPDX-License-Identifier: MIT
/*
 * Folded stacks: one "root;...;leaf COUNT" line per call-tree node with self weight, root first, in
 * the children's order (sorted profiles give sorted, deterministic output).  Kinds travel as the
 * _[k] / _[j] / _[i] suffixes that flamegraph.pl and inferno colour by and that frec's importer reads
 * back.  A name cannot hold the separators: ';' becomes ':' and line breaks become spaces.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frec/profile.h"
#include "frec/render.h"

static void put_name(const char *s, FILE *f)
{
	for (; *s; s++) {
		char ch = *s;

		if (ch == ';')
			ch = ':';
		else if (ch == '\n' || ch == '\r')
			ch = ' ';
		putc(ch, f);
	}
}

static void put_frame(const struct frec_profile *p, uint32_t id, FILE *f)
{
	const struct frec_frame *fr = frec_profile__frame(p, id);

	put_name(frec_profile__str(p, fr->name), f);
	if (fr->file) {
		const char *file = frec_profile__str(p, fr->file);
		const char *base = strrchr(file, '/');

		fputs(" (", f);
		put_name(base ? base + 1 : file, f);
		if (fr->line)
			fprintf(f, ":%" PRIu32, fr->line);
		putc(')', f);
	}
	if (fr->kind == FREC_FRAME_KERNEL)
		fputs(FREC_FOLDED_KERNEL, f);
	else if (fr->kind == FREC_FRAME_JIT)
		fputs(FREC_FOLDED_JIT, f);
	else if (fr->flags & FREC_FRAME_INLINED)
		fputs(FREC_FOLDED_INLINED, f);
}

int render_folded__write(const struct frec_profile *p, FILE *f)
{
	uint32_t nr = frec_profile__nr_nodes(p);
	uint32_t *path = malloc((nr ? nr : 1) * sizeof(*path));
	size_t depth = 0;
	uint32_t n;

	if (!path)
		return -ENOMEM;
	/* Iterative pre-order walk; path[] holds the nodes from the root's first child down to n. */
	n = frec_profile__node(p, FREC_NODE_ROOT)->first_child;
	while (n != FREC_NONE) {
		const struct frec_node *node = frec_profile__node(p, n);

		path[depth++] = n;
		if (node->self) {
			for (size_t i = 0; i < depth; i++) {
				if (i)
					putc(';', f);
				put_frame(p, frec_profile__node(p, path[i])->frame, f);
			}
			fprintf(f, " %" PRIu64 "\n", node->self);
		}
		if (node->first_child != FREC_NONE) {
			n = node->first_child;
			continue;
		}
		/* climb until a node has a next sibling */
		while (depth) {
			uint32_t sib = frec_profile__node(p, path[--depth])->next_sibling;

			if (sib != FREC_NONE) {
				n = sib;
				break;
			}
			n = FREC_NONE;
		}
	}
	free(path);
	return ferror(f) ? -EIO : 0;
}
