// SPDX-License-Identifier: MIT
/*
 * The profile: interned strings, a frame table and a call tree (see include/frec/profile.h).
 *
 * Frames are deduplicated through a table of frame ids probed from the frame's hash (see
 * frec_profile__add_frame()).  A child is found by walking its parent's list of children while the
 * parent has few (most nodes have one or two), and through a map keyed by (parent << 32 | frame)
 * once it has FANOUT_HASHED or more, so adding a stack costs at most a short walk or one hash lookup per
 * frame whatever the fan-out.  Only wide nodes enter the map: a map entry per node made a profile
 * of millions of nodes spend most of its time in cache misses on a table of hundreds of MiB.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/hashmap.h"
#include "frec/profile.h"
#include "frec/strset.h"

struct frec_profile {
	struct frec_strset *strs;
	struct frec_frame *frames;
	uint32_t nr_frames, frames_cap;
	uint64_t *frame_slots;           /* frame index: (id + 1) << 32 | frame_hash() >> 32, 0 if free */
	uint32_t frame_slots_cap;        /* a power of two, or 0 */
	struct frec_node *nodes;
	uint32_t nr_nodes, nodes_cap;
	struct frec_hashmap child_index; /* parent << 32 | frame -> node id, parents with many children */
	uint64_t *hashed;                /* per node, a bit: its children are in child_index */
	uint32_t hashed_cap;             /* nodes it has bits for */
	uint32_t *rank;                  /* per frame: its place in the frames' order, from the last sort */
	uint32_t nr_ranked;              /* frames when it was computed */
	struct frec_profile_meta meta;
	struct frec_module_stat *mods;
	size_t nr_mods, mods_cap;
	struct frec_task *tasks;
	uint32_t nr_tasks, tasks_cap;
	struct frec_hashmap task_index; /* task hash (probed) -> index in tasks */
};

