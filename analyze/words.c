// SPDX-License-Identifier: MIT
/*
 * The words of each finding: a one-sentence summary with its numbers, why it costs this much and
 * what to do, naming the functions involved.  Known operations take their why and fix from their
 * rule; the other kinds fill in a template.  The broken-stacks finding is built here too, from the
 * stack-health counters and the causes common/profile_health.c finds for the text report.
 * Names in sentences are shortened as a reader would say them (names.c); JSON keeps the full ones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"


const char *an_wait_measure(const struct frec_profile *p)
{
	const char *ev = frec_profile__str(p, frec_profile__meta_const(p)->event);

	/* the symbolizer names the event of the profiles it weighs by time waited */
	if (!strcmp(ev, "off-cpu"))
		return "off-CPU";
	if (!strcmp(ev, "wall"))
		return "wall-clock";
	return NULL;
}

/* "of the CPU time" for clocks, "of the off-CPU time" for waits, "of the cycles samples" for other
 * events, "of the samples" else. */
const char *an_share_of(const struct frec_profile *p, char *buf, size_t size)
{
	const char *ev = frec_profile__str(p, frec_profile__meta_const(p)->event);
	const char *waits = an_wait_measure(p);

	if (waits) {
		snprintf(buf, size, "of the %s time", waits);
		return buf;
	}
	if (!strcmp(ev, "cpu-clock") || !strcmp(ev, "task-clock"))
		return "of the CPU time";
	if (*ev) {
		snprintf(buf, size, "of the %s samples", ev);
		return buf;
	}
	return "of the samples";
}

/* The names a sentence uses: short function names and module base names. */
struct names {
	char subject[128], resp[128], mod[128], c1[128], c2[128], in1[128], of[64];
	char list[512]; /* "a (12.0%), b (8.0%) and c (5.0%)": the inside list */
	char input[160]; /* " -i demo.zst": the report's input, for commands to run next; "" for trace.zst */
	char names[512]; /* "a, b and c": the same without the shares */
	char annotate[352]; /* " and `frec annotate -i demo.zst f` its hot instructions", or "" */
	const char *module; /* of the subject, "" if none */
	double pct;
};

static void fn_name(const struct frec_profile *p, const struct analyze_fn *fn, char *buf, size_t size)
{
	if (fn->kernel)
		snprintf(buf, size, "the kernel");
	else if (fn->name)
		an_short_name(frec_profile__str(p, fn->name), buf, size);
	else
		snprintf(buf, size, "%s", fn->module ? frec_profile__module_basename(p, fn->module) : "?");
}

/*
 * " -i SOURCE" when the profile came from another file than frec report's default, so that a
 * command in a fix runs as printed: `frec report -i demo.zst --lines`.  A name a shell would
 * split or expand is left out (the command then names the default).
 */
