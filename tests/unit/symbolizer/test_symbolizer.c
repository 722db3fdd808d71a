// SPDX-License-Identifier: MIT
/*
 * sym_profile__from_trace() on synthetic traces that map the fixture ELF files: naming, demangling,
 * kernel and JIT frames, time-ordered address spaces (dlopen, exec, fork), filters and grouping,
 * unknown frames, build-id mismatches and stack health.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>

#include "frec/error.h"
#include "sym_fixture.h"
#include "sym_internal.h"

#define PID 100u
#define BASE 0x555555550000ull
#define MAP_LEN 0x100000ull
#define T(ms) (SYMFIX_START_NS + (uint64_t)(ms) * 1000000ull)

static struct symfix_trace tr;
static struct frec_profile *prof;
static char *out;

static void teardown(void)
{
	frec_profile__free(prof);
	free(out);
}

TestSuite(symbolizer, .fini = teardown);

/* Runtime address of @sym + @delta in fixture @name mapped at BASE from offset 0. */
static uint64_t pc_of(const char *name, const char *sym, uint64_t delta)
{
	char path[512];

	return BASE + symfix_offset(symfix(name, path, sizeof(path)), symfix_vaddr(name, sym, delta));
}

static void map_fixture(const char *name, uint32_t pid, uint64_t time)
{
	char path[512];

	symfix_mmap2(&tr, pid, BASE, MAP_LEN, 0, symfix(name, path, sizeof(path)), time);
}

static void begin(const char *name)
{
	symfix_trace_begin(&tr, name);
	symfix_comm(&tr, PID, PID, "fixture", T(0), false);
}

static void sample(uint32_t pid, uint32_t tid, uint64_t time, const uint64_t *chain, uint64_t nr)
{
	symfix_sample(&tr, pid, tid, time, chain, nr);
}

static const char *folded(const struct sym_opts *o)
{
	prof = symfix_profile(&tr, o);
	out = symfix_folded(prof);
	return out;
}

#define assert_has(text, line) cr_assert(strstr((text), (line)), "missing \"%s\" in:\n%s", (line), (text))
#define assert_lacks(text, line) cr_assert_null(strstr((text), (line)), "unexpected \"%s\" in:\n%s", (line), (text))

Test(symbolizer, names_a_callchain_root_first)
{
	begin("basic");
	map_fixture("fix_nodebug", PID, T(0));
	uint64_t chain[] = { PERF_CONTEXT_USER, pc_of("fix_nodebug", "fix_leaf", 1),
			     pc_of("fix_nodebug", "main", 8), pc_of("fix_nodebug", "_start", 5) };
	for (int i = 0; i < 3; i++)
		sample(PID, PID, T(10 + i), chain, 4);
	folded(NULL);
	cr_assert_str_eq(out, "_start;main;fix_leaf 3\n");
	const struct frec_profile_meta *m = frec_profile__meta_const(prof);
	cr_assert_eq(m->samples, 3);
	cr_assert_eq(m->freq, 99);
	cr_assert_str_eq(frec_profile__str(prof, m->command), "fixture --run");
	cr_assert_str_eq(frec_profile__str(prof, m->event), "cpu-clock");
	cr_assert_eq(m->health.samples, 3);
	cr_assert_eq(m->health.truncated, 0, "the stack reaches _start");
	cr_assert_eq(m->health.has_unknown, 0);
}

/* Link-time address of section @name of fixture @fix (0 when it has none). */
static uint64_t section_addr(const char *fix, const char *name)
{
	char path[512];
	int fd = open(symfix(fix, path, sizeof(path)), O_RDONLY);
	Elf_Scn *scn = NULL;
	uint64_t addr = 0;
	size_t shstrndx;
	Elf *elf;

	cr_assert_geq(fd, 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_eq(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn)) && !addr) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && !strcmp(elf_strptr(elf, shstrndx, sh.sh_name), name))
			addr = sh.sh_addr;
	}
	elf_end(elf);
	close(fd);
	return addr;
}

