// SPDX-License-Identifier: MIT
/*
 * frec record: options, the live status line, the summary, and one-line errors with a hint for
 * everything the recorder can refuse.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_opts.h"
#include "frec/error.h"
#include "frec/log.h"
#include "frec/profile.h"
#include "frec/recorder.h"
#include "frec/trace.h"
#include "jit_env.h"
#include "opt_seen.h"
#include "output.h"
#include "perm_hint.h"

static const char record_help[] =
	"target (one of):\n"
	"  -p, --pid PID[,PID]      profile running processes (all their threads, also new ones)\n"
	"  -t, --tid TID[,TID]      profile threads\n"
	"  -a, --all-cpus           profile the whole system\n"
	"  -- CMD [ARGS]            run CMD and profile it and its children\n"
	"sampling:\n"
	"  -F, --freq HZ            samples per second (default 99)\n"
	"  -c, --count PERIOD       one sample every PERIOD events instead\n"
	"  -e, --event EVENT        cycles (default where the CPU has a PMU, else cpu-clock), cpu-clock,\n"
	"                           task-clock, page-faults, context-switches, instructions,\n"
	"                           cache-misses, branch-misses, or a tracepoint SYS:NAME\n"
	"  -g                       record call graphs: the default mode, as perf's -g asks for\n"
	"      --call-graph MODE    auto[,SIZE] (default: fp plus a stack copy of SIZE bytes, default\n"
	"                           8192, max 65528), fp (frame pointers only), dwarf[,SIZE] or none\n"
	"      --off-cpu            also sample every switch of a target thread off a CPU, with its\n"
	"                           blocking stack, and when it came back (frec report --off-cpu);\n"
	"                           needs kernel samples: root, CAP_PERFMON or perf_event_paranoid <= 1\n"
	"output and duration:\n"
	"  -o, --output FILE        trace to write, readable by you only (default trace.zst); - writes it\n"
	"                           to standard output (never a terminal; the command's own output then\n"
	"                           goes to standard error)\n"
	"  -d, --duration SECONDS   stop after this long (default: when the target exits or on Ctrl-C)\n"
	"  -m, --mmap-pages PAGES   ring buffer pages per CPU, a power of 2 (default 1024; 128 with fp\n"
	"                           or none)\n"
	"      --no-jit-env         leave a started command's environment alone (by default node gets\n"
	"                           NODE_OPTIONS=--perf-basic-prof and python 3.12+ PYTHONPERFSUPPORT=1,\n"
	"                           so that their JIT code is named)\n"
	"  -q, --quiet              no status line and no summary\n"
	"  -v, --verbose            more diagnostics\n"
	"  -h, --help               show this help\n";

struct record_cli {
	struct rec_opts rec;
	struct cli_output out;
	pid_t *pids, *tids;
	bool quiet;
	bool no_jit_env;
	bool status_drawn;
};

static bool parse_pids(const char *opt, const char *arg, pid_t **out, size_t *n)
{
	size_t cap = 1;
	pid_t *v;

	for (const char *s = arg; *s; s++)
		cap += *s == ',';
	v = realloc(*out, (*n + cap) * sizeof(*v));
	if (!v)
		return false;
	*out = v;
	for (const char *s = arg;;) {
		char *end;
		long x;

		errno = 0;
		x = strtol(s, &end, 10);
		if (errno || end == s || x <= 0 || x > INT32_MAX || (*end && *end != ',')) {
			cli_error("record", "%s: '%s' is not a list of ids (like 1234,5678)", opt, arg);
			return false;
		}
		v[(*n)++] = (pid_t)x;
		if (!*end)
			return true;
		s = end + 1;
	}
}

static bool parse_call_graph(const char *arg, struct rec_opts *o)
{
	const char *comma = strchr(arg, ',');
	size_t len = comma ? (size_t)(comma - arg) : strlen(arg);
	uint64_t size;

	if (len == 2 && !strncmp(arg, "fp", 2))
		o->call_graph = REC_CG_FP;
	else if (len == 5 && !strncmp(arg, "dwarf", 5))
		o->call_graph = REC_CG_DWARF;
	else if (len == 4 && !strncmp(arg, "auto", 4))
		o->call_graph = REC_CG_AUTO;
	else if (len == 4 && !strncmp(arg, "none", 4))
		o->call_graph = REC_CG_NONE;
	else {
		cli_error("record", "--call-graph: unknown mode '%s'", arg);
		cli_hint("modes are auto[,SIZE], fp, dwarf[,SIZE] and none");
		return false;
	}
	if (!comma)
		return true;
	if (o->call_graph == REC_CG_FP || o->call_graph == REC_CG_NONE) {
		cli_error("record", "--call-graph: %.*s takes no size", (int)len, arg);
		return false;
	}
	if (!cli_parse_u64("record", "--call-graph SIZE", comma + 1, 8, REC_STACK_MAX, &size))
		return false;
	o->stack_size = (uint32_t)size;
	return true;
}

static unsigned int read_proc_uint(const char *path, unsigned int dflt)
{
	FILE *f = fopen(path, "r");
	unsigned int v = dflt;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

enum { OPT_CALL_GRAPH = 256, OPT_NO_JIT_ENV };

static int parse_opts(int argc, char **argv, struct record_cli *c)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, 't' },
		{ "all-cpus", no_argument, NULL, 'a' },
		{ "freq", required_argument, NULL, 'F' },
		{ "count", required_argument, NULL, 'c' },
		{ "event", required_argument, NULL, 'e' },
		{ "call-graph", required_argument, NULL, OPT_CALL_GRAPH },
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "mmap-pages", required_argument, NULL, 'm' },
		{ "off-cpu", no_argument, NULL, 'O' },
		{ "no-jit-env", no_argument, NULL, OPT_NO_JIT_ENV },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rec_opts *o = &c->rec;
	struct cli_opt_seen seen;
	unsigned int max_rate;
	size_t targets;
	uint64_t v;
	double secs;
	char *end;
	int opt;

	/* -p 1 -p 2 is -p 1,2 */
	cli_opt_seen__init(&seen, "record", longopts, (const int[]){ 'p', 't', 0 });
	optind = 0; /* 0, not 1: glibc's getopt then forgets a previous parse entirely */
	while ((opt = getopt_long(argc, argv, "+p:t:aF:c:e:go:d:m:qvh", longopts, NULL)) != -1) {
		if (!cli_opt_seen__add(&seen, opt, optarg))
			return CLI_USAGE;
		switch (opt) {
		case 'p':
			if (!parse_pids("-p", optarg, &c->pids, &o->nr_pids))
				return CLI_USAGE;
			break;
		case 't':
			if (!parse_pids("-t", optarg, &c->tids, &o->nr_tids))
				return CLI_USAGE;
			break;
		case 'a':
			o->system_wide = true;
			break;
		case 'F':
			if (!cli_parse_u64("record", "-F", optarg, 1, 1000000, &o->freq))
				return CLI_USAGE;
			break;
		case 'c':
			if (!cli_parse_u64("record", "-c", optarg, 1, UINT64_MAX >> 1, &o->period))
				return CLI_USAGE;
			break;
		case 'e':
			o->event = optarg;
			break;
		case 'g':
			/* perf's "record call graphs": frec always does, in its default mode */
			break;
		case OPT_CALL_GRAPH:
			if (!parse_call_graph(optarg, o))
				return CLI_USAGE;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'd':
			secs = strtod(optarg, &end);
			if (end == optarg || *end || !(secs > 0) || secs > 1e7) {
				cli_error("record", "-d: '%s' is not a duration in seconds (like 10 or 0.5)", optarg);
				return CLI_USAGE;
			}
			o->duration_ns = (uint64_t)(secs * 1e9);
			break;
		case 'm':
			if (!cli_parse_u64("record", "-m", optarg, 1, 1u << 20, &v))
				return CLI_USAGE;
			if (v & (v - 1)) {
				cli_error("record", "-m: %" PRIu64 " is not a power of 2", v);
				cli_hint("try -m 64, 128, 256...");
				return CLI_USAGE;
			}
			o->mmap_pages = (unsigned int)v;
			break;
		case 'O':
			o->off_cpu = true;
			break;
		case OPT_NO_JIT_ENV:
			c->no_jit_env = true;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'v':
			if (frec_log__level() < FREC_LOG_DEBUG)
				frec_log__set_level(frec_log__level() + 1);
			break;
		case 'h':
			return cli_usage("record", record_help, CLI_OK);
		default:
			return cli_usage("record", NULL, CLI_USAGE);
		}
	}
	o->pids = c->pids;
	o->tids = c->tids;
	if (optind < argc)
		o->argv = argv + optind;
	targets = !!o->nr_pids + !!o->nr_tids + o->system_wide + !!o->argv;
	if (targets != 1) {
		cli_error("record", targets ? "give only one target: -p, -t, -a or a command"
					    : "nothing to profile");
		cli_hint("frec -p PID, frec -a, or frec -- CMD ARGS (see frec record --help)");
		return CLI_USAGE;
	}
	if (!cli_opt_seen__exclusive(&seen, (const int[]){ 'F', 'c', 0 },
				     "-F samples so many times a second, -c every so many events: choose one"))
		return CLI_USAGE;
	if (o->call_graph == REC_CG_NONE &&
	    !cli_opt_seen__exclusive(&seen, (const int[]){ 'g', OPT_CALL_GRAPH, 0 },
				     "-g asks for call graphs, --call-graph none for none"))
		return CLI_USAGE;
	max_rate = read_proc_uint("/proc/sys/kernel/perf_event_max_sample_rate", 0);
	if (o->freq && max_rate && o->freq > max_rate) {
		cli_error("record", "-F %" PRIu64 " is above the kernel's limit of %u Hz", o->freq, max_rate);
		cli_hint("use -F %u or less, or raise kernel.perf_event_max_sample_rate", max_rate);
		return CLI_USAGE;
	}
	return CLI_CONTINUE;
}

