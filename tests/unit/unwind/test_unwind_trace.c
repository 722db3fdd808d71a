// SPDX-License-Identifier: MIT
/*
 * The symbolizer on a trace of DWARF samples taken from this very process (capture.h): the whole
 * stack named, and the stack health of copies too small and of stacks cut short.
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "fixture.h"
#include "common/trace_fixture.h"
#include "frec/profile.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"
#include "helpers.h"

struct itrace {
	struct trace_writer *w;
	char path[512];
	uint8_t buf[65536];
	uint64_t mask;
};

static void itrace_put_trailer(uint8_t **p, uint32_t pid, uint64_t time)
{
	fix_put(p, (uint64_t)pid << 32 | pid);
	fix_put(p, time);
	fix_put(p, 1);
	fix_put(p, 7);
}

/* A DWARF-mode trace (header, attr asking for @request bytes of stack) and this process's mappings. */
static void itrace_begin(struct itrace *t, const struct unw_capture *c, uint32_t request)
{
	static const char *const kv[] = { "event=cpu-clock", "command=test_unwind", "hostname=test",
					  "release=0.0-test", "call_graph=dwarf,8192", "max_stack=127" };
	struct trace_meta meta = {
		.start_ns = 1000000000ull, .clockid = 1, .nr_cpus = 2, .page_size = 4096, .nr_kv = 6, .kv = kv,
	};
	struct perf_event_attr attr = fix_attr(PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER);
	uint32_t pid = (uint32_t)getpid();
	uint64_t id = 7;
	char dir[256];

	attr.sample_regs_user = c->mask;
	attr.sample_stack_user = request;
	t->mask = c->mask;
	snprintf(t->path, sizeof(t->path), "%s/dwarf-%u.zst", test_tmpdir(dir, sizeof(dir)), request);
	cr_assert_eq(fix_writer_open(t->path, NULL, &t->w), 0);
	cr_assert_eq(trace_writer__write_header(t->w, &meta), 0);
	cr_assert_eq(trace_writer__write_attr(t->w, &attr, &id, 1, "cpu-clock"), 0);
	read_maps(c->sp);
	for (size_t i = 0; i < nr_maps; i++) {
		struct perf_event_header *h = (void *)t->buf;
		uint8_t *p = (uint8_t *)(h + 1);
		size_t n = strlen(map_paths[i]) + 1;
		uint32_t prot = 5 /* PROT_READ | PROT_EXEC */, flags = 2 /* MAP_PRIVATE */;

		memset(t->buf, 0, 4096);
		h->type = PERF_RECORD_MMAP2;
		memcpy(p, &pid, 4);
		memcpy(p + 4, &pid, 4);
		p += 8;
		fix_put(&p, maps[i].start);
		fix_put(&p, maps[i].end - maps[i].start);
		fix_put(&p, maps[i].pgoff);
		p += 24;
		memcpy(p, &prot, 4);
		memcpy(p + 4, &flags, 4);
		p += 8;
		memcpy(p, map_paths[i], n);
		p += (n + 7) & ~7ul;
		itrace_put_trailer(&p, pid, 1000000000ull);
		h->size = (uint16_t)(p - t->buf);
		cr_assert_eq(trace_writer__write(t->w, t->buf, h->size), 0);
	}
	cr_assert_eq(trace_writer__write(t->w, t->buf, fix_comm(t->buf, pid, pid, "test_unwind", 1000000000ull, 7)), 0);
}

/* A user-mode sample of capture @c: no callchain (dwarf mode), its registers and @size bytes of stack. */
static void itrace_sample(struct itrace *t, const struct unw_capture *c, uint64_t size, uint64_t time)
{
	struct perf_event_header *h = (void *)t->buf;
	uint8_t *p = (uint8_t *)(h + 1);
	uint32_t pid = (uint32_t)getpid();

	cr_assert_leq(size, c->size);
	h->type = PERF_RECORD_SAMPLE;
	h->misc = PERF_RECORD_MISC_USER;
	fix_put(&p, 7);
	fix_put(&p, c->regs[8]);
	fix_put(&p, (uint64_t)pid << 32 | pid);
	fix_put(&p, time);
	fix_put(&p, 1);
	fix_put(&p, 1000000);
	fix_put(&p, 0); /* callchain: no kernel part for a user-mode sample */
	fix_put(&p, PERF_SAMPLE_REGS_ABI_64);
	for (int i = 0; i < __builtin_popcountll(t->mask); i++)
		fix_put(&p, c->regs[i]);
	fix_put(&p, size);
	memcpy(p, c->stack, size);
	p += size;
	fix_put(&p, size);
	h->size = (uint16_t)(p - t->buf);
	cr_assert_eq(trace_writer__write(t->w, t->buf, h->size), 0);
}

