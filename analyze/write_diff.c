// SPDX-License-Identifier: MIT
/*
 * Diff findings as text, markdown and JSON.  Every output first names both inputs (the baseline
 * first), the scale they were compared on and the noise floor, so that a reader knows what a
 * change means and what "no finding" means; then the regressions, the improvements, and for each
 * where it changed and its callers.  JSON's schema is documented in frec-diff(1).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"

#define DEFAULT_FINDINGS 10

/* "before (baseline): FILE, 1,234 samples, 2.05 s"; "1,521,304,258 ns" for profiles weighed in ns */
static void put_side(FILE *f, const char *label, const struct frec_profile *p)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	const char *src = frec_profile__str(p, m->source);
	char n[32];

	fprintf(f, "%s", label);
	an_put_clean(f, *src ? src : "-", false);
	fprintf(f, ", %s %s", frec_norm__fmt(FREC_NORM_COUNT, (double)frec_profile__total(p), false, n, sizeof(n)),
		frec_profile__str(p, m->unit));
	if (m->duration_ns)
		fprintf(f, ", %s", frec_duration__str(m->duration_ns, n, sizeof(n)));
	putc('\n', f);
}

static void put_floor(FILE *f, const struct frec_diff_norm *dn, double min_size, bool md)
{
	char a[32], b[32], *text;
	/* weights in ns: their noise is that of the waits (frec_diff_norm__z()) */
	const char *waits = dn->per_sample[0] > 1 || dn->per_sample[1] > 1
				    ? "; time waited counts as that many waits of its profile's mean wait" : "";

	text = an_fmt("noise floor: a change is a finding when it is more than %.0f standard deviations of sampling noise "
		      "(a count of n samples varies by about sqrt(n); a change from nb to na samples on scales sb and sa "
		      "by sqrt(nb*sb^2 + na*sa^2)%s), more than %.1f%% of the baseline (%s), and at least %s",
		      dn->min_z, waits, FREC_NORM_MIN_POINTS, frec_norm__fmt(dn->norm, dn->min_size, false, a, sizeof(a)),
		      frec_norm__fmt(dn->norm, min_size, false, b, sizeof(b)));
	if (!text)
		return;
	if (md)
		fprintf(f, "- %s\n", text);
	else
		an_put_wrapped(f, text, 0, 2);
	free(text);
}

static void put_deltas(FILE *f, const struct frec_diff_norm *dn, const struct analyze_delta *v, size_t n, bool md)
{
	for (size_t i = 0; i < n; i++) {
		char name[128], by[32];

		bool code = md && v[i].name;

		fputs(i ? ", " : "", f);
		fputs(code ? "`" : "", f);
		an_put_clean(f, v[i].name ? an_short_name(v[i].name, name, sizeof(name)) : "its own code", md);
		fputs(code ? "`" : "", f);
		fprintf(f, " %s", frec_norm__fmt(dn->norm, v[i].after - v[i].before, true, by, sizeof(by)));
	}
}

static void put_callers(FILE *f, const struct analyze_delta *v, size_t n, bool md)
{
	for (size_t i = 0, k = 0; i < n; i++) {
		char name[128];

		if (!v[i].name)
			continue;
		fputs(k++ ? ", " : "", f);
		if (md)
			putc('`', f);
		an_put_clean(f, an_short_name(v[i].name, name, sizeof(name)), md);
		if (md)
			putc('`', f);
	}
}

