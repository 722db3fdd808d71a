// SPDX-License-Identifier: MIT
/*
 * The annotator (symbolizer.h): a trace symbolized as for a profile, with the weight of each
 * sampled IP kept by the object and address its leaf frame was named by (sym_stacks' count_ips),
 * then those addresses grouped into the functions that hold them, and a function's code read
 * from the file the registry opened for the samples (the same file, checked against the same
 * build-id: there is no second way to find one) and disassembled with capstone.
 *
 * What an instruction counts is the CPU samples whose sampled IP is its address: on x86 the
 * instruction about to retire when the timer fired, often the one after a slow one ("skid").
 * Code inlined into a function is the function's: its symbol's extent holds it; the line table
 * says which inlined function and line each instruction comes from.
 */
#include <capstone/capstone.h>
#include <gelf.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/error.h"
#include "frec/profile.h"
#include "frec/strset.h"
#include "frec/symbolizer.h"
#include "sym_ctx.h"
#include "sym_modules.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"

/* An inline chain longer than this is cut (only its innermost frame is shown). */
#define ANN_MAX_FRAMES 16

struct sym_annotator {
	struct sym_ctx c;
	struct sym_opts opts;
	struct sym_ann_func *funcs;
	size_t nr_funcs;
	struct frec_strset *strs; /* the instructions' targets and inlined names */
};

/* A sampled address, on its way to its function. */
struct ann_ip {
	uint32_t dso;
	uint64_t key;  /* the function's start (SYM_ANN_CODE), else its frame id */
	uint64_t addr;
	uint64_t weight;
	uint32_t frame; /* the outermost frame of the address: the function */
	enum sym_ann_kind kind;
	uint64_t start, end;
};

