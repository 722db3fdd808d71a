// SPDX-License-Identifier: MIT
/*
 * sym_unwinder__unwind() on samples taken from this very process (capture.h): the chain must go
 * through the fixture's frame-pointer-less functions up to main, through the fast path and
 * libdw's walk alike, and say why it stopped.
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

Test(unwind, reaches_the_root_through_functions_without_frame_pointers)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = unw_new(NULL);
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
	unw_free(u);
	free(c.stack);
}

Test(unwind, deep_recursion_of_300_frames_reaches_the_root)
{
	struct unw_capture c = { .limit = 1 << 20 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_result res;
	int n, middles = 0;

	unw_fixture_outer(&c, 300);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	for (int i = 0; i < n; i++)
		middles += !strcmp(names[i], "unw_fixture_middle");
	cr_assert_eq(middles, 301);
	cr_assert_geq(find_frame(names, n, 0, ROOT_CALLER), 0, "main's caller is not reached");
	cr_assert_eq(res.stop, SYM_UNWIND_END);
	unw_free(u);
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
	cr_assert_eq(unw_set_maps(u, s.pid, 1), 0);
	out->n = sym_unwinder__unwind(u, &s, out->f, MAX_FRAMES, &out->res);
	cr_assert_gt(out->n, 0);
}

/* Unwind @c with @u, which has seen other samples, and with a fresh unwinder: the same frames. */
static void assert_as_fresh(struct sym_unwinder *u, const struct unw_capture *c, size_t size, int32_t tid,
			    const char *what)
{
	static struct walk got, want;
	struct sym_unwinder *fresh = unw_new(NULL);

	walk(u, c, size, tid, &got);
	walk(fresh, c, size, tid, &want);
	unw_free(fresh);
	cr_assert_eq(got.n, want.n, "%s: %d frames, %d from a fresh unwinder", what, got.n, want.n);
	cr_assert_eq(got.res.stop, want.res.stop, "%s: stopped %s, not %s", what, sym_unwind_stop__name(got.res.stop),
		     sym_unwind_stop__name(want.res.stop));
	for (int i = 0; i < got.n; i++) {
		cr_assert_eq(got.f[i].pc, want.f[i].pc, "%s: frame %d", what, i);
		cr_assert_eq(got.f[i].is_activation, want.f[i].is_activation, "%s: frame %d", what, i);
	}
}

Test(unwind, walks_end_on_the_thread_trail_only_where_the_stack_holds_it)
{
	struct unw_capture c[2] = { { .limit = 1 << 20 }, { .limit = 1 << 20 } };
	struct sym_unwinder *u = unw_new(NULL);
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
	unw_free(u);
	free(c[0].stack);
	free(c[1].stack);
}

Test(unwind, a_trail_through_frame_pointers_checks_the_saved_rbp)
{
	struct unw_capture c[2] = { { .limit = 1 << 20 }, { .limit = 1 << 20 } };
	struct sym_unwinder *u = unw_new(NULL);
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
		fresh = unw_new(NULL);
		walk(fresh, &c[1], c[1].size, tid, &other);
		unw_free(fresh);
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
		struct sym_unwinder *fresh = unw_new(NULL);
		static struct walk other;

		cr_assert(c[1].mask & (1ull << P_BP));
		walk(u, &c[1], c[1].size, tid, &other); /* the unchanged stack: the trail again */
		c[1].regs[bp] = v + 64;
		walk(fresh, &c[1], c[1].size, tid, &other);
		unw_free(fresh);
		cr_assert(other.n != plain.n || memcmp(other.f, plain.f, (size_t)plain.n * sizeof(plain.f[0])),
			  "%%rbp does not decide this walk");
		assert_as_fresh(u, &c[1], c[1].size, tid, "another %rbp");
		c[1].regs[bp] = v;
	}
	unw_free(u);
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
	struct sym_unwinder *with, *without = unw_new(NULL);
	const char *next;
	dframe_call_fn call;
	void *h;

	call = dframe_open(&h, debug, sizeof(debug));
	dframe_outer(call, &c);

	with = unw_new(debug);
	next = after_dframe(with, &c, (uint64_t)(uintptr_t)call, name, sizeof(name));
	cr_assert(next && !strcmp(next, "dframe_outer"), "with the debug path: %s after unw_dframe_call",
		  next ? next : "nothing");
	next = after_dframe(without, &c, (uint64_t)(uintptr_t)call, name, sizeof(name));
	cr_assert(!next || strcmp(next, "dframe_outer"), "the caller was found without the debug file");

	unw_free(with);
	unw_free(without);
	free(c.stack);
	dlclose(h);
}

