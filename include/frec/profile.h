/* SPDX-License-Identifier: MIT */
/*
 * Contract 2: the symbolized, aggregated profile.
 *
 * Built by the symbolizer from a trace, or by an importer from folded stacks; read by render/ and
 * analyze/, which see nothing else.  It holds
 *   - interned strings, referred to by id (0 is "");
 *   - a frame table: one entry per distinct (name, module, file, line, kind, flags);
 *   - a call tree: the prefix tree of root-first stacks.  Node FREC_NODE_ROOT is a virtual root with
 *     no frame; every other node has a frame, a parent, its children as a linked list, and weights:
 *     self (samples whose leaf is this node) and total (self plus all descendants); a node's id is
 *     greater than its parent's, so a loop over ids visits parents first;
 *   - metadata about the recording and the health of its stacks.
 * Not thread-safe.  All pointers returned are borrowed and valid until the next call that adds to
 * the profile or frec_profile__free().
 */
#ifndef FREC_PROFILE_H
#define FREC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FREC_NODE_ROOT 0u
#define FREC_NONE UINT32_MAX

enum frec_frame_kind {
	FREC_FRAME_USER,    /* native user-space code with a symbol */
	FREC_FRAME_KERNEL,  /* kernel code */
	FREC_FRAME_JIT,     /* code named by a JIT (perf map, jitdump) */
	FREC_FRAME_UNKNOWN, /* no symbol: named "module+0xoffset" or "[unknown]" */
	FREC_FRAME_PROCESS, /* grouping root: a process (--per-process), named "comm [pid]" */
	FREC_FRAME_THREAD,  /* grouping root: a thread (--per-thread), named "comm [tid]" */
	FREC_FRAME_KIND_MAX,
};

/*
 * The roots of a wall-clock profile (frec report --wall), frames of kind FREC_FRAME_THREAD: what is
 * below FREC_MARKER_ON_CPU is CPU time, what is below FREC_MARKER_OFF_CPU time waited.  Renderers
 * colour the second apart.
 */
#define FREC_MARKER_ON_CPU "[on-cpu]"
#define FREC_MARKER_OFF_CPU "[off-cpu]"

/* frame flags */
#define FREC_FRAME_INLINED (1u << 0) /* inlined into the frame below it (its caller) */

/*
 * Folded-stack annotations, as flamegraph.pl and inferno read them: a frame name may end in one of
 * these to carry its kind.  frec writes them and the folded importer strips them back into kinds.
 */
#define FREC_FOLDED_KERNEL "_[k]"
#define FREC_FOLDED_JIT "_[j]"
#define FREC_FOLDED_INLINED "_[i]"
/* The weight unit of folded stacks whose counts had fractions: each is kept in thousandths. */
#define FREC_UNIT_THOUSANDTHS "thousandths"

struct frec_frame {
	uint32_t name;   /* string id: demangled function name, or module+0xoffset, or [unknown] */
	uint32_t module; /* string id: path of the ELF file, "[kernel.kallsyms]", "[vdso]", perf-map path; 0 if none */
	uint32_t file;   /* string id of the source file (with --lines), or 0 */
	uint32_t line;   /* source line (with --lines), or 0 */
	uint8_t kind;    /* enum frec_frame_kind */
	uint8_t flags;   /* FREC_FRAME_* flags */
};

struct frec_node {
	uint32_t frame;        /* frame id; FREC_NONE for the root */
	uint32_t parent;       /* FREC_NONE for the root */
	uint32_t first_child;  /* FREC_NONE if a leaf */
	uint32_t next_sibling; /* FREC_NONE if the last child */
	uint64_t self;
	uint64_t total;
};

/* Why samples' stacks cannot be trusted; counted by the symbolizer, shown by reports. */
struct frec_stack_health {
	uint64_t samples;         /* samples counted here (after filters) */
	uint64_t truncated;       /* the stack ends before a process root (_start, clone, ...) */
	uint64_t has_unknown;     /* at least one frame without a symbol */
	uint64_t depth_limited;   /* the callchain reached the kernel's depth limit */
	uint64_t stack_copy_full; /* DWARF mode: the stack copy was too small (dyn_size == size) */
	uint64_t unwind_failed;   /* DWARF mode: unwinding stopped early for another reason */
};

