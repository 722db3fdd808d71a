// SPDX-License-Identifier: MIT
/*
 * fpcheck on hand-made instruction sequences, and on the fixtures built with and without frame
 * pointers (their bytes read from this process, their sizes from the symbol table).
 */
#include <criterion/criterion.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "fpcheck.h"

static struct sym_fpcheck *fc;

static void setup(void)
{
	cr_assert_eq(sym_fpcheck__new(&fc), 0);
}

static void teardown(void)
{
	sym_fpcheck__free(fc);
}

TestSuite(fpcheck, .init = setup, .fini = teardown);

/* endbr64; push %rbp; mov %rsp,%rbp; mov %edi,%eax; pop %rbp; ret */
static const uint8_t with_frame[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5, 0x89, 0xf8, 0x5d, 0xc3 };

Test(fpcheck, finds_the_prologue_after_endbr64)
{
	struct sym_fp_func f;

	cr_assert_eq(sym_fpcheck__analyze(fc, with_frame, sizeof(with_frame), &f), 0);
	cr_assert(f.decoded);
	cr_assert(f.has_frame);
	cr_assert_eq(f.push_off, 4);
	cr_assert_eq(f.frame_off, 8);
}

Test(fpcheck, states_along_a_function_with_a_frame)
{
	struct sym_fp_func f;
	const size_t n = sizeof(with_frame);

	sym_fpcheck__analyze(fc, with_frame, n, &f);
	cr_assert_eq(sym_fp_func__state(&f, with_frame, n, 0), SYM_FP_BEFORE_PUSH);
	cr_assert_eq(sym_fp_func__state(&f, with_frame, n, 4), SYM_FP_BEFORE_PUSH, "push not yet run");
	cr_assert_eq(sym_fp_func__state(&f, with_frame, n, 5), SYM_FP_AFTER_PUSH);
	cr_assert_eq(sym_fp_func__state(&f, with_frame, n, 8), SYM_FP_FRAME);
	cr_assert_eq(sym_fp_func__state(&f, with_frame, n, 10), SYM_FP_FRAME, "pop %%rbp not yet run");
	cr_assert_eq(sym_fp_func__state(&f, with_frame, n, 11), SYM_FP_BEFORE_PUSH, "ret after pop %%rbp");
	cr_assert_str_eq(sym_fp_state__name(SYM_FP_AFTER_PUSH), "after push");
}

Test(fpcheck, rbp_as_a_plain_register_is_no_frame)
{
	/* push %rbp; push %rbx; mov %rdi,%rbp; ...; pop %rbx; pop %rbp; ret  (-fomit-frame-pointer) */
	static const uint8_t code[] = { 0x55, 0x53, 0x48, 0x89, 0xfd, 0x48, 0x89, 0xe8, 0x5b, 0x5d, 0xc3 };
	struct sym_fp_func f;

	cr_assert_eq(sym_fpcheck__analyze(fc, code, sizeof(code), &f), 0);
	cr_assert(f.decoded);
	cr_assert_not(f.has_frame);
	cr_assert_eq(sym_fp_func__state(&f, code, sizeof(code), 0), SYM_FP_NO_FRAME);
	cr_assert_eq(sym_fp_func__state(&f, code, sizeof(code), 5), SYM_FP_NO_FRAME);
}

Test(fpcheck, instructions_scheduled_between_push_and_mov)
{
	/* push %rbp; lea 0x8(%rdi),%rdx; xor %eax,%eax; mov %rsp,%rbp; ... ret  (gcc -O2) */
	static const uint8_t code[] = { 0x55, 0x48, 0x8d, 0x57, 0x08, 0x31, 0xc0, 0x48, 0x89, 0xe5, 0x5d, 0xc3 };
	/* push %rbp; push %rbx; mov %rsp,%rbp: %rsp moved, [sp + 8] is no longer the return address */
	static const uint8_t moved[] = { 0x55, 0x53, 0x48, 0x89, 0xe5, 0x5b, 0x5d, 0xc3 };
	struct sym_fp_func f;

	cr_assert_eq(sym_fpcheck__analyze(fc, code, sizeof(code), &f), 0);
	cr_assert(f.has_frame);
	cr_assert_eq(f.push_off, 0);
	cr_assert_eq(f.frame_off, 10);
	cr_assert_eq(sym_fp_func__state(&f, code, sizeof(code), 5), SYM_FP_AFTER_PUSH);
	cr_assert_eq(sym_fpcheck__analyze(fc, moved, sizeof(moved), &f), 0);
	cr_assert_not(f.has_frame);
}

