// SPDX-License-Identifier: MIT
/*
 * The text report.  (Placeholder until the symbolizer issue lands.)
 */
#include <errno.h>

#include "frec/render.h"

int render_text__write(const struct frec_profile *p, const struct render_text_opts *opts, FILE *f)
{
	(void)p;
	(void)opts;
	(void)f;
	return -ENOSYS;
}