/* per-module flags */
#define FREC_MODULE_NOT_FOUND (1u << 0)      /* file not readable on this machine */
#define FREC_MODULE_NO_SYMBOLS (1u << 1)     /* stripped: neither .symtab nor separate debug info */
#define FREC_MODULE_NO_DEBUGINFO (1u << 2)   /* no DWARF: no inline frames or lines */
#define FREC_MODULE_NO_FRAME_PTRS (1u << 3)  /* code built without frame pointers */
#define FREC_MODULE_BUILD_ID_MISMATCH (1u << 4) /* the file on disk is not the one recorded */

struct frec_module_stat {
	uint32_t module;          /* string id of the module path */
	uint32_t flags;           /* FREC_MODULE_* */
	uint64_t samples;         /* samples with at least one frame in this module */
	uint64_t unknown_samples; /* samples with an unnamed frame in this module */
	uint64_t broken_samples;  /* samples whose stack broke off in this module */
	uint8_t build_id[20];     /* the module's recorded build-id (pprof's mappings carry it)... */
	uint8_t build_id_size;    /* ...of this many bytes; 0 if none was recorded */
};

struct frec_profile_meta {
	uint32_t command;  /* string id: the profiled command line, or "pid 1234", "system-wide" */
	uint32_t event;    /* string id: "cpu-clock", "cycles", ... */
	uint32_t unit;     /* string id of the weight unit: "samples" unless an importer says otherwise */
	uint32_t hostname; /* string id */
	uint32_t release;  /* string id: kernel release of the recording machine */
	uint32_t source;   /* string id: the file the profile came from */
	uint32_t call_graph; /* string id: how stacks were recorded, as the trace's header says ("fp",
			      * "auto,8192", "dwarf,16384", "none"); 0 when unknown (folded stacks) */
	uint64_t freq;     /* sampling frequency in Hz, 0 when sampling by period */
	uint64_t period;   /* sampling period, 0 when sampling by frequency */
	uint64_t start_realtime_ns;
	uint64_t duration_ns; /* how long it recorded: from its start to its stop (the target exited, the
			       * duration passed, a signal), without the time frec then took to finish
			       * the trace; shown everywhere with frec_duration__str() */
	uint64_t samples;  /* samples in the source, before filters */
	uint64_t lost;     /* samples the kernel dropped */
	uint64_t period_total; /* sum of the periods of the samples counted in health.samples, in the
				* event's unit (nanoseconds for cpu-clock and task-clock); 0 if unknown */
	bool truncated;    /* the source trace was cut short */
	bool windowed;     /* the user chose how long it lasted: frec attached to running processes (or
			    * the whole system), or stopped at -d or on a signal before the command
			    * exited; its CPU time then grows with its duration */
	struct frec_stack_health health;
};

struct frec_profile;

/** frec_profile__new() - an empty profile (just the root).  NULL means -ENOMEM. */
struct frec_profile *frec_profile__new(void);
/** frec_profile__free() - release @p; accepts NULL. */
void frec_profile__free(struct frec_profile *p);

/** frec_profile__intern() - id of @len bytes at @str (NUL-free), >= 0, or -ENOMEM. */
int frec_profile__intern(struct frec_profile *p, const char *str, size_t len);
/** frec_profile__intern_str() - frec_profile__intern() of a NUL-terminated string. */
int frec_profile__intern_str(struct frec_profile *p, const char *str);
/** frec_profile__str() - the string of @id ("" for an unknown id, never NULL). */
const char *frec_profile__str(const struct frec_profile *p, uint32_t id);

/** frec_profile__add_frame() - id of the frame equal to @f (added if new), >= 0, or -ENOMEM. */
int frec_profile__add_frame(struct frec_profile *p, const struct frec_frame *f);
/** frec_profile__frame() - frame @id (must be < frec_profile__nr_frames()). */
const struct frec_frame *frec_profile__frame(const struct frec_profile *p, uint32_t id);
uint32_t frec_profile__nr_frames(const struct frec_profile *p);
/** frec_profile__frame_name() - shortcut for the name string of frame @id. */
const char *frec_profile__frame_name(const struct frec_profile *p, uint32_t id);

/** frec_profile__child() - id of @parent's child with @frame (added if new), >= 0, or -ENOMEM. */
int frec_profile__child(struct frec_profile *p, uint32_t parent, uint32_t frame);
/**
 * frec_profile__add_weight() - add @weight to @node's self and to the total of it and its ancestors.
 * Returns 0, or -ERANGE (nothing added) when the profile's total would no longer fit in 64 bits.
 */