int record_opts__parse(int argc, char **argv, struct record_cli **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? parse_opts(argc, argv, *out) : CLI_FAIL;
}

static void record_opts__exit(struct record_cli *c)
{
	free(c->pids);
	free(c->tids);
}

void record_opts__free(struct record_cli *c)
{
	if (c)
		record_opts__exit(c);
	free(c);
}

static void draw_status(void *ctx, const struct rec_stats *st)
{
	struct record_cli *c = ctx;
	char size[32];

	fprintf(stderr, "\r\033[Kfrec: %5.1f s  %8" PRIu64 " samples  %6" PRIu64 " lost  trace %s",
		(double)st->elapsed_ns / 1e9, st->samples, st->lost,
		cli_human_bytes(st->trace_bytes, size, sizeof(size)));
	c->status_drawn = true;
}

static const char *stop_reason(uint32_t flags)
{
	if (flags & TRACE_FOOTER_DISK_FULL)
		return "write error";
	if (flags & TRACE_FOOTER_INTERRUPTED)
		return "interrupted";
	if (flags & TRACE_FOOTER_DURATION)
		return "duration reached";
	if (flags & TRACE_FOOTER_TARGET_EXITED)
		return "target exited";
	return "stopped";
}

static void print_summary(const struct record_cli *c, const struct rec_stats *st)
{
	const char *out = c->out.name;
	uint64_t all = st->samples + st->lost;
	uint64_t cpu = st->cpu_user_ns + st->cpu_sys_ns;
	uint64_t fixed = cpu > st->cpu_recording_ns ? cpu - st->cpu_recording_ns : 0;
	char size[32], secs[32];

	fprintf(stderr,
		"frec: %s (%s), %" PRIu64 " samples of %s, %" PRIu64 " lost (%.2f%%)\n"
		"frec: wrote %s: %s, %.0f bytes/sample\n",
		frec_duration__str(st->elapsed_ns, secs, sizeof(secs)), stop_reason(st->stop_flags),
		st->samples - st->off_cpu_samples,
		st->event, st->lost, all ? 100.0 * (double)st->lost / (double)all : 0.0, out,
		cli_human_bytes(st->trace_bytes, size, sizeof(size)),
		st->samples ? (double)st->trace_bytes / (double)st->samples : 0.0);
	/*
	 * What frec costs the machine while it records, as a share of one CPU (frec records from one
	 * thread), and apart from it the fixed cost of opening the events and finishing the trace
	 * (kernel symbols, perf maps), which would make a share of a short recording meaningless.
	 */
	fprintf(stderr, "frec: own CPU use: %.1f%% of one CPU while recording, plus %.2f s to start and finish\n",
		st->elapsed_ns ? 100.0 * (double)st->cpu_recording_ns / (double)st->elapsed_ns : 0.0,
		(double)fixed / 1e9);
	if (c->rec.off_cpu)
		fprintf(stderr, "frec: off-cpu: %" PRIu64 " switches out sampled, %" PRIu64 " switch records%s\n",
			st->off_cpu_samples, st->switches,
			st->lost ? " (the waits that lost ones began or ended will be missing or too long)" : "");
	/* every switch is a sample: -F does not thin those, a smaller sample (no stack copy) does */
	if (st->lost && c->rec.off_cpu)
		cli_hint("samples were lost: give the rings more room (-m %u)%s", st->mmap_pages ? st->mmap_pages * 4 : 512,
			 c->rec.call_graph == REC_CG_AUTO || c->rec.call_graph == REC_CG_DWARF
				 ? ", or copy no stack at each switch (--call-graph fp)" : "");
	else if (st->lost)
		cli_hint("samples were lost: give the rings more room (-m %u) or sample less often (-F)",
			 st->mmap_pages ? st->mmap_pages * 4 : 512);
	/* with samples lost, their loss is the likelier cause, and the hint above says what to do */
	if (!st->samples && !st->lost)
		cli_hint("no samples: was the target busy on a CPU? (-e task-clock or a longer -d may help)");
	if (c->out.path)
		fprintf(stderr, "frec: next: %s report -i %s   (or --svg for a flame graph)\n", cli_program(), out);
}

