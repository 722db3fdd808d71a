/* SPDX-License-Identifier: MIT */
/*
 * JIT runtimes name their compiled code only when asked to write a perf map (/tmp/perf-PID.map):
 * without it, 90% of a Node program's samples are unnamed.  For a command frec starts, frec asks
 * on the user's behalf, through the environment, where the runtime reads it:
 *   node     NODE_OPTIONS gains --perf-basic-prof (appended to what it holds)
 *   python   PYTHONPERFSUPPORT=1 (CPython 3.12 and later; earlier ones have no JIT to name)
 * The runtime is recognised from the command: node or nodejs, python3.N (a "python3" is followed
 * to the file it links to for its version), also behind env(1) and in a script's "#!" line, so
 * that `frec -- npm start` (npm is a node script) works.  Nothing is changed when the command
 * line already asks for a perf map, or sets the variable itself through env(1), or clears the
 * environment (env -i).  --no-jit-env leaves the environment alone.
 */
#ifndef FREC_CLI_JIT_ENV_H
#define FREC_CLI_JIT_ENV_H

#include <stdbool.h>
#include <stddef.h>

enum cli_jit {
	CLI_JIT_NONE,
	CLI_JIT_NODE,
	CLI_JIT_PYTHON,
};

/** What a command is, as far as its JIT's perf map goes. */
struct cli_jit_cmd {
	enum cli_jit runtime;
	unsigned int py_minor; /* python 3.N: N, 0 when unknown */
	bool asks_already;     /* the command line turns the perf map on itself (node --perf-basic-prof, python -X perf) */
	bool env_sets;         /* env(1) in the command sets the variable itself */
	bool env_clears;       /* env -i: frec's environment does not reach the runtime */
};

/** cli_jit__detect() - recognise the runtime that command @argv runs (argv[0] is looked up in $PATH). */
void cli_jit__detect(char *const *argv, struct cli_jit_cmd *out);

/**
 * cli_jit__env() - the change to make for @c: *@var to be set to *@value (malloc'ed, the caller's)
 * when @current is the variable's present value (NULL if unset).  Returns 1 with them set, 0 when
 * there is nothing to change, -ENOMEM.
 */
int cli_jit__env(const struct cli_jit_cmd *c, const char *current, const char **var, char **value);

/** cli_jit__name() - "node", "python" or "" for @rt, for messages. */
const char *cli_jit__name(enum cli_jit rt);

/** cli_jit__var() - the variable that turns @rt's perf map on ("" for none). */
const char *cli_jit__var(enum cli_jit rt);

/**
 * cli_jit__unnamed() - the same for running process @pid, from its command line and, where this
 * user may read it, its environment: whether frec attaching to it will find its JIT code named.
 * Returns false when @pid runs no JIT runtime known here, or has its perf map turned on.
 */
bool cli_jit__unnamed(int pid, struct cli_jit_cmd *out);

#endif /* FREC_CLI_JIT_ENV_H */