int frec_profile__add_weight(struct frec_profile *p, uint32_t node, uint64_t weight);
/**
 * frec_profile__scale_weights() - multiply every node's self and total weight by @factor.  Returns
 * 0, or -ERANGE (nothing changed) when the root's total would no longer fit in 64 bits.
 */
int frec_profile__scale_weights(struct frec_profile *p, uint64_t factor);
/**
 * frec_profile__add_stack() - add @weight to the root-first stack of @n frame ids.
 * Returns the leaf's node id (the root's for n == 0), -ENOMEM, or -ERANGE as add_weight().
 */
int frec_profile__add_stack(struct frec_profile *p, const uint32_t *frames, size_t n, uint64_t weight);
/**
 * frec_profile__add_stack_at() - the same, for a stack whose outer part is the path to @node: @frames
 * continue it, root-first.
 */
int frec_profile__add_stack_at(struct frec_profile *p, uint32_t node, const uint32_t *frames, size_t n,
			       uint64_t weight);

/** frec_profile__node() - node @id (must be < frec_profile__nr_nodes()). */
const struct frec_node *frec_profile__node(const struct frec_profile *p, uint32_t id);
uint32_t frec_profile__nr_nodes(const struct frec_profile *p);
/** frec_profile__total() - the root's total weight. */
uint64_t frec_profile__total(const struct frec_profile *p);

/**
 * frec_profile__sort() - order every node's children by frame (name, then module, kind, flags,
 * file, line), so that output does not depend on the order stacks were added.
 * Returns 0 or -ENOMEM.
 */
int frec_profile__sort(struct frec_profile *p);

/** frec_profile__frame_cmp() - the total order on frames used by frec_profile__sort(). */
int frec_profile__frame_cmp(const struct frec_profile *p, uint32_t a, uint32_t b);

/**
 * frec_profile__frame_rank() - per frame, its place in that order, as the last frec_profile__sort()
 * computed it; NULL when frames were added since (or it never ran).  Borrowed, like the frames.
 */
const uint32_t *frec_profile__frame_rank(const struct frec_profile *p);

/**
 * frec_frame_rename_fn - the new name of frame @frame of @p, written to @buf (@size bytes, no NUL
 * needed); returns its length, or 0 to keep the name.
 */
typedef int (*frec_frame_rename_fn)(const struct frec_profile *p, uint32_t frame, char *buf, size_t size, void *arg);

/**
 * frec_profile__copy_renamed() - a copy of @p (strings, metadata, module statistics, frames, call
 * tree, sorted) in which @rename (may be NULL) renames frames.  Frames that become equal merge,
 * and so do the subtrees of children of one node that become the same frame: their weights add
 * up.  Returns 0 with *@out owned by the caller, or -ENOMEM.
 */
int frec_profile__copy_renamed(const struct frec_profile *p, frec_frame_rename_fn rename, void *arg,
			       struct frec_profile **out);

/**
 * frec_duration__str() - @ns as every output shows a recording's duration, so that the recorder's
 * summary, the text report, the findings and the flame graphs give the same figure: three
 * significant digits ("0.52 s", "5.17 s", "42.3 s", "612 s").  Returns @buf.
 */
const char *frec_duration__str(uint64_t ns, char *buf, size_t size);

/**
 * frec_profile__trim() - release what only makes adding to @p fast (the indexes that find strings
 * and frames: for a profile of a million functions, tens of MiB), once it is built and about to be
 * read.  Adding still works afterwards, rebuilding them first.
 */
void frec_profile__trim(struct frec_profile *p);

/** frec_profile__meta() - the metadata, writable by whoever builds the profile. */
struct frec_profile_meta *frec_profile__meta(struct frec_profile *p);
const struct frec_profile_meta *frec_profile__meta_const(const struct frec_profile *p);

/**
 * frec_profile__ns_per_weight() - the time, in nanoseconds, that one unit of weight stands for: 1
 * when the weights are nanoseconds already (unit "ns": off-CPU profiles), else
 * the mean period of a cpu-clock or task-clock recording, else 1e9 / frequency for an event sampled
 * by frequency.  0 when the profile carries no time (folded stacks, or an event sampled every N
 * occurrences), so that weights can only be compared as counts.
 */
double frec_profile__ns_per_weight(const struct frec_profile *p);

