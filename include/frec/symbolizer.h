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

/* What a profile's weight measures. */
enum sym_weight {
	SYM_WEIGHT_CPU,     /* CPU samples, as recorded (the off-CPU event's samples are left out) */
	SYM_WEIGHT_OFF_CPU, /* nanoseconds off CPU: each switch-out sample (frec record --off-cpu)
			     * weighs the time until its thread came back (a thread still waiting at
			     * the end, until the recording's end).  Preemptions count too: a thread
			     * that waits for a CPU waits; their kernel frames say so */
	SYM_WEIGHT_WALL,    /* wall-clock nanoseconds: each thread's time on CPU (from the switch
			     * records) is shared among its CPU samples, under a root frame FREC_MARKER_ON_CPU (profile.h), the waits as SYM_WEIGHT_OFF_CPU
			     * under FREC_MARKER_OFF_CPU (below the thread with per_thread).  A thread
			     * idle all along (off CPU for 90% of the samples' time span or more, on
			     * a CPU for 1% or less) is left out and counted in idle_* */
};



/** What an off-CPU profile left out or could not see; filled by sym_profile__from_trace(). */
struct sym_off_cpu_stats {
	uint64_t periods;      /* periods off CPU in the profile */
	uint64_t ns;           /* their total length */
	uint64_t open;         /* of those, still waiting when the recording ended */
	uint64_t short_periods; /* shorter than off_cpu_min_ns: left out */
	uint64_t short_ns;
	uint64_t preempted;    /* of the periods, preemptions: runnable, waiting for a CPU */
	uint64_t preempted_ns;
	uint64_t lost;         /* samples and records the kernel dropped (the whole trace's) */
	uint64_t on_cpu_ns;    /* SYM_WEIGHT_WALL: the CPU time of the CPU samples */
	uint64_t idle_threads; /* SYM_WEIGHT_WALL: threads idle all along, left out */
	uint64_t idle_ns;      /* their waits */
};

/** Options of sym_profile__from_trace(); zero means the default everywhere. */
struct sym_opts {
	enum sym_weight weight;
	uint64_t off_cpu_min_ns; /* SYM_WEIGHT_OFF_CPU, _WALL: leave out waits shorter than this */
	struct sym_off_cpu_stats *off_cpu_stats; /* filled when not NULL */
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
 * With SYM_WEIGHT_OFF_CPU and SYM_WEIGHT_WALL the profile's weights are nanoseconds (unit "ns",
 * event "off-cpu" or "wall").
 *
 * Returns 0 and sets *@out (free with frec_profile__free()), -FREC_E_NO_OFF_CPU (off-CPU weights
 * asked of a trace recorded without --off-cpu), or -ENOMEM.  A damaged trace is not
 * an error: what could be read is used (see trace_reader__status()).  Not thread-safe.
 */
int sym_profile__from_trace(struct trace_reader *r, const struct sym_opts *opts, struct frec_profile **out);

/* ---- The annotator: a function's machine code with the samples of each instruction ---------- */

struct sym_annotator;

/** What a function of the annotator is, and so whether its code can be shown. */
enum sym_ann_kind {
	SYM_ANN_CODE,      /* a function symbol of a readable ELF file: its code can be disassembled */
	SYM_ANN_KERNEL,    /* kernel code: the trace keeps the kernel's symbols, not its code */
	SYM_ANN_JIT,       /* JIT code: gone with its process, named by its perf map */
	SYM_ANN_NO_FILE,   /* code of a file that cannot be read here (module_flags say why) */
	SYM_ANN_NO_SYMBOL, /* code of a readable file that no symbol covers (stripped), or a PLT stub */
	SYM_ANN_OTHER,     /* anonymous memory and the like */
};

