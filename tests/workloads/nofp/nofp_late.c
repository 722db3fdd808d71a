// SPDX-License-Identifier: MIT
/*
 * libnofp_late.so: dlopen'ed by nofp's last phase, built like nofp without frame pointers.  Two
 * levels of its own so that an unwind must cross the library's CFI before reaching nofp.
 */
#include <stdint.h>

#include "nofp.h"

uint64_t nofp_late_work(uint64_t seed);

static volatile uint64_t nofp_late_sink;

NOFP_NOIPA static uint64_t nofp_late_inner(uint64_t x)
{
	for (int i = 0; i < 50000; i++)
		x = (x ^ (x >> 13)) * 0x9e3779b97f4a7c15ull + 7;
	return x;
}

NOFP_NOIPA static uint64_t nofp_late_outer(uint64_t x)
{
	uint64_t r = nofp_late_inner(x + 1);

	nofp_late_sink = r;
	return r + 1;
}

uint64_t nofp_late_work(uint64_t seed)
{
	uint64_t r = nofp_late_outer(seed);

	nofp_late_sink = r;
	return r;
}
