// SPDX-License-Identifier: MIT
/*
 * The annotator (sym_annotator) on synthetic traces that map the fixture ELF files: samples
 * grouped into the functions that hold their IP, each instruction's count, lines and inlined
 * code, jump targets, name matching, unsampled names, kernel code and a rebuilt file.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "frec/error.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"
#include "sym_fixture.h"
#include "sym_internal.h"

#define PID 100u
#define BASE 0x555555550000ull
#define MAP_LEN 0x100000ull
#define T(ms) (SYMFIX_START_NS + (uint64_t)(ms) * 1000000ull)

static struct symfix_trace tr;
static struct trace_reader *rd;
static struct sym_annotator *ann;
static struct sym_ann_insn *insns;

/* Whether function @i is refused by sym_annotator__disasm() with -EINVAL (what it returns is not kept). */
static bool refused(size_t i)
{
	struct sym_ann_insn *v;
	size_t n;
	int err = sym_annotator__disasm(ann, i, false, &v, &n);

	free(v);
	return err == -EINVAL && !v && !n;
}

static void teardown(void)
{
	free(insns);
	insns = NULL;
	sym_annotator__close(ann);
	ann = NULL;
	trace_reader__close(rd);
	rd = NULL;
}

TestSuite(sym_annotate, .fini = teardown);

/* The run-time address of link-time address @vaddr of @name mapped at BASE from offset 0. */
static uint64_t pc_at(const char *name, uint64_t vaddr)
{
	char path[512];

	return BASE + symfix_offset(symfix(name, path, sizeof(path)), vaddr);
}

static void begin(const char *trace, const char *fix)
{
	char path[512];

	symfix_trace_begin(&tr, trace);
	symfix_comm(&tr, PID, PID, "fixture", T(0), false);
	symfix_mmap2(&tr, PID, BASE, MAP_LEN, 0, symfix(fix, path, sizeof(path)), T(0));
}

/* @n samples whose IP is @pc (a user address), or a kernel address with @kernel. */
static void samples_at(uint64_t pc, bool kernel, int n)
{
	uint64_t chain[] = { kernel ? PERF_CONTEXT_KERNEL : PERF_CONTEXT_USER, pc };

	for (int i = 0; i < n; i++)
		symfix_sample(&tr, PID, PID, T(1 + i), chain, 2);
}

static void open_annotator(void)
{
	cr_assert_eq(trace_writer__close(tr.w), 0);
	cr_assert_eq(trace_reader__open(tr.path, &rd), 0);
	cr_assert_eq(sym_annotator__open(rd, NULL, &ann), 0);
}

/* The one function named @name (matched exactly or loosely); its index. */
static size_t the_func(const char *name)
{
	size_t m[4];

	cr_assert_eq(sym_annotator__match(ann, name, NULL, m, 4), 1, "'%s' does not match one function", name);
	return m[0];
}

static const struct sym_ann_func *func_at(size_t i)
{
	size_t n;
	const struct sym_ann_func *f = sym_annotator__funcs(ann, &n);

	cr_assert_lt(i, n);
	return &f[i];
}

/* Disassemble function @i into insns; checks what holds for every function.  Returns the count. */
static size_t disasm(size_t i, bool lines)
{
	const struct sym_ann_func *f = func_at(i);
	uint64_t sum = 0;
	size_t n;

	free(insns);
	insns = NULL;
	cr_assert_eq(sym_annotator__disasm(ann, i, lines, &insns, &n), 0);
	cr_assert_gt(n, 0);
	cr_assert_eq(insns[0].addr, f->start);
	for (size_t k = 0; k < n; k++) {
		cr_assert_gt(insns[k].size, 0);
		cr_assert_neq(insns[k].text[0], '\0');
		if (k + 1 < n)
			cr_assert_eq(insns[k].addr + insns[k].size, insns[k + 1].addr, "instructions are contiguous");
		sum += insns[k].samples;
	}
	cr_assert_leq(insns[n - 1].addr + insns[n - 1].size, f->end);
	cr_assert_eq(sum, f->samples, "the instructions hold the function's samples");
	return n;
}

