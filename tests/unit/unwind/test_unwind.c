// SPDX-License-Identifier: MIT
/*
 * sym_unwinder on samples taken from this very process, no kernel needed: getcontext() gives the
 * registers, a copy of the stack from SP upward plays the kernel's stack copy, and /proc/self/maps
 * gives the mappings.  The chain must go through the fixture's frame-pointer-less functions up to
 * main; libdw's own /proc reporting names the pcs.
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
#include <ucontext.h>
#include <unistd.h>

#include "fixture.h"
#include "unwind.h"

/* perf register numbers, asm/perf_regs.h */
enum { P_AX, P_BX, P_CX, P_DX, P_SI, P_DI, P_BP, P_SP, P_IP, P_R8 = 16 };

struct unw_capture {
	size_t limit;        /* bytes of stack to copy at most */
	ucontext_t uc;
	uint64_t sp;
	uint8_t *stack;
	size_t size;
	uint64_t regs[32];
	uint64_t mask;
};

#define MAX_MAPS 512
static struct sym_unwind_map maps[MAX_MAPS];
static char map_paths[MAX_MAPS][256];
static size_t nr_maps;

/* Executable file mappings of this process, and the end of the mapping that holds @sp. */
static uint64_t read_maps(uint64_t sp)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uint64_t stack_end = 0;

	cr_assert_not_null(f);
	nr_maps = 0;
	while (fgets(line, sizeof(line), f)) {
		uint64_t start, end, off;
		char perms[8], path[256] = "";

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %255s", &start, &end, perms,
			   &off, path) < 4)
			continue;
		if (sp >= start && sp < end)
			stack_end = end;
		if (perms[2] != 'x' || path[0] != '/' || nr_maps == MAX_MAPS)
			continue;
		snprintf(map_paths[nr_maps], sizeof(map_paths[0]), "%s", path);
		maps[nr_maps] = (struct sym_unwind_map){
			.start = start, .end = end, .pgoff = off, .path = map_paths[nr_maps],
		};
		nr_maps++;
	}
	fclose(f);
	return stack_end;
}

/* A plain byte copy: the sanitizers must not see it read other frames' redzones. */
__attribute__((no_sanitize_address, noinline)) static void copy_stack(uint8_t *dst, const uint8_t *src,
								     size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = ((const volatile uint8_t *)src)[i];
}

__attribute__((noinline)) void unw_capture__take(struct unw_capture *c)
{
	const greg_t *g;
	uint64_t end;

	memset(&c->uc, 0, sizeof(c->uc));
	cr_assert_eq(getcontext(&c->uc), 0);
	g = c->uc.uc_mcontext.gregs;
	c->sp = (uint64_t)g[REG_RSP];
	end = read_maps(c->sp);
	cr_assert_gt(end, c->sp, "no mapping holds the stack pointer");
	c->size = end - c->sp < c->limit ? end - c->sp : c->limit;
	c->stack = malloc(c->size ? c->size : 1);
	cr_assert_not_null(c->stack);
	copy_stack(c->stack, (const uint8_t *)(uintptr_t)c->sp, c->size);

	/* The registers as REGS_USER would hold them: one value per mask bit, lowest bit first. */
	{
		const struct { int perf; int greg; } order[] = {
			{ P_AX, REG_RAX }, { P_BX, REG_RBX }, { P_CX, REG_RCX }, { P_DX, REG_RDX },
			{ P_SI, REG_RSI }, { P_DI, REG_RDI }, { P_BP, REG_RBP }, { P_SP, REG_RSP },
			{ P_IP, REG_RIP }, { P_R8, REG_R8 }, { P_R8 + 1, REG_R9 }, { P_R8 + 2, REG_R10 },
			{ P_R8 + 3, REG_R11 }, { P_R8 + 4, REG_R12 }, { P_R8 + 5, REG_R13 },
			{ P_R8 + 6, REG_R14 }, { P_R8 + 7, REG_R15 },
		};
		size_t k = 0;

		c->mask = 0;
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			c->mask |= 1ull << order[i].perf;
			c->regs[k++] = (uint64_t)g[order[i].greg];
		}
	}
}

static struct sym_unwind_sample sample_of(const struct unw_capture *c)
{
	return (struct sym_unwind_sample){
		.pid = getpid(),
		.tid = getpid(),
		.regs_abi = PERF_SAMPLE_REGS_ABI_64,
		.regs_mask = c->mask,
		.regs = c->regs,
		.stack = c->stack,
		.stack_size = c->size,
		.stack_dyn_size = c->size,
	};
}

/* Names of the frames' functions, looked up by libdw on the live process. */
static Dwfl *names_dwfl;
static char *name_of(const struct sym_unwind_frame *f)
{
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_linux_proc_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
	};
	uint64_t pc = f->is_activation ? f->pc : f->pc - 1;
	Dwfl_Module *mod;
	const char *name;

	if (!names_dwfl) {
		names_dwfl = dwfl_begin(&cb);
		cr_assert_not_null(names_dwfl);
		cr_assert_eq(dwfl_linux_proc_report(names_dwfl, getpid()), 0);
		cr_assert_eq(dwfl_report_end(names_dwfl, NULL, NULL), 0);
	}
	mod = dwfl_addrmodule(names_dwfl, pc);
	name = mod ? dwfl_module_addrname(mod, pc) : NULL;
	if (!name && mod) {
		/* a stripped library (libc without its -dbg package): "?libc.so.6" */
		const char *file = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		const char *base = file ? strrchr(file, '/') : NULL;
		char *s;

		cr_assert_geq(asprintf(&s, "?%s", base ? base + 1 : file ? file : ""), 0);
		return s;
	}
	return strdup(name ? name : "?");
}

/*
 * The process root.  Criterion's sandbox (BoxFort) patches main() to enter its own code in the
 * test's process, so "main" is not a symbol on this stack: what main's caller is, is.  Without
 * libc's debug symbols (no libc6-dbg) that local function has no name: any libc frame is it.
 */
#define ROOT_CALLER "__libc_start_call_main"
#define ROOT_CALLER_STRIPPED "?libc.so"

/* Index of the first frame at or after @from whose name starts with @name, or -1. */
static int find_frame(char **names, size_t n, size_t from, const char *name)
{
	bool root = !strcmp(name, ROOT_CALLER);

	for (size_t i = from; i < n; i++) {
		if (!strncmp(names[i], name, strlen(name)) ||
		    (root && !strncmp(names[i], ROOT_CALLER_STRIPPED, strlen(ROOT_CALLER_STRIPPED))))
			return (int)i;
	}
	return -1;
}


