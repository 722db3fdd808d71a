// SPDX-License-Identifier: MIT
/*
 * Which runtime a command runs and the environment that gives it a perf map (cli/jit_env.h):
 * node and python behind env(1) and "#!" lines, the variable appended to or left alone.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jit_env.h"

static char *value;
static char dir[] = "/tmp/frec-jit-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[64];

	free(value);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(jit_env, .init = setup, .fini = teardown);

/* The variable and value frec sets for @argv when the variable is @current; NULL if none. */
static const char *planned(const char *current, char *const *argv, const char **var)
{
	struct cli_jit_cmd c;

	free(value);
	value = NULL;
	cli_jit__detect(argv, &c);
	cr_assert_geq(cli_jit__env(&c, current, var, &value), 0);
	return value;
}

/* argv arrays are not const in C, though nothing writes them */
#define ARGV(...) ((char *const *)(const char *const[]){ __VA_ARGS__, NULL })

Test(jit_env, node_gets_perf_basic_prof_appended)
{
	const char *var;

	cr_assert_str_eq(planned(NULL, ARGV("node", "server.js"), &var), "--perf-basic-prof");
	cr_assert_str_eq(var, "NODE_OPTIONS");
	cr_assert_str_eq(planned("--max-old-space-size=64", ARGV("nodejs", "server.js"), &var),
			 "--max-old-space-size=64 --perf-basic-prof");
	cr_assert_str_eq(planned("", ARGV("/usr/bin/node", "server.js"), &var), "--perf-basic-prof");
	/* a flag after the script is the script's */
	cr_assert_str_eq(planned(NULL, ARGV("node", "server.js", "--perf-basic-prof"), &var), "--perf-basic-prof");
	cr_assert_str_eq(planned(NULL, ARGV("env", "PORT=80", "-u", "X", "node", "server.js"), &var),
			 "--perf-basic-prof");
}

Test(jit_env, what_asks_for_a_map_already_is_left_alone)
{
	const char *var;

	cr_assert_null(planned(NULL, ARGV("node", "--perf-basic-prof", "server.js"), &var));
	cr_assert_null(planned(NULL, ARGV("node", "--perf-prof", "server.js"), &var));
	cr_assert_null(planned("--perf-basic-prof", ARGV("node", "server.js"), &var));
	cr_assert_null(planned(NULL, ARGV("env", "NODE_OPTIONS=--inspect", "node", "server.js"), &var));
	cr_assert_null(planned(NULL, ARGV("env", "-i", "node", "server.js"), &var));
	cr_assert_null(planned(NULL, ARGV("python3.12", "-X", "perf", "app.py"), &var));
	cr_assert_null(planned("0", ARGV("python3.12", "app.py"), &var), "the user's own value");
	cr_assert_null(planned(NULL, ARGV("./server"), &var));
	cr_assert_null(planned(NULL, ARGV("nodemon", "server.js"), &var));
}

Test(jit_env, python_from_3_12)
{
	const char *var;

	cr_assert_str_eq(planned(NULL, ARGV("python3.12", "app.py"), &var), "1");
	cr_assert_str_eq(var, "PYTHONPERFSUPPORT");
	cr_assert_str_eq(planned(NULL, ARGV("python3.13", "-m", "http.server"), &var), "1");
	cr_assert_null(planned(NULL, ARGV("python3.11", "app.py"), &var), "no perf map before 3.12");
}

static void script(const char *name, const char *first_line)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "%s\nconsole.log(1)\n", first_line);
	fclose(f);
	cr_assert_eq(chmod(path, 0755), 0);
}

Test(jit_env, scripts_by_their_interpreter)
{
	char a[128], b[128], c[128], d[128];
	const char *var;

	script("a", "#!/usr/bin/env node");
	script("b", "#!/usr/bin/env -S node --stack-size=2000");
	script("c", "#! /usr/local/bin/node");
	script("d", "#!/bin/sh");
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(c, sizeof(c), "%s/c", dir);
	snprintf(d, sizeof(d), "%s/d", dir);
	cr_assert_str_eq(planned(NULL, ARGV(a), &var), "--perf-basic-prof");
	cr_assert_str_eq(planned(NULL, ARGV(b, "x"), &var), "--perf-basic-prof");
	cr_assert_str_eq(planned(NULL, ARGV("env", c), &var), "--perf-basic-prof");
	cr_assert_null(planned(NULL, ARGV(d), &var));
}