/* A refusal of the kernel: the object it is about, and what to change for it. */
static void permission_error(const struct record_cli *c, const struct rec_error *e)
{
	struct cli_perm p;
	char hint[1024];

	cli_perm__probe(&c->rec, c->rec.event, &p);
	/* the main event opened: what --off-cpu needs beyond it is kernel samples */
	if (e->kind == REC_ERR_OFF_CPU && p.target == CLI_PERM_OWN)
		p.target = CLI_PERM_OFF_CPU;
	if (p.target == CLI_PERM_OTHER_USER)
		cli_error("record", "permission denied profiling process %d (of %s)", (int)p.pid, p.owner);
	else if (e->kind == REC_ERR_TARGET)
		cli_error("record", "cannot profile %s: %s", e->what, frec_strerror(e->err));
	else
		cli_error("record", "permission denied opening %s", e->what);
	cli_perm__hint(&p, hint, sizeof(hint));
	cli_hint("%s", hint);
}

static void report_error(const struct record_cli *c, const struct rec_error *e)
{
	const char *err = frec_strerror(e->err);

	switch (e->kind) {
	case REC_ERR_TARGET:
		if (e->err == -ESRCH) {
			cli_error("record", "no such process: %s", e->what);
			cli_hint("check the id with `ps -p %s`, or find it with `pgrep NAME`", e->what);
		} else if (e->err == -EACCES || e->err == -EPERM) {
			permission_error(c, e);
		} else {
			cli_error("record", "cannot profile %s: %s", e->what, err);
		}
		break;
	case REC_ERR_COMMAND:
		if (e->err == -ENOENT) {
			cli_error("record", "command not found: %s", e->what);
			cli_hint("check its spelling and $PATH, or give its full path");
		} else {
			cli_error("record", "cannot run %s: %s", e->what, err);
		}
		break;
	case REC_ERR_EVENT:
		if (e->err == -FREC_E_EVENT_UNKNOWN) {
			cli_error("record", "unknown event '%s'", e->what);
			cli_hint("events are cycles, cpu-clock, task-clock, page-faults, context-switches, "
				 "instructions, cache-misses, branch-misses, or a tracepoint SYS:NAME "
				 "(see /sys/kernel/tracing/events)");
		} else if (e->err == -EACCES || e->err == -EPERM) {
			permission_error(c, e);
		} else if (e->err == -ESRCH) {
			cli_error("record", "the target exited before recording began");
		} else if (e->err == -EMFILE || e->err == -ENFILE) {
			cli_error("record", "cannot open %s: too many open files", e->what);
			cli_hint("frec opens one event per thread and CPU: raise the limit with `ulimit -n 65536`");
		} else if (e->err == -ENOENT || e->err == -EOPNOTSUPP || e->err == -ENODEV ||
			   e->err == -FREC_E_EVENT_UNSUPPORTED) {
			cli_error("record", "event %s is not supported on this machine", e->what);
			cli_hint("try -e cpu-clock");
		} else {
			cli_error("record", "cannot open event %s: %s", e->what, err);
			if (e->err == -EINVAL)
				cli_hint("the kernel refused the settings: try a lower -F, a smaller --call-graph size, "
					 "or -e cpu-clock");
		}
		break;
	case REC_ERR_OUTPUT:
		cli_error("record", "cannot write %s: %s", e->what, err);
		if (e->err == -ENOSPC || e->err == -EDQUOT)
			cli_hint("the disk is full: the trace is readable up to the last second written; "
				 "free space or record elsewhere with -o");
		else if (e->err == -EACCES || e->err == -ENOENT || e->err == -EROFS || e->err == -EISDIR)
			cli_hint("choose a writable place with -o FILE");
		break;
	case REC_ERR_OFF_CPU:
		if (e->err == -EACCES || e->err == -EPERM) {
			permission_error(c, e);
			break;
		}
		cli_error("record", "cannot open %s: %s", e->what, err);
		if (e->err == -EINVAL) {
			cli_hint("the kernel refused switch records (Linux 4.3 or later) with this call graph; "
				 "try --call-graph fp");
		}
		break;
	case REC_ERR_MMAP:
		cli_error("record", "cannot map the ring buffers: %s", err);
		cli_hint("use smaller rings (-m %u) or raise the locked-memory limit (ulimit -l)",
			 c->rec.mmap_pages > 8 ? c->rec.mmap_pages / 2 : 8);
		break;
	default:
		cli_error("record", "%s: %s", e->what[0] ? e->what : "recording failed", err);
		break;
	}
}

