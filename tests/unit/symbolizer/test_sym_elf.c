// SPDX-License-Identifier: MIT
/*
 * sym_elf: symbols, PT_LOAD translation, separate debug info, inline chains, lines, demangling, on
 * the fixture ELF files built by make check (tests/fixtures/symbolizer/fixture.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frec/error.h"
#include "frec/profile.h"
#include "sym_fixture.h"
#include "sym_internal.h"

static struct sym_elf *e;

static void teardown(void)
{
	sym_elf__close(e);
	e = NULL;
}

TestSuite(sym_elf, .fini = teardown);

static struct sym_elf *open_fix(const char *name, const char *debug_path)
{
	char path[512];
	int err = sym_elf__open(symfix(name, path, sizeof(path)), debug_path, &e);

	cr_assert_eq(err, 0, "sym_elf__open(%s): %s", path, frec_strerror(err));
	return e;
}

static const char *debug_dir(char *buf, size_t size)
{
	char dir[512];

	snprintf(buf, size, ":.debug:%s", symfix("debug", dir, sizeof(dir)));
	return buf;
}

/* The name of the outermost (non-inlined) frame at @vaddr, or NULL. */
static const char *func_at(uint64_t vaddr)
{
	struct sym_elf_frame fr[8];
	int n = sym_elf__lookup(e, vaddr, false, false, fr, 8);

	cr_assert_leq(n, 1, "without inline frames there is one frame");
	return n == 1 ? fr[0].name : NULL;
}

Test(sym_elf, symtab_names_every_function)
{
	char path[512];
	static const char *const names[] = { "fix_leaf", "fix_outer", "main", "_ZN3foo3barEi",
					     "_RNvNtCs1234_7mycrate4util6encode" };

	open_fix("fix_nodebug", NULL);
	cr_assert_gt(sym_elf__nr_symbols(e), 5);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t addr, size;

		symfix_sym(symfix("fix_nodebug", path, sizeof(path)), names[i], &addr, &size);
		cr_assert_str_eq(func_at(addr), names[i]);
		cr_assert_str_eq(func_at(addr + size - 1), names[i], "last byte of %s", names[i]);
	}
	cr_assert_null(func_at(0x10), "the ELF header is no function");
}

Test(sym_elf, no_debuginfo_flag_and_no_inline_frames)
{
	char path[512];
	uint64_t addr, size;
	struct sym_elf_frame fr[8];

	open_fix("fix_nodebug", NULL);
	symfix_sym(symfix("fix_nodebug", path, sizeof(path)), "fix_outer", &addr, &size);
	for (uint64_t a = addr; a < addr + size; a++)
		cr_assert_eq(sym_elf__lookup(e, a, true, true, fr, 8), 1);
	cr_assert(sym_elf__flags(e) & FREC_MODULE_NO_DEBUGINFO);
	cr_assert_not(sym_elf__flags(e) & FREC_MODULE_NO_SYMBOLS);
}

static void check_inline_chain_and_lines(const char *fix)
{
	char path[512];
	uint64_t addr, size;
	bool seen = false;

	open_fix(fix, NULL);
	symfix_sym(symfix(fix, path, sizeof(path)), "fix_outer", &addr, &size);
	cr_assert_not(sym_elf__flags(e) & FREC_MODULE_NO_DEBUGINFO);
	for (uint64_t a = addr; a < addr + size; a++) {
		struct sym_elf_frame fr[8];
		int n = sym_elf__lookup(e, a, true, true, fr, 8);

		cr_assert_geq(n, 1);
		cr_assert_str_eq(fr[n - 1].name, "fix_outer");
		cr_assert_not(fr[n - 1].inlined);
		if (n < 2)
			continue;
		seen = true;
		cr_assert_eq(n, 2, "one level of inlining at 0x%lx", (unsigned long)a);
		cr_assert_str_eq(fr[0].name, "fix_inline_helper");
		cr_assert(fr[0].inlined);
		cr_assert_not_null(fr[0].file);
		cr_assert(strstr(fr[0].file, "fixture.c"), "file %s", fr[0].file);
		cr_assert_gt(fr[0].line, 0);
		/* the caller's line is the call site in fix_outer, after the helper's body */
		cr_assert_not_null(fr[1].file);
		cr_assert_gt(fr[1].line, fr[0].line);
	}
	cr_assert(seen, "no address of fix_outer is inside the inlined helper");
}

