// SPDX-License-Identifier: MIT
/*
 * The unwinder's fast path: cached CFI rules of the common shape, walked directly, and the
 * threads' trails that end a walk early.
 *
 * libdw evaluates the CFI of every frame from scratch: find the FDE, run its instructions up to
 * the pc, build a Dwarf_Frame (malloc), then compute all 17 registers of the caller.  Nearly all
 * x86_64 code has frames of one shape: CFA = %rsp or %rbp + offset, return address at CFA - 8,
 * %rbp either unchanged or saved at CFA + offset.  Those rules are extracted once per pc (from the
 * registry's .eh_frame of the file) and cached; a walk that meets anything else (expressions,
 * signal frames, a CFA based on another register, a pc without CFI) is redone from the start by
 * libdw (unwind.c), so both paths give the same frames.
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
#include "sym_internal.h"
#include "unwind_internal.h"

/*
 * A rule in the 64 bits of a cache slot: kind 0-2, cfa_rbp 3, rbp 4-5, cfa_rbx 6, rbx 7-8,
 * cfa_off 16-39, rbp_off 40-55, rbx_off / 8 56-63.
 */
static uint64_t unw_rule__pack(const struct unw_rule *r)
{
	return (uint64_t)r->kind | (uint64_t)r->cfa_rbp << 3 | (uint64_t)r->rbp << 4 | (uint64_t)r->cfa_rbx << 6 |
	       (uint64_t)r->rbx << 7 | ((uint64_t)(uint32_t)r->cfa_off & 0xffffff) << 16 |
	       (uint64_t)(uint16_t)r->rbp_off << 40 | (uint64_t)(uint8_t)(int8_t)(r->rbx_off / 8) << 56;
}

static struct unw_rule unw_rule__unpack(uint64_t v)
{
	return (struct unw_rule){
		.kind = (enum unw_rule_kind)(v & 7),
		.cfa_rbp = v >> 3 & 1,
		.rbp = (enum unw_rbp_rule)(v >> 4 & 3),
		.cfa_rbx = v >> 6 & 1,
		.rbx = (enum unw_rbp_rule)(v >> 7 & 3),
		.cfa_off = (int32_t)((uint32_t)(v >> 16 & 0xffffff) << 8) >> 8,
		.rbp_off = (int16_t)(uint16_t)(v >> 40),
		.rbx_off = (int16_t)((int8_t)(uint8_t)(v >> 56) * 8),
	};
}

/* A location CFA + *off: [DW_OP_call_frame_cfa] or [DW_OP_call_frame_cfa, DW_OP_plus_uconst N]. */
bool unw_op__cfa_offset(const Dwarf_Op *ops, size_t nops, int64_t *off)
{
	if (nops < 1 || ops[0].atom != DW_OP_call_frame_cfa)
		return false;
	if (nops == 1) {
		*off = 0;
		return true;
	}
	if (nops == 2 && ops[1].atom == DW_OP_plus_uconst) {
		*off = (int64_t)ops[1].number;
		return true;
	}
	return false;
}

/* The rule at file address @at of @e, from its .eh_frame. */
static struct unw_rule unw_rule__from_cfi(struct sym_elf *e, uint64_t at)
{
	struct unw_rule r = { .kind = UNW_RULE_SLOW };
	Dwarf_Op mem[3], *ops;
	Dwarf_Frame *frame;
	Dwarf_CFI *cfi = sym_elf__eh_cfi(e);
	size_t nops;
	int64_t off;
	bool signal = false;
	int ra;