/* The stop flag of STYLE.md 2.4: the one a signal handler may write. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/*
 * A JIT runtime names its code only in a perf map: turn it on for the command frec starts
 * (jit_env.h), saying so; for a process frec attaches to, say how to restart it.
 */
static int jit_env(const struct record_cli *c)
{
	struct cli_jit_cmd j;
	const char *var;
	char *value;
	int ret;

	if (!c->rec.argv) {
		for (size_t i = 0; i < c->rec.nr_pids && i < 16; i++)
			if (cli_jit__unnamed(c->rec.pids[i], &j) && !c->quiet)
				cli_warn("record", "process %d runs %s without a perf map: its %s functions will have no "
					 "names; restart it with %s", (int)c->rec.pids[i], cli_jit__name(j.runtime),
					 j.runtime == CLI_JIT_NODE ? "JavaScript" : "Python",
					 j.runtime == CLI_JIT_NODE ? "node --perf-basic-prof (or NODE_OPTIONS=--perf-basic-prof)"
								   : "PYTHONPERFSUPPORT=1 (or python -X perf)");
		return 0;
	}
	if (c->no_jit_env)
		return 0;
	cli_jit__detect(c->rec.argv, &j);
	ret = cli_jit__env(&j, getenv(cli_jit__var(j.runtime)), &var, &value);
	if (ret <= 0)
		return ret;
	ret = setenv(var, value, 1) ? -errno : 0;
	if (!ret && !c->quiet)
		fprintf(stderr, "frec: %s=\"%s\" so that %s names its JIT code (--no-jit-env: leave the environment "
				"alone)\n", var, value, cli_jit__name(j.runtime));
	free(value);
	return ret;
}

