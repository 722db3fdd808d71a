// SPDX-License-Identifier: MIT
/*
 * Frame-pointer analysis with capstone: find push %rbp; mov %rsp,%rbp in a function and say, for
 * a pc, whether a frame-pointer walk through that function is sound (see fpcheck.h).
 *
 * The prologue is searched over the whole function rather than its first bytes, because gcc's
 * shrink-wrapping may put a fast path (test; jcc; ret) before the frame setup.  gcc also schedules
 * unrelated instructions between the push and the mov, so the mov may come a few instructions
 * later, as long as nothing in between moves %rsp or writes %rbp.  Code built without frame
 * pointers pushes %rbp too, to use it as an ordinary callee-saved register, but then the next
 * push (or a write of %rbp) closes the window before any mov %rsp,%rbp.
 */
#define pr_fmt(fmt) "fpcheck: " fmt

#include <capstone/capstone.h>
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "frec/error.h"
#include "frec/hashmap.h"
#include "frec/log.h"
#include "fpcheck.h"

struct sym_fpcheck {
	csh cs;
	bool cs_open;
	cs_insn *insn;
	struct frec_hashmap cache; /* key -> packed struct sym_fp_func */
};

static const char *const fp_state_names[] = {
	[SYM_FP_UNKNOWN] = "unknown",
	[SYM_FP_NO_FRAME] = "no frame",
	[SYM_FP_BEFORE_PUSH] = "before push",
	[SYM_FP_AFTER_PUSH] = "after push",
	[SYM_FP_FRAME] = "frame",
	[SYM_FP_LEAF] = "frameless leaf",
};

const char *sym_fp_state__name(enum sym_fp_state st)
{
	if ((unsigned)st >= sizeof(fp_state_names) / sizeof(fp_state_names[0]))
		return "unknown";
	return fp_state_names[st];
}