Test(unwind, truncated_stack_copy_stops_with_stack_exhausted)
{
	/* 64 bytes hold unw_capture__take's frame at most: the walk runs out of copy early. */
	struct unw_capture c = { .limit = 64 };
	struct sym_unwinder *u = unw_new(NULL);
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
	unw_free(u);
	free(c.stack);
}

Test(unwind, a_zero_return_address_is_not_the_end)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = unw_new(NULL);
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
	unw_free(u);
	u = unw_new(NULL);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	dump(names, frames, n, &res);
	cr_assert_eq(n, outer + 1);
	cr_assert_eq(res.stop, SYM_UNWIND_ERROR, "stopped: %s", sym_unwind_stop__name(res.stop));
	cr_assert(strstr(res.errmsg, "zero return address"), "%s", res.errmsg);
	unw_free(u);
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
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_result res;
	int n, mid;
	size_t off;

	n = unwind_capture(u, c, MAX_FRAMES, &res);
	unw_free(u);
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
	struct sym_unwinder *u = unw_new(NULL);
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
	unw_free(u);
	free(c.stack);
}

/*
 * A stack-realigning function whose CFA is %rbx-based, as ld.so's _dl_runtime_resolve_xsavec,
 * calling one that has not saved %rbx where the sample is taken (rbx_fixture_relay saves nothing:
 * its CFI never mentions %rbx).  rbx_fixture_realign(c) captures from rbx_fixture_relay's callee.
 */
void rbx_fixture_realign(struct unw_capture *c);
__asm__(".text\n"
	".globl rbx_fixture_relay\n"
	".type rbx_fixture_relay, @function\n"
	"rbx_fixture_relay:\n"
	"	.cfi_startproc\n"
	"	sub $8, %rsp\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	call unw_capture__take\n"
	"	add $8, %rsp\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	ret\n"
	"	.cfi_endproc\n"
	".size rbx_fixture_relay, .-rbx_fixture_relay\n"
	".globl rbx_fixture_realign\n"
	".type rbx_fixture_realign, @function\n"
	"rbx_fixture_realign:\n"
	"	.cfi_startproc\n"
	"	push %rbx\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	.cfi_rel_offset %rbx, 0\n"
	"	mov %rsp, %rbx\n"
	"	.cfi_def_cfa_register %rbx\n"
	"	and $-64, %rsp\n"
	"	sub $192, %rsp\n"
	"	call rbx_fixture_relay\n"
	"	mov %rbx, %rsp\n"
	"	.cfi_def_cfa_register %rsp\n"
	"	pop %rbx\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	.cfi_restore %rbx\n"
	"	ret\n"
	"	.cfi_endproc\n"
	".size rbx_fixture_realign, .-rbx_fixture_realign\n");

UNW_NOIPA static void rbx_take(struct unw_capture *c)
{
	rbx_fixture_realign(c);
	__asm__ volatile("" ::: "memory"); /* no tail call: this frame is one to reach */
}

/*
 * elfutils' x86_64 ABI defaults leave an unmentioned %rbx "undefined", so libdw cannot compute
 * rbx_fixture_realign's CFA and stops there (as in every sample of ld.so's lazy binding taken
 * before _dl_fixup saves %rbx).  %rbx is callee-saved: the walk must go on to the root.
 */
