// SPDX-License-Identifier: MIT
/*
 * frec-demo: a small CPU-bound "service" with known function names, for the quick start and the
 * kernel tests.  Each request parses a payload (the hot spot), checksums it, sorts items through
 * qsort with a callback, and hands the result to a plugin that is dlopen'ed late.  A worker thread
 * serves requests too, and a forked child process crunches numbers, so that threads and children
 * show up in profiles.
 *
 *   frec-demo [-d SECONDS | -n REQUESTS] [-c CHILDREN] [-t THREADS]
 *
 * With -n, each serving thread handles REQUESTS requests and each child as many work units, so the
 * work is fixed and its wall time measures a profiler's slowdown (bench/record).
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;
static double deadline;
static uint64_t limit; /* requests per thread, 0 = until the deadline */
static uint64_t (*plugin_transform)(const uint8_t *buf, size_t len);

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

NOINLINE static uint64_t parse_request(const uint8_t *buf, size_t len)
{
	uint64_t state = 1469598103934665603ull;

	for (int round = 0; round < 24; round++)
		for (size_t i = 0; i < len; i++)
			state = (state ^ buf[i]) * 1099511628211ull + (uint64_t)round;
	return state;
}

NOINLINE static uint64_t checksum_block(const uint8_t *buf, size_t len)
{
	uint32_t a = 1, b = 0;

	for (int round = 0; round < 16; round++) {
		for (size_t i = 0; i < len; i++) {
			a = (a + buf[i]) % 65521;
			b = (b + a) % 65521;
		}
	}
	return (uint64_t)b << 16 | a;
}

NOINLINE static int compare_items(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

NOINLINE static uint64_t sort_items(uint32_t *items, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		items[i] = (uint32_t)(seed >> 33);
	}
	qsort(items, n, sizeof(*items), compare_items);
	return items[n / 2];
}

NOINLINE static void handle_request(uint64_t id)
{
	/* Per-thread buffers on the heap, as a service would keep them. */
	static __thread uint8_t *payload;
	static __thread uint32_t *items;
	enum { PAYLOAD = 4096, ITEMS = 2048 };
	uint64_t v;

	if (!payload) {
		payload = malloc(PAYLOAD);
		items = malloc(ITEMS * sizeof(*items));
		if (!payload || !items)
			abort();
	}

	for (size_t i = 0; i < PAYLOAD; i++)
		payload[i] = (uint8_t)(id * 31 + i * 7);
	v = parse_request(payload, PAYLOAD);
	v ^= checksum_block(payload, PAYLOAD);
	v ^= sort_items(items, ITEMS, v);
	if (plugin_transform)
		v ^= plugin_transform(payload, PAYLOAD);
	sink += v;
}

NOINLINE static void serve_requests(void)
{
	for (uint64_t id = 0; limit ? id < limit : now() < deadline; id++)
		handle_request(id);
}

static void *worker_thread(void *arg)
{
	(void)arg;
	serve_requests();
	return NULL;
}

NOINLINE static uint64_t child_crunch(uint64_t n)
{
	uint64_t x = n;

	for (int i = 0; i < 2000000; i++)
		x = x * 2862933555777941757ull + 3037000493ull;
	return x;
}

NOINLINE static void child_main(void)
{
	for (uint64_t n = 0; limit ? n < limit : now() < deadline; n++)
		sink += child_crunch(n);
}

/* Load the plugin from the directory of this executable, as a late dlopen. */
static void load_plugin(void)
{
	char exe[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	void *h;

	if (n <= 0)
		return;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(path, sizeof(path), "%s/libfrecdemo.so", exe);
	h = dlopen(path, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "frec-demo: %s (continuing without the plugin)\n", dlerror());
		return;
	}
	*(void **)&plugin_transform = dlsym(h, "plugin_transform");
}

int main(int argc, char **argv)
{
	double seconds = 5;
	int children = 1, threads = 1, c;
	pthread_t tids[64];

	while ((c = getopt(argc, argv, "d:n:c:t:")) != -1) {
		switch (c) {
		case 'd':
			seconds = atof(optarg);
			break;
		case 'n':
			limit = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			children = atoi(optarg);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: frec-demo [-d SECONDS | -n REQUESTS] [-c CHILDREN] [-t THREADS]\n");
			return 2;
		}
	}
	if (threads < 0 || threads > 64 || children < 0 || children > 64 || !(seconds > 0)) {
		fprintf(stderr, "frec-demo: bad arguments\n");
		return 2;
	}
	deadline = now() + seconds;
	for (int i = 0; i < children; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			child_main();
			_exit(0);
		}
	}
	/* With -n, a fixed amount of work: every request goes through the plugin, however long the
	 * dlopen takes on a busy machine (tests compare the shares of two runs). */
	if (limit)
		load_plugin();
	for (int i = 0; i < threads; i++)
		pthread_create(&tids[i], NULL, worker_thread, NULL);
	/* Serve a little before the plugin arrives, so its mapping appears mid-recording. */
	while (!limit && now() < deadline - seconds * 0.8)
		handle_request(0);
	if (!limit)
		load_plugin();
	serve_requests();
	for (int i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	while (wait(NULL) > 0)
		;
	printf("frec-demo: done (%llu)\n", (unsigned long long)(sink & 0xff));
	return 0;
}
