// SPDX-License-Identifier: MIT
/*
 * One ELF file, opened once (by the registry, sym_modules) and indexed lazily: function symbols,
 * the PT_LOAD layout, the PLT, and through sym_dwarf its inline chains and lines.
 *
 * libdwfl opens the file and finds its separate debug info (build-id directory, .gnu_debuglink,
 * dwz) through its standard callbacks (sym_find_debuginfo()), and picks the best symbol table
 * (.symtab, the debug file's, or .dynsym).  Symbols are read once into a sorted array and found
 * with sym_ranges, never through dwfl_module_addrsym, which scans the table on every call.  DWARF
 * is loaded only when an inline chain or a line is asked for, since libdw inflates a compressed
 * debug file whole when it opens it; sym_elf__save_debug() keeps the inflated copy so that the
 * next run maps it instead.
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
#include "sym_debuginfo.h"
#include "sym_dwarf.h"
#include "sym_internal.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"

struct elf_sym {
	struct sym_range range; /* link-time addresses */
	const char *name;       /* borrowed from libelf's string table */
};

struct sym_elf {
	uint32_t id; /* in the registry */
	char *name;
	char *path; /* where libdwfl opened it */
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

	bool syms_tried; /* read at the first lookup: the unwinder opens files that are never named */
	struct elf_sym *syms;
	size_t nr_syms;
	struct sym_ranges sym_index;
	uint64_t *sizeless; /* bit i: syms[i] had no size (it ends at the next symbol) */
	struct sym_layout layout;
	struct sym_plt plt;

	bool cfi_tried;
	Dwarf_CFI *cfi; /* .eh_frame of the main file: function extents when there is no symbol */
	bool eh_cfi_tried;
	Dwarf_CFI *eh_cfi; /* the same with the architecture's default rules (libdwfl's, for unwinding) */
	uint64_t *fde_starts; /* from .eh_frame_hdr, sorted */
	size_t nr_fde_starts;

	bool dw_tried;
	struct sym_dwarf *dwarf; /* NULL: none (or not loaded yet) */
};

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