static void dump(char **names, const struct sym_unwind_frame *frames, size_t n, const struct sym_unwind_result *res)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  #%zu 0x%" PRIx64 "%s %s\n", i, frames[i].pc, frames[i].is_activation ? "*" : "",
			names[i]);
	fprintf(stderr, "  stop: %s %s\n", sym_unwind_stop__name(res->stop), res->errmsg);
}

#define MAX_FRAMES 1024
static struct sym_unwind_frame frames[MAX_FRAMES];
static char *names[MAX_FRAMES];

static int unwind_capture(struct sym_unwinder *u, const struct unw_capture *c, size_t max,
			  struct sym_unwind_result *res)
{
	struct sym_unwind_sample s = sample_of(c);
	int n;

	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, maps, nr_maps), 0);
	n = sym_unwinder__unwind(u, &s, frames, max, res);
	cr_assert_geq(n, 0, "unwind: %s", strerror(-n));
	cr_assert_eq((size_t)n, res->nr_frames);
	for (int i = 0; i < n; i++)
		names[i] = name_of(&frames[i]);
	return n;
}

Test(unwind, reaches_the_root_through_functions_without_frame_pointers)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	int n, at, outer, m;

	cr_assert_not_null(u);
	cr_assert_eq(unw_fixture_outer(&c, 3), 2 * (1 + 3 + 2 + 1));
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	dump(names, frames, n, &res);

	cr_assert_gt(n, 8);
	cr_assert(frames[0].is_activation, "the sampled frame is an activation");
	for (int i = 1; i < n; i++)
		cr_assert_not(frames[i].is_activation, "frame %d is a return address", i);
	cr_assert_str_eq(names[0], "unw_capture__take");
	cr_assert_str_eq(names[1], "unw_fixture_inner");
	for (at = 2; at < 6; at++)
		cr_assert_str_eq(names[at], "unw_fixture_middle", "frame %d", at);
	outer = find_frame(names, n, 6, "unw_fixture_outer");
	cr_assert_eq(outer, 6);
	m = find_frame(names, n, 7, ROOT_CALLER);
	cr_assert_gt(m, outer, "main's caller is not reached");
	cr_assert_str_eq(names[n - 1], "_start");
	cr_assert_eq(res.stop, SYM_UNWIND_END, "stopped: %s", sym_unwind_stop__name(res.stop));
	cr_assert_gt(res.last_sp, c.sp);
	/* gcc's CFI here is all of the simple shape: the cached rules did the whole walk */
	cr_assert_eq(sym_unwinder__stats(u)->fast, 1);
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind, deep_recursion_of_300_frames_reaches_the_root)
{
	struct unw_capture c = { .limit = 1 << 20 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	int n, middles = 0;

	unw_fixture_outer(&c, 300);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	for (int i = 0; i < n; i++)
		middles += !strcmp(names[i], "unw_fixture_middle");
	cr_assert_eq(middles, 301);
	cr_assert_geq(find_frame(names, n, 0, ROOT_CALLER), 0, "main's caller is not reached");
	cr_assert_eq(res.stop, SYM_UNWIND_END);
	sym_unwinder__free(u);
	free(c.stack);
}

/*
 * Trails: a walk that meets its thread's previous walk with the same registers ends on it when
 * the stack still holds what that walk read.  Whatever the stack, the frames must be those a fresh
 * unwinder finds.
 */
struct walk {
	struct sym_unwind_frame f[MAX_FRAMES];
	int n;
	struct sym_unwind_result res;
};

static void walk(struct sym_unwinder *u, const struct unw_capture *c, size_t size, int32_t tid, struct walk *out)
{
	struct sym_unwind_sample s = sample_of(c);

	s.tid = tid;
	s.stack_size = s.stack_dyn_size = size;
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, maps, nr_maps), 0);
	out->n = sym_unwinder__unwind(u, &s, out->f, MAX_FRAMES, &out->res);
	cr_assert_gt(out->n, 0);
}

/* Unwind @c with @u, which has seen other samples, and with a fresh unwinder: the same frames. */
static void assert_as_fresh(struct sym_unwinder *u, const struct unw_capture *c, size_t size, int32_t tid,
			    const char *what)
{
	static struct walk got, want;
	struct sym_unwinder *fresh = sym_unwinder__new();

	walk(u, c, size, tid, &got);
	walk(fresh, c, size, tid, &want);
	sym_unwinder__free(fresh);
	cr_assert_eq(got.n, want.n, "%s: %d frames, %d from a fresh unwinder", what, got.n, want.n);
	cr_assert_eq(got.res.stop, want.res.stop, "%s: stopped %s, not %s", what, sym_unwind_stop__name(got.res.stop),
		     sym_unwind_stop__name(want.res.stop));
	for (int i = 0; i < got.n; i++) {
		cr_assert_eq(got.f[i].pc, want.f[i].pc, "%s: frame %d", what, i);
		cr_assert_eq(got.f[i].is_activation, want.f[i].is_activation, "%s: frame %d", what, i);
	}
}

/* The @nth 8-byte slot of @c's stack copy holding @value, from SP up; NULL if there are fewer. */
static uint8_t *nth_slot(struct unw_capture *c, uint64_t value, int nth)
{
	for (size_t off = 0; off + 8 <= c->size; off += 8) {
		uint64_t v;

		memcpy(&v, c->stack + off, 8);
		if (v == value && nth-- == 0)
			return c->stack + off;
	}
	return NULL;
}

