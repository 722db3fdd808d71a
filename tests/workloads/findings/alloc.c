// SPDX-License-Identifier: MIT
/*
 * A tokenizer that allocates a node for every token and frees them all after each document, with
 * sizes that defeat malloc's per-thread cache: the planted cause is tokenize_document ->
 * malloc/free, about 40% of the CPU.  The workload's clock times the allocation and freeing loops,
 * which do nothing else.  See planted.h.
 */
#include "planted.h"

#define TOKENS 4096

static void *nodes[TOKENS];
static size_t sizes[TOKENS];

NOINLINE static uint64_t tokenize_document(void)
{
	uint64_t sum = 0;

	PLANTED({
		for (int i = 0; i < TOKENS; i++)
			nodes[i] = malloc(sizes[i]);
		for (int i = 0; i < TOKENS; i += 2)
			free(nodes[i]);
		for (int i = 0; i < TOKENS; i += 2)
			nodes[i] = malloc(sizes[(i * 7) % TOKENS]);
		for (int i = 0; i < TOKENS; i++)
			free(nodes[i]);
	});
	for (int i = 0; i < TOKENS; i += 64)
		sum += sizes[i];
	return sum;
}

int main(int argc, char **argv)
{
	double seconds = planted_duration(argc, argv);

	for (int i = 0; i < TOKENS; i++)
		sizes[i] = 24 + rnd() % 2000;
	/* as planted_loop(), with the clock inside tokenize_document, around the allocations alone */
	while (planted_running(seconds)) {
		if (planted_seconds < 0.40 * clock_s(CLOCK_THREAD_CPUTIME_ID))
			planted_sink += tokenize_document();
		else
			background_step();
	}
	planted_report("tokenize_document");
	return 0;
}
