/* SPDX-License-Identifier: MIT */
/*
 * The recorder's state, shared by recorder.c (events, rings, the loop) and synth.c (what /proc,
 * kallsyms and perf maps add to the trace).
 */
#ifndef FREC_RECORDER_INTERNAL_H
#define FREC_RECORDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "frec/compiler.h"
#include "frec/hashmap.h"
#include "frec/recorder.h"
#include "frec/trace.h"
#include "ring.h"
#include "ustack.h"

struct frec_fd {
	int fd;
	int cpu_index; /* into recorder.cpus */
	uint64_t id;   /* PERF_EVENT_IOC_ID */
	bool off_cpu;  /* of the off-CPU event (rec->off_attr), else of rec->attr */
};

struct recorder {
	const struct rec_opts *o;
	struct rec_stats *st;
	struct rec_error *e;
	struct perf_event_attr attr;
	struct perf_event_attr off_attr; /* rec_opts.off_cpu: set by the first open of the event */
	struct frec_hashmap off_ids;     /* sample ids of the off-CPU event's fds */
	bool off_cpu_failed;             /* opening the off-CPU event failed (not the main one) */
	struct trace_event event; /* @attr, for decoding samples */
	size_t page_size;

	int *cpus; /* online CPUs */
	size_t nr_cpus;
	struct frec_fd *fds;
	size_t nr_fds, cap_fds;
	struct ring *rings; /* one per CPU with an event */
	size_t nr_rings;
	size_t ring_len;
	const struct perf_event_header **cur; /* drain(): each ring's next record and its time */
	uint64_t *cur_time;

	struct trace_writer *w;
	uint8_t *stage; /* records batched for the writer */
	size_t stage_len;
	uint8_t *cut;   /* a sample with its stack copy cut, or a stack delta */
	bool stack_deltas;          /* stack copies may be stored as deltas (trace version 3) */
	struct trace_stacks stacks; /* each thread's copies in the open frame, for the deltas */
	uint64_t stacks_frame;      /* the frame @stacks are of (trace_writer__frames()) */

	struct frec_hashmap pids; /* processes seen -> rec_proc__owner(), for their perf maps */
	struct rec_ustack ustack; /* where stack copies may end (emit_sample()) */
	struct frec_hashmap kips; /* kernel addresses the samples hit */
	uint32_t last_pid;
	uint64_t start_ns, stop_ns, first_ns, last_ns;
	uint64_t cpu_at_start_ns; /* frec's own CPU time at start_ns */
	bool started;

	pid_t child;
	int go_fd, status_fd;
};

/**
 * rec_read_small() - read a small file (/proc, /sys) into @buf: at most @size - 1 bytes, then a
 * NUL.  Returns the bytes read, or -1 when it cannot be opened or read, or is empty.
 */
ssize_t rec_read_small(const char *path, char *buf, size_t size);

/* The most of a perf map copied into the trace (frec-record(1)); a larger one is skipped. */
#define REC_PERF_MAP_MAX (64u << 20)

/* The owner of a process that was gone before frec looked. */
#define REC_OWNER_UNKNOWN 0
/**
 * rec_proc__owner() - the user running process @pid, plus one (the owner of /proc/PID: its
 * effective uid, or root for a process that made itself undumpable), or REC_OWNER_UNKNOWN.
 */
uint64_t rec_proc__owner(uint32_t pid);

/** rec__note_pid() - process @pid is profiled: its perf map is read at the end. */
void rec__note_pid(struct recorder *rec, uint32_t pid);

/** rec__emit() - append a whole record to the trace.  0 or a write error. */
int rec__emit(struct recorder *rec, const void *r, size_t size);

/** rec__set_error() - describe the error @err of kind REC_ERR_* in rec->e, naming its object. */
void rec__set_error(struct recorder *rec, int err, int kind, const char *fmt, ...) frec_printf(4, 5);

/** rec_events__attr() - the perf_event_attr of the recording (rec->attr) from the options. */
int rec_events__attr(struct recorder *rec);
/** rec_events__name() - the name of the event rec->attr describes. */
const char *rec_events__name(struct recorder *rec);
/** rec_events__online_cpus() - the online CPUs (rec->cpus). */
int rec_events__online_cpus(struct recorder *rec);
/** rec_events__open_task() - the event on every online CPU for task @pid (-1: every task). */
int rec_events__open_task(struct recorder *rec, pid_t pid);
/** rec_events__open_process() - rec_events__open_task() for each thread of process @pid. */
int rec_events__open_process(struct recorder *rec, pid_t pid);

/** rec_command__check() - 0 if execvp() would find @cmd, else -ENOENT or -EACCES. */
int rec_command__check(const char *cmd);
/** rec_command__fork() - fork the command (rec->child), waiting to be started. */
int rec_command__fork(struct recorder *rec);
/** rec_command__start() - let the forked command run; its exec's failure is returned. */
int rec_command__start(struct recorder *rec);

/** rec_synth__processes() - COMM and MMAP2 records for the targets that already run. */
int rec_synth__processes(struct recorder *rec);
/** rec_synth__kernel_symbols() - KSYMS for the kernel addresses hit, and the kernel's build-id. */
int rec_synth__kernel_symbols(struct recorder *rec);
/** rec_synth__perf_maps() - the /tmp/perf-PID.map of every process seen. */
int rec_synth__perf_maps(struct recorder *rec);

#endif /* FREC_RECORDER_INTERNAL_H */
