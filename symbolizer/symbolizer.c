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
 * adds each sample that passes the filters.  At the end, compressed debug files whose DWARF had
 * to be inflated are kept uncompressed in opts->cache_dir.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frec/profile.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"
#include "sym_dso.h"
#include "sym_modules.h"
#include "sym_namer.h"
#include "sym_space.h"
#include "sym_stacks.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"

struct sym_ctx {
	const struct sym_opts *opts;
	struct trace_reader *r;
	struct frec_profile *p;
	uint64_t start_ns;
	struct sym_modules *mods;
	struct sym_dsos dsos;
	struct sym_spaces spaces;
	struct sym_namer namer;
	struct sym_stacks stacks;
	uint64_t nr_samples, first_time, last_time, lost;
};

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

/* Pass 1: the state records, and the number and time span of the samples (frames that hold nothing
 * else are not even decompressed: their summaries have both). */
static int pass1(struct sym_ctx *c)
{
	const struct trace_status *st = trace_reader__status(c->r);
	const struct trace_event *ev = trace_reader__event(c->r, 0);
	const struct perf_event_header *h;
	int ret, err = 0;

	trace_reader__skip_samples(c->r, true);
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

static int pass2(struct sym_ctx *c)
{
	const struct perf_event_header *h;
	int ret;

	trace_reader__rewind(c->r);
	c->nr_samples = 0;
	while ((ret = trace_reader__next(c->r, &h)) > 0) {
		struct trace_sample s;
		int err;

		if (h->type != PERF_RECORD_SAMPLE || trace_reader__parse_sample(c->r, h, &s))
			continue;
		if ((++c->nr_samples & 1023) == 0)
			progress(c, 1);
		if (!keep_sample(c, &s))
			continue;
		err = sym_stacks__add(&c->stacks, &s, c->nr_samples);
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
	if (ev) {
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
	sym_namer__exit(&c->namer);
	sym_spaces__exit(&c->spaces);
	sym_dsos__exit(&c->dsos);
	sym_modules__free(c->mods);
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
	return err;
}

int sym_profile__from_trace(struct trace_reader *r, const struct sym_opts *opts, struct frec_profile **out)
{
	static const struct sym_opts defaults;
	struct sym_ctx c;
	int err;

	*out = NULL;
	err = ctx_init(&c, r, opts ? opts : &defaults);
	trace_reader__rewind(r);
	if (!err)
		err = pass1(&c);
	if (!err)
		err = sym_spaces__replay(&c.spaces, trace_reader__event(r, 0));
	if (!err)
		err = sym_namer__finish(&c.namer);
	if (!err)
		err = fill_meta(&c);
	if (!err)
		err = pass2(&c);
	if (!err) {
		sym_stacks__log_stats(&c.stacks);
		pr_info("%" PRIu64 " samples, %zu distinct addresses named, %zu ELF files opened, %zu processes, "
			"%" PRIu64 " callers from the memo of %zu",
			c.nr_samples, sym_namer__count(&c.namer), sym_modules__count(c.mods), c.spaces.nr_procs,
			c.stacks.cmemo.hits, c.stacks.cmemo.nr);
	}
	if (!err)
		err = sym_dsos__add_stats(&c.dsos, c.p);
	if (!err)
		sym_modules__save_debug(c.mods);
	if (!err)
		err = frec_profile__sort(c.p);
	if (!err) {
		/* the sample count of the metadata is the trace's, before filters */
		frec_profile__meta(c.p)->samples = c.nr_samples;
		*out = c.p;
		c.p = NULL;
	}
	frec_profile__free(c.p);
	ctx_exit(&c);
	return err;
}
