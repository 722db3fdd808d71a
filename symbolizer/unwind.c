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
 * The same file also checks the kernel's frame-pointer chains (fp and auto modes) with fpcheck's
 * capstone analysis, and chooses between the chain and DWARF per sample.  Its caches of CFI rules
 * and frame-pointer verdicts are per file (build-id) and pc, shared by all processes.
 */
#define pr_fmt(fmt) "unwind: " fmt

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <gelf.h>
#include <linux/perf_event.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frec/hashmap.h"
#include "frec/log.h"
#include "frec/trace.h"
#include "fpcheck.h"
#include "sym_debuginfo.h"
#include "sym_internal.h"
#include "sym_modules.h"
#include "unwind.h"

/* perf's x86_64 user register numbers (asm/perf_regs.h), used in regs_mask. */
enum {
	UNW_PERF_AX = 0, UNW_PERF_BX, UNW_PERF_CX, UNW_PERF_DX, UNW_PERF_SI, UNW_PERF_DI,
	UNW_PERF_BP, UNW_PERF_SP, UNW_PERF_IP, UNW_PERF_FLAGS, UNW_PERF_CS, UNW_PERF_SS,
	UNW_PERF_DS, UNW_PERF_ES, UNW_PERF_FS, UNW_PERF_GS, UNW_PERF_R8, /* ... R15 = 23 */
	UNW_PERF_NR = 24,
};

/* The x86_64 DWARF register numbers are rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip. */
#define UNW_DWARF_BP 6
#define UNW_DWARF_SP 7
#define UNW_DWARF_NR 17
static const uint8_t unw_dwarf_to_perf[UNW_DWARF_NR] = {
	UNW_PERF_AX, UNW_PERF_DX, UNW_PERF_CX, UNW_PERF_BX, UNW_PERF_SI, UNW_PERF_DI,
	UNW_PERF_BP, UNW_PERF_SP, UNW_PERF_R8, UNW_PERF_R8 + 1, UNW_PERF_R8 + 2, UNW_PERF_R8 + 3,
	UNW_PERF_R8 + 4, UNW_PERF_R8 + 5, UNW_PERF_R8 + 6, UNW_PERF_R8 + 7, UNW_PERF_IP,
};

/*
 * A read this far above SP that misses the copy is taken to be a read of the stack the copy did
 * not cover.  Real stacks are contiguous above SP and at most a few MiB; the mapped files that the
 * fallback serves are checked first, so a library mapped just above a thread stack still reads.
 */
#define UNW_STACK_WINDOW (64ull << 20)

struct unw_map {
	uint64_t start, end, pgoff;
	struct sym_elf *elf; /* the registry's; NULL: nothing to unwind with */
	bool reported; /* a module of the Dwfl: later mappings of the same file are not reported */
};

struct unw_proc {
	struct sym_unwinder *u;
	int32_t pid;
	bool has_generation;
	uint64_t generation;
	struct unw_map *maps; /* owned copies */
	size_t nr_maps;
	Dwfl *dwfl;           /* NULL until needed, after the mappings changed, and when evicted */
	uint64_t last_use;    /* sym_unwinder's clock at the last unwind: evict the oldest Dwfl */
	uint64_t serial;      /* tells this Dwfl from any other, even one at the same address */
	bool attached;        /* dwfl_attach_state() succeeded */
	bool dwfl_failed;     /* building it failed for this generation: do not retry per sample */

	/* The sample being unwound, for the thread callbacks. */
	const struct sym_unwind_sample *cur;
	uint64_t sp;
	uint64_t valid;      /* readable bytes of the copy */
	bool read_past_copy; /* a stack read fell past the copy's end */
	/* Save slots of the sampled frame that lie below SP (unw_popped_slots()) and what they read as. */
	uint64_t popped_addr[UNW_DWARF_NR], popped_val[UNW_DWARF_NR];
	size_t nr_popped;
};

