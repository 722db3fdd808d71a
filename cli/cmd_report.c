// SPDX-License-Identifier: MIT
/*
 * frec report: a trace (or folded stacks from any tool) in; a text report, findings, folded stacks
 * or an SVG flame graph out.  This file parses options and picks the output; the symbolizer builds
 * the profile, analyze/ finds what stands out and render/ draws it.  The flame graph shows the top
 * findings too: render/ cannot see analyze/, so they are handed over here as plain notes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_opts.h"
#include "frec/analyze.h"
#include "frec/error.h"
#include "frec/profile.h"
#include "frec/render.h"
#include "frec/symbolizer.h"
#include "opt_seen.h"
#include "output.h"
#include "progress.h"

static const char report_help[] =
	"input and output:\n"
	"  -i, --input FILE      trace or folded stacks to read (default: standard input if it is a\n"
	"                        pipe with data, else trace.zst)\n"
	"  -o, --output FILE     write the output to FILE (default: stdout; flame.svg for --svg)\n"
	"      --folded          write folded stacks (root first, one line per stack)\n"
	"      --svg [FILE]      write an interactive SVG flame graph (default flame.svg; - for stdout)\n"
	"      --pprof FILE      write a pprof profile (gzip'ed profile.proto) for go tool pprof,\n"
	"                        Pyroscope, Parca; with file:line, as --lines\n"
	"      --speedscope FILE write a speedscope JSON file, a profile per thread; as --lines\n"
	"      --top N           rows in each table of the text report (default 20), or findings\n"
	"                        with --analyze (default 10)\n"
	"text views:\n"
	"      --tree            the call tree from the roots, with total and self shares\n"
	"      --callers FUNC    the paths that lead to function FUNC, callers under their callee\n"
	"      --percent-limit PCT\n"
	"                        hide what is under PCT% of the samples in --tree, of FUNC's\n"
	"                        in --callers (default 0.5)\n"
	"      --sort KEY        function (default) or module: the text report's tables by\n"
	"                        function, or self time by module (library)\n"
	"findings:\n"
	"      --analyze         say what stands out and how to fix it: hot functions, known\n"
	"                        expensive operations, library blocks, recursion, repeated work\n"
	"      --format FORMAT   findings as text (default), markdown (to paste into an issue or\n"
	"                        give to an AI assistant) or json; implies --analyze\n"
	"      --context TEXT    the recording's context in your words (framework, endpoint,\n"
	"                        symptom), carried into markdown and json; implies --analyze\n"
	"      --rules FILE      more rules of known operations (frec-findings(7)); may repeat\n"
	"samples:\n"
	"      --pid PID[,PID]   keep these processes\n"
	"      --tid TID[,TID]   keep these threads\n"
	"      --comm NAME       keep threads named NAME\n"
	"      --time START,END  keep samples between START and END seconds after the start\n"
	"off-CPU (traces of frec record --off-cpu):\n"
	"      --off-cpu         weigh stacks by the time threads waited off CPU (sleep, lock, I/O,\n"
	"                        pipe...) instead of CPU samples; each ends in the blocking call\n"
	"      --off-cpu-min USEC  leave out waits shorter than USEC microseconds (applied here, at\n"
	"                        report time: the trace keeps every switch)\n"
	"      --wall            on-CPU and off-CPU time together, in wall-clock time, under roots\n"
	"                        [on-cpu] and [off-cpu]; threads idle all along are left out and\n"
	"                        counted (--off-cpu shows them)\n"
	"frames:\n"
	"      --per-process     a root frame per process (text report: tables per process)\n"
	"      --per-thread      a root frame per thread (text report: tables per thread)\n"
	"      --collapse-recursion\n"
	"                        merge a function calling itself into one frame: f;f;f -> f\n"
	"      --no-kernel       drop kernel frames\n"
	"      --no-inline       no inlined frames\n"
	"      --lines           add file:line to frames\n"
	"      --mangled         keep mangled C++ and Rust names\n"
	"      --merge-jit-tiers one frame per JIT function whatever tier its code ran at\n"
	"                        (V8 marks optimised code * and interpreted code ~)\n"
	"      --debug-dir DIR   also look for separate debug info under DIR (DIR/.build-id/xx/rest.debug)\n"
	"flame graph:\n"
	"      --title TEXT      title (default: from the recording)\n"
	"      --subtitle TEXT   subtitle (default: from the recording)\n"
	"      --colors PALETTE  hot (default), mem, io, blue, green, aqua\n"
	"      --width PIXELS    image width (default 1200)\n"
	"      --minwidth PIXELS merge frames narrower than this into their parent (default 0.1)\n"
	"      --icicle          root at the top\n"
	"  -h, --help            show this help\n";

/* The output, picked by one option each (report_format__opt()); REPORT_TEXT when none is given. */
enum report_format {
	REPORT_TEXT,
	REPORT_FOLDED,
	REPORT_SVG,
	REPORT_ANALYZE,
	REPORT_TREE,
	REPORT_CALLERS,
	REPORT_PPROF,
	REPORT_SPEEDSCOPE,
};