Test(sym_annotate, groups_samples_into_functions_and_instructions)
{
	begin("groups", "fix_debug");
	samples_at(pc_at("fix_debug", symfix_vaddr("fix_debug", "fix_leaf", 0)), false, 3);
	samples_at(pc_at("fix_debug", symfix_vaddr("fix_debug", "fix_outer", 0)), false, 1);
	samples_at(0xffffffff81000120ull, true, 2);
	symfix_text(&tr, TRACE_REC_KSYMS, -1, "ffffffff81000100 80 t do_syscall_64\n");
	open_annotator();

	size_t nf;
	const struct sym_ann_func *f = sym_annotator__funcs(ann, &nf);
	cr_assert_eq(nf, 3);
	cr_assert_str_eq(f[0].name, "fix_leaf");
	cr_assert_eq(f[0].samples, 3);
	cr_assert_eq(f[0].kind, SYM_ANN_CODE);
	cr_assert(strstr(f[0].module, "fix_debug"));
	cr_assert_eq(f[0].start, symfix_vaddr("fix_debug", "fix_leaf", 0));
	cr_assert_str_eq(f[1].name, "do_syscall_64");
	cr_assert_eq(f[1].kind, SYM_ANN_KERNEL);
	cr_assert_str_eq(f[2].name, "fix_outer");
	cr_assert_eq(f[2].samples, 1);

	disasm(0, true);
	cr_assert_eq(insns[0].samples, 3);
	cr_assert_not_null(insns[0].file);
	cr_assert(strstr(insns[0].file, "fixture.c"), "%s", insns[0].file);
	cr_assert_eq(insns[0].file[0], '/', "an absolute path: %s", insns[0].file);
	cr_assert_gt(insns[0].line, 0);
	disasm(0, false);
	cr_assert_null(insns[0].file);

	cr_assert(refused(1), "kernel code is not disassembled");
	cr_assert_eq(sym_annotator__hottest(ann, NULL), 0);
	cr_assert_eq(sym_annotator__hottest(ann, "fix_deb"), 0);
	cr_assert_eq(sym_annotator__hottest(ann, "libother.so"), -1);
}

Test(sym_annotate, inlined_code_is_its_function_s)
{
	size_t n, at = 0;
	uint64_t addr = 0;

	/* an instruction of fix_outer from the inlined helper, from a first annotation */
	begin("inline1", "fix_debug");
	samples_at(pc_at("fix_debug", symfix_vaddr("fix_debug", "fix_outer", 0)), false, 1);
	open_annotator();
	n = disasm(the_func("fix_outer"), true);
	for (size_t k = 0; k < n && !addr; k++)
		if (insns[k].inlined) {
			cr_assert_str_eq(insns[k].inlined, "fix_inline_helper");
			addr = insns[k].addr;
		}
	cr_assert_neq(addr, 0, "no instruction of fix_outer is the inlined helper's");
	teardown();

	begin("inline2", "fix_debug");
	samples_at(pc_at("fix_debug", addr), false, 4);
	open_annotator();
	cr_assert_str_eq(func_at(the_func("fix_outer"))->name, "fix_outer");
	cr_assert_eq(func_at(the_func("fix_outer"))->samples, 4);
	n = disasm(the_func("fix_outer"), true);
	while (at < n && insns[at].addr != addr)
		at++;
	cr_assert_lt(at, n);
	cr_assert_eq(insns[at].samples, 4);
}

Test(sym_annotate, calls_name_their_target)
{
	bool found = false;

	begin("calls", "fix_debug");
	samples_at(pc_at("fix_debug", symfix_vaddr("fix_debug", "_ZN3foo3barEi", 0)), false, 1);
	open_annotator();
	size_t n = disasm(the_func("foo::bar"), false);
	for (size_t k = 0; k < n; k++)
		found |= insns[k].target && !strcmp(insns[k].target, "<fix_leaf>");
	cr_assert(found, "no call of fix_leaf named <fix_leaf>");
}