static int grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > UINT32_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	p = realloc(*arr, (size_t)n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

/* Room for @need nodes, and for their bits in hashed (zeroed). */
static int grow_nodes(struct frec_profile *p, uint32_t need)
{
	uint64_t *h;
	size_t words, old_words;

	if (grow((void **)&p->nodes, &p->nodes_cap, need, sizeof(*p->nodes)))
		return -ENOMEM;
	if (p->hashed_cap >= p->nodes_cap)
		return 0;
	words = ((size_t)p->nodes_cap + 63) / 64;
	old_words = ((size_t)p->hashed_cap + 63) / 64;
	h = realloc(p->hashed, words * sizeof(*h));
	if (!h)
		return -ENOMEM;
	memset(h + old_words, 0, (words - old_words) * sizeof(*h));
	p->hashed = h;
	p->hashed_cap = p->nodes_cap;
	return 0;
}

static bool is_hashed(const struct frec_profile *p, uint32_t node)
{
	return p->hashed[node / 64] >> (node % 64) & 1;
}

struct frec_profile *frec_profile__new(void)
{
	struct frec_profile *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	frec_hashmap__init(&p->child_index);
	frec_hashmap__init(&p->task_index);
	p->strs = frec_strset__new();
	if (!p->strs || grow_nodes(p, 1)) {
		frec_profile__free(p);
		return NULL;
	}
	p->nodes[0] = (struct frec_node){
		.frame = FREC_NONE,
		.parent = FREC_NONE,
		.first_child = FREC_NONE,
		.next_sibling = FREC_NONE,
	};
	p->nr_nodes = 1;
	p->meta.unit = (uint32_t)frec_profile__intern_str(p, "samples");
	if ((int)p->meta.unit < 0) {
		frec_profile__free(p);
		return NULL;
	}
	return p;
}

void frec_profile__free(struct frec_profile *p)
{
	if (!p)
		return;
	frec_strset__free(p->strs);
	free(p->frames);
	free(p->nodes);
	free(p->hashed);
	free(p->rank);
	free(p->mods);
	free(p->tasks);
	free(p->frame_slots);
	frec_hashmap__exit(&p->child_index);
	frec_hashmap__exit(&p->task_index);
	free(p);
}

int frec_profile__intern(struct frec_profile *p, const char *str, size_t len)
{
	return frec_strset__add(p->strs, str, len);
}

int frec_profile__intern_str(struct frec_profile *p, const char *str)
{
	return frec_strset__add_str(p->strs, str);
}

const char *frec_profile__str(const struct frec_profile *p, uint32_t id)
{
	const char *s = frec_strset__str(p->strs, id);

	return s ? s : "";
}

static bool frame_eq(const struct frec_frame *a, const struct frec_frame *b)
{
	return a->name == b->name && a->module == b->module && a->file == b->file && a->line == b->line &&
	       a->kind == b->kind && a->flags == b->flags;
}

static uint64_t frame_hash(const struct frec_frame *f)
{
	uint64_t h = frec_hash64((uint64_t)f->name << 32 | f->module);

	h = frec_hash64(h ^ ((uint64_t)f->file << 32 | f->line));
	return frec_hash64(h ^ ((uint64_t)f->kind << 8 | f->flags));
}

/*
 * A frame index for one frame more than there are (at least 256 slots, at most half full), filled
 * again from the frame table.  The old table is freed first and the frames are read in order:
 * growing never holds two tables at once, nor reads the old one at random.
 */
static int frame_index__grow(struct frec_profile *p)
{
	uint32_t cap = 256, mask;

	/* from the frames' count, not the old size: a failed growth leaves no table */
	while ((uint64_t)cap < ((uint64_t)p->nr_frames + 1) * 2) {
		if (cap > UINT32_MAX / 4)
			return -ENOMEM;
		cap *= 2;
	}
	mask = cap - 1;
	free(p->frame_slots);
	p->frame_slots_cap = 0;
	p->frame_slots = calloc(cap, sizeof(*p->frame_slots));
	if (!p->frame_slots)
		return -ENOMEM;
	p->frame_slots_cap = cap;
	for (uint32_t id = 0; id < p->nr_frames; id++) {
		uint64_t h = frame_hash(&p->frames[id]);
		uint32_t i = (uint32_t)h & mask;

		while (p->frame_slots[i])
			i = (i + 1) & mask;
		p->frame_slots[i] = (uint64_t)(id + 1) << 32 | h >> 32;
	}
	return 0;
}

/*
 * Frames are found through an open-addressing table of ids, probed from the frame's hash: a slot
 * holds the id and the upper half of the hash, which skips most other frames without reading
 * them; 8 bytes a slot, half of a general hash map's (profiles of millions of distinct functions
 * have millions of frames).
 */
int frec_profile__add_frame(struct frec_profile *p, const struct frec_frame *f)
{
	uint64_t h = frame_hash(f);
	uint32_t tag = (uint32_t)(h >> 32), mask, i;

	if (p->nr_frames >= INT32_MAX ||
	    grow((void **)&p->frames, &p->frames_cap, p->nr_frames + 1, sizeof(*p->frames)))
		return -ENOMEM;
	/* at most half full */
	if (((uint64_t)p->nr_frames + 1) * 2 > p->frame_slots_cap && frame_index__grow(p))
		return -ENOMEM;
	mask = p->frame_slots_cap - 1;
	for (i = (uint32_t)h & mask; p->frame_slots[i]; i = (i + 1) & mask) {
		uint64_t e = p->frame_slots[i];
		uint32_t id = (uint32_t)(e >> 32) - 1;

		if ((uint32_t)e == tag && frame_eq(&p->frames[id], f))
			return (int)id;
	}
	p->frames[p->nr_frames] = *f;
	p->frame_slots[i] = (uint64_t)(p->nr_frames + 1) << 32 | tag;
	return (int)p->nr_frames++;
}

void frec_profile__trim(struct frec_profile *p)
{
	frec_strset__trim(p->strs);
	/* frame_index__grow() sizes the next table from the frames' count */
	free(p->frame_slots);
	p->frame_slots = NULL;
	p->frame_slots_cap = 0;
}

const struct frec_frame *frec_profile__frame(const struct frec_profile *p, uint32_t id)
{
	return &p->frames[id];
}

uint32_t frec_profile__nr_frames(const struct frec_profile *p)
{
	return p->nr_frames;
}

const char *frec_profile__frame_name(const struct frec_profile *p, uint32_t id)
{
	return frec_profile__str(p, p->frames[id].name);
}

/* A parent with this many children finds them through child_index instead of its list. */
#define FANOUT_HASHED 8

int frec_profile__child(struct frec_profile *p, uint32_t parent, uint32_t frame)
{
	struct frec_node *n;
	uint64_t *slot = NULL;
	uint32_t id, nr_children = 0;
	bool added;

	/* Make room first so that a key is never left pointing past the table. */
	if (p->nr_nodes >= INT32_MAX || grow_nodes(p, p->nr_nodes + 1))
		return -ENOMEM;
	if (!is_hashed(p, parent)) {
		for (uint32_t c = p->nodes[parent].first_child; c != FREC_NONE; c = p->nodes[c].next_sibling, nr_children++)
			if (p->nodes[c].frame == frame)
				return (int)c;
	} else {
		slot = frec_hashmap__slot(&p->child_index, (uint64_t)parent << 32 | frame, &added);
		if (!slot)
			return -ENOMEM;
		if (!added)
			return (int)*slot;
	}
	id = p->nr_nodes++;
	n = &p->nodes[id];
	*n = (struct frec_node){
		.frame = frame,
		.parent = parent,
		.first_child = FREC_NONE,
		.next_sibling = p->nodes[parent].first_child,
	};
	p->nodes[parent].first_child = id;
	if (slot)
		*slot = id;
	if (!slot && nr_children + 1 >= FANOUT_HASHED) {
		/*
		 * The parent just became wide: index all its children, this one included (and again
		 * if indexing them ran out of memory the last time).
		 */
		for (uint32_t c = p->nodes[parent].first_child; c != FREC_NONE; c = p->nodes[c].next_sibling)
			if (frec_hashmap__set(&p->child_index, (uint64_t)parent << 32 | p->nodes[c].frame, c))
				return -ENOMEM;
		p->hashed[parent / 64] |= 1ull << (parent % 64);
	}
	return (int)id;
}

int frec_profile__add_weight(struct frec_profile *p, uint32_t node, uint64_t weight)
{
	/* Every node's total is at most the root's, so if the root's does not wrap, none does. */
	if (weight > UINT64_MAX - p->nodes[FREC_NODE_ROOT].total)
		return -ERANGE;
	p->nodes[node].self += weight;
	for (uint32_t n = node; n != FREC_NONE; n = p->nodes[n].parent)
		p->nodes[n].total += weight;
	return 0;
}

int frec_profile__scale_weights(struct frec_profile *p, uint64_t factor)
{
	/* Every node's total is at most the root's, and its self at most its total. */
	if (factor && p->nodes[FREC_NODE_ROOT].total > UINT64_MAX / factor)
		return -ERANGE;
	for (uint32_t i = 0; i < p->nr_nodes; i++) {
		p->nodes[i].self *= factor;
		p->nodes[i].total *= factor;
	}
	return 0;
}

int frec_profile__add_stack(struct frec_profile *p, const uint32_t *frames, size_t n, uint64_t weight)
{
	return frec_profile__add_stack_at(p, FREC_NODE_ROOT, frames, n, weight);
}

int frec_profile__add_stack_at(struct frec_profile *p, uint32_t node, const uint32_t *frames, size_t n,
			       uint64_t weight)
{
	for (size_t i = 0; i < n; i++) {
		int child = frec_profile__child(p, node, frames[i]);

		if (child < 0)
			return child;
		node = (uint32_t)child;
	}
	if (weight && frec_profile__add_weight(p, node, weight))
		return -ERANGE;
	return (int)node;
}

const struct frec_node *frec_profile__node(const struct frec_profile *p, uint32_t id)
{
	return &p->nodes[id];
}

uint32_t frec_profile__nr_nodes(const struct frec_profile *p)
{
	return p->nr_nodes;
}

uint64_t frec_profile__total(const struct frec_profile *p)
{
	return p->nodes[FREC_NODE_ROOT].total;
}

const char *frec_duration__str(uint64_t ns, char *buf, size_t size)
{
	double s = (double)ns / 1e9;

	/* rounded the way printf rounds, so that 9.996 s is "10.0 s", not "10.00 s" */
	if (s < 9.995)
		snprintf(buf, size, "%.2f s", s);
	else if (s < 99.95)
		snprintf(buf, size, "%.1f s", s);
	else
		snprintf(buf, size, "%.0f s", s);
	return buf;
}

double frec_profile__ns_per_weight(const struct frec_profile *p)
{
	const struct frec_profile_meta *m = &p->meta;
	const char *event = frec_profile__str(p, m->event);

	/* Weights that are nanoseconds already (off-CPU profiles). */
	if (!strcmp(frec_profile__str(p, m->unit), "ns"))
		return 1;
	/* Software clocks count nanoseconds: their periods add up to the CPU time sampled. */
	if (m->period_total && m->health.samples && (!strcmp(event, "cpu-clock") || !strcmp(event, "task-clock")))
		return (double)m->period_total / (double)m->health.samples;
	if (m->freq)
		return 1e9 / (double)m->freq;
	return 0;
}

const char *frec_profile__time_kind(const struct frec_profile *p)
{
	const char *event = frec_profile__str(p, p->meta.event);

	/* the symbolizer names the event of the profiles it weighs by time waited */
	if (!strcmp(event, "off-cpu") || !strcmp(event, "wall"))
		return event;
	return "cpu";
}

const char *frec_profile__time_noun(const struct frec_profile *p)
{
	const char *kind = frec_profile__time_kind(p);

	return !strcmp(kind, "off-cpu") ? "off-CPU time" : !strcmp(kind, "wall") ? "wall-clock time" : "CPU time";
}

static const char *const norm_names[] = {
	[FREC_NORM_DEFAULT] = "default",
	[FREC_NORM_TIME] = "time",
	[FREC_NORM_COUNT] = "count",
	[FREC_NORM_SHARE] = "share",
	[FREC_NORM_RATE] = "rate",
};

const char *frec_norm__name(enum frec_norm norm)
{
	return (unsigned int)norm < FREC_ARRAY_SIZE(norm_names) ? norm_names[norm] : "?";
}

int frec_norm__parse(const char *name, enum frec_norm *out)
{
	for (size_t i = FREC_NORM_TIME; i < FREC_ARRAY_SIZE(norm_names); i++)
		if (!strcmp(name, norm_names[i])) {
			*out = (enum frec_norm)i;
			return 0;
		}
	return -EINVAL;
}

int frec_norm__resolve(const struct frec_profile *a, const struct frec_profile *b, enum frec_norm want)
{
	bool timed = frec_profile__ns_per_weight(a) > 0 && frec_profile__ns_per_weight(b) > 0;

	switch (want) {
	case FREC_NORM_DEFAULT:
		return timed ? FREC_NORM_TIME : FREC_NORM_COUNT;
	case FREC_NORM_RATE:
		if (!a->meta.duration_ns || !b->meta.duration_ns)
			return -FREC_E_NORM_NO_TIME;
		/* fall through */
	case FREC_NORM_TIME:
		return timed ? (int)want : -FREC_E_NORM_NO_TIME;
	default:
		return (int)want;
	}
}

double frec_profile__norm_scale(const struct frec_profile *p, enum frec_norm norm)
{
	uint64_t total = frec_profile__total(p);

	switch (norm) {
	case FREC_NORM_TIME:
		return frec_profile__ns_per_weight(p);
	case FREC_NORM_SHARE:
		return total ? 1.0 / (double)total : 0;
	case FREC_NORM_RATE:
		return p->meta.duration_ns ? frec_profile__ns_per_weight(p) * 1e9 / (double)p->meta.duration_ns : 0;
	case FREC_NORM_COUNT:
	case FREC_NORM_DEFAULT:
	default:
		/* folded stacks with fractional counts weigh in thousandths: compare whole counts */
		return strcmp(frec_profile__str(p, p->meta.unit), FREC_UNIT_THOUSANDTHS) ? 1 : 1.0 / 1000;
	}
}

/* frec_norm__z() of counts that may have fractions (weights counted in samples of a mean weight). */
static double z_of_counts(double nb, double sb, double na, double sa)
{
	double d = na * sa - nb * sb;
	/* A side with no samples still has the noise of a count of one: 0 of n is not certainty. */
	double var = fmax(na, 1) * sa * sa + fmax(nb, 1) * sb * sb;

	if (na <= 0 && nb <= 0)
		return 0;
	return fabs(d) / sqrt(var);
}

double frec_norm__z(uint64_t wb, double sb, uint64_t wa, double sa)
{
	return z_of_counts((double)wb, sb, (double)wa, sa);
}

double frec_diff_norm__z(const struct frec_diff_norm *dn, uint64_t wb, uint64_t wa)
{
	const double *per = dn->per_sample;

	return z_of_counts((double)wb / per[0], dn->scale[0] * per[0], (double)wa / per[1], dn->scale[1] * per[1]);
}

int frec_diff_norm__init(struct frec_diff_norm *dn, const struct frec_profile *before,
			 const struct frec_profile *after, enum frec_norm want)
{
	const struct frec_profile *p[2] = { before, after };
	uint64_t db = before->meta.duration_ns, da = after->meta.duration_ns;
	int norm = frec_norm__resolve(before, after, want);

	if (norm < 0)
		return norm;
	*dn = (struct frec_diff_norm){ .norm = (enum frec_norm)norm, .min_z = FREC_NORM_MIN_Z };
	for (int i = 0; i < 2; i++) {
		uint64_t total = frec_profile__total(p[i]), samples = p[i]->meta.samples;

		dn->scale[i] = frec_profile__norm_scale(p[i], dn->norm);
		dn->total[i] = (double)total * dn->scale[i];
		/* a weight in ns is a sum of waits: counted in waits of the mean length, it varies like a count */
		dn->per_sample[i] = 1;
		if (!strcmp(frec_profile__str(p[i], p[i]->meta.unit), "ns") && samples && total > samples)
			dn->per_sample[i] = (double)total / (double)samples;
	}
	dn->min_size = FREC_NORM_MIN_POINTS / 100 * dn->total[0];
	dn->time = frec_profile__time_noun(before);
	if (strcmp(dn->time, frec_profile__time_noun(after)))
		dn->time = "time";
	if (db && da)
		dn->duration_change = (double)da / (double)db - 1;
	/* Shares and rates do not grow with the duration; times and counts do. */
	dn->suggest_rate = (dn->norm == FREC_NORM_TIME || dn->norm == FREC_NORM_COUNT) &&
			   before->meta.windowed && after->meta.windowed && fabs(dn->duration_change) > 0.10;
	return 0;
}

double frec_diff_norm__delta(const struct frec_diff_norm *dn, uint64_t wb, uint64_t wa)
{
	return (double)wa * dn->scale[1] - (double)wb * dn->scale[0];
}

bool frec_diff_norm__is_change(const struct frec_diff_norm *dn, uint64_t wb, uint64_t wa)
{
	return frec_diff_norm__z(dn, wb, wa) >= dn->min_z &&
	       fabs(frec_diff_norm__delta(dn, wb, wa)) >= dn->min_size;
}

/* "1.23 ms": three significant digits of @v (> 0) in the largest of @units (each 1000x the last) it reaches. */
static void fmt_sig(char *buf, size_t size, const char *sign, double v, const char *const *units, int nr_units)
{
	int u = 0;

	while (u + 1 < nr_units && v >= 999.5) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, "%s%.*f %s", sign, v >= 99.95 ? 0 : v >= 9.995 ? 1 : 2, v, units[u]);
}