static const char *report_format__opt(enum report_format fmt)
{
	static const char *const opts[] = {
		[REPORT_TEXT] = "the text report", [REPORT_FOLDED] = "--folded", [REPORT_SVG] = "--svg",
		[REPORT_ANALYZE] = "--analyze",    [REPORT_TREE] = "--tree",     [REPORT_CALLERS] = "--callers",
		[REPORT_PPROF] = "--pprof",        [REPORT_SPEEDSCOPE] = "--speedscope",
	};

	return opts[fmt];
}

struct report_opts {
	const char *input;
	const char *output;
	enum report_format format;
	struct sym_opts sym;
	struct render_text_opts text;
	struct render_tree_opts tree;
	const char *callers; /* --callers FUNC */
	bool collapse;       /* --collapse-recursion */
	bool sort_given;
	struct render_flame_opts flame;
	int32_t *pids, *tids;
	char *debug_path;
	struct analyze_write_opts analyze;
	char **rules; /* --rules files, in order */
	size_t nr_rules;
	bool format_given;
	bool off_cpu_min_given;
	bool progress; /* stderr is a terminal: draw how far symbolizing is */
	bool merge_jit_tiers;
};

enum {
	OPT_FOLDED = 256,
	OPT_SVG,
	OPT_TOP,
	OPT_PID,
	OPT_TID,
	OPT_COMM,
	OPT_TIME,
	OPT_PER_PROCESS,
	OPT_PER_THREAD,
	OPT_NO_KERNEL,
	OPT_NO_INLINE,
	OPT_LINES,
	OPT_MANGLED,
	OPT_DEBUG_DIR,
	OPT_TITLE,
	OPT_SUBTITLE,
	OPT_COLORS,
	OPT_WIDTH,
	OPT_MINWIDTH,
	OPT_ICICLE,
	OPT_MERGE_JIT_TIERS,
	OPT_ANALYZE,
	OPT_FORMAT,
	OPT_CONTEXT,
	OPT_RULES,
	OPT_OFF_CPU,
	OPT_OFF_CPU_MIN,
	OPT_WALL,
	OPT_TREE,
	OPT_CALLERS,
	OPT_PERCENT_LIMIT,
	OPT_SORT,
	OPT_COLLAPSE_RECURSION,
	OPT_PPROF,
	OPT_SPEEDSCOPE,
};

/* "1,2,3" appended to the malloc'ed array *@out of *@n ids: --pid 1 --pid 2 is --pid 1,2. */
static bool parse_id_list(const char *what, const char *arg, int32_t **out, size_t *n)
{
	size_t cap = 1;
	int32_t *ids;

	for (const char *s = arg; *s; s++)
		cap += *s == ',';
	ids = realloc(*out, (*n + cap) * sizeof(*ids));
	if (!ids)
		return false;
	*out = ids;
	for (const char *s = arg;;) {
		char *end;
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || end == s || v < 0 || v > INT32_MAX || (*end && *end != ',')) {
			cli_error("report", "%s: '%s' is not a list of ids (like 1234,5678)", what, arg);
			return false;
		}
		ids[(*n)++] = (int32_t)v;
		if (!*end)
			return true;
		s = end + 1;
	}
}

