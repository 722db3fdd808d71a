// SPDX-License-Identifier: MIT
/*
 * Trace -> profile: the orchestrator of the symbolizer's objects.
 *
 *   sym_modules  the registry of ELF files, shared by the namer and the unwinder
 *   sym_dsos     the objects the processes mapped, with their statistics
 *   sym_spaces   the processes' address spaces and threads, replayed in time order
 *   sym_namer    each unique (object, address) named once
 *   sym_stacks   each sample's stack (unwound when the trace calls for it) into the call tree
 *
 * Two passes over the trace: the first collects what describes the processes (MMAP/MMAP2, COMM,
 * FORK, EXIT), the kallsyms snapshot, JIT perf maps, build-ids and totals, without decompressing
 * the frames that hold nothing but samples; the address spaces are then replayed.  The second
 * adds each sample that passes the filters.  For an off-CPU profile, the first pass also keeps each
 * thread's switches (sym_switches), and the second weighs each switch-out sample by the time its
 * thread stayed off CPU.  At the end, compressed debug files whose DWARF had
 * to be inflated are kept uncompressed in opts->cache_dir.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frec/error.h"
#include "frec/hashmap.h"
#include "frec/profile.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"
#include "sym_ctx.h"
#include "sym_dso.h"
#include "sym_modules.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"


/* Tell the caller how far a pass has come. */
static void progress(struct sym_ctx *c, int pass)
{
	const struct trace_status *st;

	if (!c->opts->progress)
		return;
	st = trace_reader__status(c->r);
	c->opts->progress(c->opts->progress_ctx, pass, st->pos, st->file_bytes);
}

/* ---- pass 1: collect ---------------------------------------------------------------------------- */

static const struct trace_event *id_event(const struct sym_ctx *c, const struct trace_sample_id *id)
{
	return trace_reader__event_by_id(c->r, id->id);
}

static int collect_text(struct sym_ctx *c, const struct perf_event_header *h)
{
	const struct trace_text *t = (const void *)h;
	uint32_t size = trace_rec__size(h);
	const char *text = (const char *)(t + 1);

	if (size < sizeof(*t) || t->len > size - sizeof(*t))
		return 0;
	if (h->type == TRACE_REC_KSYMS)
		return sym_namer__add_kallsyms(&c->namer, text, t->len);
	return sym_spaces__add_perf_map(&c->spaces, t->pid, text, t->len);
}

static int collect_build_id(struct sym_ctx *c, const struct perf_event_header *h)
{
	const struct trace_build_id *b = (const void *)h;
	uint32_t size = trace_rec__size(h);
	const char *path = (const char *)(b + 1);

	if (size <= sizeof(*b) || b->size > sizeof(b->build_id) || !memchr(path, '\0', size - sizeof(*b)))
		return 0;
	return sym_modules__add_build_id(c->mods, path, b->build_id, b->size);
}

static int collect_switch(struct sym_ctx *c, const struct perf_event_header *h)
{
	struct trace_sample_id id;
	struct trace_switch sw;

	if (trace_reader__parse_id(c->r, h, &id) || !id.valid || trace_event__parse_switch(id_event(c, &id), h, &sw))
		return 0;
	return sym_switches__add(&c->switches, id.tid, id.time,
				 !sw.out ? SYM_SWITCH_IN : sw.preempt ? SYM_SWITCH_OUT_PREEMPT : SYM_SWITCH_OUT);
}

/* One more CPU sample of thread @tid. */
static int count_cpu_sample(struct sym_ctx *c, uint32_t tid)
{
	bool added;
	uint64_t *v = frec_hashmap__slot(&c->cpu_count, tid, &added);

	if (!v)
		return -ENOMEM;
	++*v;
	return 0;
}

/* Pass 1: the state records, and the number and time span of the samples (frames that hold nothing
 * else are not even decompressed: their summaries have both). */
