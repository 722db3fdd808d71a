// SPDX-License-Identifier: MIT
/*
 * pprof export: a profile as a gzip-compressed profile.proto (render/pprof.proto), the format of
 * `go tool pprof`, Grafana Pyroscope, Parca and Google Cloud Profiler.  The messages are built in
 * memory and packed by protobuf-c straight into a zlib deflate stream.
 *
 * What maps to what:
 *   - a sample per call-tree node with self weight; its values are the samples (count) and, when the
 *     profile carries time, the CPU time (nanoseconds: weight x frec_profile__ns_per_weight());
 *     an off-CPU or wall-clock profile, whose weights are nanoseconds and not samples, has one
 *     value, its time, typed "off-cpu" or "wall" (frec_profile__time_kind()) in nanoseconds;
 *   - a location per distinct frame with its chain of inlined frames: a node flagged
 *     FREC_FRAME_INLINED shares its caller's location, whose lines list the innermost function first,
 *     as pprof expects; frec aggregates by symbol, not by instruction, so locations carry no
 *     address (pprof's per-line views work, its disassembly views have nothing to show);
 *   - a function per (name, source file, module);
 *   - a mapping per module, with its file name and recorded build-id, marked symbolized so that
 *     readers do not look the file up again (and have no address range: see above);
 *   - a grouping root (--per-thread, --per-process) becomes a "thread" or "process" label;
 *   - with a baseline, its samples are added negated and labelled pprof::base=true, which is how
 *     `go tool pprof -diff_base` merges two profiles: readers then show the change.
 * Strings from both profiles are interned by content into one table, so the two share functions,
 * locations and mappings.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "frec/array.h"
#include "frec/compiler.h"
#include "frec/hashmap.h"
#include "frec/profile.h"
#include "frec/render.h"
#include "frec/strset.h"
#include "pprof.pb-c.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Function pb_function;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__ValueType pb_value_type;

/* A function: the (name, file, module) string ids of the table. */
struct func {
	uint32_t name, file, module;
};

/* A location: a frame's function and line, and the location it is inlined into (0: none). */
struct loc {
	uint32_t func, line, outer, depth; /* depth: lines in the chain */
};

struct mapping {
	uint32_t file, build_id;
	bool files, lines, inlines;
	uint64_t entered; /* weight of the stacks that enter it (from another mapping or none) */
};

/* A sample before it is packed: its stack is nr_locs location ids at loc_off in loc_ids. */
struct psample {
	size_t loc_off;
	uint32_t nr_locs;
	uint32_t label_key, label_val; /* string ids; 0: no grouping label */
	bool base;
	int64_t value[2];
};

struct pprof {
	struct frec_strset *strs;
	struct func *funcs; /* ids start at 1: [0] unused */
	size_t nr_funcs, funcs_cap;
	struct frec_hashmap func_index; /* hash (probed) -> id */
	struct loc *locs;
	size_t nr_locs, locs_cap;
	struct frec_hashmap loc_index;
	struct mapping *maps;
	size_t nr_maps, maps_cap;
	struct frec_hashmap map_index; /* module string id -> mapping id */
	struct psample *samples;
	size_t nr_samples, samples_cap;
	uint64_t *loc_ids; /* the samples' stacks, leaf first, one after the other */
	size_t nr_loc_ids, loc_ids_cap;
	bool timed;    /* values are (samples, CPU ns), else (samples) */
	bool ns_only;  /* weights are nanoseconds, not samples: one value, (time ns) */
	const char *time_kind; /* the type of the time value: frec_profile__time_kind() */
};

/* The table's id of @p's string @id (0 stays 0: the table's "" too). */
static int pstr(struct pprof *pp, const struct frec_profile *p, uint32_t id)
{
	return id ? frec_strset__add_str(pp->strs, frec_profile__str(p, id)) : 0;
}

