// SPDX-License-Identifier: MIT
/*
 * The PLT of one ELF file: each stub of .plt, .plt.sec and .plt.got named after the function it
 * jumps to, "memcpy@plt", as perf names them.  No symbol covers the stubs (the nearest one before
 * them, often _init, would otherwise take their samples).
 *
 * A stub jumps through a GOT slot, `jmp *slot(%rip)`, and the dynamic relocation of that slot
 * names its function: JUMP_SLOT (.rela.plt) or GLOB_DAT (.rela.dyn, for .plt.got) by its symbol,
 * IRELATIVE by the address of its resolver, the ifunc.  A lazy-binding stub of a PLT split for IBT
 * (.plt beside .plt.sec) jumps to the PLT's header instead, after pushing its index in .rela.plt.
 * Reading what a stub does, rather than counting entries, holds for every linker's layout: GNU ld
 * and lld order and size their PLT sections differently.  The stubs are decoded with capstone on
 * the first lookup that falls in a PLT section.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sym_internal.h"

struct plt_reloc {
	uint64_t slot;    /* r_offset: the GOT slot */
	const char *name; /* its symbol, borrowed from libelf; NULL for IRELATIVE */
	uint64_t addend;  /* IRELATIVE: the resolver's address */
};

static bool is_plt_section(const char *name)
{
	return !strcmp(name, ".plt") || !strcmp(name, ".plt.sec") || !strcmp(name, ".plt.got");
}

static const char *scn_name(Elf *elf, size_t shstrndx, const GElf_Shdr *sh)
{
	const char *n = elf_strptr(elf, shstrndx, sh->sh_name);

	return n ? n : "";
}

int sym_plt__init(struct sym_plt *t, Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	*t = (struct sym_plt){ 0 };
	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(elf, scn)) && t->nr_secs < SYM_PLT_MAX_SECS) {
		GElf_Shdr sh;

		/* NOBITS in a separate debug file: nothing to read the stubs from */
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !sh.sh_size ||
		    !is_plt_section(scn_name(elf, shstrndx, &sh)))
			continue;
		t->secs[t->nr_secs++] = (struct sym_plt_sec){
			.start = sh.sh_addr,
			.end = sh.sh_addr + sh.sh_size,
			.index = elf_ndxscn(scn),
		};
	}
	return 0;
}

void sym_plt__exit(struct sym_plt *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->stubs[i].name);
	free(t->stubs);
	sym_ranges__exit(&t->index);
	*t = (struct sym_plt){ 0 };
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct plt_reloc *x = a, *y = b;

	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/*
 * The relocations that can name a stub, sorted by slot, and all of .rela.plt in its own order (a
 * lazy stub pushes its index; an entry of another type has neither name nor addend).
 * R_X86_64_RELATIVE, most of .rela.dyn, names nothing and is left out.
 */
static int read_relocs(Elf *elf, size_t shstrndx, struct plt_reloc **out, size_t *nr, struct plt_reloc **plt,
		       size_t *nr_plt)
{
	Elf_Scn *scn = NULL;
	size_t cap = 0;

	while ((scn = elf_nextscn(elf, scn))) {
		bool is_rela_plt;
		Elf_Data *d, *syms;
		Elf_Scn *symscn;
		GElf_Shdr sh, symsh;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)) || !(symscn = elf_getscn(elf, sh.sh_link)) ||
		    !gelf_getshdr(symscn, &symsh) || !(syms = elf_getdata(symscn, NULL)))
			continue;
		n = sh.sh_size / sh.sh_entsize;
		is_rela_plt = !*plt && !strcmp(scn_name(elf, shstrndx, &sh), ".rela.plt");
		if (is_rela_plt) {
			*plt = calloc(n ? n : 1, sizeof(**plt));
			if (!*plt)
				return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			struct plt_reloc rel = { 0 };
			GElf_Rela r;
			GElf_Sym sym;
			uint32_t type;

			if (!gelf_getrela(d, (int)i, &r))
				break;
			if (is_rela_plt)
				*nr_plt = i + 1;
			type = (uint32_t)GELF_R_TYPE(r.r_info);
			rel.slot = r.r_offset;
			if (type == R_X86_64_IRELATIVE)
				rel.addend = (uint64_t)r.r_addend;
			else if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT)
				continue;
			else if (!gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym) ||
				 !(rel.name = elf_strptr(elf, symsh.sh_link, sym.st_name)) || !*rel.name)
				continue;
			if (is_rela_plt)
				(*plt)[i] = rel;
			if (*nr == cap) {
				size_t c = cap ? cap * 2 : 64;
				struct plt_reloc *p = realloc(*out, c * sizeof(*p));

				if (!p)
					return -ENOMEM;
				*out = p;
				cap = c;
			}
			(*out)[(*nr)++] = rel;
		}
	}
	if (*nr)
		qsort(*out, *nr, sizeof(**out), cmp_reloc);
	return 0;
}

static const struct plt_reloc *reloc_at(const struct plt_reloc *r, size_t n, uint64_t slot)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].slot == slot)
			return &r[mid];
		if (r[mid].slot < slot)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * What the stub at @addr (@size bytes at @code) jumps to: the relocation of the GOT slot it jumps
 * through, else of the .rela.plt index it pushes.  NULL for the PLT's header and anything else.
 */
