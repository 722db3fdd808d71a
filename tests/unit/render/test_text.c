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
			 "likely cause: missing frame pointers in nofp (rebuild with -fno-omit-frame-pointer, or record "
			 "in frec's default mode (no --call-graph fp), which unwinds from a stack copy); also stripped "
			 "binary libstripped.so (install its debug symbols)");

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

/* Add the health record of module @path to the profile. */
static void add_module(const char *path, uint32_t flags, uint64_t samples, uint64_t unknown, uint64_t broken)
{
	struct frec_module_stat st = {
		.module = (uint32_t)frec_profile__intern_str(prof, path),
		.flags = flags,
		.samples = samples,
		.unknown_samples = unknown,
		.broken_samples = broken,
	};

	cr_assert_eq(frec_profile__add_module_stat(prof, &st), 0);
}

/* A new profile whose samples have @health, recorded with call-graph mode @cg (NULL: unknown). */
static void load_health(const char *cg, struct frec_stack_health health)
{
	frec_profile__free(prof);
	load("a;b 10\n");
	frec_profile__meta(prof)->call_graph = cg ? (uint32_t)frec_profile__intern_str(prof, cg) : 0;
	frec_profile__meta(prof)->health = health;
}

/* The truncation of @health's stacks, recorded with @cg, explained. */
static const char *truncation_hint(const char *cg, struct frec_stack_health health, uint32_t flags)
{
	load_health(cg, health);
	add_module("/opt/app/nofp", flags, 10, 0, health.truncated);
	return health_line();
}

/*
 * A fix names a way of recording that is no worse than the default (auto: frame pointers plus a
 * stack copy), in terms of how the trace was recorded: never dwarf mode, which drops the frame
 * pointers, and a larger copy than the one used.
 */
Test(render, health_fixes_never_suggest_a_worse_mode)
{
	const struct frec_stack_health nofp = { .samples = 10, .truncated = 6 };
	const struct frec_stack_health deep = { .samples = 10, .truncated = 6, .depth_limited = 6 };
	const struct frec_stack_health copy = { .samples = 10, .truncated = 6, .stack_copy_full = 6 };
	static const char *const modes[] = { "fp", "auto,8192", "dwarf,8192", "none", NULL };
	const char *line;

	line = truncation_hint("fp", nofp, FREC_MODULE_NO_FRAME_PTRS);
	cr_assert(strstr(line, "missing frame pointers in nofp"), "%s", line);
	cr_assert(strstr(line, "frec's default mode (no --call-graph fp)"), "%s", line);
	line = truncation_hint("auto,8192", nofp, FREC_MODULE_NO_FRAME_PTRS);
	cr_assert(strstr(line, "a larger stack copy: --call-graph auto,16384"), "%s", line);
	cr_assert_null(strstr(line, "default mode"), "auto is the default already: %s", line);
	line = truncation_hint("fp", deep, 0);
	cr_assert(strstr(line, "deeper than the callchain limit"), "%s", line);
	cr_assert(strstr(line, "default mode"), "%s", line);
	line = truncation_hint("dwarf,32768", deep, 0);
	cr_assert(strstr(line, "--call-graph auto,65528"), "%s", line);
	line = truncation_hint("auto,8192", copy, 0);
	cr_assert(strstr(line, "the DWARF stack copy is too small (record with a larger one: --call-graph auto,16384)"),
		  "%s", line);
	line = truncation_hint("auto,65528", copy, 0);
	cr_assert(strstr(line, "even at its largest"), "%s", line);
	line = truncation_hint("none", nofp, 0);
	cr_assert(strstr(line, "recorded without call graphs"), "%s", line);
	line = truncation_hint(NULL, nofp, FREC_MODULE_NO_FRAME_PTRS);
	cr_assert(strstr(line, "default mode"), "%s", line);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		cr_assert_null(strstr(truncation_hint(modes[i], nofp, FREC_MODULE_NO_FRAME_PTRS), "dwarf"), "%s", out);
		cr_assert_null(strstr(truncation_hint(modes[i], deep, 0), "dwarf"), "%s", out);
	}
}

/* Unnamed code in a JIT runtime's process: the fix names the runtime's own flag or variable. */
Test(render, health_names_the_runtimes_perf_map_switch)
{
	const struct frec_stack_health unnamed = { .samples = 10, .has_unknown = 9 };

	load_health(NULL, unnamed);
	add_module("/usr/bin/node", 0, 10, 0, 0);
	cr_assert(strstr(health_line(), "JIT code of node without a perf map (start node with --perf-basic-prof, "
					"or NODE_OPTIONS=--perf-basic-prof"), "%s", out);

	load_health(NULL, unnamed);
	add_module("/usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0", 0, 10, 0, 0);
	cr_assert(strstr(health_line(), "PYTHONPERFSUPPORT=1"), "%s", out);
	/* a stripped library's few unnamed samples do not hide the JIT code's many */
	add_module("/usr/lib/libstdc++.so.6", FREC_MODULE_NO_SYMBOLS, 3, 2, 0);
	add_module("//anon", 0, 7, 7, 0);
	cr_assert(strstr(health_line(), "likely cause: JIT code of python without a perf map"), "%s", out);

	/* nor does a stripped libnode's, as Debian ships it, up to twice as many (node without a perf
	 * map on a fresh Debian: 86% of the samples through libnode+0x..., 66% through JIT code) */
	load_health(NULL, unnamed);
	add_module("/usr/bin/node", 0, 10, 0, 0);
	add_module("/usr/lib/x86_64-linux-gnu/libnode.so.108", FREC_MODULE_NO_SYMBOLS, 9, 9, 0);
	add_module("//anon", 0, 7, 5, 0);
	cr_assert(strstr(health_line(), "likely cause: JIT code of node without a perf map"), "%s", out);
	/* more than twice as many: the stripped library is the cause */
	load_health(NULL, unnamed);
	add_module("/usr/lib/x86_64-linux-gnu/libnode.so.108", FREC_MODULE_NO_SYMBOLS, 9, 9, 0);
	add_module("//anon", 0, 4, 4, 0);
	cr_assert(strstr(health_line(), "likely cause: stripped binary libnode.so.108"), "%s", out);

	load_health(NULL, unnamed);
	add_module("/opt/app/server", 0, 10, 0, 0);
	cr_assert(strstr(health_line(), "code outside any known file (JIT without a perf map"), "%s", out);
}
