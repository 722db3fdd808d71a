// SPDX-License-Identifier: MIT
/*
 * The text report's breakdowns (render_text__write()): the modules' table of --sort module, the
 * process and thread tables, and the tables of each process or thread of a grouped profile.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_fixture.h"

static uint32_t str(struct frec_profile *p, const char *s)
{
	int id = frec_profile__intern_str(p, s);

	cr_assert_geq(id, 0);
	return (uint32_t)id;
}

/* Add @weight to the stack "module:name,module:name,..." (root first; "+name" is a process root). */
static void add(struct frec_profile *p, const char *stack, uint64_t weight)
{
	char *copy = strdup(stack), *save = NULL;
	uint32_t frames[16];
	size_t n = 0;

	for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		struct frec_frame f = { .kind = FREC_FRAME_USER };
		char *colon = strchr(s, ':');
		int id;

		if (*s == '+') {
			f.kind = FREC_FRAME_PROCESS;
			f.name = str(p, s + 1);
		} else {
			*colon = '\0';
			f.module = str(p, s);
			f.name = str(p, colon + 1);
		}
		id = frec_profile__add_frame(p, &f);
		cr_assert_geq(id, 0);
		frames[n++] = (uint32_t)id;
	}
	cr_assert_geq(frec_profile__add_stack(p, frames, n, weight), 0);
	free(copy);
}

static void task(struct frec_profile *p, int32_t pid, int32_t tid, const char *comm, const char *pcomm, uint64_t w)
{
	cr_assert_eq(frec_profile__add_task(p, &(struct frec_task){ pid, tid, str(p, comm), str(p, pcomm), w }), 0);
}

static char *text(const struct frec_profile *p, const struct render_text_opts *opts)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(render_text__write(p, opts, f), 0);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

Test(render_text_breakdowns, modules_by_self_with_their_total)
{
	struct frec_profile *p = frec_profile__new();
	char *out;

	add(p, "/srv/app:main,/srv/app:work", 6);
	add(p, "/srv/app:main,/usr/lib/libc.so.6:memcpy", 3);
	add(p, "/srv/app:main,/usr/lib/libc.so.6:qsort,/srv/app:cmp", 1);
	out = text(p, &(struct render_text_opts){ .by_module = true });
	cr_assert(strstr(out, "modules by self:\n    self%       self   total%  module\n"
			      "   70.00%          7  100.00%  app\n"
			      "   30.00%          3   40.00%  libc.so.6\n\n"),
		  "%s", out);
	cr_assert_null(strstr(out, "top functions"), "%s", out);
	free(out);
	out = text(p, NULL);
	cr_assert(strstr(out, "top functions by self:"), "%s", out);
	cr_assert_null(strstr(out, "modules by self"), "%s", out);
	free(out);
	frec_profile__free(p);
}

Test(render_text_breakdowns, process_and_thread_tables_name_each_with_its_pid)
{
	struct frec_profile *p = frec_profile__new();
	char *out;

	add(p, "/srv/app:main", 10);
	task(p, 10, 10, "demo", "demo", 5);
	task(p, 10, 11, "worker", "demo", 3);
	task(p, 20, 20, "child", "child", 2);
	out = text(p, NULL);
	cr_assert(strstr(out, "processes:\n   share%    samples  process\n"
			      "   80.00%          8  demo [10]\n"
			      "   20.00%          2  child [20]\n\n"),
		  "%s", out);
	cr_assert(strstr(out, "threads:\n   share%    samples  thread  (process)\n"
			      "   50.00%          5  demo [10]  (demo [10])\n"
			      "   30.00%          3  worker [11]  (demo [10])\n"
			      "   20.00%          2  child [20]  (child [20])\n\n"),
		  "%s", out);
	free(out);
	/* rows beyond --top are summed in one line */
	out = text(p, &(struct render_text_opts){ .top = 1 });
	cr_assert(strstr(out, "   80.00%          8  demo [10]\n"
			      "   20.00%          2  1 more (--top)\n"),
		  "%s", out);
	free(out);
	frec_profile__free(p);
}

Test(render_text_breakdowns, tables_only_when_there_is_more_than_one)
{
	struct frec_profile *p = frec_profile__new();
	char *out;

	add(p, "/srv/app:main", 10);
	task(p, 10, 10, "demo", "demo", 10);
	out = text(p, NULL);
	cr_assert_null(strstr(out, "processes:"), "%s", out);
	cr_assert_null(strstr(out, "threads:"), "%s", out);
	free(out);
	/* one process, two threads: the thread table only */
	task(p, 10, 12, "io", "demo", 1);
	out = text(p, NULL);
	cr_assert_null(strstr(out, "processes:"), "%s", out);
	cr_assert(strstr(out, "io [12]  (demo [10])"), "%s", out);
	free(out);
	/* processes with a thread each: the process table only */
	frec_profile__free(p);
	p = frec_profile__new();
	add(p, "/srv/app:main", 10);
	task(p, 10, 10, "demo", "demo", 4);
	task(p, 11, 11, "demo", "demo", 6);
	out = text(p, NULL);
	cr_assert(strstr(out, "processes:"), "%s", out);
	cr_assert_null(strstr(out, "threads:"), "%s", out);
	free(out);
	frec_profile__free(p);
}

Test(render_text_breakdowns, a_grouped_profile_has_tables_per_group)
{
	struct frec_profile *p = frec_profile__new();
	char *out, *second;

	add(p, "+demo [10],/srv/app:main,/srv/app:serve", 6);
	add(p, "+demo [10],/srv/app:main", 2);
	add(p, "+child [20],/srv/app:main,/srv/app:crunch", 2);
	out = text(p, NULL);
	second = strstr(out, "process child [20]: 20.00% of the samples (2)\ntop functions by self:\n");
	cr_assert(strstr(out, "process demo [10]: 80.00% of the samples (8)\ntop functions by self:\n"
			      "    self%       self   total%  function  (module)\n"
			      "   60.00%          6   60.00%  serve  (app)\n"
			      "   20.00%          2   80.00%  main  (app)\n"),
		  "%s", out);
	cr_assert_not_null(second, "%s", out);
	cr_assert(strstr(second, "   20.00%          2   20.00%  crunch  (app)\n"), "%s", out);
	cr_assert_null(strstr(second, "serve"), "the child's tables hold the parent's functions: %s", out);
	free(out);
	out = text(p, &(struct render_text_opts){ .top = 1, .by_module = true });
	cr_assert(strstr(out, "process demo [10]: 80.00% of the samples (8)\nmodules by self:\n"), "%s", out);
	cr_assert(strstr(out, "1 more process (20.00%) not shown (--top)\n"), "%s", out);
	cr_assert_null(strstr(out, "child [20]"), "%s", out);
	free(out);
	frec_profile__free(p);
}
