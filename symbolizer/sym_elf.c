// SPDX-License-Identifier: MIT
/*
 * One ELF file, opened once and indexed lazily: function symbols, the PT_LOAD layout, and DWARF
 * inline chains and lines.
 *
 * libdwfl opens the file and finds its separate debug info (build-id directory, .gnu_debuglink,
 * dwz) through its standard callbacks, and picks the best symbol table (.symtab, the debug file's,
 * or .dynsym).  Everything else avoids libdw's slow paths (see SYMBOLIZE.md):
 *   - symbols are read once into a sorted array and found by binary search, never through
 *     dwfl_module_addrsym, which scans the table on every call;
 *   - compile units are found through our own range table built from dwarf_ranges, since
 *     .debug_aranges is often missing (clang) and dwfl_module_addrdie then finds nothing;
 *   - within a CU, subprograms are indexed once by range, and an address's inline chain is found by
 *     walking down from its subprogram through the children that contain it, never with
 *     dwarf_getscopes, which walks the CU from its root on every call;
 *   - DWARF is loaded only when an inline chain or a line is asked for, since libdw inflates a
 *     compressed debug file whole when it opens it; sym_elf__save_debug() keeps the inflated copy
 *     so that the next run maps it instead.
 * A stripped file still names its functions by their start: libdw's CFI says an address is in
 * some function's FDE, and the sorted table of FDE starts in .eh_frame_hdr says where it begins.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include "frec/error.h"
#include "frec/profile.h"
#include "sym_internal.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"

#define DEFAULT_DEBUG_PATH ":.debug:/usr/lib/debug" /* libdwfl's own default */

struct elf_sym {
	struct sym_range range; /* link-time addresses */
	const char *name;       /* borrowed from libelf's string table */
};

struct dw_range {
	struct sym_range range; /* DWARF addresses */
	uint32_t idx;           /* cu or subprogram index */
};

struct dw_cu {
	Dwarf_Die die;
	bool indexed;      /* subprograms collected */
	struct dw_range *subs;
	size_t nr_subs;
	struct sym_ranges sub_index;
	Dwarf_Die *sub_dies;
	size_t nr_sub_dies, sub_dies_cap;
};

struct sym_elf {
	char *name;
	char *debug_path;
	Dwfl_Callbacks cb;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Elf *elf;
	GElf_Addr bias; /* module address = link-time address + bias */
	int memfd;
	uint8_t build_id[20];
	size_t build_id_size;
	uint32_t flags;

	struct elf_sym *syms;
	size_t nr_syms;
	struct sym_ranges sym_index;
	struct sym_layout layout;
	struct sym_plt plt;

	bool cfi_tried;
	Dwarf_CFI *cfi; /* .eh_frame of the main file: function extents when there is no symbol */
	uint64_t *fde_starts; /* from .eh_frame_hdr, sorted */
	size_t nr_fde_starts;

	bool dw_tried;
	Dwarf *dw;
	Dwarf_Addr dwbias;
	struct dw_cu *cus;
	size_t nr_cus;
	struct dw_range *cu_ranges;
	size_t nr_cu_ranges;
	struct sym_ranges cu_index;
};