Test(sym_annotate, matches_names_exactly_then_loosely)
{
	size_t m[4];

	begin("match", "fix_debug");
	samples_at(pc_at("fix_debug", symfix_vaddr("fix_debug", "_ZN3foo3barEi", 0)), false, 1);
	samples_at(pc_at("fix_debug", symfix_vaddr("fix_debug", "fix_leaf", 0)), false, 1);
	open_annotator();
	cr_assert_eq(sym_annotator__match(ann, "foo::bar(int)", NULL, m, 4), 1);
	cr_assert_eq(sym_annotator__match(ann, "foo::bar", NULL, m, 4), 1, "without its parameter list");
	cr_assert_eq(sym_annotator__match(ann, "fix_leaf", "fix_debug", m, 4), 1);
	cr_assert_eq(sym_annotator__match(ann, "fix_leaf", "libc", m, 4), 0, "another module");
	cr_assert_eq(sym_annotator__match(ann, "fix_lea", NULL, m, 4), 0, "no prefix matching");
	/* functions of the trace's files without samples are found, not matched */
	cr_assert_null(sym_annotator__find_unsampled(ann, "fix_nosuch", NULL));
	cr_assert(strstr(sym_annotator__find_unsampled(ann, "fix_outer", NULL), "fix_debug"));
	cr_assert(strstr(sym_annotator__find_unsampled(ann, "mycrate::util::encode", NULL), "fix_debug"));
	cr_assert_null(sym_annotator__find_unsampled(ann, "fix_outer", "libc"));
}

Test(sym_annotate, rebuilt_file_is_not_read)
{
	static const uint8_t wrong[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	char path[512];
	size_t m[4], n;

	begin("rebuilt", "fix_nodebug");
	samples_at(pc_at("fix_nodebug", symfix_vaddr("fix_nodebug", "fix_leaf", 0)), false, 2);
	samples_at(pc_at("fix_nodebug", symfix_vaddr("fix_nodebug", "main", 0)), false, 1);
	cr_assert_eq(trace_writer__write_build_id(tr.w, PID, wrong, 20, symfix("fix_nodebug", path, sizeof(path))), 0);
	open_annotator();
	const struct sym_ann_func *f = sym_annotator__funcs(ann, &n);
	cr_assert_eq(n, 1, "one entry for the file, whatever its offsets");
	cr_assert_eq(f[0].kind, SYM_ANN_NO_FILE);
	cr_assert(f[0].module_flags & FREC_MODULE_BUILD_ID_MISMATCH);
	cr_assert_eq(f[0].samples, 3);
	cr_assert_eq(sym_annotator__match(ann, "fix_leaf", NULL, m, 4), 0);
	cr_assert_eq(sym_annotator__hottest(ann, NULL), -1);
	cr_assert(refused(0));
}

Test(sym_annotate, jit_code_is_named_not_read)
{
	size_t m[4];

	begin("jit", "fix_nodebug");
	symfix_mmap2(&tr, PID, 0x7f0000000000ull, 0x10000, 0, "//anon", T(1));
	samples_at(0x7f0000001010ull, false, 2);
	symfix_text(&tr, TRACE_REC_PERF_MAP, PID, "7f0000001000 40 LazyCompile:*hot /app/x.js:10\n");
	open_annotator();
	cr_assert_eq(sym_annotator__match(ann, "LazyCompile:*hot /app/x.js:10", NULL, m, 4), 1);
	cr_assert_eq(func_at(m[0])->kind, SYM_ANN_JIT);
	cr_assert_eq(func_at(m[0])->samples, 2);
	cr_assert(refused(m[0]));
	cr_assert_eq(sym_annotator__hottest(ann, NULL), -1);
}