Test(unwind, walks_end_on_the_thread_trail_only_where_the_stack_holds_it)
{
	struct unw_capture c[2] = { { .limit = 1 << 20 }, { .limit = 1 << 20 } };
	struct sym_unwinder *u = sym_unwinder__new();
	static struct walk first;
	const int32_t tid = getpid();
	uint64_t middle_ra, other_ra, saved;
	uint8_t *slot;

	/* two samples at one place of one thread: the same frames, other values in them (one call
	 * site: a volatile counter keeps the compiler from unrolling the loop into two) */
	for (volatile int i = 0; i < 2; i++)
		unw_fixture_outer(&c[i], 40);
	cr_assert_eq(c[0].sp, c[1].sp);
	walk(u, &c[0], c[0].size, tid, &first);
	cr_assert_gt(first.n, 44);
	cr_assert_eq(sym_unwinder__stats(u)->retraced, 0);
	assert_as_fresh(u, &c[1], c[1].size, tid, "same stack");
	cr_assert_eq(sym_unwinder__stats(u)->retraced, 1, "the second walk did not end on the trail");

	/* the slot of a return address deep in the stack */
	middle_ra = first.f[20].pc;
	other_ra = first.f[first.n - 3].pc;
	slot = nth_slot(&c[1], middle_ra, 25);
	cr_assert_not_null(slot);
	/* a copy too short for the trail's reads: it ends at that slot */
	assert_as_fresh(u, &c[1], (size_t)(slot - c[1].stack), tid, "a short copy");
	/* that return address changed: into outer instead of middle, then 0 */
	memcpy(&saved, slot, 8);
	memcpy(slot, &other_ra, 8);
	assert_as_fresh(u, &c[1], c[1].size, tid, "another return address");
	memset(slot, 0, 8);
	assert_as_fresh(u, &c[1], c[1].size, tid, "a zero return address");
	memcpy(slot, &saved, 8);

	/* another thread has no trail here */
	assert_as_fresh(u, &c[1], c[1].size, tid + 1, "another thread");
	/* the untouched stack: its walk is the trail again, and the next one ends on it */
	assert_as_fresh(u, &c[1], c[1].size, tid, "same stack again");
	assert_as_fresh(u, &c[1], c[1].size, tid, "same stack once more");
	cr_assert_eq(sym_unwinder__stats(u)->retraced, 2);
	sym_unwinder__free(u);
	free(c[0].stack);
	free(c[1].stack);
}

Test(unwind, a_trail_through_frame_pointers_checks_the_saved_rbp)
{
	struct unw_capture c[2] = { { .limit = 1 << 20 }, { .limit = 1 << 20 } };
	struct sym_unwinder *u = sym_unwinder__new();
	static struct walk first, plain;
	const int32_t tid = getpid();
	int changed = 0;

	/* frames with %rbp-based CFAs: a saved %rbp decides where the caller's frame is */
	for (volatile int i = 0; i < 2; i++)
		fp_fixture_capture_outer(&c[i]);
	walk(u, &c[0], c[0].size, tid, &first);
	assert_as_fresh(u, &c[1], c[1].size, tid, "same stack");
	cr_assert_eq(sym_unwinder__stats(u)->retraced, 1);
	walk(u, &c[1], c[1].size, tid, &plain);
	/* move each saved frame pointer (a stack address in the copy) in turn */
	for (size_t off = 0; off + 8 <= c[1].size && changed < 3; off += 8) {
		uint64_t v, moved;
		struct sym_unwinder *fresh;
		static struct walk other;

		memcpy(&v, c[1].stack + off, 8);
		if (v <= c[1].sp || v >= c[1].sp + c[1].size || v % 16)
			continue;
		moved = v + 64;
		memcpy(c[1].stack + off, &moved, 8);
		fresh = sym_unwinder__new();
		walk(fresh, &c[1], c[1].size, tid, &other);
		sym_unwinder__free(fresh);
		if (other.n != plain.n || memcmp(other.f, plain.f, (size_t)plain.n * sizeof(plain.f[0]))) {
			/* this one mattered: the trail must see it too */
			assert_as_fresh(u, &c[1], c[1].size, tid, "a moved frame pointer");
			changed++;
		}
		memcpy(c[1].stack + off, &v, 8);
	}
	cr_assert_gt(changed, 0, "no saved frame pointer decided the walk");

	/* the %rbp register itself, which the frames above the leaf find their CFA with */
	{
		const size_t bp = 6; /* its index among the registers: AX BX CX DX SI DI BP ... */
		uint64_t v = c[1].regs[bp];
		struct sym_unwinder *fresh = sym_unwinder__new();
		static struct walk other;

		cr_assert(c[1].mask & (1ull << P_BP));
		walk(u, &c[1], c[1].size, tid, &other); /* the unchanged stack: the trail again */
		c[1].regs[bp] = v + 64;
		walk(fresh, &c[1], c[1].size, tid, &other);
		sym_unwinder__free(fresh);
		cr_assert(other.n != plain.n || memcmp(other.f, plain.f, (size_t)plain.n * sizeof(plain.f[0])),
			  "%%rbp does not decide this walk");
		assert_as_fresh(u, &c[1], c[1].size, tid, "another %rbp");
		c[1].regs[bp] = v;
	}
	sym_unwinder__free(u);
	free(c[0].stack);
	free(c[1].stack);
}

/*
 * Through libunw_dframe.so, whose only CFI is the .debug_frame of its separate debug file (in
 * dframe-debug/.build-id under the build directory): libdw finds it by build-id along the
 * unwinder's debug path, and only then does the walk get past unw_dframe_call().
 */
typedef int (*dframe_call_fn)(void (*fn)(void *), void *arg);

static void dframe_take(void *arg)
{
	unw_capture__take(arg);
}

UNW_NOIPA static int dframe_outer(dframe_call_fn call, struct unw_capture *c)
{
	int r = call(dframe_take, c);

	__asm__ volatile("" ::: "memory"); /* no tail call: this frame is the one to reach */
	return r + 1;
}

/* dlopen libunw_dframe.so into *@h; its unw_dframe_call(), and in @debug (@size bytes) its debug path. */
static dframe_call_fn dframe_open(void **h, char *debug, size_t size)
{
	const char *dir = getenv("FREC_TEST_BUILDDIR");
	char lib[512];
	dframe_call_fn call;

	cr_assert_not_null(dir, "FREC_TEST_BUILDDIR is not set");
	snprintf(lib, sizeof(lib), "%s/unit/unwind/libunw_dframe.so", dir);
	snprintf(debug, size, "%s/unit/unwind/dframe-debug", dir);
	*h = dlopen(lib, RTLD_NOW);
	cr_assert_not_null(*h, "%s", dlerror());
	call = (dframe_call_fn)(uintptr_t)dlsym(*h, "unw_dframe_call");
	cr_assert_not_null(call);
	return call;
}

/*
 * The name of the frame after the one in unw_dframe_call (at @fn), NULL when there is none.  That
 * frame is found by address: the stripped library need not name it.
 */
