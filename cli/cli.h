/* SPDX-License-Identifier: MIT */
/*
 * The command-line front end: the subcommand table and helpers shared by cmd_*.c.  Only cli/
 * prints results, chooses exit codes or calls exit().
 */
#ifndef FREC_CLI_H
#define FREC_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "frec/compiler.h"

struct analyze_rules;
struct frec_profile;
struct sym_opts;
struct trace_reader;

/* Exit statuses. */
#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2
#define CLI_REGRESSION 3 /* frec diff --fail-on-regression: a regression beyond the gate */
/* Returned by option parsers to mean "go on"; anything else is the exit status (CLI_OK after --help). */
#define CLI_CONTINUE (-1)

struct frec_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;   /* the synopsis after "frec ", as in the man page */
	const char *summary; /* one line for `frec --help` */
};

/* One entry point per subcommand: argv[0] is the subcommand's name. */
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_annotate(int argc, char **argv);

/** cli_cmd() - the table entry of @name, or NULL. */
const struct frec_cmd *cli_cmd(const char *name);

/**
 * cli_usage() - print "usage: frec SYNOPSIS" of @cmd and @options_help, to stdout and return
 * CLI_OK when @status is CLI_OK (--help), else to stderr and return @status (misuse).
 */
int cli_usage(const char *cmd, const char *options_help, int status);

/** cli_error() - "frec CMD: MESSAGE" on stderr (one line). */
void cli_error(const char *cmd, const char *fmt, ...) frec_printf(2, 3);
/** cli_warn() - "frec CMD: warning: MESSAGE" on stderr. */
void cli_warn(const char *cmd, const char *fmt, ...) frec_printf(2, 3);
/** cli_hint() - "hint: MESSAGE" on stderr, after an error. */
void cli_hint(const char *fmt, ...) frec_printf(1, 2);

/**
 * cli_open_trace() - open the trace at @path for @cmd, printing a one-line error and a hint on
 * failure.  Returns 0 or CLI_FAIL.
 */
int cli_open_trace(const char *cmd, const char *path, struct trace_reader **out);

/** cli_trace_error() - the one-line error and hint of cli_open_trace() for @err (negative). */
void cli_trace_error(const char *cmd, const char *path, int err);

/**
 * cli_read_ahead() - let @r decompress on a thread of its own, one frame ahead of the records
 * (trace_reader__read_ahead()), when this process may run on more than one CPU.
 */
void cli_read_ahead(struct trace_reader *r);

/**
 * cli_trace_damage() - after reading a whole trace, warn once about truncation or corruption,
 * saying what was still read.
 */
void cli_trace_damage(const char *cmd, const char *path, const struct trace_reader *r);

/**
 * cli_load_profile() - a profile from @path: a frec trace (symbolized with @opts, NULL for the
 * defaults), perf script text or folded stacks ("-": standard input); a two-count (difffolded.pl)
 * file is refused, naming cli_load_folded_diff()'s command.  Prints a one-line error
 * and a hint on failure, warnings about damaged input, and returns 0 or CLI_FAIL.
 */
/**
 * cli_merge_jit_tiers() - replace *@p by its copy with JIT tiers merged (--merge-jit-tiers).  Prints
 * the error and returns CLI_FAIL, or 0.
 */
int cli_merge_jit_tiers(const char *cmd, struct frec_profile **p);

int cli_load_profile(const char *cmd, const char *path, const struct sym_opts *opts, struct frec_profile **out);

/**
 * cli_load_folded_diff() - the two sides of difffolded.pl's output at @path ("STACK BEFORE AFTER"
 * per line).  Prints a one-line error and a hint on failure; returns 0, CLI_USAGE when @path is
 * anything else (a second input was forgotten), or CLI_FAIL.
 */
int cli_load_folded_diff(const char *cmd, const char *path, struct frec_profile **before, struct frec_profile **after);

/**
 * cli_load_rules() - the rules of the findings: @files (--rules) first, then the installed
 * known-ops.rules, or the built-in copy when none is installed.  Prints a one-line error and a hint
 * on failure; returns 0 with *@out set, or CLI_FAIL.
 */
int cli_load_rules(const char *cmd, char *const *files, size_t nr_files, struct analyze_rules **out);

/** cli_parse_format() - --format's @arg into *@out; 0, or CLI_USAGE with an error printed. */
enum analyze_format;
int cli_parse_format(const char *cmd, const char *arg, enum analyze_format *out);

/** cli_add_rules() - append a --rules @arg (borrowed) to *@files; 0 or CLI_FAIL (no memory). */
int cli_add_rules(char ***files, size_t *n, const char *arg);

struct analyze_report;
struct render_flame_opts;
/**
 * cli_flame_with_findings() - the flame graph of @p with the top @findings (may be NULL) in its
 * panel: render/ cannot see analyze/, so they go over as plain notes.  Returns as
 * render_flame__write().
 */
int cli_flame_with_findings(const struct frec_profile *p, const struct analyze_report *findings,
			    const struct render_flame_opts *opts, FILE *f);

/** cli_parse_u64() - parse a decimal number in [min, max]; false (with an error printed) otherwise. */
bool cli_parse_u64(const char *cmd, const char *what, const char *arg, uint64_t min, uint64_t max,
		   uint64_t *out);

/**
 * cli_parse_percent() - the value @arg of option @opt, a percentage from 0 to 100 ("0.5", "2%"),
 * into *@out; false (with an error printed) otherwise.
 */
bool cli_parse_percent(const char *cmd, const char *opt, const char *arg, double *out);

/**
 * cli_add_debug_dir() - append --debug-dir @dir to the libdwfl search path *@path (malloc'ed;
 * NULL stands for the standard places, which stay first).  Returns 0, or CLI_FAIL (no memory).
 */
int cli_add_debug_dir(char **path, const char *dir);

/**
 * cli_program() - frec as the user ran it, for commands printed to be run next: the path typed
 * ("./frec", "build/frec") when it holds a slash, else "frec" (found in $PATH).
 */
const char *cli_program(void);

/**
 * cli_debug_cache_dir() - where uncompressed copies of compressed debug files are kept:
 * $FREC_CACHE_DIR (empty: nowhere), else $XDG_CACHE_HOME/frec, else ~/.cache/frec.  Returns a
 * malloc'ed path, or NULL for none.
 */
char *cli_debug_cache_dir(void);

/** cli_isatty_stderr() - whether live progress may be drawn on stderr. */
bool cli_isatty_stderr(void);

/** cli_human_bytes() - "1.2 MiB" into @buf. */
const char *cli_human_bytes(uint64_t bytes, char *buf, size_t size);

#endif /* FREC_CLI_H */
