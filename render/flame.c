// SPDX-License-Identifier: MIT
/*
 * SVG flame graphs and differential flame graphs.  (Placeholder until the flame-graph issue lands.)
 */
#include <errno.h>

#include "frec/render.h"

int render_flame__write(const struct frec_profile *p, const struct render_flame_opts *opts, FILE *f)
{
	(void)p;
	(void)opts;
	(void)f;
	return -ENOSYS;
}

int render_flame__write_diff(const struct frec_profile *before, const struct frec_profile *after,
			     const struct render_flame_opts *opts, FILE *f)
{
	(void)before;
	(void)after;
	(void)opts;
	(void)f;
	return -ENOSYS;
}

int render_diff__write_text(const struct frec_profile *before, const struct frec_profile *after,
			    const struct render_diff_opts *opts, FILE *f)
{
	(void)before;
	(void)after;
	(void)opts;
	(void)f;
	return -ENOSYS;
}
