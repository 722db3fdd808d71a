// SPDX-License-Identifier: MIT
/*
 * Address ranges searched by address (sym_range.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sym_range.h"

void sym_ranges__init(struct sym_ranges *r)
{
	*r = (struct sym_ranges){ 0 };
}

int sym_ranges__index(struct sym_ranges *r, const void *base, size_t nr, size_t size)
{
	uint64_t *me = realloc(r->max_end, (nr ? nr : 1) * sizeof(*me));

	if (!me) {
		sym_ranges__exit(r);
		return -ENOMEM;
	}
	r->max_end = me;
	r->base = base;
	r->nr = nr;
	r->size = size;
	for (size_t i = 0; i < nr; i++) {
		uint64_t end = sym_ranges__at(r, i)->end;

		me[i] = i && me[i - 1] > end ? me[i - 1] : end;
	}
	return 0;
}

void sym_ranges__exit(struct sym_ranges *r)
{
	free(r->max_end);
	*r = (struct sym_ranges){ 0 };
}
