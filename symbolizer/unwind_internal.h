/* SPDX-License-Identifier: MIT */
/*
 * Private to the unwinder (unwind.c, unwind_fast.c, unwind_fp.c): its state and the functions its
 * files share.  The symbolizer sees unwind.h only.
 */
#ifndef FREC_SYM_UNWIND_INTERNAL_H
#define FREC_SYM_UNWIND_INTERNAL_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frec/hashmap.h"
#include "unwind.h"

/* perf's x86_64 user register numbers (asm/perf_regs.h), used in regs_mask. */
enum {
	UNW_PERF_AX = 0, UNW_PERF_BX, UNW_PERF_CX, UNW_PERF_DX, UNW_PERF_SI, UNW_PERF_DI,
	UNW_PERF_BP, UNW_PERF_SP, UNW_PERF_IP, UNW_PERF_FLAGS, UNW_PERF_CS, UNW_PERF_SS,
	UNW_PERF_DS, UNW_PERF_ES, UNW_PERF_FS, UNW_PERF_GS, UNW_PERF_R8, /* ... R15 = 23 */
	UNW_PERF_NR = 24,
};

/* The x86_64 DWARF register numbers are rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip. */
#define UNW_DWARF_BX 3
#define UNW_DWARF_BP 6
#define UNW_DWARF_SP 7
#define UNW_DWARF_NR 17

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

static inline struct unw_memo *unw_memo__at(struct unw_memo *memo, uint64_t serial, uint64_t look, bool *hit)
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
	uint64_t last_rbp; /* %rbp in frames[n - 1], if has_last_rbp */
	bool has_last_rbp;
	bool full;
	bool looped;
	bool no_pc;
};

#define FREC_UNW_MIN(a, b) ((a) < (b) ? (a) : (b))

/* Per-file caches are keyed by a small file id in the top 16 bits and the file address below. */
#define UNW_FILE_ADDR_MASK ((1ull << 48) - 1)

/*
 * The cached CFI rule of a pc (unwind_fast.c): libdw evaluates the CFI of every frame from
 * scratch; nearly all x86_64 code has frames of one shape, whose rules are extracted once per pc.
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

/*
 * One frame's rule.  %rbx is followed as well as %rbp for the frames whose CFA is %rbx-based:
 * code that realigns its stack (ld.so's lazy-binding trampoline _dl_runtime_resolve*, which
 * every first call through a PLT slot enters) keeps its CFA there.  libdw cannot walk those when
 * a callee has not saved %rbx yet: elfutils' x86_64 ABI defaults (0.188) list DWARF register 0,
 * not 3, as callee-saved, so an unmentioned %rbx is "undefined" to libdw.  The psABI says it is
 * callee-saved: unmentioned means unchanged, and so it is here.
 */
struct unw_rule {
	enum unw_rule_kind kind;
	bool cfa_rbp;        /* CFA is %rbp + cfa_off ... */
	bool cfa_rbx;        /* ... or %rbx + cfa_off, else %rsp + cfa_off */
	enum unw_rbp_rule rbp;
	enum unw_rbp_rule rbx; /* UNDEFINED only where the rule cannot be cached (see above) */
	int32_t cfa_off;     /* within 24 bits */
	int16_t rbp_off;
	int16_t rbx_off;     /* a multiple of 8 in [-1024, 1016] */
};

/** unw_proc__find() - the state of process @pid, or NULL. */
struct unw_proc *unw_proc__find(const struct sym_unwinder *u, int32_t pid);

/** unw_proc__ensure() - @p's Dwfl, built at its first use in a generation.  Returns 0 (check p->attached) or -ENOMEM. */
int unw_proc__ensure(struct unw_proc *p);

/** unw_module__file_id() - the registry's number of the file of @mod, the same in every process. */
int unw_module__file_id(Dwfl_Module *mod, uint64_t *id);

/** unw_op__cfa_offset() - whether a location is CFA + *@off: [DW_OP_call_frame_cfa(, DW_OP_plus_uconst N)]. */
bool unw_op__cfa_offset(const Dwarf_Op *ops, size_t nops, int64_t *off);

/** unw_rule__get() - the rule at @look (a pc, or a return address - 1) of @p, cached per file address. */
struct unw_rule unw_rule__get(struct sym_unwinder *u, struct unw_proc *p, uint64_t look);

/**
 * unw_fast__walk() - walk @p's current sample with cached rules.  Returns true when the walk is
 * complete (@w and @res->stop filled in), false when it met a frame of another shape: then start
 * over with libdw.
 */
bool unw_fast__walk(struct sym_unwinder *u, struct unw_proc *p, uint64_t ip, uint64_t rbp, bool has_rbp,
		    struct unw_walk *w, struct sym_unwind_result *res);

#endif /* FREC_SYM_UNWIND_INTERNAL_H */
