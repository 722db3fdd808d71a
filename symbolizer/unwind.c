// SPDX-License-Identifier: MIT
/*
 * DWARF unwinding of sampled user stacks with libdw's frame unwinder.
 *
 * libdwfl can unwind any "process" whose registers and memory it can ask for through
 * Dwfl_Thread_Callbacks.  Here the process is a sample: set_initial_registers hands over the
 * sample's user registers (renumbered from perf's order to DWARF's), memory_read serves the stack
 * copy, which starts at the sampled SP, and falls back to the bytes of the mapped ELF files (for
 * CFI expressions that read .data or .got, rare but legal).  Each process has one Dwfl holding its
 * executable mappings as modules; libdw caches the parsed CFI inside those modules, so a Dwfl must
 * live as long as the mappings stay the same, and the samples of one process reuse it.  The caller
 * tells us the mappings changed by bumping a generation number; we then drop the Dwfl and build a
 * new one at the next sample.
 *
 * Why unwinding stopped matters as much as the frames: a stack copy that was too small needs a
 * bigger --call-graph dwarf,SIZE, a pc without CFI needs debug info or frame pointers.  libdw
 * reports both as a generic error, so memory_read notes when a read fell past the end of the copy,
 * and after a failure the last pc's CFI is looked up again to tell "no CFI" from other errors.
 *
 * libdw is the reference but it is slow per frame, so most walks never reach it: the CFI rules of
 * each pc, when they have the common x86_64 shape, are cached and walked directly (the fast path
 * below); any other frame sends the whole sample to libdw.  A walk that meets its thread's previous
 * one (its trail) with the same registers, on a stack that still holds what that walk read, ends
 * on it without walking the rest.
 *
 * The fast path is unwind_fast.c; the checks of the kernel's frame-pointer chains (fp and auto
 * modes) are unwind_fp.c.  The files are the registry's (sym_modules): a process's Dwfl shares
 * their Elf handles.
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
#include "sym_modules.h"
#include "unwind_internal.h"

/* perf's number of each DWARF register */
static const uint8_t unw_dwarf_to_perf[UNW_DWARF_NR] = {
	UNW_PERF_AX, UNW_PERF_DX, UNW_PERF_CX, UNW_PERF_BX, UNW_PERF_SI, UNW_PERF_DI,
	UNW_PERF_BP, UNW_PERF_SP, UNW_PERF_R8, UNW_PERF_R8 + 1, UNW_PERF_R8 + 2, UNW_PERF_R8 + 3,
	UNW_PERF_R8 + 4, UNW_PERF_R8 + 5, UNW_PERF_R8 + 6, UNW_PERF_R8 + 7, UNW_PERF_IP,
};

static const char *const unw_stop_names[SYM_UNWIND_STOP_MAX] = {
	[SYM_UNWIND_END] = "end",
	[SYM_UNWIND_STACK_EXHAUSTED] = "stack copy exhausted",
	[SYM_UNWIND_NO_CFI] = "no CFI",
	[SYM_UNWIND_DEPTH_LIMIT] = "depth limit",
	[SYM_UNWIND_NO_REGS] = "no user registers",
	[SYM_UNWIND_ERROR] = "error",
	[SYM_UNWIND_FP_BROKEN] = "frame pointers broken",
};

const char *sym_unwind_stop__name(enum sym_unwind_stop stop)
{
	if ((unsigned)stop >= SYM_UNWIND_STOP_MAX)
		return "unknown";
	return unw_stop_names[stop];
}

/* ---- Process lifecycle ---------------------------------------------------------------------- */

static void unw_proc__drop_dwfl(struct unw_proc *p)
{
	if (p->dwfl) {
		dwfl_end(p->dwfl);
		p->u->nr_dwfls--;
	}
	p->dwfl = NULL;
	p->attached = false;
	p->dwfl_failed = false;
}

static void unw_proc__drop_maps(struct unw_proc *p)
{
	free(p->maps);
	p->maps = NULL;
	p->nr_maps = 0;
}

static void unw_proc__free(struct unw_proc *p)
{
	if (!p)
		return;
	unw_proc__drop_dwfl(p);
	unw_proc__drop_maps(p);
	free(p);
}