/* "START,END" in seconds (fractions allowed, either side may be empty). */
static bool parse_time_range(const char *arg, uint64_t *start, uint64_t *end)
{
	const char *comma = strchr(arg, ',');
	double a = 0, b = 0;
	char *e;

	if (!comma)
		goto bad;
	/* At most a billion seconds: the nanoseconds must fit in 64 bits (and NaN is no time). */
	if (comma != arg) {
		a = strtod(arg, &e);
		if (e != comma || !(a >= 0 && a <= 1e9))
			goto bad;
	}
	if (comma[1]) {
		b = strtod(comma + 1, &e);
		if (*e || !(b > a && b <= 1e9))
			goto bad;
	}
	*start = (uint64_t)(a * 1e9);
	*end = comma[1] ? (uint64_t)(b * 1e9) : 0;
	return true;
bad:
	cli_error("report", "--time: '%s' is not START,END in seconds (like 2.5,10)", arg);
	cli_hint("either side may be left empty: --time 5, keeps everything after 5 s");
	return false;
}

/* --sort KEY: function or module (and perf's names for them, sym and dso). */
static bool parse_sort(const char *arg, struct render_text_opts *text)
{
	if (!strcmp(arg, "function") || !strcmp(arg, "sym")) {
		text->by_module = false;
		return true;
	}
	if (!strcmp(arg, "module") || !strcmp(arg, "dso")) {
		text->by_module = true;
		return true;
	}
	cli_error("report", "--sort: unknown key '%s'", arg);
	cli_hint("the keys are function and module (perf's sym and dso also work)");
	return false;
}

