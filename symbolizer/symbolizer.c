// SPDX-License-Identifier: MIT
/*
 * Placeholder until the symbolizer issue lands.
 */
#include <errno.h>

#include "frec/symbolizer.h"

int sym_profile__from_trace(struct trace_reader *r, const struct sym_opts *opts, struct frec_profile **out)
{
	(void)r;
	(void)opts;
	*out = NULL;
	return -ENOSYS;
}
