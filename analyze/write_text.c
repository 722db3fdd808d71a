// SPDX-License-Identifier: MIT
/*
 * Findings as text for a terminal and as markdown for an issue or an AI assistant.
 *
 * Text is ranked and short: a line of context, then per finding its rank, id and share, the summary
 * sentence, the evidence that matters and the fix.  Markdown holds the same plus the recording's
 * context, the user's own words (--context) and the heaviest stacks in folded form, and stays within
 * a few thousand tokens whatever the profile: at most MD_FINDINGS findings and MD_STACKS stacks,
 * names shortened, stacks cut to the frames that matter (boilerplate roots dropped, recursion
 * collapsed, at most STACK_SHOWN frames), the context cut at MD_CONTEXT bytes.
 *
 * Names come from profiles, which come from anywhere: control bytes are shown as '?', so that a
 * hostile name cannot move a terminal's cursor, and backticks as '\'' in markdown, so that a name
 * cannot close its code span.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "frec/log.h"

#define DEFAULT_FINDINGS 10
#define MD_FINDINGS 8
#define MD_STACKS 5
#define MD_CONTEXT 1000
#define STACK_SHOWN 10 /* frames of a stack shown: the first two and the last ones */
#define WRAP 100       /* columns of why and fix in text */

/* ---- Small formatting helpers ------------------------------------------------------------------- */

/* "1,234,567" */
static const char *commas(uint64_t v, char *buf, size_t size)
{
	return frec_norm__fmt(FREC_NORM_COUNT, (double)v, false, buf, size);
}

/*
 * @s for a terminal (frec_term__write(): control characters escaped) and, for markdown, with
 * backticks as '\'', so that no name ends a code span.
 */
void an_put_clean(FILE *f, const char *s, bool md)
{
	while (*s) {
		size_t n = md ? strcspn(s, "`") : strlen(s);

		frec_term__write(f, s, n);
		s += n;
		if (*s) {
			putc('\'', f);
			s++;
		}
	}
}

/* "1.87 s" for @w units of weight (of the profile's kind of time), when it carries time; "" otherwise. */
const char *an_time_str(const struct frec_profile *p, uint64_t w, char *buf, size_t size)
{
	double ns = frec_profile__ns_per_weight(p) * (double)w;

	if (ns <= 0)
		snprintf(buf, size, "%s", "");
	else if (ns >= 1e9)
		snprintf(buf, size, "%.2f s", ns / 1e9);
	else
		snprintf(buf, size, "%.0f ms", ns / 1e6);
	return buf;
}

static void put_fn(FILE *f, const struct frec_profile *p, const struct analyze_fn *fn, bool md)
{
	char buf[128];

	if (fn->kernel) {
		fputs("the kernel", f);
		return;
	}
	if (md)
		putc('`', f);
	an_put_clean(f, fn->name ? an_short_name(frec_profile__str(p, fn->name), buf, sizeof(buf))
			     : frec_profile__module_basename(p, fn->module), md);
	if (md)
		putc('`', f);
	/* a module for a name, except JIT maps (perf-PID.map) that only say "JIT" */
	if (fn->name && fn->module && !an_glob("perf-*.map", frec_profile__module_basename(p, fn->module))) {
		fputs(" (", f);
		an_put_clean(f, frec_profile__module_basename(p, fn->module), md);
		putc(')', f);
	}
}

/* "A 12.0%, B 8.1%, C 5.0%" */
static void put_fns(FILE *f, const struct frec_profile *p, const struct analyze_fn *v, size_t n, bool md)
{
	uint64_t total = frec_profile__total(p);

	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		put_fn(f, p, &v[i], md);
		fprintf(f, " %.1f%%", an_pct(v[i].weight, total));
	}
}

/*
 * A stack as a reader wants it: boilerplate dropped (roots, trampolines, interpreter loops), names shortened, runs of one name
 * collapsed ("f[x12]"), and when still long the first two runs, "..." and the last ones.  @sep joins
 * frames (" > " in text, ";" in folded stacks).
 */