static int parse_opts(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "folded", no_argument, NULL, OPT_FOLDED },
		{ "svg", no_argument, NULL, OPT_SVG },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "tid", required_argument, NULL, OPT_TID },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "per-process", no_argument, NULL, OPT_PER_PROCESS },
		{ "per-thread", no_argument, NULL, OPT_PER_THREAD },
		{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
		{ "no-inline", no_argument, NULL, OPT_NO_INLINE },
		{ "lines", no_argument, NULL, OPT_LINES },
		{ "mangled", no_argument, NULL, OPT_MANGLED },
		{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "subtitle", required_argument, NULL, OPT_SUBTITLE },
		{ "colors", required_argument, NULL, OPT_COLORS },
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "minwidth", required_argument, NULL, OPT_MINWIDTH },
		{ "icicle", no_argument, NULL, OPT_ICICLE },
		{ "merge-jit-tiers", no_argument, NULL, OPT_MERGE_JIT_TIERS },
		{ "analyze", no_argument, NULL, OPT_ANALYZE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "context", required_argument, NULL, OPT_CONTEXT },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "off-cpu", no_argument, NULL, OPT_OFF_CPU },
		{ "off-cpu-min", required_argument, NULL, OPT_OFF_CPU_MIN },
		{ "wall", no_argument, NULL, OPT_WALL },
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "callers", required_argument, NULL, OPT_CALLERS },
		{ "percent-limit", required_argument, NULL, OPT_PERCENT_LIMIT },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "collapse-recursion", no_argument, NULL, OPT_COLLAPSE_RECURSION },
		{ "pprof", required_argument, NULL, OPT_PPROF },
		{ "speedscope", required_argument, NULL, OPT_SPEEDSCOPE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opt_seen seen;
	uint64_t v;
	char *end;
	int c;

	*o = (struct report_opts){ .input = NULL, .flame.minwidth = -1, .tree.percent_limit = -1 };
	cli_opt_seen__init(&seen, "report", longopts, (const int[]){ OPT_PID, OPT_TID, OPT_DEBUG_DIR, OPT_RULES, 0 });
	optind = 0; /* 0, not 1: glibc's getopt then forgets a previous parse entirely */
	while ((c = getopt_long(argc, argv, "+i:o:h", longopts, NULL)) != -1) {
		if (!cli_opt_seen__add(&seen, c, optarg))
			return CLI_USAGE;
		switch (c) {
		case 'i':
			o->input = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_FOLDED:
			o->format = REPORT_FOLDED;
			break;
		case OPT_SVG:
			o->format = REPORT_SVG;
			/* --svg FILE: an operand right after --svg names the output. */
			if (optind < argc && argv[optind][0] && (argv[optind][0] != '-' || !argv[optind][1])) {
				if (!cli_opt_seen__add_as(&seen, 'o', "--svg", argv[optind]))
					return CLI_USAGE;
				o->output = argv[optind++];
			}
			break;
		case OPT_TOP:
			if (!cli_parse_u64("report", "--top", optarg, 1, 100000, &v))
				return CLI_USAGE;
			o->text.top = (unsigned int)v;
			break;
		case OPT_PID:
			if (!parse_id_list("--pid", optarg, &o->pids, &o->sym.nr_pids))
				return CLI_USAGE;
			o->sym.pids = o->pids;
			break;
		case OPT_TID:
			if (!parse_id_list("--tid", optarg, &o->tids, &o->sym.nr_tids))
				return CLI_USAGE;
			o->sym.tids = o->tids;
			break;
		case OPT_COMM:
			o->sym.comm = optarg;
			break;
		case OPT_TIME:
			if (!parse_time_range(optarg, &o->sym.time_start, &o->sym.time_end))
				return CLI_USAGE;
			break;
		case OPT_PER_PROCESS:
			o->sym.per_process = true;
			break;
		case OPT_PER_THREAD:
			o->sym.per_thread = true;
			break;
		case OPT_NO_KERNEL:
			o->sym.no_kernel = true;
			break;
		case OPT_NO_INLINE:
			o->sym.no_inline = true;
			break;
		case OPT_LINES:
			o->sym.lines = true;
			break;
		case OPT_MANGLED:
			o->sym.mangled = true;
			break;
		case OPT_DEBUG_DIR:
			/* libdwfl's search path: the standard places, then each --debug-dir in order */
			if (cli_add_debug_dir(&o->debug_path, optarg))
				return CLI_FAIL;
			o->sym.debug_path = o->debug_path;
			break;
		case OPT_TITLE:
			o->flame.title = optarg;
			break;
		case OPT_SUBTITLE:
			o->flame.subtitle = optarg;
			break;
		case OPT_COLORS:
			if (!render_flame__has_palette(optarg)) {
				cli_error("report", "--colors: unknown palette '%s'", optarg);
				cli_hint("the palettes are hot, mem, io, blue, green and aqua");
				return CLI_USAGE;
			}
			o->flame.palette = optarg;
			break;
		case OPT_WIDTH:
			if (!cli_parse_u64("report", "--width", optarg, 100, 100000, &v))
				return CLI_USAGE;
			o->flame.width = (unsigned int)v;
			break;
		case OPT_MINWIDTH:
			o->flame.minwidth = strtod(optarg, &end);
			if (*end || end == optarg || !(o->flame.minwidth >= 0)) {
				cli_error("report", "--minwidth: '%s' is not a width in pixels (like 0.1)", optarg);
				return CLI_USAGE;
			}
			break;
		case OPT_ICICLE:
			o->flame.icicle = true;
			break;
		case OPT_MERGE_JIT_TIERS:
			o->merge_jit_tiers = true;
			break;
		case OPT_ANALYZE:
			o->format = REPORT_ANALYZE;
			break;
		case OPT_TREE:
			o->format = REPORT_TREE;
			break;
		case OPT_CALLERS:
			if (!*optarg) {
				cli_error("report", "--callers: the function's name is empty");
				return CLI_USAGE;
			}
			o->format = REPORT_CALLERS;
			o->callers = optarg;
			break;
		case OPT_PERCENT_LIMIT:
			if (!cli_parse_percent("report", "--percent-limit", optarg, &o->tree.percent_limit))
				return CLI_USAGE;
			break;
		case OPT_SORT:
			if (!parse_sort(optarg, &o->text))
				return CLI_USAGE;
			o->sort_given = true;
			break;
		case OPT_COLLAPSE_RECURSION:
			o->collapse = true;
			break;
		case OPT_FORMAT:
			if (cli_parse_format("report", optarg, &o->analyze.format))
				return CLI_USAGE;
			o->format_given = true;
			break;
		case OPT_CONTEXT:
			o->analyze.context = optarg;
			break;
		case OPT_RULES:
			if (cli_add_rules(&o->rules, &o->nr_rules, optarg))
				return CLI_FAIL;
			break;
		case OPT_PPROF:
		case OPT_SPEEDSCOPE:
			/* --pprof FILE names the output as -o FILE would: both are refused */
			if (!cli_opt_seen__add_as(&seen, 'o', c == OPT_PPROF ? "--pprof" : "--speedscope", optarg))
				return CLI_USAGE;
			o->format = c == OPT_PPROF ? REPORT_PPROF : REPORT_SPEEDSCOPE;
			o->output = optarg;
			break;
		case OPT_OFF_CPU:
		case OPT_WALL:
			if (o->sym.weight != SYM_WEIGHT_CPU && o->sym.weight != (c == OPT_WALL ? SYM_WEIGHT_WALL : SYM_WEIGHT_OFF_CPU)) {
				cli_error("report", "--off-cpu and --wall exclude each other");
				cli_hint("--wall holds the off-CPU time too, under [off-cpu]");
				return CLI_USAGE;
			}
			o->sym.weight = c == OPT_WALL ? SYM_WEIGHT_WALL : SYM_WEIGHT_OFF_CPU;
			break;
		case OPT_OFF_CPU_MIN:
			if (!cli_parse_u64("report", "--off-cpu-min", optarg, 0, UINT64_MAX / 1000, &v))
				return CLI_USAGE;
			o->sym.off_cpu_min_ns = v * 1000;
			o->off_cpu_min_given = true;
			break;
		case 'h':
			return cli_usage("report", report_help, CLI_OK);
		default:
			return cli_usage("report", NULL, CLI_USAGE);
		}
	}
	if (optind < argc) {
		cli_error("report", "unexpected argument '%s'", argv[optind]);
		cli_hint("the input is given with -i FILE");
		return cli_usage("report", NULL, CLI_USAGE);
	}
	if (o->off_cpu_min_given && o->sym.weight == SYM_WEIGHT_CPU) {
		cli_error("report", "--off-cpu-min is for off-CPU profiles");
		cli_hint("add --off-cpu or --wall");
		return CLI_USAGE;
	}
	if (!cli_opt_seen__exclusive(&seen, (const int[]){ OPT_FOLDED, OPT_SVG, OPT_ANALYZE, OPT_TREE, OPT_CALLERS,
							      OPT_PPROF, OPT_SPEEDSCOPE, 0 },
				     "each report writes one output: run frec report once for each") ||
	    !cli_opt_seen__exclusive(&seen, (const int[]){ OPT_PER_PROCESS, OPT_PER_THREAD, 0 },
				     "a root frame per process or one per thread: choose one"))
		return CLI_USAGE;
	if (o->format_given || o->analyze.context) {
		if (o->format != REPORT_TEXT && o->format != REPORT_ANALYZE) {
			cli_error("report", "%s is for findings: use it without %s", o->format_given ? "--format" : "--context",
				  report_format__opt(o->format));
			if (o->format == REPORT_SVG)
				cli_hint("the flame graph shows the top findings by itself");
			return CLI_USAGE;
		}
		o->format = REPORT_ANALYZE;
	}
	if (o->nr_rules && o->format != REPORT_TEXT && o->format != REPORT_ANALYZE && o->format != REPORT_SVG) {
		cli_error("report", "--rules is for findings (--analyze or --svg), not for %s", report_format__opt(o->format));
		return CLI_USAGE;
	}
	if (o->tree.percent_limit >= 0 && o->format != REPORT_TREE && o->format != REPORT_CALLERS) {
		cli_error("report", "--percent-limit is for --tree and --callers, not for %s", report_format__opt(o->format));
		return CLI_USAGE;
	}
	if (o->sort_given && o->format != REPORT_TEXT) {
		cli_error("report", "--sort is for the text report, not for %s", report_format__opt(o->format));
		cli_hint("--tree and --callers sort by weight; flame graphs and folded stacks by name");
		return CLI_USAGE;
	}
	/* Both formats hold file:line; speedscope shows a profile per thread. */
	if (o->format == REPORT_PPROF || o->format == REPORT_SPEEDSCOPE)
		o->sym.lines = true;
	if (o->format == REPORT_SPEEDSCOPE && !o->sym.per_process)
		o->sym.per_thread = true;
	o->analyze.max_findings = o->text.top;
	if (o->format == REPORT_SVG && !o->output)
		o->output = "flame.svg";
	if (o->output && !strcmp(o->output, "-"))
		o->output = NULL;
	if (o->format == REPORT_PPROF && !o->output && isatty(STDOUT_FILENO)) {
		cli_error("report", "refusing to write a pprof profile (binary) to the terminal");
		cli_hint("name a file: frec report --pprof profile.pb.gz, or redirect standard output");
		return CLI_USAGE;
	}
	o->progress = cli_isatty_stderr();
	return CLI_CONTINUE;
}