static void write_list(FILE *f, const struct analyze_diff *d, bool up, unsigned int max, bool md)
{
	const struct frec_diff_norm *dn = analyze_diff__norm(d);
	size_t shown = 0, more = 0;

	fprintf(f, md ? "\n### %s\n\n" : "\n%s:\n", up ? "Regressions" : "Improvements");
	for (size_t i = 0; i < analyze_diff__nr(d); i++) {
		const struct analyze_diff_finding *x = analyze_diff__finding(d, i);

		if ((x->change <= ANALYZE_NEW) != up)
			continue;
		if (shown == max) {
			more++;
			continue;
		}
		fprintf(f, md ? "%zu. **%s**: " : "%zu. %s: ", ++shown, x->id);
		if (md) {
			an_put_clean(f, x->summary, true);
			fputs(".\n   - where: ", f);
		} else {
			an_put_wrapped(f, x->summary, 6 + strlen(x->id), 3);
			fputs("   where: ", f);
		}
		put_deltas(f, dn, x->parts, x->nr_parts, md);
		if (x->nr_callers && x->callers[0].name) {
			fputs(md ? "\n   - callers: " : "\n   callers: ", f);
			put_callers(f, x->callers, x->nr_callers, md);
		}
		fprintf(f, md ? "\n   - %.1f standard deviations of sampling noise\n" : "\n   %.1f standard deviations of sampling noise\n",
			x->z);
	}
	if (!shown)
		fputs(md ? "None beyond the noise floor.\n" : "   none beyond the noise floor\n", f);
	if (more)
		fprintf(f, md ? "\n(%zu smaller ones left out.)\n" : "   (%zu smaller ones: --top shows them)\n", more);
}

static void write_text(const struct analyze_diff *d, const struct analyze_write_opts *o, bool md, FILE *f)
{
	const struct frec_diff_norm *dn = analyze_diff__norm(d);
	unsigned int max = o->max_findings ? o->max_findings : DEFAULT_FINDINGS;
	char what[96];

	if (md) {
		fputs("## Profile diff findings\n\n", f);
		if (o->context && *o->context) {
			fputs("**Context (from the user):** ", f);
			an_put_clean(f, o->context, false);
			fputs("\n\n", f);
		}
	}
	put_side(f, md ? "- before (baseline): " : "before (baseline): ", an_diff__profile(d, false));
	put_side(f, md ? "- after: " : "after:             ", an_diff__profile(d, true));
	fprintf(f, "%scompared as %s [--normalize %s]\n", md ? "- " : "", frec_diff_norm__describe(dn, what, sizeof(what)),
		frec_norm__name(dn->norm));
	put_floor(f, dn, an_diff__min_size(d), md);
	write_list(f, d, true, max, md);
	write_list(f, d, false, max, md);
}

/* ---- JSON ------------------------------------------------------------------------------------- */

/* A value of the normalisation's unit as JSON: seconds for time and rate, percent for shares. */
static double json_value(const struct frec_diff_norm *dn, double v)
{
	switch (dn->norm) {
	case FREC_NORM_TIME:
	case FREC_NORM_RATE:
		return v / 1e9;
	case FREC_NORM_SHARE:
		return v * 100;
	default:
		return v;
	}
}

static const char *json_unit(const struct frec_diff_norm *dn)
{
	switch (dn->norm) {
	case FREC_NORM_TIME:
		return "seconds";
	case FREC_NORM_RATE:
		return "seconds per second";
	case FREC_NORM_SHARE:
		return "percent";
	default:
		return "samples";
	}
}

static void json_side(FILE *f, const char *key, const struct frec_profile *p)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);

	fprintf(f, "  \"%s\": {\"source\": ", key);
	an_json_str(f, frec_profile__str(p, m->source));
	/* samples are samples, also of a profile weighed in ns; weight and unit were added in version 1 */
	fprintf(f, ", \"samples\": %" PRIu64 ", \"weight\": %" PRIu64 ", \"unit\": ",
		!strcmp(frec_profile__str(p, m->unit), "ns") ? m->samples : frec_profile__total(p), frec_profile__total(p));
	an_json_str(f, frec_profile__str(p, m->unit));
	fprintf(f, ", \"duration_seconds\": %.6f},\n", (double)m->duration_ns / 1e9);
}