/** A function with samples.  Strings are valid as long as the annotator. */
struct sym_ann_func {
	const char *name;      /* as frec report names it (demangled) */
	const char *module;    /* the file's path as the trace names it ("" for none) */
	const char *file;      /* SYM_ANN_CODE: where it was read (a /proc/PID/root path, a build-id file) */
	uint64_t start, end;   /* SYM_ANN_CODE: its link-time extent */
	uint64_t samples;      /* weight of the CPU samples whose sampled IP is in it */
	enum sym_ann_kind kind;
	uint32_t module_flags; /* FREC_MODULE_* of the file */
	uint32_t dso;          /* private */
};

/** One instruction of a function.  Strings are valid as long as the annotator. */
struct sym_ann_insn {
	uint64_t addr;       /* link-time address */
	uint64_t samples;    /* weight of the CPU samples taken at exactly this address */
	uint16_t size;
	char text[192];      /* "imul rax, rcx": capstone's mnemonic and operands */
	const char *target;  /* a jump's or call's target as "<func+0x1c>", or NULL */
	const char *file;    /* the source line of the instruction (the line table's), or NULL */
	uint32_t line;
	const char *inlined; /* the function inlined here that the line belongs to, or NULL */
};

/**
 * sym_annotator__open() - symbolize trace @r as sym_profile__from_trace() does (CPU weights; the
 * filters and debug paths of @opts, NULL for the defaults) and keep, per function, the samples of
 * each sampled IP, with the files still open to disassemble.  Returns 0 and sets *@out (release
 * with sym_annotator__close()), or as sym_profile__from_trace().  Not thread-safe.
 */
int sym_annotator__open(struct trace_reader *r, const struct sym_opts *opts, struct sym_annotator **out);

/** sym_annotator__close() - accepts NULL. */
void sym_annotator__close(struct sym_annotator *a);

/** sym_annotator__profile() - the profile built (as sym_profile__from_trace()), owned by @a. */
const struct frec_profile *sym_annotator__profile(const struct sym_annotator *a);

/** sym_annotator__funcs() - the functions with samples, heaviest first; *@n of them. */
const struct sym_ann_func *sym_annotator__funcs(const struct sym_annotator *a, size_t *n);

/**
 * sym_annotator__match() - the functions named @func, in @module when not NULL (its path, its file
 * name, or the start of its file name: "libc" for libc.so.6): exact names when any match, else the
 * names once compiler clone suffixes (".constprop.0"), glibc's "__GI_" and a C++ parameter list are
 * left out.  Up to @max indexes into sym_annotator__funcs() go to @out, heaviest first.  Returns how
 * many match (may be more than @max).
 */
size_t sym_annotator__match(const struct sym_annotator *a, const char *func, const char *module, size_t *out,
			    size_t max);

/**
 * sym_annotator__hottest() - the index of the heaviest function whose code can be read
 * (SYM_ANN_CODE), in @module when not NULL (matched as by sym_annotator__match()), or -1.
 */
long sym_annotator__hottest(const struct sym_annotator *a, const char *module);

/**
 * sym_annotator__find_unsampled() - the path of a file of the trace that has a function symbol named
 * @func (matched as sym_annotator__match() does; in @module when not NULL) although none of its
 * samples are in it, or NULL.
 */
const char *sym_annotator__find_unsampled(struct sym_annotator *a, const char *func, const char *module);

/**
 * sym_annotator__disasm() - the instructions of function @i (a SYM_ANN_CODE one), each with its
 * samples, with its source line when @want_lines and the file has DWARF lines.  *@out is
 * malloc'ed (free() it), *@n long.  Returns 0, -EINVAL for a function of another kind,
 * -FREC_E_NO_CODE when the file read has no code there (a debug file standing in), -FREC_E_ARCH,
 * -FREC_E_CAPSTONE or -ENOMEM.
 */
int sym_annotator__disasm(struct sym_annotator *a, size_t i, bool want_lines, struct sym_ann_insn **out, size_t *n);

#endif /* FREC_SYMBOLIZER_H */