/**
 * frec_profile__time_kind() - what kind of time @p's weights measure, for machines: "off-cpu" for a
 * profile of time waited (frec report --off-cpu), "wall" for wall-clock time (--wall), "cpu" for
 * any other (whether or not it carries time: see frec_profile__ns_per_weight()).
 */
const char *frec_profile__time_kind(const struct frec_profile *p);

/** frec_profile__time_noun() - the same for people: "off-CPU time", "wall-clock time" or "CPU time". */
const char *frec_profile__time_noun(const struct frec_profile *p);

/* ---- Comparing two profiles ------------------------------------------------------------------ */

/*
 * How the weights of two profiles are put on one scale before they are compared (frec diff, diff
 * findings).  A profile's weight w becomes w * frec_profile__norm_scale(p, norm):
 *   TIME   nanoseconds of CPU (w * frec_profile__ns_per_weight()): unchanged code stays unchanged
 *          whatever else grew; the default when both profiles carry time
 *   COUNT  the weights as they are (samples): the default for folded stacks, as difffolded.pl
 *   SHARE  fractions of each profile's total: what changed in the mix, not in the amount
 *   RATE   nanoseconds of CPU per second of recording: for recordings of different durations
 */
enum frec_norm {
	FREC_NORM_DEFAULT, /* resolved by frec_norm__resolve() */
	FREC_NORM_TIME,
	FREC_NORM_COUNT,
	FREC_NORM_SHARE,
	FREC_NORM_RATE,
};

/** frec_norm__name() - "time", "count", "share" or "rate" ("default" for FREC_NORM_DEFAULT). */
const char *frec_norm__name(enum frec_norm norm);

/** frec_norm__parse() - the normalisation named @name (as frec_norm__name()), or -EINVAL. */
int frec_norm__parse(const char *name, enum frec_norm *out);

/**
 * frec_norm__resolve() - the normalisation to compare @a and @b with when @want was asked for:
 * DEFAULT becomes TIME when both profiles carry time, else COUNT.  Returns the normalisation, or
 * -FREC_E_NORM_NO_TIME when @want is TIME or RATE and a profile lacks time (or RATE a duration).
 */
int frec_norm__resolve(const struct frec_profile *a, const struct frec_profile *b, enum frec_norm want);

/** frec_profile__norm_scale() - the factor that turns @p's weights into @norm's unit (resolved). */
double frec_profile__norm_scale(const struct frec_profile *p, enum frec_norm norm);

/**
 * frec_norm__z() - how many standard deviations of sampling noise separate a weight @wb of a
 * profile with scale @sb from a weight @wa of one with scale @sa.  Sample counts vary like Poisson
 * counts (variance = count), so the scaled difference wa*sa - wb*sb has variance
 * wa*sa^2 + wb*sb^2.  Returns |difference| / deviation (0 when both are 0; a large value when only
 * one side has samples is still bounded by that side's own noise).
 */
double frec_norm__z(uint64_t wb, double sb, uint64_t wa, double sa);

/*
 * The noise floor of a diff: a change counts only when it is at least FREC_NORM_MIN_Z standard
 * deviations of sampling noise (frec_norm__z()) and at least FREC_NORM_MIN_POINTS percent of the
 * baseline's total.  The first keeps chance out (about 3 in 1,000 unchanged functions cross it);
 * the second keeps out changes too small to matter in recordings so long that any difference is
 * beyond chance.
 */
#define FREC_NORM_MIN_Z 3.0
#define FREC_NORM_MIN_POINTS 0.1

/*
 * Two profiles on one scale, for a diff: weight w of side i (0 before, 1 after) is w * scale[i] in
 * the unit of @norm.  Filled by frec_diff_norm__init(); plain data, nothing to free.
 */
struct frec_diff_norm {
	enum frec_norm norm;    /* resolved: never FREC_NORM_DEFAULT */
	double scale[2];        /* frec_profile__norm_scale() of before and after */
	double per_sample[2];   /* the weight one sample stands for: 1, or for a profile weighed in
				 * ns (off-CPU, wall-clock) its weight per sample, the mean wait:
				 * its noise is that of the number of waits (frec_diff_norm__z()) */
	double total[2];        /* each profile's total weight in the unit */
	double min_z;           /* the noise floor: FREC_NORM_MIN_Z deviations... */
	double min_size;        /* ...and FREC_NORM_MIN_POINTS % of total[0], in the unit */
	double duration_change; /* after's duration over before's, minus 1 (0 if either is unknown) */
	const char *time;       /* the time compared, in words: frec_profile__time_noun() of both
				 * sides, or "time" if they differ (static storage) */
	bool suggest_rate;      /* both recordings are windowed (see struct frec_profile_meta) and
				 * their durations differ by more than 10%: under TIME or COUNT, all
				 * code then looks changed by that much; RATE compares them */
};

