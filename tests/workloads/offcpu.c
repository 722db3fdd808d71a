// SPDX-License-Identifier: MIT
/*
 * frec-offcpu: workloads that wait in known places, for off-CPU and wall-clock profiles.
 *
 *   frec-offcpu sleep   one thread: burn 4 ms on CPU, nap_long() 3 ms, nap_short() 1 ms: asleep
 *                       half of its time, in two named functions; and a parked thread, idle
 *                       all along in park() (not in the truth: wall-clock reports leave it out)
 *   frec-offcpu mutex   two threads contend on one mutex (take_lock()) and rest in rest();
 *                       main waits for them in wait_workers(), idle all along
 *   frec-offcpu pipe    a reader blocked in read_pipe() on a pipe that the writer (main) feeds
 *                       every few milliseconds, napping in writer_nap() in between
 *   frec-offcpu fileio  blocking reads of a file with O_DIRECT (read_block()), and naps
 *   frec-offcpu switches  a thread off the CPU and back ~20,000 times a second (bench/offcpu)
 *
 * Each measures, with CLOCK_MONOTONIC around every blocking call, where its threads waited, and
 * prints its truth on standard error when done, one line per function:
 *   truth off-cpu FUNCTION PERCENT   share of the waiting measured in the functions listed (all
 *                                    threads): the time in them less the CPU time used in them
 *   truth wait FUNCTION PERCENT      the same without the time the threads were runnable, waiting
 *                                    for a CPU (the scheduler's run delay, /proc/thread-self/schedstat)
 *   truth wall FUNCTION PERCENT      share of the threads' summed lifetimes
 * Time off CPU includes preemptions (waiting for a CPU), as frec's off-CPU profiles do; on a
 * busy machine they can be most of it, which frec reports as preemptions, not as the function's
 * wait: the wait lines say which function really waited most.  Setting
 * up and removing the file in fileio, and burning CPU, are not listed: the tests compare shares
 * among the functions listed.
 * The tests compare frec's profiles against these lines.  Built with frame pointers, without
 * sanitizers; each named function is kept out of line so that it is a frame of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))
#define MAX_TRUTH 8

struct truth {
	const char *name;
	uint64_t off_ns;  /* off CPU in the function, summed over threads */
	uint64_t run_ns;  /* of which runnable, waiting for a CPU */
	uint64_t wall_ns; /* in the function, on CPU or off */
};

static struct truth truths[MAX_TRUTH];
static size_t nr_truths;
static uint64_t lifetimes_ns; /* threads' lifetimes, summed */
/* a spin lock: the truth must not add waits of its own */
static pthread_spinlock_t truth_lock;
static double run_seconds = 1.5;
/* The function of a thread that does nothing but wait in it: idle all along, which wall-clock
 * profiles leave out, so the truth of the wall-clock profile leaves it out too. */
static const char *idle_in;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The calling thread's time spent runnable but waiting for a CPU, in ns (0 if not known). */
static uint64_t run_delay_ns(void)
{
	unsigned long long on, delay = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &on, &delay) != 2)
		delay = 0;
	fclose(f);
	return delay;
}

/* Where a measured call began: the wall clock, the thread's CPU clock and its run delay. */
struct mark {
	uint64_t wall, cpu, run;
};

static struct mark mark(void)
{
	return (struct mark){ now_ns(), cpu_ns(), run_delay_ns() };
}

/* A call named @name (a string literal) that began at @m ends: the time it spent off CPU (its
 * wall time less the CPU time the thread used in it, in the kernel too) goes to the truth of the
 * off-CPU profile, its wall time to the truth of the wall-clock profile. */
static void account(const char *name, struct mark m)
{
	uint64_t wall = now_ns() - m.wall, cpu = cpu_ns() - m.cpu, run = run_delay_ns() - m.run;
	size_t i;

	pthread_spin_lock(&truth_lock);
	for (i = 0; i < nr_truths && strcmp(truths[i].name, name); i++)
		;
	if (i == nr_truths && nr_truths < MAX_TRUTH)
		truths[nr_truths++].name = name;
	if (i < MAX_TRUTH) {
		truths[i].off_ns += wall > cpu ? wall - cpu : 0;
		truths[i].run_ns += run;
		truths[i].wall_ns += wall;
	}
	pthread_spin_unlock(&truth_lock);
}

static void account_life(uint64_t ns)
{
	pthread_spin_lock(&truth_lock);
	lifetimes_ns += ns;
	pthread_spin_unlock(&truth_lock);
}