struct sym_unwinder *sym_unwinder__new(const struct sym_modules *mods)
{
	struct sym_unwinder *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	frec_hashmap__init(&u->procs);
	frec_hashmap__init(&u->pc_states);
	frec_hashmap__init(&u->rules);
	u->cb = sym_modules__callbacks(mods);
	return u;
}

void sym_unwinder__free(struct sym_unwinder *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->procs.cap; i++) {
		if (u->procs.entries[i].key != FREC_HASHMAP_EMPTY)
			unw_proc__free((struct unw_proc *)(uintptr_t)u->procs.entries[i].val);
	}
	if (u->procs.has_empty_key)
		unw_proc__free((struct unw_proc *)(uintptr_t)u->procs.empty_key_val);
	frec_hashmap__exit(&u->procs);
	frec_hashmap__exit(&u->pc_states);
	frec_hashmap__exit(&u->rules);
	sym_fpcheck__free(u->fpcheck);
	for (size_t i = 0; i <= UNW_TRAILS; i++) {
		struct unw_trail *t = i < UNW_TRAILS ? &u->trails[i] : &u->scratch;

		free(t->frames);
		free(t->f);
		free(t->checks);
	}
	free(u);
}

const struct sym_unwind_stats *sym_unwinder__stats(const struct sym_unwinder *u)
{
	return &u->stats;
}

void sym_unwinder__log_stats(const struct sym_unwinder *u)
{
	const struct sym_unwind_stats *st = &u->stats;

	if (!frec_log__enabled(FREC_LOG_INFO))
		return;
	pr_info("user stacks: %" PRIu64 " from frame pointers (%" PRIu64 " repaired, %" PRIu64
		" broken), %" PRIu64 " unwound with DWARF, %" PRIu64 " DWARF + frame pointers",
		st->from[SYM_UNWIND_FROM_FP], st->fp_repaired, st->fp_broken, st->from[SYM_UNWIND_FROM_DWARF],
		st->from[SYM_UNWIND_FROM_SPLICE]);
	pr_info("DWARF unwinds: %" PRIu64 " (%" PRIu64 " from cached rules, %" PRIu64 " of them ending on a trail, %"
		PRIu64 " Dwfl sessions, %" PRIu64 " file reads): %" PRIu64 " reached the end, %" PRIu64
		" ran out of stack copy, %" PRIu64 " had no CFI, %" PRIu64 " hit the depth limit, %" PRIu64
		" other errors",
		st->unwinds, st->fast, st->retraced, st->dwfl_builds, st->file_reads, st->stops[SYM_UNWIND_END],
		st->stops[SYM_UNWIND_STACK_EXHAUSTED], st->stops[SYM_UNWIND_NO_CFI],
		st->stops[SYM_UNWIND_DEPTH_LIMIT], st->stops[SYM_UNWIND_ERROR]);
}

struct unw_proc *unw_proc__find(const struct sym_unwinder *u, int32_t pid)
{
	uint64_t val;

	if (!frec_hashmap__find(&u->procs, (uint32_t)pid, &val))
		return NULL;
	return (struct unw_proc *)(uintptr_t)val;
}

int sym_unwinder__set_maps(struct sym_unwinder *u, int32_t pid, uint64_t generation,
			   const struct sym_unwind_map *maps, size_t nr_maps)
{
	struct unw_proc *p = unw_proc__find(u, pid);
	struct unw_map *copy;

	if (p && p->has_generation && p->generation == generation)
		return 0;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->u = u;
		p->pid = pid;
		if (frec_hashmap__set(&u->procs, (uint32_t)pid, (uint64_t)(uintptr_t)p) < 0) {
			free(p);
			return -ENOMEM;
		}
	}
	unw_proc__drop_dwfl(p);
	unw_proc__drop_maps(p);
	p->has_generation = false;

	copy = calloc(nr_maps ? nr_maps : 1, sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	p->maps = copy;
	for (size_t i = 0; i < nr_maps; i++) {
		const struct sym_unwind_map *m = &maps[i];
		struct unw_map *c = &copy[i];

		p->nr_maps = i + 1;
		c->start = m->start;
		c->end = m->end;
		c->pgoff = m->pgoff;
		c->elf = m->elf;
	}
	p->generation = generation;
	p->has_generation = true;
	return 0;
}