/* The id of the function (name, file, module), added if new. */
static int func_id(struct pprof *pp, uint32_t name, uint32_t file, uint32_t module)
{
	uint64_t key = frec_hash64((uint64_t)name << 32 | file) ^ frec_hash64(module);

	for (;; key++) {
		bool added;
		uint64_t *slot = frec_hashmap__slot(&pp->func_index, key, &added);
		const struct func *f;

		if (!slot)
			return -ENOMEM;
		if (!added) {
			f = &pp->funcs[*slot];
			if (f->name == name && f->file == file && f->module == module)
				return (int)*slot;
			continue;
		}
		if (pp->nr_funcs >= INT32_MAX ||
		    frec_array__grow((void **)&pp->funcs, &pp->funcs_cap, pp->nr_funcs + 1, sizeof(*pp->funcs))) {
			frec_hashmap__del(&pp->func_index, key);
			return -ENOMEM;
		}
		pp->funcs[pp->nr_funcs] = (struct func){ name, file, module };
		*slot = pp->nr_funcs;
		return (int)pp->nr_funcs++;
	}
}

/* The id of the location (function, line) inlined into @outer (0: none), added if new. */
static int loc_id(struct pprof *pp, uint32_t func, uint32_t line, uint32_t outer)
{
	uint64_t key = frec_hash64((uint64_t)func << 32 | line) ^ frec_hash64(outer);

	for (;; key++) {
		bool added;
		uint64_t *slot = frec_hashmap__slot(&pp->loc_index, key, &added);
		const struct loc *l;

		if (!slot)
			return -ENOMEM;
		if (!added) {
			l = &pp->locs[*slot];
			if (l->func == func && l->line == line && l->outer == outer)
				return (int)*slot;
			continue;
		}
		if (pp->nr_locs >= INT32_MAX ||
		    frec_array__grow((void **)&pp->locs, &pp->locs_cap, pp->nr_locs + 1, sizeof(*pp->locs))) {
			frec_hashmap__del(&pp->loc_index, key);
			return -ENOMEM;
		}
		pp->locs[pp->nr_locs] = (struct loc){ func, line, outer, outer ? pp->locs[outer].depth + 1 : 1 };
		*slot = pp->nr_locs;
		return (int)pp->nr_locs++;
	}
}

/* The build-id of @module (a string id of @p) in hex, as a table id; 0 if none was recorded. */
static int build_id_str(struct pprof *pp, const struct frec_profile *p, uint32_t module)
{
	const struct frec_module_stat *st;
	char hex[2 * sizeof(st->build_id) + 1];
	size_t n;

	st = frec_profile__module_stats(p, &n);
	for (size_t i = 0; i < n; i++) {
		if (st[i].module != module || !st[i].build_id_size || st[i].build_id_size > sizeof(st->build_id))
			continue;
		for (size_t k = 0; k < st[i].build_id_size; k++)
			snprintf(hex + 2 * k, 3, "%02x", st[i].build_id[k]);
		return frec_strset__add_str(pp->strs, hex);
	}
	return 0;
}

/* The mapping of @fr's module (@module in the table; 0: none), added if new, with what @fr says of it. */
static int mapping_id(struct pprof *pp, const struct frec_profile *p, const struct frec_frame *fr, uint32_t module)
{
	uint64_t v;
	struct mapping *m;

	if (!module)
		return 0;
	if (!frec_hashmap__find(&pp->map_index, module, &v)) {
		int bid = build_id_str(pp, p, fr->module);

		if (bid < 0 || frec_array__grow((void **)&pp->maps, &pp->maps_cap, pp->nr_maps + 1, sizeof(*pp->maps)))
			return -ENOMEM;
		v = pp->nr_maps;
		if (frec_hashmap__set(&pp->map_index, module, v))
			return -ENOMEM;
		pp->maps[pp->nr_maps++] = (struct mapping){ .file = module, .build_id = (uint32_t)bid };
	}
	m = &pp->maps[v];
	m->files |= fr->file != 0;
	m->lines |= fr->line != 0;
	m->inlines |= (fr->flags & FREC_FRAME_INLINED) != 0;
	return (int)v;
}

static bool is_group(const struct frec_frame *fr)
{
	return fr->kind == FREC_FRAME_PROCESS || fr->kind == FREC_FRAME_THREAD;
}