static void print_truth(void)
{
	uint64_t all = 0, waits = 0;

	for (size_t i = 0; i < nr_truths; i++) {
		all += truths[i].off_ns;
		waits += truths[i].off_ns > truths[i].run_ns ? truths[i].off_ns - truths[i].run_ns : 0;
	}
	for (size_t i = 0; i < nr_truths; i++) {
		uint64_t w = truths[i].off_ns > truths[i].run_ns ? truths[i].off_ns - truths[i].run_ns : 0;

		fprintf(stderr, "truth wait %s %.1f\n", truths[i].name, waits ? 100.0 * (double)w / (double)waits : 0);
	}
	for (size_t i = 0; i < nr_truths; i++)
		fprintf(stderr, "truth off-cpu %s %.1f\n", truths[i].name,
			all ? 100.0 * (double)truths[i].off_ns / (double)all : 0);
	for (size_t i = 0; i < nr_truths; i++)
		fprintf(stderr, "measured %s %.3f s off CPU (%.3f s of it runnable), %.3f s in all\n", truths[i].name,
			(double)truths[i].off_ns / 1e9, (double)truths[i].run_ns / 1e9, (double)truths[i].wall_ns / 1e9);
	for (size_t i = 0; i < nr_truths; i++)
		if (!idle_in || strcmp(idle_in, truths[i].name))
			fprintf(stderr, "truth wall %s %.1f\n", truths[i].name,
				lifetimes_ns ? 100.0 * (double)truths[i].wall_ns / (double)lifetimes_ns : 0);
}

static volatile uint64_t sink;