/**
 * frec_diff_norm__init() - put @before and @after on one scale under @want (see
 * frec_norm__resolve()).  Returns 0, or -FREC_E_NORM_NO_TIME when @want needs a CPU time (or a
 * duration) that a profile lacks.
 */
int frec_diff_norm__init(struct frec_diff_norm *dn, const struct frec_profile *before,
			 const struct frec_profile *after, enum frec_norm want);

/**
 * frec_diff_norm__z() - frec_norm__z() of weight @wb before and @wa after, each side's weight
 * counted in samples (weight / per_sample): the time waited in a function varies with the number
 * of waits it had, not like a count of nanoseconds.
 */
double frec_diff_norm__z(const struct frec_diff_norm *dn, uint64_t wb, uint64_t wa);

/** frec_diff_norm__delta() - the change from weight @wb before to @wa after, in the unit. */
double frec_diff_norm__delta(const struct frec_diff_norm *dn, uint64_t wb, uint64_t wa);

/**
 * frec_diff_norm__is_change() - whether going from weight @wb before to @wa after clears the noise
 * floor: frec_diff_norm__z() >= min_z and |delta| >= min_size.  A weight that appears or vanishes is
 * held to the same floor: 1 sample of a new function is not news.
 */
bool frec_diff_norm__is_change(const struct frec_diff_norm *dn, uint64_t wb, uint64_t wa);

/**
 * frec_norm__fmt() - @v, a value in the unit of @norm, for people: TIME and RATE to 3 significant
 * digits ("1.23 s", "456 ms", "7.80 us"; "250 ms/s"), COUNT whole ("1,234"), SHARE a fraction of 1
 * in percent ("12.34%").  With @sign, a '+' or '-' leads, and SHARE changes read in points
 * ("+1.23 pt").  Writes at most @size bytes (NUL included) and returns @buf.
 */
char *frec_norm__fmt(enum frec_norm norm, double v, bool sign, char *buf, size_t size);

/**
 * frec_diff_norm__describe() - what @dn compares, in words: "CPU time (samples x period)",
 * "off-CPU time (nanoseconds waited)", "wall-clock time per second of recording", "sample
 * counts"...  Writes at most @size bytes (NUL included) and returns @buf.
 */
char *frec_diff_norm__describe(const struct frec_diff_norm *dn, char *buf, size_t size);

/** frec_profile__add_module_stat() - record health data of one module (copied).  0 or -ENOMEM. */
int frec_profile__add_module_stat(struct frec_profile *p, const struct frec_module_stat *st);
/** frec_profile__module_stats() - the module health records, in the order added. */
const struct frec_module_stat *frec_profile__module_stats(const struct frec_profile *p, size_t *n);

/* ---- Stack health: why stacks cannot be trusted ---------------------------------------------- */

/* The likely cause of unnamed frames or of stacks that end early, with the fix it calls for. */
enum frec_health_cause {
	FREC_CAUSE_NONE,
	/* frames without a name */
	FREC_CAUSE_REBUILT,         /* the module was rebuilt since the recording (build-id differs) */
	FREC_CAUSE_MODULE_MISSING,  /* the module is not on this machine */
	FREC_CAUSE_STRIPPED,        /* the module has no symbols */
	FREC_CAUSE_NO_MAPPING,      /* code outside any known file */
	/* stacks that end early */
	FREC_CAUSE_DEPTH_LIMIT,     /* deeper than the kernel's callchain limit */
	FREC_CAUSE_STACK_COPY,      /* the DWARF stack copy was too small */
	FREC_CAUSE_JIT_UNWIND,      /* they end in JIT code, which has no unwind information */
	FREC_CAUSE_NO_UNWIND_INFO,  /* code without unwind information */
	FREC_CAUSE_NO_FRAME_PTRS,   /* code without frame pointers */
};

