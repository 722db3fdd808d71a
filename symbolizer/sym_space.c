// SPDX-License-Identifier: MIT
/*
 * Address spaces replayed from a trace's state records (sym_space.h).
 *
 * The records are kept as they come (the per-CPU rings interleave them out of order), then sorted
 * by time, ties in trace order, and replayed: an MMAP ends the mappings it overlaps at its time
 * (their parts outside it continue as new entries, as munmap/mmap do), an exec (COMM with
 * PERF_RECORD_MISC_COMM_EXEC) ends them all, a FORK of a process copies its parent's mappings of
 * that moment, and names follow COMM and FORK per thread.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

#include "frec/compiler.h"
#include "frec/profile.h"
#include "frec/trace.h"
#include "sym_dso.h"
#include "sym_space.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"

void sym_spaces__init(struct sym_spaces *s, struct frec_profile *p, struct sym_dsos *dsos)
{
	*s = (struct sym_spaces){ .p = p, .dsos = dsos };
	frec_hashmap__init(&s->proc_index);
	frec_hashmap__init(&s->thread_index);
}

void sym_spaces__exit(struct sym_spaces *s)
{
	for (size_t i = 0; i < s->nr_procs; i++) {
		struct sym_proc *p = &s->procs[i];

		free(p->maps);
		sym_ranges__exit(&p->index);
		free(p->changes);
		sym_table__exit(&p->jit);
	}
	free(s->procs);
	frec_hashmap__exit(&s->proc_index);
	for (size_t i = 0; i < s->nr_threads; i++)
		free(s->threads[i].comms);
	free(s->threads);
	frec_hashmap__exit(&s->thread_index);
	free(s->state_buf);
	free(s->states);
}

static struct sym_proc *proc_get(struct sym_spaces *s, int32_t pid, bool create)
{
	struct sym_proc *p;
	uint64_t v;

	if (frec_hashmap__find(&s->proc_index, (uint32_t)pid, &v))
		return &s->procs[v];
	if (!create || frec_array__grow((void **)&s->procs, &s->procs_cap, s->nr_procs + 1, sizeof(*s->procs)))
		return NULL;
	p = &s->procs[s->nr_procs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->jit_dso = SYM_DSO_NONE;
	sym_table__init(&p->jit);
	if (frec_hashmap__set(&s->proc_index, (uint32_t)pid, s->nr_procs))
		return NULL;
	s->nr_procs++;
	return p;
}

struct sym_proc *sym_spaces__proc(const struct sym_spaces *s, int32_t pid)
{
	uint64_t v;

	return frec_hashmap__find(&s->proc_index, (uint32_t)pid, &v) ? &s->procs[v] : NULL;
}

static struct sym_thread *thread_get(struct sym_spaces *s, int32_t tid, int32_t pid)
{
	struct sym_thread *t;
	uint64_t v;

	if (frec_hashmap__find(&s->thread_index, (uint32_t)tid, &v))
		return &s->threads[v];
	if (frec_array__grow((void **)&s->threads, &s->threads_cap, s->nr_threads + 1, sizeof(*s->threads)))
		return NULL;
	t = &s->threads[s->nr_threads];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = pid;
	if (frec_hashmap__set(&s->thread_index, (uint32_t)tid, s->nr_threads))
		return NULL;
	s->nr_threads++;
	return t;
}

uint32_t sym_spaces__comm(const struct sym_spaces *s, int32_t tid, uint64_t time)
{
	const struct sym_thread *t;
	uint64_t v;
	size_t n;

	if (!frec_hashmap__find(&s->thread_index, (uint32_t)tid, &v))
		return 0;
	t = &s->threads[v];
	if (!t->nr)
		return 0;
	n = sym_search__upper(t->comms, t->nr, sizeof(*t->comms), time);
	return t->comms[n ? n - 1 : 0].name;
}

static int thread_set_comm(struct sym_spaces *s, int32_t tid, int32_t pid, uint64_t time, uint32_t name)
{
	struct sym_thread *t = thread_get(s, tid, pid);

	if (!t || frec_array__grow((void **)&t->comms, &t->cap, t->nr + 1, sizeof(*t->comms)))
		return -ENOMEM;
	t->pid = pid;
	t->comms[t->nr++] = (struct sym_comm){ .time = time, .name = name };
	return 0;
}

static int proc_changed(struct sym_proc *p, uint64_t time)
{
	if (p->nr_changes && p->changes[p->nr_changes - 1] == time)
		return 0;
	if (frec_array__grow((void **)&p->changes, &p->changes_cap, p->nr_changes + 1, sizeof(*p->changes)))
		return -ENOMEM;
	p->changes[p->nr_changes++] = time;
	return 0;
}

static int proc_add_map(struct sym_proc *p, const struct sym_map *m)
{
	if (frec_array__grow((void **)&p->maps, &p->maps_cap, p->nr_maps + 1, sizeof(*p->maps)))
		return -ENOMEM;
	p->maps[p->nr_maps++] = *m;
	p->sorted = false;
	return 0;
}

/*
 * Map [start, end) at @time: the mappings it overlaps end at @time, and their parts outside it
 * continue as new entries (munmap/mmap semantics).
 */
