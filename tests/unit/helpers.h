/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the Criterion suites.
 */
#ifndef FREC_TEST_HELPERS_H
#define FREC_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <errno.h>
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

/* A fresh temporary directory for one test; removed by the test runner's tmp cleanup. */
static inline const char *test_tmpdir(char *buf, size_t size)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, size, "%s/frec-test-XXXXXX", base ? base : "/tmp");
	cr_assert_not_null(mkdtemp(buf), "mkdtemp: %s", strerror(errno));
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
