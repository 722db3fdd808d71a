// SPDX-License-Identifier: MIT
/*
 * The text report: what was recorded, the processes and threads (render/text_tasks.c), the top
 * functions by self and by total weight with their module (or the modules, --sort module), for the
 * whole profile or for each process or thread it is grouped by, and one line on how far the stacks
 * can be trusted, with the likely cause.
 *
 * A function's total counts each sample once even when the function recurses: a node adds its total
 * only when no ancestor is the same function.  Functions are (name, module) pairs, so the same name
 * in two libraries stays apart, and inlined copies count with their function.  A module's rows
 * work the same way: its self weight, and the samples with the module anywhere on their stack.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frec/hashmap.h"
#include "frec/log.h"
#include "frec/profile.h"
#include "frec/render.h"
#include "text_internal.h"

/* A row of the tables: a function, or with by_module a module (name 0). */
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
	struct frec_hashmap index; /* name << 32 | module (by_module: module << 8 | kind) -> index */
	bool by_module;
	bool wall;                 /* the profile has FREC_MARKER_* roots */
};

static long func_of(struct funcs *fs, const struct frec_profile *p, uint32_t frame)
{
	const struct frec_frame *fr = frec_profile__frame(p, frame);
	/* A module row without a module (folded stacks) still tells kernel and JIT code apart. */
	uint64_t key = fs->by_module ? (uint64_t)fr->module << 8 | (fr->module ? 0 : fr->kind)
				     : (uint64_t)fr->name << 32 | fr->module, v;
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
		.name = fs->by_module ? 0 : fr->name,
		.module = fr->module,
		.kind = fr->kind,
		.inlined = !fs->by_module && fr->flags & FREC_FRAME_INLINED,
	};
	return (long)fs->nr++;
}

/* Walk the subtree of @top once, summing self and (recursion-safe) total per function. */
static int collect(struct funcs *fs, const struct frec_profile *p, uint32_t top)
{
	uint32_t nr = frec_profile__nr_nodes(p);
	uint32_t *path = malloc((nr ? nr : 1) * sizeof(*path));
	long *fpath = malloc((nr ? nr : 1) * sizeof(*fpath));
	size_t depth = 0, off_depth = SIZE_MAX; /* depth of the [off-cpu] root on the path */
	uint32_t n = frec_profile__node(p, top)->first_child;
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
			if (fs->by_module && fr->kind != fs->v[fi].kind)
				fs->v[fi].kind = FREC_FRAME_USER; /* a module of several kinds of code */
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

	if (!c)
		c = strcmp(frec_profile__str(p, a->module), frec_profile__str(p, b->module));
	return c ? c : (int)a->kind - (int)b->kind;
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
	struct text_name n = { .name = fn->name, .module = fn->module, .kind = fn->kind, .inlined = fn->inlined };

	if (!fn->name) {
		/* a module row: its file name, or what the code is when nothing names a module */
		frec_term__puts(f, fn->module ? frec_profile__module_basename(p, fn->module)
				   : fn->kind == FREC_FRAME_KERNEL ? "[kernel]"
				   : fn->kind == FREC_FRAME_JIT	   ? "[jit]"
								   : "[no module]");
		putc('\n', f);
		return;
	}
	text_name__put(p, &n, f);
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
			fprintf(f, ", every %s events", text_count(m->period, a, sizeof(a)));
		putc('\n', f);
	}
	if (m->duration_ns)
		fprintf(f, "duration: %s\n", frec_duration__str(m->duration_ns, a, sizeof(a)));
	fprintf(f, "samples:  %s", text_count(m->samples ? m->samples : total, a, sizeof(a)));
	/* Off-CPU profiles weigh nanoseconds waited, not samples: the columns below are in ns. */
	if (!strcmp(frec_profile__str(p, m->unit), "ns"))
		fprintf(f, " (%.3f s %s shown, in ns below)", (double)total / 1e9,
			!strcmp(frec_profile__str(p, m->event), "wall") ? "of wall-clock time" : "off CPU");
	else if (!m->samples && strcmp(frec_profile__str(p, m->unit), "samples")) {
		/* folded stacks with fractional counts weigh thousandths, not samples: say so */
		putc(' ', f);
		frec_term__puts(f, frec_profile__str(p, m->unit));
	} else if (m->samples && total != m->samples)
		fprintf(f, " (%s shown after filters)", text_count(total, b, sizeof(b)));
	if (m->lost || m->samples)
		fprintf(f, ", lost %s (%.1f%%)", text_count(m->lost, b, sizeof(b)), text_pct(m->lost, m->samples + m->lost));
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
	double v = text_pct(part, whole);

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
		const struct frec_profile_meta *m = frec_profile__meta_const(p);

		/* a trace (it names its event) whose samples the filters all left out was not imported */
		fprintf(f, "stack health: unknown (%s)\n",
			!m->event     ? "no trace: the profile was imported"
			: m->samples ? "no samples after the filters"
				     : "no samples");
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

