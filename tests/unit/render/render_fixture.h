/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the render tests: profiles from folded text, output in memory, and just enough parsing
 * of an SVG to find a frame's rectangle by its tooltip's first line.
 */
#ifndef FREC_TEST_RENDER_FIXTURE_H
#define FREC_TEST_RENDER_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/profile.h"
#include "frec/render.h"

struct out {
	char *buf;
	size_t len;
};

static inline struct frec_profile *folded(const char *text)
{
	struct frec_profile *p = frec_profile__new();

	cr_assert_not_null(p);
	cr_assert_gt(frec_profile__import_folded(p, text, strlen(text), NULL), 0, "fixture: %s", text);
	return p;
}

static inline struct out render(const struct frec_profile *p, const struct render_flame_opts *opts)
{
	struct out o = { 0 };
	FILE *f = open_memstream(&o.buf, &o.len);

	cr_assert_not_null(f);
	cr_assert_eq(render_flame__write(p, opts, f), 0);
	cr_assert_eq(fclose(f), 0);
	return o;
}

/* The frame whose tooltip starts with the line @name (the n-th such frame, from 0), or NULL. */
static inline const char *frame(const struct out *o, const char *name, int nth)
{
	char key[512];
	const char *s = o->buf;

	snprintf(key, sizeof(key), "<g><title>%s\n", name);
	while ((s = strstr(s, key))) {
		if (!nth--)
			return s;
		s++;
	}
	return NULL;
}

/* Whether frame @g has a label. */
static inline bool has_label(const char *g)
{
	const char *end = strstr(g, "</g>"), *t = strstr(g, "<text");

	return t && t < end;
}

/* Attribute @attr of the <rect> of frame @g. */
static inline double rect_attr(const char *g, const char *attr)
{
	char key[32];
	const char *r = strstr(g, "<rect ");

	cr_assert_not_null(r);
	snprintf(key, sizeof(key), " %s=\"", attr);
	r = strstr(r, key);
	cr_assert_not_null(r, "no %s", attr);
	return strtod(r + strlen(key), NULL);
}

/* The fill of frame @g as 0xRRGGBB. */
static inline unsigned int fill(const char *g)
{
	const char *r = strstr(strstr(g, "<rect "), "fill=\"#");

	cr_assert_not_null(r);
	return (unsigned int)strtoul(r + 7, NULL, 16);
}

static inline size_t count(const struct out *o, const char *needle)
{
	size_t n = 0;

	for (const char *s = o->buf; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* A text view's lines after its two heading lines (render_tree__write(), render_callers__write()). */
static inline const char *tree_body(const char *out)
{
	const char *s = strchr(out, '\n');

	cr_assert_not_null(s);
	s = strchr(s + 1, '\n');
	cr_assert_not_null(s);
	return s + 1;
}

#endif /* FREC_TEST_RENDER_FIXTURE_H */