Test(fpcheck, shrink_wrapped_prologue_after_a_fast_path)
{
	/* test %edi,%edi; je +N; push %rbp; mov %rsp,%rbp; ...; pop %rbp; ret */
	static const uint8_t code[] = { 0x85, 0xff, 0x74, 0x06, 0x55, 0x48, 0x89, 0xe5, 0x5d, 0xc3, 0x31, 0xc0, 0xc3 };
	struct sym_fp_func f;

	cr_assert_eq(sym_fpcheck__analyze(fc, code, sizeof(code), &f), 0);
	cr_assert(f.has_frame);
	cr_assert_eq(f.push_off, 4);
	cr_assert_eq(sym_fp_func__state(&f, code, sizeof(code), 2), SYM_FP_BEFORE_PUSH);
}

Test(fpcheck, undecodable_bytes_are_unknown)
{
	static const uint8_t code[] = { 0x06, 0x27 }; /* push %es, daa: invalid in 64-bit mode */
	struct sym_fp_func f;

	cr_assert_lt(sym_fpcheck__analyze(fc, code, sizeof(code), &f), 0);
	cr_assert_not(f.decoded);
	cr_assert_eq(sym_fp_func__state(&f, code, sizeof(code), 0), SYM_FP_UNKNOWN);
}

Test(fpcheck, return_address_slots_in_the_stack_copy)
{
	uint64_t stack[2] = { 0x1111, 0x2222 }, ra = 0;

	cr_assert(sym_fp_state__return_address(SYM_FP_BEFORE_PUSH, (const uint8_t *)stack, 16, &ra));
	cr_assert_eq(ra, 0x1111);
	cr_assert(sym_fp_state__return_address(SYM_FP_AFTER_PUSH, (const uint8_t *)stack, 16, &ra));
	cr_assert_eq(ra, 0x2222);
	cr_assert_not(sym_fp_state__return_address(SYM_FP_AFTER_PUSH, (const uint8_t *)stack, 8, &ra));
	cr_assert_not(sym_fp_state__return_address(SYM_FP_FRAME, (const uint8_t *)stack, 16, &ra));
	cr_assert_not(sym_fp_state__return_address(SYM_FP_NO_FRAME, (const uint8_t *)stack, 16, &ra));
}

Test(fpcheck, caches_by_key)
{
	static const uint8_t nothing[] = { 0xc3 };
	struct sym_fp_func f;

	cr_assert_eq(sym_fpcheck__func(fc, 42, with_frame, sizeof(with_frame), &f), 0);
	cr_assert(f.has_frame);
	/* Same key, other bytes: the cached answer stands. */
	cr_assert_eq(sym_fpcheck__func(fc, 42, nothing, sizeof(nothing), &f), 0);
	cr_assert(f.has_frame);
	cr_assert_eq(f.push_off, 4);
	cr_assert_eq(f.frame_off, 8);
	cr_assert_eq(sym_fpcheck__func(fc, 43, nothing, sizeof(nothing), &f), 0);
	cr_assert_not(f.has_frame);
	cr_assert(f.no_stack);
	cr_assert_eq(sym_fpcheck__func(fc, 43, with_frame, sizeof(with_frame), &f), 0);
	cr_assert(f.no_stack, "cached");
}

/* The size of the function at @addr in this process, from its symbol. */
static size_t func_size(const void *addr)
{
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_linux_proc_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
	};
	Dwfl *dwfl = dwfl_begin(&cb);
	GElf_Sym sym;
	Dwfl_Module *mod;
	size_t size = 0;

	cr_assert_not_null(dwfl);
	cr_assert_eq(dwfl_linux_proc_report(dwfl, getpid()), 0);
	dwfl_report_end(dwfl, NULL, NULL);
	mod = dwfl_addrmodule(dwfl, (uintptr_t)addr);
	cr_assert_not_null(mod);
	cr_assert_not_null(dwfl_module_addrsym(mod, (uintptr_t)addr, &sym, NULL));
	cr_assert_eq(sym.st_value, (uintptr_t)addr);
	size = sym.st_size;
	dwfl_end(dwfl);
	cr_assert_gt(size, 0);
	return size;
}

static struct sym_fp_func analyze_fn(const void *fn)
{
	struct sym_fp_func f;

	cr_assert_eq(sym_fpcheck__analyze(fc, fn, func_size(fn), &f), 0);
	cr_assert(f.decoded);
	return f;
}

Test(fpcheck, fixture_built_with_frame_pointers_has_them)
{
	struct sym_fp_func f = analyze_fn((const void *)(uintptr_t)fp_fixture_caller);

	cr_assert(f.has_frame);
	cr_assert_eq(sym_fp_func__state(&f, NULL, 0, f.frame_off), SYM_FP_FRAME);
}