static int proc_map(struct sym_proc *p, struct sym_map m)
{
	size_t n = p->nr_maps;

	for (size_t i = 0; i < n; i++) {
		struct sym_map old = p->maps[i];

		if (old.t_end <= m.t_start || old.range.end <= m.range.start || old.range.start >= m.range.end)
			continue;
		p->maps[i].t_end = m.t_start;
		if (old.range.start < m.range.start) {
			struct sym_map left = old;

			left.range.end = m.range.start;
			left.t_start = m.t_start;
			if (proc_add_map(p, &left))
				return -ENOMEM;
		}
		if (old.range.end > m.range.end) {
			struct sym_map right = old;

			right.range.start = m.range.end;
			right.pgoff = old.pgoff + (m.range.end - old.range.start);
			right.t_start = m.t_start;
			if (proc_add_map(p, &right))
				return -ENOMEM;
		}
	}
	if (m.range.end > m.range.start && proc_add_map(p, &m))
		return -ENOMEM;
	return proc_changed(p, m.t_start);
}

/* End every mapping of @p at @time (exec, or a pid reused by a new process). */
static int proc_clear(struct sym_proc *p, uint64_t time)
{
	for (size_t i = 0; i < p->nr_maps; i++)
		if (p->maps[i].t_end > time)
			p->maps[i].t_end = time;
	return proc_changed(p, time);
}

static int cmp_map(const void *a, const void *b)
{
	const struct sym_map *x = a, *y = b;

	if (x->range.start != y->range.start)
		return x->range.start < y->range.start ? -1 : 1;
	return x->t_start < y->t_start ? -1 : x->t_start > y->t_start;
}

static int proc_sort(struct sym_proc *p)
{
	int err;

	if (p->sorted)
		return 0;
	if (p->nr_maps)
		qsort(p->maps, p->nr_maps, sizeof(*p->maps), cmp_map);
	err = sym_ranges__index(&p->index, p->maps, p->nr_maps, sizeof(*p->maps));
	if (err)
		return err;
	p->sorted = true;
	return 0;
}

const struct sym_map *sym_proc__find(const struct sym_proc *p, uint64_t addr, uint64_t time)
{
	const struct sym_map *best = NULL;
	size_t pos = sym_ranges__upper(&p->index, addr);

	while (sym_ranges__next(&p->index, addr, &pos)) {
		const struct sym_map *m = &p->maps[pos];

		if (m->t_start <= time && time < m->t_end && (!best || m->t_start > best->t_start))
			best = m;
	}
	return best;
}

size_t sym_proc__generation(const struct sym_proc *p, uint64_t time)
{
	return sym_search__upper(p->changes, p->nr_changes, sizeof(*p->changes), time);
}

int sym_spaces__save(struct sym_spaces *s, const struct perf_event_header *h, uint64_t time)
{
	size_t size = h->size;

	if (frec_array__grow((void **)&s->state_buf, &s->state_cap, s->state_len + size, 1) ||
	    frec_array__grow((void **)&s->states, &s->states_cap, s->nr_states + 1, sizeof(*s->states)))
		return -ENOMEM;
	memcpy(s->state_buf + s->state_len, h, size);
	s->states[s->nr_states] = (struct sym_state_rec){ .time = time, .off = s->state_len, .seq = s->nr_states };
	s->nr_states++;
	s->state_len += FREC_ALIGN(size, 8);
	if (frec_array__grow((void **)&s->state_buf, &s->state_cap, s->state_len, 1))
		return -ENOMEM;
	return 0;
}

int sym_spaces__add_perf_map(struct sym_spaces *s, int32_t pid, const char *text, size_t len)
{
	struct sym_proc *p = proc_get(s, pid, true);

	if (!p)
		return -ENOMEM;
	/* the recorder splits the text at line ends: each record parses on its own */
	return sym_table__parse_perf_map(&p->jit, text, len);
}

