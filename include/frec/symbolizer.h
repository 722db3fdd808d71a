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
	/* Where distributions' compressed debug files are kept uncompressed once read (as
	 * CACHE/.build-id/xx/rest.debug), and searched first, so that a later report maps them
	 * instead of inflating them again; NULL: no cache. */
	const char *cache_dir;
	/* Called every 1024 records (NULL: never): in @pass 0 the trace's state is read, in pass 1
	 * its samples are symbolized; @done of the trace's @total compressed bytes are behind. */
	void (*progress)(void *ctx, int pass, uint64_t done, uint64_t total);
	void *progress_ctx;
};

/**
 * sym_profile__from_trace() - read every record of @r and build a profile of its samples.
 * @r: an open trace; it is rewound and read twice (process state first, then samples)
 * @opts: filters and frame options; NULL for the defaults
 *
 * Each sample is named against the mappings its process had at the sample's time (MMAP2, COMM
 * exec, FORK replayed in time order), through the ELF files on this machine (opened once each,
 * checked against the recorded build-ids, through /proc/PID/root when the process still runs),
 * their separate debug info and DWARF, the trace's kallsyms snapshot and JIT perf maps.  What
 * cannot be named becomes "module+0xADDR" or "[unknown]" and is counted in the stack health;
 * files that cannot be found or do not match are warned about once each and flagged in the
 * module statistics.  The children of every node are sorted (frec_profile__sort()).
 *
 * Returns 0 and sets *@out (free with frec_profile__free()), or -ENOMEM.  A damaged trace is not
 * an error: what could be read is used (see trace_reader__status()).  Not thread-safe.
 */
int sym_profile__from_trace(struct trace_reader *r, const struct sym_opts *opts, struct frec_profile **out);

#endif /* FREC_SYMBOLIZER_H */
