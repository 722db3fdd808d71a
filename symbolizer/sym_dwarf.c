// SPDX-License-Identifier: MIT
/*
 * The DWARF of one ELF file, indexed for naming (sym_dwarf.h).
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sym_dwarf.h"
#include "sym_range.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"

#define MAX_INLINE 32

struct dw_range {
	struct sym_range range; /* DWARF addresses */
	uint32_t idx;           /* cu or subprogram index */
};

struct dw_cu {
	Dwarf_Off die_off; /* of the unit's DIE in .debug_info */
	Dwarf_Die die;     /* valid once has_die (cu_die()) */
	bool has_die;
	bool indexed; /* subprograms collected */
	struct dw_range *subs;
	size_t nr_subs;
	struct sym_ranges sub_index;
	Dwarf_Die *sub_dies;
	size_t nr_sub_dies, sub_dies_cap;
};

struct sym_dwarf {
	char *name;
	Dwarf *dw;
	Dwarf_Addr bias; /* module address = DWARF address + bias */
	struct dw_cu *cus;
	size_t nr_cus;
	struct dw_range *cu_ranges;
	size_t nr_cu_ranges;
	struct sym_ranges cu_index;
};

/* One more element at the end of *@arr (64 at first: a CU has many subprograms). */
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

/*
 * The DIE of @cu, NULL if libdw cannot read it.  Looked up on first use: libdw then reads the
 * headers of the units before it, but a report touches a few of libc's 2,000 CUs and builds no
 * per-CU state for the others (dwfl_module_nextcu() did, for each, a third of a report's fixed cost).
 */
static Dwarf_Die *cu_die(const struct sym_dwarf *d, struct dw_cu *cu)
{
	if (!cu->has_die) {
		if (!dwarf_offdie(d->dw, cu->die_off, &cu->die))
			return NULL;
		cu->has_die = true;
	}
	return &cu->die;
}

