/* SPDX-License-Identifier: MIT */
/*
 * Shared by the analyze suites: a profile from folded text (or built frame by frame, for modules),
 * analysed with the built-in rules, and lookups of its findings.
 */
#ifndef FREC_TEST_ANALYZE_FIXTURE_H
#define FREC_TEST_ANALYZE_FIXTURE_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/analyze.h"
#include "frec/profile.h"

static struct frec_profile *prof;
static struct analyze_rules *rules;
static struct analyze_report *rep;

static inline void fixture_fini(void)
{
	analyze_report__free(rep);
	analyze_rules__free(rules);
	frec_profile__free(prof);
	rep = NULL;
	rules = NULL;
	prof = NULL;
}

/* Folded text, as `frec report -i FILE` loads it (children sorted). */
static inline void load(const char *text)
{
	prof = frec_profile__new();
	cr_assert_not_null(prof);
	cr_assert_gt(frec_profile__import_folded(prof, text, strlen(text), NULL), 0, "fixture: %s", text);
	cr_assert_eq(frec_profile__sort(prof), 0);
}

/* printf into a growing buffer: fixtures with many similar lines. */
struct sbuf {
	char *s;
	size_t len;
};

static inline void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char *piece;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&piece, fmt, ap);
	va_end(ap);
	cr_assert_geq(n, 0);
	b->s = realloc(b->s, b->len + (size_t)n + 1);
	cr_assert_not_null(b->s);
	memcpy(b->s + b->len, piece, (size_t)n + 1);
	b->len += (size_t)n;
	free(piece);
}

/* A stack of "name@module" frames ("@" optional), root first, separated by ';'. */
static inline void add_stack(const char *stack, uint64_t weight)
{
	uint32_t ids[256];
	size_t n = 0;
	char *copy = strdup(stack), *save = NULL;

	if (!prof) {
		prof = frec_profile__new();
		cr_assert_not_null(prof);
	}
	for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		char *at = strchr(tok, '@');
		struct frec_frame f = { 0 };
		size_t len = strlen(tok);

		if (at)
			*at = '\0';
		if (len > 4 && !strcmp(tok + strlen(tok) - 4, "_[k]")) {
			tok[strlen(tok) - 4] = '\0';
			f.kind = FREC_FRAME_KERNEL;
		}
		f.name = (uint32_t)frec_profile__intern_str(prof, tok);
		if (at)
			f.module = (uint32_t)frec_profile__intern_str(prof, at + 1);
		ids[n++] = (uint32_t)frec_profile__add_frame(prof, &f);
	}
	cr_assert_geq(frec_profile__add_stack(prof, ids, n, weight), 0);
	free(copy);
}

static inline void analyze(void)
{
	const char *b = analyze_rules__builtin();
	struct analyze_opts o;

	rules = analyze_rules__new();
	cr_assert_not_null(rules);
	cr_assert_gt(analyze_rules__parse(rules, b, strlen(b), NULL), 0);
	o = (struct analyze_opts){ .rules = rules };
	cr_assert_eq(analyze_report__new(prof, &o, &rep), 0);
}

static inline const char *str(uint32_t id)
{
	return frec_profile__str(prof, id);
}

/* The first finding with @id (and a subject named @subject, if given), or NULL; *@rank its rank. */
static inline const struct analyze_finding *find(const char *id, const char *subject, size_t *rank)
{
	for (size_t i = 0; i < analyze_report__nr_findings(rep); i++) {
		const struct analyze_finding *f = analyze_report__finding(rep, i);

		if (strcmp(f->id, id) || (subject && strcmp(str(f->subject.name), subject)))
			continue;
		if (rank)
			*rank = i;
		return f;
	}
	return NULL;
}

/* All findings, one per line, for assertion messages. */
static inline const char *dump(void)
{
	static char buf[8192];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < analyze_report__nr_findings(rep) && o < sizeof(buf) - 256; i++) {
		const struct analyze_finding *f = analyze_report__finding(rep, i);

		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\n  %zu. %s [%s] %.1f%%: %s", i + 1, f->id,
				      str(f->subject.name), 100.0 * (double)f->weight / (double)frec_profile__total(prof),
				      f->summary);
	}
	return buf;
}

static inline double share(const struct analyze_finding *f)
{
	return 100.0 * (double)f->weight / (double)frec_profile__total(prof);
}

#endif /* FREC_TEST_ANALYZE_FIXTURE_H */