Test(fpcheck, leaf_without_stack_use_has_no_frame_even_with_frame_pointers)
{
	/*
	 * gcc 12 -O2 -fno-omit-frame-pointer still emits no prologue in a leaf that needs no stack:
	 * the case where a frame-pointer walk loses the leaf's caller, and why fpcheck looks at
	 * functions rather than trusting how a file was built.  clang keeps the frame.
	 */
	struct sym_fp_func f = analyze_fn((const void *)(uintptr_t)fp_fixture_leaf);

#ifdef __clang__
	cr_assert(f.has_frame);
	cr_assert_not(f.no_stack);
#else
	cr_assert_not(f.has_frame);
	/* ... but it moves neither %rsp nor %rbp: the return address is at [sp] throughout */
	cr_assert(f.no_stack);
	cr_assert_eq(sym_fp_func__state(&f, NULL, 0, 0), SYM_FP_LEAF);
	cr_assert_eq(sym_fp_func__state(&f, NULL, 0, 4), SYM_FP_LEAF);
#endif
}

Test(fpcheck, frameless_leaf_needs_neither_push_nor_call)
{
	/* mov %edi,%eax; add $1,%eax; ret */
	static const uint8_t leaf[] = { 0x89, 0xf8, 0x83, 0xc0, 0x01, 0xc3 };
	/* sub $8,%rsp; ...; add $8,%rsp; ret */
	static const uint8_t sub[] = { 0x48, 0x83, 0xec, 0x08, 0x89, 0xf8, 0x48, 0x83, 0xc4, 0x08, 0xc3 };
	/* call rel32; ret */
	static const uint8_t calls[] = { 0xe8, 0x00, 0x00, 0x00, 0x00, 0xc3 };
	/* mov %rdi,%rbp; ret */
	static const uint8_t rbp[] = { 0x48, 0x89, 0xfd, 0xc3 };
	uint64_t stack[1] = { 0x4242 }, ra;
	struct sym_fp_func f;

	sym_fpcheck__analyze(fc, leaf, sizeof(leaf), &f);
	cr_assert(f.no_stack);
	cr_assert_eq(sym_fp_func__state(&f, leaf, sizeof(leaf), 2), SYM_FP_LEAF);
	cr_assert(sym_fp_state__return_address(SYM_FP_LEAF, (const uint8_t *)stack, 8, &ra));
	cr_assert_eq(ra, 0x4242);
	sym_fpcheck__analyze(fc, sub, sizeof(sub), &f);
	cr_assert_not(f.no_stack);
	cr_assert_eq(sym_fp_func__state(&f, sub, sizeof(sub), 4), SYM_FP_NO_FRAME);
	sym_fpcheck__analyze(fc, calls, sizeof(calls), &f);
	cr_assert_not(f.no_stack);
	sym_fpcheck__analyze(fc, rbp, sizeof(rbp), &f);
	cr_assert_not(f.no_stack);
	/* cut short: the rest of the function is unknown */
	sym_fpcheck__analyze(fc, leaf, 3, &f);
	cr_assert_not(f.no_stack);
}

Test(fpcheck, fixture_built_without_frame_pointers_has_none)
{
	cr_assert_not(analyze_fn((const void *)(uintptr_t)unw_fixture_middle).has_frame);
	cr_assert_not(analyze_fn((const void *)(uintptr_t)unw_fixture_middle).no_stack);
	cr_assert_not(analyze_fn((const void *)(uintptr_t)unw_fixture_outer).has_frame);
	cr_assert_not(analyze_fn((const void *)(uintptr_t)unw_fixture_inner).has_frame);
}

static struct sym_fp_summary summarize(const char *path)
{
	struct sym_fp_summary s;
	int fd = open(path, O_RDONLY);
	Elf *elf;

	cr_assert_geq(fd, 0, "%s", path);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	cr_assert_not_null(elf);
	cr_assert_eq(sym_fpcheck__elf(fc, elf, &s), 0);
	elf_end(elf);
	close(fd);
	fprintf(stderr, "%s: %lu of %lu functions set up a frame\n", path, (unsigned long)s.with_frame,
		(unsigned long)s.functions);
	return s;
}

Test(fpcheck, summarizes_elf_files_built_with_and_without_frame_pointers)
{
	const char *builddir = getenv("FREC_TEST_BUILDDIR");
	char nofp[4096];
	struct sym_fp_summary with = summarize("/proc/self/exe"), without;

	/* This binary is built with -fno-omit-frame-pointer (save its nofp fixture and leaves). */
	cr_assert_gt(with.functions, 10);
	cr_assert_gt(with.with_frame * 4, with.functions, "under a quarter of the functions have a frame");

	if (!builddir)
		cr_skip_test("FREC_TEST_BUILDDIR is not set (run through make check)");
	snprintf(nofp, sizeof(nofp), "%s/workloads/nofp/nofp", builddir);
	without = summarize(nofp);
	cr_assert_gt(without.functions, 3);
	cr_assert_lt(without.with_frame * 10, without.functions, "the nofp workload sets up frames");
}
