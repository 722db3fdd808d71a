// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: arbitrary bytes parsed as rules (then the built-in ones), and imported as folded
 * stacks that are analysed with them and written in every format; the first half of the bytes is
 * compared with the second as a diff.  Whatever the bytes, nothing crashes and every output is
 * written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/analyze.h"
#include "frec/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_all(int (*write)(const void *, const struct analyze_write_opts *, FILE *), const void *what)
{
	for (int fmt = ANALYZE_FORMAT_TEXT; fmt <= ANALYZE_FORMAT_JSON; fmt++) {
		struct analyze_write_opts wo = { .format = (enum analyze_format)fmt, .context = "fuzz" };
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (f) {
			write(what, &wo, f);
			fclose(f);
		}
		free(buf);
	}
}

static int write_report(const void *r, const struct analyze_write_opts *o, FILE *f)
{
	return analyze_report__write(r, o, f);
}

static int write_diff(const void *d, const struct analyze_write_opts *o, FILE *f)
{
	return analyze_diff__write(d, o, f);
}

static void diff_halves(const struct analyze_rules *r, const uint8_t *data, size_t size)
{
	struct frec_profile *a = frec_profile__new(), *b = frec_profile__new();
	struct analyze_diff_opts opts = { .rules = r };
	struct analyze_diff *d;

	if (a && b && frec_profile__import_folded(a, (const char *)data, size / 2, NULL) > 0 &&
	    frec_profile__import_folded(b, (const char *)data + size / 2, size - size / 2, NULL) > 0 &&
	    !analyze_diff__new(a, b, &opts, &d)) {
		write_all(write_diff, d);
		analyze_diff__free(d);
	}
	frec_profile__free(a);
	frec_profile__free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "crypt_r", "main", "libz.so.1+0x10", "JS:*f /a.js:1:2", "std::sort<int>" };
	struct analyze_rules *r = analyze_rules__new();
	struct frec_profile *p = frec_profile__new();
	struct analyze_rules_error e;
	const char *builtin = analyze_rules__builtin();

	if (!r || !p)
		goto out;
	analyze_rules__parse(r, (const char *)data, size, &e);
	if (analyze_rules__parse(r, builtin, strlen(builtin), &e) < 0)
		abort(); /* the built-in rules must always parse */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		analyze_rules__classify(r, names[i], NULL, NULL, NULL);
	if (frec_profile__import_folded(p, (const char *)data, size, NULL) > 0 && !frec_profile__sort(p)) {
		struct analyze_opts opts = { .rules = r };
		struct analyze_report *rep;

		if (!analyze_report__new(p, &opts, &rep)) {
			write_all(write_report, rep);
			analyze_report__free(rep);
		}
	}
	diff_halves(r, data, size);
out:
	analyze_rules__free(r);
	frec_profile__free(p);
	return 0;
}