Test(sym_elf, inline_chain_and_lines)
{
	check_inline_chain_and_lines("fix_debug");
}

/* The CUs' ranges come from .debug_aranges when there is one, else from the CUs themselves. */
Test(sym_elf, inline_chain_without_debug_aranges)
{
	check_inline_chain_and_lines("fix_noaranges");
}

Test(sym_elf, inline_frames_can_be_skipped)
{
	char path[512];
	uint64_t addr, size;

	open_fix("fix_debug", NULL);
	symfix_sym(symfix("fix_debug", path, sizeof(path)), "fix_outer", &addr, &size);
	for (uint64_t a = addr; a < addr + size; a++)
		cr_assert_str_eq(func_at(a), "fix_outer");
}

static void check_separate_debug(const char *name, const char *full_symtab_of, const char *debug_path)
{
	char path[512];
	uint64_t addr, size;
	struct sym_elf_frame fr[8];
	int n;

	open_fix(name, debug_path);
	cr_assert_not(sym_elf__flags(e) & FREC_MODULE_NO_SYMBOLS, "%s: debug info not found", name);
	symfix_sym(full_symtab_of, "fix_leaf", &addr, &size);
	n = sym_elf__lookup(e, addr, true, true, fr, 8);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(fr[0].name, "fix_leaf");
	cr_assert_gt(fr[0].line, 0, "lines come from the separate debug file");
	(void)path;
}

Test(sym_elf, stripped_with_debug_by_build_id)
{
	char dbg[600], file[700], hexid[41];
	const uint8_t *id;
	size_t n;

	open_fix("fix_buildid", debug_dir(dbg, sizeof(dbg)));
	n = sym_elf__build_id(e, &id);
	cr_assert_eq(n, 20);
	for (size_t i = 0; i < n; i++)
		sprintf(hexid + 2 * i, "%02x", id[i]);
	snprintf(file, sizeof(file), "%s/.build-id/%.2s/%s.debug", symfix("debug", dbg, sizeof(dbg)), hexid, hexid + 2);
	sym_elf__close(e);
	e = NULL;
	check_separate_debug("fix_buildid", file, debug_dir(dbg, sizeof(dbg)));
	sym_elf__close(e);

	/* The debug file alone, in place of its binary (which is missing): same addresses. */
	uint64_t addr, size, vaddr = 0, pgoff, bias, start;
	char bin[512];
	cr_assert_eq(sym_elf__open(file, "", &e), 0);
	symfix_sym(file, "fix_leaf", &addr, &size);
	start = symfix_exec_map(symfix("fix_buildid", bin, sizeof(bin)), 0x7f0000000000ull, &pgoff, &bias);
	cr_assert_eq(sym_elf__vaddr(e, start, pgoff, bias + addr, &vaddr), 0);
	cr_assert_eq(vaddr, addr);
	cr_assert_str_eq(func_at(vaddr), "fix_leaf");
}

