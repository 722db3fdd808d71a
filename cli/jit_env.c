// SPDX-License-Identifier: MIT
/*
 * Which JIT runtime a command runs, and the environment that makes it write a perf map
 * (jit_env.h).  Only names are read: the command's file for its "#!" line, a link's target for
 * python's version; nothing is run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jit_env.h"

#define NODE_FLAG "--perf-basic-prof"

const char *cli_jit__name(enum cli_jit rt)
{
	return rt == CLI_JIT_NODE ? "node" : rt == CLI_JIT_PYTHON ? "python" : "";
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* @cmd as execvp() would find it, into @buf; false if it is not found. */
static bool find_command(const char *cmd, char *buf, size_t size)
{
	const char *path = getenv("PATH");

	if (strchr(cmd, '/'))
		return snprintf(buf, size, "%s", cmd) < (int)size && !access(buf, X_OK);
	if (!*cmd)
		return false;
	for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin";; p++) {
		const char *end = strchrnul(p, ':');
		int n = snprintf(buf, size, "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", cmd);

		if (n > 0 && (size_t)n < size && !access(buf, X_OK))
			return true;
		if (!*end)
			return false;
		p = end;
	}
}

/* "python3.12" -> 12; "python3", "python" -> the version of the file the name links to, or 0. */
static unsigned int python_minor(const char *name, const char *path)
{
	char real[PATH_MAX];
	unsigned int minor;

	if (sscanf(name, "python3.%u", &minor) == 1)
		return minor;
	if (path && realpath(path, real) && sscanf(base_name(real), "python3.%u", &minor) == 1)
		return minor;
	return 0;
}

static enum cli_jit runtime_of(const char *name)
{
	if (!strcmp(name, "node") || !strcmp(name, "nodejs"))
		return CLI_JIT_NODE;
	if (!strcmp(name, "python") || !strncmp(name, "python3", 7))
		return CLI_JIT_PYTHON;
	return CLI_JIT_NONE;
}

/*
 * The first words of the "#!" line of @path into @words (pointing into @line): the interpreter
 * and its arguments.  Returns how many.
 */
static size_t shebang(const char *path, char *line, size_t size, const char *words[3])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	size_t nr = 0;
	ssize_t n;
	char *s;

	if (fd < 0)
		return 0;
	n = read(fd, line, size - 1);
	close(fd);
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return 0;
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	for (s = line + 2; nr < 3; nr++) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		words[nr] = s;
		s += strcspn(s, " \t");
		if (*s)
			*s++ = '\0';
	}
	return nr;
}

/* The interpreter a "#!" line runs: its program, or what env(1) [-S] runs. */
static const char *script_interpreter(const char *const words[3], size_t n)
{
	size_t i = 1;

	if (!n || strcmp(base_name(words[0]), "env"))
		return n ? base_name(words[0]) : "";
	if (i < n && !strcmp(words[i], "-S"))
		i++;
	return i < n ? base_name(words[i]) : "";
}

/* Arguments of the runtime that ask for a perf map already. */
static bool asks_for_map(enum cli_jit rt, char *const *args)
{
	for (size_t i = 0; args[i]; i++) {
		const char *a = args[i];

		if (rt == CLI_JIT_NODE && (!strcmp(a, NODE_FLAG) || !strcmp(a, "--perf-prof") ||
					   !strcmp(a, "--perf-basic-prof-only-functions")))
			return true;
		if (rt == CLI_JIT_PYTHON && ((!strcmp(a, "-X") && args[i + 1] && !strncmp(args[i + 1], "perf", 4)) ||
					     !strncmp(a, "-Xperf", 6)))
			return true;
		/* options end at the script */
		if (a[0] != '-')
			break;
	}
	return false;
}

const char *cli_jit__var(enum cli_jit rt)
{
	return rt == CLI_JIT_NODE ? "NODE_OPTIONS" : rt == CLI_JIT_PYTHON ? "PYTHONPERFSUPPORT" : "";
}

