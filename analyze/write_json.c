// SPDX-License-Identifier: MIT
/*
 * Findings as JSON, for scripts and CI: the schema is documented in frec-report(1) and versioned
 * by "version" (ANALYZE_JSON_VERSION); fields are only ever added within a version.  Shares are
 * percentages of all samples, weights are in the profile's unit, seconds (of the time the profile's
 * "time" names: cpu, off-cpu or wall) are null when the profile carries no time.  Strings are
 * escaped for JSON whatever bytes names hold: invalid UTF-8 becomes U+FFFD, so the output always
 * parses.
 */
#include <inttypes.h>
#include <string.h>

#include "analyze_internal.h"

/* The length of the valid UTF-8 sequence at @s (up to @end), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;

	if (!n || (size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong three- and four-byte forms, surrogates, and code points past U+10FFFF */
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

void an_json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + strlen(str);

	putc('"', f);
	while (s < end) {
		size_t n;

		if (*s == '"' || *s == '\\') {
			putc('\\', f);
			putc(*s++, f);
		} else if (*s == '\n') {
			fputs("\\n", f);
			s++;
		} else if (*s == '\t') {
			fputs("\\t", f);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			putc(*s++, f);
		} else if ((n = utf8_len(s, end))) {
			fwrite(s, 1, n, f);
			s += n;
		} else {
			fputs("\\ufffd", f);
			s++;
		}
	}
	putc('"', f);
}

static void json_str_or_null(FILE *f, const char *s)
{
	if (s && *s)
		an_json_str(f, s);
	else
		fputs("null", f);
}

static void json_seconds(FILE *f, const struct frec_profile *p, uint64_t w)
{
	double ns = frec_profile__ns_per_weight(p);

	if (ns > 0)
		fprintf(f, "%.6f", ns * (double)w / 1e9);
	else
		fputs("null", f);
}

static void json_fn(FILE *f, const struct frec_profile *p, const struct analyze_fn *fn)
{
	fputs("{\"name\": ", f);
	json_str_or_null(f, fn->name ? frec_profile__str(p, fn->name) : NULL);
	fputs(", \"module\": ", f);
	json_str_or_null(f, fn->kernel ? "[kernel]" : fn->module ? frec_profile__str(p, fn->module) : NULL);
	fprintf(f, ", \"weight\": %" PRIu64 ", \"share\": %.2f}", fn->weight, an_pct(fn->weight, frec_profile__total(p)));
}

void an_json_array(FILE *f, const char *key, size_t n, void (*item)(FILE *f, const void *arg, size_t i), const void *arg)
{
	fprintf(f, ",\n      \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		item(f, arg, i);
	}
	putc(']', f);
}

struct fns {
	const struct frec_profile *p;
	const struct analyze_fn *v;
};

static void fn_item(FILE *f, const void *arg, size_t i)
{
	const struct fns *x = arg;

	json_fn(f, x->p, &x->v[i]);
}

static void json_fns(FILE *f, const struct frec_profile *p, const char *key, const struct analyze_fn *v, size_t n)
{
	struct fns x = { p, v };

	an_json_array(f, key, n, fn_item, &x);
}

static void json_profile(FILE *f, const struct frec_profile *p)
{
	const struct frec_profile_meta *m = frec_profile__meta_const(p);
	const struct frec_stack_health *h = &m->health;
	uint64_t total = frec_profile__total(p);

	fputs("  \"profile\": {\n    \"source\": ", f);
	json_str_or_null(f, frec_profile__str(p, m->source));
	fputs(",\n    \"command\": ", f);
	json_str_or_null(f, frec_profile__str(p, m->command));
	fputs(",\n    \"event\": ", f);
	json_str_or_null(f, frec_profile__str(p, m->event));
	fprintf(f, ",\n    \"frequency_hz\": %" PRIu64 ",\n    \"duration_seconds\": %.6f", m->freq,
		(double)m->duration_ns / 1e9);
	fprintf(f, ",\n    \"samples\": %" PRIu64 ",\n    \"lost\": %" PRIu64 ",\n    \"weight\": %" PRIu64,
		m->samples ? m->samples : total, m->lost, total);
	fputs(",\n    \"unit\": ", f);
	an_json_str(f, frec_profile__str(p, m->unit));
	fputs(",\n    \"time\": ", f);
	json_str_or_null(f, frec_profile__ns_per_weight(p) > 0 ? frec_profile__time_kind(p) : NULL);
	fputs(",\n    \"seconds\": ", f);
	json_seconds(f, p, total);
	fputs(",\n    \"stack_health\": ", f);
	if (h->samples)
		fprintf(f, "{\"samples\": %" PRIu64 ", \"truncated\": %" PRIu64 ", \"unknown_frames\": %" PRIu64
			   ", \"depth_limited\": %" PRIu64 ", \"stack_copy_full\": %" PRIu64
			   ", \"unwind_failed\": %" PRIu64 "}",
			h->samples, h->truncated, h->has_unknown, h->depth_limited, h->stack_copy_full, h->unwind_failed);
	else
		fputs("null", f);
	fputs("\n  }", f);
}