/* The CU whose DIE is at @off (cus are in .debug_info order). */
static bool cu_by_offset(const struct sym_dwarf *d, Dwarf_Off off, size_t *idx)
{
	size_t lo = 0, hi = d->nr_cus;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		Dwarf_Off o = d->cus[mid].die_off;

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

/* The units of .debug_info (their headers only) and their address ranges. */
static int index_cus(struct sym_dwarf *d)
{
	size_t cus_cap = 0, ranges_cap = 0, nr_aranges = 0, hsize;
	Dwarf_Off at = 0, next;
	Dwarf_Aranges *aranges;
	bool *covered;

	while (dwarf_next_unit(d->dw, at, &next, &hsize, NULL, NULL, NULL, NULL, NULL, NULL) == 0) {
		if (push((void **)&d->cus, &d->nr_cus, &cus_cap, sizeof(*d->cus)))
			return -ENOMEM;
		d->cus[d->nr_cus - 1] = (struct dw_cu){ .die_off = at + hsize };
		at = next;
	}
	covered = calloc(d->nr_cus ? d->nr_cus : 1, sizeof(*covered));
	if (!covered)
		return -ENOMEM;
	/*
	 * The address ranges of the CUs: .debug_aranges has them in one table, where the compiler
	 * wrote it (gcc does, clang not by default); reading them from each CU's DIE instead means
	 * decoding its abbreviations, most of a report's DWARF time for libc's 4,100 CUs.  A CU
	 * missing from the table is read from its DIE.
	 */
	if (d->nr_cus && dwarf_getaranges(d->dw, &aranges, &nr_aranges) == 0) {
		for (size_t i = 0; i < nr_aranges; i++) {
			Dwarf_Arange *a = dwarf_onearange(aranges, i);
			Dwarf_Addr addr;
			Dwarf_Word len;
			Dwarf_Off off;
			size_t idx;

			if (!a || dwarf_getarangeinfo(a, &addr, &len, &off) || !addr || !len ||
			    !cu_by_offset(d, off, &idx))
				continue;
			covered[idx] = true;
			if (push((void **)&d->cu_ranges, &d->nr_cu_ranges, &ranges_cap, sizeof(*d->cu_ranges))) {
				free(covered);
				return -ENOMEM;
			}
			d->cu_ranges[d->nr_cu_ranges - 1] =
				(struct dw_range){ .range = { addr, addr + len }, .idx = (uint32_t)idx };
		}
	}
	for (size_t i = 0; i < d->nr_cus; i++) {
		Dwarf_Die *die = covered[i] ? NULL : cu_die(d, &d->cus[i]);

		if (die && add_ranges(die, (uint32_t)i, &d->cu_ranges, &d->nr_cu_ranges, &ranges_cap)) {
			free(covered);
			return -ENOMEM;
		}
	}
	free(covered);
	if (d->nr_cu_ranges)
		qsort(d->cu_ranges, d->nr_cu_ranges, sizeof(*d->cu_ranges), cmp_range);
	return sym_ranges__index(&d->cu_index, d->cu_ranges, d->nr_cu_ranges, sizeof(*d->cu_ranges));
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


void sym_dwarf__close(struct sym_dwarf *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nr_cus; i++) {
		free(d->cus[i].subs);
		sym_ranges__exit(&d->cus[i].sub_index);
		free(d->cus[i].sub_dies);
	}
	free(d->cus);
	free(d->cu_ranges);
	sym_ranges__exit(&d->cu_index);
	free(d->name);
	free(d);
}

int sym_dwarf__open(Dwfl_Module *mod, const char *name, struct sym_dwarf **out)
{
	struct sym_dwarf *d;
	Dwarf_Addr bias;
	Dwarf *dw;
	int err;

	*out = NULL;
	dw = dwfl_module_getdwarf(mod, &bias);
	if (!dw)
		return 0;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->dw = dw;
	d->bias = bias;
	d->name = strdup(name);
	err = d->name ? index_cus(d) : -ENOMEM;
	if (err) {
		sym_dwarf__close(d);
		return err;
	}
	*out = d;
	return 0;
}

size_t sym_dwarf__nr_cus(const struct sym_dwarf *d)
{
	return d->nr_cus;
}

Dwarf *sym_dwarf__dwarf(const struct sym_dwarf *d)
{
	return d->dw;
}

/* The compile unit holding DWARF address @pc, its subprograms indexed; NULL if none. */
static struct dw_cu *cu_at(struct sym_dwarf *d, Dwarf_Addr pc)
{
	long i = sym_ranges__find(&d->cu_index, pc);
	struct dw_cu *cu;

	if (i < 0)
		return NULL;
	cu = &d->cus[d->cu_ranges[i].idx];
	if (!cu_die(d, cu))
		return NULL;
	if (!cu->indexed) {
		size_t cap = 0;

		cu->indexed = true;
		if (index_subprograms(cu, &cu->die, &cap, 0))
			pr_warn_once("out of memory indexing DWARF of %s", d->name);
		if (cu->nr_subs)
			qsort(cu->subs, cu->nr_subs, sizeof(*cu->subs), cmp_range);
		if (sym_ranges__index(&cu->sub_index, cu->subs, cu->nr_subs, sizeof(*cu->subs)))
			pr_warn_once("out of memory indexing DWARF of %s", d->name);
	}
	return cu;
}

int sym_dwarf__frames(struct sym_dwarf *d, uint64_t addr, const char *func, bool want_inline, bool want_lines,
		      struct sym_elf_frame *out, int max)
{
	Dwarf_Die chain[MAX_INLINE], sub;
	struct dw_cu *cu = NULL;
	bool have_sub = false;
	Dwarf_Addr pc = d ? addr - d->bias : addr;
	int n = 0, nchain = 0;
	long i;

	if (max <= 0)
		return 0;
	if (d && (want_inline || want_lines) && (cu = cu_at(d, pc))) {
		i = sym_ranges__find(&cu->sub_index, pc);
		if (i >= 0) {
			sub = cu->sub_dies[cu->subs[i].idx];
			have_sub = true;
		}
	}
	if (!func && !have_sub)
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
	for (int k = nchain - 1; k >= 0 && n < max - 1; k--)
		out[n++] = (struct sym_elf_frame){ .name = die_name(&chain[k]), .inlined = true };
	out[n++] = (struct sym_elf_frame){ .name = func ? func : die_name(&sub) };
	if (want_lines && cu) {
		Dwarf_Line *l = dwarf_getsrc_die(&cu->die, pc);
		int line = 0;

		if (l) {
			Dwarf_Attribute at;

			out[0].file = dwarf_linesrc(l, NULL, NULL);
			out[0].comp_dir = dwarf_formstring(dwarf_attr(&cu->die, DW_AT_comp_dir, &at));
			if (!dwarf_lineno(l, &line) && line > 0)
				out[0].line = (uint32_t)line;
		}
		/* each outer frame's line is the call site of the frame inside it */
		for (int k = 1; k < n; k++)
			call_site(&cu->die, &chain[nchain - k], &out[k].file, &out[k].line);
	}
	return n;
}
