/* SPDX-License-Identifier: MIT */
/*
 * Where a user stack copy may end.  The kernel copies the requested size from the sampled stack
 * pointer up, or as far as memory is readable; what lies above a thread's outermost frame is never
 * read by an unwinder, yet it is most of a shallow stack's copy.  rec_ustack knows two boundaries,
 * each learnt once per process or thread and checked against every copy before a cut:
 *
 *   - a process's main thread: its start of stack, the address of argc (/proc/PID/stat); above
 *     lie argv, the environment and the auxiliary vector;
 *   - a glibc thread: its descriptor (struct pthread, which begins with the TCB), at the top of
 *     the thread's stack mapping above its static TLS block and its first frame; above the
 *     descriptor's start lie the descriptor and whatever memory follows the mapping.
 *
 * x86-64 only: elsewhere copies are kept whole.
 */
#ifndef FREC_RECORDER_USTACK_H
#define FREC_RECORDER_USTACK_H

#include <linux/perf_event.h>

#include "frec/hashmap.h"
#include "frec/trace.h"

struct rec_ustack {
	struct frec_hashmap starts; /* pid -> its main thread's start of stack */
	struct frec_hashmap heads;  /* tid -> its robust futex list head, inside its descriptor */
};

/** rec_ustack__init() / __exit() - embedded lifecycle; __exit() accepts a zeroed struct. */
void rec_ustack__init(struct rec_ustack *u);
void rec_ustack__exit(struct rec_ustack *u);

/**
 * rec_ustack__cut() - lower @s->stack_dyn_size to end the copy at its thread's boundary, when the
 * copy holds it.  Reads /proc or asks the kernel once per process or thread; no allocation but the
 * maps' growth.
 */
void rec_ustack__cut(struct rec_ustack *u, struct trace_sample *s);

/*
 * Stack deltas need a copy's top (its stack pointer plus its length) to line copies up: on
 * x86-64 only, where copies end at their thread's boundary.
 */
#if defined(__x86_64__)
#define REC_USTACK_DELTAS 1
#else
#define REC_USTACK_DELTAS 0
#endif

/** rec_ustack__sp() - the user stack pointer of sample @s, or 0 when it has none (or not x86-64). */
uint64_t rec_ustack__sp(const struct trace_sample *s);

/**
 * rec_ustack__note() - a kernel record (COMM, FORK, EXIT) that may make what is known stale: an
 * exec gives a process a new stack, and a new task may reuse a pid or tid.
 */
void rec_ustack__note(struct rec_ustack *u, const struct perf_event_header *h);

#endif /* FREC_RECORDER_USTACK_H */