	if (!cfi || dwarf_cfi_addrframe(cfi, at, &frame) != 0) {
		/* a PLT stub without CFI (lld writes none): a jump, see unw_plt_leaf() */
		if (sym_elf__in_plt(e, at))
			r.kind = UNW_RULE_PLT;
		return r; /* else maybe .debug_frame, or the backend's fallback: libdw's business */
	}
	ra = dwarf_frame_info(frame, NULL, NULL, &signal);
	if (ra != UNW_DWARF_NR - 1 || signal)
		goto out;
	if (dwarf_frame_register(frame, ra, mem, &ops, &nops) != 0)
		goto out;
	if (nops == 0 && ops == mem) {
		r.kind = UNW_RULE_END;
		goto out;
	}
	if (!unw_op__cfa_offset(ops, nops, &off) || off != -8)
		goto out;
	/* DW_CFA_def_cfa comes back as DW_OP_bregx register, offset */
	if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops != 1 || ops[0].atom != DW_OP_bregx ||
	    (ops[0].number != UNW_DWARF_SP && ops[0].number != UNW_DWARF_BP && ops[0].number != UNW_DWARF_BX) ||
	    (int64_t)ops[0].number2 < -(1 << 23) || (int64_t)ops[0].number2 >= 1 << 23)
		goto out;
	r.cfa_rbp = ops[0].number == UNW_DWARF_BP;
	r.cfa_rbx = ops[0].number == UNW_DWARF_BX;
	r.cfa_off = (int32_t)ops[0].number2;
	if (dwarf_frame_register(frame, UNW_DWARF_BX, mem, &ops, &nops) != 0)
		goto out;
	if (nops && unw_op__cfa_offset(ops, nops, &off) && !(off % 8) && off >= -1024 && off <= 1016) {
		r.rbx = UNW_RBP_SAVED;
		r.rbx_off = (int16_t)off;
	} else if (nops) {
		r.rbx = UNW_RBP_UNDEFINED; /* somewhere a slot cannot say: lost, should a CFA need it */
	}
	if (dwarf_frame_register(frame, UNW_DWARF_BP, mem, &ops, &nops) != 0)
		goto out;
	if (nops == 0) {
		r.rbp = ops == mem ? UNW_RBP_UNDEFINED : UNW_RBP_SAME;
	} else {
		if (!unw_op__cfa_offset(ops, nops, &off) || off != (int16_t)off)
			goto out;
		r.rbp = UNW_RBP_SAVED;
		r.rbp_off = (int16_t)off;
	}
	r.kind = UNW_RULE_SIMPLE;
out:
	free(frame);
	return r;
}

/* The rule at @look (a pc, or a return address - 1), cached per file address. */
struct unw_rule unw_rule__get(struct sym_unwinder *u, struct unw_proc *p, uint64_t look)
{
	struct unw_rule slow = { .kind = UNW_RULE_SLOW }, r;
	struct unw_mod_cache *mc = &u->last_mod;
	struct unw_memo *memo;
	uint64_t *slot;
	bool added, hit;

	memo = unw_memo__at(u->rule_memo, p->serial, look, &hit);
	if (hit)
		return unw_rule__unpack(memo->val);
	/* Consecutive frames are mostly in one module: skip its lookup then. */
	if (mc->serial != p->serial || look < mc->start || look >= mc->end) {
		Dwarf_Addr start, end;
		Dwfl_Module *mod = dwfl_addrmodule(p->dwfl, look);

		if (!mod || !dwfl_module_getelf(mod, &mc->bias) || unw_module__file_id(mod, &mc->file_id) < 0)
			return slow;
		dwfl_module_info(mod, NULL, &start, &end, NULL, NULL, NULL, NULL);
		mc->elf = sym_elf__of_module(mod);
		mc->start = start;
		mc->end = end;
		mc->serial = p->serial;
	}
	slot = frec_hashmap__slot(&u->rules, mc->file_id << 48 | ((look - mc->bias) & UNW_FILE_ADDR_MASK), &added);
	if (!slot)
		return slow;
	if (added) {
		r = unw_rule__from_cfi(mc->elf, look - mc->bias);
		*slot = unw_rule__pack(&r);
	}
	*memo = (struct unw_memo){ .serial = p->serial, .look = look, .val = *slot };
	return unw_rule__unpack(*slot);
}

/* The stack copy of the sample being walked: 8-byte reads at sp + [0, last] are inside it. */
struct unw_copy {
	const uint8_t *bytes;
	uint64_t sp;
	uint64_t last; /* UINT64_MAX: no 8 bytes at all (then every offset fails the test below) */
};

/* Read 8 bytes of the stack copy at @addr; false (and *past set) outside the copy. */
static inline bool unw_fast_read(struct unw_copy c, uint64_t addr, uint64_t *val, bool *past)
{
	uint64_t off = addr - c.sp; /* below sp wraps around to a huge offset */

	if (off <= c.last && c.last != UINT64_MAX) {
		memcpy(val, c.bytes + off, 8);
		return true;
	}
	*past = off < UNW_STACK_WINDOW;
	return false;
}

/* Whether trail frame @f, reached with @has_rbp and @rbp, goes on as it did. */
static bool unw_trail_matches(const struct unw_trail_frame *f, bool has_rbp, uint64_t rbp)
{
	if (!(f->flags & UNW_TF_NEEDS_RBP))
		return true;
	return has_rbp && (f->flags & UNW_TF_HAS_RBP) && f->rbp == rbp;
}

/*
 * The walk is at frame @j of trail @t with the same registers, @n frames in: if the stack still
 * holds what the trail read from there on, append the trail's frames from @j to @frames and
 * return the new frame count; 0 if anything differs.
 */
