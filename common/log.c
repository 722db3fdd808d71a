// SPDX-License-Identifier: MIT
/*
 * Diagnostics: one line per message on stderr, filtered by a process-wide level.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "frec/log.h"

/* The sink: the intended mutable globals besides the CLI's stop flag (STYLE.md 2.4). */
static enum frec_log_level log_level = FREC_LOG_WARN;
static frec_log_hook_fn log_hook;
static void *log_hook_ctx;

void frec_log__set_hook(frec_log_hook_fn fn, void *ctx)
{
	log_hook = fn;
	log_hook_ctx = ctx;
}

void frec_log__set_level(enum frec_log_level level)
{
	log_level = level;
}

enum frec_log_level frec_log__level(void)
{
	return log_level;
}

bool frec_log__enabled(enum frec_log_level level)
{
	return level <= log_level;
}

void frec_log__init_env(void)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	const char *env = getenv("FREC_LOG_LEVEL");

	if (!env)
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(env, names[i]))
			log_level = (enum frec_log_level)i;
}

void frec_vlog(enum frec_log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	char line[1024], safe[2048];
	int n;

	if (!frec_log__enabled(level))
		return;
	/* Format into one buffer so that the line reaches stderr in one write. */
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (n && line[n - 1] == '\n')
		n--;
	/* Messages quote paths and names from traces: a terminal must not act on them. */
	frec_term__escape(safe, sizeof(safe), line, (size_t)n);
	if (log_hook)
		log_hook(log_hook_ctx);
	fprintf(stderr, "frec: %s%s\n", prefix[level], safe);
}

void frec_log(enum frec_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	frec_vlog(level, fmt, ap);
	va_end(ap);
}
