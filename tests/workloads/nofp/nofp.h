/* SPDX-License-Identifier: MIT */
/*
 * Shared by the nofp workloads (nofp, libnofp_late.so, nofp-threads): a way to keep each call a
 * real call with a frame of its own, and a clock.
 */
#ifndef FREC_NOFP_H
#define FREC_NOFP_H

#include <time.h>

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

static inline double nofp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The calling thread's CPU time: nofp's phases end after so much CPU, not wall time, so that a
 * busy machine gives it as many samples, split between its phases as on an idle one.
 */
static inline double nofp_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif /* FREC_NOFP_H */