Test(symbolizer, plt_stubs_are_named_after_their_function)
{
	char path[512];
	uint64_t plt = section_addr("fix_nodebug", ".plt");

	cr_assert_neq(plt, 0);
	begin("plt");
	map_fixture("fix_nodebug", PID, T(0));
	/* the stub after the PLT's header, called from main: strtol's (atoi inlines it) */
	uint64_t chain[] = { PERF_CONTEXT_USER, BASE + symfix_offset(symfix("fix_nodebug", path, sizeof(path)), plt + 16),
			     pc_of("fix_nodebug", "main", 8), pc_of("fix_nodebug", "_start", 5) };
	sample(PID, PID, T(1), chain, 4);
	folded(NULL);
	cr_assert_str_eq(out, "_start;main;strtol@plt 1\n");
}

Test(symbolizer, return_addresses_are_named_at_the_call)
{
	char path[512];
	uint64_t addr, size;

	begin("retaddr");
	map_fixture("fix_nodebug", PID, T(0));
	/* A return address equal to the end of main (a call as main's last instruction) is main. */
	symfix_sym(symfix("fix_nodebug", path, sizeof(path)), "main", &addr, &size);
	uint64_t end = BASE + symfix_offset(path, addr + size - 1) + 1;
	uint64_t chain[] = { PERF_CONTEXT_USER, pc_of("fix_nodebug", "fix_leaf", 0), end };
	sample(PID, PID, T(1), chain, 3);
	folded(NULL);
	cr_assert_str_eq(out, "main;fix_leaf 1\n");
	cr_assert_eq(frec_profile__meta_const(prof)->health.truncated, 1, "main is not where stacks begin");
}

Test(symbolizer, demangles_unless_asked_not_to)
{
	uint64_t chain[] = { PERF_CONTEXT_USER, pc_of("fix_nodebug", "_ZN3foo3barEi", 0),
			     pc_of("fix_nodebug", "_ZN7mycrate4util5parse17h0123456789abcdefE", 0),
			     pc_of("fix_nodebug", "_RNvNtCs1234_7mycrate4util6encode", 0) };
	struct sym_opts o = { .mangled = true };

	begin("demangle");
	map_fixture("fix_nodebug", PID, T(0));
	sample(PID, PID, T(1), chain, 2);
	sample(PID, PID, T(2), chain + 2, 1);
	chain[2] = PERF_CONTEXT_USER;
	sample(PID, PID, T(3), chain + 2, 2);
	folded(NULL);
	assert_has(out, "foo::bar(int) 1\n");
	assert_has(out, "mycrate::util::parse 1\n");
	assert_has(out, "mycrate::util::encode 1\n");
	frec_profile__free(prof);
	free(out);

	begin("mangled");
	map_fixture("fix_nodebug", PID, T(0));
	sample(PID, PID, T(1), chain, 2);
	folded(&o);
	cr_assert_str_eq(out, "_ZN3foo3barEi 1\n");
}

Test(symbolizer, kernel_frames_from_the_kallsyms_snapshot)
{
	uint64_t chain[] = { PERF_CONTEXT_KERNEL, 0xffffffffc0001010ull, 0xffffffff81000120ull, PERF_CONTEXT_USER,
			     pc_of("fix_nodebug", "fix_leaf", 0) };
	struct sym_opts o = { .no_kernel = true };

	begin("kernel");
	map_fixture("fix_nodebug", PID, T(0));
	sample(PID, PID, T(1), chain, 5);
	symfix_text(&tr, TRACE_REC_KSYMS, -1,
		    "ffffffff81000100 80 t do_syscall_64\nffffffffc0001000 40 t ext4_read\t[ext4]\n");
	folded(NULL);
	cr_assert_str_eq(out, "fix_leaf;do_syscall_64_[k];ext4_read_[k] 1\n");
	frec_profile__free(prof);
	free(out);

	begin("nokernel");
	map_fixture("fix_nodebug", PID, T(0));
	sample(PID, PID, T(1), chain, 5);
	folded(&o);
	cr_assert_str_eq(out, "fix_leaf 1\n");
}