/* "1,234,567" */
static void fmt_count(char *buf, size_t size, const char *sign, uint64_t n)
{
	char digits[24], grouped[32];
	int len = snprintf(digits, sizeof(digits), "%" PRIu64, n);
	size_t o = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			grouped[o++] = ',';
		grouped[o++] = digits[i];
	}
	grouped[o] = '\0';
	snprintf(buf, size, "%s%s", sign, grouped);
}

char *frec_norm__fmt(enum frec_norm norm, double v, bool sign, char *buf, size_t size)
{
	static const char *const time_units[] = { "ns", "us", "ms", "s" };
	static const char *const rate_units[] = { "us/s", "ms/s", "s/s" };
	double a = fabs(v);
	/* What reads as zero has no sign of its own: "+0 s", never "-0 s". */
	bool zero = norm == FREC_NORM_SHARE ? a < 0.00005 : norm == FREC_NORM_RATE ? a < 5 : a < 0.5;
	const char *sg = !sign ? "" : v < 0 && !zero ? "-" : "+";

	switch (norm) {
	case FREC_NORM_TIME:
		if (zero)
			snprintf(buf, size, "%s0 s", sg);
		else
			fmt_sig(buf, size, sg, a, time_units, 4);
		break;
	case FREC_NORM_RATE:
		/* ns per second, shown from us/s */
		if (zero)
			snprintf(buf, size, "%s0 ms/s", sg);
		else
			fmt_sig(buf, size, sg, a / 1000, rate_units, 3);
		break;
	case FREC_NORM_SHARE:
		snprintf(buf, size, sign ? "%s%.2f pt" : "%s%.2f%%", sg, zero ? 0 : 100 * a);
		break;
	default:
		fmt_count(buf, size, sg, (uint64_t)llround(a));
		break;
	}
	return buf;
}

