// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: folded stacks of arbitrary bytes through the report's text views: the recursion
 * collapse, the call tree (a percent limit from the input's size), the callers of a frame of the
 * profile and of a name that is not there (with its suggestions), and the text report by function
 * and by module.  Nothing may crash or leak, whatever they print.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "frec/profile.h"
#include "frec/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void views(const struct frec_profile *p, size_t size, FILE *f)
{
	struct render_tree_opts opts = { .percent_limit = (double)(size % 7) / 2 };
	uint32_t nr = frec_profile__nr_frames(p);
	char *names[3];
	int n;

	render_tree__write(p, &opts, f);
	if (nr)
		render_callers__write(p, frec_profile__frame_name(p, (uint32_t)(size % nr)), &opts, f);
	if (render_callers__write(p, "fuzz_no_such_functio", &opts, f) == -ENOENT) {
		n = render_callers__suggest(p, "fuzz_no_such_functio", names, 3);
		while (n > 0)
			free(names[--n]);
	}
	render_text__write(p, &(struct render_text_opts){ .top = (unsigned int)(size % 5), .by_module = size & 1 }, f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frec_profile *p = frec_profile__new(), *q = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (p && f && frec_profile__import_folded(p, (const char *)data, size, NULL) >= 0 && !frec_profile__sort(p)) {
		views(p, size, f);
		if (!frec_profile__collapse_recursion(p, &q))
			views(q, size, f);
	}
	if (f)
		fclose(f);
	free(buf);
	frec_profile__free(p);
	frec_profile__free(q);
	return 0;
}