Test(symbolizer, jit_frames_from_the_perf_map)
{
	uint64_t chain[] = { PERF_CONTEXT_USER, 0x7f0000001010ull, 0x7f0000002004ull, pc_of("fix_nodebug", "main", 4) };

	begin("jit");
	map_fixture("fix_nodebug", PID, T(0));
	symfix_mmap2(&tr, PID, 0x7f0000000000ull, 0x10000, 0, "//anon", T(1));
	sample(PID, PID, T(2), chain, 4);
	symfix_text(&tr, TRACE_REC_PERF_MAP, PID, "7f0000001000 40 LazyCompile:*hot /app/x.js:10\n"
						  "7f0000002000 10 Interpreter\n");
	folded(NULL);
	cr_assert_str_eq(out, "main;Interpreter_[j];LazyCompile:*hot /app/x.js:10_[j] 1\n");
}

Test(symbolizer, dlopen_resolves_from_the_mapping_time_on)
{
	char lib[512];

	begin("dlopen");
	map_fixture("fix_nodebug", PID, T(0));
	uint64_t libpc = 0x7f1000000000ull + symfix_offset(symfix("libfix.so", lib, sizeof(lib)), 0);
	uint64_t addr, size;
	symfix_sym(lib, "fix_leaf", &addr, &size);
	libpc = 0x7f1000000000ull + symfix_offset(lib, addr);
	uint64_t chain[] = { PERF_CONTEXT_USER, libpc };
	sample(PID, PID, T(1), chain, 2);  /* before the dlopen: nothing mapped there */
	sample(PID, PID, T(30), chain, 2); /* written before the MMAP2, but later in time */
	symfix_mmap2(&tr, PID, 0x7f1000000000ull, MAP_LEN, 0, lib, T(20));
	sample(PID, PID, T(40), chain, 2);
	folded(NULL);
	assert_has(out, "[unknown] 1\n");
	assert_has(out, "fix_leaf 2\n");
	uint32_t nf = frec_profile__nr_frames(prof);
	bool found = false;
	for (uint32_t i = 0; i < nf; i++) {
		const struct frec_frame *f = frec_profile__frame(prof, i);
		if (!strcmp(frec_profile__str(prof, f->name), "fix_leaf")) {
			cr_assert(strstr(frec_profile__str(prof, f->module), "libfix.so"));
			found = true;
		}
	}
	cr_assert(found);
}

Test(symbolizer, exec_replaces_the_address_space)
{
	begin("exec");
	map_fixture("fix_nodebug", PID, T(0));
	uint64_t a = pc_of("fix_nodebug", "fix_leaf", 0);
	uint64_t chain[] = { PERF_CONTEXT_USER, a };
	sample(PID, PID, T(1), chain, 2);
	symfix_comm(&tr, PID, PID, "newprog", T(5), true);
	symfix_mmap2(&tr, PID, BASE + 0x200000, MAP_LEN, 0, "/nonexistent/newprog", T(6));
	sample(PID, PID, T(7), chain, 2); /* the old image is gone */
	struct sym_opts o = { .per_process = true };
	folded(&o);
	assert_has(out, "fixture [100];fix_leaf 1\n");
	assert_has(out, "newprog [100];[unknown] 1\n");
}

Test(symbolizer, fork_inherits_the_parent_mappings)
{
	begin("fork");
	map_fixture("fix_nodebug", PID, T(0));
	symfix_fork(&tr, 200, PID, 200, PID, T(3));
	uint64_t chain[] = { PERF_CONTEXT_USER, pc_of("fix_nodebug", "fix_leaf", 0) };
	sample(200, 200, T(4), chain, 2);
	sample(201, 201, T(4), chain, 2); /* never seen: unknown */
	struct sym_opts o = { .per_thread = true };
	folded(&o);
	assert_has(out, "fixture [200];fix_leaf 1\n");
	assert_has(out, "? [201];[unknown] 1\n");
}

