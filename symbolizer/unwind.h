/* SPDX-License-Identifier: MIT */
/*
 * DWARF unwinding of sampled user stacks.
 *
 * A sample taken with PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER carries the user registers at
 * the moment of the sample and a copy of the user stack starting at the sampled SP.  sym_unwinder
 * replays libdw's CFI unwinder over that copy, reading registers from the sample and memory from
 * the copy (or, outside it, from the bytes of the mapped files), and returns the user frames'
 * PCs.  It keeps one Dwfl per process across samples and rebuilds it only when the caller says the
 * process's mappings changed (a new generation number), so the cost of opening ELF files and
 * parsing CFI is paid once per process and module, not per sample.  At most 64 processes keep a
 * Dwfl at a time (the least recently used one is dropped).  The files are the registry's
 * (sym_modules): a process's Dwfl shares their Elf handles, and the fast path reads their
 * symbols, code and .eh_frame; the CFI rules and frame-pointer verdicts are cached per file and
 * pc, across processes.
 *
 * Private to the symbolizer: include/frec/ holds only contracts between modules.
 */
#ifndef FREC_SYM_UNWIND_H
#define FREC_SYM_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sym_elf;
struct sym_modules;

/** One executable mapping of the process, as the trace recorded it. */
struct sym_unwind_map {
	uint64_t start, end; /* [start, end) in the process */
	uint64_t pgoff;      /* file offset mapped at @start */
	struct sym_elf *elf; /* the file mapped there, from the registry; NULL: none (no CFI) */
};

/** A sample's user state: perf's x86_64 register numbering (asm/perf_regs.h), stack copy at SP. */
struct sym_unwind_sample {
	int32_t pid, tid;
	uint64_t regs_abi;  /* PERF_SAMPLE_REGS_ABI_*; NONE: no registers */
	uint64_t regs_mask; /* attr.sample_regs_user */
	const uint64_t *regs; /* one value per set bit of @regs_mask, lowest bit first */
	const uint8_t *stack; /* the copy; it starts at the sampled SP */
	uint64_t stack_size;  /* bytes at @stack */
	uint64_t stack_dyn_size; /* bytes the kernel says are valid (<= @stack_size is used) */
	/* the size the recorder asked for (attr.sample_stack_user); 0 if unknown.  A copy whose
	 * dyn_size reached it was cut short by the request, not by the stack's end. */
	uint64_t stack_request;
	/* The user part of the kernel's frame-pointer callchain (after PERF_CONTEXT_USER, markers
	 * removed), sampled pc first; for sym_unwinder__user_stack() in FP and AUTO modes. */
	const uint64_t *fp_chain;
	size_t nr_fp_chain;
	bool fp_chain_cut; /* the kernel stopped the chain at its depth limit (perf_event_max_stack) */
};

/** Why unwinding stopped. */
enum sym_unwind_stop {
	SYM_UNWIND_END,            /* reached the outermost frame (CFI marks the return address undefined) */
	SYM_UNWIND_STACK_EXHAUSTED, /* needed stack memory beyond the end of the copy */
	SYM_UNWIND_NO_CFI,         /* a pc with no module or no usable CFI (JIT code, stripped .eh_frame) */
	SYM_UNWIND_DEPTH_LIMIT,    /* the caller's frame array is full */
	SYM_UNWIND_NO_REGS,        /* the sample has no user registers or no stack copy */
	SYM_UNWIND_ERROR,          /* anything else: bad CFI, a loop, a return address that could not be
				    * computed (a register it needs was lost) or is zero */
	SYM_UNWIND_FP_BROKEN,      /* frame-pointer chain through a function that keeps no frame
				    * pointer: the frames after it are not to be trusted */
	SYM_UNWIND_STOP_MAX,
};

/** sym_unwind_stop__name() - "end", "stack copy exhausted", "no CFI", ...; never NULL. */
const char *sym_unwind_stop__name(enum sym_unwind_stop stop);

struct sym_unwind_frame {
	uint64_t pc;
	/* true for the sampled frame (and after a signal frame): @pc is the instruction itself.
	 * false for return addresses: look the caller up at pc - 1, the call instruction. */
	bool is_activation;
};

struct sym_unwind_result {
	size_t nr_frames;          /* frames written, innermost first */
	enum sym_unwind_stop stop;
	uint64_t last_sp;          /* CFA of the outermost frame found (0 if unknown): where a
				    * frame-pointer chain can take over */
	uint64_t last_rbp;         /* %rbp in the outermost frame found, if has_last_rbp */
	bool has_last_rbp;
	char errmsg[96];           /* libdw's message for SYM_UNWIND_ERROR / NO_CFI, else "" */
	/* sym_unwinder__user_stack() only: */
	enum sym_unwind_source {
		SYM_UNWIND_FROM_DWARF,   /* unwound from the stack copy */
		SYM_UNWIND_FROM_FP,      /* the kernel's frame-pointer chain (possibly repaired) */
		SYM_UNWIND_FROM_SPLICE,  /* DWARF frames, then the frame-pointer chain's remainder */
	} source;
	bool fp_repaired;          /* a caller the frame-pointer walk skipped was put back */
	int fp_broken_at;          /* index (in the frames) of the first frame whose caller is lost, or -1 */
};

struct sym_unwinder;

