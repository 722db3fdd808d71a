// SPDX-License-Identifier: MIT
/*
 * The text report: what was recorded, the top functions by self and by total weight with their
 * module, and one line on how far the stacks can be trusted, with the likely cause.
 *
 * A function's total counts each sample once even when the function recurses: a node adds its total
 * only when no ancestor is the same function.  Functions are (name, module) pairs, so the same name
 * in two libraries stays apart, and inlined copies count with their function.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frec/hashmap.h"
#include "frec/log.h"
#include "frec/profile.h"
#include "frec/render.h"

struct func {
	uint32_t name, module;
	uint8_t kind;
	bool inlined;
	uint32_t active; /* ancestors on the current path with this function */
	uint64_t self, total;
	uint64_t off_total; /* of total, below a wall-clock profile's FREC_MARKER_OFF_CPU */
};

struct funcs {
	struct func *v;
	size_t nr, cap;
	struct frec_hashmap index; /* name << 32 | module -> index */
	bool wall;                 /* the profile has FREC_MARKER_* roots */
};

static const char *commas(uint64_t v, char *buf, size_t size)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%" PRIu64, v), o = 0;

	for (int i = 0; i < len && (size_t)o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static long func_of(struct funcs *fs, const struct frec_profile *p, uint32_t frame)
{
	const struct frec_frame *fr = frec_profile__frame(p, frame);
	uint64_t key = (uint64_t)fr->name << 32 | fr->module, v;
	bool added;
	uint64_t *slot;

	if (frec_hashmap__find(&fs->index, key, &v))
		return (long)v;
	if (fs->nr == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 256;
		void *n = realloc(fs->v, cap * sizeof(*fs->v));

		if (!n)
			return -ENOMEM;
		fs->v = n;
		fs->cap = cap;
	}
	slot = frec_hashmap__slot(&fs->index, key, &added);
	if (!slot)
		return -ENOMEM;
	*slot = fs->nr;
	fs->v[fs->nr] = (struct func){
		.name = fr->name,
		.module = fr->module,
		.kind = fr->kind,
		.inlined = fr->flags & FREC_FRAME_INLINED,
	};
	return (long)fs->nr++;
}

/* Walk the tree once, summing self and (recursion-safe) total per function. */
static int collect(struct funcs *fs, const struct frec_profile *p)
{
	uint32_t nr = frec_profile__nr_nodes(p);
	uint32_t *path = malloc((nr ? nr : 1) * sizeof(*path));
	long *fpath = malloc((nr ? nr : 1) * sizeof(*fpath));
	size_t depth = 0, off_depth = SIZE_MAX; /* depth of the [off-cpu] root on the path */
	uint32_t n = frec_profile__node(p, FREC_NODE_ROOT)->first_child;
	int err = 0;

	if (!path || !fpath) {
		err = -ENOMEM;
		goto out;
	}
	while (n != FREC_NONE) {
		const struct frec_node *node = frec_profile__node(p, n);
		const struct frec_frame *fr = frec_profile__frame(p, node->frame);
		long fi = -1;

		if (off_depth != SIZE_MAX && depth <= off_depth)
			off_depth = SIZE_MAX; /* left the [off-cpu] subtree */
		if (fr->kind == FREC_FRAME_THREAD) {
			const char *name = frec_profile__str(p, fr->name);

			if (!strcmp(name, FREC_MARKER_OFF_CPU))
				off_depth = depth;
			fs->wall |= off_depth == depth || !strcmp(name, FREC_MARKER_ON_CPU);
		}
		if (fr->kind != FREC_FRAME_PROCESS && fr->kind != FREC_FRAME_THREAD) {
			fi = func_of(fs, p, node->frame);
			if (fi < 0) {
				err = (int)fi;
				goto out;
			}
			if (!fs->v[fi].active++) {
				fs->v[fi].total += node->total;
				if (off_depth != SIZE_MAX)
					fs->v[fi].off_total += node->total;
			}
			fs->v[fi].self += node->self;
			if (!(fr->flags & FREC_FRAME_INLINED))
				fs->v[fi].inlined = false;
		}
		path[depth] = n;
		fpath[depth++] = fi;
		if (node->first_child != FREC_NONE) {
			n = node->first_child;
			continue;
		}
		n = FREC_NONE;
		while (depth) {
			uint32_t sib;

			depth--;
			if (fpath[depth] >= 0)
				fs->v[fpath[depth]].active--;
			sib = frec_profile__node(p, path[depth])->next_sibling;
			if (sib != FREC_NONE) {
				n = sib;
				break;
			}
		}
	}
out:
	free(path);
	free(fpath);
	return err;
}

static int cmp_names(const struct frec_profile *p, const struct func *a, const struct func *b)
{
	int c = strcmp(frec_profile__str(p, a->name), frec_profile__str(p, b->name));

	return c ? c : strcmp(frec_profile__str(p, a->module), frec_profile__str(p, b->module));
}

static int cmp_self(const void *x, const void *y, void *p)
{
	const struct func *a = *(const struct func *const *)x, *b = *(const struct func *const *)y;

	if (a->self != b->self)
		return a->self > b->self ? -1 : 1;
	return cmp_names(p, a, b);
}

static int cmp_total(const void *x, const void *y, void *p)
{
	const struct func *a = *(const struct func *const *)x, *b = *(const struct func *const *)y;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return cmp_names(p, a, b);
}

static void put_func(const struct frec_profile *p, const struct func *fn, FILE *f)
{
	const char *mod = frec_profile__str(p, fn->module);
	const char *base = strrchr(mod, '/');

	/* Names and paths come from the input: escaped, so that a terminal shows them and obeys none. */
	frec_term__puts(f, frec_profile__str(p, fn->name));
	if (fn->kind == FREC_FRAME_KERNEL)
		fputs(" [kernel]", f);
	else if (fn->kind == FREC_FRAME_JIT)
		fputs(" [jit]", f);
	if (fn->inlined)
		fputs(" [inlined]", f);
	if (*mod) {
		fputs("  (", f);
		frec_term__puts(f, base && base[1] ? base + 1 : mod);
		putc(')', f);
	}
	putc('\n', f);
}

static void header(const struct frec_profile *p, FILE *f)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	uint64_t total = frec_profile__total(p);
	char a[32], b[32];

	if (m->command) {
		fputs("command:  ", f);
		frec_term__puts(f, frec_profile__str(p, m->command));
		putc('\n', f);
	}
	if (m->event || m->freq || m->period) {
		fputs("event:    ", f);
		frec_term__puts(f, m->event ? frec_profile__str(p, m->event) : "?");
		if (m->freq)
			fprintf(f, ", %" PRIu64 " Hz", m->freq);
		else if (m->period)
			fprintf(f, ", every %s events", commas(m->period, a, sizeof(a)));
		putc('\n', f);
	}
	if (m->duration_ns)
		fprintf(f, "duration: %s\n", frec_duration__str(m->duration_ns, a, sizeof(a)));
	fprintf(f, "samples:  %s", commas(m->samples ? m->samples : total, a, sizeof(a)));
	/* Off-CPU profiles weigh nanoseconds waited, not samples: the columns below are in ns. */
	if (!strcmp(frec_profile__str(p, m->unit), "ns"))
		fprintf(f, " (%.3f s %s shown, in ns below)", (double)total / 1e9,
			!strcmp(frec_profile__str(p, m->event), "wall") ? "of wall-clock time" : "off CPU");
	else if (m->samples && total != m->samples)
		fprintf(f, " (%s shown after filters)", commas(total, b, sizeof(b)));
	if (m->lost || m->samples)
		fprintf(f, ", lost %s (%.1f%%)", commas(m->lost, b, sizeof(b)), pct(m->lost, m->samples + m->lost));
	putc('\n', f);
	if (m->source) {
		fputs("source:   ", f);
		frec_term__puts(f, frec_profile__str(p, m->source));
		fputs(m->truncated ? " (cut short)\n" : "\n", f);
	}
}