Test(symbolizer, filters)
{
	uint64_t chain[] = { PERF_CONTEXT_USER, pc_of("fix_nodebug", "fix_leaf", 0) };
	int32_t pids[] = { 300 };
	int32_t tids[] = { 101 };

	begin("filters");
	map_fixture("fix_nodebug", PID, T(0));
	symfix_fork(&tr, 300, PID, 300, PID, T(1));
	symfix_comm(&tr, 300, 300, "other", T(1), false);
	symfix_fork(&tr, PID, PID, 101, PID, T(1));
	sample(PID, PID, T(100), chain, 2);
	sample(PID, 101, T(2000), chain, 2);
	sample(300, 300, T(3000), chain, 2);
	prof = symfix_profile(&tr, NULL);
	frec_profile__free(prof);

	struct { struct sym_opts o; uint64_t want; } cases[] = {
		{ { 0 }, 3 },
		{ { .pids = pids, .nr_pids = 1 }, 1 },
		{ { .tids = tids, .nr_tids = 1 }, 1 },
		{ { .comm = "fixture" }, 2 },
		{ { .comm = "other" }, 1 },
		{ { .comm = "nobody" }, 0 },
		{ { .time_start = 1000000000ull }, 2 },
		{ { .time_start = 1000000000ull, .time_end = 2500000000ull }, 1 },
		{ { .time_end = 50000000ull }, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct trace_reader *r;

		cr_assert_eq(trace_reader__open(tr.path, &r), 0);
		cr_assert_eq(sym_profile__from_trace(r, &cases[i].o, &prof), 0);
		trace_reader__close(r);
		cr_assert_eq(frec_profile__total(prof), cases[i].want, "case %zu: %lu samples", i,
			     (unsigned long)frec_profile__total(prof));
		cr_assert_eq(frec_profile__meta_const(prof)->samples, 3, "metadata counts the whole trace");
		frec_profile__free(prof);
	}
	prof = NULL;
}

Test(symbolizer, unknown_frames_are_named_and_counted)
{
	uint64_t chain[] = { PERF_CONTEXT_USER, BASE + 0x200010, 0x1234 };

	begin("unknown");
	map_fixture("fix_nodebug", PID, T(0));
	symfix_mmap2(&tr, PID, BASE + 0x200000, 0x1000, 0x3000, "/nonexistent/libgone.so", T(0));
	sample(PID, PID, T(1), chain, 3);
	folded(NULL);
	cr_assert_str_eq(out, "[unknown];libgone.so+0x3010 1\n");
	const struct frec_profile_meta *m = frec_profile__meta_const(prof);
	cr_assert_eq(m->health.has_unknown, 1);
	cr_assert_eq(m->health.truncated, 1);
	size_t n;
	const struct frec_module_stat *ms = frec_profile__module_stats(prof, &n);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(frec_profile__str(prof, ms[0].module), "/nonexistent/libgone.so");
	cr_assert(ms[0].flags & FREC_MODULE_NOT_FOUND);
	cr_assert_eq(ms[0].unknown_samples, 1);
}

Test(symbolizer, build_id_mismatch_is_not_used)
{
	static const uint8_t wrong[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	char path[512];
	uint64_t pc = pc_of("fix_nodebug", "fix_leaf", 0);
	uint64_t chain[] = { PERF_CONTEXT_USER, pc };

	begin("mismatch");
	map_fixture("fix_nodebug", PID, T(0));
	sample(PID, PID, T(1), chain, 2);
	cr_assert_eq(trace_writer__write_build_id(tr.w, PID, wrong, 20, symfix("fix_nodebug", path, sizeof(path))), 0);
	folded(NULL);
	assert_lacks(out, "fix_leaf");
	assert_has(out, "fix_nodebug+0x");
	size_t n;
	const struct frec_module_stat *ms = frec_profile__module_stats(prof, &n);
	cr_assert_eq(n, 1);
	cr_assert(ms[0].flags & FREC_MODULE_BUILD_ID_MISMATCH);
}

Test(symbolizer, inline_frames_and_lines)
{
	char path[512];
	uint64_t addr, size, inl = 0;

	/* find an address of fix_outer inside the inlined helper, with the code under test's own lookup */
	struct sym_elf *e;
	cr_assert_eq(sym_elf__open(symfix("fix_debug", path, sizeof(path)), NULL, &e), 0);
	symfix_sym(path, "fix_outer", &addr, &size);
	for (uint64_t a = addr; a < addr + size && !inl; a++) {
		struct sym_elf_frame fr[4];
		if (sym_elf__lookup(e, a, true, false, fr, 4) == 2)
			inl = a;
	}
	sym_elf__close(e);
	cr_assert_neq(inl, 0);
	uint64_t chain[] = { PERF_CONTEXT_USER, BASE + symfix_offset(path, inl) };

	begin("inline");
	map_fixture("fix_debug", PID, T(0));
	sample(PID, PID, T(1), chain, 2);
	folded(NULL);
	cr_assert_str_eq(out, "fix_outer;fix_inline_helper_[i] 1\n");
	frec_profile__free(prof);
	free(out);

	struct sym_opts o = { .no_inline = true };
	begin("noinline");
	map_fixture("fix_debug", PID, T(0));
	sample(PID, PID, T(1), chain, 2);
	folded(&o);
	cr_assert_str_eq(out, "fix_outer 1\n");
	frec_profile__free(prof);
	free(out);

	struct sym_opts l = { .lines = true };
	begin("lines");
	map_fixture("fix_debug", PID, T(0));
	sample(PID, PID, T(1), chain, 2);
	folded(&l);
	cr_assert(!strncmp(out, "fix_outer (fixture.c:", 21), "%s", out);
	assert_has(out, ");fix_inline_helper (fixture.c:");
	assert_has(out, ")_[i] 1\n");
}

Test(symbolizer, fills_the_metadata_and_counts_each_stack)
{
	uint64_t chain[] = { PERF_CONTEXT_USER, pc_of("fix_nodebug", "fix_leaf", 0), pc_of("fix_nodebug", "main", 8) };
	uint64_t chain2[] = { PERF_CONTEXT_USER, pc_of("fix_nodebug", "fix_outer", 0), pc_of("fix_nodebug", "main", 8) };
	const struct frec_profile_meta *m;

	begin("meta");
	map_fixture("fix_nodebug", PID, T(0));
	for (int i = 0; i < 3; i++)
		sample(PID, PID, T(1 + i), chain, 3);
	sample(PID, PID, T(9), chain2, 3);
	folded(NULL);
	m = frec_profile__meta_const(prof);
	cr_assert_str_eq(frec_profile__str(prof, m->command), "fixture --run");
	cr_assert_str_eq(frec_profile__str(prof, m->event), "cpu-clock");
	cr_assert_eq(m->freq, 99);
	cr_assert_eq(m->samples, 4);
	cr_assert_eq(m->lost, 0);
	cr_assert_str_eq(out, "main;fix_leaf 3\nmain;fix_outer 1\n");
	cr_assert_eq(m->health.samples, 4);
	cr_assert_eq(m->health.truncated, 4, "main is where these stacks end, not where stacks begin");
}

Test(symbolizer, null_return_address_ends_the_stack)
{
	uint64_t chain[] = { PERF_CONTEXT_USER, pc_of("fix_nodebug", "fix_leaf", 0), 0 };

	begin("nullret");
	map_fixture("fix_nodebug", PID, T(0));
	sample(PID, PID, T(1), chain, 3);
	folded(NULL);
	cr_assert_str_eq(out, "fix_leaf 1\n");
	cr_assert_eq(frec_profile__meta_const(prof)->health.truncated, 1);
	cr_assert_eq(frec_profile__meta_const(prof)->health.has_unknown, 0);
}

Test(symbolizer, deleted_file_is_found_by_its_old_path)
{
	char path[512], deleted[600];
	uint64_t chain[] = { PERF_CONTEXT_USER, pc_of("fix_nodebug", "fix_leaf", 0) };

	begin("deleted");
	snprintf(deleted, sizeof(deleted), "%s (deleted)", symfix("fix_nodebug", path, sizeof(path)));
	symfix_mmap2(&tr, PID, BASE, MAP_LEN, 0, deleted, T(0));
	sample(PID, PID, T(1), chain, 2);
	folded(NULL);
	cr_assert_str_eq(out, "fix_leaf 1\n");
}

/* Offset in this process's vDSO image of its symbol @name (read with libelf), or 0. */
static uint64_t vdso_offset(const char *name)
{
	const unsigned char *img = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	uint64_t shoff, found = 0;
	uint16_t shentsize, shnum;
	Elf_Scn *scn = NULL;
	Elf *elf;

	if (!img)
		return 0;
	memcpy(&shoff, img + 0x28, 8);
	memcpy(&shentsize, img + 0x3a, 2);
	memcpy(&shnum, img + 0x3c, 2);
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)img, shoff + (size_t)shentsize * shnum);
	while (elf && (scn = elf_nextscn(elf, scn)) && !found) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			if (gelf_getsym(d, (int)i, &sym) && (n = elf_strptr(elf, sh.sh_link, sym.st_name)) &&
			    !strcmp(n, name) && sym.st_value)
				found = sym.st_value + 1;
		}
	}
	elf_end(elf);
	return found;
}

