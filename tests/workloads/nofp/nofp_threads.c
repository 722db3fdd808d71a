// SPDX-License-Identifier: MIT
/*
 * nofp-threads: a threaded service built as distributions build code (-O2 -g
 * -fomit-frame-pointer): THREADS glibc threads (4 by default) with shallow stacks, each serving
 * "requests" until SECONDS pass, while the main thread waits for them.  A request hashes a block
 * (a leaf) and sorts a small array through libc's qsort, calling back into the workload:
 *
 *   start_thread;nofp_thread_main;nofp_thread_serve;nofp_thread_hash
 *   start_thread;nofp_thread_main;nofp_thread_serve;qsort...;nofp_thread_cmp
 *
 * The workers are named nofp-worker.  Each leaves a marker that no unwinder needs in its thread
 * descriptor (struct pthread, at the top of its stack mapping): NOFP_TCB_MARKER, stored with
 * pthread_setspecific().  A recorder that ends a worker's stack copy below its descriptor never
 * stores it.
 *
 * usage: nofp-threads [SECONDS [THREADS]]   SECONDS defaults to 3, THREADS to 4 (at most 64)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nofp.h"

/* "frecTCB!" as a little-endian word: greppable in a decompressed trace. */
#define NOFP_TCB_MARKER 0x2142435463657266ull
#define NOFP_SORT_LEN 64

static volatile uint64_t nofp_sink;
static double nofp_until;
static pthread_key_t nofp_key;

NOFP_NOIPA static uint64_t nofp_thread_hash(uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4000; i++)
		x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ull + (uint64_t)i;
	return x;
}

NOFP_NOIPA static int nofp_thread_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	for (int i = 0; i < 16; i++) {
		x = x * 6364136223846793005ull + 1;
		y = y * 6364136223846793005ull + 1;
	}
	return (x > y) - (x < y);
}

NOFP_NOIPA static uint64_t nofp_thread_serve(uint64_t seed)
{
	uint64_t a[NOFP_SORT_LEN];

	for (size_t i = 0; i < NOFP_SORT_LEN; i++) {
		seed = seed * 1103515245u + 12345u;
		a[i] = seed;
	}
	qsort(a, NOFP_SORT_LEN, sizeof(a[0]), nofp_thread_cmp);
	return nofp_thread_hash(a[0] ^ seed);
}

/* Out of line and before the loop: the marker is never in a register that a frame saves. */
NOFP_NOIPA static int nofp_thread_mark(void)
{
	pthread_setname_np(pthread_self(), "nofp-worker");
	return pthread_setspecific(nofp_key, (void *)(uintptr_t)NOFP_TCB_MARKER);
}

NOFP_NOIPA static void *nofp_thread_main(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg;

	if (nofp_thread_mark())
		return NULL;
	while (nofp_now() < nofp_until)
		seed = nofp_thread_serve(seed);
	nofp_sink = seed;
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	int n = argc > 2 ? atoi(argv[2]) : 4;
	pthread_t t[64];
	int started = 0;

	if (secs <= 0 || n < 1 || n > 64) {
		fprintf(stderr, "usage: nofp-threads [SECONDS [THREADS]]\n");
		return 2;
	}
	if (pthread_key_create(&nofp_key, NULL)) {
		fprintf(stderr, "nofp-threads: no thread-specific key\n");
		return 1;
	}
	nofp_until = nofp_now() + secs;
	for (; started < n; started++)
		if (pthread_create(&t[started], NULL, nofp_thread_main, (void *)(uintptr_t)(started + 1))) {
			fprintf(stderr, "nofp-threads: cannot start thread %d\n", started + 1);
			break;
		}
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	return started == n ? 0 : 1;
}