void cli_jit__detect(char *const *argv, struct cli_jit_cmd *out)
{
	char path[PATH_MAX], line[256];
	const char *words[3];
	size_t i = 0, n;

	*out = (struct cli_jit_cmd){ .runtime = CLI_JIT_NONE };
	if (!argv || !argv[0])
		return;
	/* env [-i] [-u NAME] [NAME=VALUE]... COMMAND: the command is what runs */
	if (!strcmp(base_name(argv[0]), "env")) {
		for (i = 1; argv[i]; i++) {
			if (!strcmp(argv[i], "-i") || !strcmp(argv[i], "--ignore-environment") || !strcmp(argv[i], "-"))
				out->env_clears = true;
			else if (!strcmp(argv[i], "-u") && argv[i + 1])
				i++;
			else if (argv[i][0] != '-' && !strchr(argv[i], '='))
				break;
		}
		if (!argv[i])
			return;
	}
	out->runtime = runtime_of(base_name(argv[i]));
	if (out->runtime != CLI_JIT_NONE) {
		bool found = find_command(argv[i], path, sizeof(path));

		if (out->runtime == CLI_JIT_PYTHON)
			out->py_minor = python_minor(base_name(argv[i]), found ? path : NULL);
		out->asks_already = asks_for_map(out->runtime, argv + i + 1);
	} else if (find_command(argv[i], path, sizeof(path)) && (n = shebang(path, line, sizeof(line), words))) {
		/* a script: #!/usr/bin/node, #!/usr/bin/env node, #!/usr/bin/env -S node --flags */
		const char *name = script_interpreter(words, n);

		out->runtime = runtime_of(name);
		if (out->runtime == CLI_JIT_PYTHON)
			out->py_minor = python_minor(name, find_command(name, path, sizeof(path)) ? path : NULL);
	}
	for (size_t j = 1; j < i && out->runtime != CLI_JIT_NONE; j++) {
		const char *var = cli_jit__var(out->runtime);
		size_t len = strlen(var);

		if (!strncmp(argv[j], var, len) && argv[j][len] == '=')
			out->env_sets = true;
	}
}

int cli_jit__env(const struct cli_jit_cmd *c, const char *current, const char **var, char **value)
{
	*var = NULL;
	*value = NULL;
	if (c->runtime == CLI_JIT_NONE || c->asks_already || c->env_sets || c->env_clears)
		return 0;
	if (c->runtime == CLI_JIT_PYTHON) {
		/* before 3.12 there is no perf map to ask for; a set value is the user's */
		if ((c->py_minor && c->py_minor < 12) || current)
			return 0;
		*var = "PYTHONPERFSUPPORT";
		*value = strdup("1");
		return *value ? 1 : -ENOMEM;
	}
	if (current && (strstr(current, NODE_FLAG) || strstr(current, "--perf-prof")))
		return 0;
	*var = "NODE_OPTIONS";
	if (asprintf(value, "%s%s" NODE_FLAG, current ? current : "", current && *current ? " " : "") < 0) {
		*value = NULL;
		return -ENOMEM;
	}
	return 1;
}

/* /proc/@pid/@what (NUL-separated strings) into @buf as an argv of at most @max - 1 entries. */
static size_t proc_strings(int pid, const char *what, char *buf, size_t size, char **argv, size_t max)
{
	char path[64];
	size_t n = 0;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	for (char *s = buf; s < buf + len && n + 1 < max; s += strlen(s) + 1)
		argv[n++] = s;
	argv[n] = NULL;
	return n;
}

bool cli_jit__unnamed(int pid, struct cli_jit_cmd *out)
{
	char cmdline[4096], environ[16384], *argv[64], *envp[256];
	const char *var, *current = NULL;
	char *value;
	size_t nr_env;
	int ret;

	*out = (struct cli_jit_cmd){ .runtime = CLI_JIT_NONE };
	if (!proc_strings(pid, "cmdline", cmdline, sizeof(cmdline), argv, 64))
		return false;
	cli_jit__detect(argv, out);
	if (out->runtime == CLI_JIT_NONE)
		return false;
	/* its environment says whether the variable was set (readable with ptrace rights only) */
	var = cli_jit__var(out->runtime);
	nr_env = proc_strings(pid, "environ", environ, sizeof(environ), envp, 256);
	for (size_t i = 0; i < nr_env; i++)
		if (!strncmp(envp[i], var, strlen(var)) && envp[i][strlen(var)] == '=')
			current = envp[i] + strlen(var) + 1;
	ret = cli_jit__env(out, current, &var, &value);
	free(value);
	return ret == 1;
}
