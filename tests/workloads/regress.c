// SPDX-License-Identifier: MIT
/*
 * frec-regress: a before/after pair in one program, for frec diff (and diff findings and the CI
 * gate) to be tested on real recordings.  Each request runs four leaf functions of about equal cost
 * under handle_request: parse_input, compute_hash, compress_block and format_output.  With
 * -s NAME, the function NAME does FACTOR times its work (-f, default 3) while the others do exactly
 * what they did, so a correct diff shows NAME grown FACTOR times and the rest unchanged.
 *
 *   frec-regress [-n REQUESTS] [-s FUNCTION] [-f FACTOR]
 *
 * The work is a fixed number of requests (default 100, about 1 s of CPU before the slowdown), not a
 * duration: the slow version runs longer, as a real regression would.  At the end it prints, from
 * the thread's CPU clock, each function's CPU time and share of the run, the measure a profile
 * should agree with:
 *
 *   frec-regress: compute_hash 0.752 s 50.1%
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))
/*
 * Iterations per call: on average WORK, about 2.5 ms on a 2020s x86 core.  Requests run their steps
 * in a shuffled order and each call's count varies (from WORK / 2 to 3 * WORK / 2), the same
 * sequences in every run: with a fixed order and length, a request (4 x 2.5 ms) would last one
 * sampling period at 100 Hz and the samples would fall on the same function for long runs.
 */
#define WORK 1800000u

static volatile uint64_t sink;

/* Four unrelated mixes of integer work, so that no two functions fold into one another. */
NOINLINE static uint64_t parse_input(uint64_t seed, uint64_t n)
{
	uint64_t s = seed;

	for (uint64_t i = 0; i < n; i++)
		s = s * 6364136223846793005ull + 1442695040888963407ull + i;
	return s;
}

NOINLINE static uint64_t compute_hash(uint64_t seed, uint64_t n)
{
	uint64_t h = seed ^ 1469598103934665603ull;

	for (uint64_t i = 0; i < n; i++)
		h = (h ^ (i & 0xff)) * 1099511628211ull;
	return h;
}

/* A xorshift step is quicker than the others' multiplications: more of them make the same time. */
NOINLINE static uint64_t compress_block(uint64_t seed, uint64_t n)
{
	uint64_t x = seed | 1;

	for (uint64_t i = 0; i < n * 2 / 3; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

NOINLINE static uint64_t format_output(uint64_t seed, uint64_t n)
{
	uint32_t a = (uint32_t)seed | 1, b = 0;

	for (uint64_t i = 0; i < n; i++) {
		a = a * 1664525u + 1013904223u;
		b += a >> 29;
	}
	return (uint64_t)b << 32 | a;
}

static const struct step {
	const char *name;
	uint64_t (*fn)(uint64_t seed, uint64_t n);
} steps[] = {
	{ "parse_input", parse_input },
	{ "compute_hash", compute_hash },
	{ "compress_block", compress_block },
	{ "format_output", format_output },
};
#define NR_STEPS (sizeof(steps) / sizeof(steps[0]))

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t lcg_next(uint32_t *lcg)
{
	*lcg = *lcg * 1103515245u + 12345u;
	return *lcg >> 8;
}

/* The four steps in an order of the request's own (the same sequence in every run). */
NOINLINE static uint64_t handle_request(uint64_t seed, uint32_t *lcg, const unsigned int *times, double *cpu)
{
	size_t order[NR_STEPS];

	for (size_t i = 0; i < NR_STEPS; i++)
		order[i] = i;
	for (size_t i = NR_STEPS - 1; i > 0; i--) {
		size_t j = lcg_next(lcg) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (size_t k = 0; k < NR_STEPS; k++) {
		size_t i = order[k];
		double t0 = cpu_now();

		seed = steps[i].fn(seed, (uint64_t)times[i] * (WORK / 2 + lcg_next(lcg) % WORK));
		cpu[i] += cpu_now() - t0;
	}
	return seed;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: frec-regress [-n REQUESTS] [-s FUNCTION] [-f FACTOR]\n"
		   "  -n REQUESTS  requests to serve (default 100)\n"
		   "  -s FUNCTION  make FUNCTION do FACTOR times its work:");
	for (size_t i = 0; i < NR_STEPS; i++)
		fprintf(f, " %s", steps[i].name);
	fprintf(f, "\n  -f FACTOR    the slowdown (default 3)\n");
}

int main(int argc, char **argv)
{
	unsigned int times[NR_STEPS], factor = 3;
	unsigned long requests = 100;
	const char *slow = NULL;
	double cpu[NR_STEPS] = { 0 }, all = 0;
	uint64_t seed = 42;
	uint32_t lcg = 1;
	int c;

	while ((c = getopt(argc, argv, "n:s:f:h")) != -1) {
		switch (c) {
		case 'n':
			requests = strtoul(optarg, NULL, 10);
			break;
		case 's':
			slow = optarg;
			break;
		case 'f':
			factor = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!requests || !factor || optind != argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < NR_STEPS; i++)
		times[i] = slow && !strcmp(slow, steps[i].name) ? factor : 1;
	if (slow) {
		size_t i = 0;

		while (i < NR_STEPS && strcmp(slow, steps[i].name))
			i++;
		if (i == NR_STEPS) {
			fprintf(stderr, "frec-regress: no function '%s'\n", slow);
			usage(stderr);
			return 2;
		}
	}
	for (unsigned long r = 0; r < requests; r++)
		seed = handle_request(seed + r, &lcg, times, cpu);
	sink = seed;
	for (size_t i = 0; i < NR_STEPS; i++)
		all += cpu[i];
	for (size_t i = 0; i < NR_STEPS; i++)
		printf("frec-regress: %s %.3f s %.1f%%\n", steps[i].name, cpu[i], all > 0 ? 100 * cpu[i] / all : 0);
	return 0;
}