static struct frec_profile *itrace_profile(struct itrace *t)
{
	struct trace_reader *r;
	struct frec_profile *prof;

	cr_assert_eq(trace_writer__close(t->w), 0);
	cr_assert_eq(trace_reader__open(t->path, &r), 0);
	cr_assert_eq(sym_profile__from_trace(r, NULL, &prof), 0);
	trace_reader__close(r);
	return prof;
}

static char *folded_of(const struct frec_profile *prof)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	cr_assert_eq(frec_profile__write_folded(prof, f), 0);
	fclose(f);
	return out;
}

Test(unwind_symbolizer, dwarf_trace_gives_the_whole_stack_named)
{
	static struct itrace t;
	struct unw_capture c = { .limit = 16 << 10 };
	struct frec_profile *prof;
	char *folded;

	unw_fixture_outer(&c, 3);
	itrace_begin(&t, &c, 16 << 10);
	itrace_sample(&t, &c, c.size, 1100000000ull);
	itrace_sample(&t, &c, c.size, 1200000000ull);
	prof = itrace_profile(&t);
	folded = folded_of(prof);
	cr_assert(strstr(folded, ";unw_fixture_outer;unw_fixture_middle;unw_fixture_middle;unw_fixture_middle;"
			 "unw_fixture_middle;unw_fixture_inner;unw_capture__take 2\n"), "%s", folded);
	/* the stack ends at the thread's entry function, as frame-pointer stacks do (without libc's
	 * symbols that function has no name to end at, and the walk goes on to its exported caller) */
	cr_assert(!strncmp(folded, ROOT_CALLER ";", strlen(ROOT_CALLER) + 1) ||
		  !strncmp(folded, "__libc_start_main;libc.so.6+0x", 30), "%s", folded);
	cr_assert_eq(frec_profile__meta(prof)->health.truncated, 0, "%s", folded);
	cr_assert_eq(frec_profile__meta(prof)->health.unwind_failed, 0, "%s", folded);
	cr_assert_eq(frec_profile__meta(prof)->health.stack_copy_full, 0, "%s", folded);
	free(folded);
	frec_profile__free(prof);
	free(c.stack);
}

Test(unwind_symbolizer, a_full_stack_copy_is_counted_as_such)
{
	static struct itrace t;
	struct unw_capture c = { .limit = 16 << 10 };
	struct frec_profile *prof;

	unw_fixture_outer(&c, 3);
	/* a copy of 256 bytes, all of the requested size: the walk runs out of it (the report then
	 * names the fix: tests/unit/render/test_health.c) */
	itrace_begin(&t, &c, 256);
	itrace_sample(&t, &c, 256, 1100000000ull);
	prof = itrace_profile(&t);
	cr_assert_eq(frec_profile__meta(prof)->health.stack_copy_full, 1);
	cr_assert_eq(frec_profile__meta(prof)->health.truncated, 1);
	cr_assert_eq(frec_profile__meta(prof)->health.unwind_failed, 0);
	frec_profile__free(prof);
	free(c.stack);
}

Test(unwind_symbolizer, a_stack_cut_short_is_truncated_whatever_stopped_it)
{
	static struct itrace t;
	struct unw_capture c = { .limit = 16 << 10 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_result res;
	struct frec_profile *prof;
	uint64_t zero = 0;
	int n, outer;

	unw_fixture_outer(&c, 3);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	unw_free(u);
	outer = find_frame(names, n, 0, "unw_fixture_outer");
	cr_assert(outer >= 1 && outer + 1 < n);
	/* the walk ends at unw_fixture_outer, on a zero return address: short of any root */
	memcpy(c.stack + ra_slot(&c, frames[outer + 1].pc), &zero, 8);
	itrace_begin(&t, &c, 16 << 10);
	itrace_sample(&t, &c, c.size, 1100000000ull);
	prof = itrace_profile(&t);
	cr_assert_eq(frec_profile__meta(prof)->health.samples, 1);
	cr_assert_eq(frec_profile__meta(prof)->health.truncated, 1);
	cr_assert_eq(frec_profile__meta(prof)->health.unwind_failed, 1);
	frec_profile__free(prof);
	free(c.stack);
}