bool sym_unwinder__has_maps(const struct sym_unwinder *u, int32_t pid, uint64_t generation)
{
	const struct unw_proc *p = unw_proc__find(u, pid);

	return p && p->has_generation && p->generation == generation;
}

void sym_unwinder__forget(struct sym_unwinder *u, int32_t pid)
{
	struct unw_proc *p = unw_proc__find(u, pid);

	/* The hash map cannot delete: keep the empty shell, a reused pid refills it. */
	if (!p)
		return;
	unw_proc__drop_dwfl(p);
	unw_proc__drop_maps(p);
	p->has_generation = false;
}

/* ---- Building a process's Dwfl -------------------------------------------------------------- */

/*
 * Report mapping @m of @p as a module of its Dwfl: the registry's file, once per file.  A mapping
 * whose file offset lies in no segment of the file is not the file the registry found.
 */
static void unw_proc__report(struct unw_proc *p, struct unw_map *m)
{
	uint64_t bias;

	if (!m->elf)
		return; /* nothing found for it ([anon:...], memfd, a file not on this machine) */
	for (const struct unw_map *o = p->maps; o < m; o++) {
		if (o->reported && o->elf == m->elf)
			return; /* another mapping of a file already reported */
	}
	if (sym_elf__bias(m->elf, m->start, m->pgoff, &bias)) {
		pr_debug("pid %d: not the ELF file mapped at 0x%" PRIx64, p->pid, m->start);
		return;
	}
	if (!sym_elf__report(m->elf, p->dwfl, bias)) {
		pr_debug("pid %d: module at 0x%" PRIx64 ": %s", p->pid, m->start, dwfl_errmsg(-1));
		return;
	}
	m->reported = true;
}

static pid_t unw_next_thread(Dwfl *dwfl, void *arg, void **thread_argp);
static bool unw_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp);
static bool unw_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg);
static bool unw_set_initial_registers(Dwfl_Thread *thread, void *thread_arg);

static const Dwfl_Thread_Callbacks unw_thread_callbacks = {
	.next_thread = unw_next_thread,
	.get_thread = unw_get_thread,
	.memory_read = unw_memory_read,
	.set_initial_registers = unw_set_initial_registers,
};

/* Drop the Dwfl used longest ago, to make room for another. */
static void unw_evict(struct sym_unwinder *u)
{
	struct unw_proc *oldest = NULL;

	for (size_t i = 0; i < u->procs.cap; i++) {
		struct unw_proc *p;

		if (u->procs.entries[i].key == FREC_HASHMAP_EMPTY)
			continue;
		p = (struct unw_proc *)(uintptr_t)u->procs.entries[i].val;
		if (p->dwfl && (!oldest || p->last_use < oldest->last_use))
			oldest = p;
	}
	if (u->procs.has_empty_key) {
		struct unw_proc *p = (struct unw_proc *)(uintptr_t)u->procs.empty_key_val;

		if (p->dwfl && (!oldest || p->last_use < oldest->last_use))
			oldest = p;
	}
	if (oldest) {
		unw_proc__drop_dwfl(oldest);
		u->stats.evictions++;
	}
}

static int unw_proc__build(struct unw_proc *p)
{
	if (p->u->nr_dwfls >= UNW_MAX_DWFLS)
		unw_evict(p->u);
	p->dwfl = dwfl_begin(p->u->cb);
	if (!p->dwfl)
		return -ENOMEM;
	p->u->nr_dwfls++;
	p->serial = ++p->u->serials;
	dwfl_report_begin(p->dwfl);
	for (size_t i = 0; i < p->nr_maps; i++)
		unw_proc__report(p, &p->maps[i]);
	if (dwfl_report_end(p->dwfl, NULL, NULL) != 0) {
		pr_debug("pid %d: %s", p->pid, dwfl_errmsg(-1));
		return -1;
	}
	/* elf NULL: the architecture comes from the first module. */
	if (!dwfl_attach_state(p->dwfl, NULL, p->pid, &unw_thread_callbacks, p)) {
		pr_debug("pid %d: cannot attach unwinder state: %s", p->pid, dwfl_errmsg(-1));
		return -1;
	}
	p->attached = true;
	p->u->stats.dwfl_builds++;
	return 0;
}