static int push(void **arr, size_t *nr, size_t *cap, size_t elem)
{
	if (*nr == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		void *p = realloc(*arr, n * elem);

		if (!p)
			return -ENOMEM;
		*arr = p;
		*cap = n;
	}
	(*nr)++;
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	if (x->range.start != y->range.start)
		return x->range.start < y->range.start ? -1 : 1;
	/* ties: the larger symbol first, so the one kept spans the most */
	if (x->range.end != y->range.end)
		return x->range.end > y->range.end ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int load_symbols(struct sym_elf *e)
{
	size_t cap = 0;
	int n = dwfl_module_getsymtab(e->mod);

	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr, bias;
		GElf_Word shndx;
		Elf *elf;
		const char *name = dwfl_module_getsym_info(e->mod, i, &sym, &addr, &shndx, &elf, &bias);
		int type;

		if (!name || !*name || shndx == SHN_UNDEF)
			continue;
		type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (push((void **)&e->syms, &e->nr_syms, &cap, sizeof(*e->syms)))
			return -ENOMEM;
		e->syms[e->nr_syms - 1] = (struct elf_sym){
			.range = { addr - e->bias, addr - e->bias + sym.st_size },
			.name = name,
		};
	}
	if (!e->nr_syms)
		return sym_ranges__index(&e->sym_index, e->syms, 0, sizeof(*e->syms));
	qsort(e->syms, e->nr_syms, sizeof(*e->syms), cmp_sym);
	/* One symbol per start (aliases: keep the first); a sizeless one ends at the next start. */
	size_t w = 0;
	for (size_t i = 0; i < e->nr_syms; i++) {
		if (w && e->syms[w - 1].range.start == e->syms[i].range.start)
			continue;
		e->syms[w++] = e->syms[i];
	}
	e->nr_syms = w;
	for (size_t i = 0; i < w; i++) {
		struct sym_range *r = &e->syms[i].range;

		if (r->end == r->start)
			r->end = i + 1 < w ? e->syms[i + 1].range.start : r->start + 1;
	}
	return sym_ranges__index(&e->sym_index, e->syms, w, sizeof(*e->syms));
}

static bool has_section(Elf *elf, GElf_Word type)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == type)
			return true;
	}
	return false;
}

void sym_elf__close(struct sym_elf *e)
{
	if (!e)
		return;
	if (e->cfi)
		dwarf_cfi_end(e->cfi);
	free(e->fde_starts);
	if (e->dwfl)
		dwfl_end(e->dwfl);
	if (e->memfd >= 0)
		close(e->memfd);
	for (size_t i = 0; i < e->nr_cus; i++) {
		free(e->cus[i].subs);
		sym_ranges__exit(&e->cus[i].sub_index);
		free(e->cus[i].sub_dies);
	}
	free(e->cus);
	free(e->cu_ranges);
	sym_ranges__exit(&e->cu_index);
	free(e->syms);
	sym_ranges__exit(&e->sym_index);
	sym_layout__exit(&e->layout);
	sym_plt__exit(&e->plt);
	free(e->name);
	free(e->debug_path);
	free(e);
}

/* ---- finding separate debug info --------------------------------------------------------------- */

static bool readable(const char *dir, size_t dlen, const char *sub, size_t slen, const char *name)
{
	char buf[PATH_MAX];
	int n = snprintf(buf, sizeof(buf), "%.*s%s%.*s/%s", (int)dlen, dir, slen ? "/" : "", (int)slen, sub,
			 name);

	return n > 0 && (size_t)n < sizeof(buf) && access(buf, R_OK) == 0;
}

/*
 * Would libdwfl's search by name find a debug file for @file?  The candidates are those libdwfl.h
 * documents: for each element of @search_path (a leading + or - only sets CRC checking), an empty
 * one is the file's directory, a relative one a subdirectory of it, an absolute one a root under
 * which the file's directory and each of its trailing parts are tried, then the root itself.
 */
static bool debug_name_exists(const char *search_path, const char *file, const char *debuglink)
{
	const char *slash = strrchr(file, '/');
	const char *dir = slash ? file : ".";
	size_t dlen = slash ? (size_t)(slash - file) : 1;
	char name[NAME_MAX + 1];
	const char *e = search_path;

	if (debuglink && *debuglink == '/')
		return access(debuglink, R_OK) == 0;
	if (snprintf(name, sizeof(name), "%s%s", debuglink ? debuglink : slash ? slash + 1 : file,
		     debuglink ? "" : ".debug") >= (int)sizeof(name))
		return false;
	if (*e == '+' || *e == '-')
		e++;
	for (;;) {
		size_t elen = strcspn(e, ":");
		const char *el = e;

		if (*el == '+' || *el == '-') {
			el++;
			elen--;
		}
		if (!elen || *el != '/') {
			if (readable(dir, dlen, el, elen, name))
				return true;
		} else {
			for (const char *d = dir; d && d < dir + dlen; d = memchr(d + 1, '/', dlen - (size_t)(d + 1 - dir)))
				if (readable(el, elen, d, dlen - (size_t)(d - dir), name))
					return true;
			if (readable(el, elen, "", 0, name))
				return true;
		}
		if (!e[elen])
			return false;
		e += elen + 1;
	}
}