static const char *after_dframe(struct sym_unwinder *u, const struct unw_capture *c, uint64_t fn, char *buf,
				size_t size)
{
	static struct walk w;
	int at = -1;

	walk(u, c, c->size, getpid(), &w);
	for (int i = 1; i < w.n && at < 0; i++) {
		if (w.f[i].pc - 1 >= fn && w.f[i].pc - 1 < fn + 64)
			at = i;
	}
	cr_assert_geq(at, 0, "no frame in unw_dframe_call");
	if (at + 1 >= w.n)
		return NULL;
	{
		char *name = name_of(&w.f[at + 1]);

		snprintf(buf, size, "%s", name);
		free(name);
	}
	return buf;
}

Test(unwind, debug_frame_of_a_separate_debug_file_along_the_debug_path)
{
	char debug[512], name[128];
	struct unw_capture c = { .limit = 1 << 20 };
	struct sym_unwinder *with = sym_unwinder__new(), *without = sym_unwinder__new();
	const char *next;
	dframe_call_fn call;
	void *h;

	call = dframe_open(&h, debug, sizeof(debug));
	dframe_outer(call, &c);

	cr_assert_eq(sym_unwinder__set_debug_path(with, debug), 0);
	next = after_dframe(with, &c, (uint64_t)(uintptr_t)call, name, sizeof(name));
	cr_assert(next && !strcmp(next, "dframe_outer"), "with the debug path: %s after unw_dframe_call",
		  next ? next : "nothing");
	next = after_dframe(without, &c, (uint64_t)(uintptr_t)call, name, sizeof(name));
	cr_assert(!next || strcmp(next, "dframe_outer"), "the caller was found without the debug file");

	sym_unwinder__free(with);
	sym_unwinder__free(without);
	free(c.stack);
	dlclose(h);
}

Test(unwind, truncated_stack_copy_stops_with_stack_exhausted)
{
	/* 64 bytes hold unw_capture__take's frame at most: the walk runs out of copy early. */
	struct unw_capture c = { .limit = 64 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	int n;

	unw_fixture_outer(&c, 3);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	dump(names, frames, n, &res);
	cr_assert_eq(res.stop, SYM_UNWIND_STACK_EXHAUSTED, "stopped: %s (%s)", sym_unwind_stop__name(res.stop),
		     res.errmsg);
	cr_assert_geq(n, 1);
	cr_assert_lt(n, 6);
	cr_assert_str_eq(names[0], "unw_capture__take");
	cr_assert_lt(find_frame(names, n, 0, ROOT_CALLER), 0);
	cr_assert_str_eq(sym_unwind_stop__name(res.stop), "stack copy exhausted");
	sym_unwinder__free(u);
	free(c.stack);
}

/* The stack copy's slot (its offset) holding @c's return address @ra, the first from SP up. */
static size_t ra_slot(struct unw_capture *c, uint64_t ra)
{
	uint8_t *slot = nth_slot(c, ra, 0);

	cr_assert_not_null(slot, "return address 0x%" PRIx64 " is not in the copy", ra);
	return (size_t)(slot - c->stack);
}

Test(unwind, a_zero_return_address_is_not_the_end)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	int n, outer;
	uint64_t zero = 0;

	unw_fixture_outer(&c, 3);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	outer = find_frame(names, n, 0, "unw_fixture_outer");
	cr_assert_geq(outer, 1);
	cr_assert_lt(outer + 1, n);
	/* unw_fixture_outer's return address read as 0: libdw ends there, but that is no stack's end */
	memcpy(c.stack + ra_slot(&c, frames[outer + 1].pc), &zero, 8);
	sym_unwinder__free(u);
	u = sym_unwinder__new();
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	dump(names, frames, n, &res);
	cr_assert_eq(n, outer + 1);
	cr_assert_eq(res.stop, SYM_UNWIND_ERROR, "stopped: %s", sym_unwind_stop__name(res.stop));
	cr_assert(strstr(res.errmsg, "zero return address"), "%s", res.errmsg);
	sym_unwinder__free(u);
	free(c.stack);
}

/*
 * @e: capture @c (taken in unw_capture__take under fp_fixture_capture_mid) as a sample taken in
 * fp_fixture_capture_mid's epilogue, right after its `pop %rbp`: SP at the return address into
 * fp_fixture_capture_outer, %rbp restored, the saved copy below SP (outside the stack copy).
 * Skips when the compiler laid fp_fixture_capture_mid out otherwise.
 */
static void epilogue_sample(struct unw_capture *c, struct unw_capture *e)
{
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	int n, mid;
	size_t off;

	n = unwind_capture(u, c, MAX_FRAMES, &res);
	sym_unwinder__free(u);
	mid = find_frame(names, n, 0, "fp_fixture_capture_mid");
	cr_assert_eq(mid, 1, "fp_fixture_capture_mid is not unw_capture__take's caller");
	if (*(const uint8_t *)(uintptr_t)frames[mid].pc != 0x5d)
		cr_skip_test("fp_fixture_capture_mid does not pop %%rbp right after its call");
	off = ra_slot(c, frames[mid + 1].pc);
	cr_assert_geq(off, 8);
	*e = *c;
	e->stack = c->stack + off;
	e->size = c->size - off;
	e->sp = c->sp + off;
	memcpy(&e->regs[6], c->stack + off - 8, 8); /* %rbp: what mid saved, below its return address */
	e->regs[7] = e->sp;                         /* %rsp */
	e->regs[8] = frames[mid].pc + 1;            /* %rip: past the pop */
}

Test(unwind, a_sample_after_pop_rbp_keeps_its_caller)
{
	struct unw_capture c = { .limit = 1 << 20 }, e;
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	int n;

	fp_fixture_capture_outer(&c);
	epilogue_sample(&c, &e);
	n = unwind_capture(u, &e, MAX_FRAMES, &res);
	dump(names, frames, n, &res);
	cr_assert_str_eq(names[0], "fp_fixture_capture_mid");
	cr_assert_gt(n, 2);
	/* its caller's CFA is %rbp-based: reached only with the %rbp the epilogue restored */
	cr_assert_str_eq(names[1], "fp_fixture_capture_outer");
	cr_assert_gt(find_frame(names, n, 2, ROOT_CALLER), 1, "main's caller is not reached");
	cr_assert_eq(res.stop, SYM_UNWIND_END, "stopped: %s (%s)", sym_unwind_stop__name(res.stop), res.errmsg);
	cr_assert_eq(sym_unwinder__stats(u)->fast, 1, "the cached rules did the walk");
	sym_unwinder__free(u);
	free(c.stack);
}