static size_t unw_trail_follow(const struct unw_trail *t, size_t j, struct unw_copy copy,
			       struct sym_unwind_frame *frames, size_t n, size_t max)
{
	if (n + (t->n - j) > max)
		return 0;
	for (size_t k = t->f[j].check; k < t->nr_checks; k++) {
		uint64_t off = t->checks[k].at - copy.sp, v;

		if (off > copy.last || copy.last == UINT64_MAX)
			return 0;
		memcpy(&v, copy.bytes + off, 8);
		if (v != t->checks[k].val && t->checks[k].exact)
			return 0;
	}
	memcpy(frames + n, t->frames + j, (t->n - j) * sizeof(*frames));
	return n + (t->n - j);
}

/* Make room in @t for walks of @max frames.  Returns false without memory. */
static bool unw_trail_reserve(struct unw_trail *t, size_t max)
{
	void *a, *b, *c;

	if (t->cap >= max)
		return true;
	a = realloc(t->frames, max * sizeof(*t->frames));
	if (a)
		t->frames = a;
	b = realloc(t->f, max * sizeof(*t->f));
	if (b)
		t->f = b;
	c = realloc(t->checks, 2 * max * sizeof(*t->checks));
	if (c)
		t->checks = c;
	if (!a || !b || !c)
		return false;
	t->cap = max;
	return true;
}

/* The walk in u->scratch (its frames in @frames) becomes the trail of its thread. */
static void unw_trail_keep(struct sym_unwinder *u, struct unw_trail *slot, const struct sym_unwind_frame *frames,
			   int32_t tid, uint64_t serial)
{
	struct unw_trail *t = &u->scratch, old = *slot;
	bool needs = false;

	memcpy(t->frames, frames, t->n * sizeof(*frames));
	/*
	 * From the outermost frame in: which of them had their rest depend on their %rbp, and so
	 * which saved %rbp read had its value used (a frame's reads are its return address, then
	 * maybe its caller's %rbp).
	 */
	for (size_t k = t->n; k-- > 0;) {
		uint32_t fl = t->f[k].flags, end = k + 1 < t->n ? t->f[k + 1].check : (uint32_t)t->nr_checks;

		if (end - t->f[k].check == 2)
			t->checks[end - 1].exact = needs;
		needs = (fl & UNW_TF_CFA_RBP) || ((fl & UNW_TF_SAME_RBP) && needs);
		t->f[k].flags = needs ? fl | UNW_TF_NEEDS_RBP : fl;
	}
	t->tid = tid;
	t->serial = serial;
	*slot = *t;
	*t = old; /* its arrays, for the next walk */
	t->serial = 0;
}

/*
 * Walk @p's current sample with cached rules.  Returns true when the walk is complete (@w and
 * @res->stop filled in), false when it met a frame of another shape: then start over with libdw.
 * The loop keeps its state in locals: it runs for every frame of every sample.  It ends early on
 * its thread's trail when it can, and a walk that reached the end otherwise becomes the trail.
 */
bool unw_fast__walk(struct sym_unwinder *u, struct unw_proc *p, uint64_t ip, uint64_t rbp, bool has_rbp,
			  struct unw_walk *w, struct sym_unwind_result *res)
{
	const struct unw_copy copy = {
		.bytes = p->cur->stack,
		.sp = p->sp,
		.last = p->valid >= 8 ? p->valid - 8 : UINT64_MAX,
	};
	const int32_t tid = p->cur->tid;
	struct unw_trail *slot = &u->trails[(uint32_t)tid % UNW_TRAILS];
	const struct unw_trail *old = slot->serial == p->serial && slot->tid == tid ? slot : NULL;
	struct unw_trail *rec = unw_trail_reserve(&u->scratch, w->max) ? &u->scratch : NULL;
	struct sym_unwind_frame *frames = w->frames;
	uint64_t rip = ip, rsp = p->sp, last_sp = 0, look = 0, rbx = 0;
	bool has_rbx = trace_regs__get(p->cur->regs_mask, p->cur->regs, UNW_PERF_BX, &rbx);
	struct unw_rule r = { .kind = UNW_RULE_NONE };
	size_t n = 0, j = 0, nc = 0;
	bool done = false;