int sym_fpcheck__new(struct sym_fpcheck **out)
{
	struct sym_fpcheck *c = calloc(1, sizeof(*c));
	cs_err err;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	frec_hashmap__init(&c->cache);
	err = cs_open(CS_ARCH_X86, CS_MODE_64, &c->cs);
	if (err != CS_ERR_OK) {
		pr_warn("cannot open the x86_64 disassembler: %s", cs_strerror(err));
		free(c);
		return -FREC_E_CAPSTONE;
	}
	c->cs_open = true;
	cs_option(c->cs, CS_OPT_DETAIL, CS_OPT_ON);
	c->insn = cs_malloc(c->cs);
	if (!c->insn) {
		sym_fpcheck__free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void sym_fpcheck__free(struct sym_fpcheck *c)
{
	if (!c)
		return;
	if (c->insn)
		cs_free(c->insn, 1);
	if (c->cs_open)
		cs_close(&c->cs);
	frec_hashmap__exit(&c->cache);
	free(c);
}

static bool fp_is_reg_op(const cs_x86_op *op, x86_reg reg)
{
	return op->type == X86_OP_REG && op->reg == reg;
}

/* push %rbp */
static bool fp_is_push_rbp(const cs_insn *insn)
{
	const cs_x86 *x = &insn->detail->x86;

	return insn->id == X86_INS_PUSH && x->op_count == 1 && fp_is_reg_op(&x->operands[0], X86_REG_RBP);
}

/* mov %rsp,%rbp (Intel operand order: destination first) */
static bool fp_is_mov_rsp_rbp(const cs_insn *insn)
{
	const cs_x86 *x = &insn->detail->x86;

	return insn->id == X86_INS_MOV && x->op_count == 2 && fp_is_reg_op(&x->operands[0], X86_REG_RBP) &&
	       fp_is_reg_op(&x->operands[1], X86_REG_RSP);
}

/*
 * Whether @insn ends the window between push %rbp and mov %rsp,%rbp: it moves %rsp (the return
 * address would no longer be at [sp + 8]), writes %rbp, or leaves straight-line code.
 */
static bool fp_writes_sp_or_bp(csh cs, const cs_insn *insn)
{
	cs_regs rd, wr;
	uint8_t nrd = 0, nwr = 0;

	if (cs_regs_access(cs, insn, rd, &nrd, wr, &nwr) != CS_ERR_OK)
		return true;
	for (uint8_t i = 0; i < nwr; i++) {
		if (wr[i] == X86_REG_RSP || wr[i] == X86_REG_RBP || wr[i] == X86_REG_ESP || wr[i] == X86_REG_EBP ||
		    wr[i] == X86_REG_SP || wr[i] == X86_REG_BP || wr[i] == X86_REG_SPL || wr[i] == X86_REG_BPL)
			return true;
	}
	return false;
}

static bool fp_breaks_window(csh cs, const cs_insn *insn)
{
	if (cs_insn_group(cs, insn, CS_GRP_JUMP) || cs_insn_group(cs, insn, CS_GRP_CALL) ||
	    cs_insn_group(cs, insn, CS_GRP_RET) || cs_insn_group(cs, insn, CS_GRP_INT))
		return true;
	return fp_writes_sp_or_bp(cs, insn);
}

/* Instructions the compiler may schedule between push %rbp and mov %rsp,%rbp. */
#define FP_WINDOW 8

int sym_fpcheck__analyze(struct sym_fpcheck *c, const uint8_t *code, size_t size, struct sym_fp_func *out)
{
	const uint8_t *p = code;
	size_t left = size;
	uint64_t addr = 0;
	int pending = 0; /* instructions left in the window after a push %rbp, 0 when none */
	uint64_t push_off = 0;
	bool touches = false; /* some instruction other than ret moves %rsp or writes %rbp */

	memset(out, 0, sizeof(*out));
	while (left && cs_disasm_iter(c->cs, &p, &left, &addr, c->insn)) {
		uint64_t off = c->insn->address;

		out->decoded = true;
		if (pending) {
			if (fp_is_mov_rsp_rbp(c->insn)) {
				out->has_frame = true;
				out->push_off = (uint32_t)push_off;
				out->frame_off = (uint32_t)addr; /* the next instruction */
				return 0;
			}
			pending = fp_breaks_window(c->cs, c->insn) ? 0 : pending - 1;
		}
		if (fp_is_push_rbp(c->insn)) {
			pending = FP_WINDOW;
			push_off = off;
		}
		if (!touches && !cs_insn_group(c->cs, c->insn, CS_GRP_RET))
			touches = cs_insn_group(c->cs, c->insn, CS_GRP_CALL) || fp_writes_sp_or_bp(c->cs, c->insn);
	}
	/* Only a function decoded to its end can be known not to touch the stack. */
	out->no_stack = out->decoded && !touches && !left;
	return out->decoded || !size ? 0 : -FREC_E_CAPSTONE;
}

/*
 * Cached results are packed in the map's 64-bit values: bit 63 decoded, bit 62 has_frame, bit 61
 * no_stack, bits 0-30 push_off, 31-60 frame_off.  Prologues beyond 1 GiB into a function do not exist.
 */
#define FP_PACK_DECODED (1ull << 63)
#define FP_PACK_FRAME (1ull << 62)
#define FP_PACK_NO_STACK (1ull << 61)
#define FP_PACK_OFF_MASK 0x7fffffffull

int sym_fpcheck__func(struct sym_fpcheck *c, uint64_t key, const uint8_t *code, size_t size,
		      struct sym_fp_func *out)
{
	uint64_t v;
	int err;

	if (frec_hashmap__find(&c->cache, key, &v)) {
		out->decoded = v & FP_PACK_DECODED;
		out->has_frame = v & FP_PACK_FRAME;
		out->push_off = (uint32_t)(v & FP_PACK_OFF_MASK);
		out->frame_off = (uint32_t)(v >> 31 & FP_PACK_OFF_MASK >> 1);
		out->no_stack = v & FP_PACK_NO_STACK;
		return 0;
	}
	err = sym_fpcheck__analyze(c, code, size, out);
	if (err < 0 && err != -FREC_E_CAPSTONE)
		return err;
	v = (out->decoded ? FP_PACK_DECODED : 0) | (out->has_frame ? FP_PACK_FRAME : 0) |
	    (out->no_stack ? FP_PACK_NO_STACK : 0) | (out->push_off & FP_PACK_OFF_MASK) |
	    ((uint64_t)(out->frame_off & FP_PACK_OFF_MASK >> 1) << 31);
	if (frec_hashmap__set(&c->cache, key, v) < 0)
		return -ENOMEM;
	return err;
}

/* ret, ret imm16, repz ret, bnd ret */
static bool fp_is_ret(const uint8_t *code, size_t size, uint64_t off)
{
	if (!code || off >= size)
		return false;
	if (code[off] == 0xc3 || code[off] == 0xc2)
		return true;
	return (code[off] == 0xf3 || code[off] == 0xf2) && off + 1 < size && code[off + 1] == 0xc3;
}

enum sym_fp_state sym_fp_func__state(const struct sym_fp_func *f, const uint8_t *code, size_t size,
				     uint64_t off)
{
	if (!f->decoded)
		return SYM_FP_UNKNOWN;
	if (!f->has_frame)
		return f->no_stack ? SYM_FP_LEAF : SYM_FP_NO_FRAME;
	if (off <= f->push_off)
		return SYM_FP_BEFORE_PUSH;
	if (off < f->frame_off)
		return SYM_FP_AFTER_PUSH;
	/* In a function with a frame, a ret past the setup runs after pop %rbp or leave. */
	if (fp_is_ret(code, size, off))
		return SYM_FP_BEFORE_PUSH;
	return SYM_FP_FRAME;
}

bool sym_fp_state__return_address(enum sym_fp_state st, const uint8_t *stack, size_t size, uint64_t *ra)
{
	size_t at;

	if (st == SYM_FP_BEFORE_PUSH || st == SYM_FP_LEAF)
		at = 0;
	else if (st == SYM_FP_AFTER_PUSH)
		at = 8;
	else
		return false;
	if (!stack || size < at + 8)
		return false;
	memcpy(ra, stack + at, 8);
	return true;
}

/* The symbol table to read: .symtab when present (every function), else .dynsym. */
static Elf_Scn *fp_symtab(Elf *elf, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL, *dyn = NULL;
	GElf_Shdr dyn_shdr;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr mem;

		if (!gelf_getshdr(scn, &mem))
			continue;
		if (mem.sh_type == SHT_SYMTAB) {
			*shdr = mem;
			return scn;
		}
		if (mem.sh_type == SHT_DYNSYM && !dyn) {
			dyn = scn;
			dyn_shdr = mem;
		}
	}
	if (dyn)
		*shdr = dyn_shdr;
	return dyn;
}

int sym_fpcheck__elf(struct sym_fpcheck *c, Elf *elf, struct sym_fp_summary *out)
{
	GElf_Shdr sym_shdr;
	Elf_Scn *symscn;
	Elf_Data *syms;
	size_t nsyms;

	memset(out, 0, sizeof(*out));
	symscn = fp_symtab(elf, &sym_shdr);
	if (!symscn)
		return 0; /* stripped of both: nothing to say */
	syms = elf_getdata(symscn, NULL);
	if (!syms || !sym_shdr.sh_entsize)
		return -FREC_E_ELF;
	nsyms = sym_shdr.sh_size / sym_shdr.sh_entsize;
	for (size_t i = 0; i < nsyms; i++) {
		GElf_Sym sym;
		GElf_Shdr shdr;
		Elf_Scn *scn;
		Elf_Data *text;
		struct sym_fp_func f;
		uint64_t at;

		if (!gelf_getsym(syms, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_size ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		scn = elf_getscn(elf, sym.st_shndx);
		if (!scn || !gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_PROGBITS ||
		    !(shdr.sh_flags & SHF_EXECINSTR))
			continue;
		text = elf_rawdata(scn, NULL);
		if (!text || sym.st_value < shdr.sh_addr)
			continue;
		at = sym.st_value - shdr.sh_addr;
		if (at >= text->d_size || sym.st_size > text->d_size - at)
			continue;
		if (sym_fpcheck__analyze(c, (const uint8_t *)text->d_buf + at, sym.st_size, &f) < 0)
			continue;
		out->functions++;
		out->with_frame += f.has_frame;
	}
	return 0;
}