int report_opts__parse(int argc, char **argv, struct report_opts **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? parse_opts(argc, argv, *out) : CLI_FAIL;
}

/*
 * The input when -i is not given: standard input when it is a pipe that carries data, as
 * flamegraph.pl reads it (`stackcollapse-perf.pl out.perf | frec report --svg -`), else trace.zst.
 * A pipe closed with nothing in it (`true | frec report`, a CI step whose standard input is an
 * empty pipe) is no input: trace.zst is read instead.  Deciding needs the first byte or the end of
 * the pipe, so a slow writer is waited for, with a line saying so after a second.
 */
static const char *default_input(const char *cmd)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	struct stat sb;
	int n;

	if (fstat(STDIN_FILENO, &sb) || !S_ISFIFO(sb.st_mode))
		return "trace.zst";
	do
		n = poll(&pfd, 1, 1000);
	while (n < 0 && errno == EINTR);
	if (!n) {
		fprintf(stderr, "frec %s: waiting for folded stacks or a trace on standard input "
				"(-i FILE reads a file instead)\n", cmd);
		do
			n = poll(&pfd, 1, -1);
		while (n < 0 && errno == EINTR);
	}
	/* POLLIN: bytes to read; POLLHUP alone: every writer is gone and nothing was written. */
	if (n > 0 && (pfd.revents & POLLIN))
		return "-";
	if (access("trace.zst", F_OK))
		fprintf(stderr, "frec %s: standard input is an empty pipe: reading trace.zst\n", cmd);
	return "trace.zst";
}