/* Add a sample of node @id's self weight to @pp.  @loc and @outer as in add_profile(). */
static int add_sample(struct pprof *pp, const struct frec_profile *p, uint32_t id, const uint32_t *loc,
		      const uint32_t *outer, uint32_t group, bool base)
{
	const struct frec_node *n = frec_profile__node(p, id);
	struct psample *s;
	int64_t sign = base ? -1 : 1;

	if (frec_array__grow((void **)&pp->samples, &pp->samples_cap, pp->nr_samples + 1, sizeof(*pp->samples)))
		return -ENOMEM;
	s = &pp->samples[pp->nr_samples];
	*s = (struct psample){ .loc_off = pp->nr_loc_ids, .base = base };
	for (uint32_t k = id; k != FREC_NODE_ROOT && loc[k]; k = outer[k]) {
		if (frec_array__grow((void **)&pp->loc_ids, &pp->loc_ids_cap, pp->nr_loc_ids + 1, sizeof(*pp->loc_ids)))
			return -ENOMEM;
		pp->loc_ids[pp->nr_loc_ids++] = loc[k];
		s->nr_locs++;
	}
	/* ns_only: the weight is the time (ns_per_weight 1), the only value */
	s->value[0] = sign * (int64_t)FREC_MIN(n->self, (uint64_t)INT64_MAX);
	s->value[1] = sign * llround(fmin((double)n->self * frec_profile__ns_per_weight(p), 9e18));
	if (group) {
		const struct frec_frame *g = frec_profile__frame(p, frec_profile__node(p, group)->frame);
		int key = frec_strset__add_str(pp->strs, g->kind == FREC_FRAME_THREAD ? "thread" : "process");
		int val = pstr(pp, p, g->name);

		if (key < 0 || val < 0)
			return -ENOMEM;
		s->label_key = (uint32_t)key;
		s->label_val = (uint32_t)val;
	}
	pp->nr_samples++;
	return 0;
}

/*
 * Add the samples of @p (negated and labelled if @base).  Per node, in id order (parents first):
 * its location (0 for the root and grouping roots), the node whose location is its caller's (the
 * parent of the outermost frame of its inline chain), and the grouping root above it (0: none).
 */
static int add_profile(struct pprof *pp, const struct frec_profile *p, bool base)
{
	uint32_t nr = frec_profile__nr_nodes(p);
	uint32_t *loc = calloc(nr, sizeof(*loc)), *outer = calloc(nr, sizeof(*outer));
	uint32_t *group = calloc(nr, sizeof(*group)), *map = calloc(nr, sizeof(*map));
	int err = -ENOMEM;

	if (!loc || !outer || !group || !map)
		goto out;
	for (uint32_t id = 1; id < nr; id++) {
		const struct frec_node *n = frec_profile__node(p, id);
		const struct frec_frame *fr = frec_profile__frame(p, n->frame);
		int name, file, module, f, m, l;

		group[id] = group[n->parent];
		if (is_group(fr)) {
			group[id] = id;
			continue;
		}
		if ((name = pstr(pp, p, fr->name)) < 0 || (file = pstr(pp, p, fr->file)) < 0 ||
		    (module = pstr(pp, p, fr->module)) < 0)
			goto out;
		f = func_id(pp, (uint32_t)name, (uint32_t)file, (uint32_t)module);
		m = f < 0 ? f : mapping_id(pp, p, fr, (uint32_t)module);
		if (m < 0)
			goto out;
		if (!loc[n->parent] || map[n->parent] != (uint32_t)m)
			pp->maps[m].entered += n->total;
		map[id] = (uint32_t)m;
		/* An inlined frame shares its caller's location, unless the stack was cut below it. */
		if ((fr->flags & FREC_FRAME_INLINED) && loc[n->parent]) {
			l = loc_id(pp, (uint32_t)f, fr->line, loc[n->parent]);
			outer[id] = outer[n->parent];
		} else {
			l = loc_id(pp, (uint32_t)f, fr->line, 0);
			outer[id] = n->parent;
		}
		if (l < 0)
			goto out;
		loc[id] = (uint32_t)l;
		if (n->self && add_sample(pp, p, id, loc, outer, group[id], base))
			goto out;
	}
	err = 0;
out:
	free(loc);
	free(outer);
	free(group);
	free(map);
	return err;
}