/* The process's Dwfl, built at its first use in a generation.  Returns 0 (check p->attached) or -ENOMEM. */
int unw_proc__ensure(struct unw_proc *p)
{
	int ret;

	p->last_use = ++p->u->clock;
	if (p->dwfl || p->dwfl_failed)
		return 0;
	ret = unw_proc__build(p);
	if (ret == -ENOMEM) {
		unw_proc__drop_dwfl(p);
		return ret;
	}
	if (ret < 0)
		p->dwfl_failed = true;
	return 0;
}

/* ---- Thread callbacks: the sample is the thread ---------------------------------------------- */

static pid_t unw_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)arg;
	(void)thread_argp;
	return 0; /* threads are only reached by tid, through get_thread */
}

static bool unw_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)tid;
	*thread_argp = arg;
	return true;
}

/* Read 8 bytes at @addr from the file mapped there, through its PT_LOAD segments. */
static bool unw_read_file(struct unw_proc *p, uint64_t addr, uint64_t *result)
{
	Dwfl_Module *mod = dwfl_addrmodule(p->dwfl, addr);
	Dwarf_Addr bias;

	if (!mod || !dwfl_module_getelf(mod, &bias) || !sym_elf__read(sym_elf__of_module(mod), addr - bias, result))
		return false;
	p->u->stats.file_reads++;
	return true;
}

static bool unw_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct unw_proc *p = arg;

	(void)dwfl;
	if (addr >= p->sp && p->valid >= 8 && addr - p->sp <= p->valid - 8) {
		memcpy(result, p->cur->stack + (addr - p->sp), 8);
		return true;
	}
	for (size_t i = 0; addr < p->sp && i < p->nr_popped; i++) {
		if (p->popped_addr[i] == addr) {
			*result = p->popped_val[i];
			return true;
		}
	}
	if (unw_read_file(p, addr, result))
		return true;
	if (addr >= p->sp && addr - p->sp < UNW_STACK_WINDOW)
		p->read_past_copy = true;
	return false;
}

static bool unw_set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	const struct unw_proc *p = thread_arg;
	const struct sym_unwind_sample *s = p->cur;
	uint64_t perf[UNW_PERF_NR];
	uint64_t have = 0;
	size_t k = 0;

	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(s->regs_mask & (1ull << bit)))
			continue;
		if (bit < UNW_PERF_NR) {
			perf[bit] = s->regs[k];
			have |= 1ull << bit;
		}
		k++;
	}
	for (unsigned d = 0; d < UNW_DWARF_NR; d++) {
		unsigned r = unw_dwarf_to_perf[d];

		if (!(have & (1ull << r)))
			continue;
		if (!dwfl_thread_state_registers(thread, (int)d, 1, &perf[r]))
			return false;
	}
	dwfl_thread_state_register_pc(thread, perf[UNW_PERF_IP]);
	return true;
}

/* ---- Unwinding ------------------------------------------------------------------------------ */

static int unw_frame_cb(Dwfl_Frame *state, void *arg)
{
	struct unw_walk *w = arg;
	Dwarf_Addr pc;
	Dwarf_Word sp = 0, rbp = 0;
	bool act;

	/*
	 * Only the reads of the step that unwinds this frame decide why a walk ends after it.  That
	 * step runs inside dwfl_frame_pc(), which unwinds one frame ahead to tell whether the caller
	 * is a signal frame: clear the flag before it.
	 */
	w->p->read_past_copy = false;
	if (!dwfl_frame_pc(state, &pc, &act)) {
		w->no_pc = true;
		return DWARF_CB_ABORT;
	}
	if (w->n == w->max) {
		w->full = true;
		return DWARF_CB_ABORT;
	}
	if (dwfl_frame_reg(state, UNW_DWARF_SP, &sp) != 0)
		sp = 0;
	w->has_last_rbp = dwfl_frame_reg(state, UNW_DWARF_BP, &rbp) == 0;
	w->last_rbp = rbp;
	/* A frame identical to its callee's would repeat forever (bad CFI, or a fallback unwinder
	 * that made no progress). */
	if (w->n && w->frames[w->n - 1].pc == pc && w->last_sp == sp) {
		w->looped = true;
		return DWARF_CB_ABORT;
	}
	w->frames[w->n].pc = pc;
	w->frames[w->n].is_activation = act;
	w->n++;
	w->last_sp = sp;
	return DWARF_CB_OK;
}