static int pass1(struct sym_ctx *c)
{
	const struct trace_status *st = trace_reader__status(c->r);
	const struct trace_event *ev = trace_reader__event(c->r, 0);
	const struct perf_event_header *h;
	int ret, err = 0;

	/* wall-clock weights need every thread's CPU samples counted */
	trace_reader__skip_samples(c->r, c->opts->weight != SYM_WEIGHT_WALL);
	while ((ret = trace_reader__next(c->r, &h)) > 0) {
		struct trace_sample_id id;
		struct trace_sample s;
		struct trace_lost l;

		if ((c->nr_samples & 1023) == 0)
			progress(c, 0);
		switch (h->type) {
		case PERF_RECORD_SAMPLE:
			if (trace_reader__parse_sample(c->r, h, &s))
				break;
			if (c->opts->weight == SYM_WEIGHT_WALL && s.event != c->off_ev &&
			    (err = count_cpu_sample(c, s.tid)))
				break;
			if (!c->nr_samples++ || s.time < c->first_time)
				c->first_time = s.time;
			if (s.time > c->last_time)
				c->last_time = s.time;
			break;
		case PERF_RECORD_MMAP:
		case PERF_RECORD_MMAP2:
		case PERF_RECORD_COMM:
		case PERF_RECORD_FORK:
		case PERF_RECORD_EXIT:
			if (trace_reader__parse_id(c->r, h, &id))
				break;
			err = sym_spaces__save(&c->spaces, h, id.valid ? id.time : 0);
			/* a thread's end is its last switch out */
			if (!err && h->type == PERF_RECORD_EXIT && c->opts->weight != SYM_WEIGHT_CPU && id.valid)
				err = sym_switches__add(&c->switches, id.tid, id.time, SYM_SWITCH_OUT);
			break;
		case PERF_RECORD_SWITCH:
		case PERF_RECORD_SWITCH_CPU_WIDE:
			if (c->opts->weight != SYM_WEIGHT_CPU)
				err = collect_switch(c, h);
			break;
		case PERF_RECORD_LOST:
			if (!trace_event__parse_lost(ev, h, &l))
				c->lost += l.lost;
			break;
		case TRACE_REC_KSYMS:
		case TRACE_REC_PERF_MAP:
			err = collect_text(c, h);
			break;
		case TRACE_REC_BUILD_ID:
			err = collect_build_id(c, h);
			break;
		default:
			break;
		}
		if (err)
			break;
	}
	trace_reader__skip_samples(c->r, false);
	if (err)
		return err;
	if (st->skipped_samples) {
		if (!c->nr_samples || st->skipped_first_ns < c->first_time)
			c->first_time = st->skipped_first_ns;
		if (st->skipped_last_ns > c->last_time)
			c->last_time = st->skipped_last_ns;
		c->nr_samples += st->skipped_samples;
	}
	return ret;
}

/* ---- pass 2: samples ---------------------------------------------------------------------------- */

static bool keep_id(const int32_t *ids, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if ((uint32_t)ids[i] == id)
			return true;
	return false;
}

/* Whether sample @s passes the filters of the options. */
static bool keep_sample(const struct sym_ctx *c, const struct trace_sample *s)
{
	const struct sym_opts *o = c->opts;
	uint64_t rel = s->time - c->start_ns;

	if (o->nr_pids && !keep_id(o->pids, o->nr_pids, s->pid))
		return false;
	if (o->nr_tids && !keep_id(o->tids, o->nr_tids, s->tid))
		return false;
	if ((o->time_start || o->time_end) &&
	    (s->time < c->start_ns || rel < o->time_start || (o->time_end && rel >= o->time_end)))
		return false;
	if (o->comm) {
		uint32_t comm = sym_spaces__comm(&c->spaces, (int32_t)s->tid, s->time);

		if (!comm || strcmp(frec_profile__str(c->p, comm), o->comm))
			return false;
	}
	return true;
}

/*
 * Whether thread @tid was idle all along, like a pool's parked worker, which would drown a
 * wall-clock profile: off CPU for 90% of the samples' time span or more, and on a CPU for 1% of it
 * or less (from its switches: the kernel's own account, unlike a CPU sample that may or may not
 * catch a thread starting).  Decided once per thread; the first time counts it.
 */
static bool idle_thread(struct sym_ctx *c, uint32_t tid)
{
	uint64_t span = c->last_time - c->first_time, *slot;
	bool added;

	slot = frec_hashmap__slot(&c->idle, tid, &added);
	if (slot && added) {
		*slot = c->last_time > c->first_time &&
			sym_switches__off_cpu(&c->switches, tid, c->end_ns) / 9 >= span / 10 &&
			sym_switches__on_cpu(&c->switches, tid, c->first_time, c->end_ns) <= span / 100;
		c->off.idle_threads += *slot;
	}
	return slot && *slot;
}

