// SPDX-License-Identifier: MIT
/*
 * frec: the subcommand table and dispatch.  `record` is the default subcommand, so `frec -p PID`
 * and `frec -- CMD` record.  Names match exactly: no prefix matching, so that a new command can
 * never change what an existing abbreviation means.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "frec/log.h"

static const struct frec_cmd cmds[] = {
	{ "record", cmd_record, "[record] [-p PID[,PID...] | -t TID[,TID...] | -a] [-F HZ | -c PERIOD] [-e EVENT] [-g] [--call-graph MODE] [--off-cpu] [-d SECONDS] [-m PAGES] [-o FILE] [--no-jit-env] [-q] [-v] [-- CMD [ARGS...]]",
	  "sample a command, processes or the whole system into a trace" },
	{ "report", cmd_report,
	  "report [-i FILE] [--folded | --svg [FILE] | --pprof FILE | --speedscope FILE | --analyze | --tree | "
	  "--callers FUNC] [--format FORMAT] [--context TEXT] [--rules FILE] [-o FILE] [options]",
	  "symbolize a trace, perf script text or folded stacks into a report, call trees, a flame graph or an "
	  "export" },
	{ "diff", cmd_diff,
	  "diff {BEFORE AFTER | DIFF} [--svg [FILE] | --pprof FILE | --speedscope FILE | --analyze] [-o FILE] "
	  "[--normalize HOW] [--fail-on-regression PCT] [options]",
	  "compare two profiles: differential flame graph or table of changes" },
	{ "annotate", cmd_annotate,
	  "annotate [-i FILE] [--module MODULE] [--all] [--percent-limit PCT] [--no-source] [--debug-dir DIR] "
	  "[FUNCTION]",
	  "show a function's machine code with the samples of each instruction and its source lines" },
	{ "dump", cmd_dump, "dump [-i FILE] [--summary]", "print a trace's records in readable form" },
};

const struct frec_cmd *cli_cmd(const char *name)
{
	for (size_t i = 0; i < FREC_ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static int help(FILE *f, int status)
{
	fprintf(f, "usage: frec [COMMAND] [OPTIONS]\n\n"
		   "frec is a sampling profiler: record a trace, then report it as flame graphs and text.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < FREC_ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nWithout a command, frec records: frec -p PID -F 99 -o trace.zst\n"
		   "`frec COMMAND --help` and `man frec-COMMAND` describe each command.\n");
	return status;
}

int main(int argc, char **argv)
{
	const struct frec_cmd *cmd;

	frec_log__init_env();
	if (argc < 2)
		return help(stderr, CLI_USAGE);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return help(stdout, CLI_OK);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("frec %s\n", PACKAGE_VERSION);
		return CLI_OK;
	}
	cmd = cli_cmd(argv[1]);
	if (cmd)
		return cmd->fn(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		/* The default subcommand: hand it all arguments, with "record" as argv[0]. */
		argv[0] = (char *)"record";
		return cmd_record(argc, argv);
	}
	fprintf(stderr, "frec: unknown command '%s'\n", argv[1]);
	fprintf(stderr, "hint: commands are record, report, diff, annotate and dump; to profile a program run `frec -- %s`\n",
		argv[1]);
	return CLI_USAGE;
}