int sym_find_debuginfo(const char *search_path, Dwfl_Module *mod, void **userdata, const char *modname,
		       Dwarf_Addr base, const char *file, const char *debuglink, GElf_Word crc,
		       char **debuginfo_file_name)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	int fd;

	if (urls && *urls)
		return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file, debuglink, crc,
						    debuginfo_file_name);
	fd = dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file, debuglink, crc, debuginfo_file_name);
	if (fd >= 0 || !file || !debug_name_exists(search_path ? search_path : DEFAULT_DEBUG_PATH, file, debuglink))
		return fd;
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file, debuglink, crc, debuginfo_file_name);
}

/* The find_debuginfo callback of a sym_elf's Dwfl: the module's userdata is the sym_elf. */
static int elf_find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			      const char *file, const char *debuglink, GElf_Word crc, char **debuginfo_file_name)
{
	const struct sym_elf *e = *userdata;

	return sym_find_debuginfo(e ? e->debug_path : NULL, mod, userdata, modname, base, file, debuglink, crc,
				  debuginfo_file_name);
}

static int open_common(const char *name, const char *path, const char *debug_path, int memfd,
		       struct sym_elf **out)
{
	struct sym_elf *e = calloc(1, sizeof(*e));
	const unsigned char *bid;
	GElf_Addr vaddr;
	int n, err;

	*out = NULL;
	if (!e) {
		if (memfd >= 0)
			close(memfd);
		return -ENOMEM;
	}
	e->memfd = memfd;
	e->name = strdup(name);
	e->debug_path = strdup(debug_path ? debug_path : DEFAULT_DEBUG_PATH);
	if (!e->name || !e->debug_path) {
		err = -ENOMEM;
		goto err;
	}
	e->cb.find_elf = dwfl_build_id_find_elf;
	e->cb.find_debuginfo = elf_find_debuginfo;
	e->cb.section_address = dwfl_offline_section_address;
	e->cb.debuginfo_path = &e->debug_path;
	e->dwfl = dwfl_begin(&e->cb);
	if (!e->dwfl) {
		err = -ENOMEM;
		goto err;
	}
	dwfl_report_begin(e->dwfl);
	/* libdwfl opens the path itself (and dups nothing of ours): an in-memory image goes by /proc/self/fd. */
	e->mod = dwfl_report_elf(e->dwfl, name, path, -1, 0, false);
	dwfl_report_end(e->dwfl, NULL, NULL);
	if (e->mod) {
		void **userdata;

		dwfl_module_info(e->mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
		*userdata = e;
	}
	if (!e->mod) {
		int dwerr = dwfl_errno();

		pr_debug("%s: %s", name, dwfl_errmsg(dwerr));
		err = (access(path, R_OK) && errno) ? -errno : -FREC_E_ELF;
		goto err;
	}
	e->elf = dwfl_module_getelf(e->mod, &e->bias);
	if (!e->elf) {
		err = -FREC_E_ELF;
		goto err;
	}
	n = dwfl_module_build_id(e->mod, &bid, &vaddr);
	if (n > 0) {
		e->build_id_size = (size_t)n > sizeof(e->build_id) ? sizeof(e->build_id) : (size_t)n;
		memcpy(e->build_id, bid, e->build_id_size);
	}
	err = sym_layout__init(&e->layout, e->elf);
	if (!err)
		err = sym_plt__init(&e->plt, e->elf);
	if (!err)
		err = load_symbols(e);
	if (err)
		goto err;
	if (!has_section(e->elf, SHT_SYMTAB)) {
		const char *debugfile = NULL;

		dwfl_module_info(e->mod, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
		if (!debugfile)
			e->flags |= FREC_MODULE_NO_SYMBOLS;
	}
	*out = e;
	return 0;
err:
	sym_elf__close(e);
	return err;
}

int sym_elf__open(const char *path, const char *debug_path, struct sym_elf **out)
{
	return open_common(path, path, debug_path, -1, out);
}

int sym_elf__open_mem(const void *buf, size_t len, const char *name, struct sym_elf **out)
{
	int fd = memfd_create("frec-elf", MFD_CLOEXEC);
	size_t done = 0;

	*out = NULL;
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t w = write(fd, (const char *)buf + done, len - done);

		if (w < 0) {
			int err = -errno;

			if (err == -EINTR)
				continue;
			close(fd);
			return err;
		}
		done += (size_t)w;
	}
	/* No separate debug info for an image in memory. */
	return sym_elf__open_fd(fd, name, "", out);
}

int sym_elf__open_fd(int fd, const char *name, const char *debug_path, struct sym_elf **out)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open_common(name, path, debug_path, fd, out);
}