/* The number of the file @mod was loaded from, the same in every process. */
int unw_module__file_id(Dwfl_Module *mod, uint64_t *id)
{
	const struct sym_elf *e = sym_elf__of_module(mod);

	if (!e)
		return -ENOENT;
	*id = sym_elf__id(e);
	return 0;
}

/* The CFI row at @pc, from .eh_frame, else .debug_frame (as libdw looks); NULL if none.  free() it. */
static Dwarf_Frame *unw_cfi_frame(Dwfl *dwfl, uint64_t pc)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
	Dwarf_Frame *frame;
	Dwarf_Addr bias;
	Dwarf_CFI *cfi;

	if (!mod)
		return NULL;
	cfi = dwfl_module_eh_cfi(mod, &bias);
	if (cfi && dwarf_cfi_addrframe(cfi, pc - bias, &frame) == 0)
		return frame;
	cfi = dwfl_module_dwarf_cfi(mod, &bias);
	if (cfi && dwarf_cfi_addrframe(cfi, pc - bias, &frame) == 0)
		return frame;
	return NULL;
}

/*
 * A sample taken in an epilogue, after `pop %rbp` or `pop %rbx`, has CFI that still says where the
 * register was saved, but the slot now lies below SP, outside the stack copy: libdw fails to
 * restore the register and loses the caller's frame (a frame-pointer caller needs %rbp for its
 * CFA).  A slot below SP has been popped, so the register holds what it held: note each such
 * slot of the sampled frame with the register's sampled value, for unw_memory_read().
 */
static void unw_popped_slots(struct unw_proc *p, uint64_t ip)
{
	const struct sym_unwind_sample *s = p->cur;
	Dwarf_Frame *frame = unw_cfi_frame(p->dwfl, ip);
	Dwarf_Op mem[3], *ops;
	uint64_t cfa;
	size_t nops;

	p->nr_popped = 0;
	if (!frame)
		return;
	/* DW_CFA_def_cfa comes back as DW_OP_bregx register, offset */
	if (dwarf_frame_cfa(frame, &ops, &nops) == 0 && nops == 1 && ops[0].atom == DW_OP_bregx &&
	    ops[0].number < UNW_DWARF_NR &&
	    trace_regs__get(s->regs_mask, s->regs, unw_dwarf_to_perf[ops[0].number], &cfa)) {
		cfa += ops[0].number2;
		for (unsigned int r = 0; r < UNW_DWARF_NR - 1; r++) {
			int64_t off;
			uint64_t val;

			if (dwarf_frame_register(frame, (int)r, mem, &ops, &nops) == 0 &&
			    unw_op__cfa_offset(ops, nops, &off) && cfa + (uint64_t)off < p->sp &&
			    trace_regs__get(s->regs_mask, s->regs, unw_dwarf_to_perf[r], &val)) {
				p->popped_addr[p->nr_popped] = cfa + (uint64_t)off;
				p->popped_val[p->nr_popped++] = val;
			}
		}
	}
	free(frame);
}

/*
 * What the CFI says of frame @f (its pc - 1 for a return address): 0 when no CFI covers it, 1 when
 * some does, 2 when it also marks the return address undefined, as the CFI of _start and of a new
 * thread's first function (clone3) does: the outermost frame of a stack.
 */