/* ---- packing ------------------------------------------------------------------------------------ */

/* protobuf-c's output: bytes appended are deflated (gzip) into @f. */
struct gz_out {
	ProtobufCBuffer base;
	z_stream zs;
	FILE *f;
	int err;
	unsigned char buf[1 << 16];
};

static void gz_write(struct gz_out *g, const uint8_t *data, size_t len, int flush)
{
	g->zs.next_in = (Bytef *)(uintptr_t)data;
	g->zs.avail_in = (uInt)len;
	do {
		int r;

		g->zs.next_out = g->buf;
		g->zs.avail_out = sizeof(g->buf);
		r = deflate(&g->zs, flush);
		if (r == Z_STREAM_ERROR) {
			g->err = -EIO;
			return;
		}
		if (fwrite(g->buf, 1, sizeof(g->buf) - g->zs.avail_out, g->f) != sizeof(g->buf) - g->zs.avail_out)
			g->err = -EIO;
	} while (!g->err && (g->zs.avail_out == 0 || g->zs.avail_in));
}

static void gz_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct gz_out *g = (struct gz_out *)b;

	/* uInt is 32 bits: feed large runs in pieces */
	while (!g->err && len) {
		size_t n = FREC_MIN(len, (size_t)1 << 30);

		gz_write(g, data, n, Z_NO_FLUSH);
		data += n;
		len -= n;
	}
}

/* Pack @msg gzip-compressed into @f.  0, -ENOMEM or -EIO. */
static int pack(const pb_profile *msg, FILE *f)
{
	struct gz_out *g = calloc(1, sizeof(*g));
	int err;

	if (!g)
		return -ENOMEM;
	g->base.append = gz_append;
	g->f = f;
	/* 15 + 16: a gzip header (no name, no time: the same profile gives the same bytes) */
	if (deflateInit2(&g->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(g);
		return -ENOMEM;
	}
	perftools__profiles__profile__pack_to_buffer(msg, &g->base);
	if (!g->err)
		gz_write(g, NULL, 0, Z_FINISH);
	deflateEnd(&g->zs);
	err = g->err;
	free(g);
	return err ? err : ferror(f) ? -EIO : 0;
}

/* Comments readers show with the profile: where it came from. */
static int add_comments(struct pprof *pp, const struct frec_profile *p, const struct frec_profile *base,
			int64_t *ids, size_t *n)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	char buf[4096];
	int id;

	*n = 0;
	snprintf(buf, sizeof(buf), "frec %s", PACKAGE_VERSION);
	if ((id = frec_strset__add_str(pp->strs, buf)) < 0)
		return id;
	ids[(*n)++] = id;
	if (m->command) {
		snprintf(buf, sizeof(buf), "command: %s", frec_profile__str(p, m->command));
		if ((id = frec_strset__add_str(pp->strs, buf)) < 0)
			return id;
		ids[(*n)++] = id;
	}
	if (m->event) {
		snprintf(buf, sizeof(buf), "event: %s", frec_profile__str(p, m->event));
		if ((id = frec_strset__add_str(pp->strs, buf)) < 0)
			return id;
		ids[(*n)++] = id;
	}
	if (base) {
		snprintf(buf, sizeof(buf), "baseline (negative values, label pprof::base=true): %s",
			 frec_profile__str(base, frec_profile__meta_const(base)->source));
		if ((id = frec_strset__add_str(pp->strs, buf)) < 0)
			return id;
		ids[(*n)++] = id;
	}
	snprintf(buf, sizeof(buf), "%s%s", base ? "new: " : "source: ", frec_profile__str(p, m->source));
	if ((id = frec_strset__add_str(pp->strs, buf)) < 0)
		return id;
	ids[(*n)++] = id;
	return 0;
}