UNW_NOIPA static void dframe_take_fp(void *arg)
{
	fp_fixture_capture_outer(arg);
	__asm__ volatile("" ::: "memory"); /* no tail call: this frame is one to reach */
}

/*
 * As a_sample_after_pop_rbp_keeps_its_caller, with libdw doing the walk: further up the stack,
 * unw_dframe_call() has no .eh_frame (and, without the debug path, no CFI at all), which the
 * cached rules do not handle.  libdw reads every saved register, those below SP too.
 */
Test(unwind, a_sample_after_pop_rbp_keeps_its_caller_when_libdw_walks)
{
	struct unw_capture c = { .limit = 1 << 20 }, e;
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	dframe_call_fn call;
	char debug[512];
	void *h;
	int n;

	call = dframe_open(&h, debug, sizeof(debug));
	call(dframe_take_fp, &c);
	epilogue_sample(&c, &e);
	n = unwind_capture(u, &e, MAX_FRAMES, &res);
	dump(names, frames, n, &res);
	cr_assert_eq(sym_unwinder__stats(u)->fast, 0, "libdw did not do the walk");
	cr_assert_gt(n, 2);
	cr_assert_str_eq(names[0], "fp_fixture_capture_mid");
	cr_assert_str_eq(names[1], "fp_fixture_capture_outer");
	cr_assert_str_eq(names[2], "dframe_take_fp");
	sym_unwinder__free(u);
	free(c.stack);
	dlclose(h);
}

/* As a_zero_return_address_is_not_the_end, past unw_dframe_call(), whose .debug_frame libdw walks. */
Test(unwind, a_zero_return_address_is_not_the_end_when_libdw_walks)
{
	struct unw_capture c = { .limit = 1 << 20 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	char debug[512];
	dframe_call_fn call;
	uint64_t zero = 0;
	int n, outer;
	void *h;

	call = dframe_open(&h, debug, sizeof(debug));
	dframe_outer(call, &c);
	cr_assert_eq(sym_unwinder__set_debug_path(u, debug), 0);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	outer = find_frame(names, n, 0, "dframe_outer");
	cr_assert(outer >= 2 && outer + 1 < n, "dframe_outer is not reached");
	memcpy(c.stack + ra_slot(&c, frames[outer + 1].pc), &zero, 8);
	sym_unwinder__free(u);
	u = sym_unwinder__new();
	cr_assert_eq(sym_unwinder__set_debug_path(u, debug), 0);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	dump(names, frames, n, &res);
	cr_assert_eq(sym_unwinder__stats(u)->fast, 0, "libdw did not do the walk");
	cr_assert_eq(n, outer + 1);
	cr_assert_eq(res.stop, SYM_UNWIND_ERROR, "stopped: %s", sym_unwind_stop__name(res.stop));
	sym_unwinder__free(u);
	free(c.stack);
	dlclose(h);
}

/*
 * Where lld-linked fixture @path would be loaded at @base: its executable segment's mapping (added
 * to maps[]) and the run-time address of its first PLT stub, the one after the PLT's header.  Skips
 * unless lld linked it and wrote no CFI for its PLT, the case under test.
 */
static uint64_t map_lld_plt(const char *path, uint64_t base)
{
	int fd = open(path, O_RDONLY);
	Elf_Scn *scn = NULL;
	uint64_t plt = 0;
	bool lld = false;
	size_t n, shstrndx;
	Elf *elf;

	cr_assert_geq(fd, 0, "%s", path);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(elf);
	cr_assert_eq(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		cr_assert_not_null(gelf_getshdr(scn, &sh));
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!strcmp(name, ".plt"))
			plt = sh.sh_addr;
		if (!strcmp(name, ".comment") && (d = elf_getdata(scn, NULL)))
			lld = memmem(d->d_buf, d->d_size, "LLD", 3) != NULL;
	}
	if (!lld)
		cr_skip_test("%s was not linked with lld", path);
	cr_assert_neq(plt, 0, "%s has no .plt", path);
	cr_assert_eq(elf_getphdrnum(elf, &n), 0);
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		cr_assert_lt(nr_maps, MAX_MAPS);
		cr_assert_lt(strlen(path), sizeof(map_paths[0]));
		memcpy(map_paths[nr_maps], path, strlen(path) + 1);
		maps[nr_maps] = (struct sym_unwind_map){
			.start = base + (ph.p_vaddr & ~0xfffull),
			.end = base + ((ph.p_vaddr + ph.p_memsz + 0xfff) & ~0xfffull),
			.pgoff = ph.p_offset & ~0xfffull,
			.path = map_paths[nr_maps],
		};
		nr_maps++;
		break;
	}
	elf_end(elf);
	close(fd);
	return base + plt + 16;
}

