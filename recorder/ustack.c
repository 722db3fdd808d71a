// SPDX-License-Identifier: MIT
/*
 * Where a user stack copy may end (ustack.h): a main thread's at its start of stack.  The boundary
 * of each process is learnt once, from /proc, and only trusted for a copy that shows the
 * boundary's signature at that address: the process may have exec'ed by now.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <asm/perf_regs.h>
#endif

#include "frec/recorder.h"
#include "recorder_internal.h"
#include "ustack.h"

/* Values of the map besides addresses: addresses are never 0, nor 1. */
#define USTACK_UNKNOWN 0 /* the system did not say (gone, or not ours to see) */
#define USTACK_STALE 1   /* ask again: a new image or a new task */

void rec_ustack__init(struct rec_ustack *u)
{
	frec_hashmap__init(&u->starts);
}

void rec_ustack__exit(struct rec_ustack *u)
{
	frec_hashmap__exit(&u->starts);
}

#if defined(__x86_64__)
/* Where process @pid's main thread stack starts (/proc/PID/stat), read once per process image. */
static uint64_t stack_start(struct rec_ustack *u, uint32_t pid)
{
	uint64_t v, *slot;
	char path[48], buf[1024];
	bool added;
	ssize_t n;

	slot = frec_hashmap__slot(&u->starts, pid, &added);
	if (!slot)
		return USTACK_UNKNOWN;
	if (!added && *slot != USTACK_STALE)
		return *slot;
	*slot = USTACK_UNKNOWN;
	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	n = rec_read_small(path, buf, sizeof(buf));
	if (n > 0 && !rec_stat__start_stack(buf, (size_t)n, &v) && v != USTACK_STALE)
		*slot = v;
	return *slot;
}

/*
 * A main thread's stack copy ends where its stack started: above argc lie argv, the environment
 * and the auxiliary vector, 6-10 KiB that no unwinder reads and that may hold secrets.  Keeps argc
 * and argv[0], when the copy holds them and they look like argc and argv (the address came from
 * /proc at drain time: the process may have exec'ed since).
 */
static void cut_at_stack_start(struct rec_ustack *u, struct trace_sample *s, uint64_t sp)
{
	uint64_t top, off, argc, argv0;

	top = stack_start(u, s->pid);
	if (top == USTACK_UNKNOWN || top < sp || top - sp > s->stack_dyn_size ||
	    s->stack_dyn_size - (top - sp) < 16)
		return;
	off = top - sp;
	memcpy(&argc, s->stack + off, 8);
	memcpy(&argv0, s->stack + off + 8, 8);
	if (argc > (1u << 20) || (argc && (argv0 <= top || argv0 - top > (16u << 20))))
		return;
	s->stack_dyn_size = off + 16;
}
#endif

void rec_ustack__cut(struct rec_ustack *u, struct trace_sample *s)
{
#if defined(__x86_64__)
	uint64_t sp;

	if (!s->stack || !s->stack_dyn_size || s->regs_abi != PERF_SAMPLE_REGS_ABI_64 ||
	    !trace_regs__get(s->regs_mask, s->regs, PERF_REG_X86_SP, &sp))
		return;
	if (s->pid == s->tid)
		cut_at_stack_start(u, s, sp);
#else
	(void)u;
	(void)s;
#endif
}

/* Mark @key's entry of @m stale, if it has one (the maps only hold what samples asked for). */
static void forget(struct frec_hashmap *m, uint32_t key)
{
	uint64_t known;

	if (frec_hashmap__find(m, key, &known))
		frec_hashmap__set(m, key, USTACK_STALE);
}

void rec_ustack__note(struct rec_ustack *u, const struct perf_event_header *h)
{
	const uint32_t *f = (const uint32_t *)(h + 1);

	switch (h->type) {
	case PERF_RECORD_COMM: /* pid, tid, comm */
		if (h->size >= sizeof(*h) + 8 && (h->misc & PERF_RECORD_MISC_COMM_EXEC))
			forget(&u->starts, f[0]);
		break;
	case PERF_RECORD_FORK: /* pid, ppid, tid, ptid */
		/* a new process may reuse a pid */
		if (h->size >= sizeof(*h) + 8 && f[0] != f[1])
			forget(&u->starts, f[0]);
		break;
	default:
		break;
	}
}