static int cmp_ip(const void *x, const void *y)
{
	const struct ann_ip *a = x, *b = y;

	if (a->dso != b->dso)
		return a->dso < b->dso ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

static int cmp_func(const void *x, const void *y)
{
	const struct sym_ann_func *a = x, *b = y;
	int d;

	if (a->samples != b->samples)
		return a->samples > b->samples ? -1 : 1;
	if ((d = strcmp(a->name, b->name)))
		return d;
	if ((d = strcmp(a->module, b->module)))
		return d;
	return a->start < b->start ? -1 : a->start > b->start;
}

static enum sym_ann_kind dso_kind(const struct sym_dso *d)
{
	switch (d->kind) {
	case SYM_DSO_FILE:
	case SYM_DSO_VDSO:
		return d->elf ? SYM_ANN_CODE : SYM_ANN_NO_FILE;
	case SYM_DSO_KERNEL:
		return SYM_ANN_KERNEL;
	case SYM_DSO_JIT:
		return SYM_ANN_JIT;
	default:
		return SYM_ANN_OTHER;
	}
}

/* Where sampled address @ip->addr of object @ip->dso belongs: its function and what kind it is. */
static int place_ip(struct sym_annotator *a, struct ann_ip *ip)
{
	struct sym_ctx *c = &a->c;
	struct sym_dso *d = sym_dsos__at(&c->dsos, ip->dso);
	const struct sym_proc *proc = d->kind == SYM_DSO_JIT ? sym_spaces__proc(&c->spaces, d->pid) : NULL;
	const struct frec_frame *f;
	struct sym_named nd;
	int err;

	/* named already by the samples' pass: the namer's cache answers */
	if (d->kind == SYM_DSO_JIT && !proc)
		return -ENOENT;
	err = sym_namer__name(&c->namer, ip->dso, ip->addr, false, proc, &nd);
	if (err)
		return err;
	if (!nd.n)
		return -ENOENT;
	ip->frame = sym_namer__ids(&c->namer)[nd.off];
	ip->key = ip->frame;
	ip->kind = dso_kind(d);
	f = frec_profile__frame(c->p, ip->frame);
	if (ip->kind == SYM_ANN_CODE) {
		if (f->kind != FREC_FRAME_USER || sym_elf__in_plt(d->elf, ip->addr) ||
		    sym_elf__symbol_of(d->elf, ip->addr, &ip->start, &ip->end))
			ip->kind = SYM_ANN_NO_SYMBOL;
		else
			ip->key = ip->start;
	} else if (ip->kind == SYM_ANN_NO_FILE) {
		ip->key = 0; /* its samples are "file+0xoff": one entry for the file */
	}
	return 0;
}

/* The sampled addresses of every object, grouped into a->funcs. */
static int group_funcs(struct sym_annotator *a)
{
	const struct sym_stacks *st = &a->c.stacks;
	struct ann_ip *ips = NULL;
	size_t nr = 0, cap = 0, fcap = 0;
	int err = 0;

	for (uint32_t dso = 0; dso < st->nr_ips; dso++) {
		const struct frec_hashmap *m = &st->ips[dso];

		for (size_t i = 0; i < m->cap && !err; i++) {
			const struct frec_hashmap_entry *e = &m->entries[i];

			if (e->key == FREC_HASHMAP_EMPTY || !e->val)
				continue;
			if (frec_array__grow((void **)&ips, &cap, nr + 1, sizeof(*ips))) {
				err = -ENOMEM;
				break;
			}
			ips[nr] = (struct ann_ip){ .dso = dso, .addr = e->key, .weight = e->val };
			err = place_ip(a, &ips[nr]);
			if (err == -ENOENT) {
				pr_debug("annotate: no function for address %#" PRIx64 " of object %u", e->key, dso);
				err = 0;
			} else if (!err) {
				nr++;
			}
		}
	}
	if (!err && nr)
		qsort(ips, nr, sizeof(*ips), cmp_ip);
	for (size_t i = 0; i < nr && !err; i++) {
		const struct ann_ip *ip = &ips[i];
		const struct sym_dso *d = sym_dsos__at(&a->c.dsos, ip->dso);
		struct sym_ann_func *f;

		if (i && !cmp_ip(ip, &ips[i - 1])) {
			a->funcs[a->nr_funcs - 1].samples += ip->weight;
			continue;
		}
		if (frec_array__grow((void **)&a->funcs, &fcap, a->nr_funcs + 1, sizeof(*a->funcs))) {
			err = -ENOMEM;
			break;
		}
		f = &a->funcs[a->nr_funcs++];
		*f = (struct sym_ann_func){
			.name = frec_profile__str(a->c.p, frec_profile__frame(a->c.p, ip->frame)->name),
			.module = d->path ? d->path : "",
			.file = ip->kind == SYM_ANN_CODE ? sym_elf__path(d->elf) : NULL,
			.start = ip->start,
			.end = ip->end,
			.samples = ip->weight,
			.kind = ip->kind,
			.module_flags = d->flags,
			.dso = ip->dso,
		};
		if (ip->kind == SYM_ANN_NO_FILE)
			f->name = f->module;
	}
	free(ips);
	if (!err && a->nr_funcs)
		qsort(a->funcs, a->nr_funcs, sizeof(*a->funcs), cmp_func);
	return err;
}

int sym_annotator__open(struct trace_reader *r, const struct sym_opts *opts, struct sym_annotator **out)
{
	struct sym_annotator *a = calloc(1, sizeof(*a));
	int err;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	if (opts)
		a->opts = *opts;
	a->opts.weight = SYM_WEIGHT_CPU;
	a->strs = frec_strset__new();
	err = sym_ctx__run(&a->c, r, &a->opts, true);
	if (!err && !a->strs)
		err = -ENOMEM;
	if (!err)
		err = group_funcs(a);
	if (err) {
		sym_annotator__close(a);
		return err;
	}
	*out = a;
	return 0;
}

void sym_annotator__close(struct sym_annotator *a)
{
	if (!a)
		return;
	sym_ctx__exit(&a->c);
	free(a->funcs);
	frec_strset__free(a->strs);
	free(a);
}

const struct frec_profile *sym_annotator__profile(const struct sym_annotator *a)
{
	return a->c.p;
}

const struct sym_ann_func *sym_annotator__funcs(const struct sym_annotator *a, size_t *n)
{
	*n = a->nr_funcs;
	return a->funcs;
}

/* ---- matching names ----------------------------------------------------------------------------- */

/* 2: @name is @func; 1: it is once clone suffixes, "__GI_" and a C++ parameter list are left out. */
static int name_match(const char *name, const char *func)
{
	char key[1024], *paren;
	size_t n;

	if (!strcmp(name, func))
		return 2;
	n = frec_name__key(name, key, sizeof(key));
	if (n >= sizeof(key))
		return 0;
	if (!strcmp(key, func))
		return 1;
	paren = strchr(key, '(');
	if (paren && paren != key) {
		*paren = '\0';
		if (!strcmp(key, func))
			return 1;
	}
	return 0;
}

/* Whether @path is module @module: the path, its file name, or the start of its file name. */
static bool module_match(const char *path, const char *module)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !module || !strcmp(path, module) || !strncmp(base, module, strlen(module));
}