/*
 * Live Dwfl sessions at most: each holds its process's ELF files open and their parsed CFI.  A
 * system-wide trace sees thousands of processes; the oldest-used session is dropped beyond this
 * (its process's mappings are kept, and the per-pc caches below survive, keyed by file).
 */
#define UNW_MAX_DWFLS 64

/*
 * A direct-mapped cache of the last rules (or frame-pointer verdicts) looked up, by absolute
 * address in the Dwfl of one serial number.  The per-file hash maps behind it need the address's
 * module first; deep stacks ask for the same few return addresses over and over.
 */
#define UNW_MEMO_BITS 10

struct unw_memo {
	uint64_t serial; /* 0: empty */
	uint64_t look;
	uint64_t val;
};

static struct unw_memo *unw_memo__at(struct unw_memo *memo, uint64_t serial, uint64_t look, bool *hit)
{
	struct unw_memo *m = &memo[(look * 0x9e3779b97f4a7c15ull) >> (64 - UNW_MEMO_BITS)];

	*hit = m->serial == serial && m->look == look;
	return m;
}

/*
 * Trails.  A thread sampled in a hot loop shows the same outer frames in sample after sample, and
 * deep stacks have hundreds of them.  The unwinder keeps each thread's last walk done from cached
 * rules, frame by frame: the registers it had there and the stack slots it read to leave it.  A new
 * walk of the thread that reaches one of those frames with the same registers would read the same
 * slots, and what it reads decides the rest: when the slots still hold what the trail read, the
 * rest of the walk is the trail's.  Checking that is a comparison per frame instead of a rule
 * lookup and a step.  %rbp counts among the registers only where the rest of the trail used it (a
 * CFA based on %rbp before %rbp was reloaded from the stack).
 */
#define UNW_TRAILS 16 /* threads remembered, by tid */

#define UNW_TF_HAS_RBP 1u   /* rbp is known */
#define UNW_TF_CFA_RBP 2u   /* the frame's CFA was %rbp-based */
#define UNW_TF_SAME_RBP 4u  /* its caller's %rbp is its own */
#define UNW_TF_NEEDS_RBP 8u /* the walk from this frame on used the %rbp it had */

struct unw_trail_frame {
	uint64_t sp, rbp;
	uint32_t flags; /* UNW_TF_* */
	uint32_t check; /* its first read in the trail's checks: the frame's are up to the next one's */
};

/* A stack read of a trail: 8 bytes at @at were @val, which the rest of the walk depended on if @exact. */
struct unw_trail_check {
	uint64_t at, val;
	bool exact; /* else only the read mattered: a saved %rbp that no later frame used */
};

/* A walk: frames, what it knew at each, and every stack read it made, in order. */
struct unw_trail {
	int32_t tid;
	uint64_t serial;  /* the Dwfl whose rules made it; 0: empty */
	size_t n, nr_checks, cap; /* frames; the last one ended the walk (SYM_UNWIND_END) */
	struct sym_unwind_frame *frames;
	struct unw_trail_frame *f;
	struct unw_trail_check *checks; /* at most 2 per frame */
};

/* The module of the last frame unwound, valid for the Dwfl of that serial number. */
struct unw_mod_cache {
	uint64_t serial; /* 0: empty */
	uint64_t start, end;
	Dwarf_Addr bias;
	uint64_t file_id;
	struct sym_elf *elf;
};

struct sym_unwinder {
	struct frec_hashmap procs; /* pid -> struct unw_proc * */
	struct unw_mod_cache last_mod;
	uint64_t serials;
	struct sym_unwind_stats stats;
	size_t nr_dwfls;
	uint64_t clock;
	/* Per-file caches, shared by all processes: files are told apart by their number in the
	 * registry (top 16 bits of the keys), functions and pcs by their file address. */
	struct sym_fpcheck *fpcheck;
	bool fpcheck_failed;
	struct frec_hashmap pc_states; /* file id << 48 | file address -> enum sym_fp_state + 1 */
	struct frec_hashmap rules;     /* file id << 48 | file address -> packed struct unw_rule */
	struct unw_memo rule_memo[1u << UNW_MEMO_BITS]; /* in front of rules */
	struct unw_memo fp_memo[1u << UNW_MEMO_BITS];   /* in front of pc_states */
	const Dwfl_Callbacks *cb; /* of every process's Dwfl: the registry's */
	struct unw_trail trails[UNW_TRAILS]; /* by tid */
	struct unw_trail scratch;            /* the walk in progress, which may become a trail */
};