size_t sym_elf__build_id(const struct sym_elf *e, const uint8_t **id)
{
	*id = e->build_id;
	return e->build_id_size;
}

size_t sym_elf__nr_symbols(const struct sym_elf *e)
{
	return e->nr_syms;
}

int sym_elf__vaddr(const struct sym_elf *e, uint64_t start, uint64_t pgoff, uint64_t pc, uint64_t *vaddr)
{
	return sym_layout__vaddr(&e->layout, start, pgoff, pc, vaddr);
}

static const struct elf_sym *find_sym(const struct sym_elf *e, uint64_t addr)
{
	long i = sym_ranges__find(&e->sym_index, addr);

	return i >= 0 ? &e->syms[i] : NULL;
}

/* ---- DWARF ------------------------------------------------------------------------------------- */

static int cmp_range(const void *a, const void *b)
{
	const struct dw_range *x = a, *y = b;

	if (x->range.start != y->range.start)
		return x->range.start < y->range.start ? -1 : 1;
	return x->range.end > y->range.end ? -1 : x->range.end < y->range.end;
}

static int add_ranges(Dwarf_Die *die, uint32_t idx, struct dw_range **arr, size_t *nr, size_t *cap)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		if (hi <= lo || lo == 0)
			continue;
		if (push((void **)arr, nr, cap, sizeof(**arr)))
			return -ENOMEM;
		(*arr)[*nr - 1] = (struct dw_range){ .range = { lo, hi }, .idx = idx };
	}
	return 0;
}