Test(unwind, a_cfa_on_rbx_is_walked_through_a_callee_that_did_not_save_it)
{
	struct unw_capture c = { .limit = 1 << 20 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_result res;
	int n;

	rbx_take(&c);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	dump(names, frames, n, &res);
	cr_assert_gt(n, 4);
	cr_assert_str_eq(names[0], "unw_capture__take");
	cr_assert_str_eq(names[1], "rbx_fixture_relay");
	cr_assert_str_eq(names[2], "rbx_fixture_realign");
	cr_assert_str_eq(names[3], "rbx_take");
	cr_assert_gt(find_frame(names, n, 4, ROOT_CALLER), 3, "main's caller is not reached");
	cr_assert_eq(res.stop, SYM_UNWIND_END, "stopped: %s (%s)", sym_unwind_stop__name(res.stop), res.errmsg);
	unw_free(u);
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
	struct sym_unwinder *u = unw_new(NULL);
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
	unw_free(u);
	free(c.stack);
	dlclose(h);
}

/* As a_zero_return_address_is_not_the_end, past unw_dframe_call(), whose .debug_frame libdw walks. */
Test(unwind, a_zero_return_address_is_not_the_end_when_libdw_walks)
{
	struct unw_capture c = { .limit = 1 << 20 };
	struct sym_unwinder *u;
	struct sym_unwind_result res;
	char debug[512];
	dframe_call_fn call;
	uint64_t zero = 0;
	int n, outer;
	void *h;

	call = dframe_open(&h, debug, sizeof(debug));
	dframe_outer(call, &c);
	u = unw_new(debug);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	outer = find_frame(names, n, 0, "dframe_outer");
	cr_assert(outer >= 2 && outer + 1 < n, "dframe_outer is not reached");
	memcpy(c.stack + ra_slot(&c, frames[outer + 1].pc), &zero, 8);
	unw_free(u);
	u = unw_new(debug);
	n = unwind_capture(u, &c, MAX_FRAMES, &res);
	dump(names, frames, n, &res);
	cr_assert_eq(sym_unwinder__stats(u)->fast, 0, "libdw did not do the walk");
	cr_assert_eq(n, outer + 1);
	cr_assert_eq(res.stop, SYM_UNWIND_ERROR, "stopped: %s", sym_unwind_stop__name(res.stop));
	unw_free(u);
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
	struct sym_unwinder *u = unw_new(NULL);
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
	unw_free(u);
	u = unw_new(NULL);
	cr_assert_eq(unw_set_maps(u, getpid(), 1), 0);
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
	unw_free(u);
	free(c.stack);
}

Test(unwind, dyn_size_bounds_the_copy)
{
	/* A full-size buffer whose valid part is short behaves as the short copy. */
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	unw_fixture_outer(&c, 3);
	read_maps(c.sp);
	s = sample_of(&c);
	s.stack_dyn_size = 64;
	cr_assert_eq(unw_set_maps(u, s.pid, 1), 0);
	sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res);
	cr_assert_eq(res.stop, SYM_UNWIND_STACK_EXHAUSTED);
	cr_assert_lt(res.nr_frames, 6);
	unw_free(u);
	free(c.stack);
}

Test(unwind, depth_limit_fills_the_array_and_says_so)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_result res;
	int n;

	unw_fixture_outer(&c, 3);
	n = unwind_capture(u, &c, 4, &res);
	cr_assert_eq(n, 4);
	cr_assert_eq(res.stop, SYM_UNWIND_DEPTH_LIMIT);
	cr_assert_str_eq(names[3], "unw_fixture_middle");
	unw_free(u);
	free(c.stack);
}

