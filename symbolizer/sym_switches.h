/* SPDX-License-Identifier: MIT */
/*
 * When each thread left a CPU and came back: the kernel's SWITCH records of an off-CPU recording,
 * kept per thread in time order, so that a switch-out sample (its blocking stack) gets the length
 * of the period off CPU it begins.
 *
 * Private to the symbolizer.
 */
#ifndef FREC_SYM_SWITCHES_H
#define FREC_SYM_SWITCHES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sym_switch_kind {
	SYM_SWITCH_IN,
	SYM_SWITCH_OUT,         /* left the CPU to wait (sleep, lock, I/O...) */
	SYM_SWITCH_OUT_PREEMPT, /* left it still runnable: another task took the CPU */
};

struct sym_switch {
	uint64_t time;
	uint32_t tid;
	uint32_t kind; /* enum sym_switch_kind */
};

struct sym_switches {
	struct sym_switch *v;
	size_t nr, cap;
	bool sorted;
};

/* What sym_switches__period() found. */
enum sym_off_period {
	SYM_OFF_BLOCKED,   /* the thread waited, and came back after *len ns */
	SYM_OFF_PREEMPTED, /* it was preempted (runnable all along), back after *len ns */
	SYM_OFF_OPEN,      /* it had not come back when the recording ended: *len runs to its end */
};

void sym_switches__init(struct sym_switches *sw);
void sym_switches__exit(struct sym_switches *sw);

/** sym_switches__add() - thread @tid switched (@kind) at @time.  0 or -ENOMEM. */
int sym_switches__add(struct sym_switches *sw, uint32_t tid, uint64_t time, enum sym_switch_kind kind);

/** sym_switches__finish() - sort what was added; call before sym_switches__period(). */
void sym_switches__finish(struct sym_switches *sw);

/**
 * sym_switches__period() - the period off CPU that begins with the switch-out of thread @tid
 * sampled at @time (the sample is taken just before the kernel's SWITCH record of the same switch):
 * it ends at the thread's first switch in after @time, or at @end (the recording's end) when there
 * is none.  It was a preemption when a switch out between the two says so.  Sets *@len (ns).
 */
enum sym_off_period sym_switches__period(const struct sym_switches *sw, uint32_t tid, uint64_t time, uint64_t end,
					 uint64_t *len);

/**
 * sym_switches__on_cpu() - the time thread @tid spent on a CPU: from each switch in to the next
 * switch out (its exit counts as one), the first switch out without a switch in before it from
 * @start, a last switch in without a switch out after it until @end.
 */
uint64_t sym_switches__on_cpu(const struct sym_switches *sw, uint32_t tid, uint64_t start, uint64_t end);

/**
 * sym_switches__off_cpu() - the time thread @tid spent off CPU: from each switch out to the next
 * switch in, or to @end.
 */
uint64_t sym_switches__off_cpu(const struct sym_switches *sw, uint32_t tid, uint64_t end);

#endif /* FREC_SYM_SWITCHES_H */
