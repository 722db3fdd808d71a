/* SPDX-License-Identifier: MIT */
/*
 * The recorder: perf events on every CPU, one ring buffer each, drained into a trace (contract 1).
 *
 * It never symbolizes and never parses more of a record than it must: it copies kernel records as
 * they are (cutting DWARF stack copies to their valid bytes), merges the per-CPU rings by time at
 * each pass, and adds what offline symbolization needs: the initial state of attached processes
 * from /proc, build-ids, the kernel symbols the samples hit and JIT perf maps.
 */
#ifndef FREC_RECORDER_H
#define FREC_RECORDER_H

#include <linux/perf_event.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rec_stats;

enum rec_call_graph {
	REC_CG_AUTO,  /* both: frame-pointer callchain and a stack copy, chosen from at report time */
	REC_CG_FP,    /* kernel-walked frame-pointer callchains (user and kernel) */
	REC_CG_DWARF, /* kernel callchain + user registers and a copy of the user stack */
	REC_CG_NONE,  /* the sampled instruction only */
};

#define REC_STACK_DEFAULT 8192u
#define REC_STACK_MAX 65528u

/** What to record.  Zero means the default for every field but the target. */
struct rec_opts {
	/* target: exactly one of pids/tids/system_wide/argv */
	const pid_t *pids;
	size_t nr_pids;
	const pid_t *tids;
	size_t nr_tids;
	bool system_wide;
	char *const *argv; /* command to launch; sampling starts when it execs */

	const char *event;   /* "cpu-clock", "cycles", "sched:sched_switch"...; NULL = cycles, else cpu-clock */
	uint64_t freq;       /* samples per second; 0 = 99 unless @period is set */
	uint64_t period;     /* sample every @period events */
	enum rec_call_graph call_graph;
	uint32_t stack_size; /* DWARF/auto stack copy bytes; 0 = REC_STACK_DEFAULT */
	uint64_t duration_ns; /* 0 = until the target exits or a signal */
	/*
	 * Also sample every switch of a target thread out of a CPU (a software context-switch event,
	 * period 1, with the same call graph as the CPU samples, named TRACE_EVENT_OFF_CPU) and keep
	 * the kernel's SWITCH records, so that each period off CPU has a start, a length, a thread
	 * and a blocking stack.  The switch happens in the kernel, so this needs kernel samples
	 * (kernel.perf_event_paranoid <= 1, CAP_PERFMON or root): refused with REC_ERR_OFF_CPU.
	 */
	bool off_cpu;
	unsigned int mmap_pages; /* data pages per CPU ring (power of 2); 0 = automatic */
	/*
	 * Where the trace goes: @output_fd, opened by the caller (who decides what may be written:
	 * cli/output.h) and owned by the recorder from the call on.  With @output_truncate it is
	 * emptied only once the events are open, so a failed start leaves an existing file as it
	 * was.  A launched command's standard output goes to its standard error when the trace is
	 * written to standard output.  @output names it in errors.
	 */
	int output_fd;
	bool output_truncate;
	const char *output;
	char *const *frec_argv; /* frec's own command line, stored in the header */

	/* called about once a second while recording (NULL: never) */
	void (*progress)(void *ctx, const struct rec_stats *st);
	void *progress_ctx;
	/* Set (by the caller's SIGINT/SIGTERM handler) to stop: the recording ends at the next pass
	 * over the rings, with TRACE_FOOTER_INTERRUPTED.  NULL: only the target, the duration or an
	 * error end it. */
	const volatile sig_atomic_t *stop;
};

/** What happened; complete once recorder__run() returned. */
struct rec_stats {
	uint64_t elapsed_ns;   /* the recording's duration: from its start to its stop, without the time
				* taken to finish the trace; the footer's end_ns - the header's start_ns */
	uint64_t samples;
	uint64_t lost;         /* samples dropped by the kernel */
	uint64_t lost_records; /* PERF_RECORD_LOST records */
	uint64_t throttles;
	uint64_t off_cpu_samples; /* switches out of a CPU sampled (--off-cpu) */
	uint64_t switches;     /* SWITCH records (in and out) */
	uint64_t records;      /* records written */
	uint64_t trace_bytes;  /* compressed bytes written */
	uint64_t data_bytes;   /* uncompressed bytes of records */
	uint64_t cpu_user_ns;  /* frec's own CPU time, all of it */
	uint64_t cpu_sys_ns;
	uint64_t cpu_recording_ns; /* of it, between the start and the stop (@elapsed_ns): without the
				    * fixed costs of opening the events and finishing the trace */
	uint32_t stop_flags;   /* TRACE_FOOTER_* */
	int target_status;     /* wait status of a launched command */
	char event[64];        /* the event really used (after any fallback) */
	bool event_fallback;   /* the requested hardware event was replaced by cpu-clock */
	bool no_kernel;        /* kernel samples were refused, so user space only */
	unsigned int mmap_pages; /* pages per ring really used */
};

