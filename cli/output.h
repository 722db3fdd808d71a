/* SPDX-License-Identifier: MIT */
/*
 * The files a subcommand writes, all created under one policy (frec-record(1), SECURITY):
 *   - never through a symbolic link, never into another user's file, never into anything but a
 *     regular file or a character device (/dev/null): a name planted in a shared directory cannot
 *     make frec, perhaps run as root, write elsewhere;
 *   - never over one of the command's own inputs, and a report never over a trace;
 *   - a trace, which holds sampled stack memory, readable by its owner only (0600); what is derived
 *     from it (reports, flame graphs, folded stacks) holds names and counts and is created as any
 *     file is (0666 less the umask);
 *   - an existing file is emptied only when there is something to write, so a command that fails
 *     first leaves it as it was, and a file the command created is removed again while empty.
 */
#ifndef FREC_CLI_OUTPUT_H
#define FREC_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* cli_output__open() flags */
#define CLI_OUTPUT_TRACE 1u /* a trace: 0600, never to a terminal; else a report, never over a trace */

struct cli_output {
	const char *cmd;
	const char *path; /* NULL: standard output */
	const char *name; /* for messages: the path, or "standard output" */
	int fd;           /* -1 once handed over or closed */
	FILE *f;          /* from cli_output__stream() */
	bool created;     /* a new file, which cli_output__discard() removes while it is empty */
	bool is_file;     /* a regular file, emptied before it is written */
	dev_t dev;
	ino_t ino;
};

/**
 * cli_output__open() - open the output @path of subcommand @cmd ("-" or NULL: standard output)
 * under the policy above, without emptying an existing file yet.
 * @inputs: NULL-terminated, the files the command reads ("-": standard input), which the output may
 *	    not be; NULL if none
 * @hint: what to say when the output is an input or (for a report) a trace, e.g. how the option
 *	  that named it takes its value
 *
 * Returns 0, or CLI_FAIL after a one-line error naming the file and a hint.
 */
int cli_output__open(struct cli_output *o, const char *cmd, const char *path, unsigned int flags,
		     const char *const *inputs, const char *hint);

/**
 * cli_output__stream() - the output as a stream to write, an existing file emptied first.
 * Returns NULL after a one-line error.
 */
FILE *cli_output__stream(struct cli_output *o);

/**
 * cli_output__close() - flush and close what cli_output__stream() returned.  Returns 0 or a
 * negative errno (a full disk shows here).
 */
int cli_output__close(struct cli_output *o);

/** cli_output__discard() - after a failure: close, and remove the file if this command created it and it is still empty. */
void cli_output__discard(struct cli_output *o);

#endif /* FREC_CLI_OUTPUT_H */
