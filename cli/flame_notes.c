// SPDX-License-Identifier: MIT
/*
 * The bridge between findings and the flame graph: render/ cannot see analyze/, so the top findings
 * go over as plain notes, a line of text and the call-tree nodes to outline.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "frec/analyze.h"
#include "frec/profile.h"
#include "frec/render.h"

#define FLAME_NOTES 5

int cli_flame_with_findings(const struct frec_profile *p, const struct analyze_report *findings,
			    const struct render_flame_opts *opts, FILE *f)
{
	struct render_flame_note notes[FLAME_NOTES];
	char *text[FLAME_NOTES] = { NULL };
	struct render_flame_opts o = *opts;
	size_t n = findings ? analyze_report__nr_findings(findings) : 0;
	int err = 0;

	if (n > FLAME_NOTES)
		n = FLAME_NOTES;
	for (size_t i = 0; i < n; i++) {
		const struct analyze_finding *fd = analyze_report__finding(findings, i);
		double pct = 100.0 * (double)fd->weight / (double)frec_profile__total(p);

		if (asprintf(&text[i], "%zu. %s %.1f%%: %s", i + 1, fd->id, pct, fd->summary) < 0) {
			text[i] = NULL;
			err = -ENOMEM;
			goto out;
		}
		notes[i] = (struct render_flame_note){ text[i], fd->nodes, fd->nr_nodes };
	}
	o.notes = notes;
	o.nr_notes = n;
	err = render_flame__write(p, &o, f);
out:
	for (size_t i = 0; i < n; i++)
		free(text[i]);
	return err;
}
