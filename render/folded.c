// SPDX-License-Identifier: MIT
/*
 * Placeholder until the symbolizer issue lands.
 */
#include <errno.h>

#include "frec/render.h"

int render_folded__write(const struct frec_profile *p, FILE *f)
{
	(void)p;
	(void)f;
	return -ENOSYS;
}
