/* SPDX-License-Identifier: MIT */
/*
 * The memo of callers.  Past its first entry, the user part of a callchain is a chain of return
 * addresses, and it repeats from sample to sample: a deep recursion, a server's request path, a
 * loop's callers.  Naming it costs a lookup per frame and a walk down the call tree, so the memo
 * keeps, per (process, generation of its mappings, grouping root, whether the stack ends at its
 * root, those addresses), the call-tree node the path ends at and what the stack health needs
 * from it.  Only the leaf and the kernel frames are then named per sample.
 *
 * sym_stacks keeps a second memo of whole callchains, leaf and kernel part included (a service's
 * shallow stacks repeat whole): the node is then the sample's leaf, and the walk what naming the
 * whole chain found.
 *
 * Private to the symbolizer.
 */
#ifndef FREC_SYM_CMEMO_H
#define FREC_SYM_CMEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frec/hashmap.h"

/** What naming a run of callchain entries found, for the stack health. */
struct sym_walk {
	uint64_t ctx;       /* PERF_CONTEXT_* of the entries that follow */
	bool first_in_ctx;
	bool record;        /* note the objects touched (sym_stacks) */
	bool cut_at_root;   /* end at the first root function (a DWARF stack goes on to _start) */
	bool ended;         /* ... and it did */
	uint32_t depth;     /* entries named (PCs, not context markers) */
	bool any_unknown, has_user;
	bool saw_pc;        /* a user PC was named: root_seen and outer_dso are the outermost one's */
	bool root_seen;
	uint32_t outer_dso;
};

struct sym_cmemo_key {
	int32_t pid;
	uint64_t gen;   /* of the process's mappings at the sample's time */
	uint32_t group; /* frame id of the grouping root, or FREC_NONE */
	uint32_t marker; /* frame id of the [on-cpu] / [off-cpu] root below it, or FREC_NONE */
	bool cut;       /* named with sym_walk.cut_at_root */
	bool switch_out; /* a switch-out sample's whole stack (sym_stacks' memo of stacks) */
	const uint64_t *pcs;
	uint64_t nr_pcs;
	uint64_t hash;
};

struct sym_cmemo_ent {
	int32_t pid;
	uint64_t gen;
	uint32_t group;
	uint32_t marker;
	bool switch_out;
	uint32_t pcs, nr_pcs;         /* the addresses: in the memo's array of keys */
	uint32_t touched, nr_touched; /* objects touched: in the memo's array of them */
	uint32_t node;                /* where the path ends in the call tree */
	struct sym_walk callers;      /* what naming them found (cut_at_root is the key's cut) */
};

struct sym_cmemo {
	struct sym_cmemo_ent *ents;
	size_t nr, cap;
	struct frec_hashmap index; /* hash of the key -> index in ents */
	uint64_t *pcs;             /* the keys' addresses */
	size_t nr_pcs, pcs_cap;
	uint32_t *touched;         /* object << 1 | unknown frame in it */
	size_t nr_touched, touched_cap;
	uint64_t hits;
};

void sym_cmemo__init(struct sym_cmemo *m);
void sym_cmemo__exit(struct sym_cmemo *m);

/**
 * sym_cmemo__split() - where @chain's memoizable callers start: past the first user entry, when
 * at least a few entries follow; @nr when there are none.  Completes @k (pid, gen, group and cut
 * set) with those entries and its hash.  (Naming the entries from there on depends on nothing
 * else, context markers among them included.)
 */
uint64_t sym_cmemo__split(const uint64_t *chain, uint64_t nr, struct sym_cmemo_key *k);

/**
 * sym_cmemo__key() - complete @k (pid, gen, group, marker, cut and switch_out set) with the @nr
 * entries at @pcs and its hash.
 */
void sym_cmemo__key(const uint64_t *pcs, uint64_t nr, struct sym_cmemo_key *k);

/** sym_cmemo__find() - the memo's entry for key @k, or NULL. */
const struct sym_cmemo_ent *sym_cmemo__find(const struct sym_cmemo *m, const struct sym_cmemo_key *k);

/**
 * sym_cmemo__add() - remember the callers of key @k: what naming them found (@w), the @nr_touched
 * objects they touched, the call-tree @node they end at.  Nothing is kept past a size limit or
 * when another key holds the slot.  Returns 0 or -ENOMEM.
 */
int sym_cmemo__add(struct sym_cmemo *m, const struct sym_cmemo_key *k, const struct sym_walk *w,
		   const uint32_t *touched, size_t nr_touched, uint32_t node);

/** sym_cmemo__touched() - the objects entry @e touched (object << 1 | unknown), @e->nr_touched of them. */
static inline const uint32_t *sym_cmemo__touched(const struct sym_cmemo *m, const struct sym_cmemo_ent *e)
{
	return m->touched + e->touched;
}

#endif /* FREC_SYM_CMEMO_H */