/* The CU whose DIE is at @off (e->cus is in .debug_info order). */
static bool cu_by_offset(const struct sym_elf *e, Dwarf_Off off, size_t *idx)
{
	size_t lo = 0, hi = e->nr_cus;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		Dwarf_Off o = dwarf_dieoffset(&e->cus[mid].die);

		if (o == off) {
			*idx = mid;
			return true;
		}
		if (o < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int load_dwarf(struct sym_elf *e)
{
	size_t cus_cap = 0, ranges_cap = 0, nr_aranges = 0;
	Dwarf_Aranges *aranges;
	Dwarf_Die *cu = NULL;
	Dwarf_Addr bias;
	bool *covered;

	e->dw_tried = true;
	e->dw = dwfl_module_getdwarf(e->mod, &e->dwbias);
	if (!e->dw) {
		e->flags |= FREC_MODULE_NO_DEBUGINFO;
		return 0;
	}
	while ((cu = dwfl_module_nextcu(e->mod, cu, &bias))) {
		if (push((void **)&e->cus, &e->nr_cus, &cus_cap, sizeof(*e->cus)))
			return -ENOMEM;
		e->cus[e->nr_cus - 1] = (struct dw_cu){ .die = *cu };
	}
	if (!e->nr_cus)
		e->flags |= FREC_MODULE_NO_DEBUGINFO;
	covered = calloc(e->nr_cus ? e->nr_cus : 1, sizeof(*covered));
	if (!covered)
		return -ENOMEM;
	/*
	 * The address ranges of the CUs: .debug_aranges has them in one table, where the compiler
	 * wrote it (gcc does, clang not by default); reading them from each CU's DIE instead means
	 * decoding its abbreviations, most of a report's DWARF time for libc's 4,100 CUs.  A CU
	 * missing from the table is read from its DIE.
	 */
	if (e->nr_cus && dwarf_getaranges(e->dw, &aranges, &nr_aranges) == 0) {
		for (size_t i = 0; i < nr_aranges; i++) {
			Dwarf_Arange *a = dwarf_onearange(aranges, i);
			Dwarf_Addr addr;
			Dwarf_Word len;
			Dwarf_Off off;
			size_t idx;

			if (!a || dwarf_getarangeinfo(a, &addr, &len, &off) || !addr || !len ||
			    !cu_by_offset(e, off, &idx))
				continue;
			covered[idx] = true;
			if (push((void **)&e->cu_ranges, &e->nr_cu_ranges, &ranges_cap, sizeof(*e->cu_ranges))) {
				free(covered);
				return -ENOMEM;
			}
			e->cu_ranges[e->nr_cu_ranges - 1] =
				(struct dw_range){ .range = { addr, addr + len }, .idx = (uint32_t)idx };
		}
	}
	for (size_t i = 0; i < e->nr_cus; i++) {
		if (!covered[i] && add_ranges(&e->cus[i].die, (uint32_t)i, &e->cu_ranges, &e->nr_cu_ranges,
					      &ranges_cap)) {
			free(covered);
			return -ENOMEM;
		}
	}
	free(covered);
	if (e->nr_cu_ranges)
		qsort(e->cu_ranges, e->nr_cu_ranges, sizeof(*e->cu_ranges), cmp_range);
	return sym_ranges__index(&e->cu_index, e->cu_ranges, e->nr_cu_ranges, sizeof(*e->cu_ranges));
}

/* Collect the subprograms with code under @die (namespaces and classes are walked into). */
static int index_subprograms(struct dw_cu *cu, Dwarf_Die *die, size_t *subs_cap, int depth)
{
	Dwarf_Die child;

	if (depth > 16 || dwarf_child(die, &child) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&child);

		if (tag == DW_TAG_subprogram) {
			if (push((void **)&cu->sub_dies, &cu->nr_sub_dies, &cu->sub_dies_cap, sizeof(Dwarf_Die)))
				return -ENOMEM;
			cu->sub_dies[cu->nr_sub_dies - 1] = child;
			if (add_ranges(&child, (uint32_t)(cu->nr_sub_dies - 1), &cu->subs, &cu->nr_subs, subs_cap))
				return -ENOMEM;
		} else if (tag == DW_TAG_namespace || tag == DW_TAG_class_type || tag == DW_TAG_structure_type ||
			   tag == DW_TAG_union_type || tag == DW_TAG_module) {
			if (index_subprograms(cu, &child, subs_cap, depth + 1))
				return -ENOMEM;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

static bool has_pc_attrs(Dwarf_Die *die)
{
	return dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges);
}

/*
 * The child of @die that contains @pc and matters for inlining: an inlined subroutine or a block
 * holding one.  Blocks without addresses (GCC emits some) are searched through.
 */
static bool child_at(Dwarf_Die *die, Dwarf_Addr pc, Dwarf_Die *out, int depth)
{
	Dwarf_Die child;

	if (depth > 8 || dwarf_child(die, &child) != 0)
		return false;
	do {
		int tag = dwarf_tag(&child);

		if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_lexical_block && tag != DW_TAG_try_block &&
		    tag != DW_TAG_catch_block)
			continue;
		if (has_pc_attrs(&child)) {
			if (dwarf_haspc(&child, pc) == 1) {
				*out = child;
				return true;
			}
		} else if (tag != DW_TAG_inlined_subroutine && child_at(&child, pc, out, depth + 1)) {
			return true;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *s;

	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) && (s = dwarf_formstring(&attr)))
		return s;
	if (dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr) && (s = dwarf_formstring(&attr)))
		return s;
	if (dwarf_attr_integrate(die, DW_AT_name, &attr) && (s = dwarf_formstring(&attr)))
		return s;
	return NULL;
}

static void call_site(Dwarf_Die *cudie, Dwarf_Die *inl, const char **file, uint32_t *line)
{
	Dwarf_Attribute attr;
	Dwarf_Word v;
	Dwarf_Files *files;
	size_t nfiles;

	*file = NULL;
	*line = 0;
	if (dwarf_attr(inl, DW_AT_call_line, &attr) && !dwarf_formudata(&attr, &v))
		*line = (uint32_t)v;
	if (dwarf_attr(inl, DW_AT_call_file, &attr) && !dwarf_formudata(&attr, &v) &&
	    !dwarf_getsrcfiles(cudie, &files, &nfiles) && v < nfiles)
		*file = dwarf_filesrc(files, v, NULL, NULL);
}

/* The symbol an ifunc's PLT stub is named after: the one at its resolver's address. */
static const char *name_at(void *ctx, uint64_t vaddr)
{
	const struct elf_sym *sym = find_sym(ctx, vaddr);

	return sym && sym->range.start == vaddr ? sym->name : NULL;
}

#define MAX_INLINE 32

int sym_elf__lookup(struct sym_elf *e, uint64_t vaddr, bool want_inline, bool want_lines,
		    struct sym_elf_frame *out, int max)
{
	const struct elf_sym *sym = find_sym(e, vaddr);
	Dwarf_Die chain[MAX_INLINE], sub;
	struct dw_cu *cu = NULL;
	bool have_sub = false;
	Dwarf_Addr pc;
	int n = 0, nchain = 0;
	long i;

	if (max <= 0)
		return 0;
	/* a PLT stub: no symbol covers it (the one before it, often _init, would take it) */
	out[0].name = sym_plt__name(&e->plt, e->elf, vaddr, name_at, e);
	if (out[0].name) {
		out[0].file = NULL;
		out[0].line = 0;
		out[0].inlined = false;
		return 1;
	}
	if ((want_inline || want_lines) && !e->dw_tried && load_dwarf(e))
		pr_warn_once("out of memory indexing DWARF of %s", e->name);
	pc = vaddr + e->bias - e->dwbias;
	if (e->dw && (want_inline || want_lines) && (i = sym_ranges__find(&e->cu_index, pc)) >= 0) {
		cu = &e->cus[e->cu_ranges[i].idx];
		if (!cu->indexed) {
			size_t cap = 0;

			cu->indexed = true;
			if (index_subprograms(cu, &cu->die, &cap, 0))
				pr_warn_once("out of memory indexing DWARF of %s", e->name);
			if (cu->nr_subs)
				qsort(cu->subs, cu->nr_subs, sizeof(*cu->subs), cmp_range);
			if (sym_ranges__index(&cu->sub_index, cu->subs, cu->nr_subs, sizeof(*cu->subs)))
				pr_warn_once("out of memory indexing DWARF of %s", e->name);
		}
		i = sym_ranges__find(&cu->sub_index, pc);
		if (i >= 0) {
			sub = cu->sub_dies[cu->subs[i].idx];
			have_sub = true;
		}
	}
	if (!sym && !have_sub)
		return 0;
	if (have_sub && want_inline) {
		Dwarf_Die cur = sub, next;

		while (nchain < MAX_INLINE && child_at(&cur, pc, &next, 0)) {
			if (dwarf_tag(&next) == DW_TAG_inlined_subroutine)
				chain[nchain++] = next;
			cur = next;
		}
	}
	/* innermost first: chain[nchain-1] ... chain[0], then the function itself */
	for (int k = nchain - 1; k >= 0 && n < max - 1; k--) {
		out[n++] = (struct sym_elf_frame){ .name = die_name(&chain[k]), .inlined = true };
	}
	out[n++] = (struct sym_elf_frame){
		.name = sym ? sym->name : die_name(&sub),
	};
	if (want_lines && cu) {
		Dwarf_Line *l = dwarf_getsrc_die(&cu->die, pc);
		int line = 0;

		if (l) {
			out[0].file = dwarf_linesrc(l, NULL, NULL);
			if (!dwarf_lineno(l, &line) && line > 0)
				out[0].line = (uint32_t)line;
		}
		/* each outer frame's line is the call site of the frame inside it */
		for (int k = 1; k < n; k++)
			call_site(&cu->die, &chain[nchain - k], &out[k].file, &out[k].line);
	}
	return n;
}

static bool has_section_named(Elf *elf, const char *name)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) && (n = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    (!strcmp(n, name) || (n[0] == '.' && n[1] == 'z' && !strcmp(n + 2, name + 1))))
			return true;
	}
	return false;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* An encoded .eh_frame_hdr value of the only kinds its header fields use: 4 or 8 bytes, absolute. */