Test(unwind, keeps_one_dwfl_per_process_until_the_generation_changes)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	unw_fixture_outer(&c, 2);
	s = sample_of(&c);
	cr_assert_eq(unw_set_maps(u, s.pid, 7), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert_gt(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 6);
		cr_assert_eq(unw_set_maps(u, s.pid, 7), 0);
	}
	cr_assert_eq(sym_unwinder__stats(u)->dwfl_builds, 1);
	cr_assert_eq(sym_unwinder__stats(u)->unwinds, 3);
	cr_assert_eq(sym_unwinder__stats(u)->stops[SYM_UNWIND_END], 3);

	cr_assert_eq(unw_set_maps(u, s.pid, 8), 0);
	cr_assert_gt(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 6);
	cr_assert_eq(sym_unwinder__stats(u)->dwfl_builds, 2);

	/* Forgotten: the pid is unknown until given mappings again. */
	sym_unwinder__forget(u, s.pid);
	cr_assert_eq(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), -ENOENT);
	unw_free(u);
	free(c.stack);
}

Test(unwind, sample_without_registers_is_no_regs)
{
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s = { .pid = 42, .tid = 42, .regs_abi = PERF_SAMPLE_REGS_ABI_NONE };
	struct sym_unwind_result res;

	cr_assert_eq(sym_unwinder__set_maps(u, 42, 1, NULL, 0), 0);
	cr_assert_eq(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 0);
	cr_assert_eq(res.stop, SYM_UNWIND_NO_REGS);
	unw_free(u);
}

Test(unwind, without_any_module_only_the_sampled_pc_is_known)
{
	struct unw_capture c = { .limit = 4096 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	unw_fixture_outer(&c, 1);
	s = sample_of(&c);
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, NULL, 0), 0);
	cr_assert_eq(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 1);
	cr_assert_eq(frames[0].pc, c.regs[8]); /* IP is the 9th register of the mask */
	cr_assert(frames[0].is_activation);
	cr_assert_eq(res.stop, SYM_UNWIND_NO_CFI);
	unw_free(u);
	free(c.stack);
}

Test(unwind, a_mapping_of_another_file_is_not_trusted)
{
	/* Mappings naming a file that is not what was mapped there: the pcs get no module. */
	struct unw_capture c = { .limit = 4096 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_map bogus[1];
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	unw_fixture_outer(&c, 1);
	s = sample_of(&c);
	bogus[0] = (struct sym_unwind_map){ .start = 0x1000, .end = 0x2000, .pgoff = 0, .elf = elf_of(u, "/etc/passwd") };
	cr_assert_eq(sym_unwinder__set_maps(u, s.pid, 1, bogus, 1), 0);
	cr_assert_eq(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 1);
	cr_assert_eq(res.stop, SYM_UNWIND_NO_CFI);
	unw_free(u);
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

Test(unwind, keeps_at_most_64_dwfl_sessions)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	unw_fixture_outer(&c, 1);
	s = sample_of(&c);
	/* 70 "processes" with this one's mappings, then the first again */
	for (int i = 0; i <= 70; i++) {
		s.pid = s.tid = 100000 + i % 70;
		cr_assert_eq(unw_set_maps(u, s.pid, 1), 0);
		cr_assert_gt(sym_unwinder__unwind(u, &s, frames, MAX_FRAMES, &res), 6);
		cr_assert_eq(res.stop, SYM_UNWIND_END);
	}
	cr_assert_eq(sym_unwinder__stats(u)->dwfl_builds, 71, "the first process's session was rebuilt");
	cr_assert_eq(sym_unwinder__stats(u)->evictions, 7);
	unw_free(u);
	free(c.stack);
}

Test(unwind, garbage_stack_and_registers_end_without_harm)
{
	/* Untrusted input: random stack words and registers must end the walk, never crash or loop. */
	struct unw_capture c = { .limit = 4096 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	unw_fixture_outer(&c, 1);
	cr_assert_eq(unw_set_maps(u, getpid(), 1), 0);
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
	unw_free(u);
	free(c.stack);
}


/* ---- Through the symbolizer: a synthetic trace of this process's own samples ---------------- */