Test(unwind, a_sample_in_a_plt_stub_without_cfi_keeps_its_caller)
{
	const char *dir = getenv("FREC_TEST_BUILDDIR");
	struct unw_capture c = { .limit = 1 << 20 }, e;
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	uint64_t inner_ra, stub;
	char path[512];
	size_t off;
	int n;

	cr_assert_not_null(dir, "FREC_TEST_BUILDDIR is not set");
	snprintf(path, sizeof(path), "%s/fixtures/symbolizer/fix_lld", dir);
	unw_fixture_outer(&c, 1);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	cr_assert_str_eq(names[1], "unw_fixture_inner");
	inner_ra = frames[1].pc;
	/* unw_fixture_inner called a PLT stub of an lld-linked library instead: the stub's SP is
	 * unw_capture__take's at its entry, the return address into unw_fixture_inner on top */
	off = ra_slot(&c, inner_ra);
	e = c;
	e.stack = c.stack + off;
	e.size = c.size - off;
	e.sp = c.sp + off;
	e.regs[7] = e.sp;
	cr_assert_geq(off, 8);
	memcpy(&e.regs[6], c.stack + off - 8, 8); /* %rbp as unw_capture__take found it: it pushed it */
	read_maps(c.sp);
	stub = map_lld_plt(path, 0x10000000000ull);
	e.regs[8] = stub;
	sym_unwinder__free(u);
	u = sym_unwinder__new();
	cr_assert_eq(sym_unwinder__set_maps(u, getpid(), 1, maps, nr_maps), 0);
	{
		struct sym_unwind_sample smp = sample_of(&e);

		n = sym_unwinder__unwind(u, &smp, frames, MAX_FRAMES, &res);
	}
	for (int i = 0; i < n; i++)
		names[i] = name_of(&frames[i]);
	dump(names, frames, n, &res);
	cr_assert_gt(n, 3);
	cr_assert_eq(frames[0].pc, stub);
	cr_assert(frames[0].is_activation);
	cr_assert_eq(frames[1].pc, inner_ra);
	cr_assert_not(frames[1].is_activation, "the caller is a return address");
	cr_assert_str_eq(names[1], "unw_fixture_inner");
	cr_assert_gt(find_frame(names, n, 2, ROOT_CALLER), 2, "main's caller is not reached");
	cr_assert_eq(res.stop, SYM_UNWIND_END, "stopped: %s (%s)", sym_unwind_stop__name(res.stop), res.errmsg);
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind, dyn_size_bounds_the_copy)
{
	/* A full-size buffer whose valid part is short behaves as the short copy. */
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	unw_fixture_outer(&c, 3);
	read_maps(c.sp);
	s = sample_of(&c);
	s.stack_dyn_size = 64;
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, maps, nr_maps), 0);
	sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res);
	cr_assert_eq(res.stop, SYM_UNWIND_STACK_EXHAUSTED);
	cr_assert_lt(res.nr_frames, 6);
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind, depth_limit_fills_the_array_and_says_so)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	int n;

	unw_fixture_outer(&c, 3);
	n = unwind_capture(u, &c, 4, &res);
	cr_assert_eq(n, 4);
	cr_assert_eq(res.stop, SYM_UNWIND_DEPTH_LIMIT);
	cr_assert_str_eq(names[3], "unw_fixture_middle");
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind, keeps_one_dwfl_per_process_until_the_generation_changes)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	unw_fixture_outer(&c, 2);
	s = sample_of(&c);
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 7, maps, nr_maps), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert_gt(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 6);
		cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 7, maps, nr_maps), 0);
	}
	cr_assert_eq(sym_unwinder__stats(u)->dwfl_builds, 1);
	cr_assert_eq(sym_unwinder__stats(u)->unwinds, 3);
	cr_assert_eq(sym_unwinder__stats(u)->stops[SYM_UNWIND_END], 3);

	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 8, maps, nr_maps), 0);
	cr_assert_gt(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 6);
	cr_assert_eq(sym_unwinder__stats(u)->dwfl_builds, 2);

	/* Forgotten: the pid is unknown until given mappings again. */
	sym_unwinder__forget(u, s.pid);
	cr_assert_eq(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), -ENOENT);
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind, sample_without_registers_is_no_regs)
{
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_sample s = { .pid = 42, .tid = 42, .regs_abi = PERF_SAMPLE_REGS_ABI_NONE };
	struct sym_unwind_result res;

	cr_assert_eq(sym_unwinder__set_maps(u, 42, 1, NULL, 0), 0);
	cr_assert_eq(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 0);
	cr_assert_eq(res.stop, SYM_UNWIND_NO_REGS);
	sym_unwinder__free(u);
}

Test(unwind, without_any_module_only_the_sampled_pc_is_known)
{
	struct unw_capture c = { .limit = 4096 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	unw_fixture_outer(&c, 1);
	s = sample_of(&c);
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, NULL, 0), 0);
	cr_assert_eq(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 1);
	cr_assert_eq(frames[0].pc, c.regs[8]); /* IP is the 9th register of the mask */
	cr_assert(frames[0].is_activation);
	cr_assert_eq(res.stop, SYM_UNWIND_NO_CFI);
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind, a_mapping_of_another_file_is_not_trusted)
{
	/* Mappings naming a file that is not what was mapped there: the pcs get no module. */
	struct unw_capture c = { .limit = 4096 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_map bogus[1];
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	unw_fixture_outer(&c, 1);
	s = sample_of(&c);
	bogus[0] = (struct sym_unwind_map){ .start = 0x1000, .end = 0x2000, .pgoff = 0, .path = "/etc/passwd" };
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, bogus, 1), 0);
	cr_assert_eq(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 1);
	cr_assert_eq(res.stop, SYM_UNWIND_NO_CFI);
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind, stop_names)
{
	cr_assert_str_eq(sym_unwind_stop__name(SYM_UNWIND_END), "end");
	cr_assert_str_eq(sym_unwind_stop__name(SYM_UNWIND_NO_CFI), "no CFI");
	cr_assert_str_eq(sym_unwind_stop__name(SYM_UNWIND_STOP_MAX), "unknown");
}

/* ---- sym_unwinder__user_stack(): fp, auto ------------------------------------------------------ */

/*
 * The chain the kernel's frame-pointer walk would give for capture @c: the pc, then the return
 * address above each saved %rbp, followed through the stack copy.
 */
static size_t fp_walk(const struct unw_capture *c, uint64_t *chain, size_t max)
{
	uint64_t rbp = c->regs[6], next; /* BP is the 7th register of the mask */
	size_t n = 0;

	chain[n++] = c->regs[8];
	while (n < max && rbp >= c->sp && rbp + 16 <= c->sp + c->size) {
		memcpy(&chain[n++], c->stack + (rbp - c->sp) + 8, 8);
		memcpy(&next, c->stack + (rbp - c->sp), 8);
		if (next <= rbp)
			break;
		rbp = next;
	}
	return n;
}

static uint64_t fp_chain[MAX_FRAMES];