static void put_stack(FILE *f, const struct analyze_report *r, const uint32_t *stack, size_t len, size_t trim,
		      const char *sep, bool md)
{
	const struct frec_profile *p = analyze_report__profile(r);
	struct run {
		char name[128];
		uint32_t reps;
	} *runs = calloc(len + 1, sizeof(*runs));
	size_t nr = 0;

	if (!runs)
		return;
	if (trim >= len)
		trim = len ? len - 1 : 0;
	for (size_t i = trim; i < len; i++) {
		char buf[128];

		/* boilerplate inside the stack too: trampolines, interpreter loops (the leaf stays) */
		if (i + 1 < len && an_report__is_boilerplate(r, stack[i]))
			continue;
		an_short_name(frec_profile__frame_name(p, stack[i]), buf, sizeof(buf));
		if (nr && !strcmp(runs[nr - 1].name, buf)) {
			runs[nr - 1].reps++;
			continue;
		}
		memcpy(runs[nr].name, buf, sizeof(buf));
		runs[nr++].reps = 1;
	}
	for (size_t i = 0; i < nr; i++) {
		if (nr > STACK_SHOWN && i >= 2 && i < nr - (STACK_SHOWN - 3)) {
			if (i == 2) {
				fputs(sep, f);
				fputs("...", f);
			}
			continue;
		}
		if (i)
			fputs(sep, f);
		an_put_clean(f, runs[i].name, md);
		if (runs[i].reps > 1)
			fprintf(f, "[x%u]", runs[i].reps);
	}
	free(runs);
}

/* @text wrapped at WRAP columns, continuation lines indented by @indent blanks. */
void an_put_wrapped(FILE *f, const char *text, size_t col, size_t indent)
{
	const char *s = text;

	while (*s) {
		const char *e = s, *cut = NULL;

		while (*e && (size_t)(e - s) + col <= WRAP) {
			if (*e == ' ')
				cut = e;
			e++;
		}
		if (!*e)
			cut = e;
		else if (!cut)
			for (cut = e; *cut && *cut != ' '; cut++)
				;
		for (const char *t = s; t < cut; t++)
			putc((unsigned char)*t < 0x20 ? '?' : *t, f);
		s = *cut ? cut + 1 : cut;
		if (*s)
			fprintf(f, "\n%*s", (int)indent, "");
		col = indent;
	}
	putc('\n', f);
}

/* ---- The recording's context -------------------------------------------------------------------- */

static void put_health(FILE *f, const struct frec_profile *p)
{
	const struct frec_stack_health *h = &frec_profile__meta_const(p)->health;
	struct frec_health_causes why;
	char buf[512];

	if (!h->samples) {
		fputs("stack health: unknown (folded stacks)", f);
		return;
	}
	frec_profile__health_causes(p, &why);
	if (why.main == FREC_CAUSE_NONE || (an_pct(h->truncated, h->samples) < 1 && an_pct(h->has_unknown, h->samples) < 1)) {
		fputs("stack health: good", f);
		if (why.main != FREC_CAUSE_NONE)
			fprintf(f, " (%.1f%% truncated, %.1f%% with unknown frames)", an_pct(h->truncated, h->samples),
				an_pct(h->has_unknown, h->samples));
		return;
	}
	fprintf(f, "stack health: %.1f%% truncated, %.1f%% with unknown frames; likely cause: ",
		an_pct(h->truncated, h->samples), an_pct(h->has_unknown, h->samples));
	frec_health_cause__describe(p, why.main, why.main_module, buf, sizeof(buf));
	fputs(buf, f);
}

/* "cpu-clock at 999 Hz, 3.11 s, 5,770 samples (0 lost), 5.77 s of CPU"; "2.28 s off CPU" or "of wall-clock
 * time" for profiles weighted by time waited */
static void put_recording(FILE *f, const struct frec_profile *p)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	uint64_t total = frec_profile__total(p);
	char a[32], t[32];

	if (m->event) {
		an_put_clean(f, frec_profile__str(p, m->event), false);
		if (m->freq)
			fprintf(f, " at %" PRIu64 " Hz", m->freq);
		fputs(", ", f);
	}
	if (m->duration_ns)
		fprintf(f, "%s, ", frec_duration__str(m->duration_ns, a, sizeof(a)));
	fprintf(f, "%s %s", commas(total, a, sizeof(a)), frec_profile__str(p, m->unit));
	if (m->lost)
		fprintf(f, " (%s lost)", commas(m->lost, a, sizeof(a)));
	if (*an_time_str(p, total, t, sizeof(t)))
		fprintf(f, ", %s %s", t, !an_wait_measure(p) ? "of CPU" : !strcmp(an_wait_measure(p), "off-CPU") ? "off CPU" : "of wall-clock time");
}

static void put_command(FILE *f, const struct frec_profile *p, bool md)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	const char *what = m->command ? frec_profile__str(p, m->command) : frec_profile__str(p, m->source);

	if (md)
		putc('`', f);
	an_put_clean(f, *what ? what : "profile", md);
	if (md)
		putc('`', f);
}

/* ---- Text ---------------------------------------------------------------------------------------- */