static bool hdr_skip(uint8_t enc, const uint8_t **p, const uint8_t *end)
{
	size_t n;

	switch (enc & 0x0f) {
	case 0x03: /* udata4 */
	case 0x0b: /* sdata4 */
		n = 4;
		break;
	case 0x04: /* udata8 */
	case 0x0c: /* sdata8 */
		n = 8;
		break;
	default:
		return false;
	}
	if ((size_t)(end - *p) < n)
		return false;
	*p += n;
	return true;
}

int sym_eh_frame_hdr__starts(const void *buf, size_t len, uint64_t hdr_vaddr, uint64_t **out, size_t *nr)
{
	const uint8_t *p = buf, *end = p + len;
	uint8_t ptr_enc, count_enc, table_enc;
	uint32_t count;
	uint64_t *v;

	*out = NULL;
	*nr = 0;
	if (len < 4 || p[0] != 1)
		return -FREC_E_DWARF;
	ptr_enc = p[1];
	count_enc = p[2];
	table_enc = p[3];
	p += 4;
	/* the table is binary-searchable only as datarel sdata4 pairs, which is what linkers write */
	if (!hdr_skip(ptr_enc, &p, end) || count_enc != 0x03 || table_enc != 0x3b || end - p < 4)
		return -FREC_E_DWARF;
	memcpy(&count, p, 4);
	p += 4;
	if (count > (size_t)(end - p) / 8)
		return -FREC_E_DWARF;
	if (!count)
		return 0;
	v = malloc(count * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++, p += 8) {
		int32_t rel;

		memcpy(&rel, p, 4);
		v[i] = hdr_vaddr + (uint64_t)(int64_t)rel;
	}
	/* sorted by the linker, but a wrong order must only cost time */
	for (uint32_t i = 1; i < count; i++) {
		if (v[i] < v[i - 1]) {
			qsort(v, count, sizeof(*v), cmp_u64);
			break;
		}
	}
	*out = v;
	*nr = count;
	return 0;
}

