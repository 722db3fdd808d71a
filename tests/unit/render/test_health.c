// SPDX-License-Identifier: MIT
/*
 * The stack-health line of the text report, for what the unwinder counts: samples whose DWARF
 * unwind stopped early, and copies that were too small, each with its fix.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/profile.h"
#include "frec/render.h"

static char *health_line(const struct frec_stack_health *h)
{
	struct frec_profile *p = frec_profile__new();
	char *buf = NULL, *line, *end;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(p);
	cr_assert_not_null(f);
	frec_profile__meta(p)->health = *h;
	cr_assert_eq(render_text__write(p, NULL, f), 0);
	fclose(f);
	line = strstr(buf, "stack health:");
	cr_assert_not_null(line, "%s", buf);
	end = strchr(line, '\n');
	line = strndup(line, end ? (size_t)(end - line) : strlen(line));
	free(buf);
	frec_profile__free(p);
	return line;
}

Test(unwind_health, names_samples_whose_unwind_stopped_early_and_the_fix)
{
	struct frec_stack_health h = { .samples = 1000, .truncated = 200, .unwind_failed = 150 };
	char *line = health_line(&h);

	cr_assert(strstr(line, "20.0% of samples have a truncated stack"), "%s", line);
	cr_assert(strstr(line, "15.0% stopped unwinding early"), "%s", line);
	cr_assert(strstr(line, "code without unwind information"), "%s", line);
	free(line);
}

Test(unwind_health, a_full_stack_copy_asks_for_a_bigger_one)
{
	struct frec_stack_health h = { .samples = 1000, .truncated = 300, .stack_copy_full = 300 };
	char *line = health_line(&h);

	cr_assert(strstr(line, "30.0% filled the stack copy"), "%s", line);
	cr_assert(strstr(line, "record with a larger one: --call-graph auto,16384"), "%s", line);
	cr_assert_null(strstr(line, "stopped unwinding early"), "%s", line);
	free(line);
}

Test(unwind_health, a_few_samples_of_many_are_not_zero)
{
	struct frec_stack_health h = { .samples = 100000, .truncated = 3, .has_unknown = 100000, .depth_limited = 3 };
	char *line = health_line(&h);

	cr_assert(strstr(line, "stack health: <0.1% of samples have a truncated stack, 100.0% have unknown frames, "
			       "<0.1% hit the depth limit"), "%s", line);
	cr_assert_null(strstr(line, " 0.0%"), "%s", line);
	free(line);
}