static void put_share(FILE *f, const struct frec_profile *p, uint64_t w)
{
	char t[32];

	fprintf(f, "%.1f%%", an_pct(w, frec_profile__total(p)));
	if (*an_time_str(p, w, t, sizeof(t)))
		fprintf(f, " (%s)", t);
}

static void put_also(FILE *f, const struct frec_profile *p, const struct analyze_finding *fd, bool md)
{
	for (size_t i = 0; i < fd->nr_also; i++) {
		if (i)
			fputs("; ", f);
		fprintf(f, "%s ", fd->also[i].id);
		put_fn(f, p, &fd->also[i].what, md);
		fprintf(f, " %.1f%%", an_pct(fd->also[i].what.weight, frec_profile__total(p)));
	}
}

/* One line of evidence: "- label: text" in markdown, "   label: text" wrapped in text. */
static void put_line(FILE *f, bool md, const char *label, const char *text)
{
	if (md) {
		fprintf(f, "- %s: %s\n", label, text);
		return;
	}
	fprintf(f, "   %s: ", label);
	an_put_wrapped(f, text, 5 + strlen(label), 8);
}

/* The evidence lines a kind shows, each written to a buffer first so that text can wrap it. */
static void put_evidence(FILE *f, const struct analyze_report *r, const struct analyze_finding *fd, bool md)
{
	const struct frec_profile *p = analyze_report__profile(r);
	static const char *const labels[] = { "callers", "responsible", "inside (self)", "stack", "also" };

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (!m)
			return;
		if (i == 0 && fd->nr_callers > 1 && fd->kind != ANALYZE_KNOWN_OP && fd->kind != ANALYZE_LIBRARY) {
			put_fns(m, p, fd->callers, fd->nr_callers, md);
		} else if (i == 1 && (fd->nr_responsible > 1 ||
				      (fd->nr_responsible && fd->kind == ANALYZE_KNOWN_OP && fd->nr_callers &&
				       fd->callers[0].name != fd->responsible[0].name))) {
			put_fns(m, p, fd->responsible, fd->nr_responsible, md);
		} else if (i == 2 && fd->nr_inside && fd->kind != ANALYZE_HEAVY) {
			/* (a heavy subtree's summary lists its children already) */
			put_fns(m, p, fd->inside, fd->nr_inside, md);
		} else if (i == 3 && fd->stack_len) {
			fputs(md ? "`" : "", m);
			put_stack(m, r, fd->stack, fd->stack_len, fd->stack_trim, md ? ";" : " > ", md);
			fputs(md ? "`" : "", m);
		} else if (i == 4 && fd->nr_also) {
			put_also(m, p, fd, md);
		}
		if (fclose(m) == 0 && len)
			put_line(f, md, labels[i], buf);
		free(buf);
	}
}

static void write_text(const struct analyze_report *r, unsigned int max, FILE *f)
{
	const struct frec_profile *p = analyze_report__profile(r);
	size_t n = analyze_report__nr_findings(r);

	put_command(f, p, false);
	fputs(": ", f);
	put_recording(f, p);
	putc('\n', f);
	put_health(f, p);
	fputs("\n\n", f);
	if (!n) {
		fputs(frec_profile__total(p) ? "no findings: no function, library or known operation stands out "
					       "(the profile is flat; see frec report for the top functions)\n"
					     : "no findings: the profile holds no samples\n", f);
		return;
	}
	for (size_t i = 0; i < n && i < max; i++) {
		const struct analyze_finding *fd = analyze_report__finding(r, i);

		fprintf(f, "%zu. %s  ", i + 1, fd->id);
		put_share(f, p, fd->weight);
		if (fd->unique + fd->unique / 20 < fd->weight)
			fprintf(f, ", of which %.1f%% in no other finding", an_pct(fd->unique, frec_profile__total(p)));
		fputs("\n   ", f);
		an_put_wrapped(f, fd->summary, 3, 3);
		put_evidence(f, r, fd, false);
		fputs("   why: ", f);
		an_put_wrapped(f, fd->why, 8, 8);
		fputs("   fix: ", f);
		an_put_wrapped(f, fd->fix, 8, 8);
		putc('\n', f);
	}
	if (n > max)
		fprintf(f, "(%zu more findings: --top %zu shows them)\n", n - max, n);
}

/* ---- Markdown ------------------------------------------------------------------------------------ */

struct heavy_leaf {
	uint32_t node;
	uint64_t self;
};

