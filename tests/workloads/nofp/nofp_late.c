// SPDX-License-Identifier: MIT
/*
 * libnofp_late.so: dlopen'ed by nofp's last phase, built like nofp without frame pointers.  Two
 * levels of its own so that an unwind must cross the library's CFI before reaching nofp.
 */
#include <stdint.h>

/* gcc's noipa keeps a call a call (no inlining, cloning or interprocedural shortcuts); clang
 * lacks it, noinline is the nearest. */
#if defined(__has_attribute)
#if __has_attribute(noipa)
#define NOFP_NOIPA __attribute__((noipa))
#endif
#endif
#ifndef NOFP_NOIPA
#define NOFP_NOIPA __attribute__((noinline))
#endif

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
