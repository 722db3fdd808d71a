/* SPDX-License-Identifier: MIT */
/*
 * The symbolizer: replays a trace offline and builds a symbolized profile (contract 2).
 */
#ifndef FREC_SYMBOLIZER_H
#define FREC_SYMBOLIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frec_profile;
struct trace_reader;

/** Options of sym_profile__from_trace(); zero means the default everywhere. */
struct sym_opts {
	bool no_kernel;   /* drop kernel frames */
	bool no_inline;   /* no inline frames */
	bool lines;       /* file:line on frames */
	bool mangled;     /* keep mangled names */
	bool per_process; /* a root frame per process */
	bool per_thread;  /* a root frame per thread */
	bool progress;    /* draw progress on stderr (the caller checked it is a terminal) */
	/* Filters: a sample is kept when it matches every filter given. */
	const int32_t *pids; /* keep these processes (nr_pids entries) */
	size_t nr_pids;
	const int32_t *tids; /* keep these threads */
	size_t nr_tids;
	const char *comm;    /* keep threads with this name (COMM) */
	uint64_t time_start; /* keep samples in [start, end) ns since the recording start; */
	uint64_t time_end;   /* end == 0 means no upper bound */
	/* Where separate debug info is looked for (libdwfl's debuginfo_path syntax: directories
	 * separated by ':'; build-id trees are DIR/.build-id/xx/rest.debug).  NULL: the standard
	 * ":.debug:/usr/lib/debug". */
	const char *debug_path;
};

/**
 * sym_profile__from_trace() - read every record of @r and build a profile of its samples.
 * Returns 0 and sets *@out (free with frec_profile__free()), or a negative error.
 */
int sym_profile__from_trace(struct trace_reader *r, const struct sym_opts *opts, struct frec_profile **out);

#endif /* FREC_SYMBOLIZER_H */