/*
 * One figure of the health line: @before, the share @part of @whole, @what.  A few samples of many
 * read "<0.1%", never "0.0%".
 */
static void health_share(FILE *f, const char *before, uint64_t part, uint64_t whole, const char *what)
{
	double v = pct(part, whole);

	fputs(before, f);
	if (part && v < 0.05)
		fputs("<0.1%", f);
	else
		fprintf(f, "%.1f%%", v);
	fputs(what, f);
}

/* "CAUSE (FIX)" of one problem of the health line. */
static void put_cause(const struct frec_profile *p, enum frec_health_cause cause, uint32_t module, FILE *f)
{
	char buf[512];

	frec_health_cause__describe(p, cause, module, buf, sizeof(buf));
	frec_term__puts(f, buf); /* it names a module */
}

static void health(const struct frec_profile *p, FILE *f)
{
	const struct frec_stack_health *h = &frec_profile__meta_const(p)->health;
	struct frec_health_causes why;

	if (!h->samples) {
		fputs("stack health: unknown (no trace: the profile was imported)\n", f);
		return;
	}
	frec_profile__health_causes(p, &why);
	if (why.main == FREC_CAUSE_NONE) {
		fputs("stack health: good: no truncated stacks, no unknown frames\n", f);
		return;
	}
	health_share(f, "stack health: ", h->truncated, h->samples, " of samples have a truncated stack");
	health_share(f, ", ", h->has_unknown, h->samples, " have unknown frames");
	if (h->depth_limited)
		health_share(f, ", ", h->depth_limited, h->samples, " hit the depth limit");
	if (h->stack_copy_full)
		health_share(f, ", ", h->stack_copy_full, h->samples, " filled the stack copy");
	if (h->unwind_failed)
		health_share(f, ", ", h->unwind_failed, h->samples, " stopped unwinding early");
	fputs("; likely cause: ", f);
	put_cause(p, why.main, why.main_module, f);
	if (why.also != FREC_CAUSE_NONE) {
		fputs("; also ", f);
		put_cause(p, why.also, why.also_module, f);
	}
	putc('\n', f);
}

