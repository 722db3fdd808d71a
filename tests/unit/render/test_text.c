// SPDX-License-Identifier: MIT
/*
 * render_text on hand-written folded profiles: recursion counted once, the row limit, and the
 * stack-health line with its causes.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "render_fixture.h"

static struct frec_profile *prof;
static char *out;

static void teardown(void)
{
	frec_profile__free(prof);
	free(out);
}

TestSuite(render, .fini = teardown);

static void load(const char *text)
{
	prof = folded(text);
	cr_assert_eq(frec_profile__sort(prof), 0);
}

static char *text_report(const struct frec_profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(render_text__write(p, NULL, f), 0);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

Test(render, text_counts_recursion_once)
{
	load("main;rec;rec;rec 4\nmain;other 4\n");
	out = text_report(prof);
	cr_assert(strstr(out, "   50.00%          4   50.00%  rec\n"), "%s", out);
	cr_assert(strstr(out, "  100.00%          8    0.00%  main\n"), "%s", out);
	cr_assert(strstr(out, "stack health: unknown"), "%s", out);
}

Test(render, text_top_limits_rows)
{
	struct render_text_opts o = { .top = 1 };
	size_t len = 0;
	FILE *f;

	load("main;a 3\nmain;b 2\nmain;c 1\n");
	f = open_memstream(&out, &len);
	cr_assert_eq(render_text__write(prof, &o, f), 0);
	fclose(f);
	cr_assert(strstr(out, "  a\n"), "%s", out);
	cr_assert_null(strstr(out, "  b\n"), "%s", out);
}

static char *health_line(void)
{
	char *nl, *line;

	free(out);
	out = text_report(prof);
	line = strstr(out, "stack health: ");
	cr_assert_not_null(line, "%s", out);
	nl = strchr(line, '\n');
	cr_assert_not_null(nl);
	*nl = '\0';
	return line;
}

Test(render, health_names_the_dominant_cause_first)
{
	struct frec_profile_meta *m;
	struct frec_module_stat st = { 0 };

	load("a;b 10\n");
	m = frec_profile__meta(prof);
	m->samples = 10;
	m->health = (struct frec_stack_health){ .samples = 10, .truncated = 6, .has_unknown = 2 };
	st.module = (uint32_t)frec_profile__intern_str(prof, "/usr/lib/libstripped.so");
	st.flags = FREC_MODULE_NO_SYMBOLS;
	st.samples = 2;
	st.unknown_samples = 2;
	cr_assert_eq(frec_profile__add_module_stat(prof, &st), 0);
	st.module = (uint32_t)frec_profile__intern_str(prof, "/opt/app/nofp");
	st.flags = 0;
	st.samples = 6;
	st.unknown_samples = 0;
	st.broken_samples = 6;
	cr_assert_eq(frec_profile__add_module_stat(prof, &st), 0);
	cr_assert_str_eq(health_line(),
			 "stack health: 60.0% of samples have a truncated stack, 20.0% have unknown frames; "
			 "likely cause: missing frame pointers in nofp (rebuild with -fno-omit-frame-pointer or record "
			 "with --call-graph dwarf); also stripped binary libstripped.so (install its debug symbols)");

	m->health.has_unknown = 8;
	cr_assert(strstr(health_line(), "; likely cause: stripped binary libstripped.so (install its debug symbols); "
					"also missing frame pointers in nofp"), "%s", out);

	m->health = (struct frec_stack_health){ .samples = 10, .truncated = 5, .stack_copy_full = 4 };
	cr_assert(strstr(health_line(), "likely cause: the DWARF stack copy is too small"), "%s", out);

	m->health = (struct frec_stack_health){ .samples = 10 };
	cr_assert_str_eq(health_line(), "stack health: good: no truncated stacks, no unknown frames");
}

Test(render, health_blames_jit_code_and_build_id_mismatches)
{
	struct frec_module_stat st = { 0 };

	load("a;b 10\n");
	frec_profile__meta(prof)->health = (struct frec_stack_health){ .samples = 10, .truncated = 9, .has_unknown = 1 };
	st.module = (uint32_t)frec_profile__intern_str(prof, "/tmp/perf-4242.map");
	st.samples = 9;
	st.broken_samples = 9;
	cr_assert_eq(frec_profile__add_module_stat(prof, &st), 0);
	st.module = (uint32_t)frec_profile__intern_str(prof, "/usr/bin/rebuilt");
	st.flags = FREC_MODULE_BUILD_ID_MISMATCH;
	st.broken_samples = 0;
	st.unknown_samples = 1;
	cr_assert_eq(frec_profile__add_module_stat(prof, &st), 0);
	cr_assert(strstr(health_line(), "likely cause: stacks end in JIT code of perf-4242.map"), "%s", out);
	cr_assert(strstr(out, "; also rebuilt was rebuilt since the recording (build-id differs)"), "%s", out);
}