char *frec_diff_norm__describe(const struct frec_diff_norm *dn, char *buf, size_t size)
{
	/* how the time was measured, when it is one kind of time */
	const char *how = !strcmp(dn->time, "CPU time")        ? " (samples x period)"
			  : !strcmp(dn->time, "off-CPU time")    ? " (nanoseconds waited)"
			  : !strcmp(dn->time, "wall-clock time") ? " (on and off CPU)"
								 : "";

	switch (dn->norm) {
	case FREC_NORM_TIME:
		snprintf(buf, size, "%s%s", dn->time, how);
		break;
	case FREC_NORM_RATE:
		snprintf(buf, size, "%s per second of recording", dn->time);
		break;
	case FREC_NORM_SHARE:
		snprintf(buf, size, "shares of each profile's total");
		break;
	case FREC_NORM_COUNT:
		snprintf(buf, size, "sample counts");
		break;
	default:
		snprintf(buf, size, "?");
		break;
	}
	return buf;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

int frec_profile__frame_cmp(const struct frec_profile *p, uint32_t a, uint32_t b)
{
	const struct frec_frame *fa = &p->frames[a], *fb = &p->frames[b];
	int c;

	if (a == b)
		return 0;
	if ((c = strcmp(frec_profile__str(p, fa->name), frec_profile__str(p, fb->name))))
		return c;
	if ((c = strcmp(frec_profile__str(p, fa->module), frec_profile__str(p, fb->module))))
		return c;
	if ((c = cmp_u32(fa->kind, fb->kind)) || (c = cmp_u32(fa->flags, fb->flags)))
		return c;
	if ((c = strcmp(frec_profile__str(p, fa->file), frec_profile__str(p, fb->file))))
		return c;
	return cmp_u32(fa->line, fb->line);
}

/*
 * A frame and its name, to sort by: the name decides nearly always, and its first 8 bytes, read as
 * a big-endian number (NUL-padded), decide as strcmp() would without reaching the string.
 */
struct named_frame {
	uint64_t prefix;
	const char *name;
	uint32_t id;
};

static uint64_t name_prefix(const char *name)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8 && name[i]; i++)
		v = v << 8 | (unsigned char)name[i];
	/* NUL-padded; a shift by 64 bits would be undefined */
	return i ? v << (8 * (8 - i)) : 0;
}