/**
 * sym_unwinder__new() - an unwinder with no processes, whose files come from the registry @mods
 * (which must outlive it): the Elf handles, symbols and CFI are the registry's, and the separate
 * debug info (for the .debug_frame of code that .eh_frame does not cover) is found along its
 * debug path.  NULL means -ENOMEM.  Not thread-safe.
 */
struct sym_unwinder *sym_unwinder__new(const struct sym_modules *mods);

/** sym_unwinder__free() - release every process's Dwfl and @u; accepts NULL. */
void sym_unwinder__free(struct sym_unwinder *u);

/**
 * sym_unwinder__set_maps() - give process @pid's executable mappings, for generation @generation.
 *
 * Cheap when @generation is the one already known for @pid (nothing happens); otherwise the
 * process's Dwfl is dropped and rebuilt lazily at the next unwind.  @maps is copied (their
 * files are borrowed).  They are executable mappings: the first one of each file whose offset
 * lies in one of its segments gives the module's load bias (sym_elf__bias()).  Returns 0 or
 * -ENOMEM.
 */
int sym_unwinder__set_maps(struct sym_unwinder *u, int32_t pid, uint64_t generation,
			   const struct sym_unwind_map *maps, size_t nr_maps);

/** sym_unwinder__has_maps() - whether @pid's mappings of @generation were given (skip building them). */
bool sym_unwinder__has_maps(const struct sym_unwinder *u, int32_t pid, uint64_t generation);

/** sym_unwinder__forget() - drop what is held for @pid (its EXIT was seen). */
void sym_unwinder__forget(struct sym_unwinder *u, int32_t pid);

/**
 * sym_unwinder__unwind() - unwind sample @s of a process given to sym_unwinder__set_maps().
 * @frames: room for @max frames, filled innermost first (the sampled pc is frames[0])
 *
 * Always fills @res.  Returns the number of frames (>= 0; a short or empty unwind is not an
 * error: @res->stop says why), or -ENOMEM, or -ENOENT when no mappings were given for the pid.
 * Mappings without a file leave their pcs without CFI.
 */
int sym_unwinder__unwind(struct sym_unwinder *u, const struct sym_unwind_sample *s,
			 struct sym_unwind_frame *frames, size_t max, struct sym_unwind_result *res);

enum sym_unwind_mode {
	SYM_UNWIND_MODE_DWARF, /* --call-graph dwarf: unwind the stack copy */
	SYM_UNWIND_MODE_FP,    /* --call-graph fp: the kernel's chain, checked (and repaired where the
				* sample has a stack copy) */
	SYM_UNWIND_MODE_AUTO,  /* --call-graph auto: the fp chain where it is sound, DWARF elsewhere */
};

/**
 * sym_unwinder__user_stack() - the user frames of sample @s in @mode, innermost first.
 *
 * FP: the kernel's chain (@s->fp_chain).  Each frame's function is checked with capstone: a leaf
 * sampled before its frame setup (or on its ret) gets the caller the walk skipped put back from
 * the stack copy, when the sample has one; a frame in a function without a frame pointer marks
 * the chain broken there (@res->fp_broken_at, stop SYM_UNWIND_FP_BROKEN).
 * AUTO: the checked fp chain when it is sound; else DWARF; when DWARF ran out of stack copy and
 * its last frame is in the fp chain, the chain's remainder is appended (SYM_UNWIND_FROM_SPLICE).
 * DWARF: as sym_unwinder__unwind().
 * A frame-pointer chain ends at the first root function from the leaf (sym_is_stack_root()): what
 * the kernel read past it is not a frame.  DWARF stacks go on to _start; the symbolizer, which
 * names every frame anyway, ends them at the same root, so that stacks from both sources share
 * their roots.
 * Returns the number of frames or a negative error as sym_unwinder__unwind().
 */
int sym_unwinder__user_stack(struct sym_unwinder *u, const struct sym_unwind_sample *s,
			     enum sym_unwind_mode mode, struct sym_unwind_frame *frames, size_t max,
			     struct sym_unwind_result *res);

/** Counters over the unwinder's life, for tests and -v output. */
struct sym_unwind_stats {
	uint64_t dwfl_builds;  /* Dwfl sessions created (one per process and generation) */
	uint64_t evictions;    /* sessions dropped to keep at most 64 (rebuilt if needed again) */
	uint64_t unwinds;      /* DWARF unwinds */
	uint64_t fast;         /* ... done entirely from cached CFI rules, without libdw's unwinder */
	uint64_t retraced;     /* ... of which the outer frames were the thread's trail, checked */
	uint64_t file_reads;   /* memory reads served from mapped files instead of the stack copy */
	uint64_t stops[SYM_UNWIND_STOP_MAX];
	uint64_t from[3];      /* sym_unwinder__user_stack() results by enum sym_unwind_source */
	uint64_t fp_repaired;
	uint64_t fp_broken;
};

/** sym_unwinder__stats() - the counters so far. */
const struct sym_unwind_stats *sym_unwinder__stats(const struct sym_unwinder *u);

/** sym_unwinder__log_stats() - the counters as two pr_info() lines (shown with -v). */
void sym_unwinder__log_stats(const struct sym_unwinder *u);

#endif /* FREC_SYM_UNWIND_H */