static int unw_cfi_at(Dwfl *dwfl, const struct sym_unwind_frame *f)
{
	Dwarf_Frame *frame = unw_cfi_frame(dwfl, f->is_activation ? f->pc : f->pc - 1);
	Dwarf_Op mem[3], *ops;
	size_t nops;
	int ra, ret;

	if (!frame)
		return 0;
	ra = dwarf_frame_info(frame, NULL, NULL, NULL);
	/* undefined: no operations, and the array passed in left as it was */
	ret = ra >= 0 && dwarf_frame_register(frame, ra, mem, &ops, &nops) == 0 && nops == 0 && ops == mem ? 2 : 1;
	free(frame);
	return ret;
}

static int unw_walk_sample(struct sym_unwinder *u, struct unw_proc *p, const struct sym_unwind_sample *s,
			   uint64_t ip, uint64_t sp, struct sym_unwind_frame *frames, size_t max,
			   struct sym_unwind_result *res);

/*
 * A sample in a PLT stub that no CFI covers (lld writes none for its PLT; GNU ld does): the stub
 * is a jump, so the stack is its caller's at the call, the return address at SP.  Walk on from
 * the caller as if the stub had returned, and put the stub in front.  (Only its first instruction
 * runs once the function is bound; a lazy stub pushes before it jumps, which this misses.)
 * Returns the frames, or -1 when the copy does not hold the return address.
 */
static int unw_plt_leaf(struct sym_unwinder *u, struct unw_proc *p, const struct sym_unwind_sample *s, uint64_t ip,
			uint64_t sp, struct sym_unwind_frame *frames, size_t max, struct sym_unwind_result *res)
{
	struct sym_unwind_sample caller = *s;
	uint64_t regs[64], ra;
	size_t k = 0;
	int n;

	if (!s->stack || s->stack_size < 8 || s->stack_dyn_size < 8)
		return -1;
	memcpy(&ra, s->stack, 8);
	if (!ra)
		return -1;
	for (unsigned int bit = 0; bit < 64; bit++) {
		if (!(s->regs_mask & (1ull << bit)))
			continue;
		regs[k] = bit == UNW_PERF_IP ? ra : bit == UNW_PERF_SP ? sp + 8 : s->regs[k];
		k++;
	}
	caller.regs = regs;
	caller.stack = s->stack + 8;
	caller.stack_size = s->stack_size - 8;
	caller.stack_dyn_size = s->stack_dyn_size - 8;
	n = unw_walk_sample(u, p, &caller, ra, sp + 8, frames + 1, max - 1, res);
	frames[0] = (struct sym_unwind_frame){ .pc = ip, .is_activation = true };
	if (n > 0)
		frames[1].is_activation = false; /* a return address: named at its call */
	res->nr_frames = (size_t)n + 1;
	return n + 1;
}

int sym_unwinder__unwind(struct sym_unwinder *u, const struct sym_unwind_sample *s,
			 struct sym_unwind_frame *frames, size_t max, struct sym_unwind_result *res)
{
	struct unw_proc *p = unw_proc__find(u, s->pid);
	uint64_t sp, ip;
	int ret;

	memset(res, 0, sizeof(*res));
	u->stats.unwinds++;
	if (!p || !p->has_generation) {
		res->stop = SYM_UNWIND_ERROR;
		snprintf(res->errmsg, sizeof(res->errmsg), "no mappings for pid %d", s->pid);
		u->stats.stops[res->stop]++;
		return -ENOENT;
	}
	if (s->regs_abi != PERF_SAMPLE_REGS_ABI_64 || !trace_regs__get(s->regs_mask, s->regs, UNW_PERF_SP, &sp) ||
	    !trace_regs__get(s->regs_mask, s->regs, UNW_PERF_IP, &ip)) {
		res->stop = SYM_UNWIND_NO_REGS;
		u->stats.stops[res->stop]++;
		return 0;
	}

	ret = unw_proc__ensure(p);
	if (ret < 0)
		return ret;
	if (!p->attached) {
		/* No module could be opened: only the sampled pc is known. */
		res->stop = max ? SYM_UNWIND_NO_CFI : SYM_UNWIND_DEPTH_LIMIT;
		if (max) {
			frames[0].pc = ip;
			frames[0].is_activation = true;
			res->nr_frames = 1;
		}
		snprintf(res->errmsg, sizeof(res->errmsg), "no module could be loaded for pid %d", s->pid);
		u->stats.stops[res->stop]++;
		return (int)res->nr_frames;
	}

