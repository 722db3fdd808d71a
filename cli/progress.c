// SPDX-License-Identifier: MIT
/*
 * The progress line of long commands (progress.h).
 */
#include <stdio.h>
#include <time.h>

#include "frec/log.h"
#include "progress.h"

#define PROGRESS_DELAY_NS 300000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Erase the line; the next update draws it again. */
static void erase(void *ctx)
{
	struct cli_progress *p = ctx;

	if (p->last >= 0)
		fputs("\r\033[K", stderr);
	p->last = -1;
}

void cli_progress__begin(struct cli_progress *p, const char *cmd)
{
	*p = (struct cli_progress){ .cmd = cmd, .start_ns = now_ns(), .last = -1 };
	frec_log__set_hook(erase, p);
}

void cli_progress__symbolizer(void *ctx, int pass, uint64_t done, uint64_t total)
{
	struct cli_progress *p = ctx;
	int pct;

	if (!total || now_ns() - p->start_ns < PROGRESS_DELAY_NS)
		return;
	/* two passes over the trace: reading its state, then symbolizing its samples */
	pct = (int)(done * 50 / total) + (pass ? 50 : 0);
	if (pct == p->last || pct > 100)
		return;
	p->last = pct;
	fprintf(stderr, "\rfrec %s: %s %3d%%", p->cmd, pass ? "symbolizing" : "reading", pct);
}

void cli_progress__end(struct cli_progress *p)
{
	erase(p);
	frec_log__set_hook(NULL, NULL);
}