Test(unwind_stack, fp_mode_marks_the_chain_broken_after_a_function_without_frame_pointer)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	int n;

	unw_fixture_outer(&c, 3);
	read_maps(c.sp);
	s = sample_of(&c);
	s.fp_chain = fp_chain;
	s.nr_fp_chain = fp_walk(&c, fp_chain, MAX_FRAMES);
	cr_assert_gt(s.nr_fp_chain, 2);
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, maps, nr_maps), 0);
	n = sym_unwinder__user_stack(u, &s, SYM_UNWIND_MODE_FP, frames, MAX_FRAMES, &res);
	for (int i = 0; i < n; i++)
		names[i] = name_of(&frames[i]);
	dump(names, frames, n, &res);
	cr_assert_eq((size_t)n, s.nr_fp_chain);
	cr_assert_eq(res.source, SYM_UNWIND_FROM_FP);
	/* take (with a frame) -> inner: the walk skipped middle x4 and outer, and says so at inner */
	cr_assert_str_eq(names[1], "unw_fixture_inner");
	cr_assert_neq(strcmp(names[2], "unw_fixture_middle"), 0);
	cr_assert_eq(res.fp_broken_at, 1);
	cr_assert_eq(res.stop, SYM_UNWIND_FP_BROKEN);
	cr_assert_eq(sym_unwinder__stats(u)->unwinds, 0, "fp mode never unwinds with DWARF");
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind_stack, auto_mode_unwinds_with_dwarf_where_the_chain_is_broken)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	int n, middles = 0;

	unw_fixture_outer(&c, 3);
	read_maps(c.sp);
	s = sample_of(&c);
	s.fp_chain = fp_chain;
	s.nr_fp_chain = fp_walk(&c, fp_chain, MAX_FRAMES);
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, maps, nr_maps), 0);
	n = sym_unwinder__user_stack(u, &s, SYM_UNWIND_MODE_AUTO, frames, MAX_FRAMES, &res);
	for (int i = 0; i < n; i++) {
		names[i] = name_of(&frames[i]);
		middles += !strcmp(names[i], "unw_fixture_middle");
	}
	cr_assert_eq(res.source, SYM_UNWIND_FROM_DWARF);
	cr_assert_eq(middles, 4);
	cr_assert_geq(find_frame(names, n, 0, ROOT_CALLER), 0);
	cr_assert_eq(res.stop, SYM_UNWIND_END);
	sym_unwinder__free(u);
	free(c.stack);
}

/* A capture through functions that all keep frame pointers, with the chain cut after the test. */
static size_t fp_sound_capture(struct unw_capture *c)
{
	size_t n;

	fp_fixture_capture_outer(c);
	read_maps(c->sp);
	n = fp_walk(c, fp_chain, MAX_FRAMES);
	/* take, mid, outer, the test function: stop there, before Criterion's own code */
	cr_assert_geq(n, 4);
	return 4;
}

Test(unwind_stack, auto_mode_keeps_a_sound_chain_without_unwinding)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	int n;

	fp_sound_capture(&c);
	s = sample_of(&c);
	s.fp_chain = fp_chain;
	s.nr_fp_chain = 4;
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, maps, nr_maps), 0);
	n = sym_unwinder__user_stack(u, &s, SYM_UNWIND_MODE_AUTO, frames, MAX_FRAMES, &res);
	for (int i = 0; i < n; i++)
		names[i] = name_of(&frames[i]);
	dump(names, frames, n, &res);
	cr_assert_eq(n, 4);
	cr_assert_eq(res.source, SYM_UNWIND_FROM_FP);
	cr_assert_eq(res.fp_broken_at, -1);
	cr_assert_str_eq(names[1], "fp_fixture_capture_mid");
	cr_assert_str_eq(names[2], "fp_fixture_capture_outer");
	cr_assert_eq(sym_unwinder__stats(u)->unwinds, 0);
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind_stack, auto_mode_splices_the_chain_when_the_copy_runs_out)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	int n;

	fp_sound_capture(&c);
	s = sample_of(&c);
	s.fp_chain = fp_chain;
	s.nr_fp_chain = 4;
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, maps, nr_maps), 0);
	/*
	 * Cut the copy where mid's caller's frame starts (the SP of frame 1, as a 2-frame unwind
	 * reports it): DWARF then finds take and mid and runs out of copy inside the chain.
	 */
	n = sym_unwinder__unwind(u, &s, frames, 2, &res);
	cr_assert_eq(res.stop, SYM_UNWIND_DEPTH_LIMIT);
	cr_assert_gt(res.last_sp, c.sp);
	s.stack_dyn_size = res.last_sp - c.sp;
	/* The chain's leaf replaced by a pc in no module: it cannot be vouched for, so auto unwinds */
	fp_chain[0] = 0x10;
	n = sym_unwinder__user_stack(u, &s, SYM_UNWIND_MODE_AUTO, frames, MAX_FRAMES, &res);
	for (int i = 0; i < n; i++)
		names[i] = name_of(&frames[i]);
	dump(names, frames, n, &res);
	cr_assert_eq(res.source, SYM_UNWIND_FROM_SPLICE, "source %d stop %s", res.source,
		     sym_unwind_stop__name(res.stop));
	cr_assert_eq(n, 4);
	cr_assert_str_eq(names[0], "unw_capture__take", "the leaf comes from DWARF, not the bad chain");
	cr_assert_str_eq(names[2], "fp_fixture_capture_outer");
	cr_assert_eq(frames[3].pc, fp_chain[3]);
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind_stack, fp_mode_puts_back_the_caller_of_a_leaf_caught_before_its_push)
{
	struct sym_unwinder *u = sym_unwinder__new();
	const uint64_t ret_addr = (uint64_t)(uintptr_t)fp_fixture_capture_outer + 8;
	uint64_t stack[4] = { ret_addr, 0, 0, 0 };
	uint64_t regs[17] = { 0 };
	struct sym_unwind_sample s = {
		.pid = getpid(), .tid = getpid(), .regs_abi = PERF_SAMPLE_REGS_ABI_64,
		.regs_mask = (1ull << P_SP) | (1ull << P_IP), .regs = regs,
		.stack = (const uint8_t *)stack, .stack_size = sizeof(stack), .stack_dyn_size = sizeof(stack),
		.fp_chain = fp_chain, .nr_fp_chain = 2,
	};
	struct sym_unwind_result res;
	int n;

	read_maps((uint64_t)(uintptr_t)&n);
	/* Sampled on the first instruction of fp_fixture_capture_mid: %rbp is still its caller's. */
	fp_chain[0] = (uint64_t)(uintptr_t)fp_fixture_capture_mid;
	fp_chain[1] = 0x1234; /* the caller's caller, as the walk found it */
	regs[0] = (uint64_t)(uintptr_t)stack;
	regs[1] = fp_chain[0];
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, maps, nr_maps), 0);
	n = sym_unwinder__user_stack(u, &s, SYM_UNWIND_MODE_FP, frames, MAX_FRAMES, &res);
	cr_assert_eq(n, 3);
	cr_assert(res.fp_repaired);
	cr_assert_eq(frames[1].pc, ret_addr);
	cr_assert_not(frames[1].is_activation);
	cr_assert_eq(frames[2].pc, 0x1234);
	cr_assert_eq(res.fp_broken_at, -1);
	sym_unwinder__free(u);
}