static int cmp_state(const void *a, const void *b)
{
	const struct sym_state_rec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int replay_mmap(struct sym_spaces *s, const struct trace_event *ev, const struct perf_event_header *h,
		       uint64_t time)
{
	struct trace_mmap m;
	char path[4096];
	struct sym_proc *p;
	long dso;

	if (trace_event__parse_mmap(ev, h, &m))
		return 0;
	if (m.filename_len >= sizeof(path) || (int32_t)m.pid == -1 || !m.len || m.addr + m.len < m.addr)
		return 0;
	/* synthesized records may carry no protection; the kernel sends only executable maps unless asked */
	if (m.prot && !(m.prot & PROT_EXEC))
		return 0;
	memcpy(path, m.filename, m.filename_len);
	path[m.filename_len] = '\0';
	p = proc_get(s, (int32_t)m.pid, true);
	dso = sym_dsos__get(s->dsos, path, m.build_id, m.build_id_size,
			    &(struct sym_dso_map){ (int32_t)m.pid, m.addr, m.addr + m.len }, -1);
	if (!p || dso < 0)
		return -ENOMEM;
	return proc_map(p, (struct sym_map){
		.range = { m.addr, m.addr + m.len },
		.pgoff = m.pgoff,
		.t_start = time,
		.t_end = UINT64_MAX,
		.dso = (uint32_t)dso,
	});
}

static int replay_comm(struct sym_spaces *s, const struct trace_event *ev, const struct perf_event_header *h,
		       uint64_t time)
{
	struct trace_comm cm;
	char name[64];
	size_t n;
	int id;

	if (trace_event__parse_comm(ev, h, &cm))
		return 0;
	n = FREC_MIN(cm.comm_len, sizeof(name) - 1);
	memcpy(name, cm.comm, n);
	name[n] = '\0';
	id = frec_profile__intern_str(s->p, name);
	if (id < 0)
		return id;
	if (cm.exec) {
		struct sym_proc *p = proc_get(s, (int32_t)cm.pid, true);

		if (!p || proc_clear(p, time))
			return -ENOMEM;
	}
	return thread_set_comm(s, (int32_t)cm.tid, (int32_t)cm.pid, time, (uint32_t)id);
}

static int replay_fork(struct sym_spaces *s, const struct trace_event *ev, const struct perf_event_header *h,
		       uint64_t time)
{
	struct sym_proc *parent, *child;
	struct trace_task t;
	uint32_t comm;

	if (trace_event__parse_task(ev, h, &t))
		return 0;
	comm = sym_spaces__comm(s, (int32_t)t.ptid, time);
	if (comm && thread_set_comm(s, (int32_t)t.tid, (int32_t)t.pid, time, comm))
		return -ENOMEM;
	if (t.pid == t.ppid)
		return 0; /* a new thread shares its process's mappings */
	child = proc_get(s, (int32_t)t.pid, true);
	if (!child || proc_clear(child, time))
		return -ENOMEM;
	parent = proc_get(s, (int32_t)t.ppid, false);
	if (!parent)
		return 0;
	child = proc_get(s, (int32_t)t.pid, false); /* procs may have moved */
	parent = proc_get(s, (int32_t)t.ppid, false);
	for (size_t i = 0, n = parent->nr_maps; i < n; i++) {
		struct sym_map m = parent->maps[i];

		if (m.t_start > time || m.t_end <= time)
			continue;
		m.t_start = time;
		m.t_end = UINT64_MAX;
		if (proc_add_map(child, &m))
			return -ENOMEM;
	}
	return 0;
}

int sym_spaces__replay(struct sym_spaces *s, const struct trace_event *ev)
{
	int err = 0;

	if (s->nr_states)
		qsort(s->states, s->nr_states, sizeof(*s->states), cmp_state);
	for (size_t i = 0; i < s->nr_states && !err; i++) {
		const struct perf_event_header *h = (const void *)(s->state_buf + s->states[i].off);
		uint64_t t = s->states[i].time;

		switch (h->type) {
		case PERF_RECORD_MMAP:
		case PERF_RECORD_MMAP2:
			err = replay_mmap(s, ev, h, t);
			break;
		case PERF_RECORD_COMM:
			err = replay_comm(s, ev, h, t);
			break;
		case PERF_RECORD_FORK:
			err = replay_fork(s, ev, h, t);
			break;
		default:
			break;
		}
	}
	for (size_t i = 0; i < s->nr_procs && !err; i++) {
		struct sym_proc *p = &s->procs[i];

		err = proc_sort(p);
		if (!err && (p->jit.nr || p->jit.bad_lines)) {
			err = sym_table__finish(&p->jit);
			if (!err && p->jit.bad_lines)
				pr_info("perf map of pid %d: %" PRIu64 " malformed lines skipped", p->pid, p->jit.bad_lines);
		}
	}
	free(s->state_buf);
	s->state_buf = NULL;
	s->state_len = s->state_cap = 0;
	return err;
}
