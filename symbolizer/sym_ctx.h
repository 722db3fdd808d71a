/* SPDX-License-Identifier: MIT */
/*
 * The state of one trace's symbolization, shared by the entry points that read a trace whole:
 * sym_profile__from_trace() (the profile) and the annotator (the profile, then the code of its
 * functions, which needs the files and the samples' addresses still at hand).
 *
 * Private to the symbolizer.
 */
#ifndef FREC_SYM_CTX_H
#define FREC_SYM_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "frec/hashmap.h"
#include "frec/symbolizer.h"
#include "sym_dso.h"
#include "sym_namer.h"
#include "sym_space.h"
#include "sym_stacks.h"
#include "sym_switches.h"

struct sym_modules;
struct trace_event;
struct trace_reader;

struct sym_ctx {
	const struct sym_opts *opts;
	struct trace_reader *r;
	struct frec_profile *p;
	uint64_t start_ns;
	struct sym_modules *mods;
	struct sym_dsos dsos;
	struct sym_spaces spaces;
	struct sym_namer namer;
	struct sym_stacks stacks;
	struct sym_switches switches;
	const struct trace_event *off_ev; /* the off-CPU event, NULL if the trace has none */
	struct sym_off_cpu_stats off;
	uint64_t nr_samples, first_time, last_time, lost;
	uint64_t nr_of_kind; /* pass 2: samples of the profile's kind (CPU, switches, both) */
	uint64_t end_ns; /* the recording's end: where periods off CPU still open end */
	uint32_t on_marker, off_marker; /* SYM_WEIGHT_WALL's root frames, else FREC_NONE */
	struct frec_hashmap idle;       /* SYM_WEIGHT_WALL: thread -> idle all along (idle_thread()) */
	struct frec_hashmap cpu_count;  /* SYM_WEIGHT_WALL: CPU samples per thread (pass 1) */
	struct frec_hashmap cpu_weight; /* SYM_WEIGHT_WALL: ns per CPU sample per thread, 0: unknown */
};

/**
 * sym_ctx__run() - read @r twice and build c->p with @opts (not NULL, borrowed for @c's life);
 * with @count_ips, c->stacks also counts each CPU sample's sampled IP (sym_stacks.ips).  Whatever
 * it returns, @c is released with sym_ctx__exit().  Returns 0, -FREC_E_NO_OFF_CPU or -ENOMEM.
 */
int sym_ctx__run(struct sym_ctx *c, struct trace_reader *r, const struct sym_opts *opts, bool count_ips);

/** sym_ctx__exit() - release @c and its profile (unless taken: c->p = NULL). */
void sym_ctx__exit(struct sym_ctx *c);

#endif /* FREC_SYM_CTX_H */