int cmd_record(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct record_cli c = { 0 };
	struct rec_stats st;
	struct rec_error e;
	int ret, err;

	ret = parse_opts(argc, argv, &c);
	if (ret != CLI_CONTINUE)
		goto out;
	ret = CLI_FAIL;
	err = jit_env(&c);
	if (err) {
		cli_error("record", "cannot set the command's environment: %s", frec_strerror(err));
		goto out;
	}
	if (cli_output__open(&c.out, "record", c.rec.output ? c.rec.output : "trace.zst", CLI_OUTPUT_TRACE, NULL,
			     NULL))
		goto out;
	/* the recorder's from here on, to empty once recording can start */
	c.rec.output = c.out.name;
	c.rec.output_fd = c.out.fd;
	c.rec.output_truncate = c.out.is_file && !c.out.created;
	c.out.fd = -1;
	c.rec.frec_argv = argv;
	if (!c.quiet && cli_isatty_stderr()) {
		c.rec.progress = draw_status;
		c.rec.progress_ctx = &c;
	}
	/* Ctrl-C (or a SIGTERM) ends the recording, which is then written out whole. */
	stop_signal = 0;
	c.rec.stop = &stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	err = recorder__run(&c.rec, &st, &e);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (c.status_drawn)
		fputs("\r\033[K", stderr);
	if (err) {
		report_error(&c, &e);
		if (e.kind == REC_ERR_OUTPUT && st.samples)
			print_summary(&c, &st);
		/* Nothing recorded: leave no empty trace behind. */
		cli_output__discard(&c.out);
		ret = CLI_FAIL;
		goto out;
	}
	if (!c.quiet)
		print_summary(&c, &st);
	ret = CLI_OK;
out:
	record_opts__exit(&c);
	return ret;
}