static void report_opts__exit(struct report_opts *o)
{
	free(o->rules);
	free(o->pids);
	free(o->tids);
	free(o->debug_path);
}

void report_opts__free(struct report_opts *o)
{
	if (o)
		report_opts__exit(o);
	free(o);
}

/* What an off-CPU profile stands on, and what it left out. */
static void off_cpu_summary(const struct report_opts *o, const struct sym_off_cpu_stats *st)
{
	if (o->sym.weight == SYM_WEIGHT_WALL)
		fprintf(stderr, "frec report: wall: %.3f s on CPU; ", (double)st->on_cpu_ns / 1e9);
	else
		fputs("frec report: ", stderr);
	fprintf(stderr, "off-cpu: %" PRIu64 " waits, %.3f s in all", st->periods, (double)st->ns / 1e9);
	if (st->preempted)
		fprintf(stderr, ", of which %" PRIu64 " preemptions (%.3f s runnable, waiting for a CPU)", st->preempted,
			(double)st->preempted_ns / 1e9);
	if (st->open)
		fprintf(stderr, "; %" PRIu64 " still waiting when the recording ended", st->open);
	if (st->short_periods)
		fprintf(stderr, "; %" PRIu64 " shorter than %" PRIu64 " us (%.3f s) left out", st->short_periods,
			o->sym.off_cpu_min_ns / 1000, (double)st->short_ns / 1e9);
	if (st->idle_threads)
		fprintf(stderr, "; %" PRIu64 " threads idle all along (%.3f s waiting) left out: --off-cpu shows them",
			st->idle_threads, (double)st->idle_ns / 1e9);
	fputc('\n', stderr);
	if (st->lost)
		cli_warn("report", "the kernel dropped %" PRIu64 " samples or switch records: the waits they began "
			 "or ended are missing or too long", st->lost);
}