Test(sym_elf, stripped_without_debug_has_no_symbols)
{
	char path[512];
	uint64_t addr, size;

	uint64_t start = 0;

	open_fix("fix_buildid", "");
	cr_assert(sym_elf__flags(e) & FREC_MODULE_NO_SYMBOLS);
	symfix_sym(symfix("fix_debug", path, sizeof(path)), "fix_leaf", &addr, &size);
	cr_assert_null(func_at(addr));
	/* .eh_frame still tells where the function starts, so its samples can be grouped */
	cr_assert_eq(sym_elf__func_start(e, addr + size / 2, &start), 0);
	cr_assert_eq(start, addr, "start 0x%lx, expected 0x%lx", (unsigned long)start, (unsigned long)addr);
	cr_assert_eq(sym_elf__func_start(e, 0x10, &start), -ENOENT);
	/* at every instruction of a function that sets up a frame, whose CFI has several rows */
	symfix_sym(path, "_ZN3foo3barEi", &addr, &size);
	cr_assert_gt(size, 4);
	for (uint64_t a = addr; a < addr + size; a++) {
		cr_assert_eq(sym_elf__func_start(e, a, &start), 0, "at 0x%lx", (unsigned long)a);
		cr_assert_eq(start, addr, "at 0x%lx: start 0x%lx, expected 0x%lx", (unsigned long)a,
			     (unsigned long)start, (unsigned long)addr);
	}
}

/* .eh_frame_hdr search tables: version 1, eh_frame_ptr pcrel sdata4, count udata4, datarel sdata4 pairs */
static size_t eh_hdr(uint8_t *buf, uint8_t table_enc, uint32_t count, const int32_t *starts)
{
	size_t n = 0;
	int32_t zero = 0;

	buf[n++] = 1;
	buf[n++] = 0x1b;
	buf[n++] = 0x03;
	buf[n++] = table_enc;
	memcpy(buf + n, &zero, 4);
	n += 4;
	memcpy(buf + n, &count, 4);
	n += 4;
	for (uint32_t i = 0; i < count; i++) {
		memcpy(buf + n, &starts[i], 4);
		memcpy(buf + n + 4, &zero, 4);
		n += 8;
	}
	return n;
}