Test(symbolizer, vdso_of_the_recording_kernel)
{
	struct utsname u;
	uint64_t off = vdso_offset("__vdso_clock_gettime");
	uint64_t chain[] = { PERF_CONTEXT_USER, 0x7ff000000000ull + off };

	cr_assert_eq(uname(&u), 0);
	if (!off)
		cr_skip_test("this kernel's vDSO has no __vdso_clock_gettime");
	symfix_trace_begin_on(&tr, "vdso", u.release);
	symfix_comm(&tr, PID, PID, "fixture", T(0), false);
	symfix_mmap2(&tr, PID, 0x7ff000000000ull, 0x2000, 0, "[vdso]", T(0));
	sample(PID, PID, T(1), chain, 2);
	folded(NULL);
	cr_assert_str_eq(out, "__vdso_clock_gettime 1\n");
	frec_profile__free(prof);
	free(out);

	/* recorded on another kernel: this machine's vDSO is not that one */
	symfix_trace_begin_on(&tr, "vdso-other", "0.0-other");
	symfix_mmap2(&tr, PID, 0x7ff000000000ull, 0x2000, 0, "[vdso]", T(0));
	sample(PID, PID, T(1), chain, 2);
	folded(NULL);
	cr_assert(!strncmp(out, "[vdso]+0x", 9), "%s", out);
}