/*
 * Folded stacks carry no processes, threads or times, and are symbolized already: options that need
 * a trace do nothing there, and say so rather than be ignored.
 */
static void warn_not_a_trace(const struct report_opts *o, const struct frec_profile *p)
{
	const struct sym_opts *s = &o->sym;
	const char *opt = NULL, *sym = NULL;
	size_t nr_tasks;

	if (s->per_process)
		opt = "--per-process";
	else if (s->per_thread)
		opt = "--per-thread";
	else if (s->nr_pids)
		opt = "--pid";
	else if (s->nr_tids)
		opt = "--tid";
	else if (s->comm)
		opt = "--comm";
	else if (s->time_start || s->time_end)
		opt = "--time";
	if (s->no_kernel)
		sym = "--no-kernel";
	else if (s->no_inline)
		sym = "--no-inline";
	else if (s->lines)
		sym = "--lines";
	else if (s->mangled)
		sym = "--mangled";
	else if (s->debug_path)
		sym = "--debug-dir";
	frec_profile__tasks(p, &nr_tasks);
	if (nr_tasks || !frec_profile__total(p) || frec_profile__meta_const(p)->health.samples)
		return;
	if (opt)
		cli_warn("report", "%s does nothing on %s: folded stacks hold no processes, threads or times", opt,
			 o->input);
	if (sym)
		cli_warn("report", "%s does nothing on %s: folded stacks are symbolized already", sym, o->input);
}

/* --collapse-recursion: *@p becomes its copy with direct recursion merged.  0 or CLI_FAIL. */
static int collapse(const struct report_opts *o, struct frec_profile **p)
{
	struct frec_profile *q;
	int err = frec_profile__collapse_recursion(*p, &q);

	if (err) {
		cli_error("report", "cannot collapse the recursion of %s: %s", o->input, frec_strerror(err));
		return CLI_FAIL;
	}
	frec_profile__free(*p);
	*p = q;
	return 0;
}

