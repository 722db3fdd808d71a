// SPDX-License-Identifier: MIT
/*
 * The rules of the findings: the parser (from memory buffers, with the line of the first error),
 * the matcher's semantics, and the built-in rules against the symbol names Debian's libraries
 * really have, with and without their debug packages (tests/data/analyze/symbols.tsv).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/analyze.h"
#include "frec/error.h"
#include "helpers.h"

static struct analyze_rules *r;

static void fini(void)
{
	analyze_rules__free(r);
	r = NULL;
}

TestSuite(analyze_rules, .fini = fini);

static int parse(const char *text, struct analyze_rules_error *e)
{
	if (!r)
		r = analyze_rules__new();
	cr_assert_not_null(r);
	return analyze_rules__parse(r, text, strlen(text), e);
}

static const char *cat(const char *name, const char *module)
{
	const char *c = analyze_rules__classify(r, name, module, NULL, NULL);

	return c ? c : "-";
}

static void builtin(void)
{
	struct analyze_rules_error e;
	int n = parse(analyze_rules__builtin(), &e);

	cr_assert_gt(n, 0, "built-in rules: line %u: %s", e.line, e.msg);
}

Test(analyze_rules, a_rule_matches_names_and_modules)
{
	struct analyze_rules_error e;

	cr_assert_eq(parse("# a comment\n"
			   "[op image-decoding]\n"
			   "title decoding images\n"
			   "threshold 4%\n"
			   "match png_read_* \"jpeg_read_scanlines\" decode_?\n"
			   "match * in libwebp.so* /opt/vendor/*\n"
			   "why Decoding is costly\n"
			   "\tper pixel.\n"
			   "fix Cache decoded images.\n",
			   &e),
		     1, "line %u: %s", e.line, e.msg);
	cr_assert_str_eq(cat("png_read_row", NULL), "image-decoding");
	cr_assert_str_eq(cat("jpeg_read_scanlines", "/usr/lib/libjpeg.so.62"), "image-decoding");
	cr_assert_str_eq(cat("decode_1", NULL), "image-decoding");
	cr_assert_str_eq(cat("decode_12", NULL), "-");
	cr_assert_str_eq(cat("png_write_row", NULL), "-");
	/* module patterns: the last component, or the whole path when they hold a '/' */
	cr_assert_str_eq(cat("WebPDecode", "/usr/lib/x86_64-linux-gnu/libwebp.so.7"), "image-decoding");
	cr_assert_str_eq(cat("anything", "/opt/vendor/lib/libx.so"), "image-decoding");
	cr_assert_str_eq(cat("anything", "/opt/other/lib/libx.so"), "-");
	/* an unnamed frame names its module */
	cr_assert_str_eq(cat("libwebp.so.7+0x1234", NULL), "image-decoding");
}

Test(analyze_rules, rules_added_first_take_precedence)
{
	builtin();
	cr_assert_str_eq(cat("qsort", "/usr/lib/x86_64-linux-gnu/libc.so.6"), "sorting");
	fini();
	cr_assert_eq(parse("[op my-sort]\nmatch qsort\nwhy w\nfix f\n", NULL), 1);
	builtin();
	cr_assert_str_eq(cat("qsort", "/usr/lib/x86_64-linux-gnu/libc.so.6"), "my-sort");
	cr_assert_str_eq(cat("msort_with_tmp.part.0", "/usr/lib/x86_64-linux-gnu/libc.so.6"), "sorting");
}

Test(analyze_rules, boilerplate_and_system_sections)
{
	bool boiler, sys;

	cr_assert_eq(parse("[boilerplate]\nmatch my_event_loop*\n[system]\nmatch * in /opt/sdk/*\n", NULL), 2);
	cr_assert_null(analyze_rules__classify(r, "my_event_loop_run", "/opt/app/app", &boiler, &sys));
	cr_assert(boiler && !sys);
	analyze_rules__classify(r, "sdk_call", "/opt/sdk/lib/libsdk.so", &boiler, &sys);
	cr_assert(!boiler && sys);
}