struct frec_health_causes {
	enum frec_health_cause main; /* of the bigger problem (unknown frames or truncated stacks) */
	uint32_t main_module;        /* string id of the module that explains most of it, or 0 */
	enum frec_health_cause also; /* of the other problem, FREC_CAUSE_NONE if there is none */
	uint32_t also_module;
};

/**
 * frec_profile__health_causes() - the likely causes of the broken stacks counted in the metadata's
 * health and module statistics: the main one and the other, each with the module that explains most
 * samples.  Both are FREC_CAUSE_NONE when the stacks are whole and named, or the profile carries no
 * health (folded stacks).  Shared by the text report and the findings, so both say the same.
 */
void frec_profile__health_causes(const struct frec_profile *p, struct frec_health_causes *out);

/**
 * frec_health_cause__describe() - @cause with @module (a string id of @p, or 0) and its fix, as one
 * clause: "stripped binary libfoo.so (install its debug symbols)".  Written to @buf like snprintf();
 * returns the length the whole clause needs.
 */
int frec_health_cause__describe(const struct frec_profile *p, enum frec_health_cause cause, uint32_t module,
				char *buf, size_t size);

/** frec_profile__module_basename() - the last component of @module's path ("" for 0). */
const char *frec_profile__module_basename(const struct frec_profile *p, uint32_t module);

/* ---- Processes and threads ------------------------------------------------------------------- */

/*
 * The weight of each thread, whatever the grouping of the call tree: the report's process and
 * thread tables.  Filled by the symbolizer (after filters); folded stacks have none.
 */
struct frec_task {
	int32_t pid;
	int32_t tid;
	uint32_t comm;      /* string id: the thread's name when sampled ("?" if unknown) */
	uint32_t proc_comm; /* string id: its process's name when sampled */
	uint64_t weight;
};

/**
 * frec_profile__add_task() - add @t->weight to the task with @t's pid, tid, comm and proc_comm (a
 * thread that calls exec is two tasks, as it is two roots with --per-thread), added if new.
 * Returns 0 or -ENOMEM.
 */
int frec_profile__add_task(struct frec_profile *p, const struct frec_task *t);
/** frec_profile__tasks() - the tasks, in the order first added (none for folded stacks). */
const struct frec_task *frec_profile__tasks(const struct frec_profile *p, size_t *n);

/* ---- Functions and transformations ---------------------------------------------------------- */

/**
 * frec_profile__new_like() - a profile with @src's strings, frames (same ids), metadata, module
 * statistics and tasks, and an empty call tree: what a transformation of @src fills.  Returns 0
 * and sets *@out (free with frec_profile__free()), or -ENOMEM.
 */
int frec_profile__new_like(const struct frec_profile *src, struct frec_profile **out);

/**
 * frec_name__base_len() - the length of the first @len bytes of @name without the suffixes
 * compilers give to the copies they make of a function (".constprop.0", ".part.1", ".isra.0",
 * ".cold", ".lto_priv.0", ".localalias", ".clone.3", in any number).
 */
size_t frec_name__base_len(const char *name, size_t len);

/**
 * frec_name__js_prefix() - the length of V8's perf-map prefix of @name ("JS:", "LazyCompile:",
 * "Function:", "Script:"), 0 if it has none; *@tier is set to 1 when a tier marker follows it
 * ('*' optimised, '~' interpreted, '^' baseline, '+' Maglev), else 0.
 */
size_t frec_name__js_prefix(const char *name, size_t *tier);

/**
 * frec_name__key() - the name of @name's source function: compiler clone suffixes, glibc's
 * "__GI_" prefix and V8's tier marker ("JS:*f", "JS:~f" -> "JS:f") dropped.  Written to @buf of
 * @size bytes (NUL-terminated when @size > 0); returns the length the whole key needs, as
 * snprintf() does.
 */
size_t frec_name__key(const char *name, char *buf, size_t size);

/**
 * frec_profile__func_ids() - one number per frame, equal for frames of the same function: the
 * same frec_name__key(), module and kind (an inlined copy and a clone of f are f; file and line
 * do not count).  Unnamed frames ("[unknown]", "lib.so+0x12") and grouping roots are no function:
 * FREC_NONE, which is never recursion.  Returns 0 and sets *@out to a malloc'ed array of
 * frec_profile__nr_frames() ids, or -ENOMEM.
 */
int frec_profile__func_ids(const struct frec_profile *p, uint32_t **out);

