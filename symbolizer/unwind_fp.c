// SPDX-License-Identifier: MIT
/*
 * The unwinder's checks of the kernel's frame-pointer chains (fp and auto modes), with fpcheck's
 * capstone analysis of each frame's function (its symbol and code from the registry's file), and
 * the choice between the chain and DWARF per sample.  The verdicts are cached per file and pc,
 * shared by all processes.
 */
#define pr_fmt(fmt) "unwind: " fmt

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <inttypes.h>
#include <gelf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/hashmap.h"
#include "frec/log.h"
#include "frec/trace.h"
#include "fpcheck.h"
#include "sym_internal.h"
#include "unwind_internal.h"

/* ---- Frame-pointer chains (fp and auto modes) ----------------------------------------------- */



/* What unw_fp_info() knows of a pc: an enum sym_fp_state, and whether it is in a root function. */
#define UNW_FP_STATE_MASK 0xffu
#define UNW_FP_ROOT 0x100u

/*
 * What a frame-pointer walk sees at @pc (an activation, or a return address looked up at pc - 1).
 * The function around it comes from the symbol table; its bytes from the module's file.  A pc in
 * no module or no sized symbol (stripped internals) is UNKNOWN, which callers treat as unsound.
 * Cached per file address: the same pcs come back in sample after sample.
 */
static unsigned int unw_fp_info(struct sym_unwinder *u, struct unw_proc *p, uint64_t pc, bool activation)
{
	uint64_t look = activation ? pc : pc - 1, file_id, key, *slot;
	struct sym_elf_func fn;
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	struct sym_fp_func f;
	unsigned int info = SYM_FP_UNKNOWN;
	const uint8_t *code;
	struct sym_elf *e;
	struct unw_memo *memo;
	uint64_t off;
	size_t size, avail;
	bool added, hit;

	if (!p->dwfl)
		return SYM_FP_UNKNOWN;
	memo = unw_memo__at(u->fp_memo, p->serial, look, &hit);
	if (hit)
		return (unsigned int)memo->val;
	mod = dwfl_addrmodule(p->dwfl, look);
	if (!mod || !dwfl_module_getelf(mod, &bias) || unw_module__file_id(mod, &file_id) < 0)
		return SYM_FP_UNKNOWN;
	key = file_id << 48 | ((look - bias) & UNW_FILE_ADDR_MASK);
	slot = frec_hashmap__slot(&u->pc_states, key, &added);
	if (!slot)
		return SYM_FP_UNKNOWN;
	if (!added)
		goto memo;

	if (!u->fpcheck && !u->fpcheck_failed && sym_fpcheck__new(&u->fpcheck) < 0)
		u->fpcheck_failed = true;
	e = sym_elf__of_module(mod);
	if (sym_elf__func(e, look - bias, &fn))
		goto out;
	off = look - bias - fn.start;
	if (fn.root)
		info |= UNW_FP_ROOT;
	if (!u->fpcheck)
		goto out;
	code = sym_elf__code(e, fn.start, &avail);
	if (!code)
		goto out;
	size = avail < fn.end - fn.start ? avail : fn.end - fn.start;
	if (sym_fpcheck__func(u->fpcheck, file_id << 48 | ((look - off - bias) & UNW_FILE_ADDR_MASK), code, size,
			      &f) < 0 && !f.decoded)
		goto out;
	info = (info & ~UNW_FP_STATE_MASK) | sym_fp_func__state(&f, code, size, off);
out:
	*slot = (uint64_t)info + 1;
memo:
	*memo = (struct unw_memo){ .serial = p->serial, .look = look, .val = *slot - 1 };
	return (unsigned int)(*slot - 1);
}

/*
 * Copy the kernel's chain to @frames and check it.  The leaf, if sampled before its frame exists
 * or in a function that never makes one, gets its caller back from the stack copy.  Then every
 * frame but the outermost must have its frame set up for the next one to be its caller.  A walk
 * that reaches a root function (_start, clone3, ...) ends there, whatever the kernel read after
 * it; one that ends elsewhere, in a function without a frame pointer, lost that function's callers.
 * Returns the frame count; sets res->fp_broken_at (an index into @frames), res->fp_repaired, and
 * *@unsure (a frame whose code could not be checked).
 */