Test(sym_elf, eh_frame_hdr_table)
{
	/* relative to the section at 0x2000; out of order on purpose */
	const int32_t starts[] = { -0x1000, -0x800, 0x400, -0x900 };
	uint8_t buf[128];
	size_t len = eh_hdr(buf, 0x3b, 4, starts);
	uint64_t *v = NULL;
	size_t n = 0;

	cr_assert_eq(sym_eh_frame_hdr__starts(buf, len, 0x2000, &v, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(v[0], 0x1000);
	cr_assert_eq(v[1], 0x1700);
	cr_assert_eq(v[2], 0x1800);
	cr_assert_eq(v[3], 0x2400);
	free(v);

	/* a count the section cannot hold, a truncated header, other encodings, another version */
	cr_assert_eq(sym_eh_frame_hdr__starts(buf, len - 1, 0x2000, &v, &n), -FREC_E_DWARF);
	cr_assert_null(v);
	cr_assert_eq(sym_eh_frame_hdr__starts(buf, 7, 0x2000, &v, &n), -FREC_E_DWARF);
	len = eh_hdr(buf, 0x1b, 4, starts);
	cr_assert_eq(sym_eh_frame_hdr__starts(buf, len, 0x2000, &v, &n), -FREC_E_DWARF);
	buf[0] = 2;
	cr_assert_eq(sym_eh_frame_hdr__starts(buf, len, 0x2000, &v, &n), -FREC_E_DWARF);
	len = eh_hdr(buf, 0x3b, 0, starts);
	cr_assert_eq(sym_eh_frame_hdr__starts(buf, len, 0x2000, &v, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(v);
}

Test(sym_elf, stripped_with_debuglink)
{
	char path[512];

	check_separate_debug("fix_debuglink", symfix("fix_debuglink.debug", path, sizeof(path)), "");
}

/*
 * fix_leaf of fixture @name found at its link-time address from a run-time one: in the loader's
 * mapping of its executable segment, and in a mapping of the whole file from offset 0.
 */
static void check_translation(const char *name)
{
	char path[512];
	uint64_t addr, size, off, vaddr = 0, pgoff, bias, start;

	open_fix(name, NULL);
	symfix(name, path, sizeof(path));
	symfix_sym(path, "fix_leaf", &addr, &size);
	start = symfix_exec_map(path, 0x7f0000000000ull, &pgoff, &bias);
	cr_assert_eq(sym_elf__vaddr(e, start, pgoff, bias + addr, &vaddr), 0);
	cr_assert_eq(vaddr, addr, "%s: mapped at 0x%lx from 0x%lx: 0x%lx, expected 0x%lx", name,
		     (unsigned long)start, (unsigned long)pgoff, (unsigned long)vaddr, (unsigned long)addr);
	cr_assert_str_eq(func_at(vaddr), "fix_leaf");

	off = symfix_offset(path, addr);
	cr_assert_eq(sym_elf__vaddr(e, 0x7f0000000000ull, 0, 0x7f0000000000ull + off, &vaddr), 0);
	cr_assert_eq(vaddr, addr, "%s: offset 0x%lx -> 0x%lx, expected 0x%lx", name, (unsigned long)off,
		     (unsigned long)vaddr, (unsigned long)addr);
}

Test(sym_elf, vaddr_non_pie)
{
	check_translation("fix_nopie");
}

Test(sym_elf, vaddr_lld_layout)
{
	check_translation("fix_lld");
}

Test(sym_elf, vaddr_shared_library)
{
	check_translation("libfix.so");
}

Test(sym_elf, open_mem_reads_an_image)
{
	char path[512];
	uint64_t addr, size;
	FILE *f = fopen(symfix("fix_nodebug", path, sizeof(path)), "rb");
	static char img[1 << 20];
	size_t len;

	cr_assert_not_null(f);
	len = fread(img, 1, sizeof(img), f);
	fclose(f);
	cr_assert_eq(sym_elf__open_mem(img, len, "[image]", &e), 0);
	symfix_sym(path, "fix_leaf", &addr, &size);
	cr_assert_str_eq(func_at(addr), "fix_leaf");
}

Test(sym_elf, errors)
{
	char path[512], dir[400];
	FILE *f;

	cr_assert_eq(sym_elf__open("/nonexistent/file", NULL, &e), -ENOENT);
	cr_assert_null(e);
	snprintf(path, sizeof(path), "%s/text", test_tmpdir(dir, sizeof(dir)));
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("hello, not ELF\n", f);
	fclose(f);
	cr_assert_eq(sym_elf__open(path, NULL, &e), -FREC_E_ELF);
	cr_assert_eq(sym_elf__open_mem("not an elf file at all", 22, "junk", &e), -FREC_E_ELF);
	cr_assert_null(e);
}

Test(sym_demangle, cxx_rust_legacy_and_v0)
{
	char *s;

	s = sym_demangle("_ZN3foo3barEi");
	cr_assert_str_eq(s, "foo::bar(int)");
	free(s);
	s = sym_demangle("_ZN7mycrate4util5parse17h0123456789abcdefE");
	cr_assert_str_eq(s, "mycrate::util::parse");
	free(s);
	s = sym_demangle("_RNvNtCs1234_7mycrate4util6encode");
	cr_assert_str_eq(s, "mycrate::util::encode");
	free(s);
	cr_assert_null(sym_demangle("main"));
	cr_assert_null(sym_demangle("_Zgarbage"));
	cr_assert_null(sym_demangle(NULL));
}

Test(sym_elf, stack_roots)
{
	static const char *const roots[] = {
		"_start", "__libc_start_call_main", "__libc_start_main@@GLIBC_2.34", "__GI___clone3",
		"start_thread", "__sanitizer::internal_clone(int (*)(void*), void*, int, void*, int*, void*, int*)",
		"_ZN11__sanitizer14internal_cloneEPFiPvES0_iS0_PiS0_S3_",
	};
	static const char *const others[] = { "main", "clone3x", "__sanitizer::TracerThread(void*)", "start" };

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		cr_assert(sym_is_stack_root(roots[i]), "%s", roots[i]);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		cr_assert_not(sym_is_stack_root(others[i]), "%s", others[i]);
}

Test(sym_demangle, a_plt_or_version_suffix_stays_after_the_name)
{
	char *s;

	s = sym_demangle("_Znwm@plt");
	cr_assert_str_eq(s, "operator new(unsigned long)@plt");
	free(s);
	s = sym_demangle("_ZNSt6chrono3_V212steady_clock3nowEv@@GLIBCXX_3.4.19");
	cr_assert_str_eq(s, "std::chrono::_V2::steady_clock::now()@@GLIBCXX_3.4.19");
	free(s);
	cr_assert_null(sym_demangle("memcpy@plt"));
	cr_assert_null(sym_demangle("_Zgarbage@plt"));
}

static bool file_has_compressed_sections(const char *path)
{
	int fd = open(path, O_RDONLY);
	Elf_Scn *scn = NULL;
	bool found = false;
	Elf *elf;

	cr_assert_geq(fd, 0, "open %s", path);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(elf);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_COMPRESSED))
			found = true;
	}
	elf_end(elf);
	close(fd);
	return found;
}

/* The frames of the first address of fix_outer inside the inlined helper, as "name@line,...". */
static void inline_frames(char *buf, size_t size)
{
	char path[512];
	uint64_t addr, size_fn;
	size_t o = 0;

	symfix_sym(symfix("fix_debug", path, sizeof(path)), "fix_outer", &addr, &size_fn);
	buf[0] = '\0';
	for (uint64_t a = addr; a < addr + size_fn; a++) {
		struct sym_elf_frame fr[4];
		int n = sym_elf__lookup(e, a, true, true, fr, 4);

		if (n < 2)
			continue;
		for (int k = 0; k < n; k++)
			o += (size_t)snprintf(buf + o, size - o, "%s@%u,", fr[k].name, fr[k].line);
		return;
	}
}

Test(sym_elf, compressed_debug_info_is_kept_uncompressed_in_the_cache)
{
	char dbg[600], cache[512], path[1200], first[256], again[256], tmp[400];
	const char *df;

	snprintf(cache, sizeof(cache), "%s/cache", test_tmpdir(tmp, sizeof(tmp)));
	open_fix("fix_zdebug", debug_dir(dbg, sizeof(dbg)));
	inline_frames(first, sizeof(first));
	cr_assert_neq(first[0], '\0', "no inline chain read from the compressed debug file");
	df = sym_elf__debug_file(e);
	cr_assert_not_null(df);
	cr_assert(file_has_compressed_sections(df), "the fixture's debug file is not compressed: %s", df);
	cr_assert_eq(sym_elf__save_debug(e, cache), 0);
	sym_elf__close(e);
	e = NULL;

	/* the next run finds the uncompressed copy first, with the same answers */
	snprintf(path, sizeof(path), "%s:%s", cache, dbg);
	open_fix("fix_zdebug", path);
	inline_frames(again, sizeof(again));
	df = sym_elf__debug_file(e);
	cr_assert_not_null(df);
	cr_assert(!strncmp(df, cache, strlen(cache)), "debug info read from %s, not from the cache", df);
	cr_assert_not(file_has_compressed_sections(df));
	cr_assert_str_eq(again, first);
	cr_assert_eq(sym_elf__save_debug(e, cache), 0, "nothing to write when read from the cache");
}

Test(sym_elf, uncompressed_debug_info_is_not_copied)
{
	char cache[512], tmp[400], frames[256];
	struct stat st;

	snprintf(cache, sizeof(cache), "%s/cache", test_tmpdir(tmp, sizeof(tmp)));
	open_fix("fix_debug", NULL);
	inline_frames(frames, sizeof(frames));
	cr_assert_eq(sym_elf__save_debug(e, cache), 0);
	cr_assert_neq(stat(cache, &st), 0, "a cache was written for DWARF inside the binary");
}
