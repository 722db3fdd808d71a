// SPDX-License-Identifier: MIT
/*
 * nofp: a workload built as distributions build code, -O2 -g -fomit-frame-pointer, whose stacks
 * only DWARF unwinding gets right.  Three phases on the main thread, each a share of the run:
 *
 *   recurse  a recursion 250 levels deep with the work at the bottom (deeper than many fixed
 *            unwinding limits, and every level without a frame pointer)
 *   qsort    libc's qsort over shuffled arrays, calling back into nofp_cmp() (the hot path goes
 *            through libc, whose frames also lack frame pointers)
 *   dlopen   a library dlopen'ed only when the phase starts (libnofp_late.so, next to this
 *            binary), so its mapping appears in the middle of the recording
 *
 * usage: nofp [SECONDS [PHASE]]   SECONDS (of CPU time) defaults to 3, PHASE to all
 * Every stack of the main thread ends in main(): the expected result for the unwinding tests.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nofp.h"

#define NOFP_DEPTH 250
#define NOFP_QSORT_LEN 4096

static volatile uint64_t nofp_sink;

/* The work at the bottom of the recursion: enough arithmetic that samples land here. */
NOFP_NOIPA static uint64_t nofp_leaf_work(uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 20000; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	return x;
}

/* noipa and the volatile store after the call keep one real frame per level (no tail calls). */
NOFP_NOIPA static uint64_t nofp_recurse(int depth, uint64_t seed)
{
	uint64_t r;

	if (depth == 0)
		r = nofp_leaf_work(seed);
	else
		r = nofp_recurse(depth - 1, seed + (uint64_t)depth);
	nofp_sink = r;
	return r ^ (uint64_t)depth;
}

NOFP_NOIPA static void nofp_phase_recurse(double until)
{
	uint64_t seed = 1;

	while (nofp_cpu() < until)
		seed = nofp_recurse(NOFP_DEPTH, seed);
}

NOFP_NOIPA static int nofp_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	/* A little more work than a compare, so that the callback shows up in samples. */
	for (int i = 0; i < 8; i++) {
		x = x * 2654435761u + 1;
		y = y * 2654435761u + 1;
	}
	return (x > y) - (x < y);
}

NOFP_NOIPA static void nofp_phase_qsort(double until)
{
	static uint32_t a[NOFP_QSORT_LEN];
	uint32_t s = 12345;

	while (nofp_cpu() < until) {
		for (size_t i = 0; i < NOFP_QSORT_LEN; i++) {
			s = s * 1103515245u + 12345u;
			a[i] = s;
		}
		qsort(a, NOFP_QSORT_LEN, sizeof(a[0]), nofp_cmp);
		nofp_sink = a[0];
	}
}

NOFP_NOIPA static int nofp_phase_dlopen(double until)
{
	/* static: a frame of 8 KiB would by itself exhaust a default-sized stack copy */
	static char self[PATH_MAX], lib[PATH_MAX + 32];
	uint64_t (*work)(uint64_t);
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	void *h;
	char *slash;

	if (len < 0)
		return -1;
	self[len] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(lib, sizeof(lib), "%s/libnofp_late.so", self);
	h = dlopen(lib, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "nofp: %s\n", dlerror());
		return -1;
	}
	work = (uint64_t (*)(uint64_t))(uintptr_t)dlsym(h, "nofp_late_work");
	if (!work) {
		fprintf(stderr, "nofp: %s\n", dlerror());
		return -1;
	}
	while (nofp_cpu() < until)
		nofp_sink = work(nofp_sink);
	/* Stay mapped: unmapping while samples may still name the library proves nothing here. */
	return 0;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	const char *phase = argc > 2 ? argv[2] : "all";
	int all = !strcmp(phase, "all");
	double start = nofp_cpu(), share;

	if (secs <= 0 || (!all && strcmp(phase, "recurse") && strcmp(phase, "qsort") && strcmp(phase, "dlopen"))) {
		fprintf(stderr, "usage: nofp [SECONDS [all|recurse|qsort|dlopen]]\n");
		return 2;
	}
	share = all ? secs / 3 : secs;
	if (all || !strcmp(phase, "recurse"))
		nofp_phase_recurse(start + share);
	if (all || !strcmp(phase, "qsort"))
		nofp_phase_qsort(start + (all ? 2 : 1) * share);
	if ((all || !strcmp(phase, "dlopen")) && nofp_phase_dlopen(start + secs) < 0)
		return 1;
	return 0;
}
