// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: folded stacks of arbitrary bytes, imported and drawn as a flame graph, as a
 * differential graph (first half of the input against the second) and as a text diff, and read as
 * difffolded.pl's two counts (both sides of one diff), must never crash, whatever they report.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "frec/profile.h"
#include "frec/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct frec_profile *import(const uint8_t *data, size_t size)
{
	struct frec_profile *p = frec_profile__new();

	if (p && frec_profile__import_folded(p, (const char *)data, size, NULL) < 0) {
		frec_profile__free(p);
		return NULL;
	}
	return p;
}

/*
 * The same bytes fed to the streaming reader in three pieces cut where the input says: the same
 * result as read at once, or abort().
 */
static void check_pieces(const uint8_t *data, size_t size, const struct frec_profile *all)
{
	struct frec_profile *p = frec_profile__new();
	struct frec_folded_reader *r = NULL;
	size_t cut1 = size ? data[0] % (size + 1) : 0, cut2 = size ? (cut1 + data[size - 1] * 7u) % (size + 1) : 0;
	int n;

	if (cut2 < cut1)
		cut2 = cut1;
	if (!p || frec_folded_reader__new(p, &r)) {
		frec_profile__free(p);
		return;
	}
	frec_folded_reader__feed(r, (const char *)data, cut1);
	frec_folded_reader__feed(r, (const char *)data + cut1, cut2 - cut1);
	frec_folded_reader__feed(r, (const char *)data + cut2, size - cut2);
	n = frec_folded_reader__finish(r, NULL);
	if ((n >= 0) != (all != NULL) ||
	    (all && (frec_profile__total(p) != frec_profile__total(all) ||
		     frec_profile__nr_nodes(p) != frec_profile__nr_nodes(all) ||
		     frec_profile__nr_frames(p) != frec_profile__nr_frames(all))))
		abort();
	frec_folded_reader__free(r);
	frec_profile__free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frec_profile *all = import(data, size);
	struct frec_profile *a = import(data, size / 2), *b = import(data + size / 2, size - size / 2);
	struct render_flame_opts opts = { .minwidth = -1, .icicle = size & 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	check_pieces(data, size, all);
	if (f && all)
		render_flame__write(all, &opts, f);
	if (f && a && b) {
		/* Every normalisation: time and rate fail on folded stacks, which must be all they do. */
		opts.negate = size & 2;
		opts.norm = (enum frec_norm)(size / 4 % 5);
		render_flame__write_diff(a, b, &opts, f);
		render_diff__write_text(a, b, &(struct render_diff_opts){ .norm = opts.norm }, f);
	}
	if (f && size & 8) {
		/* the whole input as one difffolded file */
		struct frec_profile *before = frec_profile__new(), *after = frec_profile__new();

		if (before && after && frec_profile__import_folded_diff(before, after, (const char *)data, size, NULL) >= 0)
			render_diff__write_text(before, after, &(struct render_diff_opts){ .norm = FREC_NORM_COUNT }, f);
		frec_profile__free(before);
		frec_profile__free(after);
	}
	if (f)
		fclose(f);
	free(buf);
	frec_profile__free(all);
	frec_profile__free(a);
	frec_profile__free(b);
	return 0;
}
