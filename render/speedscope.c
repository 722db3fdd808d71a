// SPDX-License-Identifier: MIT
/*
 * speedscope export: a profile as speedscope's JSON file format (its "sampled" profiles).  The file
 * holds frames shared by all its profiles and one profile per grouping root: a thread with
 * --per-thread, a process with --per-process, else a single one.  Each call-tree node with self
 * weight is one sample, root first, weighted by its CPU time in nanoseconds (or by its samples,
 * unit "none", when the profile carries no time); samples are aggregated, so the time-ordered view
 * shows stacks in name order, not in the order they ran.
 *
 * speedscope's frame has a name, a file and a line, no module: a frame's file is its source file
 * when the profile has lines (--lines), else its module, as speedscope's own importer of `perf
 * script` does.  speedscope counts each frame of the shared table as one function, so a frame is a
 * (name, module, file, kind, inlining) and its line is the lowest that samples hit: the nearest
 * sampled line to where the function starts.  Inlined frames are named "NAME [inlined]".
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frec/hashmap.h"
#include "frec/log.h"
#include "frec/profile.h"
#include "frec/render.h"
#include "frec/strset.h"

struct sframe {
	uint32_t name, module, file; /* string ids of the shared table */
	uint32_t line;               /* lowest line seen, 0 if none */
	uint8_t kind, flags;
};

struct speedscope {
	struct frec_strset *strs;
	struct sframe *frames;
	size_t nr_frames, frames_cap;
	struct frec_hashmap index; /* hash (probed) -> frame index */
	uint32_t *stack;           /* scratch: one stack, leaf first */
	size_t stack_cap;
};

/* One side of the file: a profile and, per node, its frame in the shared table. */
struct side {
	const struct frec_profile *p;
	uint32_t *frame; /* per node; UINT32_MAX for the root and grouping roots */
	double scale;    /* weight -> the unit */
	bool base;
};

static int sframe_of(struct speedscope *s, const struct frec_profile *p, const struct frec_frame *fr)
{
	int name = frec_strset__add_str(s->strs, frec_profile__str(p, fr->name));
	int module = frec_strset__add_str(s->strs, frec_profile__str(p, fr->module));
	int file = frec_strset__add_str(s->strs, frec_profile__str(p, fr->file));
	struct sframe want;
	uint64_t key;

	if (name < 0 || module < 0 || file < 0)
		return -ENOMEM;
	want = (struct sframe){ (uint32_t)name, (uint32_t)module, (uint32_t)file, fr->line, fr->kind, fr->flags };
	key = frec_hash64((uint64_t)want.name << 32 | want.module) ^
	      frec_hash64((uint64_t)want.file << 16 | (uint64_t)want.kind << 8 | want.flags);
	for (;; key++) {
		bool added;
		uint64_t *slot = frec_hashmap__slot(&s->index, key, &added);
		struct sframe *f;

		if (!slot)
			return -ENOMEM;
		if (!added) {
			f = &s->frames[*slot];
			if (f->name != want.name || f->module != want.module || f->file != want.file ||
			    f->kind != want.kind || f->flags != want.flags)
				continue;
			if (want.line && (!f->line || want.line < f->line))
				f->line = want.line;
			return (int)*slot;
		}
		if (s->nr_frames == s->frames_cap) {
			size_t cap = s->frames_cap ? 2 * s->frames_cap : 256;
			struct sframe *nf = cap < INT32_MAX ? realloc(s->frames, cap * sizeof(*nf)) : NULL;

			if (!nf) {
				frec_hashmap__del(&s->index, key);
				return -ENOMEM;
			}
			s->frames = nf;
			s->frames_cap = cap;
		}
		s->frames[s->nr_frames] = want;
		*slot = s->nr_frames;
		return (int)s->nr_frames++;
	}
}

static bool is_group(const struct frec_frame *fr)
{
	return fr->kind == FREC_FRAME_PROCESS || fr->kind == FREC_FRAME_THREAD;
}

/* Give every node of @sd a frame of the shared table. */
static int map_frames(struct speedscope *s, struct side *sd)
{
	uint32_t nr = frec_profile__nr_nodes(sd->p);

	sd->frame = malloc((size_t)nr * sizeof(*sd->frame));
	if (!sd->frame)
		return -ENOMEM;
	sd->frame[FREC_NODE_ROOT] = UINT32_MAX;
	for (uint32_t id = 1; id < nr; id++) {
		const struct frec_frame *fr = frec_profile__frame(sd->p, frec_profile__node(sd->p, id)->frame);
		int f;

		if (is_group(fr)) {
			sd->frame[id] = UINT32_MAX;
			continue;
		}
		f = sframe_of(s, sd->p, fr);
		if (f < 0)
			return f;
		sd->frame[id] = (uint32_t)f;
	}
	return 0;
}