static void report_input(const struct frec_profile *p, char *buf, size_t size)
{
	const char *src = frec_profile__str(p, frec_profile__meta_const(p)->source);

	buf[0] = '\0';
	if (*src && strcmp(src, "trace.zst") && strcmp(src, "-") && !src[strspn(src, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+,@")])
		snprintf(buf, size, " -i %s", src);
}

/* Whether @name runs as printed as one word of a shell command (a C, C++ or Rust name does). */
static bool shell_word(const char *name)
{
	return *name && !name[strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:.")];
}

static void get_names(const struct an_ctx *c, const struct analyze_finding *f, struct names *n)
{
	const struct frec_profile *p = c->p;
	struct analyze_fn none = { 0 };

	fn_name(p, &f->subject, n->subject, sizeof(n->subject));
	fn_name(p, f->nr_responsible ? &f->responsible[0] : &none, n->resp, sizeof(n->resp));
	fn_name(p, f->nr_callers ? &f->callers[0] : &none, n->c1, sizeof(n->c1));
	fn_name(p, f->nr_callers > 1 ? &f->callers[1] : &none, n->c2, sizeof(n->c2));
	fn_name(p, f->nr_inside ? &f->inside[0] : &none, n->in1, sizeof(n->in1));
	n->module = f->subject.module ? frec_profile__module_basename(p, f->subject.module) : "";
	snprintf(n->mod, sizeof(n->mod), "%s", f->subject.kernel ? "the kernel" : n->module);
	{
		char of[sizeof(n->of)];

		/* not into n->of itself: an_share_of() may write its answer to the buffer it is given */
		snprintf(n->of, sizeof(n->of), "%s", an_share_of(p, of, sizeof(of)));
	}
	n->pct = an_pct(f->weight, c->total);
	report_input(p, n->input, sizeof(n->input));
	n->annotate[0] = '\0';
	if (shell_word(n->subject))
		snprintf(n->annotate, sizeof(n->annotate), " and `frec annotate%s %s` its hot instructions", n->input,
			 n->subject);
	n->list[0] = n->names[0] = '\0';
	for (size_t i = 0, o = 0, q = 0; i < f->nr_inside && o < sizeof(n->list) && q < sizeof(n->names); i++) {
		const char *sep = !i ? "" : i + 1 == f->nr_inside ? " and " : ", ";
		char name[128];

		fn_name(p, &f->inside[i], name, sizeof(name));
		o += (size_t)snprintf(n->list + o, sizeof(n->list) - o, "%s%s (%.1f%%)", sep, name,
				      an_pct(f->inside[i].weight, c->total));
		q += (size_t)snprintf(n->names + q, sizeof(n->names) - q, "%s%s", sep, name);
	}
}

/* ", called from X" / " in X": the subject's place, for sentences. */
static int words_known_op(const struct an_ctx *c, struct analyze_finding *f, struct an_finding_mem *m,
			  const struct names *n)
{
	const struct an_rule *rule = NULL;
	const char *where = *n->module ? " in " : "";

	for (size_t i = 0; i < an_rules__nr(c->rules); i++)
		if (an_rules__get(c->rules, i)->id == f->id)
			rule = an_rules__get(c->rules, i);
	/* waits are states ("sleeping"), operations are things done ("in password hashing") */
	const char *in = rule && rule->waits ? "" : "in ", *goes = rule && rule->waits ? "is spent" : "goes to";

	if (f->nr_responsible && f->responsible[0].weight * 2 >= f->weight)
		m->summary = an_fmt("%s spends %.1f%% %s %s%s (%s%s%s)", n->resp, n->pct, n->of, in, f->title, n->subject,
				 where, n->module);
	else if (f->nr_responsible)
		m->summary = an_fmt("%.1f%% %s %s %s (%s%s%s), from several places, most from %s", n->pct, n->of, goes,
				 f->title, n->subject, where, n->module, n->resp);
	else
		m->summary = an_fmt("%.1f%% %s %s %s (%s%s%s)", n->pct, n->of, goes, f->title, n->subject, where,
				 n->module);
	m->why = rule ? strdup(rule->why) : NULL;
	m->fix = rule ? strdup(rule->fix) : NULL;
	return 0;
}

static bool is_program_code(const struct an_ctx *c, const struct analyze_fn *fn)
{
	for (uint32_t i = 0; i < c->nr_funcs; i++)
		if (c->funcs[i].name == fn->name && c->funcs[i].module == fn->module)
			return c->fi[c->funcs[i].frame].cls == AN_CLASS_USER;
	return false;
}

int an_finding__words(const struct an_ctx *c, struct analyze_finding *f, struct an_finding_mem *m)
{
	struct names n;

	get_names(c, f, &n);
	switch (f->kind) {
	case ANALYZE_KNOWN_OP:
		words_known_op(c, f, m, &n);
		break;
	case ANALYZE_HOTSPOT:
		if (is_program_code(c, &f->subject) || !f->nr_responsible) {
			m->summary = an_fmt("%s spends %.1f%% %s in its own code%s%s", n.subject, n.pct, n.of,
					 f->nr_callers ? ", called from " : "", f->nr_callers ? n.c1 : "");
			m->why = an_fmt("The time is in %s's own instructions, not in the functions it calls.", n.subject);
			m->fix = an_fmt("Make %s do less: a better algorithm or data structure, less work per call, or "
				     "fewer calls%s%s; `frec report%s --lines` shows its hot lines%s.", n.subject,
				     f->nr_callers ? " from " : "", f->nr_callers ? n.c1 : "", n.input, n.annotate);
		} else {
			m->summary = an_fmt("%s (%s) takes %.1f%% %s in its own code, called from %s", n.subject, n.module,
					 n.pct, n.of, n.resp);
			m->why = an_fmt("%s is code of %s; its cost comes from how %s uses it.", n.subject, n.module, n.resp);
			m->fix = an_fmt("Call it less often or with less data from %s, or find a cheaper way to do the "
				     "job; if it is a known expensive operation, a rule (--rules) can name it.", n.resp);
		}
		break;
	case ANALYZE_HEAVY:
		m->summary = an_fmt("%s and its callees take %.1f%% %s, %.1f%% of it in callees that are no finding of "
				    "their own: %s", n.subject, n.pct, n.of, an_pct(f->unique, c->total), n.list);
		m->why = an_fmt("%s itself does little: the time is in what it calls, each piece too small to stand "
				"out on its own.", n.subject);
		m->fix = an_fmt("Look at why %s calls %s so much: fewer calls, less data per call, or caching their "
				"results.", n.subject, n.names);
		break;
	case ANALYZE_RECURSION:
		m->summary = an_fmt("%s calls itself up to %u levels deep, for %.1f%% %s", n.subject, f->depth, n.pct, n.of);
		m->why = an_fmt("%s is on its own stack up to %u times: deep recursion often computes the same "
			     "results again and pays a call per level.", n.subject, f->depth);
		m->fix = an_fmt("If %s recomputes results for the same arguments, memoise them; otherwise turn the "
			     "recursion into a loop (an explicit stack, or a bottom-up pass).", n.subject);
		break;
	case ANALYZE_REPEATED:
		m->summary = an_fmt("%s does the same work for %zu callers (%s, %s%s): %.1f%% %s in all", n.subject,
				 f->nr_callers, n.c1, n.c2, f->nr_callers > 2 ? ", ..." : "", n.pct, n.of);
		m->why = an_fmt("The same subtree (the same callees in similar proportions) runs under several "
			     "callers: the work is repeated instead of shared, as with N+1 queries or a document "
			     "parsed in several places.");
		m->fix = an_fmt("Do it once: batch the calls (load all the rows in one query), or cache %s's result "
			     "and share it between %s and %s.", n.subject, n.c1, n.c2);
		break;
	case ANALYZE_LIBRARY:
		if (f->subject.kernel) {
			m->summary = an_fmt("%s spends %.1f%% %s in the kernel (mostly %s)", n.resp, n.pct, n.of, n.in1);
			m->why = an_fmt("The kernel works for %s: system calls, page faults or interrupts.", n.resp);
			m->fix = an_fmt("Make fewer and larger system calls from %s and touch less fresh memory; the "
				     "kernel functions listed show which.", n.resp);
		} else {
			m->summary = an_fmt("%s spends %.1f%% %s inside %s (mostly %s)", n.resp, n.pct, n.of, n.mod, n.in1);
			m->why = an_fmt("The time is in %s's code, called by %s; no rule of a known operation names it.",
				     n.mod, n.resp);
			m->fix = an_fmt("Check how %s uses %s: how often it calls it, with how much data, and whether "
				     "the library has a cheaper call or setting for the job.", n.resp, n.mod);
		}
		break;
	default:
		break;
	}
	if (!m->summary || !m->why || !m->fix)
		return -ENOMEM;
	f->summary = m->summary;
	f->why = m->why;
	f->fix = m->fix;
	return 0;
}

int an_broken_stacks(const struct an_ctx *c, struct analyze_finding *f, struct an_finding_mem *m, double min_pct)
{
	const struct frec_stack_health *h = &frec_profile__meta_const(c->p)->health;
	/*
	 * A truncated stack matters when what it lost was the function responsible: a stack cut above
	 * the program's own code (its main unnamed in a stripped binary) still says who did the work.
	 */
	double cut = an_pct(h->truncated, h->samples), lost = an_pct(c->unattributed, c->total);
	double trunc = cut < lost ? cut : lost, unk = an_pct(c->unknown_user, c->total);
	struct frec_health_causes why;
	char a[512], b[512];

	if (trunc < min_pct && unk < min_pct)
		return 0;
	*f = (struct analyze_finding){ .kind = ANALYZE_BROKEN_STACKS, .id = "broken-stacks", .title = "broken stacks" };
	m->order = -1;
	f->weight = f->unique = trunc >= unk ? (uint64_t)((double)c->total * trunc / 100) : c->unknown_user;
	frec_profile__health_causes(c->p, &why);
	if (trunc >= unk)
		m->summary = an_fmt("%.1f%% of the samples have a stack cut short before the program's own code: their "
				    "time cannot be attributed to the functions responsible", trunc);
	else
		m->summary = an_fmt("%.1f%% of the samples have program frames without a name: their time cannot be "
				 "attributed to the functions responsible", unk);
	m->why = an_fmt("%.1f%% of the samples have a truncated stack (%.1f%% have no function of the program on "
			"it any more) and %.1f%% unnamed frames outside system libraries; findings about them are "
			"incomplete.", cut, lost, unk);
	if (why.main == FREC_CAUSE_NONE) {
		/* folded stacks carry no health: the unnamed frames are all there is to go on */
		m->fix = an_fmt("Record with frec, which keeps the symbols and says why frames have no name; "
			     "install the program's debug symbols, or give JIT code a perf map.");
	} else {
		frec_health_cause__describe(c->p, why.main, why.main_module, a, sizeof(a));
		if (why.also != FREC_CAUSE_NONE)
			frec_health_cause__describe(c->p, why.also, why.also_module, b, sizeof(b));
		m->fix = an_fmt("Likely cause: %s%s%s.", a, why.also != FREC_CAUSE_NONE ? "; also " : "",
			     why.also != FREC_CAUSE_NONE ? b : "");
	}
	if (!m->summary || !m->why || !m->fix)
		return -ENOMEM;
	f->summary = m->summary;
	f->why = m->why;
	f->fix = m->fix;
	return 1;
}