/**
 * frec_profile__collapse_recursion() - a copy of @p where direct recursion is one frame: a node of
 * the same function as its parent (frec_profile__func_ids()) is merged into the parent, its self
 * weight and its callees with it, so that f;f;f;g becomes f;g.  The outer frame stays.  Every
 * function keeps its self weight and its total counted once per sample; only the depth of the
 * recursion is lost.  Mutual recursion (f;g;f) stays as it is: merging the inner f into the outer
 * one would take g off the stacks that went through it, and g's total would shrink.  Returns 0 and
 * sets *@out (children sorted as frec_profile__sort()), or -ENOMEM.
 */
int frec_profile__collapse_recursion(const struct frec_profile *p, struct frec_profile **out);

/* ---- Folded stacks -------------------------------------------------------------------------- */

/* The bytes of the first bad line of folded stacks kept to quote it (a log line can be long). */
#define FREC_FOLDED_QUOTE 64

struct frec_folded_stats {
	uint64_t lines;      /* non-empty, non-comment lines read */
	uint64_t bad_lines;  /* lines without a "STACK COUNT" shape, skipped */
	uint64_t first_bad;  /* line number (1-based, in the input) of the first bad line, 0 if none */
	char first_bad_text[FREC_FOLDED_QUOTE]; /* ...its first bytes (not NUL-terminated)... */
	size_t first_bad_len;       /* ...of a line this long, without its newline (may be longer) */
	uint64_t error_line; /* with -ERANGE or -E2BIG: the line number of the refused stack */
};

/**
 * frec_profile__import_folded() - add folded stacks ("root;...;leaf COUNT" per line, as written by
 * flamegraph.pl's stackcollapse scripts, inferno, py-spy --format raw, async-profiler collapsed,
 * austin and frec) from @len bytes at @buf.  The count is the last blank-separated field; frame
 * names may hold spaces; empty frames (a trailing ';') are skipped.  FREC_FOLDED_* suffixes set the
 * frame kind.  If a count has a fraction, every count is kept in thousandths and the profile's unit
 * is FREC_UNIT_THOUSANDTHS.  Malformed lines, and lines with two counts (a diff), are counted in @st
 * (may be NULL) and skipped; lines starting with '#' are comments.  Returns the number of stacks
 * added (0 for an input of blank and comment lines only), -FREC_E_FOLDED_EMPTY if there were lines
 * and none was valid (or the first 1,000 were not: the input is something else), -ERANGE if a
 * count, or the sum of the counts, does not fit in 64 bits, -E2BIG for a stack of more than 65,536
 * frames (@st->error_line says where, for both), or -ENOMEM.
 */
int frec_profile__import_folded(struct frec_profile *p, const char *buf, size_t len,
				struct frec_folded_stats *st);

/*
 * Reading folded stacks in pieces, as they arrive from a file or a pipe, without holding the whole
 * input: a reader takes successive buffers of any size (a line may be split between two, or among
 * many) and builds what frec_profile__import_folded() builds from their concatenation.  The counts
 * are read as whole samples until a count with a fraction appears; the weights added so far are
 * then turned into thousandths, so that the profile is the one a reader that had seen the whole
 * input first would make.  (An input whose counts overflow 64 bits once in thousandths is refused
 * at the same line; only if another error, a stack too deep, comes between that line and the
 * first fraction is that error reported instead: such an input is refused either way.)
 */
struct frec_folded_reader;

/**
 * frec_folded_reader__new() - a reader that adds the stacks it is fed to @p (empty, as from
 * frec_profile__new(); borrowed: it must outlive the reader).  Returns 0 and sets *@out (free with
 * frec_folded_reader__free()), or -ENOMEM.
 */
int frec_folded_reader__new(struct frec_profile *p, struct frec_folded_reader **out);

/**
 * frec_folded_reader__feed() - read the @len bytes at @buf, which continue what was fed before; a
 * line they end in the middle of waits for the next buffer.  @buf is not kept.  Returns 0, or the
 * error frec_profile__import_folded() would return (-ERANGE, -E2BIG, -FREC_E_FOLDED_EMPTY,
 * -ENOMEM): the import stops there and every later call returns the same error.
 */
int frec_folded_reader__feed(struct frec_folded_reader *r, const char *buf, size_t len);