Test(unwind, keeps_at_most_64_dwfl_sessions)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	unw_fixture_outer(&c, 1);
	s = sample_of(&c);
	/* 70 "processes" with this one's mappings, then the first again */
	for (int i = 0; i <= 70; i++) {
		s.pid = s.tid = 100000 + i % 70;
		cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, maps, nr_maps), 0);
		cr_assert_gt(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 6);
		cr_assert_eq(res.stop, SYM_UNWIND_END);
	}
	cr_assert_eq(sym_unwinder__stats(u)->dwfl_builds, 71, "the first process's session was rebuilt");
	cr_assert_eq(sym_unwinder__stats(u)->evictions, 7);
	sym_unwinder__free(u);
	free(c.stack);
}

Test(unwind, garbage_stack_and_registers_end_without_harm)
{
	/* Untrusted input: random stack words and registers must end the walk, never crash or loop. */
	struct unw_capture c = { .limit = 4096 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	unw_fixture_outer(&c, 1);
	cr_assert_eq(sym_unwinder__set_maps(u, getpid(), 1, maps, nr_maps), 0);
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i + 8 <= c.size; i += 8) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* half of the words point into the fixture's code or the copy itself */
			uint64_t v = (x & 3) == 0 ? (uint64_t)(uintptr_t)unw_fixture_middle + (x >> 56) :
				     (x & 3) == 1 ? c.sp + (x >> 52) : x;
			memcpy(c.stack + i, &v, 8);
		}
		s = sample_of(&c);
		if (round & 1)
			c.regs[8] = (uint64_t)(uintptr_t)unw_fixture_middle + (x & 0x3f);
		s.regs = c.regs;
		cr_assert_geq(sym_unwinder__unwind(u, &s, frames, 64, &res), 0);
		cr_assert_leq(res.nr_frames, 64);
		cr_assert_lt(res.stop, SYM_UNWIND_STOP_MAX);
	}
	sym_unwinder__free(u);
	free(c.stack);
}


/* ---- Through the symbolizer: a synthetic trace of this process's own samples ---------------- */

#include "common/trace_fixture.h"
#include "frec/profile.h"
#include "frec/render.h"
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
		size_t n = strlen(maps[i].path) + 1;
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
		memcpy(p, maps[i].path, n);
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

static char *render(const struct frec_profile *prof, bool text)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	cr_assert_eq(text ? render_text__write(prof, NULL, f) : render_folded__write(prof, f), 0);
	fclose(f);
	return out;
}

Test(unwind_symbolizer, dwarf_trace_gives_the_whole_stack_named)
{
	static struct itrace t;
	struct unw_capture c = { .limit = 16 << 10 };
	struct frec_profile *prof;
	char *folded, *text;

	unw_fixture_outer(&c, 3);
	itrace_begin(&t, &c, 16 << 10);
	itrace_sample(&t, &c, c.size, 1100000000ull);
	itrace_sample(&t, &c, c.size, 1200000000ull);
	prof = itrace_profile(&t);
	folded = render(prof, false);
	text = render(prof, true);
	cr_assert(strstr(folded, ";unw_fixture_outer;unw_fixture_middle;unw_fixture_middle;unw_fixture_middle;"
			 "unw_fixture_middle;unw_fixture_inner;unw_capture__take 2\n"), "%s", folded);
	/* the stack ends at the thread's entry function, as frame-pointer stacks do (without libc's
	 * symbols that function has no name to end at, and the walk goes on to its exported caller) */
	cr_assert(!strncmp(folded, ROOT_CALLER ";", strlen(ROOT_CALLER) + 1) ||
		  !strncmp(folded, "__libc_start_main;libc.so.6+0x", 30), "%s", folded);
	cr_assert_eq(frec_profile__meta(prof)->health.truncated, 0, "%s", text);
	cr_assert_eq(frec_profile__meta(prof)->health.unwind_failed, 0, "%s", text);
	cr_assert_eq(frec_profile__meta(prof)->health.stack_copy_full, 0, "%s", text);
	free(folded);
	free(text);
	frec_profile__free(prof);
	free(c.stack);
}

Test(unwind_symbolizer, a_full_stack_copy_is_reported_with_its_fix)
{
	static struct itrace t;
	struct unw_capture c = { .limit = 16 << 10 };
	struct frec_profile *prof;
	char *text;

	unw_fixture_outer(&c, 3);
	/* a copy of 256 bytes, all of the requested size: the walk runs out of it */
	itrace_begin(&t, &c, 256);
	itrace_sample(&t, &c, 256, 1100000000ull);
	prof = itrace_profile(&t);
	text = render(prof, true);
	cr_assert_eq(frec_profile__meta(prof)->health.stack_copy_full, 1, "%s", text);
	cr_assert_eq(frec_profile__meta(prof)->health.truncated, 1, "%s", text);
	cr_assert(strstr(text, "100.0% filled the stack copy"), "%s", text);
	cr_assert(strstr(text, "record with a larger one: --call-graph auto,"), "%s", text);
	free(text);
	frec_profile__free(prof);
	free(c.stack);
}

Test(unwind_symbolizer, a_stack_cut_short_is_truncated_whatever_stopped_it)
{
	static struct itrace t;
	struct unw_capture c = { .limit = 16 << 10 };
	struct sym_unwinder *u = sym_unwinder__new();
	struct sym_unwind_result res;
	struct frec_profile *prof;
	uint64_t zero = 0;
	char *text;
	int n, outer;

	unw_fixture_outer(&c, 3);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	sym_unwinder__free(u);
	outer = find_frame(names, n, 0, "unw_fixture_outer");
	cr_assert(outer >= 1 && outer + 1 < n);
	/* the walk ends at unw_fixture_outer, on a zero return address: short of any root */
	memcpy(c.stack + ra_slot(&c, frames[outer + 1].pc), &zero, 8);
	itrace_begin(&t, &c, 16 << 10);
	itrace_sample(&t, &c, c.size, 1100000000ull);
	prof = itrace_profile(&t);
	text = render(prof, true);
	cr_assert_eq(frec_profile__meta(prof)->health.truncated, 1, "%s", text);
	cr_assert_eq(frec_profile__meta(prof)->health.unwind_failed, 1, "%s", text);
	cr_assert(strstr(text, "100.0% of samples have a truncated stack"), "%s", text);
	free(text);
	frec_profile__free(prof);
	free(c.stack);
}