/*
 * Deep stacks take the memo of callers (a chain of return addresses seen before is not named
 * again): what it gives must be what naming every frame gives, whatever changed in between.
 */

#define DEEP 12 /* return addresses: above the memo's minimum */

/* fix_leaf, called by main recursing DEEP - 1 times, from _start unless @truncated. */
static size_t deep_chain(uint64_t *chain, bool truncated)
{
	size_t n = 0;

	chain[n++] = PERF_CONTEXT_USER;
	chain[n++] = pc_of("fix_nodebug", "fix_leaf", 1);
	for (int i = 0; i < DEEP - 1; i++)
		chain[n++] = pc_of("fix_nodebug", "main", 8);
	chain[n++] = truncated ? pc_of("fix_nodebug", "main", 8) : pc_of("fix_nodebug", "_start", 5);
	return n;
}

/* The same callers of libfix.so's fix_leaf, mapped at LIB. */
#define LIB 0x7f1000000000ull
static size_t deep_chain_lib(uint64_t *chain, bool truncated)
{
	char lib[512];
	uint64_t addr, size;
	size_t n = deep_chain(chain, truncated);

	symfix_sym(symfix("libfix.so", lib, sizeof(lib)), "fix_leaf", &addr, &size);
	chain[1] = LIB + symfix_offset(lib, addr + 1);
	return n;
}

/* The folded line of deep_chain() under @root ("" for none), with @count. */
static char *deep_line(const char *root, bool truncated, unsigned count)
{
	static char buf[1024];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "%s%s", root, truncated ? "main" : "_start");

	for (int i = 0; i < DEEP - 1; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, ";main");
	snprintf(buf + len, sizeof(buf) - len, ";fix_leaf %u\n", count);
	return buf;
}

static const struct frec_module_stat *module_stat(const char *suffix)
{
	size_t n;
	const struct frec_module_stat *ms = frec_profile__module_stats(prof, &n);

	for (size_t i = 0; i < n; i++) {
		const char *m = frec_profile__str(prof, ms[i].module);

		if (strlen(m) >= strlen(suffix) && !strcmp(m + strlen(m) - strlen(suffix), suffix))
			return &ms[i];
	}
	cr_assert_fail("no module statistics for %s", suffix);
	return NULL;
}