/* Per-call state of the frame callback. */
struct unw_walk {
	struct unw_proc *p;
	struct sym_unwind_frame *frames;
	size_t max;
	size_t n;
	uint64_t last_sp;
	bool full;
	bool looped;
	bool no_pc;
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

#define FREC_UNW_MIN(a, b) ((a) < (b) ? (a) : (b))

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

static struct unw_proc *unw_proc__find(const struct sym_unwinder *u, int32_t pid)
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
static int unw_proc__ensure(struct unw_proc *p)
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
	Dwarf_Word sp = 0;
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


/* Per-file caches are keyed by a small file id in the top 16 bits and the file address below. */
#define UNW_FILE_ADDR_MASK ((1ull << 48) - 1)

/* The number of the file @mod was loaded from, the same in every process. */
static int unw_file_id(Dwfl_Module *mod, uint64_t *id)
{
	const struct sym_elf *e = sym_elf__of_module(mod);

	if (!e)
		return -ENOENT;
	*id = sym_elf__id(e);
	return 0;
}

/* ---- The fast path: cached CFI rules of the common shape ------------------------------------- */

/*
 * libdw evaluates the CFI of every frame from scratch: find the FDE, run its instructions up to
 * the pc, build a Dwarf_Frame (malloc), then compute all 17 registers of the caller.  Nearly all
 * x86_64 code has frames of one shape: CFA = %rsp or %rbp + offset, return address at CFA - 8,
 * %rbp either unchanged or saved at CFA + offset.  Those rules are extracted once per pc and
 * cached; a walk that meets anything else (expressions, signal frames, a CFA based on another
 * register, a pc without CFI) is redone from the start by libdw, so both paths give the same
 * frames.
 */
enum unw_rule_kind {
	UNW_RULE_NONE,   /* not computed (never stored) */
	UNW_RULE_SLOW,   /* not of the common shape: libdw */
	UNW_RULE_END,    /* the return address is undefined: the outermost frame */
	UNW_RULE_SIMPLE,
	UNW_RULE_PLT,    /* a PLT stub without CFI (lld writes none): a jump, see unw_plt_leaf() */
};

enum unw_rbp_rule {
	UNW_RBP_SAME,      /* the caller's %rbp is this frame's */
	UNW_RBP_SAVED,     /* at CFA + rbp_off */
	UNW_RBP_UNDEFINED, /* lost */
};

struct unw_rule {
	enum unw_rule_kind kind;
	bool cfa_rbp;        /* CFA is %rbp + cfa_off, else %rsp + cfa_off */
	enum unw_rbp_rule rbp;
	int32_t cfa_off;
	int16_t rbp_off;
};

static uint64_t unw_rule__pack(const struct unw_rule *r)
{
	return (uint64_t)r->kind | (uint64_t)r->cfa_rbp << 3 | (uint64_t)r->rbp << 4 |
	       (uint64_t)(uint32_t)r->cfa_off << 8 | (uint64_t)(uint16_t)r->rbp_off << 40;
}

static struct unw_rule unw_rule__unpack(uint64_t v)
{
	return (struct unw_rule){
		.kind = (enum unw_rule_kind)(v & 7),
		.cfa_rbp = v >> 3 & 1,
		.rbp = (enum unw_rbp_rule)(v >> 4 & 3),
		.cfa_off = (int32_t)(uint32_t)(v >> 8),
		.rbp_off = (int16_t)(uint16_t)(v >> 40),
	};
}

/* A location CFA + *off: [DW_OP_call_frame_cfa] or [DW_OP_call_frame_cfa, DW_OP_plus_uconst N]. */
static bool unw_cfa_location(const Dwarf_Op *ops, size_t nops, int64_t *off)
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
	if (!unw_cfa_location(ops, nops, &off) || off != -8)
		goto out;
	/* DW_CFA_def_cfa comes back as DW_OP_bregx register, offset */
	if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops != 1 || ops[0].atom != DW_OP_bregx ||
	    (ops[0].number != UNW_DWARF_SP && ops[0].number != UNW_DWARF_BP) ||
	    (int64_t)ops[0].number2 != (int32_t)ops[0].number2)
		goto out;
	r.cfa_rbp = ops[0].number == UNW_DWARF_BP;
	r.cfa_off = (int32_t)ops[0].number2;
	if (dwarf_frame_register(frame, UNW_DWARF_BP, mem, &ops, &nops) != 0)
		goto out;
	if (nops == 0) {
		r.rbp = ops == mem ? UNW_RBP_UNDEFINED : UNW_RBP_SAME;
	} else {
		if (!unw_cfa_location(ops, nops, &off) || off != (int16_t)off)
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
static struct unw_rule unw_rule__get(struct sym_unwinder *u, struct unw_proc *p, uint64_t look)
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

		if (!mod || !dwfl_module_getelf(mod, &mc->bias) || unw_file_id(mod, &mc->file_id) < 0)
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
static bool unw_fast_walk(struct sym_unwinder *u, struct unw_proc *p, uint64_t ip, uint64_t rbp, bool has_rbp,
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
	uint64_t rip = ip, rsp = p->sp, last_sp = 0, look = 0;
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
		if (r.cfa_rbp && !has_rbp)
			break;
		cfa = (r.cfa_rbp ? rbp : rsp) + (uint64_t)(int64_t)r.cfa_off;
		if (!unw_fast_read(copy, cfa - 8, &ra, &past)) {
			if (past) {
				res->stop = SYM_UNWIND_STACK_EXHAUSTED;
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
			    unw_cfa_location(ops, nops, &off) && cfa + (uint64_t)off < p->sp &&
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

		if (unw_fast_walk(u, p, ip, rbp, has_rbp, &w, res)) {
			res->nr_frames = w.n;
			res->last_sp = w.last_sp;
			p->cur = NULL;
			u->stats.fast++;
			u->stats.stops[res->stop]++;
			return (int)res->nr_frames;
		}
		w.n = 0;
		w.last_sp = 0;
		w.full = false;
		res->stop = SYM_UNWIND_END;
	}
	unw_popped_slots(p, ip);
	ret = dwfl_getthread_frames(p->dwfl, s->tid ? s->tid : s->pid, unw_frame_cb, &w);
	res->nr_frames = w.n;
	res->last_sp = w.last_sp;
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
	if (!mod || !dwfl_module_getelf(mod, &bias) || unw_file_id(mod, &file_id) < 0)
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
	/*
	 * Out of stack copy: the kernel's walk may still know the outer frames.  Join at the DWARF
	 * walk's last return address if the chain holds it and is sound from there on.
	 */
	if (res->stop == SYM_UNWIND_STACK_EXHAUSTED && res->nr_frames > 1) {
		uint64_t last = frames[res->nr_frames - 1].pc;

		for (size_t j = 1; j < s->nr_fp_chain; j++) {
			bool sound = true;

			if (s->fp_chain[j] != last)
				continue;
			for (size_t k = j; k + 1 < s->nr_fp_chain && sound; k++)
				sound = (unw_fp_info(u, p, s->fp_chain[k], false) & UNW_FP_STATE_MASK) == SYM_FP_FRAME;
			if (!sound)
				break;
			for (size_t k = j + 1; k < s->nr_fp_chain && res->nr_frames < max; k++) {
				frames[res->nr_frames].pc = s->fp_chain[k];
				frames[res->nr_frames].is_activation = false;
				res->nr_frames++;
			}
			res->source = SYM_UNWIND_FROM_SPLICE;
			res->stop = SYM_UNWIND_END;
			break;
		}
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