/* The time off CPU that switch-out sample @s begins, in *@ns; false to leave it out. */
static bool off_cpu_weight(struct sym_ctx *c, const struct trace_sample *s, uint64_t *ns)
{
	struct sym_off_cpu_stats *o = &c->off;
	enum sym_off_period k;

	/* -a: the idle task leaves a CPU when there is work; its time away is not a wait */
	if (!s->tid)
		return false;
	k = sym_switches__period(&c->switches, s->tid, s->time, c->end_ns, ns);

	if (c->opts->weight == SYM_WEIGHT_WALL && idle_thread(c, s->tid)) {
		o->idle_ns += *ns;
		return false;
	}
	if (*ns < c->opts->off_cpu_min_ns || !*ns) {
		o->short_periods++;
		o->short_ns += *ns;
		return false;
	}
	o->periods++;
	o->ns += *ns;
	o->open += k == SYM_OFF_OPEN;
	if (k == SYM_OFF_PREEMPTED) {
		o->preempted++;
		o->preempted_ns += *ns;
	}
	return true;
}

/*
 * The CPU time a CPU sample stands for.  The switch records say exactly how long each thread ran:
 * that time is shared among its CPU samples.  (Their periods would not do: the kernel's frequency
 * estimate for an inherited event lags far behind a thread that runs in short bursts.)  A thread
 * with no switch at all falls back on the period of a software clock, or one period of the
 * sampling frequency.
 */
static int on_cpu_weight(struct sym_ctx *c, const struct trace_sample *s, uint64_t *out)
{
	const struct perf_event_attr *a = &s->event->attr;
	uint64_t ns = 0, n = 0, *slot;
	bool added;

	/* once per thread: the switches of a thread are a walk through all of them */
	slot = frec_hashmap__slot(&c->cpu_weight, s->tid, &added);
	if (!slot)
		return -ENOMEM;
	if (added) {
		ns = sym_switches__on_cpu(&c->switches, s->tid, c->first_time, c->end_ns);
		*slot = ns && frec_hashmap__find(&c->cpu_count, s->tid, &n) && n ? ns / n : 0;
	}
	if (*slot)
		ns = *slot;
	else if (a->type == PERF_TYPE_SOFTWARE &&
		 (a->config == PERF_COUNT_SW_CPU_CLOCK || a->config == PERF_COUNT_SW_TASK_CLOCK))
		ns = s->period;
	else
		ns = a->freq && a->sample_freq ? 1000000000ull / a->sample_freq : s->period;
	c->off.on_cpu_ns += ns;
	*out = ns;
	return 0;
}

static int pass2(struct sym_ctx *c)
{
	const struct perf_event_header *h;
	int ret;

	trace_reader__rewind(c->r);
	c->nr_samples = 0;
	while ((ret = trace_reader__next(c->r, &h)) > 0) {
		struct trace_sample s;
		uint32_t marker = FREC_NONE;
		uint64_t weight = 1;
		bool off;
		int err;

		if (h->type != PERF_RECORD_SAMPLE || trace_reader__parse_sample(c->r, h, &s))
			continue;
		if ((++c->nr_samples & 1023) == 0)
			progress(c, 1);
		off = s.event == c->off_ev;
		c->nr_of_kind += c->opts->weight == SYM_WEIGHT_WALL || off == (c->opts->weight == SYM_WEIGHT_OFF_CPU);
		if (!keep_sample(c, &s) || (c->opts->weight == SYM_WEIGHT_CPU && off) ||
		    (c->opts->weight == SYM_WEIGHT_OFF_CPU && !off))
			continue;
		if (off) {
			if (!off_cpu_weight(c, &s, &weight))
				continue;
			marker = c->off_marker;
		} else if (c->opts->weight == SYM_WEIGHT_WALL) {
			if (idle_thread(c, s.tid))
				continue;
			if (on_cpu_weight(c, &s, &weight))
				return -ENOMEM;
			marker = c->on_marker;
		}
		err = sym_stacks__add(&c->stacks, &s, c->nr_samples, weight, marker, off);
		if (err)
			return err;
	}
	sym_stacks__flush(&c->stacks);
	return ret;
}

/* ---- metadata ----------------------------------------------------------------------------------- */

