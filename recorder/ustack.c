// SPDX-License-Identifier: MIT
/*
 * Where a user stack copy may end (ustack.h): a main thread's at its start of stack, a glibc
 * thread's at its descriptor.  The boundary of each process or thread is learnt once, from /proc
 * or one system call, and only trusted for a copy that shows the boundary's signature at that
 * address: the process may have exec'ed, the tid may belong to a new thread by now.
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <asm/perf_regs.h>
#endif

#include "frec/recorder.h"
#include "recorder_internal.h"
#include "ustack.h"

/* Values of the maps besides addresses: addresses are never 0, nor 1 (heads are word-aligned). */
#define USTACK_UNKNOWN 0 /* the system did not say (gone, not ours to see, no glibc thread) */
#define USTACK_STALE 1   /* ask again: a new image or a new task */

/*
 * glibc on x86-64 places a thread's descriptor, struct pthread, 64-byte aligned at the top of its
 * stack mapping; its static TLS block lies under it and the thread's first frame under that
 * (start_thread, called by clone3 with the stack pointer at the TLS block's start).  The
 * descriptor begins with tcbhead_t: the TLS ABI's word holding the TCB's own address (tcb), the
 * DTV, then the thread's own address again (self).  Its robust futex list head, which the thread
 * registered with the kernel in start_thread, lies inside, 0x2e0 bytes on in glibc 2.36.
 */
#define TCB_ALIGN 64u
#define TCB_REACH 1024u /* the most a descriptor's start may lie below its robust list head */

uint64_t rec_tcb__find(const uint8_t *stack, size_t len, uint64_t sp, uint64_t head)
{
	uint64_t x, lo, w[3];

	/* The copy must hold everything from the head down: a descriptor beyond the copy's end would
	 * leave the first self-pointer found to some frame or TLS variable. */
	if (head <= sp || head - sp > len || len - (head - sp) < 24)
		return 0;
	lo = head - sp > TCB_REACH ? head - TCB_REACH : sp;
	for (x = (head - 1) & ~(uint64_t)(TCB_ALIGN - 1); x >= lo; x -= TCB_ALIGN) {
		memcpy(w, stack + (x - sp), sizeof(w));
		/* The first word below the head that points to itself is the TCB or nothing. */
		if (w[0] == x)
			return w[2] == x && w[1] ? x : 0;
		if (x - lo < TCB_ALIGN)
			break;
	}
	return 0;
}

void rec_ustack__init(struct rec_ustack *u)
{
	frec_hashmap__init(&u->starts);
	frec_hashmap__init(&u->heads);
}

void rec_ustack__exit(struct rec_ustack *u)
{
	frec_hashmap__exit(&u->starts);
	frec_hashmap__exit(&u->heads);
}

#if defined(__x86_64__)
/*
 * @key's entry in @m; when new or stale, set to USTACK_UNKNOWN with *@ask true, for the caller to
 * learn it (again).  NULL when out of memory.
 */
static uint64_t *entry(struct frec_hashmap *m, uint32_t key, bool *ask)
{
	bool added;
	uint64_t *slot = frec_hashmap__slot(m, key, &added);

	*ask = slot && (added || *slot == USTACK_STALE);
	if (*ask)
		*slot = USTACK_UNKNOWN;
	return slot;
}

/* Where process @pid's main thread stack starts (/proc/PID/stat), read once per process image. */
static uint64_t stack_start(struct rec_ustack *u, uint32_t pid)
{
	uint64_t v, *slot;
	char path[48], buf[1024];
	ssize_t n;
	bool ask;

	slot = entry(&u->starts, pid, &ask);
	if (!slot || !ask)
		return slot ? *slot : USTACK_UNKNOWN;
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

/*
 * Thread @tid's robust futex list head, asked once per thread.  The kernel answers whoever may
 * read the thread's state (the check perf_event_open() made to sample it); a thread that did not
 * register one (not a glibc thread) has none.
 */
static uint64_t robust_head(struct rec_ustack *u, uint32_t tid)
{
	uint64_t *slot;
	void *head = NULL;
	size_t len = 0;
	bool ask;

	if (!tid) /* to the kernel, this thread */
		return USTACK_UNKNOWN;
	slot = entry(&u->heads, tid, &ask);
	if (!slot)
		return USTACK_UNKNOWN;
	if (ask && !syscall(SYS_get_robust_list, (int)tid, &head, &len) && (uintptr_t)head > USTACK_STALE)
		*slot = (uintptr_t)head;
	return *slot;
}
#endif

void rec_ustack__cut(struct rec_ustack *u, struct trace_sample *s)
{
#if defined(__x86_64__)
	uint64_t sp, head, tcb;

	if (!s->stack || !s->stack_dyn_size || s->regs_abi != PERF_SAMPLE_REGS_ABI_64 ||
	    !trace_regs__get(s->regs_mask, s->regs, PERF_REG_X86_SP, &sp))
		return;
	if (s->pid == s->tid)
		cut_at_stack_start(u, s, sp);
	/* Any thread whose descriptor is on its stack: also a process forked by a thread. */
	head = robust_head(u, s->tid);
	if (head == USTACK_UNKNOWN)
		return;
	tcb = rec_tcb__find(s->stack, s->stack_dyn_size, sp, head);
	if (tcb)
		s->stack_dyn_size = tcb - sp;
#else
	(void)u;
	(void)s;
#endif
}

uint64_t rec_ustack__sp(const struct trace_sample *s)
{
	uint64_t sp = 0;

#if defined(__x86_64__)
	if (s->regs_abi != PERF_SAMPLE_REGS_ABI_64 || !trace_regs__get(s->regs_mask, s->regs, PERF_REG_X86_SP, &sp))
		return 0;
#else
	(void)s;
#endif
	return sp;
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
		if (h->size >= sizeof(*h) + 8 && (h->misc & PERF_RECORD_MISC_COMM_EXEC)) {
			forget(&u->starts, f[0]);
			forget(&u->heads, f[1]);
		}
		break;
	case PERF_RECORD_FORK: /* pid, ppid, tid, ptid */
		/* a new process may reuse a pid, a new thread a tid */
		if (h->size >= sizeof(*h) + 16) {
			if (f[0] != f[1])
				forget(&u->starts, f[0]);
			forget(&u->heads, f[2]);
		}
		break;
	case PERF_RECORD_EXIT: /* pid, ppid, tid, ptid */
		/* dropped, not marked stale: on a system where processes come and go the maps would
		 * otherwise grow with every pid and tid ever sampled */
		if (h->size >= sizeof(*h) + 16) {
			frec_hashmap__del(&u->heads, f[2]);
			if (f[0] == f[2])
				frec_hashmap__del(&u->starts, f[0]);
		}
		break;
	default:
		break;
	}
}
