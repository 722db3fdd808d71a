// SPDX-License-Identifier: MIT
/*
 * sym_unwinder__user_stack() in fp and auto modes, on samples taken from this very process
 * (capture.h): the kernel's frame-pointer chain checked, repaired, or replaced by DWARF.
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
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	int n;

	unw_fixture_outer(&c, 3);
	read_maps(c.sp);
	s = sample_of(&c);
	s.fp_chain = fp_chain;
	s.nr_fp_chain = fp_walk(&c, fp_chain, MAX_FRAMES);
	cr_assert_gt(s.nr_fp_chain, 2);
	cr_assert_eq(unw_set_maps(u, s.pid, 1), 0);
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
	unw_free(u);
	free(c.stack);
}

Test(unwind_stack, auto_mode_unwinds_with_dwarf_where_the_chain_is_broken)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	int n, middles = 0;

	unw_fixture_outer(&c, 3);
	read_maps(c.sp);
	s = sample_of(&c);
	s.fp_chain = fp_chain;
	s.nr_fp_chain = fp_walk(&c, fp_chain, MAX_FRAMES);
	cr_assert_eq(unw_set_maps(u, s.pid, 1), 0);
	n = sym_unwinder__user_stack(u, &s, SYM_UNWIND_MODE_AUTO, frames, MAX_FRAMES, &res);
	for (int i = 0; i < n; i++) {
		names[i] = name_of(&frames[i]);
		middles += !strcmp(names[i], "unw_fixture_middle");
	}
	cr_assert_eq(res.source, SYM_UNWIND_FROM_DWARF);
	cr_assert_eq(middles, 4);
	cr_assert_geq(find_frame(names, n, 0, ROOT_CALLER), 0);
	cr_assert_eq(res.stop, SYM_UNWIND_END);
	unw_free(u);
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
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	int n;

	fp_sound_capture(&c);
	s = sample_of(&c);
	s.fp_chain = fp_chain;
	s.nr_fp_chain = 4;
	cr_assert_eq(unw_set_maps(u, s.pid, 1), 0);
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
	unw_free(u);
	free(c.stack);
}

/*
 * fp_sound_capture()'s sample, with its copy cut where mid's caller's frame starts (the SP of
 * frame 1, as a 2-frame unwind reports it): DWARF then finds take and mid and runs out of copy
 * inside the chain.
 */
static struct sym_unwind_sample sound_sample_cut_in_mid(struct sym_unwinder *u, struct unw_capture *c)
{
	struct sym_unwind_sample s;
	struct sym_unwind_result res;

	fp_sound_capture(c);
	s = sample_of(c);
	s.fp_chain = fp_chain;
	s.nr_fp_chain = 4;
	cr_assert_eq(unw_set_maps(u, s.pid, 1), 0);
	sym_unwinder__unwind(u, &s, frames, 2, &res);
	cr_assert_eq(res.stop, SYM_UNWIND_DEPTH_LIMIT);
	cr_assert_gt(res.last_sp, c->sp);
	s.stack_dyn_size = res.last_sp - c->sp;
	return s;
}

Test(unwind_stack, auto_mode_splices_the_chain_when_the_copy_runs_out)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	int n;

	s = sound_sample_cut_in_mid(u, &c);
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
	unw_free(u);
	free(c.stack);
}

Test(unwind_stack, auto_mode_joins_the_chain_where_the_kernel_walked_through_the_last_frame)
{
	struct unw_capture c = { .limit = 256 << 10 };
	struct sym_unwinder *u = unw_new(NULL);
	struct sym_unwind_sample s;
	struct sym_unwind_result res;
	uint64_t mid_ret;
	int n;

	s = sound_sample_cut_in_mid(u, &c);
	/*
	 * As when the leaf's frames have no frame pointer: the chain holds neither a sound leaf nor
	 * the return address into mid (where DWARF stops), only the entries the kernel read from mid's
	 * %rbp on.  The copy still holds take's saved %rbp, which leads there.
	 */
	mid_ret = fp_chain[1];
	fp_chain[0] = 0x10;
	fp_chain[1] = 0x20;
	n = sym_unwinder__user_stack(u, &s, SYM_UNWIND_MODE_AUTO, frames, MAX_FRAMES, &res);
	for (int i = 0; i < n; i++)
		names[i] = name_of(&frames[i]);
	dump(names, frames, n, &res);
	cr_assert_eq(res.source, SYM_UNWIND_FROM_SPLICE, "source %d stop %s", res.source,
		     sym_unwind_stop__name(res.stop));
	cr_assert_eq(n, 4);
	cr_assert_eq(frames[1].pc, mid_ret, "mid comes from DWARF, not from the bad entry");
	cr_assert_str_eq(names[2], "fp_fixture_capture_outer");
	cr_assert_eq(frames[3].pc, fp_chain[3]);
	unw_free(u);
	free(c.stack);
}

Test(unwind_stack, fp_mode_puts_back_the_caller_of_a_leaf_caught_before_its_push)
{
	struct sym_unwinder *u = unw_new(NULL);
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
	cr_assert_eq(unw_set_maps(u, s.pid, 1), 0);
	n = sym_unwinder__user_stack(u, &s, SYM_UNWIND_MODE_FP, frames, MAX_FRAMES, &res);
	cr_assert_eq(n, 3);
	cr_assert(res.fp_repaired);
	cr_assert_eq(frames[1].pc, ret_addr);
	cr_assert_not(frames[1].is_activation);
	cr_assert_eq(frames[2].pc, 0x1234);
	cr_assert_eq(res.fp_broken_at, -1);
	unw_free(u);
}