static int fill_meta(struct sym_ctx *c)
{
	struct frec_profile_meta *m = frec_profile__meta(c->p);
	const struct trace_header *th = trace_reader__header(c->r);
	const struct trace_footer *ft = trace_reader__footer(c->r);
	const struct trace_event *ev = trace_reader__event(c->r, 0);
	const char *s;
	int id;

	if ((s = trace_reader__meta(c->r, "command")) && (id = frec_profile__intern_str(c->p, s)) >= 0)
		m->command = (uint32_t)id;
	if ((s = ev && ev->name && *ev->name ? ev->name : trace_reader__meta(c->r, "event")) &&
	    (id = frec_profile__intern_str(c->p, s)) >= 0)
		m->event = (uint32_t)id;
	if ((s = trace_reader__meta(c->r, "hostname")) && (id = frec_profile__intern_str(c->p, s)) >= 0)
		m->hostname = (uint32_t)id;
	if ((s = trace_reader__meta(c->r, "release")) && (id = frec_profile__intern_str(c->p, s)) >= 0)
		m->release = (uint32_t)id;
	if ((s = trace_reader__meta(c->r, "call_graph")) && (id = frec_profile__intern_str(c->p, s)) >= 0)
		m->call_graph = (uint32_t)id;
	if (c->opts->weight != SYM_WEIGHT_CPU) {
		if ((id = frec_profile__intern_str(c->p, c->opts->weight == SYM_WEIGHT_WALL ? "wall" : TRACE_EVENT_OFF_CPU)) >= 0)
			m->event = (uint32_t)id;
		if ((id = frec_profile__intern_str(c->p, "ns")) >= 0)
			m->unit = (uint32_t)id;
	} else if (ev) {
		if (ev->attr.freq)
			m->freq = ev->attr.sample_freq;
		else
			m->period = ev->attr.sample_period;
	}
	m->start_realtime_ns = th->start_realtime_ns;
	m->samples = c->nr_samples;
	m->lost = ft && ft->lost > c->lost ? ft->lost : c->lost;
	if (ft && ft->end_ns > th->start_ns)
		m->duration_ns = ft->end_ns - th->start_ns;
	else if (c->nr_samples && c->last_time > th->start_ns)
		m->duration_ns = c->last_time - (c->first_time < th->start_ns ? c->first_time : th->start_ns);
	m->truncated = trace_reader__status(c->r)->truncated;
	/*
	 * The user chose the recording's length when frec attached (the header's target is not
	 * "command") or stopped it before the command's end: diffs then suggest CPU time per second.
	 */
	s = trace_reader__meta(c->r, "target");
	m->windowed = (s && strcmp(s, "command")) ||
		      (ft && (ft->flags & (TRACE_FOOTER_DURATION | TRACE_FOOTER_INTERRUPTED)));
	return 0;
}

/* ---- entry point -------------------------------------------------------------------------------- */

static void ctx_exit(struct sym_ctx *c)
{
	sym_stacks__exit(&c->stacks);
	sym_switches__exit(&c->switches);
	frec_hashmap__exit(&c->idle);
	frec_hashmap__exit(&c->cpu_count);
	frec_hashmap__exit(&c->cpu_weight);
	sym_namer__exit(&c->namer);
	sym_spaces__exit(&c->spaces);
	sym_dsos__exit(&c->dsos);
	sym_modules__free(c->mods);
}

/* The frame id of a wall-clock profile's root @name, or -ENOMEM. */
static int marker_frame(struct frec_profile *p, const char *name)
{
	struct frec_frame f = { .kind = FREC_FRAME_THREAD };
	int id = frec_profile__intern_str(p, name);

	if (id < 0)
		return id;
	f.name = (uint32_t)id;
	return frec_profile__add_frame(p, &f);
}