Test(symbolizer, deep_stacks_repeat_with_their_health)
{
	uint64_t chain[DEEP + 2], cut[DEEP + 2];
	size_t n = deep_chain(chain, false), n_cut = deep_chain_lib(cut, true);
	char lib[512];

	begin("memo_health");
	map_fixture("fix_nodebug", PID, T(0));
	symfix_mmap2(&tr, PID, LIB, MAP_LEN, 0, symfix("libfix.so", lib, sizeof(lib)), T(0));
	for (int i = 0; i < 3; i++)
		sample(PID, PID, T(10 + i), chain, n);
	for (int i = 0; i < 4; i++)
		sample(PID, PID, T(20 + i), cut, n_cut);
	/* the same callers under another leaf, in the kernel this time */
	uint64_t kchain[DEEP + 4] = { PERF_CONTEXT_KERNEL, 0xffffffff81000120ull };
	memcpy(kchain + 2, chain, n * sizeof(*chain));
	sample(PID, PID, T(30), kchain, n + 2);
	folded(NULL);
	assert_has(out, deep_line("", false, 3));
	assert_has(out, deep_line("", true, 4));
	const struct frec_profile_meta *m = frec_profile__meta_const(prof);
	cr_assert_eq(m->health.samples, 8);
	cr_assert_eq(m->health.truncated, 4, "every sample of the cut stack: %lu",
		     (unsigned long)m->health.truncated);
	/* this trace has no kallsyms: the kernel leaf is unknown, and that counts with the memo's callers */
	cr_assert(strstr(out, ";fix_leaf;[unknown]_[k] 1\n"), "%s", out);
	cr_assert_eq(m->health.has_unknown, 1);
	cr_assert_eq(frec_profile__total(prof), 8);
	const struct frec_module_stat *ms = module_stat("fix_nodebug");
	/* the cut stacks' leaf is in libfix.so: the callers alone count them in fix_nodebug */
	cr_assert_eq(ms->samples, 8, "each sample counts in its module: %lu", (unsigned long)ms->samples);
	cr_assert_eq(ms->broken_samples, 4);
	cr_assert_eq(module_stat("libfix.so")->samples, 4);
}

Test(symbolizer, deep_stacks_follow_mapping_changes)
{
	uint64_t chain[DEEP + 2];
	size_t n = deep_chain(chain, false);

	begin("memo_maps");
	map_fixture("fix_nodebug", PID, T(0));
	for (int i = 0; i < 3; i++)
		sample(PID, PID, T(10 + i), chain, n);
	/* the same addresses, another file from T(20) on */
	symfix_mmap2(&tr, PID, BASE, MAP_LEN, 0, "/nonexistent/other", T(20));
	for (int i = 0; i < 2; i++)
		sample(PID, PID, T(30 + i), chain, n);
	folded(NULL);
	assert_has(out, deep_line("", false, 3));
	cr_assert(strstr(out, "other+0x"), "the new mapping names the frames:\n%s", out);
	const struct frec_profile_meta *m = frec_profile__meta_const(prof);
	cr_assert_eq(m->health.has_unknown, 2);
	cr_assert_eq(m->health.truncated, 2);
	const struct frec_module_stat *ms = module_stat("/nonexistent/other");
	cr_assert_eq(ms->samples, 2);
	cr_assert_eq(ms->unknown_samples, 2);
	cr_assert_eq(module_stat("fix_nodebug")->samples, 3);
}

Test(symbolizer, deep_stacks_of_processes_and_threads_apart)
{
	uint64_t chain[DEEP + 2];
	size_t n = deep_chain(chain, false);
	struct sym_opts o = { .per_thread = true };

	begin("memo_procs");
	map_fixture("fix_nodebug", PID, T(0));
	symfix_fork(&tr, 200, PID, 200, PID, T(1));
	symfix_fork(&tr, PID, PID, 101, PID, T(1));
	/* the child maps another file over the same addresses */
	symfix_mmap2(&tr, 200, BASE, MAP_LEN, 0, "/nonexistent/other", T(2));
	for (int i = 0; i < 3; i++) {
		sample(PID, PID, T(10 + i), chain, n);
		sample(200, 200, T(10 + i), chain, n);
		sample(PID, 101, T(10 + i), chain, n);
	}
	folded(&o);
	assert_has(out, deep_line("fixture [100];", false, 3));
	assert_has(out, deep_line("fixture [101];", false, 3));
	cr_assert(strstr(out, "fixture [200];other+0x"), "the child's own mapping names its frames:\n%s", out);
	cr_assert_eq(frec_profile__meta_const(prof)->health.has_unknown, 3);
}