static void json_finding(FILE *f, const struct frec_profile *p, const struct analyze_finding *fd, size_t rank)
{
	uint64_t total = frec_profile__total(p);

	fprintf(f, "    {\n      \"rank\": %zu,\n      \"kind\": ", rank);
	an_json_str(f, analyze_kind__name(fd->kind));
	fputs(",\n      \"id\": ", f);
	an_json_str(f, fd->id);
	fputs(",\n      \"title\": ", f);
	an_json_str(f, fd->title);
	fputs(",\n      \"summary\": ", f);
	an_json_str(f, fd->summary);
	fprintf(f, ",\n      \"share\": %.2f,\n      \"unique_share\": %.2f", an_pct(fd->weight, total),
		an_pct(fd->unique, total));
	fprintf(f, ",\n      \"weight\": %" PRIu64 ",\n      \"unique_weight\": %" PRIu64, fd->weight, fd->unique);
	fputs(",\n      \"seconds\": ", f);
	json_seconds(f, p, fd->weight);
	fputs(",\n      \"subject\": ", f);
	json_fn(f, p, &fd->subject);
	fprintf(f, ",\n      \"subject_self\": %" PRIu64, fd->subject_self);
	json_fns(f, p, "responsible", fd->responsible, fd->nr_responsible);
	json_fns(f, p, "callers", fd->callers, fd->nr_callers);
	json_fns(f, p, "inside", fd->inside, fd->nr_inside);
	if (fd->kind == ANALYZE_RECURSION)
		fprintf(f, ",\n      \"depth\": %u", fd->depth);
	fputs(",\n      \"stack\": [", f);
	for (size_t i = 0; i < fd->stack_len; i++) {
		fputs(i ? ", " : "", f);
		an_json_str(f, frec_profile__frame_name(p, fd->stack[i]));
	}
	fprintf(f, "],\n      \"stack_trim\": %zu", fd->stack_trim);
	fputs(",\n      \"also\": [", f);
	for (size_t i = 0; i < fd->nr_also; i++) {
		fputs(i ? ", " : "", f);
		fputs("{\"id\": ", f);
		an_json_str(f, fd->also[i].id);
		fputs(", \"what\": ", f);
		json_fn(f, p, &fd->also[i].what);
		putc('}', f);
	}
	fputs("],\n      \"why\": ", f);
	an_json_str(f, fd->why);
	fputs(",\n      \"fix\": ", f);
	an_json_str(f, fd->fix);
	fputs("\n    }", f);
}

void an_write_json(const struct analyze_report *r, const char *context, FILE *f)
{
	const struct frec_profile *p = analyze_report__profile(r);
	size_t n = analyze_report__nr_findings(r);

	fprintf(f, "{\n  \"schema\": \"frec-findings\",\n  \"version\": %d,\n", ANALYZE_JSON_VERSION);
	json_profile(f, p);
	fputs(",\n  \"context\": ", f);
	json_str_or_null(f, context);
	fputs(",\n  \"findings\": [\n", f);
	for (size_t i = 0; i < n; i++) {
		json_finding(f, p, analyze_report__finding(r, i), i + 1);
		fputs(i + 1 < n ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
}
