// SPDX-License-Identifier: MIT
/*
 * Per-thread switch timelines: one array of (thread, time, kind) sorted by thread then time, and a
 * binary search for the switch that ends each period off CPU.  16 bytes per switch: a thread that
 * switches 20,000 times a second for a minute costs 38 MiB, the price of the records themselves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sym_internal.h"
#include "sym_switches.h"

void sym_switches__init(struct sym_switches *sw)
{
	memset(sw, 0, sizeof(*sw));
}

void sym_switches__exit(struct sym_switches *sw)
{
	free(sw->v);
	memset(sw, 0, sizeof(*sw));
}

int sym_switches__add(struct sym_switches *sw, uint32_t tid, uint64_t time, enum sym_switch_kind kind)
{
	if (frec_array__grow((void **)&sw->v, &sw->cap, sw->nr + 1, sizeof(*sw->v)))
		return -ENOMEM;
	sw->v[sw->nr++] = (struct sym_switch){ .time = time, .tid = tid, .kind = kind };
	sw->sorted = false;
	return 0;
}

static int cmp_switch(const void *a, const void *b)
{
	const struct sym_switch *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	/* At one time stamp, a switch out comes before the switch in that ends it. */
	return (int)y->kind - (int)x->kind;
}

void sym_switches__finish(struct sym_switches *sw)
{
	if (!sw->sorted && sw->nr)
		qsort(sw->v, sw->nr, sizeof(*sw->v), cmp_switch);
	sw->sorted = true;
}

/* The first entry at or after (@tid, @time). */
static size_t lower_bound(const struct sym_switches *sw, uint32_t tid, uint64_t time)
{
	size_t lo = 0, hi = sw->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sym_switch *m = &sw->v[mid];

		if (m->tid < tid || (m->tid == tid && m->time < time))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum sym_off_period sym_switches__period(const struct sym_switches *sw, uint32_t tid, uint64_t time, uint64_t end,
					 uint64_t *len)
{
	bool preempted = false;

	for (size_t i = lower_bound(sw, tid, time); i < sw->nr && sw->v[i].tid == tid; i++) {
		const struct sym_switch *s = &sw->v[i];

		if (s->kind == SYM_SWITCH_OUT_PREEMPT)
			preempted = true;
		if (s->kind == SYM_SWITCH_IN && s->time > time) {
			*len = s->time - time;
			return preempted ? SYM_OFF_PREEMPTED : SYM_OFF_BLOCKED;
		}
	}
	*len = end > time ? end - time : 0;
	return SYM_OFF_OPEN;
}

uint64_t sym_switches__on_cpu(const struct sym_switches *sw, uint32_t tid, uint64_t start, uint64_t end)
{
	uint64_t sum = 0, in = start;
	bool on = true, seen = false; /* until a switch says otherwise, it ran from @start */

	for (size_t i = lower_bound(sw, tid, 0); i < sw->nr && sw->v[i].tid == tid; i++, seen = true) {
		const struct sym_switch *s = &sw->v[i];

		if (s->kind == SYM_SWITCH_IN) {
			in = s->time;
			on = true;
			continue;
		}
		if (on && s->time > in)
			sum += s->time - in;
		on = false;
	}
	if (seen && on && end > in)
		sum += end - in;
	return sum;
}

uint64_t sym_switches__off_cpu(const struct sym_switches *sw, uint32_t tid, uint64_t end)
{
	uint64_t sum = 0, out = 0;
	bool off = false;

	for (size_t i = lower_bound(sw, tid, 0); i < sw->nr && sw->v[i].tid == tid; i++) {
		const struct sym_switch *s = &sw->v[i];

		if (s->kind != SYM_SWITCH_IN) {
			if (!off)
				out = s->time;
			off = true;
		} else if (off) {
			sum += s->time > out ? s->time - out : 0;
			off = false;
		}
	}
	if (off && end > out)
		sum += end - out;
	return sum;
}