/*
 * Errors carry the object they are about: recorder__run() returns a negative errno or FREC_E_* code
 * and fills a struct rec_error whose @what names the object (a PID, a command, the event, the
 * output path) for the front end's one-line message.
 */
struct rec_error {
	int err;            /* negative errno or -FREC_E_* */
	enum {
		REC_ERR_NONE,
		REC_ERR_TARGET,  /* @what: the PID/TID that does not exist or cannot be profiled */
		REC_ERR_COMMAND, /* @what: the command that could not be run */
		REC_ERR_EVENT,   /* @what: the event that cannot be opened or is unknown */
		REC_ERR_OUTPUT,  /* @what: the output path */
		REC_ERR_MMAP,    /* the ring buffers could not be mapped */
		REC_ERR_OFF_CPU, /* the context-switch event of off_cpu cannot be opened */
		REC_ERR_OTHER,
	} kind;
	char what[256];
};

/**
 * recorder__run() - record according to @o until the target exits, the duration passes or
 * *@o->stop is set (the caller's signal handler does: the recorder installs none).
 * Returns 0 with @st filled, or a negative error described in @e.  A trace is left in
 * @o->output_fd (closed in every case) wherever recording began, readable up to its last
 * complete frame.
 */
int recorder__run(const struct rec_opts *o, struct rec_stats *st, struct rec_error *e);

/* ---- Pieces, exposed for the unit tests ------------------------------------------------------- */

/**
 * rec_event__parse() - fill @attr's type and config for event @name.
 * Returns 0, or -FREC_E_EVENT_UNKNOWN.  Tracepoints ("sys:name") are looked up in tracefs:
 * -EACCES when this user may not read it.
 */
int rec_event__parse(const char *name, struct perf_event_attr *attr);

/** A mapping from a /proc/PID/maps line. */
struct rec_map {
	uint64_t start, end, pgoff;
	uint32_t maj, min;
	uint64_t ino;
	uint32_t prot;  /* PROT_* */
	uint32_t flags; /* MAP_PRIVATE or MAP_SHARED */
	const char *path; /* points into the parsed line; "" for anonymous */
	size_t path_len;
};

/**
 * rec_maps__parse_line() - parse one line of /proc/PID/maps (without its newline).
 * Returns 0, or -FREC_E_PARSE.
 */
int rec_maps__parse_line(const char *line, size_t len, struct rec_map *m);

/**
 * rec_stat__start_stack() - the "startstack" field of a /proc/PID/stat text of @len bytes at @buf:
 * where the process's main thread started, the address of argc.  Above it are argv, the
 * environment and the auxiliary vector, never a frame.  Returns 0, or -FREC_E_PARSE (also for a
 * 0, which the kernel shows to a reader it does not allow to see it).
 */
int rec_stat__start_stack(const char *buf, size_t len, uint64_t *out);

/**
 * rec_tcb__find() - where a glibc thread's descriptor begins in a copy of its stack: @stack holds
 * the @len bytes from address @sp up, @head is the thread's robust futex list head
 * (get_robust_list(2)), which glibc keeps inside the descriptor.  On x86-64 the descriptor begins
 * with the TCB, 64-byte aligned, whose first and third words (tcbhead_t.tcb and .self) hold its
 * own address; the thread's frames and static TLS all lie below it.  Returns the TCB's address
 * when the copy holds everything up to the head's three words and the first 64-byte aligned word
 * below the head, within 1 KiB, that holds its own address is a TCB (its third word the same,
 * its second not 0); else 0: nothing to trust, keep the whole copy.
 */
uint64_t rec_tcb__find(const uint8_t *stack, size_t len, uint64_t sp, uint64_t head);

/**
 * rec_build_id__from_elf() - the GNU build-id note of the ELF image of @len bytes at @buf.
 * Returns its size (1..20), 0 if there is none, or -FREC_E_PARSE for a malformed image.
 */
int rec_build_id__from_elf(const void *buf, size_t len, uint8_t id[20]);

#endif /* FREC_RECORDER_H */
