// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: the option parser of each subcommand (record, report, diff, dump, annotate) over arbitrary
 * command lines must never crash or leak, whatever it answers.  The first byte picks the
 * subcommand; the rest is split at NUL bytes into its arguments.  Nothing is run: only
 * <cmd>_opts__parse() (cli/cmd_opts.h).  make fuzz closes its stdout and stderr
 * (-close_fd_mask), which the usage and errors would flood; crash reports still show.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_opts.h"
#include "frec/log.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "record", "report", "diff", "dump", "annotate" };
	enum frec_log_level level = frec_log__level();
	char *args, *argv[MAX_ARGS + 1];
	int argc = 1;

	if (!size)
		return 0;
	/* Each argument its own allocation, so that reading past one is caught. */
	argv[0] = strdup(names[data[0] % 5]);
	args = malloc(size);
	if (!args || !argv[0])
		goto out;
	memcpy(args, data + 1, size - 1);
	args[size - 1] = '\0';
	for (char *s = args; s < args + size - 1 && argc < MAX_ARGS; s += strlen(s) + 1)
		argv[argc++] = strdup(s);
	argv[argc] = NULL;

	switch (data[0] % 5) {
	case 0: {
		struct record_cli *o;

		record_opts__parse(argc, argv, &o);
		record_opts__free(o);
		break;
	}
	case 1: {
		struct report_opts *o;

		report_opts__parse(argc, argv, &o);
		report_opts__free(o);
		break;
	}
	case 2: {
		struct diff_cli_opts *o;

		diff_opts__parse(argc, argv, &o);
		diff_opts__free(o);
		break;
	}
	case 3: {
		struct dump_opts *o;

		dump_opts__parse(argc, argv, &o);
		dump_opts__free(o);
		break;
	}
	default: {
		struct annotate_opts *o;

		annotate_opts__parse(argc, argv, &o);
		annotate_opts__free(o);
		break;
	}
	}
	for (int i = 1; i < argc; i++)
		free(argv[i]);
out:
	free(argv[0]);
	free(args);
	frec_log__set_level(level); /* -v and -q change a process-wide level */
	return 0;
}
