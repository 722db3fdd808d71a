/* SPDX-License-Identifier: MIT */
/*
 * The progress line a long command draws on stderr (a terminal), and erases before any message
 * and at its end.  The modules only say how far they are (sym_opts.progress); drawing is cli's.
 */
#ifndef FREC_CLI_PROGRESS_H
#define FREC_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct cli_progress {
	const char *cmd;
	uint64_t start_ns; /* CLOCK_MONOTONIC at cli_progress__begin() */
	int last;          /* percentage drawn, -1: nothing on the line */
};

/**
 * cli_progress__begin() - start a progress line for @cmd: nothing is drawn before 300 ms (short
 * commands stay quiet), and a log message first erases the line, which the next update redraws.
 */
void cli_progress__begin(struct cli_progress *p, const char *cmd);

/** cli_progress__symbolizer() - a sym_opts.progress callback; @ctx is the struct cli_progress. */
void cli_progress__symbolizer(void *ctx, int pass, uint64_t done, uint64_t total);

/** cli_progress__end() - erase the line and stop watching the log. */
void cli_progress__end(struct cli_progress *p);

#endif /* FREC_CLI_PROGRESS_H */