static int cmp_named_frames(const void *a, const void *b, void *arg)
{
	const struct named_frame *x = a, *y = b;
	int c;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	c = strcmp(x->name, y->name);
	return c ? c : frec_profile__frame_cmp(arg, x->id, y->id);
}

const uint32_t *frec_profile__frame_rank(const struct frec_profile *p)
{
	return p->rank && p->nr_ranked == p->nr_frames ? p->rank : NULL;
}

/* Children sort by the rank of their frame in the frames' total order. */
struct child_key {
	uint32_t rank;
	uint32_t node;
};

static int cmp_child_keys(const void *a, const void *b)
{
	const struct child_key *x = a, *y = b;

	return cmp_u32(x->rank, y->rank);
}

int frec_profile__sort(struct frec_profile *p)
{
	struct named_frame *order = malloc(((size_t)p->nr_frames + 1) * sizeof(*order));
	uint32_t *rank = malloc(((size_t)p->nr_frames + 1) * sizeof(*rank));
	struct child_key *keys = NULL;
	size_t keys_cap = 0;
	int err = -ENOMEM;

	if (!order || !rank)
		goto out;
	for (uint32_t i = 0; i < p->nr_frames; i++) {
		const char *name = frec_profile__frame_name(p, i);

		order[i] = (struct named_frame){ name_prefix(name), name, i };
	}
	qsort_r(order, p->nr_frames, sizeof(*order), cmp_named_frames, p);
	for (uint32_t i = 0; i < p->nr_frames; i++)
		rank[order[i].id] = i;
	for (uint32_t id = 0; id < p->nr_nodes; id++) {
		struct frec_node *n = &p->nodes[id];
		size_t k = 0;

		for (uint32_t c = n->first_child; c != FREC_NONE; c = p->nodes[c].next_sibling) {
			/* keys as many as the widest node's children, not one per node */
			if (k == keys_cap) {
				size_t cap = keys_cap ? keys_cap * 2 : 64;
				struct child_key *nk = realloc(keys, cap * sizeof(*nk));

				if (!nk)
					goto out;
				keys = nk;
				keys_cap = cap;
			}
			keys[k++] = (struct child_key){ rank[p->nodes[c].frame], c };
		}
		if (k < 2)
			continue;
		qsort(keys, k, sizeof(*keys), cmp_child_keys);
		n->first_child = keys[0].node;
		for (size_t i = 0; i + 1 < k; i++)
			p->nodes[keys[i].node].next_sibling = keys[i + 1].node;
		p->nodes[keys[k - 1].node].next_sibling = FREC_NONE;
	}
	free(p->rank);
	p->rank = rank;
	p->nr_ranked = p->nr_frames;
	rank = NULL;
	err = 0;
out:
	free(order);
	free(rank);
	free(keys);
	return err;
}