static size_t unw_fp_frames(struct sym_unwinder *u, struct unw_proc *p, const struct sym_unwind_sample *s,
			    struct sym_unwind_frame *frames, size_t max, struct sym_unwind_result *res,
			    bool *unsure)
{
	uint64_t valid = s->stack ? FREC_UNW_MIN(s->stack_size, s->stack_dyn_size) : 0, ra;
	bool at_root = false, full = false;
	size_t n = 0;

	*unsure = false;
	res->fp_broken_at = -1;
	for (size_t i = 0; i < s->nr_fp_chain; i++) {
		if (n == max) {
			full = true;
			break;
		}
		frames[n].pc = s->fp_chain[i];
		frames[n].is_activation = i == 0;
		n++;
		if (i == 0) {
			enum sym_fp_state st = unw_fp_info(u, p, s->fp_chain[0], true) & UNW_FP_STATE_MASK;

			/* The kernel's next entry is the caller's caller: put the caller between. */
			if (sym_fp_state__return_address(st, s->stack, valid, &ra) &&
			    (s->nr_fp_chain == 1 || s->fp_chain[1] != ra) && n < max) {
				frames[n].pc = ra;
				frames[n].is_activation = false;
				n++;
				res->fp_repaired = true;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		bool last = i + 1 == n;
		unsigned int info = unw_fp_info(u, p, frames[i].pc, frames[i].is_activation);
		enum sym_fp_state st = (enum sym_fp_state)(info & UNW_FP_STATE_MASK);

		if ((info & UNW_FP_ROOT) && i) {
			n = i + 1; /* what the kernel read past a root is not a frame */
			at_root = true;
			break;
		}
		if (st == SYM_FP_FRAME || (i == 0 && res->fp_repaired) || (last && (s->fp_chain_cut || full)))
			continue;
		if (st == SYM_FP_UNKNOWN) {
			*unsure = true;
			continue;
		}
		res->fp_broken_at = (int)i;
		break;
	}
	res->stop = res->fp_broken_at >= 0		? SYM_UNWIND_FP_BROKEN :
		    (s->fp_chain_cut || full) && !at_root ? SYM_UNWIND_DEPTH_LIMIT :
							  SYM_UNWIND_END;
	return n;
}

/* Whether the kernel's chain is sound from entry @j on: each frame's caller is the next entry. */
static bool unw_fp_sound_from(struct sym_unwinder *u, struct unw_proc *p, const struct sym_unwind_sample *s,
			      size_t j)
{
	for (size_t k = j; k + 1 < s->nr_fp_chain; k++)
		if ((unw_fp_info(u, p, s->fp_chain[k], false) & UNW_FP_STATE_MASK) != SYM_FP_FRAME)
			return false;
	return true;
}

/*
 * Append the kernel's chain from entry @j to a DWARF walk that ran out of stack copy at its last
 * frame F, when the chain is known to hold F's callers from @j on.  Two ways to know it:
 *   - the chain holds F's own return address (F was entered from a frame-pointer frame): its
 *     callers follow that entry;
 *   - F keeps a frame pointer at its pc and the kernel's walk passed through F's %rbp: the entry
 *     the walk read there, at %rbp + 8, is F's return address.  This is the common case of a frame
 *     too large for the copy (a function with big local buffers) calling code without frame
 *     pointers (ld.so, libc): the copy ends inside F's frame and only the kernel saw past it.
 *     The walk's frame pointers are followed in the copy from the sampled %rbp.
 */
static bool unw_fp_join(struct sym_unwinder *u, struct unw_proc *p, const struct sym_unwind_sample *s,
			struct sym_unwind_frame *frames, size_t max, struct sym_unwind_result *res)
{
	const struct sym_unwind_frame *f = &frames[res->nr_frames - 1];
	uint64_t valid = s->stack ? FREC_UNW_MIN(s->stack_size, s->stack_dyn_size) : 0, sp, fp;
	size_t from = 0;

	for (size_t j = 1; j < s->nr_fp_chain && !from; j++)
		if (s->fp_chain[j] == f->pc)
			from = unw_fp_sound_from(u, p, s, j) ? j + 1 : SIZE_MAX;
	if (!from && res->has_last_rbp &&
	    (unw_fp_info(u, p, f->pc, f->is_activation) & UNW_FP_STATE_MASK) == SYM_FP_FRAME &&
	    trace_regs__get(s->regs_mask, s->regs, UNW_PERF_SP, &sp) &&
	    trace_regs__get(s->regs_mask, s->regs, UNW_PERF_BP, &fp)) {
		for (size_t k = 1; k < s->nr_fp_chain; k++) {
			if (fp == res->last_rbp) {
				from = unw_fp_sound_from(u, p, s, k) ? k : SIZE_MAX;
				break;
			}
			if (valid < 8 || fp < sp || fp - sp > valid - 8)
				break;
			memcpy(&fp, (const uint8_t *)s->stack + (fp - sp), sizeof(fp));
		}
	}
	if (!from || from == SIZE_MAX)
		return false;
	for (size_t k = from; k < s->nr_fp_chain && res->nr_frames < max; k++) {
		frames[res->nr_frames].pc = s->fp_chain[k];
		frames[res->nr_frames].is_activation = false;
		res->nr_frames++;
	}
	return true;
}

int sym_unwinder__user_stack(struct sym_unwinder *u, const struct sym_unwind_sample *s,
			     enum sym_unwind_mode mode, struct sym_unwind_frame *frames, size_t max,
			     struct sym_unwind_result *res)
{
	struct unw_proc *p = unw_proc__find(u, s->pid);
	struct sym_unwind_result fp_res;
	bool unsure = false;
	size_t n_fp;
	int ret;

	if (mode == SYM_UNWIND_MODE_DWARF) {
		ret = sym_unwinder__unwind(u, s, frames, max, res);
		res->source = SYM_UNWIND_FROM_DWARF;
		res->fp_broken_at = -1;
		if (ret < 0)
			return ret;
		u->stats.from[SYM_UNWIND_FROM_DWARF]++;
		return (int)res->nr_frames;
	}
	memset(res, 0, sizeof(*res));
	if (!p || !p->has_generation) {
		res->stop = SYM_UNWIND_ERROR;
		res->fp_broken_at = -1;
		snprintf(res->errmsg, sizeof(res->errmsg), "no mappings for pid %d", s->pid);
		return -ENOENT;
	}
	ret = unw_proc__ensure(p);
	if (ret < 0)
		return ret;

	memset(&fp_res, 0, sizeof(fp_res));
	n_fp = unw_fp_frames(u, p, s, frames, max, &fp_res, &unsure);
	if (mode == SYM_UNWIND_MODE_FP || (fp_res.fp_broken_at < 0 && !unsure && !s->fp_chain_cut) || !s->stack ||
	    s->regs_abi == PERF_SAMPLE_REGS_ABI_NONE) {
		*res = fp_res;
		res->nr_frames = n_fp;
		res->source = SYM_UNWIND_FROM_FP;
		u->stats.from[SYM_UNWIND_FROM_FP]++;
		u->stats.fp_repaired += res->fp_repaired;
		u->stats.fp_broken += res->fp_broken_at >= 0;
		return (int)n_fp;
	}

	/* The fp chain cannot be trusted: DWARF, over the same array. */
	ret = sym_unwinder__unwind(u, s, frames, max, res);
	if (ret < 0)
		return ret;
	res->source = SYM_UNWIND_FROM_DWARF;
	res->fp_broken_at = -1;
	/* Out of stack copy: the kernel's walk may still know the outer frames. */
	if (res->stop == SYM_UNWIND_STACK_EXHAUSTED && res->nr_frames > 1 && unw_fp_join(u, p, s, frames, max, res)) {
		res->source = SYM_UNWIND_FROM_SPLICE;
		res->stop = SYM_UNWIND_END;
	}
	/*
	 * DWARF fell short of the end too: keep it only if it found more than the part of the fp
	 * chain before its break (the prefix a frame-pointer walk gets right).
	 */
	if (res->source == SYM_UNWIND_FROM_DWARF && res->stop != SYM_UNWIND_END &&
	    res->nr_frames < (fp_res.fp_broken_at >= 0 ? (size_t)fp_res.fp_broken_at + 1 : n_fp)) {
		n_fp = unw_fp_frames(u, p, s, frames, max, &fp_res, &unsure);
		*res = fp_res;
		res->nr_frames = n_fp;
		res->source = SYM_UNWIND_FROM_FP;
		u->stats.fp_repaired += res->fp_repaired;
		u->stats.fp_broken += res->fp_broken_at >= 0;
	}
	u->stats.from[res->source]++;
	return (int)res->nr_frames;
}