static void load_fde_starts(struct sym_elf *e)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(e->elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(e->elf, scn))) {
		const char *name;
		Elf_Data *d;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(name = elf_strptr(e->elf, shstrndx, sh.sh_name)) || strcmp(name, ".eh_frame_hdr"))
			continue;
		if ((d = elf_getdata(scn, NULL)) && d->d_buf)
			sym_eh_frame_hdr__starts(d->d_buf, d->d_size, sh.sh_addr, &e->fde_starts,
						 &e->nr_fde_starts);
		return;
	}
}

int sym_elf__func_start(struct sym_elf *e, uint64_t vaddr, uint64_t *start)
{
	Dwarf_Frame *frame = NULL;
	size_t lo;

	if (!e->cfi_tried) {
		e->cfi_tried = true;
		e->cfi = dwarf_getcfi_elf(e->elf);
		if (e->cfi)
			load_fde_starts(e);
	}
	/* an FDE covers @vaddr (its row's range is not the function's: ask the table for the start) */
	if (!e->cfi || !e->nr_fde_starts || dwarf_cfi_addrframe(e->cfi, vaddr, &frame) || !frame)
		return -ENOENT;
	free(frame);
	lo = sym_search__upper(e->fde_starts, e->nr_fde_starts, sizeof(*e->fde_starts), vaddr);
	if (!lo)
		return -ENOENT;
	*start = e->fde_starts[lo - 1];
	return 0;
}