/**
 * frec_folded_reader__finish() - the input has ended (a last line without a newline counts): the
 * return value of frec_profile__import_folded() on the whole input, and its statistics in @st
 * (may be NULL).
 */
int frec_folded_reader__finish(struct frec_folded_reader *r, struct frec_folded_stats *st);

/** frec_folded_reader__free() - release @r (not its profile); accepts NULL. */
void frec_folded_reader__free(struct frec_folded_reader *r);

/**
 * frec_profile__import_folded_diff() - difffolded.pl's two-count lines ("root;...;leaf BEFORE
 * AFTER"): the first counts into @before, the second into @after.  A stack absent from one side
 * has a count of 0 there.  Otherwise as frec_profile__import_folded() (lines with one count are bad
 * lines; both profiles have the same unit); the return value and @st are the second column's.
 */
int frec_profile__import_folded_diff(struct frec_profile *before, struct frec_profile *after, const char *buf,
				     size_t len, struct frec_folded_stats *st);

/**
 * frec_profile__looks_folded() - whether the first line of @buf that is not blank or a comment has
 * the shape of a folded stack with one count.
 */
bool frec_profile__looks_folded(const char *buf, size_t len);

/** frec_profile__looks_folded_diff() - the same, for a stack with two counts (difffolded.pl). */
bool frec_profile__looks_folded_diff(const char *buf, size_t len);

/**
 * frec_profile__write_folded() - one "root;...;leaf COUNT" line per call-tree node with self
 * weight, in the children's order, kinds as FREC_FOLDED_* suffixes, file:line as " (file:line)".
 * Returns 0 or -EIO when writing to @f failed.
 */
int frec_profile__write_folded(const struct frec_profile *p, FILE *f);

/* ---- perf script text ------------------------------------------------------------------------ */

struct frec_perf_script_opts {
	bool per_process; /* a root frame per process ("comm [pid]") */
	bool per_thread;  /* a root frame per thread ("comm [tid]") */
	bool no_kernel;   /* drop kernel frames */
};

struct frec_perf_script_stats {
	uint64_t samples;      /* samples added (of the first event seen) */
	uint64_t other_events; /* samples of other events, skipped */
	uint32_t other_event;  /* string id of the first other event, 0 if none */
	uint64_t bad_lines;    /* lines that are neither a sample header, a frame nor a comment */
	uint64_t first_bad;    /* line number (1-based) of the first, 0 if none */
	uint64_t error_line;   /* with -E2BIG or -ERANGE: the line where the import stopped */
};

/**
 * frec_profile__import_perf_script() - add the samples of `perf script` text (@len bytes at @buf):
 * with or without call graphs, in any of perf's default field layouts (CPU, time, period, pid/tid,
 * event, tracepoint data; comm names with blanks), kernel and user frames, "[unknown]" symbols,
 * `--inline` frames and `-F +srcline` lines.  Each sample weighs 1; only samples of the first event
 * seen are added (@st counts the others).  Sets the metadata's event, duration (first to last
 * sample), sample count, period_total (when every sample shows its period), stack health, and the
 * command, host and release from `perf script --header` comments.  @opts and @st may be NULL.
 * Returns the number of samples added, -FREC_E_PARSE when no sample could be read (the first 1,000
 * lines held none: the input is something else), -E2BIG for a sample of more than 65,536 frames,
 * -ERANGE when the total no longer fits in 64 bits (@st->error_line says where), or -ENOMEM.
 */
int frec_profile__import_perf_script(struct frec_profile *p, const char *buf, size_t len,
				     const struct frec_perf_script_opts *opts, struct frec_perf_script_stats *st);

/**
 * frec_profile__looks_perf_script() - whether @buf is `perf script` text: among its first 200 lines
 * that are not blank or comments, a sample header followed by a frame, or a header that names an
 * event and holds a time or its one frame.  Folded stacks never look so (their lines end in a count).
 */
bool frec_profile__looks_perf_script(const char *buf, size_t len);

/**
 * frec_profile__sniffed() - whether the first @len bytes of an input hold all that
 * frec_profile__looks_perf_script(), frec_profile__looks_folded() and
 * frec_profile__looks_folded_diff() read of it (its first 200 lines that are not blank or comments,
 * whole), so that they answer on them as on the whole input: a reader of a pipe may then stop
 * reading ahead.
 */
bool frec_profile__sniffed(const char *buf, size_t len);

#endif /* FREC_PROFILE_H */