static int load_symbols(struct sym_elf *e)
{
	size_t cap = 0;
	int n = dwfl_module_getsymtab(e->mod);

	if (!has_section(e->elf, SHT_SYMTAB)) {
		const char *debugfile = NULL;

		/* found while the symbol table was looked for */
		dwfl_module_info(e->mod, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
		if (!debugfile)
			e->flags |= FREC_MODULE_NO_SYMBOLS;
	}
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
		if (frec_array__grow((void **)&e->syms, &cap, e->nr_syms + 1, sizeof(*e->syms)))
			return -ENOMEM;
		e->syms[e->nr_syms++] = (struct elf_sym){
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
	e->sizeless = calloc(w / 64 + 1, sizeof(*e->sizeless));
	if (!e->sizeless)
		return -ENOMEM;
	for (size_t i = 0; i < w; i++) {
		struct sym_range *r = &e->syms[i].range;

		if (r->end != r->start)
			continue;
		e->sizeless[i / 64] |= 1ull << (i % 64);
		r->end = i + 1 < w ? e->syms[i + 1].range.start : r->start + 1;
	}
	return sym_ranges__index(&e->sym_index, e->syms, w, sizeof(*e->syms));
}

void sym_elf__close(struct sym_elf *e)
{
	if (!e)
		return;
	if (e->cfi)
		dwarf_cfi_end(e->cfi);
	/* e->eh_cfi is the module's: dwfl_end() releases it */
	free(e->fde_starts);
	if (e->dwfl)
		dwfl_end(e->dwfl);
	if (e->memfd >= 0)
		close(e->memfd);
	sym_dwarf__close(e->dwarf);
	free(e->syms);
	free(e->sizeless);
	sym_ranges__exit(&e->sym_index);
	sym_layout__exit(&e->layout);
	sym_plt__exit(&e->plt);
	free(e->name);
	free(e->path);
	free(e->debug_path);
	free(e);
}

/* ---- finding separate debug info --------------------------------------------------------------- */

int sym_elf__find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
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
	e->path = strdup(path);
	e->debug_path = strdup(debug_path ? debug_path : SYM_DEFAULT_DEBUG_PATH);
	if (!e->name || !e->path || !e->debug_path) {
		err = -ENOMEM;
		goto err;
	}
	e->cb.find_elf = dwfl_build_id_find_elf;
	e->cb.find_debuginfo = sym_elf__find_debuginfo;
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
	if (err)
		goto err;
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

/* The symbol table, read at the first call. */
static const struct sym_elf *symbols(struct sym_elf *e)
{
	if (!e->syms_tried) {
		e->syms_tried = true;
		if (load_symbols(e))
			pr_warn_once("out of memory reading the symbols of %s", e->name);
	}
	return e;
}

size_t sym_elf__nr_symbols(struct sym_elf *e)
{
	return symbols(e)->nr_syms;
}

int sym_elf__vaddr(const struct sym_elf *e, uint64_t start, uint64_t pgoff, uint64_t pc, uint64_t *vaddr)
{
	return sym_layout__vaddr(&e->layout, start, pgoff, pc, vaddr);
}

static const struct elf_sym *find_sym(struct sym_elf *e, uint64_t addr)
{
	long i = sym_ranges__find(&symbols(e)->sym_index, addr);

	return i >= 0 ? &e->syms[i] : NULL;
}

/* ---- DWARF ------------------------------------------------------------------------------------- */

/* The symbol an ifunc's PLT stub is named after: the one at its resolver's address. */
static const char *name_at(void *ctx, uint64_t vaddr)
{
	const struct elf_sym *sym = find_sym(ctx, vaddr);

	return sym && sym->range.start == vaddr ? sym->name : NULL;
}

/* The DWARF, loaded at the first lookup that wants it (libdw inflates compressed sections whole). */
static struct sym_dwarf *dwarf_of(struct sym_elf *e)
{
	if (!e->dw_tried) {
		e->dw_tried = true;
		if (sym_dwarf__open(e->mod, e->name, &e->dwarf))
			pr_warn_once("out of memory indexing DWARF of %s", e->name);
		if (!e->dwarf || !sym_dwarf__nr_cus(e->dwarf))
			e->flags |= FREC_MODULE_NO_DEBUGINFO;
	}
	return e->dwarf;
}

int sym_elf__lookup(struct sym_elf *e, uint64_t vaddr, bool want_inline, bool want_lines,
		    struct sym_elf_frame *out, int max)
{
	const struct elf_sym *sym = find_sym(e, vaddr);

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
	return sym_dwarf__frames(want_inline || want_lines ? dwarf_of(e) : NULL, vaddr + e->bias, sym ? sym->name : NULL,
				 want_inline, want_lines, out, max);
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

int sym_elf__save_debug(struct sym_elf *e, const char *cache_dir)
{
	if (!e->dwarf)
		return 0;
	return sym_debuginfo__keep(sym_dwarf__dwarf(e->dwarf), sym_elf__debug_file(e), e->build_id, e->build_id_size,
				   cache_dir, e->name);
}

uint32_t sym_elf__id(const struct sym_elf *e)
{
	return e->id;
}

void sym_elf__set_id(struct sym_elf *e, uint32_t id)
{
	e->id = id;
}

/* ---- serving the unwinder --------------------------------------------------------------------- */

int sym_elf__bias(const struct sym_elf *e, uint64_t start, uint64_t pgoff, uint64_t *bias)
{
	return sym_layout__bias(&e->layout, start, pgoff, bias);
}

int sym_elf__find_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base, char **file_name,
		      Elf **elfp)
{
	const struct sym_elf *e = *userdata;

	(void)mod;
	(void)modname;
	(void)base;
	/* another reference to the registry's Elf: libelf counts them, elf_end() drops one */
	*elfp = e ? elf_begin(-1, ELF_C_READ_MMAP_PRIVATE, e->elf) : NULL;
	if (*elfp)
		*file_name = strdup(e->path);
	return -1;
}

Dwfl_Module *sym_elf__report(struct sym_elf *e, Dwfl *dwfl, uint64_t bias)
{
	uint64_t vaddr = 0, end = 0;
	bool first = true;
	Dwfl_Module *mod;
	void **userdata;
	size_t nph;
	GElf_Ehdr eh;

	/* the extent libdwfl gives a file it reports itself (dwfl_report_elf() with add_p_vaddr):
	 * from its first PT_LOAD's aligned start to its last PT_LOAD's end */
	if (!gelf_getehdr(e->elf, &eh) || elf_getphdrnum(e->elf, &nph))
		return NULL;
	if (eh.e_type == ET_EXEC)
		bias = 0; /* absolute addresses */
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (first)
			vaddr = ph.p_vaddr & -ph.p_align;
		first = false;
		if (ph.p_vaddr + ph.p_memsz > 0)
			end = ph.p_vaddr + ph.p_memsz;
	}
	if (first || !end)
		return NULL;
	mod = dwfl_report_module(dwfl, e->name, bias + vaddr, bias + end);
	if (!mod)
		return NULL;
	dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
	*userdata = e;
	return mod;
}

struct sym_elf *sym_elf__of_module(Dwfl_Module *mod)
{
	void **userdata;

	dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
	return *userdata;
}

Dwarf_CFI *sym_elf__eh_cfi(struct sym_elf *e)
{
	Dwarf_Addr bias;

	if (!e->eh_cfi_tried) {
		e->eh_cfi_tried = true;
		e->eh_cfi = dwfl_module_eh_cfi(e->mod, &bias);
	}
	return e->eh_cfi;
}

bool sym_elf__in_plt(const struct sym_elf *e, uint64_t vaddr)
{
	for (size_t i = 0; i < e->plt.nr_secs; i++)
		if (vaddr >= e->plt.secs[i].start && vaddr < e->plt.secs[i].end)
			return true;
	return false;
}

int sym_elf__func(struct sym_elf *e, uint64_t vaddr, struct sym_elf_func *out)
{
	size_t pos = sym_ranges__upper(&symbols(e)->sym_index, vaddr);

	/* a sizeless symbol's extent (up to the next one) is a guess: the sized one around it */
	while (sym_ranges__next(&e->sym_index, vaddr, &pos)) {
		const struct elf_sym *s = &e->syms[pos];

		if (e->sizeless[pos / 64] >> (pos % 64) & 1)
			continue;
		out->start = s->range.start;
		out->end = s->range.end;
		out->root = sym_is_stack_root(s->name);
		return 0;
	}
	return -ENOENT;
}

/*
 * Not dwfl_module_address_section(): it loads the module's DWARF (decompressing its sections) to
 * answer, where only the section headers are needed.
 */
const uint8_t *sym_elf__code(const struct sym_elf *e, uint64_t vaddr, size_t *avail)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
		Elf_Data *data;

		if (!sh || sh->sh_type != SHT_PROGBITS || !(sh->sh_flags & SHF_EXECINSTR) || vaddr < sh->sh_addr ||
		    vaddr - sh->sh_addr >= sh->sh_size)
			continue;
		data = elf_rawdata(scn, NULL);
		if (!data || !data->d_buf || vaddr - sh->sh_addr >= data->d_size)
			return NULL;
		*avail = data->d_size - (vaddr - sh->sh_addr);
		return (const uint8_t *)data->d_buf + (vaddr - sh->sh_addr);
	}
	return NULL;
}