struct bad_case {
	const char *text;
	unsigned int line;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "match foo\n", 1, "a rule starts with a section header" },
	{ "[op x]\nmatch foo\n", 1, "needs a why and a fix" },
	{ "[op x]\nwhy w\nfix f\n", 1, "a section without a match line" },
	{ "[op Bad_Name]\n", 1, "category" },
	{ "[op x]\nmatch a\nwhy w\nfix f\ncolour red\n", 5, "unknown key" },
	{ "[op x]\nmatch a\nthreshold 0%\nwhy w\nfix f\n", 3, "threshold" },
	{ "[op x]\nmatch a\nthreshold lots\nwhy w\nfix f\n", 3, "threshold" },
	{ "[op x]\nmatch \"unterminated\nwhy w\nfix f\n", 2, "unterminated" },
	{ "[op x]\nmatch a in\nwhy w\nfix f\n", 2, "module pattern" },
	{ "[op x]\nmatch\nwhy w\nfix f\n", 2, "at least one pattern" },
	{ "[boilerplate]\nwhy w\n", 2, "match lines only" },
	{ "[op x]\n  continued\n", 2, "continues" },
	{ "[opera]\n", 1, "unknown section" },
	{ "[op x] trailing\n", 1, "after a section header" },
	{ "[op x\n", 1, "ends with" },
};

Test(analyze_rules, errors_name_their_line)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct analyze_rules_error e;

		cr_assert_eq(parse(c->text, &e), -FREC_E_PARSE, "%s", c->text);
		cr_assert_eq(e.line, c->line, "%s: line %u: %s", c->text, e.line, e.msg);
		cr_assert(strstr(e.msg, c->msg), "%s: %s", c->text, e.msg);
		fini();
	}
}

Test(analyze_rules, a_failed_parse_adds_nothing)
{
	cr_assert_eq(parse("[op good]\nmatch good_fn\nwhy w\nfix f\n", NULL), 1);
	cr_assert_eq(parse("[op other]\nmatch other_fn\nwhy w\nfix f\n[op bad]\nmatch x\n", NULL), -FREC_E_PARSE);
	cr_assert_str_eq(cat("good_fn", NULL), "good");
	cr_assert_str_eq(cat("other_fn", NULL), "-");
}

Test(analyze_rules, a_nul_byte_is_an_error)
{
	struct analyze_rules_error e;
	static const char text[] = "[op x]\nmatch a\0b\nwhy w\nfix f\n";

	r = analyze_rules__new();
	cr_assert_eq(analyze_rules__parse(r, text, sizeof(text) - 1, &e), -FREC_E_PARSE);
	cr_assert_eq(e.line, 2);
}

Test(analyze_rules, builtin_rules_cover_the_categories)
{
	static const char *const cats[] = {
		"password-hashing", "crypto", "compression", "serialization", "regex-compile", "allocation", "memcpy",
		"formatting", "exceptions", "locks", "gc", "sorting", "syscalls", "page-faults",
	};
	const char *text = analyze_rules__builtin();

	builtin();
	for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
		char hdr[64];

		snprintf(hdr, sizeof(hdr), "[op %s]", cats[i]);
		cr_assert(strstr(text, hdr), "no rule %s", hdr);
	}
}

/* Every line of a TSV fixture: FIELD<TAB>NAME[<TAB>MODULE]. */
static void each_line(const char *file, void (*fn)(const char *want, const char *name, const char *module, int line))
{
	char path[4096], line[4096];
	FILE *f = fopen(test_data(file, path, sizeof(path)), "r");
	int n = 0, checked = 0;

	cr_assert_not_null(f, "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char *name, *module;

		n++;
		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		name = strchr(line, '\t');
		cr_assert_not_null(name, "%s:%d: no tab", file, n);
		*name++ = '\0';
		module = strchr(name, '\t');
		if (module)
			*module++ = '\0';
		fn(line, name, module, n);
		checked++;
	}
	fclose(f);
	cr_assert_gt(checked, 10);
}

static void check_symbol(const char *want, const char *name, const char *module, int line)
{
	cr_expect_str_eq(cat(name, module), want, "symbols.tsv:%d: %s (%s)", line, name, module ? module : "no module");
}

Test(analyze_rules, builtin_rules_know_debian_symbol_names)
{
	builtin();
	each_line("analyze/symbols.tsv", check_symbol);
}

static void check_class(const char *want, const char *name, const char *module, int line)
{
	bool boiler, sys;
	char got[64];

	analyze_rules__classify(r, name, module, &boiler, &sys);
	snprintf(got, sizeof(got), "%s%s%s", sys ? "system" : boiler ? "" : "user", sys && boiler ? "+" : "",
		 boiler ? "boilerplate" : "");
	cr_expect_str_eq(got, want, "classes.tsv:%d: %s (%s)", line, name, module);
}

Test(analyze_rules, builtin_rules_class_frames)
{
	builtin();
	each_line("analyze/classes.tsv", check_class);
}