int render_text__write(const struct frec_profile *p, const struct render_text_opts *opts, FILE *f)
{
	unsigned int top = opts && opts->top ? opts->top : 20;
	uint64_t total = frec_profile__total(p);
	struct funcs fs = { 0 };
	struct func **order = NULL;
	int err;

	frec_hashmap__init(&fs.index);
	err = collect(&fs, p);
	if (err)
		goto out;
	order = malloc((fs.nr ? fs.nr : 1) * sizeof(*order));
	if (!order) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < fs.nr; i++)
		order[i] = &fs.v[i];

	header(p, f);
	putc('\n', f);
	fputs("top functions by self:\n    self%       self   total%  function  (module)\n", f);
	qsort_r(order, fs.nr, sizeof(*order), cmp_self, (void *)p);
	for (size_t i = 0; i < fs.nr && i < top && order[i]->self; i++) {
		char a[32];

		fprintf(f, "  %6.2f%% %10s  %6.2f%%  ", pct(order[i]->self, total), commas(order[i]->self, a, sizeof(a)),
			pct(order[i]->total, total));
		put_func(p, order[i], f);
	}
	/* A wall-clock profile says how much of each function's time was on CPU and how much waited. */
	fprintf(f, "\ntop functions by total:\n   total%%      total    self%%%s  function  (module)\n",
		fs.wall ? "  on-cpu%  off-cpu%" : "");
	qsort_r(order, fs.nr, sizeof(*order), cmp_total, (void *)p);
	for (size_t i = 0; i < fs.nr && i < top; i++) {
		char a[32];

		fprintf(f, "  %6.2f%% %10s  %6.2f%%  ", pct(order[i]->total, total),
			commas(order[i]->total, a, sizeof(a)), pct(order[i]->self, total));
		if (fs.wall)
			fprintf(f, " %6.2f%%   %6.2f%%  ", pct(order[i]->total - order[i]->off_total, total),
				pct(order[i]->off_total, total));
		put_func(p, order[i], f);
	}
	putc('\n', f);
	health(p, f);
	err = ferror(f) ? -EIO : 0;
out:
	free(order);
	free(fs.v);
	frec_hashmap__exit(&fs.index);
	return err;
}