static int ctx_init(struct sym_ctx *c, struct trace_reader *r, const struct sym_opts *opts)
{
	const struct sym_modules_opts mo = {
		.debug_path = opts->debug_path,
		.cache_dir = opts->cache_dir,
		.release = trace_reader__meta(r, "release"),
		.machine = trace_reader__meta(r, "machine"),
	};
	const char *ms = trace_reader__meta(r, "max_stack");
	uint32_t max_stack = ms && atoi(ms) > 0 ? (uint32_t)atoi(ms) : 127;
	int err;

	*c = (struct sym_ctx){ .opts = opts, .r = r, .start_ns = trace_reader__header(r)->start_ns };
	sym_switches__init(&c->switches);
	frec_hashmap__init(&c->idle);
	frec_hashmap__init(&c->cpu_count);
	frec_hashmap__init(&c->cpu_weight);
	c->on_marker = c->off_marker = FREC_NONE;
	for (uint32_t i = 0; i < trace_reader__nr_events(r); i++) {
		const struct trace_event *ev = trace_reader__event(r, i);

		if (ev->name && !strcmp(ev->name, TRACE_EVENT_OFF_CPU))
			c->off_ev = ev;
	}

	c->p = frec_profile__new();
	if (!c->p)
		return -ENOMEM;
	sym_dsos__init(&c->dsos, c->p);
	sym_spaces__init(&c->spaces, c->p, &c->dsos);
	err = sym_modules__new(&mo, &c->mods);
	if (!err)
		err = sym_namer__init(&c->namer, opts, c->p, &c->dsos, c->mods);
	if (!err)
		err = sym_stacks__init(&c->stacks, opts, c->p, &c->spaces, &c->dsos, &c->namer, c->mods,
				       trace_reader__meta(r, "call_graph"), max_stack);
	if (!err && opts->weight != SYM_WEIGHT_CPU && !c->off_ev)
		err = -FREC_E_NO_OFF_CPU;
	if (!err && opts->weight == SYM_WEIGHT_WALL) {
		int on = marker_frame(c->p, FREC_MARKER_ON_CPU), off = marker_frame(c->p, FREC_MARKER_OFF_CPU);

		if (on < 0 || off < 0)
			return -ENOMEM;
		c->on_marker = (uint32_t)on;
		c->off_marker = (uint32_t)off;
	}
	return err;
}

int sym_ctx__run(struct sym_ctx *c, struct trace_reader *r, const struct sym_opts *opts, bool count_ips)
{
	int err = ctx_init(c, r, opts);

	c->stacks.count_ips = count_ips;
	trace_reader__rewind(r);
	if (!err)
		err = pass1(c);
	if (!err) {
		const struct trace_footer *ft = trace_reader__footer(r);

		sym_switches__finish(&c->switches);
		c->end_ns = ft && ft->end_ns > c->last_time ? ft->end_ns : c->last_time;
		err = sym_spaces__replay(&c->spaces, trace_reader__event(r, 0));
	}
	if (!err)
		err = sym_namer__finish(&c->namer);
	if (!err)
		err = fill_meta(c);
	if (!err)
		err = pass2(c);
	if (!err) {
		sym_stacks__log_stats(&c->stacks);
		pr_info("%" PRIu64 " samples, %zu distinct addresses named, %zu ELF files opened, %zu processes, "
			"%" PRIu64 " stacks from the memo of %zu, %" PRIu64 " callers from the memo of %zu",
			c->nr_samples, sym_namer__count(&c->namer), sym_modules__count(c->mods), c->spaces.nr_procs,
			c->stacks.smemo.hits, c->stacks.smemo.nr, c->stacks.cmemo.hits, c->stacks.cmemo.nr);
	}
	if (!err)
		err = sym_dsos__add_stats(&c->dsos, c->p);
	if (!err)
		sym_modules__save_debug(c->mods);
	if (!err)
		err = frec_profile__sort(c->p);
	if (!err) {
		/* the sample count of the metadata is the trace's, before filters (of the profile's
		 * kind: an off-CPU trace's CPU profile does not count the switches) */
		frec_profile__meta(c->p)->samples = c->off_ev ? c->nr_of_kind : c->nr_samples;
		if (c->opts->weight != SYM_WEIGHT_CPU) {
			/* one unit of weight is a nanosecond (frec_profile__ns_per_weight()) */
			frec_profile__meta(c->p)->period_total = c->off.ns + c->off.on_cpu_ns;
			c->off.lost = frec_profile__meta(c->p)->lost;
		}
		if (c->opts->off_cpu_stats)
			*c->opts->off_cpu_stats = c->off;
	}
	return err;
}

void sym_ctx__exit(struct sym_ctx *c)
{
	frec_profile__free(c->p);
	c->p = NULL;
	ctx_exit(c);
}

int sym_profile__from_trace(struct trace_reader *r, const struct sym_opts *opts, struct frec_profile **out)
{
	static const struct sym_opts defaults;
	struct sym_ctx c;
	int err = sym_ctx__run(&c, r, opts ? opts : &defaults, false);

	*out = NULL;
	if (!err) {
		*out = c.p;
		c.p = NULL;
	}
	sym_ctx__exit(&c);
	return err;
}