/*
 * The mapping readers take for the main binary is the first: the one most stacks pass through,
 * among files that are no shared library or pseudo-file ("[vdso]"), as pprof's own heuristic.
 */
static uint32_t main_mapping(const struct pprof *pp)
{
	uint32_t best = 1;
	uint64_t most = 0;

	for (uint32_t i = 1; i < pp->nr_maps; i++) {
		const char *file = frec_strset__str(pp->strs, pp->maps[i].file);
		const char *base = strrchr(file, '/');

		base = base ? base + 1 : file;
		if (*base == '[' || strstr(base, ".so.") || (strlen(base) > 3 && !strcmp(base + strlen(base) - 3, ".so")))
			continue;
		if (pp->maps[i].entered > most) {
			most = pp->maps[i].entered;
			best = i;
		}
	}
	return best;
}

/* Mapping @i's id in the output: main_mapping() first, the others in order. */
static uint64_t mapping_out(uint32_t i, uint32_t main)
{
	return i == main ? 1 : i < main ? i + 1 : i;
}

/* Build the message from @pp and pack it; every array is borrowed or freed here. */
static int write_message(struct pprof *pp, const struct frec_profile *p, const struct frec_profile *base, FILE *f)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	pb_profile msg = PERFTOOLS__PROFILES__PROFILE__INIT;
	pb_value_type types[2] = { PERFTOOLS__PROFILES__VALUE_TYPE__INIT, PERFTOOLS__PROFILES__VALUE_TYPE__INIT };
	pb_value_type period = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	pb_value_type *type_ptrs[2] = { &types[0], &types[1] };
	size_t nr_lines = 0, nr_labels = 0, nr_types = pp->timed && !pp->ns_only ? 2 : 1;
	pb_sample *samples = calloc(pp->nr_samples + 1, sizeof(*samples));
	pb_sample **sample_ptrs = calloc(pp->nr_samples + 1, sizeof(*sample_ptrs));
	pb_label *labels = calloc(2 * pp->nr_samples + 1, sizeof(*labels));
	pb_label **label_ptrs = calloc(2 * pp->nr_samples + 1, sizeof(*label_ptrs));
	int64_t *values = calloc(nr_types * pp->nr_samples + 1, sizeof(*values));
	pb_location *locs = calloc(pp->nr_locs, sizeof(*locs));
	pb_location **loc_ptrs = calloc(pp->nr_locs, sizeof(*loc_ptrs));
	pb_function *funcs = calloc(pp->nr_funcs, sizeof(*funcs));
	pb_function **func_ptrs = calloc(pp->nr_funcs, sizeof(*func_ptrs));
	pb_mapping *maps = calloc(pp->nr_maps, sizeof(*maps));
	pb_mapping **map_ptrs = calloc(pp->nr_maps, sizeof(*map_ptrs));
	pb_line *lines = NULL;
	pb_line **line_ptrs = NULL;
	char **strings = NULL;
	int64_t comments[8];
	size_t nr_comments;
	uint32_t main = main_mapping(pp);
	int s_samples, s_count, s_time, s_ns, s_base, s_true, s_event;
	int err = -ENOMEM;

	for (size_t i = 1; i < pp->nr_locs; i++)
		nr_lines += pp->locs[i].depth;
	lines = calloc(nr_lines + 1, sizeof(*lines));
	line_ptrs = calloc(nr_lines + 1, sizeof(*line_ptrs));
	if (!samples || !sample_ptrs || !labels || !label_ptrs || !values || !locs || !loc_ptrs || !funcs ||
	    !func_ptrs || !maps || !map_ptrs || !lines || !line_ptrs)
		goto out;
	if ((s_samples = frec_strset__add_str(pp->strs, "samples")) < 0 ||
	    (s_count = frec_strset__add_str(pp->strs, "count")) < 0 ||
	    (s_time = frec_strset__add_str(pp->strs, pp->time_kind)) < 0 ||
	    (s_ns = frec_strset__add_str(pp->strs, "nanoseconds")) < 0 ||
	    (s_base = frec_strset__add_str(pp->strs, "pprof::base")) < 0 ||
	    (s_true = frec_strset__add_str(pp->strs, "true")) < 0 ||
	    (s_event = m->event ? pstr(pp, p, m->event) : s_samples) < 0 ||
	    add_comments(pp, p, base, comments, &nr_comments))
		goto out;

	/* Every string is in the table now: it no longer moves. */
	strings = calloc(frec_strset__count(pp->strs), sizeof(*strings));
	if (!strings)
		goto out;
	for (uint32_t i = 0; i < frec_strset__count(pp->strs); i++)
		strings[i] = (char *)(uintptr_t)frec_strset__str(pp->strs, i);

	types[0].type = pp->ns_only ? s_time : s_samples;
	types[0].unit = pp->ns_only ? s_ns : s_count;
	types[1].type = s_time;
	types[1].unit = s_ns;
	if (pp->timed) {
		period.type = s_time;
		period.unit = s_ns;
		msg.period = llround(frec_profile__ns_per_weight(p));
		msg.default_sample_type = s_time;
	} else {
		/* no time: one sample stands for m->period occurrences of the event, if known */
		period.type = s_event;
		period.unit = s_count;
		msg.period = m->period ? (int64_t)FREC_MIN(m->period, (uint64_t)INT64_MAX) : 1;
	}

	for (size_t i = 0, l = 0; i < pp->nr_samples; i++) {
		const struct psample *ps = &pp->samples[i];
		pb_sample *s = &samples[i];

		*s = (pb_sample)PERFTOOLS__PROFILES__SAMPLE__INIT;
		s->n_location_id = ps->nr_locs;
		s->location_id = pp->loc_ids + ps->loc_off;
		s->n_value = nr_types;
		s->value = values + nr_types * i;
		memcpy(s->value, ps->value, nr_types * sizeof(*s->value));
		s->label = label_ptrs + l;
		if (ps->label_key) {
			labels[nr_labels] = (pb_label)PERFTOOLS__PROFILES__LABEL__INIT;
			labels[nr_labels].key = ps->label_key;
			labels[nr_labels].str = ps->label_val;
			label_ptrs[l++] = &labels[nr_labels++];
		}
		if (ps->base) {
			labels[nr_labels] = (pb_label)PERFTOOLS__PROFILES__LABEL__INIT;
			labels[nr_labels].key = s_base;
			labels[nr_labels].str = s_true;
			label_ptrs[l++] = &labels[nr_labels++];
		}
		s->n_label = (size_t)(label_ptrs + l - s->label);
		sample_ptrs[i] = s;
	}

	for (size_t i = 1, k = 0; i < pp->nr_locs; i++) {
		pb_location *l = &locs[i - 1];

		*l = (pb_location)PERFTOOLS__PROFILES__LOCATION__INIT;
		l->id = i;
		l->line = line_ptrs + k;
		/* innermost first: this location's own frame, then the ones it is inlined into */
		for (uint32_t o = (uint32_t)i; o; o = pp->locs[o].outer) {
			lines[k] = (pb_line)PERFTOOLS__PROFILES__LINE__INIT;
			lines[k].function_id = pp->locs[o].func;
			lines[k].line = pp->locs[o].line;
			line_ptrs[k] = &lines[k];
			k++;
		}
		l->n_line = pp->locs[i].depth;
		/* the mapping is the outermost frame's module: the code is there */
		{
			uint32_t o = (uint32_t)i;
			uint64_t mid;

			while (pp->locs[o].outer)
				o = pp->locs[o].outer;
			if (frec_hashmap__find(&pp->map_index, pp->funcs[pp->locs[o].func].module, &mid))
				l->mapping_id = mapping_out((uint32_t)mid, main);
		}
		loc_ptrs[i - 1] = l;
	}

	for (size_t i = 1; i < pp->nr_funcs; i++) {
		pb_function *fn = &funcs[i - 1];

		*fn = (pb_function)PERFTOOLS__PROFILES__FUNCTION__INIT;
		fn->id = i;
		fn->name = pp->funcs[i].name;
		fn->system_name = pp->funcs[i].name;
		fn->filename = pp->funcs[i].file;
		func_ptrs[i - 1] = fn;
	}

	for (size_t i = 1; i < pp->nr_maps; i++) {
		pb_mapping *mp = &maps[mapping_out((uint32_t)i, main) - 1];

		*mp = (pb_mapping)PERFTOOLS__PROFILES__MAPPING__INIT;
		mp->id = mapping_out((uint32_t)i, main);
		mp->filename = pp->maps[i].file;
		mp->build_id = pp->maps[i].build_id;
		mp->has_functions = true;
		mp->has_filenames = pp->maps[i].files;
		mp->has_line_numbers = pp->maps[i].lines;
		mp->has_inline_frames = pp->maps[i].inlines;
		map_ptrs[mp->id - 1] = mp;
	}

	msg.n_sample_type = nr_types;
	msg.sample_type = type_ptrs;
	msg.n_sample = pp->nr_samples;
	msg.sample = sample_ptrs;
	msg.n_location = pp->nr_locs - 1;
	msg.location = loc_ptrs;
	msg.n_function = pp->nr_funcs - 1;
	msg.function = func_ptrs;
	msg.n_mapping = pp->nr_maps - 1;
	msg.mapping = map_ptrs;
	msg.n_string_table = frec_strset__count(pp->strs);
	msg.string_table = strings;
	msg.time_nanos = (int64_t)FREC_MIN(m->start_realtime_ns, (uint64_t)INT64_MAX);
	msg.duration_nanos = (int64_t)FREC_MIN(m->duration_ns, (uint64_t)INT64_MAX);
	msg.period_type = &period;
	msg.n_comment = nr_comments;
	msg.comment = comments;
	err = pack(&msg, f);