const char *sym_elf__debug_file(const struct sym_elf *e)
{
	const char *debugfile = NULL;

	dwfl_module_info(e->mod, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
	return debugfile;
}

/* Whether the file at @path has a compressed section (read from its section headers only). */
static bool has_compressed_sections(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	bool found = false;
	Elf *elf;

	if (fd < 0)
		return false;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	while (elf && !found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		found = gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_COMPRESSED);
	}
	elf_end(elf);
	close(fd);
	return found;
}

static int mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			int err = -errno;

			*s = '/';
			return err;
		}
		*s = '/';
	}
	return 0;
}

/* Write @src (an Elf whose sections libdw already decompressed in memory) to @path. */
static int write_elf(Elf *src, const char *path)
{
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;
	size_t nph = 0;
	Elf *dst = NULL;
	int fd, err = -FREC_E_ELF;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (!gelf_getehdr(src, &eh) || !(dst = elf_begin(fd, ELF_C_WRITE, NULL)) ||
	    !gelf_newehdr(dst, gelf_getclass(src)))
		goto out;
	if (!elf_getphdrnum(src, &nph) && nph) {
		if (!gelf_newphdr(dst, nph))
			goto out;
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(src, (int)i, &ph) || !gelf_update_phdr(dst, (int)i, &ph))
				goto out;
		}
	}
	while ((scn = elf_nextscn(src, scn))) {
		Elf_Scn *out_scn = elf_newscn(dst);
		Elf_Data *in = NULL, *od;
		GElf_Shdr sh;

		if (!out_scn || !gelf_getshdr(scn, &sh))
			goto out;
		/* what libdw did not need is still compressed: decompress it here */
		if ((sh.sh_flags & SHF_COMPRESSED) && (elf_compress(scn, 0, 0) < 0 || !gelf_getshdr(scn, &sh)))
			goto out;
		while ((in = elf_getdata(scn, in))) {
			if (!(od = elf_newdata(out_scn)))
				goto out;
			*od = *in;
		}
		if (!gelf_update_shdr(out_scn, &sh))
			goto out;
	}
	if (!gelf_update_ehdr(dst, &eh) || elf_update(dst, ELF_C_WRITE) < 0)
		goto out;
	err = 0;
out:
	if (err)
		pr_debug("cannot write %s: %s", path, elf_errmsg(-1));
	elf_end(dst);
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int sym_elf__save_debug(struct sym_elf *e, const char *cache_dir)
{
	char hexid[41], path[4200], tmp[4300];
	const char *debugfile;
	Elf *delf;
	int fd, err;

	if (!e->dw || !e->build_id_size || !cache_dir || !*cache_dir)
		return 0;
	debugfile = sym_elf__debug_file(e);
	/* DWARF in the main file, or already read from the cache */
	if (!debugfile || !strncmp(debugfile, cache_dir, strlen(cache_dir)) || !has_compressed_sections(debugfile))
		return 0;
	delf = dwarf_getelf(e->dw);
	if (!delf)
		return 0;
	for (size_t i = 0; i < e->build_id_size; i++)
		sprintf(hexid + 2 * i, "%02x", e->build_id[i]);
	snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", cache_dir, hexid, hexid + 2);
	err = mkdirs(path);
	if (err)
		return err;
	/* write aside and rename, so a concurrent reader never sees half a file */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	close(fd);
	err = write_elf(delf, tmp);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	else
		pr_info("%s: kept its debug info uncompressed in %s", e->name, path);
	return err;
}

uint32_t sym_elf__flags(struct sym_elf *e)
{
	const char *debugfile = NULL;

	if (e->dw_tried)
		return e->flags;
	/* Without loading DWARF (libdw decompresses whole sections up front): is there any? */
	if (!has_section_named(e->elf, ".debug_info")) {
		dwfl_module_info(e->mod, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
		if (!debugfile)
			return e->flags | FREC_MODULE_NO_DEBUGINFO;
	}
	return e->flags;
}