static int cmp_leaf(const void *a, const void *b)
{
	const struct heavy_leaf *x = a, *y = b;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

/* The MD_STACKS stacks with the most self weight, folded and trimmed. */
static int put_heaviest_stacks(const struct analyze_report *r, FILE *f)
{
	const struct frec_profile *p = analyze_report__profile(r);
	struct heavy_leaf top[MD_STACKS];
	uint32_t nn = frec_profile__nr_nodes(p), path[512];
	size_t n = 0;

	for (uint32_t i = 1; i < nn; i++) {
		const struct frec_node *node = frec_profile__node(p, i);

		if (!node->self)
			continue;
		if (n < MD_STACKS) {
			top[n++] = (struct heavy_leaf){ i, node->self };
		} else if (node->self > top[MD_STACKS - 1].self) {
			top[MD_STACKS - 1] = (struct heavy_leaf){ i, node->self };
		} else {
			continue;
		}
		qsort(top, n, sizeof(*top), cmp_leaf);
	}
	if (!n)
		return 0;
	fputs("\n### Heaviest stacks (folded, root first, boilerplate roots dropped)\n\n```\n", f);
	for (size_t i = 0; i < n; i++) {
		size_t len = 0, trim = 0;
		char a[32];

		/* root-first path; a stack deeper than the buffer keeps its leaf side */
		for (uint32_t k = top[i].node; k != FREC_NODE_ROOT; k = frec_profile__node(p, k)->parent)
			len++;
		if (len > sizeof(path) / sizeof(path[0]))
			len = sizeof(path) / sizeof(path[0]);
		{
			size_t j = len;

			for (uint32_t k = top[i].node; k != FREC_NODE_ROOT && j; k = frec_profile__node(p, k)->parent)
				path[--j] = frec_profile__node(p, k)->frame;
		}
		while (trim < len && an_report__is_boilerplate(r, path[trim]))
			trim++;
		put_stack(f, r, path, len, trim, ";", true);
		fprintf(f, " %s\n", commas(top[i].self, a, sizeof(a)));
	}
	fputs("```\n", f);
	return 0;
}

static void write_markdown(const struct analyze_report *r, const struct analyze_write_opts *o, FILE *f)
{
	const struct frec_profile *p = analyze_report__profile(r);
	size_t n = analyze_report__nr_findings(r), max = o->max_findings ? o->max_findings : MD_FINDINGS;

	if (max > MD_FINDINGS)
		max = MD_FINDINGS;
	fputs("## Profile findings: ", f);
	put_command(f, p, true);
	fputs("\n\n", f);
	if (o->context && *o->context) {
		size_t len = strlen(o->context);
		char *ctx = strndup(o->context, len > MD_CONTEXT ? MD_CONTEXT : len);

		fputs("**Context (from the user):** ", f);
		if (ctx)
			an_put_clean(f, ctx, false);
		fputs(len > MD_CONTEXT ? "...\n\n" : "\n\n", f);
		free(ctx);
	}
	fputs("**Recording:** ", f);
	put_recording(f, p);
	fputs("; ", f);
	put_health(f, p);
	fputs(".\n\n", f);
	if (!n)
		fputs("No findings: no function, library or known operation stands out.\n", f);
	for (size_t i = 0; i < n && i < max; i++) {
		const struct analyze_finding *fd = analyze_report__finding(r, i);

		fprintf(f, "### %zu. `%s` ", i + 1, fd->id);
		put_share(f, p, fd->weight);
		fputs("\n\n", f);
		an_put_clean(f, fd->summary, true);
		fputs(".\n\n", f);
		put_evidence(f, r, fd, true);
		fputs("- why: ", f);
		an_put_clean(f, fd->why, true);
		fputs("\n- fix: ", f);
		an_put_clean(f, fd->fix, true);
		fputs("\n\n", f);
	}
	if (n > max)
		fprintf(f, "(%zu smaller findings left out.)\n", n - max);
	put_heaviest_stacks(r, f);
}

int analyze_format__parse(const char *name, enum analyze_format *out)
{
	static const char *const names[] = { "text", "markdown", "json" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*out = (enum analyze_format)i;
			return 0;
		}
	return -EINVAL;
}

int analyze_report__write(const struct analyze_report *r, const struct analyze_write_opts *o, FILE *f)
{
	static const struct analyze_write_opts defaults = { .format = ANALYZE_FORMAT_TEXT };
	unsigned int max;

	o = o ? o : &defaults;
	max = o->max_findings ? o->max_findings : DEFAULT_FINDINGS;
	switch (o->format) {
	case ANALYZE_FORMAT_JSON:
		an_write_json(r, o->context, f);
		break;
	case ANALYZE_FORMAT_MARKDOWN:
		write_markdown(r, o, f);
		break;
	case ANALYZE_FORMAT_TEXT:
	default:
		write_text(r, max, f);
		break;
	}
	return ferror(f) ? -EIO : 0;
}