	if (max >= 2 && unw_rule__get(u, p, ip).kind == UNW_RULE_PLT) {
		ret = unw_plt_leaf(u, p, s, ip, sp, frames, max, res);
		if (ret >= 0)
			return ret;
	}
	return unw_walk_sample(u, p, s, ip, sp, frames, max, res);
}

/* sym_unwinder__unwind() of sample @s of @p, whose pc and sp are @ip and @sp. */
static int unw_walk_sample(struct sym_unwinder *u, struct unw_proc *p, const struct sym_unwind_sample *s,
			   uint64_t ip, uint64_t sp, struct sym_unwind_frame *frames, size_t max,
			   struct sym_unwind_result *res)
{
	struct unw_walk w = { .p = p, .frames = frames, .max = max };
	int ret;

	p->cur = s;
	p->sp = sp;
	p->valid = s->stack ? s->stack_size : 0;
	if (s->stack_dyn_size < p->valid)
		p->valid = s->stack_dyn_size;
	p->read_past_copy = false;

	{
		uint64_t rbp = 0;
		bool has_rbp = trace_regs__get(s->regs_mask, s->regs, UNW_PERF_BP, &rbp);

		if (unw_fast__walk(u, p, ip, rbp, has_rbp, &w, res)) {
			res->nr_frames = w.n;
			res->last_sp = w.last_sp;
			res->last_rbp = w.last_rbp;
			res->has_last_rbp = w.has_last_rbp;
			p->cur = NULL;
			u->stats.fast++;
			u->stats.stops[res->stop]++;
			return (int)res->nr_frames;
		}
		w.n = 0;
		w.last_sp = 0;
		w.has_last_rbp = false;
		w.full = false;
		res->stop = SYM_UNWIND_END;
	}
	unw_popped_slots(p, ip);
	ret = dwfl_getthread_frames(p->dwfl, s->tid ? s->tid : s->pid, unw_frame_cb, &w);
	res->nr_frames = w.n;
	res->last_sp = w.last_sp;
	res->last_rbp = w.last_rbp;
	res->has_last_rbp = w.has_last_rbp;
	/*
	 * libdw ends a walk normally (ret 0) when the return address cannot be computed, which is
	 * also what a failed read of it looks like: check the reads first.
	 */
	if (w.full) {
		res->stop = SYM_UNWIND_DEPTH_LIMIT;
	} else if (p->read_past_copy) {
		res->stop = SYM_UNWIND_STACK_EXHAUSTED;
	} else if (ret == 0 && (!w.n || unw_cfi_at(p->dwfl, &w.frames[w.n - 1]) == 2)) {
		res->stop = SYM_UNWIND_END;
	} else if (ret == 0) {
		/* libdw also ends a walk whose return address it could not compute (a register it
		 * needed was not restored): that is not the stack's end */
		res->stop = SYM_UNWIND_ERROR;
		snprintf(res->errmsg, sizeof(res->errmsg), "no return address for 0x%" PRIx64,
			 w.frames[w.n - 1].pc);
	} else if (w.looped) {
		res->stop = SYM_UNWIND_ERROR;
		snprintf(res->errmsg, sizeof(res->errmsg), "unwinding made no progress at 0x%" PRIx64,
			 w.frames[w.n - 1].pc);
	} else if (w.n && !unw_cfi_at(p->dwfl, &w.frames[w.n - 1])) {
		res->stop = SYM_UNWIND_NO_CFI;
		snprintf(res->errmsg, sizeof(res->errmsg), "no CFI for 0x%" PRIx64, w.frames[w.n - 1].pc);
	} else {
		res->stop = SYM_UNWIND_ERROR;
		snprintf(res->errmsg, sizeof(res->errmsg), "%s", dwfl_errmsg(-1));
	}
	p->cur = NULL;
	u->stats.stops[res->stop]++;
	return (int)res->nr_frames;
}

