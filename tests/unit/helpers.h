/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the Criterion suites.
 */
#ifndef FREC_TEST_HELPERS_H
#define FREC_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Path of a fixture under tests/data (FREC_TEST_DATA, set by make check). */
static inline const char *test_data(const char *rel, char *buf, size_t size)
{
	const char *dir = getenv("FREC_TEST_DATA");

	snprintf(buf, size, "%s/%s", dir ? dir : "tests/data", rel);
	return buf;
}

static char test_tmpdir_path[256];

static inline int test_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void test_tmpdir_cleanup(void)
{
	if (test_tmpdir_path[0])
		nftw(test_tmpdir_path, test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * A fresh temporary directory for the current test, removed with its contents when the test's
 * process exits (Criterion runs each test in its own process).  One per test.
 */
static inline const char *test_tmpdir(char *buf, size_t size)
{
	const char *base = getenv("TMPDIR");

	size_t len;

	if (!test_tmpdir_path[0]) {
		snprintf(test_tmpdir_path, sizeof(test_tmpdir_path), "%s/frec-test-XXXXXX", base ? base : "/tmp");
		cr_assert_not_null(mkdtemp(test_tmpdir_path), "mkdtemp: %s", strerror(errno));
		atexit(test_tmpdir_cleanup);
	}
	len = strlen(test_tmpdir_path);
	cr_assert_lt(len, size, "temporary directory path too long");
	memcpy(buf, test_tmpdir_path, len + 1);
	return buf;
}

/*
 * Kernel tests call this first.  Without permission to open perf events they skip, with the reason,
 * unless FREC_REQUIRE_PERF=1 (set by CI), where a skip would hide a broken feature: then they fail.
 */
static inline void test_require_perf(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.disabled = 1,
		.exclude_kernel = 1,
	};
	const char *req = getenv("FREC_REQUIRE_PERF");
	int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	int err = errno;
	char paranoid[16] = "?";
	FILE *f;

	if (fd >= 0) {
		close(fd);
		return;
	}
	f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	if (f) {
		if (!fgets(paranoid, sizeof(paranoid), f))
			strcpy(paranoid, "?");
		paranoid[strcspn(paranoid, "\n")] = '\0';
		fclose(f);
	}
	if (req && !strcmp(req, "1"))
		cr_assert_fail("perf_event_open not permitted (%s, perf_event_paranoid=%s) and FREC_REQUIRE_PERF=1",
			 strerror(err), paranoid);
	cr_skip_test("perf_event_open not permitted (%s, perf_event_paranoid=%s)", strerror(err), paranoid);
}

#endif /* FREC_TEST_HELPERS_H */