struct frec_profile_meta *frec_profile__meta(struct frec_profile *p)
{
	return &p->meta;
}

const struct frec_profile_meta *frec_profile__meta_const(const struct frec_profile *p)
{
	return &p->meta;
}

int frec_profile__add_module_stat(struct frec_profile *p, const struct frec_module_stat *st)
{
	if (p->nr_mods == p->mods_cap) {
		size_t cap = p->mods_cap ? p->mods_cap * 2 : 16;
		struct frec_module_stat *m = realloc(p->mods, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		p->mods = m;
		p->mods_cap = cap;
	}
	p->mods[p->nr_mods++] = *st;
	return 0;
}

const struct frec_module_stat *frec_profile__module_stats(const struct frec_profile *p, size_t *n)
{
	*n = p->nr_mods;
	return p->mods;
}

/*
 * Give @dst (new, empty) @src's strings, metadata, module statistics and tasks.  The same strings
 * added in the same order have the same ids, so everything that holds string ids copies as it is.
 * Returns 0 or -ENOMEM.
 */
static int copy_all_but_tree(const struct frec_profile *src, struct frec_profile *dst)
{
	for (uint32_t id = 1; id < frec_strset__count(src->strs); id++) {
		int got = frec_strset__add(dst->strs, frec_strset__str(src->strs, id), frec_strset__len(src->strs, id));

		if (got < 0)
			return got;
		assert(got == (int)id);
	}
	dst->meta = src->meta;
	for (size_t i = 0; i < src->nr_mods; i++)
		if (frec_profile__add_module_stat(dst, &src->mods[i]))
			return -ENOMEM;
	for (uint32_t i = 0; i < src->nr_tasks; i++)
		if (frec_profile__add_task(dst, &src->tasks[i]))
			return -ENOMEM;
	return 0;
}

int frec_profile__copy_renamed(const struct frec_profile *p, frec_frame_rename_fn rename, void *arg,
			       struct frec_profile **out)
{
	struct frec_profile *q = frec_profile__new();
	uint32_t *frame_of = malloc(((size_t)p->nr_frames + 1) * sizeof(*frame_of));
	uint32_t *node_of = malloc((size_t)p->nr_nodes * sizeof(*node_of));
	char name[4096];
	int err = -ENOMEM;

	*out = NULL;
	if (!q || !frame_of || !node_of)
		goto err;
	if (copy_all_but_tree(p, q))
		goto err;
	for (uint32_t i = 0; i < p->nr_frames; i++) {
		struct frec_frame f = p->frames[i];
		int len = rename ? rename(p, i, name, sizeof(name), arg) : 0;
		int id;

		if (len > 0 && (size_t)len < sizeof(name)) {
			if ((id = frec_profile__intern(q, name, (size_t)len)) < 0)
				goto err;
			f.name = (uint32_t)id;
		}
		if ((id = frec_profile__add_frame(q, &f)) < 0)
			goto err;
		frame_of[i] = (uint32_t)id;
	}
	/* Parents first: a renamed frame that meets its twin under one parent merges with it. */
	node_of[FREC_NODE_ROOT] = FREC_NODE_ROOT;
	q->nodes[FREC_NODE_ROOT].self = p->nodes[FREC_NODE_ROOT].self;
	q->nodes[FREC_NODE_ROOT].total = p->nodes[FREC_NODE_ROOT].total;
	for (uint32_t i = 1; i < p->nr_nodes; i++) {
		const struct frec_node *n = &p->nodes[i];
		int id = frec_profile__child(q, node_of[n->parent], frame_of[n->frame]);

		if (id < 0)
			goto err;
		node_of[i] = (uint32_t)id;
		q->nodes[id].self += n->self;
		q->nodes[id].total += n->total;
	}
	if ((err = frec_profile__sort(q)))
		goto err;
	free(frame_of);
	free(node_of);
	*out = q;
	return 0;
err:
	free(frame_of);
	free(node_of);
	frec_profile__free(q);
	return err;
}

static bool task_eq(const struct frec_task *a, const struct frec_task *b)
{
	return a->pid == b->pid && a->tid == b->tid && a->comm == b->comm && a->proc_comm == b->proc_comm;
}

int frec_profile__add_task(struct frec_profile *p, const struct frec_task *t)
{
	uint64_t key = frec_hash64(frec_hash64((uint64_t)(uint32_t)t->pid << 32 | (uint32_t)t->tid) ^
				   ((uint64_t)t->comm << 32 | t->proc_comm));

	if (grow((void **)&p->tasks, &p->tasks_cap, p->nr_tasks + 1, sizeof(*p->tasks)))
		return -ENOMEM;
	for (;; key++) {
		bool added;
		uint64_t *slot = frec_hashmap__slot(&p->task_index, key, &added);

		if (!slot)
			return -ENOMEM;
		if (!added) {
			if (!task_eq(&p->tasks[*slot], t))
				continue;
			p->tasks[*slot].weight += t->weight;
			return 0;
		}
		*slot = p->nr_tasks;
		p->tasks[p->nr_tasks++] = *t;
		return 0;
	}
}

const struct frec_task *frec_profile__tasks(const struct frec_profile *p, size_t *n)
{
	*n = p->nr_tasks;
	return p->tasks;
}

int frec_profile__new_like(const struct frec_profile *src, struct frec_profile **out)
{
	struct frec_profile *p = frec_profile__new();
	int err = -ENOMEM;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	if (copy_all_but_tree(src, p))
		goto err;
	/* Frames are added in their order, so every id means the same in both. */
	for (uint32_t id = 0; id < src->nr_frames; id++) {
		int got = frec_profile__add_frame(p, &src->frames[id]);

		if (got < 0)
			goto err;
		assert(got == (int)id);
	}
	*out = p;
	return 0;
err:
	frec_profile__free(p);
	return err;
}