/* Spin on the CPU for @ns. */
static NOINLINE void burn(uint64_t ns)
{
	uint64_t end = now_ns() + ns;
	uint64_t x = sink;

	while (now_ns() < end)
		for (int i = 0; i < 1000; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
	sink = x;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static bool time_left(uint64_t start)
{
	return now_ns() - start < (uint64_t)(run_seconds * 1e9);
}

/* ---- sleep ---------------------------------------------------------------------------------- */

static NOINLINE void nap_long(void)
{
	struct mark t = mark();

	sleep_ns(3000000);
	account("nap_long", t);
}

static NOINLINE void nap_short(void)
{
	struct mark t = mark();

	sleep_ns(1000000);
	account("nap_short", t);
}

/* A pool's parked worker: waits for work that never comes, the whole run long. */
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;

static NOINLINE void *park(void *arg)
{
	/* a name of its own, so that a report can leave it out: --comm frec-offcpu keeps the others */
	prctl(PR_SET_NAME, "frec-parked");
	pthread_mutex_lock(&park_lock);
	for (;;)
		pthread_cond_wait(&park_cond, &park_lock);
	return arg;
}

static int run_sleep(void)
{
	uint64_t start = now_ns();
	pthread_t idle;

	if (pthread_create(&idle, NULL, park, NULL) || pthread_detach(idle))
		return 1;

	while (time_left(start)) {
		burn(4000000);
		nap_long();
		nap_short();
	}
	account_life(now_ns() - start);
	return 0;
}

/* ---- mutex ---------------------------------------------------------------------------------- */

static pthread_mutex_t contended = PTHREAD_MUTEX_INITIALIZER;

static NOINLINE void take_lock(void)
{
	struct mark t = mark();

	pthread_mutex_lock(&contended);
	account("take_lock", t);
}

/* Off the lock for a while, so that the other thread gets it (glibc's mutex is not fair). */
static NOINLINE void rest(void)
{
	struct mark t = mark();

	sleep_ns(300000);
	account("rest", t);
}

static void *contender(void *arg)
{
	uint64_t start = *(const uint64_t *)arg, born = now_ns();

	while (time_left(start)) {
		take_lock();
		burn(3000000); /* held: longer than a rest, so the other thread waits */
		pthread_mutex_unlock(&contended);
		rest();
	}
	account_life(now_ns() - born);
	return NULL;
}

static NOINLINE void wait_workers(pthread_t *t, size_t n)
{
	struct mark m = mark();

	for (size_t i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	account("wait_workers", m);
}

static int run_mutex(void)
{
	uint64_t start = now_ns();
	pthread_t t[2];

	for (size_t i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, contender, &start))
			return 1;
	/* main only waits: idle all along */
	idle_in = "wait_workers";
	wait_workers(t, 2);
	return 0;
}

/* ---- pipe ----------------------------------------------------------------------------------- */

static NOINLINE ssize_t read_pipe(int fd, char *buf, size_t len)
{
	struct mark t = mark();
	ssize_t n = read(fd, buf, len);

	account("read_pipe", t);
	return n;
}

static void *reader(void *arg)
{
	int fd = *(const int *)arg;
	uint64_t born = now_ns();
	char buf[64];

	while (read_pipe(fd, buf, sizeof(buf)) > 0)
		burn(100000);
	account_life(now_ns() - born);
	return NULL;
}

static NOINLINE void writer_nap(void)
{
	struct mark t = mark();

	sleep_ns(2000000);
	account("writer_nap", t);
}

static int run_pipe(void)
{
	uint64_t start = now_ns();
	pthread_t t;
	int fds[2];

	if (pipe(fds) || pthread_create(&t, NULL, reader, &fds[0]))
		return 1;
	while (time_left(start)) {
		burn(1000000);
		if (write(fds[1], "x", 1) != 1)
			return 1;
		writer_nap();
	}
	close(fds[1]);
	wait_workers(&t, 1);
	account_life(now_ns() - start);
	return 0;
}

/* ---- fileio --------------------------------------------------------------------------------- */

#define FILE_BYTES (8u << 20)
#define BLOCK 65536u

static NOINLINE ssize_t read_block(int fd, void *buf, off_t off, bool drop)
{
	struct mark t = mark();
	ssize_t n;

	/* Without O_DIRECT (tmpfs...), push the block out of the page cache first. */
	if (drop)
		posix_fadvise(fd, off, BLOCK, POSIX_FADV_DONTNEED);
	n = pread(fd, buf, BLOCK, off);
	account("read_block", t);
	return n;
}

static NOINLINE void file_nap(void)
{
	struct mark t = mark();

	sleep_ns(1000000);
	account("file_nap", t);
}

/* A file of FILE_BYTES on the disk, and a descriptor that reads it around the page cache. */
static NOINLINE int setup_file(const char *dir, void *buf, int *fd, int *rfd, bool *drop)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/frec-offcpu.%d", dir, (int)getpid());
	*fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (*fd < 0)
		return -1;
	memset(buf, 'x', BLOCK);
	for (off_t o = 0; o < FILE_BYTES; o += BLOCK)
		if (pwrite(*fd, buf, BLOCK, o) != BLOCK)
			return -1;
	fsync(*fd);
	*rfd = open(path, O_RDONLY | O_DIRECT);
	*drop = *rfd < 0;
	if (*drop)
		*rfd = *fd;
	unlink(path);
	return 0;
}

static NOINLINE void drop_file(int fd, int rfd)
{
	if (rfd != fd)
		close(rfd);
	close(fd); /* the file's blocks are freed (and discarded) here */
}

static int run_fileio(const char *dir)
{
	uint64_t start = now_ns(), x = 88172645463325252ull;
	bool drop = false;
	void *buf;
	int fd, rfd;

	if (posix_memalign(&buf, 4096, BLOCK) || setup_file(dir, buf, &fd, &rfd, &drop))
		return 1;
	while (time_left(start)) {
		burn(1000000);
		for (int i = 0; i < 4; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (read_block(rfd, buf, (off_t)(x % (FILE_BYTES / BLOCK)) * BLOCK, drop) != BLOCK)
				return 1;
		}
		file_nap();
	}
	drop_file(fd, rfd);
	account_life(now_ns() - start);
	free(buf);
	return 0;
}

/* ---- switches ----------------------------------------------------------------------------- */

/* Off the CPU and back as often as the timer allows (20,000 times a second or so), for the cost of
 * recording switches (bench/offcpu).  Prints the rate reached. */
static int run_switches(void)
{
	uint64_t start = now_ns(), n = 0;

	prctl(PR_SET_TIMERSLACK, 1ul);
	while (time_left(start)) {
		sleep_ns(40000);
		n++;
	}
	fprintf(stderr, "switches %.0f per second\n", (double)n * 1e9 / (double)(now_ns() - start));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int ret;

	if (argc > 2)
		run_seconds = atof(argv[2]);
	pthread_spin_init(&truth_lock, PTHREAD_PROCESS_PRIVATE);
	if (!strcmp(mode, "sleep"))
		ret = run_sleep();
	else if (!strcmp(mode, "mutex"))
		ret = run_mutex();
	else if (!strcmp(mode, "pipe"))
		ret = run_pipe();
	else if (!strcmp(mode, "switches"))
		ret = run_switches();
	else if (!strcmp(mode, "fileio"))
		ret = run_fileio(getenv("TMPDIR") ? getenv("TMPDIR") : ".");
	else {
		fprintf(stderr, "usage: frec-offcpu sleep|mutex|pipe|fileio|switches [SECONDS]\n");
		return 2;
	}
	if (ret)
		return 1;
	print_truth();
	return 0;
}