/* --callers FUNC matched nothing: say so, with the names closest to it. */
static void no_such_function(const struct report_opts *o, const struct frec_profile *p)
{
	char *names[5], list[512] = "";
	int n = render_callers__suggest(p, o->callers, names, FREC_ARRAY_SIZE(names));
	size_t len = 0;

	if (!frec_profile__total(p)) {
		/* the warning above said why: nothing is left to find a function in */
		cli_error("report", "--callers: no samples of %s are left to find '%s' in", o->input, o->callers);
		if (o->sym.nr_pids || o->sym.nr_tids || o->sym.comm || o->sym.time_start || o->sym.time_end)
			cli_hint("keep more of them: check --pid, --tid, --comm and --time against `frec report -i %s`",
				 o->input);
		else
			cli_hint("--callers looks for FUNC in the samples: give it a trace or folded stacks that have some");
		return;
	}
	cli_error("report", "--callers: no function named '%s' in %s", o->callers, o->input);
	for (int i = 0; i < n; i++) {
		if (len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	if (n > 0) {
		cli_hint("close matches: %s (FUNC is matched exactly, compiler suffixes such as .constprop.0 and "
			 "C++ parameter lists aside)", list);
	} else {
		cli_hint("FUNC is a function's exact name, as in the tables of `frec report` (compiler suffixes such "
			 "as .constprop.0 and C++ parameter lists may be left out)");
	}
}

static int write_output(const struct report_opts *o, const struct frec_profile *p,
			const struct analyze_report *findings, FILE *f)
{
	switch (o->format) {
	case REPORT_FOLDED:
		return frec_profile__write_folded(p, f);
	case REPORT_SVG:
		return cli_flame_with_findings(p, findings, &o->flame, f);
	case REPORT_ANALYZE:
		return analyze_report__write(findings, &o->analyze, f);
	case REPORT_TREE:
		return render_tree__write(p, &o->tree, f);
	case REPORT_CALLERS:
		return render_callers__write(p, o->callers, &o->tree, f);
	case REPORT_PPROF:
		return render_pprof__write(p, NULL, f);
	case REPORT_SPEEDSCOPE:
		return render_speedscope__write(p, NULL, f);
	case REPORT_TEXT:
	default:
		return render_text__write(p, &o->text, f);
	}
}

int cmd_report(int argc, char **argv)
{
	static const char *const cmd = "report";
	struct frec_profile *p = NULL;
	struct analyze_rules *rules = NULL;
	struct analyze_report *findings = NULL;
	struct cli_output out = { .fd = -1 };
	struct cli_progress prog;
	struct sym_off_cpu_stats off_stats = { 0 };
	struct report_opts o;
	FILE *f;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret != CLI_CONTINUE)
		goto out;
	ret = CLI_FAIL;
	if (!o.input)
		o.input = default_input(cmd);
	/* Rules first: a mistake in one is found before a long symbolization. */
	if ((o.format == REPORT_ANALYZE || o.format == REPORT_SVG) && cli_load_rules(cmd, o.rules, o.nr_rules, &rules))
		goto out;
	/* Before anything is read: `frec report --svg trace.zst` must not take the trace for the SVG. */
	if (cli_output__open(&out, cmd, o.output, 0, (const char *const[]){ o.input, NULL },
			     "the input is named with -i, the output with -o or right after --svg: "
			     "frec report -i trace.zst --svg flame.svg"))
		goto out;
	if (o.progress) {
		cli_progress__begin(&prog, cmd);
		o.sym.progress = cli_progress__symbolizer;
		o.sym.progress_ctx = &prog;
	}
	if (o.sym.weight != SYM_WEIGHT_CPU)
		o.sym.off_cpu_stats = &off_stats;
	ret = cli_load_profile(cmd, o.input, &o.sym, &p);
	if (o.progress)
		cli_progress__end(&prog);
	if (ret || (o.merge_jit_tiers && (ret = cli_merge_jit_tiers(cmd, &p))))
		goto out;
	if (o.sym.weight != SYM_WEIGHT_CPU)
		off_cpu_summary(&o, &off_stats);
	ret = CLI_FAIL;
	warn_not_a_trace(&o, p);
	if (o.collapse && collapse(&o, &p))
		goto out;
	if (!frec_profile__total(p)) {
		uint64_t n = frec_profile__meta_const(p)->samples;

		if (n)
			cli_warn(cmd, "none of the %" PRIu64 " samples of %s matches the filters", n, o.input);
		else
			cli_warn(cmd, "%s holds no samples", o.input);
	}
	if (rules) {
		const struct analyze_opts ao = { .rules = rules };
		int err = analyze_report__new(p, &ao, &findings);

		if (err) {
			cli_error(cmd, "cannot analyze %s: %s", o.input, frec_strerror(err));
			goto out;
		}
	}
	f = cli_output__stream(&out);
	if (!f)
		goto out;
	ret = write_output(&o, p, findings, f);
	if (ret == -ENOENT && o.format == REPORT_CALLERS) {
		no_such_function(&o, p);
		ret = CLI_FAIL;
		goto out;
	}
	if (!ret)
		ret = cli_output__close(&out);
	if (ret) {
		cli_error(cmd, "cannot write %s: %s", o.output ? o.output : "the output", frec_strerror(ret));
		if (ret == -ENOSPC)
			cli_hint("the disk is full: free some space or write elsewhere with -o");
		ret = CLI_FAIL;
		goto out;
	}
	if (o.output && (o.format == REPORT_SVG || o.format == REPORT_PPROF || o.format == REPORT_SPEEDSCOPE))
		fprintf(stderr, "frec report: wrote %s\n", o.output);
	ret = CLI_OK;
out:
	if (ret != CLI_OK)
		cli_output__discard(&out);
	analyze_report__free(findings);
	analyze_rules__free(rules);
	frec_profile__free(p);
	report_opts__exit(&o);
	return ret;
}