out:
	free(samples);
	free(sample_ptrs);
	free(labels);
	free(label_ptrs);
	free(values);
	free(locs);
	free(loc_ptrs);
	free(funcs);
	free(func_ptrs);
	free(maps);
	free(map_ptrs);
	free(lines);
	free(line_ptrs);
	free(strings);
	return err;
}

int render_pprof__write(const struct frec_profile *p, const struct frec_profile *base, FILE *f)
{
	struct pprof pp = {
		.timed = frec_profile__ns_per_weight(p) > 0 && (!base || frec_profile__ns_per_weight(base) > 0),
		.ns_only = !strcmp(frec_profile__str(p, frec_profile__meta_const(p)->unit), "ns") &&
			   (!base || !strcmp(frec_profile__str(base, frec_profile__meta_const(base)->unit), "ns")),
		.time_kind = frec_profile__time_kind(p),
		/* id 0 of each table is unused: pprof's ids start at 1 */
		.nr_funcs = 1,
		.nr_locs = 1,
		.nr_maps = 1,
	};
	int err = -ENOMEM;

	frec_hashmap__init(&pp.func_index);
	frec_hashmap__init(&pp.loc_index);
	frec_hashmap__init(&pp.map_index);
	pp.strs = frec_strset__new();
	if (!pp.strs || frec_array__grow((void **)&pp.funcs, &pp.funcs_cap, 1, sizeof(*pp.funcs)) ||
	    frec_array__grow((void **)&pp.locs, &pp.locs_cap, 1, sizeof(*pp.locs)) ||
	    frec_array__grow((void **)&pp.maps, &pp.maps_cap, 1, sizeof(*pp.maps)))
		goto out;
	pp.locs[0] = (struct loc){ 0 };
	err = add_profile(&pp, p, false);
	if (!err && base)
		err = add_profile(&pp, base, true);
	if (!err)
		err = write_message(&pp, p, base, f);
out:
	frec_strset__free(pp.strs);
	free(pp.funcs);
	free(pp.locs);
	free(pp.maps);
	free(pp.samples);
	free(pp.loc_ids);
	frec_hashmap__exit(&pp.func_index);
	frec_hashmap__exit(&pp.loc_index);
	frec_hashmap__exit(&pp.map_index);
	return err;
}