size_t sym_annotator__match(const struct sym_annotator *a, const char *func, const char *module, size_t *out,
			    size_t max)
{
	size_t n = 0;

	/* exact names first; the loose rule only when no name is exactly @func */
	for (int want = 2; want >= 1 && !n; want--) {
		for (size_t i = 0; i < a->nr_funcs; i++) {
			const struct sym_ann_func *f = &a->funcs[i];

			if (f->kind == SYM_ANN_NO_FILE || !module_match(f->module, module) ||
			    name_match(f->name, func) != want)
				continue;
			if (n < max)
				out[n] = i;
			n++;
		}
	}
	return n;
}

long sym_annotator__hottest(const struct sym_annotator *a, const char *module)
{
	for (size_t i = 0; i < a->nr_funcs; i++)
		if (a->funcs[i].kind == SYM_ANN_CODE && module_match(a->funcs[i].module, module))
			return (long)i;
	return -1;
}

const char *sym_annotator__find_unsampled(struct sym_annotator *a, const char *func, const char *module)
{
	for (size_t i = 0; i < a->c.dsos.nr; i++) {
		struct sym_dso *d = sym_dsos__at(&a->c.dsos, (uint32_t)i);
		uint64_t start, end;
		const char *raw;

		if (!d->elf || !d->path || !module_match(d->path, module))
			continue;
		for (size_t k = 0; (raw = sym_elf__symbol(d->elf, k, &start, &end)); k++) {
			char *dm = a->opts.mangled ? NULL : sym_demangle(raw);
			bool hit = name_match(dm ? dm : raw, func) > 0;

			free(dm);
			if (hit)
				return d->path;
		}
	}
	return NULL;
}

/* ---- disassembly -------------------------------------------------------------------------------- */

/* The string @s as one of the annotator's, by id (pointers move as the set grows). */
static long keep_str(struct sym_annotator *a, const char *s)
{
	return frec_strset__add_str(a->strs, s);
}

/* The target of jump or call @insn: its immediate operand ("0x1139", "#0x1139"). */
static bool insn_target(csh cs, const cs_insn *insn, uint64_t *target)
{
	const char *op = insn->op_str;
	char *end;

	if (!cs_insn_group(cs, insn, CS_GRP_JUMP) && !cs_insn_group(cs, insn, CS_GRP_CALL))
		return false;
	if (*op == '#')
		op++;
	if (strncmp(op, "0x", 2))
		return false;
	*target = strtoull(op, &end, 16);
	return *end == '\0';
}

/* "<func+0x1c>" for @target, jumped to from function @f of @elf. */
static long target_name(struct sym_annotator *a, const struct sym_ann_func *f, struct sym_elf *elf, uint64_t target)
{
	struct sym_elf_frame fr;
	uint64_t start, end;
	char buf[512], *dm;

	if (target >= f->start && target < f->end) {
		snprintf(buf, sizeof(buf), "<%s+%#" PRIx64 ">", f->name, target - f->start);
		return keep_str(a, buf);
	}
	if (sym_elf__lookup(elf, target, false, false, &fr, 1) < 1 || !fr.name)
		return -ENOENT;
	dm = a->opts.mangled ? NULL : sym_demangle(fr.name);
	if (sym_elf__in_plt(elf, target) || sym_elf__symbol_of(elf, target, &start, &end) || start == target)
		snprintf(buf, sizeof(buf), "<%s>", dm ? dm : fr.name);
	else
		snprintf(buf, sizeof(buf), "<%s+%#" PRIx64 ">", dm ? dm : fr.name, target - start);
	free(dm);
	return keep_str(a, buf);
}