static void json_delta(FILE *f, const struct frec_diff_norm *dn, const struct analyze_delta *x)
{
	fputs("{\"name\": ", f);
	if (x->name)
		an_json_str(f, x->name);
	else
		fputs("null", f);
	fputs(", \"module\": ", f);
	an_json_str(f, x->module ? x->module : "");
	fprintf(f, ", \"before\": %.9g, \"after\": %.9g, \"change\": %.9g, \"share_before\": %.2f, \"share_after\": %.2f"
		   ", \"samples_before\": %" PRIu64 ", \"samples_after\": %" PRIu64 "}",
		json_value(dn, x->before), json_value(dn, x->after), json_value(dn, x->after - x->before), x->share_before,
		x->share_after, x->weight_before, x->weight_after);
}

struct deltas {
	const struct frec_diff_norm *dn;
	const struct analyze_delta *v;
};

static void delta_item(FILE *f, const void *arg, size_t i)
{
	const struct deltas *x = arg;

	json_delta(f, x->dn, &x->v[i]);
}

static void json_deltas(FILE *f, const struct frec_diff_norm *dn, const char *key, const struct analyze_delta *v, size_t n)
{
	struct deltas x = { dn, v };

	an_json_array(f, key, n, delta_item, &x);
}

static void write_json(const struct analyze_diff *d, const struct analyze_write_opts *o, FILE *f)
{
	const struct frec_diff_norm *dn = analyze_diff__norm(d);

	fprintf(f, "{\n  \"schema\": \"frec-diff-findings\",\n  \"version\": %d,\n", ANALYZE_DIFF_JSON_VERSION);
	json_side(f, "before", an_diff__profile(d, false));
	json_side(f, "after", an_diff__profile(d, true));
	fprintf(f, "  \"normalize\": \"%s\",\n  \"unit\": \"%s\",\n", frec_norm__name(dn->norm), json_unit(dn));
	/* what the seconds are of: added in version 1, as fields may be */
	fprintf(f, "  \"time\": \"%s\",\n",
		!strcmp(dn->time, "time") ? "mixed" : frec_profile__time_kind(an_diff__profile(d, false)));
	fprintf(f, "  \"noise_floor\": {\"min_z\": %.1f, \"min_points\": %.2f, \"min_change\": %.9g},\n", dn->min_z,
		FREC_NORM_MIN_POINTS, json_value(dn, an_diff__min_size(d)));
	fputs("  \"context\": ", f);
	if (o->context && *o->context)
		an_json_str(f, o->context);
	else
		fputs("null", f);
	fputs(",\n  \"findings\": [\n", f);
	for (size_t i = 0; i < analyze_diff__nr(d); i++) {
		const struct analyze_diff_finding *x = analyze_diff__finding(d, i);

		fprintf(f, "    {\n      \"rank\": %zu,\n      \"id\": \"%s\",\n      \"summary\": ", i + 1, x->id);
		an_json_str(f, x->summary);
		fputs(",\n      \"function\": ", f);
		json_delta(f, dn, &x->fn);
		fputs(",\n      \"growth_percent\": ", f);
		if (isfinite(x->growth))
			fprintf(f, "%.2f", x->growth);
		else
			fputs("null", f);
		fprintf(f, ",\n      \"z\": %.2f", x->z);
		json_deltas(f, dn, "parts", x->parts, x->nr_parts);
		json_deltas(f, dn, "callers", x->callers, x->nr_callers);
		fputs(i + 1 < analyze_diff__nr(d) ? "\n    },\n" : "\n    }\n", f);
	}
	fputs("  ]\n}\n", f);
}

int analyze_diff__write(const struct analyze_diff *d, const struct analyze_write_opts *o, FILE *f)
{
	static const struct analyze_write_opts defaults = { .format = ANALYZE_FORMAT_TEXT };

	o = o ? o : &defaults;
	if (o->format == ANALYZE_FORMAT_JSON)
		write_json(d, o, f);
	else
		write_text(d, o, o->format == ANALYZE_FORMAT_MARKDOWN, f);
	return ferror(f) ? -EIO : 0;
}
