/* SPDX-License-Identifier: MIT */
/*
 * Shared by the workloads with a planted bottleneck (tests/workloads/findings/*.c).  Each one runs
 * a small "service" for a while: background work that looks like a program's own (several
 * functions, none of which stands out by itself) around one planted cause.  It measures the truth
 * itself: its thread's CPU clock around the planted code, against the process's CPU clock at the
 * end, and prints
 *
 *	planted NAME: SHARE% of the process CPU (PLANTED s of TOTAL s)
 *
 * which the recording tests compare with what `frec report --analyze` finds.  Single-threaded, so
 * that the thread's clock is the process's work.
 *
 *	WORKLOAD [-d SECONDS]   (default 2)
 */
#ifndef FREC_WORKLOAD_PLANTED_H
#define FREC_WORKLOAD_PLANTED_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static double planted_seconds;
static volatile uint64_t planted_sink;

static inline double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run @code and add the CPU time it took to the planted total. */
#define PLANTED(code)                                                   \
	do {                                                            \
		double planted_t0_ = clock_s(CLOCK_THREAD_CPUTIME_ID);  \
		code;                                                   \
		planted_seconds += clock_s(CLOCK_THREAD_CPUTIME_ID) - planted_t0_; \
	} while (0)

/* The -d SECONDS option: how long to run (CPU seconds of this thread, so a busy machine does not
 * shorten the profile). */
static inline double planted_duration(int argc, char **argv)
{
	double d = 2;
	int c;

	while ((c = getopt(argc, argv, "d:")) != -1) {
		if (c != 'd' || (d = atof(optarg)) <= 0) {
			fprintf(stderr, "usage: %s [-d SECONDS]\n", argv[0]);
			exit(2);
		}
	}
	return d;
}

static inline int planted_running(double seconds)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID) < seconds;
}

static inline void planted_report(const char *name)
{
	double total = clock_s(CLOCK_PROCESS_CPUTIME_ID);

	printf("planted %s: %.1f%% of the process CPU (%.2f s of %.2f s)\n", name, 100.0 * planted_seconds / total,
	       planted_seconds, total);
}

/* One step of the background (background.c): a few milliseconds of the program's own work. */
#ifdef __cplusplus
extern "C"
#endif
void background_step(void);

/*
 * The main loop: planted units while the planted share is under @target, background steps
 * otherwise, until the thread has used @seconds of CPU.  The mix is steered by the clocks, so
 * the shares hold on fast and slow machines alike.
 */
static inline void planted_loop(double seconds, double target, void (*unit)(void))
{
	while (planted_running(seconds)) {
		if (planted_seconds < target * clock_s(CLOCK_THREAD_CPUTIME_ID))
			PLANTED(unit());
		else
			background_step();
	}
}

/* A small, fast, deterministic pseudo-random generator for the background work. */
static uint64_t planted_rng = 88172645463325252ull;

static inline uint64_t rnd(void)
{
	planted_rng ^= planted_rng << 13;
	planted_rng ^= planted_rng >> 7;
	planted_rng ^= planted_rng << 17;
	return planted_rng;
}

#endif /* FREC_WORKLOAD_PLANTED_H */