/* @str as a JSON string: quotes, backslashes and control characters escaped, bad UTF-8 as U+FFFD. */
static void json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str);

	putc('"', f);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = frec_utf8__decode(s + i, len - i, &cp);

		if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (char)cp);
		else if (cp < 0x20 || cp == 0x7f)
			fprintf(f, "\\u%04x", (unsigned int)cp);
		else if (cp == 0xfffd && n == 1)
			fputs("\\ufffd", f);
		else
			fwrite(s + i, 1, n, f);
		i += n;
	}
	putc('"', f);
}

static void write_frames(const struct speedscope *s, FILE *f)
{
	fputs("  \"shared\": {\"frames\": [", f);
	for (size_t i = 0; i < s->nr_frames; i++) {
		const struct sframe *fr = &s->frames[i];
		const char *name = frec_strset__str(s->strs, fr->name);
		uint32_t file = fr->file ? fr->file : fr->module;

		fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
		if (fr->flags & FREC_FRAME_INLINED) {
			char *n = NULL;

			if (asprintf(&n, "%s [inlined]", name) >= 0)
				json_str(f, n);
			else
				json_str(f, name);
			free(n);
		} else {
			json_str(f, name);
		}
		if (file) {
			fputs(", \"file\": ", f);
			json_str(f, frec_strset__str(s->strs, file));
		}
		if (fr->line)
			fprintf(f, ", \"line\": %" PRIu32, fr->line);
		putc('}', f);
	}
	fputs("\n  ]},\n", f);
}

/*
 * Visit the nodes of @top's subtree (@top itself included) that are samples: write their stacks
 * (root first) or, with @weights, their weights, adding those to *@sum.
 */
static int walk(struct speedscope *s, const struct side *sd, uint32_t top, bool weights, bool *first, FILE *f,
		int64_t *sum)
{
	const struct frec_profile *p = sd->p;

	for (uint32_t id = top;;) {
		const struct frec_node *n = frec_profile__node(p, id);

		if (n->self && sd->frame[id] != UINT32_MAX) {
			int64_t w = llround(fmin((double)n->self * sd->scale, 9e18));
			size_t depth = 0;

			fputs(*first ? "\n      " : ",\n      ", f);
			*first = false;
			if (weights) {
				fprintf(f, "%" PRId64, w);
				*sum += w;
			} else {
				for (uint32_t k = id; k != FREC_NODE_ROOT; k = frec_profile__node(p, k)->parent) {
					if (sd->frame[k] == UINT32_MAX)
						continue;
					if (depth == s->stack_cap) {
						size_t cap = s->stack_cap ? 2 * s->stack_cap : 256;
						uint32_t *ns = realloc(s->stack, cap * sizeof(*ns));

						if (!ns)
							return -ENOMEM;
						s->stack = ns;
						s->stack_cap = cap;
					}
					s->stack[depth++] = sd->frame[k];
				}
				putc('[', f);
				for (size_t i = depth; i-- > 0;)
					fprintf(f, i + 1 < depth ? ",%" PRIu32 : "%" PRIu32, s->stack[i]);
				putc(']', f);
			}
		}
		/* the next node in pre-order, without leaving @top's subtree */
		if (n->first_child != FREC_NONE) {
			id = n->first_child;
			continue;
		}
		while (id != top && frec_profile__node(p, id)->next_sibling == FREC_NONE)
			id = frec_profile__node(p, id)->parent;
		if (id == top)
			return 0;
		id = frec_profile__node(p, id)->next_sibling;
	}
}

/*
 * One sampled profile: the subtree of @group (a grouping root), or with FREC_NONE the subtrees of
 * the root's children that are no grouping roots.
 */