/* The source line of @insn (the line table's, the innermost frame's) and the function inlined there. */
static int insn_line(struct sym_annotator *a, struct sym_elf *elf, struct sym_ann_insn *insn, long *file,
		     long *inlined)
{
	struct sym_elf_frame fr[ANN_MAX_FRAMES];
	int n = sym_elf__lookup(elf, insn->addr, true, true, fr, ANN_MAX_FRAMES);

	*inlined = -1;
	*file = -1;
	if (n < 1)
		return 0;
	insn->line = fr[0].line;
	if (fr[0].file && fr[0].file[0] != '/' && fr[0].comp_dir) {
		/* DWARF 5 line tables name files relative to the compilation's directory */
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", fr[0].comp_dir, fr[0].file);
		if ((*file = keep_str(a, path)) < 0)
			return -ENOMEM;
	} else {
		insn->file = fr[0].file;
	}
	if (fr[0].inlined && fr[0].name) {
		char *dm = a->opts.mangled ? NULL : sym_demangle(fr[0].name);

		*inlined = keep_str(a, dm ? dm : fr[0].name);
		free(dm);
		if (*inlined < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Capstone's architecture and mode for ELF machine @machine. */
static int cs_arch_of(unsigned int machine, cs_arch *arch, cs_mode *mode)
{
	switch (machine) {
	case EM_X86_64:
		*arch = CS_ARCH_X86;
		*mode = CS_MODE_64;
		return 0;
	case EM_386:
		*arch = CS_ARCH_X86;
		*mode = CS_MODE_32;
		return 0;
	case EM_AARCH64:
		*arch = CS_ARCH_ARM64;
		*mode = CS_MODE_ARM;
		return 0;
	default:
		return -FREC_E_ARCH;
	}
}

int sym_annotator__disasm(struct sym_annotator *a, size_t i, bool want_lines, struct sym_ann_insn **out, size_t *n)
{
	const struct sym_ann_func *f = &a->funcs[i];
	const struct frec_hashmap *ips;
	struct sym_elf *elf;
	struct sym_ann_insn *v = NULL;
	struct { long target, file, inlined; } *ids = NULL; /* string ids of the instructions' strings */
	size_t cap = 0, ids_cap = 0, nr = 0, avail = 0, left;
	const uint8_t *code;
	uint64_t addr;
	cs_insn *insn = NULL;
	cs_arch arch;
	cs_mode mode;
	csh cs;
	int err;

	*out = NULL;
	*n = 0;
	if (i >= a->nr_funcs || f->kind != SYM_ANN_CODE)
		return -EINVAL;
	elf = sym_dsos__at(&a->c.dsos, f->dso)->elf;
	ips = &a->c.stacks.ips[f->dso];
	code = sym_elf__code(elf, f->start, &avail);
	if (!code)
		return -FREC_E_NO_CODE;
	err = cs_arch_of(sym_elf__machine(elf), &arch, &mode);
	if (err)
		return err;
	if (cs_open(arch, mode, &cs) != CS_ERR_OK)
		return -FREC_E_CAPSTONE;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON); /* instruction groups: jumps and calls */
	insn = cs_malloc(cs);
	if (!insn) {
		err = -ENOMEM;
		goto out;
	}
	left = f->end - f->start < avail ? f->end - f->start : avail;
	addr = f->start;
	while (left) {
		struct sym_ann_insn *d;
		uint64_t target;
		long in = -1, file = -1;

		if (frec_array__grow((void **)&v, &cap, nr + 1, sizeof(*v)) ||
		    frec_array__grow((void **)&ids, &ids_cap, nr + 1, sizeof(*ids))) {
			err = -ENOMEM;
			goto out;
		}
		d = &v[nr];
		*d = (struct sym_ann_insn){ .addr = addr };
		ids[nr].target = -1;
		if (!cs_disasm_iter(cs, &code, &left, &addr, insn)) {
			/* bytes that are no instruction (data in code, padding): shown as such, one at a time */
			snprintf(d->text, sizeof(d->text), ".byte %#x", *code);
			d->size = 1;
			code++;
			left--;
			addr++;
		} else {
			d->size = insn->size;
			snprintf(d->text, sizeof(d->text), "%s%s%s", insn->mnemonic, *insn->op_str ? " " : "",
				 insn->op_str);
			if (insn_target(cs, insn, &target))
				ids[nr].target = target_name(a, f, elf, target);
		}
		frec_hashmap__find(ips, d->addr, &d->samples);
		if (want_lines && (err = insn_line(a, elf, d, &file, &in)))
			goto out;
		ids[nr].file = file;
		ids[nr++].inlined = in;
	}
	/* the set of strings has stopped growing: its pointers hold */
	for (size_t k = 0; k < nr; k++) {
		v[k].target = ids[k].target >= 0 ? frec_strset__str(a->strs, (uint32_t)ids[k].target) : NULL;
		if (ids[k].file >= 0)
			v[k].file = frec_strset__str(a->strs, (uint32_t)ids[k].file);
		v[k].inlined = ids[k].inlined >= 0 ? frec_strset__str(a->strs, (uint32_t)ids[k].inlined) : NULL;
	}
	*out = v;
	*n = nr;
	v = NULL;
	err = 0;
out:
	free(v);
	free(ids);
	if (insn)
		cs_free(insn, 1);
	cs_close(&cs);
	return err;
}
