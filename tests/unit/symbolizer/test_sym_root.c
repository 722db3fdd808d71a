// SPDX-License-Identifier: MIT
/*
 * At report time, a mapped file is looked for first in the root of the process that mapped it
 * (/proc/PID/root), for processes in containers.  That process controls what is there: a link it
 * planted must resolve inside its root, never to a file of the reader's.  A chroot'ed child stands
 * for the container.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "sym_fixture.h"

#define BASE_LINK 0x555555550000ull
#define BASE_FILE 0x777777770000ull
#define MAP_LEN 0x100000ull
#define T(ms) (SYMFIX_START_NS + (uint64_t)(ms) * 1000000ull)

static pid_t child = -1;
static struct symfix_trace tr;
static struct frec_profile *prof;
static char *out;

static void teardown(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	frec_profile__free(prof);
	free(out);
}

TestSuite(sym_root, .fini = teardown, .timeout = 20.);

/* A child process whose root is @jail, running until the test ends. */
static pid_t jailed_child(const char *jail)
{
	int ready[2];
	char c;
	pid_t pid;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		if (chroot(jail) || chdir("/"))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the child could not chroot");
	close(ready[0]);
	return pid;
}

static void copy(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), o = open(to, O_WRONLY | O_CREAT | O_EXCL, 0755);
	ssize_t n;

	cr_assert(in >= 0 && o >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		cr_assert_eq(write(o, buf, (size_t)n), n);
	close(in);
	close(o);
}

static uint64_t pc_at(const char *path, uint64_t base, const char *sym)
{
	uint64_t addr, size;

	symfix_sym(path, sym, &addr, &size);
	return base + symfix_offset(path, addr);
}

Test(sym_root, a_link_in_the_process_root_stays_in_it)
{
	char dir[256], jail[300], p[600], fixture[512];
	const char *s;
	int named = 0;

	if (geteuid())
		cr_skip_test("needs root to chroot a process");
	symfix("fix_nodebug", fixture, sizeof(fixture));
	snprintf(jail, sizeof(jail), "%s/jail", test_tmpdir(dir, sizeof(dir)));
	cr_assert_eq(mkdir(jail, 0755), 0);
	/* /file.so in the jail is the fixture; /link.so aims at the fixture's path outside it. */
	snprintf(p, sizeof(p), "%s/file.so", jail);
	copy(fixture, p);
	snprintf(p, sizeof(p), "%s/link.so", jail);
	cr_assert_eq(symlink(fixture, p), 0);
	child = jailed_child(jail);

	symfix_trace_begin(&tr, "root");
	symfix_comm(&tr, (uint32_t)child, (uint32_t)child, "jailed", T(0), false);
	symfix_mmap2(&tr, (uint32_t)child, BASE_LINK, MAP_LEN, 0, "/link.so", T(0));
	symfix_mmap2(&tr, (uint32_t)child, BASE_FILE, MAP_LEN, 0, "/file.so", T(0));
	uint64_t via_link[] = { PERF_CONTEXT_USER, pc_at(fixture, BASE_LINK, "fix_leaf") };
	uint64_t via_file[] = { PERF_CONTEXT_USER, pc_at(fixture, BASE_FILE, "fix_leaf") };
	symfix_sample(&tr, (uint32_t)child, (uint32_t)child, T(1), via_link, 2);
	symfix_sample(&tr, (uint32_t)child, (uint32_t)child, T(2), via_file, 2);
	prof = symfix_profile(&tr, NULL);
	out = symfix_folded(prof);
	/* The jail's own file is read through its root; the link led to the fixture outside it. */
	for (s = out; (s = strstr(s, "fix_leaf")); s++)
		named++;
	cr_assert_eq(named, 1, "expected only /file.so's frame named, got:\n%s", out);
}