	for (;;) {
		bool past = false;
		uint64_t cfa, ra, saved;

		if (n == w->max) {
			w->full = true;
			res->stop = SYM_UNWIND_DEPTH_LIMIT;
			done = true;
			break;
		}
		if (n && last_sp == rsp && frames[n - 1].pc == rip)
			break; /* no progress: let libdw report it */
		/* A frame of the thread's trail, reached with the same registers: the rest may be known. */
		if (old) {
			while (j < old->n && old->f[j].sp < rsp)
				j++;
			if (j < old->n && old->f[j].sp == rsp && old->frames[j].pc == rip && (j == 0) == (n == 0) &&
			    unw_trail_matches(&old->f[j], has_rbp, rbp)) {
				size_t m = unw_trail_follow(old, j, copy, frames, n, w->max);

				if (m) {
					w->n = m;
					w->last_sp = old->f[old->n - 1].sp;
					res->stop = SYM_UNWIND_END;
					u->stats.retraced++;
					return true; /* the trail stays as it is */
				}
				old = NULL; /* it went another way: no second try */
			}
		}
		/* A recursion returns to one address many times over: its rule is still in r. */
		if (!n || rip - 1 != look || r.kind == UNW_RULE_NONE) {
			look = n ? rip - 1 : rip;
			r = unw_rule__get(u, p, look);
		}
		if (r.kind != UNW_RULE_SIMPLE && r.kind != UNW_RULE_END)
			break;
		frames[n].pc = rip;
		frames[n].is_activation = n == 0;
		if (rec)
			rec->f[n] = (struct unw_trail_frame){
				.sp = rsp,
				.rbp = rbp,
				.flags = (has_rbp ? UNW_TF_HAS_RBP : 0) |
					 (r.kind == UNW_RULE_SIMPLE && r.cfa_rbp ? UNW_TF_CFA_RBP : 0) |
					 (r.kind == UNW_RULE_SIMPLE && r.rbp == UNW_RBP_SAME ? UNW_TF_SAME_RBP : 0),
				.check = (uint32_t)nc,
			};
		n++;
		last_sp = rsp;
		if (r.kind == UNW_RULE_END) {
			res->stop = SYM_UNWIND_END;
			done = true;
			break;
		}
		if ((r.cfa_rbp && !has_rbp) || (r.cfa_rbx && !has_rbx))
			break;
		if (r.cfa_rbx)
			rec = NULL; /* a trail is matched on %rsp and %rbp only: keep none through %rbx */
		cfa = (r.cfa_rbp ? rbp : r.cfa_rbx ? rbx : rsp) + (uint64_t)(int64_t)r.cfa_off;
		if (!unw_fast_read(copy, cfa - 8, &ra, &past)) {
			if (past) {
				res->stop = SYM_UNWIND_STACK_EXHAUSTED;
				w->last_rbp = rbp;
				w->has_last_rbp = has_rbp;
				done = true;
			}
			break;
		}
		if (rec)
			rec->checks[nc++] = (struct unw_trail_check){ cfa - 8, ra, true };
		if (r.rbp == UNW_RBP_SAVED && n == 1 && cfa + (uint64_t)(int64_t)r.rbp_off < rsp) {
			/* saved below the sampled SP: popped already, %rbp holds it (unw_popped_slots()) */
			if (rec)
				rec->f[0].flags |= UNW_TF_SAME_RBP;
		} else if (r.rbp == UNW_RBP_SAVED) {
			uint64_t at = cfa + (uint64_t)(int64_t)r.rbp_off;

			if (!unw_fast_read(copy, at, &saved, &past))
				break; /* libdw carries on without %rbp: so must the result */
			if (rec)
				rec->checks[nc++] = (struct unw_trail_check){ at, saved, true };
			rbp = saved;
		} else if (r.rbp == UNW_RBP_UNDEFINED) {
			has_rbp = false;
		}
		/* Saved below the sampled SP (popped already) leaves the register holding it. */
		if (r.rbx == UNW_RBP_SAVED && has_rbx && !(n == 1 && cfa + (uint64_t)(int64_t)r.rbx_off < rsp)) {
			bool gone = false;

			has_rbx = unw_fast_read(copy, cfa + (uint64_t)(int64_t)r.rbx_off, &rbx, &gone);
		} else if (r.rbx == UNW_RBP_UNDEFINED) {
			has_rbx = false;
		}
		if (!ra) {
			/* libdw ends the walk there too, but only an undefined return address (the rule
			 * UNW_RULE_END) marks the outermost frame: a zero one is a stack gone wrong */
			res->stop = SYM_UNWIND_ERROR;
			snprintf(res->errmsg, sizeof(res->errmsg), "zero return address for 0x%" PRIx64, rip);
			done = true;
			break;
		}
		rip = ra;
		rsp = cfa;
	}
	w->n = n;
	w->last_sp = last_sp;
	if (done && res->stop == SYM_UNWIND_END && n && rec) {
		rec->n = n;
		rec->nr_checks = nc;
		unw_trail_keep(u, slot, frames, tid, p->serial);
	}
	return done;
}

