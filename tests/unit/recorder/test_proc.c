// SPDX-License-Identifier: MIT
/*
 * /proc/PID/maps lines, /proc/PID/stat's start of stack, build-ids of ELF images, event names.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frec/error.h"
#include "frec/recorder.h"

static int parse(const char *line, struct rec_map *m)
{
	return rec_maps__parse_line(line, strlen(line), m);
}

Test(maps, file_mapping)
{
	struct rec_map m;

	cr_assert_eq(parse("7f1c2a000000-7f1c2a1b2000 r-xp 00028000 fe:01 1835123    /usr/lib/x86_64-linux-gnu/libc.so.6", &m), 0);
	cr_assert_eq(m.start, 0x7f1c2a000000ull);
	cr_assert_eq(m.end, 0x7f1c2a1b2000ull);
	cr_assert_eq(m.pgoff, 0x28000);
	cr_assert_eq(m.maj, 0xfe);
	cr_assert_eq(m.min, 1);
	cr_assert_eq(m.ino, 1835123);
	cr_assert_eq(m.prot, PROT_READ | PROT_EXEC);
	cr_assert_eq(m.flags, MAP_PRIVATE);
	cr_assert_eq(m.path_len, strlen("/usr/lib/x86_64-linux-gnu/libc.so.6"));
	cr_assert_eq(strncmp(m.path, "/usr/lib/x86_64-linux-gnu/libc.so.6", m.path_len), 0);
}

Test(maps, anonymous_special_and_spaces)
{
	struct rec_map m;

	cr_assert_eq(parse("55d0c2a3e000-55d0c2a5f000 rw-p 00000000 00:00 0 ", &m), 0);
	cr_assert_eq(m.path_len, 0);
	cr_assert_eq(m.prot, PROT_READ | PROT_WRITE);
	cr_assert_eq(parse("7ffd1a3f2000-7ffd1a3f4000 r-xp 00000000 00:00 0                          [vdso]", &m), 0);
	cr_assert_eq(strncmp(m.path, "[vdso]", m.path_len), 0);
	cr_assert_eq(parse("7f0000000000-7f0000001000 r-xs 00001000 08:02 42 /tmp/a file (deleted)", &m), 0);
	cr_assert_eq(m.flags, MAP_SHARED);
	cr_assert_eq(strncmp(m.path, "/tmp/a file (deleted)", m.path_len), 0);
	cr_assert_eq(m.path_len, strlen("/tmp/a file (deleted)"));
}

Test(maps, malformed_lines_are_refused)
{
	static const char *const bad[] = {
		"",
		"zzzz",
		"1000-",
		"2000-1000 r-xp 00000000 00:00 0",
		"1000-2000 r-x",
		"1000-2000 r-xp 0 00:00 x",
		"1000-2000 r-xp 00000000 0000 0",
		"10000000000000000000-2 r-xp 0 0:0 0",
	};
	struct rec_map m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse(bad[i], &m), -FREC_E_PARSE, "accepted '%s'", bad[i]);
}

static void *map_file(const char *path, size_t *len)
{
	struct stat sb;
	void *p;
	int fd = open(path, O_RDONLY);

	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &sb), 0);
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	cr_assert_neq(p, MAP_FAILED);
	*len = (size_t)sb.st_size;
	return p;
}

/* A /proc/PID/stat line of this kernel's layout, with @name and startstack @start (field 28). */
static void stat_line(char *buf, size_t size, const char *name, const char *start)
{
	snprintf(buf, size,
		 "4242 (%s) S 1 4242 4242 0 -1 4194304 120 0 0 0 1 0 0 0 20 0 1 0 3000 5000000 300 "
		 "18446744073709551615 94000000000000 94000000100000 %s 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		 name, start);
}

Test(stat, start_of_stack)
{
	char buf[512];
	uint64_t v;

	stat_line(buf, sizeof(buf), "nofp", "140737488346432");
	cr_assert_eq(rec_stat__start_stack(buf, strlen(buf), &v), 0);
	cr_assert_eq(v, 140737488346432ull);
	/* a name with spaces and parentheses: fields count from its last ')' */
	stat_line(buf, sizeof(buf), "a) 1 2 (b c) d", "4096");
	cr_assert_eq(rec_stat__start_stack(buf, strlen(buf), &v), 0);
	cr_assert_eq(v, 4096);
	/* the kernel shows 0 to readers it does not let see it */
	stat_line(buf, sizeof(buf), "x", "0");
	cr_assert_eq(rec_stat__start_stack(buf, strlen(buf), &v), -FREC_E_PARSE);
	/* this process's own */
	{
		int fd = open("/proc/self/stat", O_RDONLY);
		ssize_t n;
		int local;

		cr_assert_geq(fd, 0);
		n = read(fd, buf, sizeof(buf));
		close(fd);
		cr_assert_gt(n, 0);
		cr_assert_eq(rec_stat__start_stack(buf, (size_t)n, &v), 0);
		cr_assert_gt(v, (uint64_t)(uintptr_t)&local, "the stack starts above this frame");
	}
}

Test(stat, malformed_lines_are_refused)
{
	static const char *const bad[] = {
		"",
		"4242 nofp S 1",
		"4242 (nofp) S 1 2 3",
		"4242 (nofp)",
		"4242 (nofp) S 1 4242 4242 0 -1 4194304 120 0 0 0 1 0 0 0 20 0 1 0 3000 5000000 300 1 2 3 x",
		"4242 (nofp) S 1 4242 4242 0 -1 4194304 120 0 0 0 1 0 0 0 20 0 1 0 3000 5000000 300 1 2 3 99999999999999999999999",
		"4242 (nofp) S 1 4242 4242 0 -1 4194304 120 0 0 0 1 0 0 0 20 0 1 0 3000 5000000 300 1 2 3 12x",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(rec_stat__start_stack(bad[i], strlen(bad[i]), &v), -FREC_E_PARSE, "accepted: %s", bad[i]);
	/* cut inside the field or right after it: not a number to trust */
	{
		char buf[512];
		size_t at;

		stat_line(buf, sizeof(buf), "nofp", "140737488346432");
		at = (size_t)(strstr(buf, "1407") - buf);
		cr_assert_eq(rec_stat__start_stack(buf, at + 3, &v), -FREC_E_PARSE);
		cr_assert_eq(rec_stat__start_stack(buf, at + 15, &v), -FREC_E_PARSE);
		cr_assert_eq(rec_stat__start_stack(buf, at + 16, &v), 0);
	}
}

Test(build_id, of_this_test_binary_matches_the_kernel_view)
{
	uint8_t id[20], zero[20] = { 0 };
	size_t len;
	void *img = map_file("/proc/self/exe", &len);
	int n = rec_build_id__from_elf(img, len, id);

	/* gcc on Debian links with --build-id (SHA-1) */
	cr_assert_eq(n, 20);
	cr_assert_neq(memcmp(id, zero, 20), 0);
	/* The same bytes are found from the section headers alone (program headers zeroed). */
	{
		uint8_t *copy = malloc(len), id2[20];
		Elf64_Ehdr *eh = (Elf64_Ehdr *)copy;

		memcpy(copy, img, len);
		eh->e_phnum = 0;
		cr_assert_eq(rec_build_id__from_elf(copy, len, id2), 20);
		cr_assert_eq(memcmp(id, id2, 20), 0);
		free(copy);
	}
	munmap(img, len);
}

Test(build_id, garbage_and_truncated_images)
{
	uint8_t id[20], junk[4096];
	size_t len;
	void *img = map_file("/proc/self/exe", &len);

	memset(junk, 0x41, sizeof(junk));
	cr_assert_eq(rec_build_id__from_elf(junk, sizeof(junk), id), -FREC_E_PARSE);
	cr_assert_lt(rec_build_id__from_elf(junk, 0, id), 1);
	/* Every truncation either finds nothing, finds the id, or refuses: never reads past the end. */
	for (size_t cut = 0; cut < 8192 && cut < len; cut += 61) {
		void *copy = malloc(cut ? cut : 1);
		int n;

		memcpy(copy, img, cut);
		n = rec_build_id__from_elf(copy, cut, id);
		cr_assert(n == 0 || n == 20 || n == -FREC_E_PARSE, "cut %zu gave %d", cut, n);
		free(copy);
	}
	munmap(img, len);
}

Test(events, names)
{
	struct perf_event_attr a = { 0 };

	cr_assert_eq(rec_event__parse("cpu-clock", &a), 0);
	cr_assert_eq(a.type, PERF_TYPE_SOFTWARE);
	cr_assert_eq(a.config, PERF_COUNT_SW_CPU_CLOCK);
	cr_assert_eq(rec_event__parse("cycles", &a), 0);
	cr_assert_eq(a.type, PERF_TYPE_HARDWARE);
	cr_assert_eq(a.config, PERF_COUNT_HW_CPU_CYCLES);
	cr_assert_eq(rec_event__parse("page-faults", &a), 0);
	cr_assert_eq(a.config, PERF_COUNT_SW_PAGE_FAULTS);
	cr_assert_eq(rec_event__parse("context-switches", &a), 0);
	cr_assert_eq(a.config, PERF_COUNT_SW_CONTEXT_SWITCHES);
	cr_assert_eq(rec_event__parse("bogus", &a), -FREC_E_EVENT_UNKNOWN);
	cr_assert_eq(rec_event__parse("sched:../../../etc", &a), -FREC_E_EVENT_UNKNOWN);
	cr_assert_eq(rec_event__parse(":", &a), -FREC_E_EVENT_UNKNOWN);
	cr_assert_eq(rec_event__parse("no_such_sys:no_such_event", &a), -FREC_E_EVENT_UNKNOWN);
}