static int write_profile(struct speedscope *s, const struct side *sd, uint32_t group, const char *name, FILE *f)
{
	const struct frec_profile *p = sd->p;
	const char *unit = sd->scale > 0 && frec_profile__ns_per_weight(p) > 0 ? "nanoseconds" : "none";
	int64_t sum = 0;
	int err = 0;

	fputs("    {\"type\": \"sampled\", \"name\": ", f);
	json_str(f, name);
	fprintf(f, ", \"unit\": \"%s\",\n     \"samples\": [", unit);
	for (int pass = 0; pass < 2 && !err; pass++) {
		bool first = true;

		if (pass)
			fputs("],\n     \"weights\": [", f);
		if (group != FREC_NONE) {
			err = walk(s, sd, group, pass, &first, f, &sum);
			continue;
		}
		for (uint32_t c = frec_profile__node(p, FREC_NODE_ROOT)->first_child; c != FREC_NONE && !err;
		     c = frec_profile__node(p, c)->next_sibling)
			if (!is_group(frec_profile__frame(p, frec_profile__node(p, c)->frame)))
				err = walk(s, sd, c, pass, &first, f, &sum);
	}
	fprintf(f, "],\n     \"startValue\": 0, \"endValue\": %" PRId64 "}", sum);
	return err;
}

/* The profiles of one side; *@n counts the profiles written so far in the file. */
static int write_side(struct speedscope *s, const struct side *sd, const char *label, size_t *n, FILE *f)
{
	const struct frec_profile *p = sd->p;
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	bool ungrouped = false;
	char *name = NULL;
	int err = 0;

	for (uint32_t c = frec_profile__node(p, FREC_NODE_ROOT)->first_child; c != FREC_NONE;
	     c = frec_profile__node(p, c)->next_sibling)
		ungrouped |= !is_group(frec_profile__frame(p, frec_profile__node(p, c)->frame));
	/* An empty profile still gets one (empty) profile: speedscope has something to open. */
	if (ungrouped || frec_profile__node(p, FREC_NODE_ROOT)->first_child == FREC_NONE) {
		const char *what = m->command ? frec_profile__str(p, m->command) :
				   m->source  ? frec_profile__str(p, m->source) : "profile";

		if (asprintf(&name, "%s%s", label, what) < 0)
			return -ENOMEM;
		fputs((*n)++ ? ",\n" : "\n", f);
		err = write_profile(s, sd, FREC_NONE, name, f);
		free(name);
	}
	for (uint32_t c = frec_profile__node(p, FREC_NODE_ROOT)->first_child; c != FREC_NONE && !err;
	     c = frec_profile__node(p, c)->next_sibling) {
		const struct frec_frame *fr = frec_profile__frame(p, frec_profile__node(p, c)->frame);

		if (!is_group(fr))
			continue;
		if (asprintf(&name, "%s%s", label, frec_profile__str(p, fr->name)) < 0)
			return -ENOMEM;
		fputs((*n)++ ? ",\n" : "\n", f);
		err = write_profile(s, sd, c, name, f);
		free(name);
	}
	return err;
}

int render_speedscope__write(const struct frec_profile *p, const struct frec_profile *base, FILE *f)
{
	struct speedscope s = { 0 };
	struct side sides[2] = { { .p = base, .base = true }, { .p = p } };
	bool timed = frec_profile__ns_per_weight(p) > 0 && (!base || frec_profile__ns_per_weight(base) > 0);
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	size_t n = 0, active = 0;
	int err = -ENOMEM;

	frec_hashmap__init(&s.index);
	s.strs = frec_strset__new();
	if (!s.strs)
		goto out;
	for (int i = base ? 0 : 1; i < 2; i++) {
		sides[i].scale = timed ? frec_profile__ns_per_weight(sides[i].p) : 1;
		if ((err = map_frames(&s, &sides[i])))
			goto out;
	}
	fputs("{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\",\n", f);
	fprintf(f, "  \"exporter\": \"frec@%s\",\n  \"name\": ", PACKAGE_VERSION);
	json_str(f, m->command ? frec_profile__str(p, m->command) : frec_profile__str(p, m->source));
	fputs(",\n", f);
	write_frames(&s, f);
	fputs("  \"profiles\": [", f);
	if (base) {
		err = write_side(&s, &sides[0], "baseline: ", &n, f);
		active = n;
	}
	if (!err)
		err = write_side(&s, &sides[1], base ? "new: " : "", &n, f);
	if (err)
		goto out;
	fprintf(f, "\n  ],\n  \"activeProfileIndex\": %zu\n}\n", active);
	err = ferror(f) ? -EIO : 0;
out:
	for (int i = 0; i < 2; i++)
		free(sides[i].frame);
	free(s.frames);
	free(s.stack);
	frec_strset__free(s.strs);
	frec_hashmap__exit(&s.index);
	return err;
}
