/* SPDX-License-Identifier: MIT */
/*
 * Samples into call-tree paths.  A sample's PCs come from the kernel's callchain (its kernel part,
 * then the user part it walked with frame pointers), or just the sampled IP; in dwarf and auto
 * traces, and for fp samples with a stack copy to repair the chain from, the unwinder (unwind.h)
 * gives the user part instead.  Each PC is named by the namer in the mappings of its process at
 * the sample's time, the callers through the memo of callers, and the stack's health (truncated,
 * unknown frames, depth limit, full stack copy) is counted, per sample and per object.
 *
 * Private to the symbolizer.
 */
#ifndef FREC_SYM_STACKS_H
#define FREC_SYM_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frec/hashmap.h"
#include "sym_cmemo.h"
#include "unwind.h"

struct frec_profile;
struct sym_dsos;
struct sym_modules;
struct sym_namer;
struct sym_opts;
struct sym_spaces;
struct trace_sample;

struct sym_stacks {
	const struct sym_opts *opts;
	struct frec_profile *p;
	struct sym_spaces *spaces;
	struct sym_dsos *dsos;
	struct sym_namer *namer;
	struct sym_modules *mods;
	uint32_t max_stack; /* the kernel's callchain depth limit when recording */
	uint64_t sample;    /* number of the sample being added, for the objects' statistics */

	/* per-sample scratch */
	uint32_t *stack;
	size_t stack_cap;
	uint32_t *touched; /* objects a run of callers touched: object << 1 | unknown frame in it */
	size_t nr_touched, touched_cap;

	struct sym_cmemo cmemo;
	struct sym_cmemo smemo; /* whole stacks (sym_cmemo.h) */
	uint32_t *all_touched;  /* objects the sample's stack touched: object << 1 | unknown frame in it */
	size_t nr_all_touched, all_touched_cap;
	bool all_touched_lost;  /* out of memory noting one: the sample is not memoized */
	uint64_t *leaves; /* samples per call-tree leaf, not yet in the profile */
	size_t nr_leaves, leaves_cap;

	/* With count_ips (frec annotate), the weight of the CPU samples per sampled IP: ips[dso] maps
	 * the address the namer names it by (link-time for an ELF file) to the weight. */
	bool count_ips;
	struct frec_hashmap *ips;
	size_t nr_ips;

	/* user stacks from the sample's registers and stack copy */
	struct sym_unwinder *unw; /* NULL: the trace's call graph mode needs none */
	enum sym_unwind_mode unw_mode;
	struct sym_unwind_map *umaps;
	size_t umaps_cap;
	struct sym_unwind_frame *uframes;
	uint64_t *uchain;
	size_t uchain_cap;
};

/**
 * sym_stacks__init() - add the samples of a trace recorded in call-graph mode @call_graph (the
 * header's "call_graph", NULL if none) with the kernel's depth limit @max_stack.  The other
 * objects are borrowed.  Returns 0 or -ENOMEM.
 */
int sym_stacks__init(struct sym_stacks *st, const struct sym_opts *opts, struct frec_profile *p,
		     struct sym_spaces *spaces, struct sym_dsos *dsos, struct sym_namer *namer, struct sym_modules *mods,
		     const char *call_graph, uint32_t max_stack);
void sym_stacks__exit(struct sym_stacks *st);

/**
 * sym_stacks__add() - sample @s (number @nr, counting from 1) of @weight (1 for a CPU sample,
 * nanoseconds for an off-CPU one) into the call tree and the stack health.  Its weight reaches the
 * profile at sym_stacks__flush().  Returns 0 or -ENOMEM.
 */
int sym_stacks__add(struct sym_stacks *st, const struct trace_sample *s, uint64_t nr, uint64_t weight,
		    uint32_t marker, bool switch_out);

/** sym_stacks__flush() - the weights of the samples added so far into the profile. */
void sym_stacks__flush(struct sym_stacks *st);

/** sym_stacks__log_stats() - the unwinder's counters and the memo's, with -v. */
void sym_stacks__log_stats(const struct sym_stacks *st);

#endif /* FREC_SYM_STACKS_H */