static const struct plt_reloc *stub_target(csh cs, cs_insn *insn, const uint8_t *code, size_t size, uint64_t addr,
					   const struct plt_reloc *rel, size_t nr, const struct plt_reloc *plt,
					   size_t nr_plt)
{
	const struct plt_reloc *by_push = NULL;

	while (size && cs_disasm_iter(cs, &code, &size, &addr, insn)) {
		const cs_x86 *x = &insn->detail->x86;

		if (x->op_count != 1)
			continue;
		if (insn->id == X86_INS_JMP && x->operands[0].type == X86_OP_MEM &&
		    x->operands[0].mem.base == X86_REG_RIP && x->operands[0].mem.index == X86_REG_INVALID)
			return reloc_at(rel, nr, insn->address + insn->size + (uint64_t)x->operands[0].mem.disp);
		if (insn->id == X86_INS_PUSH && x->operands[0].type == X86_OP_IMM && x->operands[0].imm >= 0 &&
		    (uint64_t)x->operands[0].imm < nr_plt && plt[x->operands[0].imm].slot)
			by_push = &plt[x->operands[0].imm];
		if (insn->id == X86_INS_JMP && by_push)
			return by_push;
	}
	return NULL;
}

static int cmp_stub(const void *a, const void *b)
{
	const struct sym_plt_stub *x = a, *y = b;

	return x->range.start < y->range.start ? -1 : x->range.start > y->range.start;
}

static int add_stub(struct sym_plt *t, size_t *cap, uint64_t start, uint64_t end, char *name)
{
	if (!name)
		return -ENOMEM;
	if (t->nr == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct sym_plt_stub *p = realloc(t->stubs, c * sizeof(*p));

		if (!p) {
			free(name);
			return -ENOMEM;
		}
		t->stubs = p;
		*cap = c;
	}
	t->stubs[t->nr++] = (struct sym_plt_stub){ .range = { start, end }, .name = name };
	return 0;
}

/* The name of a stub jumping to @r: its symbol's, else its ifunc's (@name_at), else perf's *ABS*. */
static char *stub_name(const struct plt_reloc *r, sym_plt_name_fn name_at, void *ctx)
{
	const char *fn = r->name ? r->name : name_at ? name_at(ctx, r->addend) : NULL;
	char *s;

	if (fn)
		return asprintf(&s, "%s@plt", fn) < 0 ? NULL : s;
	return asprintf(&s, "*ABS*+0x%" PRIx64 "@plt", r->addend) < 0 ? NULL : s;
}

static int load(struct sym_plt *t, Elf *elf, sym_plt_name_fn name_at, void *ctx)
{
	struct plt_reloc *rel = NULL, *plt = NULL;
	size_t nr = 0, nr_plt = 0, cap = 0, shstrndx;
	cs_insn *insn = NULL;
	csh cs = 0;
	int err;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	err = read_relocs(elf, shstrndx, &rel, &nr, &plt, &nr_plt);
	if (err || (!nr && !nr_plt))
		goto out;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		goto out; /* the stubs stay unnamed, as before */
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(cs);
	if (!insn) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t s = 0; s < t->nr_secs && !err; s++) {
		Elf_Scn *scn = elf_getscn(elf, t->secs[s].index);
		Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
		GElf_Shdr sh;
		uint64_t entsize;

		if (!d || !d->d_buf || !gelf_getshdr(scn, &sh))
			continue;
		/* lld leaves sh_entsize 0; its stubs are 16 bytes as GNU ld's .plt ones are */
		entsize = sh.sh_entsize ? sh.sh_entsize : 16;
		for (uint64_t off = 0; off + entsize <= d->d_size && !err; off += entsize) {
			const struct plt_reloc *r = stub_target(cs, insn, (const uint8_t *)d->d_buf + off, entsize,
								sh.sh_addr + off, rel, nr, plt, nr_plt);

			/* the PLT's header, or a stub of no known target: its section, not the symbol before */
			err = add_stub(t, &cap, sh.sh_addr + off, sh.sh_addr + off + entsize,
				       r ? stub_name(r, name_at, ctx) : strdup(scn_name(elf, shstrndx, &sh)));
		}
	}
	if (t->nr)
		qsort(t->stubs, t->nr, sizeof(*t->stubs), cmp_stub);
	if (!err)
		err = sym_ranges__index(&t->index, t->stubs, t->nr, sizeof(*t->stubs));
out:
	if (insn)
		cs_free(insn, 1);
	if (cs)
		cs_close(&cs);
	free(rel);
	free(plt);
	return err;
}

const char *sym_plt__name(struct sym_plt *t, Elf *elf, uint64_t vaddr, sym_plt_name_fn name_at, void *ctx)
{
	bool in_plt = false;
	long idx;

	for (size_t i = 0; i < t->nr_secs && !in_plt; i++)
		in_plt = vaddr >= t->secs[i].start && vaddr < t->secs[i].end;
	if (!in_plt)
		return NULL;
	if (!t->loaded) {
		t->loaded = true;
		if (load(t, elf, name_at, ctx)) {
			/* out of memory: no stub is named rather than some */
			for (size_t i = 0; i < t->nr; i++)
				free(t->stubs[i].name);
			t->nr = 0;
		}
	}
	idx = sym_ranges__find(&t->index, vaddr);
	return idx >= 0 ? t->stubs[idx].name : NULL;
}
