/* SPDX-License-Identifier: MIT */
/*
 * Growing arrays: the one helper the stages share for arrays that grow as input arrives.
 */
#ifndef FREC_ARRAY_H
#define FREC_ARRAY_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/**
 * frec_array__grow() - make *@arr hold at least @need elements of @elem bytes: its capacity
 * *@cap doubles (from 16) until it does.  Returns 0, or -ENOMEM (also when the size would not fit
 * a size_t), leaving *@arr and *@cap as they were.
 */
static inline int frec_array__grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (elem && n > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*arr, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

#endif /* FREC_ARRAY_H */
