/* SPDX-License-Identifier: MIT */
/*
 * Address spaces: the processes and threads of a trace, replayed from its state records (MMAP,
 * MMAP2, COMM, FORK) in time order, keeping their history.  Every mapping carries the interval of
 * time it was in place, so a sample is resolved against the mappings of its moment whatever the
 * order in which the per-CPU rings were drained: a library loaded late (dlopen) resolves from its
 * load on, a process that exec'd against its new image.  Threads keep their names over time.
 *
 * Private to the symbolizer.
 */
#ifndef FREC_SYM_SPACE_H
#define FREC_SYM_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frec/hashmap.h"
#include "sym_internal.h"
#include "sym_range.h"

struct frec_profile;
struct perf_event_header;
struct sym_dsos;
struct trace_event;

/** A mapping of a process, in place during [t_start, t_end). */
struct sym_map {
	struct sym_range range; /* [start, end) in the process */
	uint64_t pgoff;
	uint64_t t_start, t_end;
	uint32_t dso; /* in the sym_dsos */
};

/** A process: its mappings over time and its JIT perf map. */
struct sym_proc {
	int32_t pid;
	struct sym_map *maps;
	size_t nr_maps, maps_cap;
	struct sym_ranges index; /* of maps, sorted by start once replayed */
	uint64_t *changes;       /* times the mappings changed, ascending: generation = index */
	size_t nr_changes, changes_cap;
	char *perf_map;          /* raw perf-map text from the trace */
	size_t perf_map_len, perf_map_cap;
	struct sym_table jit;    /* its entries, once replayed */
	uint32_t jit_dso;        /* SYM_DSO_NONE until needed */
	bool sorted;
};

struct sym_comm {
	uint64_t time;
	uint32_t name; /* profile string id */
};

struct sym_thread {
	int32_t tid, pid;
	struct sym_comm *comms; /* ascending time */
	size_t nr, cap;
};

struct sym_state_rec {
	uint64_t time;
	size_t off; /* in the state buffer */
	size_t seq;
};

/** The processes and threads of one trace. */
struct sym_spaces {
	struct frec_profile *p; /* where thread names are interned */
	struct sym_dsos *dsos;  /* where mapped objects are named */
	struct sym_proc *procs;
	size_t nr_procs, procs_cap;
	struct frec_hashmap proc_index; /* pid -> index */
	struct sym_thread *threads;
	size_t nr_threads, threads_cap;
	struct frec_hashmap thread_index; /* tid -> index */
	uint8_t *state_buf;               /* the state records, until replayed */
	size_t state_len, state_cap;
	struct sym_state_rec *states;
	size_t nr_states, states_cap;
};

void sym_spaces__init(struct sym_spaces *s, struct frec_profile *p, struct sym_dsos *dsos);
void sym_spaces__exit(struct sym_spaces *s);

/** sym_spaces__save() - keep state record @h (MMAP, MMAP2, COMM, FORK) of @time for the replay. */
int sym_spaces__save(struct sym_spaces *s, const struct perf_event_header *h, uint64_t time);

/** sym_spaces__add_perf_map() - more lines of process @pid's perf map (TRACE_REC_PERF_MAP). */
int sym_spaces__add_perf_map(struct sym_spaces *s, int32_t pid, const char *text, size_t len);

/**
 * sym_spaces__replay() - replay the saved records in time order (@ev gives their layout), then
 * index every process's mappings and parse its perf map.  Returns 0 or -ENOMEM.
 */
int sym_spaces__replay(struct sym_spaces *s, const struct trace_event *ev);

/** sym_spaces__proc() - process @pid, or NULL. */
struct sym_proc *sym_spaces__proc(const struct sym_spaces *s, int32_t pid);

/** sym_spaces__comm() - thread @tid's name at @time (its first if it had none yet), or 0. */
uint32_t sym_spaces__comm(const struct sym_spaces *s, int32_t tid, uint64_t time);

/** sym_proc__find() - the mapping of @addr in place at @time, or NULL. */
const struct sym_map *sym_proc__find(const struct sym_proc *p, uint64_t addr, uint64_t time);

/**
 * sym_proc__generation() - a number that changes whenever @p's mappings change: the mappings in
 * place at @time are the same for every time with the same generation.
 */
size_t sym_proc__generation(const struct sym_proc *p, uint64_t time);

#endif /* FREC_SYM_SPACE_H */
