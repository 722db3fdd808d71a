// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the subcommands: usage, one-line errors with hints, opening traces.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "frec/error.h"
#include "frec/log.h"
#include "frec/trace.h"

int cli_usage(const char *cmd, const char *options_help, int status)
{
	const struct frec_cmd *c = cli_cmd(cmd);
	FILE *f = status == CLI_OK ? stdout : stderr;

	fprintf(f, "usage: frec %s\n", c ? c->usage : cmd);
	if (status == CLI_OK) {
		if (c)
			fprintf(f, "\n%s.\n", c->summary);
		if (options_help)
			fprintf(f, "\n%s", options_help);
	} else {
		fprintf(f, "Try 'frec %s --help' for more information.\n", cmd);
	}
	return status;
}

/* Messages quote paths and names from the input: a terminal must not act on them. */
static void vmsg(const char *cmd, const char *kind, const char *fmt, va_list ap)
{
	char line[2048], safe[4096];

	vsnprintf(line, sizeof(line), fmt, ap);
	frec_term__escape(safe, sizeof(safe), line, sizeof(line));
	fprintf(stderr, "frec %s: %s%s\n", cmd, kind, safe);
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cmd, "", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cmd, "warning: ", fmt, ap);
	va_end(ap);
}

void cli_hint(const char *fmt, ...)
{
	char line[2048], safe[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	frec_term__escape(safe, sizeof(safe), line, sizeof(line));
	fprintf(stderr, "hint: %s\n", safe);
}

int cli_open_trace(const char *cmd, const char *path, struct trace_reader **out)
{
	int err = trace_reader__open(path, out);

	if (!err)
		return 0;
	cli_trace_error(cmd, path, err);
	return CLI_FAIL;
}

void cli_read_ahead(struct trace_reader *r)
{
	cpu_set_t set;

	/* on one CPU, a second thread only adds switches to the same work */
	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 1)
		trace_reader__read_ahead(r, true);
}

void cli_trace_error(const char *cmd, const char *path, int err)
{
	cli_error(cmd, "cannot read trace %s: %s", path, frec_strerror(err));
	switch (-err) {
	case ENOENT:
		/* diff takes its inputs as operands: it has no -i */
		cli_hint("record one first (`frec -o %s -- CMD`, `frec -p PID -o %s`) or name another%s", path, path,
			 strcmp(cmd, "diff") ? " with -i FILE" : " file");
		break;
	case EACCES:
		cli_hint("the file is not readable by this user; check its permissions");
		break;
	case FREC_E_TRACE_MAGIC:
		cli_hint("frec reads traces written by `frec record` and folded stacks (\"a;b;c 12\" lines)");
		break;
	case FREC_E_TRACE_VERSION:
		cli_hint("this trace was written by a newer frec; read it with that version");
		break;
	case FREC_E_TRACE_TRUNCATED:
		cli_hint("the recording was cut off before its first second was written; record again");
		break;
	case FREC_E_TRACE_NO_HEADER:
		cli_hint("the trace's first frame is damaged: what it describes (events, command) is lost; record again");
		break;
	case FREC_E_EMPTY:
		cli_hint("an empty file holds no samples: record one with `frec record -o %s ...`", path);
		break;
	case ESPIPE:
		cli_hint("traces are read from files: save it first (`cat ... > trace.zst`)");
		break;
	default:
		break;
	}
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void cli_trace_damage(const char *cmd, const char *path, const struct trace_reader *r)
{
	const struct trace_status *st = trace_reader__status(r);
	char what[256] = "", size[32];
	int n = 0;

	if (st->truncated)
		cli_warn(cmd, "%s is cut short (recording interrupted?): %" PRIu64 " complete %s read, the "
			      "last %s (an incomplete frame) skipped",
			 path, st->frames, plural(st->frames, "frame", "frames"),
			 cli_human_bytes(st->truncated_bytes, size, sizeof(size)));
	if (st->bad_frames)
		n += snprintf(what + n, sizeof(what) - (size_t)n, "%" PRIu64 " unreadable %s (%s) skipped",
			      st->bad_frames, plural(st->bad_frames, "frame", "frames"),
			      cli_human_bytes(st->bad_bytes, size, sizeof(size)));
	if (st->cut_frames)
		n += snprintf(what + n, sizeof(what) - (size_t)n, "%s%" PRIu64 " %s read up to a malformed record",
			      n ? ", " : "", st->cut_frames, plural(st->cut_frames, "frame", "frames"));
	if (st->bad_stacks)
		snprintf(what + n, sizeof(what) - (size_t)n, "%s%" PRIu64 " %s without %s stack %s (undecodable %s)",
			 n ? ", " : "", st->bad_stacks, plural(st->bad_stacks, "sample", "samples"),
			 plural(st->bad_stacks, "its", "their"), plural(st->bad_stacks, "copy", "copies"),
			 plural(st->bad_stacks, "delta", "deltas"));
	if (st->corrupt)
		cli_warn(cmd, "%s is damaged from offset %" PRIu64 ": %s, the rest was read", path,
			 st->bad_offset, what);
	if (!st->has_footer && !st->truncated && !st->corrupt)
		cli_warn(cmd, "%s has no footer (recorder stopped abruptly?): totals are counted from the records",
			 path);
}

bool cli_parse_u64(const char *cmd, const char *what, const char *arg, uint64_t min, uint64_t max,
		   uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
		cli_error(cmd, "invalid %s '%s': expected a number from %" PRIu64 " to %" PRIu64, what, arg,
			  min, max);
		return false;
	}
	*out = v;
	return true;
}

bool cli_parse_percent(const char *cmd, const char *opt, const char *arg, double *out)
{
	char *end;

	*out = strtod(arg, &end);
	if (*end == '%')
		end++;
	if (*end || end == arg || !(*out >= 0 && *out <= 100)) {
		cli_error(cmd, "%s: '%s' is not a percentage from 0 to 100 (like 0.5)", opt, arg);
		return false;
	}
	return true;
}

int cli_add_debug_dir(char **path, const char *dir)
{
	char *np;

	if (asprintf(&np, "%s:%s", *path ? *path : ":.debug:/usr/lib/debug", dir) < 0)
		return CLI_FAIL;
	free(*path);
	*path = np;
	return 0;
}

const char *cli_program(void)
{
	/* glibc's copy of argv[0]: main() hands the subcommands their own argv */
	return strchr(program_invocation_name, '/') ? program_invocation_name : "frec";
}

bool cli_isatty_stderr(void)
{
	return isatty(STDERR_FILENO) == 1;
}

const char *cli_human_bytes(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < FREC_ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
	return buf;
}