int sym_elf__symbol_of(struct sym_elf *e, uint64_t vaddr, uint64_t *start, uint64_t *end)
{
	const struct elf_sym *sym = find_sym(e, vaddr);

	if (!sym)
		return -ENOENT;
	*start = sym->range.start;
	*end = sym->range.end;
	return 0;
}

const char *sym_elf__symbol(struct sym_elf *e, size_t i, uint64_t *start, uint64_t *end)
{
	if (i >= symbols(e)->nr_syms)
		return NULL;
	*start = e->syms[i].range.start;
	*end = e->syms[i].range.end;
	return e->syms[i].name;
}

const char *sym_elf__path(const struct sym_elf *e)
{
	return e->path ? e->path : e->name;
}

unsigned int sym_elf__machine(const struct sym_elf *e)
{
	GElf_Ehdr eh;

	return gelf_getehdr(e->elf, &eh) ? eh.e_machine : EM_NONE;
}

bool sym_elf__read(const struct sym_elf *e, uint64_t vaddr, uint64_t *val)
{
	size_t raw_size;
	const char *raw = elf_rawfile(e->elf, &raw_size);

	if (!raw)
		return false;
	for (size_t i = 0; i < e->layout.nr; i++) {
		const struct sym_load_seg *seg = &e->layout.segs[i];

		if (vaddr < seg->vaddr || vaddr + 8 > seg->vaddr + seg->filesz)
			continue;
		if (seg->offset + (vaddr - seg->vaddr) + 8 > raw_size)
			return false;
		memcpy(val, raw + seg->offset + (vaddr - seg->vaddr), 8);
		return true;
	}
	return false;
}

uint32_t sym_elf__flags(struct sym_elf *e)
{
	const char *debugfile = NULL;

	symbols(e);
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