/* The tables of functions (or modules) of the subtree of @top, with shares of @total. */
static int tables(const struct frec_profile *p, const struct render_text_opts *opts, uint32_t top_node,
		  uint64_t total, FILE *f)
{
	unsigned int top = opts && opts->top ? opts->top : 20;
	struct funcs fs = { .by_module = opts && opts->by_module };
	struct func **order = NULL;
	int err;

	frec_hashmap__init(&fs.index);
	err = collect(&fs, p, top_node);
	if (err)
		goto out;
	order = malloc((fs.nr ? fs.nr : 1) * sizeof(*order));
	if (!order) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < fs.nr; i++)
		order[i] = &fs.v[i];

	fputs(fs.by_module ? "modules by self:\n    self%       self   total%  module\n"
			   : "top functions by self:\n    self%       self   total%  function  (module)\n", f);
	qsort_r(order, fs.nr, sizeof(*order), cmp_self, (void *)p);
	for (size_t i = 0; i < fs.nr && i < top && order[i]->self; i++) {
		char a[32];

		fprintf(f, "  %6.2f%% %10s  %6.2f%%  ", text_pct(order[i]->self, total),
			text_count(order[i]->self, a, sizeof(a)), text_pct(order[i]->total, total));
		put_func(p, order[i], f);
	}
	if (fs.by_module)
		goto out;
	/* A wall-clock profile says how much of each function's time was on CPU and how much waited. */
	fprintf(f, "\ntop functions by total:\n   total%%      total    self%%%s  function  (module)\n",
		fs.wall ? "  on-cpu%  off-cpu%" : "");
	qsort_r(order, fs.nr, sizeof(*order), cmp_total, (void *)p);
	for (size_t i = 0; i < fs.nr && i < top; i++) {
		char a[32];

		fprintf(f, "  %6.2f%% %10s  %6.2f%%  ", text_pct(order[i]->total, total),
			text_count(order[i]->total, a, sizeof(a)), text_pct(order[i]->self, total));
		if (fs.wall)
			fprintf(f, " %6.2f%%   %6.2f%%  ", text_pct(order[i]->total - order[i]->off_total, total),
				text_pct(order[i]->off_total, total));
		put_func(p, order[i], f);
	}
out:
	free(order);
	free(fs.v);
	frec_hashmap__exit(&fs.index);
	return err;
}

/*
 * With --per-process or --per-thread, the tables of each group (a root of the call tree), heaviest
 * first, at most opts->top of them.  Returns 1 when the profile is not grouped, 0, or -ENOMEM.
 */
static int group_tables(const struct frec_profile *p, const struct render_text_opts *opts, FILE *f)
{
	unsigned int top = opts && opts->top ? opts->top : 20;
	uint64_t total = frec_profile__total(p), rest = 0;
	uint32_t *groups = NULL;
	size_t nr = 0, cap = 0;
	const char *what = "process";
	/* a share of the time waited or of wall-clock time, for profiles weighed in ns */
	const char *of = !strcmp(frec_profile__str(p, frec_profile__meta_const(p)->unit), "ns") ? frec_profile__time_noun(p)
												 : "samples";
	int err = 1;

	for (uint32_t c = frec_profile__node(p, FREC_NODE_ROOT)->first_child; c != FREC_NONE;
	     c = frec_profile__node(p, c)->next_sibling) {
		const struct frec_frame *fr = frec_profile__frame(p, frec_profile__node(p, c)->frame);

		/* a wall-clock profile's [on-cpu] and [off-cpu] roots are kinds of time, not threads */
		if ((fr->kind != FREC_FRAME_PROCESS && fr->kind != FREC_FRAME_THREAD) ||
		    !strcmp(frec_profile__str(p, fr->name), FREC_MARKER_ON_CPU) ||
		    !strcmp(frec_profile__str(p, fr->name), FREC_MARKER_OFF_CPU))
			continue;
		what = fr->kind == FREC_FRAME_PROCESS ? "process" : "thread";
		if (nr == cap) {
			uint32_t *g = realloc(groups, (cap = cap ? 2 * cap : 16) * sizeof(*g));

			if (!g) {
				err = -ENOMEM;
				goto out;
			}
			groups = g;
		}
		groups[nr++] = c;
	}
	if (!nr)
		goto out;
	qsort_r(groups, nr, sizeof(*groups), text_cmp_nodes, (void *)p);
	err = 0;
	for (size_t i = 0; !err && i < nr; i++) {
		const struct frec_node *g = frec_profile__node(p, groups[i]);
		char a[32];

		if (i >= top) {
			rest += g->total;
			continue;
		}
		fprintf(f, "%s ", what);
		frec_term__puts(f, frec_profile__frame_name(p, g->frame));
		fprintf(f, ": %.2f%% of the %s (%s)\n", text_pct(g->total, total), of, text_count(g->total, a, sizeof(a)));
		err = tables(p, opts, groups[i], total, f);
		putc('\n', f);
	}
	if (nr > top)
		fprintf(f, "%zu more %s%s (%.2f%%) not shown (--top)\n\n", nr - top, what,
			nr - top == 1 ? "" : what[0] == 'p' ? "es" : "s", text_pct(rest, total));
out:
	free(groups);
	return err;
}

int render_text__write(const struct frec_profile *p, const struct render_text_opts *opts, FILE *f)
{
	int err;

	header(p, f);
	putc('\n', f);
	err = text_tasks__write(p, opts ? opts->top : 0, f);
	if (err)
		return err;
	err = group_tables(p, opts, f);
	if (err == 1) {
		err = tables(p, opts, FREC_NODE_ROOT, frec_profile__total(p), f);
		putc('\n', f);
	}
	if (err)
		return err;
	health(p, f);
	return ferror(f) ? -EIO : 0;
}
