// SPDX-License-Identifier: MIT
/*
 * frec diff: compare two profiles (traces, perf script text or folded stacks, or both sides of one
 * difffolded.pl file): a differential flame graph with --svg,
 * findings (what regressed and what improved, per function responsible) with --analyze, else
 * tables of the functions that grew or shrank most, all on the scale --normalize chooses.  With
 * --fail-on-regression, a regression beyond the gate ends with its own exit status (CI).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_opts.h"
#include "frec/analyze.h"
#include "frec/error.h"
#include "frec/profile.h"
#include "frec/render.h"
#include "frec/symbolizer.h"
#include "opt_seen.h"
#include "output.h"

static const char diff_help[] =
	"BEFORE is the baseline, AFTER the new profile; each is a frec trace, perf script text or\n"
	"folded stacks.  A single DIFF input holds both: difffolded.pl's \"STACK BEFORE AFTER\" lines.\n"
	"comparison:\n"
	"      --normalize HOW   put both on one scale before comparing: time (CPU time, samples x\n"
	"                        period, or the time --off-cpu or --wall weigh; the default for\n"
	"                        traces), count (samples; the default for folded stacks), share\n"
	"                        (percent of each profile), rate (time per second of recording, for\n"
	"                        recordings of different durations)\n"
	"      --off-cpu         compare the time threads waited off CPU (traces of frec record\n"
	"                        --off-cpu) instead of CPU samples\n"
	"      --wall            compare wall-clock time, on and off CPU (as frec report --wall)\n"
	"      --merge-jit-tiers one frame per JIT function whatever tier its code ran at (V8 marks\n"
	"                        optimised code * and interpreted code ~): a function optimised in\n"
	"                        one run and not in the other compares as itself\n"
	"output:\n"
	"  -o, --output FILE     write the output to FILE (default: stdout; diff.svg for --svg)\n"
	"      --svg [FILE]      write a differential flame graph (default diff.svg; - for stdout):\n"
	"                        widths from AFTER, red grew, blue shrank, amber new, hatched gone\n"
	"      --negate          draw BEFORE's shape instead, with AFTER's new frames beside it\n"
	"      --pprof FILE      write both as one pprof profile, BEFORE's samples negative and\n"
	"                        labelled pprof::base=true (as go tool pprof -diff_base)\n"
	"      --speedscope FILE write both to one speedscope file, BEFORE's profiles named baseline\n"
	"      --top N           rows in each table of the text diff (default 20), or findings of\n"
	"                        each kind with --analyze (default 10)\n"
	"findings and CI:\n"
	"      --analyze         what regressed and what improved, per function responsible, beyond\n"
	"                        the noise of sampling\n"
	"      --format FORMAT   findings as text (default), markdown or json; implies --analyze\n"
	"      --context TEXT    your words about the change, in markdown and json; implies --analyze\n"
	"      --rules FILE      more rules of boilerplate and system code (frec-findings(7))\n"
	"      --fail-on-regression PCT\n"
	"                        exit with status 3, naming them, when a function's time grew by\n"
	"                        more than PCT percent beyond the noise (or a new function appeared)\n"
	"flame graph:\n"
	"      --title TEXT      title (default: Differential flame graph)\n"
	"      --subtitle TEXT   subtitle (default: both inputs, samples, durations, normalisation)\n"
	"      --width PIXELS    image width (default 1200)\n"
	"      --minwidth PIXELS merge frames narrower than this into their parent (default 0.1)\n"
	"      --icicle          root at the top\n"
	"  -h, --help            show this help\n";

struct diff_cli_opts {
	const char *before, *after;
	const char *output;
	bool svg;
	bool pprof, speedscope; /* --pprof, --speedscope: both profiles exported, the output named */
	struct render_flame_opts flame;
	struct render_diff_opts text;
	bool analyze;
	struct analyze_write_opts findings;
	char **rules;
	size_t nr_rules;
	double fail_pct; /* --fail-on-regression, < 0 if not given */
	bool diff_file;  /* one input, difffolded.pl's: before and after name it both */
	struct sym_opts sym;
	bool merge_jit_tiers;
};

enum {
	OPT_SVG = 256,
	OPT_OFF_CPU,
	OPT_WALL,
	OPT_NEGATE,
	OPT_TOP,
	OPT_TITLE,
	OPT_SUBTITLE,
	OPT_WIDTH,
	OPT_MINWIDTH,
	OPT_ICICLE,
	OPT_MERGE_JIT_TIERS,
	OPT_NORMALIZE,
	OPT_ANALYZE,
	OPT_FORMAT,
	OPT_CONTEXT,
	OPT_RULES,
	OPT_FAIL,
	OPT_PPROF,
	OPT_SPEEDSCOPE,
};

static bool names_svg(const char *arg)
{
	size_t len = strlen(arg);

	return !strcmp(arg, "-") || (len > 4 && !strcmp(arg + len - 4, ".svg"));
}

static int parse_opts(int argc, char **argv, struct diff_cli_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "svg", no_argument, NULL, OPT_SVG },
		{ "negate", no_argument, NULL, OPT_NEGATE },
		{ "off-cpu", no_argument, NULL, OPT_OFF_CPU },
		{ "wall", no_argument, NULL, OPT_WALL },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "subtitle", required_argument, NULL, OPT_SUBTITLE },
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "minwidth", required_argument, NULL, OPT_MINWIDTH },
		{ "icicle", no_argument, NULL, OPT_ICICLE },
		{ "merge-jit-tiers", no_argument, NULL, OPT_MERGE_JIT_TIERS },
		{ "normalize", required_argument, NULL, OPT_NORMALIZE },
		{ "analyze", no_argument, NULL, OPT_ANALYZE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "context", required_argument, NULL, OPT_CONTEXT },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "fail-on-regression", required_argument, NULL, OPT_FAIL },
		{ "pprof", required_argument, NULL, OPT_PPROF },
		{ "speedscope", required_argument, NULL, OPT_SPEEDSCOPE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *operands[2];
	struct cli_opt_seen seen;
	int nr_operands = 0;
	uint64_t v;
	char *end;
	int c;

	*o = (struct diff_cli_opts){ .flame.minwidth = -1, .fail_pct = -1 };
	cli_opt_seen__init(&seen, "diff", longopts, (const int[]){ OPT_RULES, 0 });
	optind = 0; /* 0, not 1: glibc's getopt then forgets a previous parse entirely */
	/*
	 * Operands may come before or after options ("frec diff a b --svg"), so parse in order ("-"
	 * prefix) and collect them; --svg takes an optional FILE only when it is not one of them, which
	 * is decided after the loop.
	 */
	while ((c = getopt_long(argc, argv, "-o:h", longopts, NULL)) != -1) {
		if (c != 1 && !cli_opt_seen__add(&seen, c, optarg))
			return CLI_USAGE;
		switch (c) {
		case 1:
			if (nr_operands == 2) {
				if (o->svg && !o->output) {
					if (!cli_opt_seen__add_as(&seen, 'o', "--svg", optarg))
						return CLI_USAGE;
					o->output = optarg;
					break;
				}
				cli_error("diff", "unexpected argument '%s'", optarg);
				cli_hint("give two inputs, BEFORE and AFTER");
				return cli_usage("diff", NULL, CLI_USAGE);
			}
			operands[nr_operands++] = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_OFF_CPU:
			o->sym.weight = SYM_WEIGHT_OFF_CPU;
			break;
		case OPT_WALL:
			o->sym.weight = SYM_WEIGHT_WALL;
			break;
		case OPT_SVG:
			o->svg = true;
			/* Before both inputs are known, only "-" or a name ending in .svg is --svg's FILE. */
			if (optind < argc && names_svg(argv[optind])) {
				if (!cli_opt_seen__add_as(&seen, 'o', "--svg", argv[optind]))
					return CLI_USAGE;
				o->output = argv[optind++];
			}
			break;
		case OPT_NEGATE:
			o->flame.negate = true;
			break;
		case OPT_TOP:
			if (!cli_parse_u64("diff", "--top", optarg, 1, 100000, &v))
				return CLI_USAGE;
			o->text.top = (unsigned int)v;
			break;
		case OPT_TITLE:
			o->flame.title = optarg;
			break;
		case OPT_SUBTITLE:
			o->flame.subtitle = optarg;
			break;
		case OPT_WIDTH:
			if (!cli_parse_u64("diff", "--width", optarg, 100, 100000, &v))
				return CLI_USAGE;
			o->flame.width = (unsigned int)v;
			break;
		case OPT_MINWIDTH:
			o->flame.minwidth = strtod(optarg, &end);
			if (*end || end == optarg || !(o->flame.minwidth >= 0)) {
				cli_error("diff", "--minwidth: '%s' is not a width in pixels (like 0.1)", optarg);
				return CLI_USAGE;
			}
			break;
		case OPT_ICICLE:
			o->flame.icicle = true;
			break;
		case OPT_MERGE_JIT_TIERS:
			o->merge_jit_tiers = true;
			break;
		case OPT_NORMALIZE:
			if (frec_norm__parse(optarg, &o->flame.norm)) {
				cli_error("diff", "--normalize: '%s' is not time, count, share or rate", optarg);
				return CLI_USAGE;
			}
			o->text.norm = o->flame.norm;
			break;
		case OPT_ANALYZE:
			o->analyze = true;
			break;
		case OPT_FORMAT:
			if (cli_parse_format("diff", optarg, &o->findings.format))
				return CLI_USAGE;
			o->analyze = true;
			break;
		case OPT_CONTEXT:
			o->findings.context = optarg;
			o->analyze = true;
			break;
		case OPT_RULES:
			if (cli_add_rules(&o->rules, &o->nr_rules, optarg))
				return CLI_FAIL;
			break;
		case OPT_FAIL:
			o->fail_pct = strtod(optarg, &end);
			if (*end == '%')
				end++;
			if (*end || end == optarg || !(o->fail_pct >= 0)) {
				cli_error("diff", "--fail-on-regression: '%s' is not a percentage (like 10)", optarg);
				return CLI_USAGE;
			}
			break;
		case OPT_PPROF:
		case OPT_SPEEDSCOPE:
			/* --pprof FILE names the output as -o FILE would: both are refused */
			if (!cli_opt_seen__add_as(&seen, 'o', c == OPT_PPROF ? "--pprof" : "--speedscope", optarg))
				return CLI_USAGE;
			o->pprof = c == OPT_PPROF;
			o->speedscope = c == OPT_SPEEDSCOPE;
			o->output = optarg;
			break;
		case 'h':
			return cli_usage("diff", diff_help, CLI_OK);
		default:
			return cli_usage("diff", NULL, CLI_USAGE);
		}
	}
	if (nr_operands == 1) {
		/* one input: a difffolded file holding both sides (said otherwise when it is loaded) */
		operands[1] = operands[0];
		o->diff_file = true;
	} else if (nr_operands != 2) {
		cli_error("diff", "%s", "missing BEFORE and AFTER");
		cli_hint("frec diff BEFORE AFTER compares two traces or folded files: frec diff old.zst new.zst");
		return cli_usage("diff", NULL, CLI_USAGE);
	}
	o->before = operands[0];
	o->after = operands[1];
	if (o->flame.negate && !o->svg) {
		cli_error("diff", "--negate changes the flame graph: use it with --svg");
		return CLI_USAGE;
	}
	/* one output: findings (--format and --context imply --analyze), a flame graph or an export */
	for (const int *k = (const int[]){ OPT_ANALYZE, OPT_FORMAT, OPT_CONTEXT, 0 }; *k; k++)
		for (const int *x = (const int[]){ OPT_SVG, OPT_PPROF, OPT_SPEEDSCOPE, 0 }; *x; x++)
			if (!cli_opt_seen__exclusive(&seen, (const int[]){ *k, *x, 0 },
						     *x == OPT_SVG ? "findings or a flame graph: choose one "
								     "(--fail-on-regression works with either)"
								   : "findings or an export of both profiles: choose one"))
				return CLI_USAGE;
	if (!cli_opt_seen__exclusive(&seen, (const int[]){ OPT_SVG, OPT_PPROF, OPT_SPEEDSCOPE, 0 },
				     "each diff writes one output: run frec diff once for each"))
		return CLI_USAGE;
	o->findings.max_findings = o->text.top;
	if (o->svg && !o->output)
		o->output = "diff.svg";
	if (o->output && !strcmp(o->output, "-"))
		o->output = NULL;
	if (!o->diff_file && !strcmp(o->before, "-") && !strcmp(o->after, "-")) {
		cli_error("diff", "BEFORE and AFTER cannot both be standard input");
		return CLI_USAGE;
	}
	return CLI_CONTINUE;
}

int diff_opts__parse(int argc, char **argv, struct diff_cli_opts **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? parse_opts(argc, argv, *out) : CLI_FAIL;
}

void diff_opts__free(struct diff_cli_opts *o)
{
	if (o)
		free(o->rules);
	free(o);
}

static bool lacks_time(const struct frec_profile *p, enum frec_norm norm)
{
	return !(frec_profile__ns_per_weight(p) > 0) || (norm == FREC_NORM_RATE && !frec_profile__meta_const(p)->duration_ns);
}

/*
 * The normalisation asked for must fit the inputs (CPU time needs traces), and recordings of chosen,
 * different durations are better compared per second: say so before writing anything.
 */
static int check_norm(const char *cmd, const struct diff_cli_opts *o, const struct frec_profile *before,
		      const struct frec_profile *after)
{
	enum frec_norm norm = o->text.norm;
	struct frec_diff_norm dn;
	int err = frec_diff_norm__init(&dn, before, after, norm);

	if (err) {
		cli_error(cmd, "--normalize %s: %s has no %s", frec_norm__name(norm),
			  lacks_time(before, norm) ? o->before : o->after,
			  norm == FREC_NORM_RATE ? "CPU time or duration" : "CPU time");
		cli_hint("folded stacks and events counted by period carry samples only: use --normalize count or share");
		return CLI_FAIL;
	}
	if (dn.suggest_rate) {
		cli_warn(cmd, "both recordings lasted as long as you chose, and %s is %.0f%% %s than %s: unchanged code "
			 "differs by as much in %s", o->after, 100 * fabs(dn.duration_change),
			 dn.duration_change > 0 ? "longer" : "shorter", o->before,
			 dn.norm == FREC_NORM_TIME ? dn.time : "samples");
		cli_hint("compare %s per second of recording with --normalize rate", dn.time);
	}
	return 0;
}

/* What regressed and what improved, with the rules of boilerplate and system code. */
static int diff_findings(const char *cmd, const struct diff_cli_opts *o, const struct frec_profile *before,
			 const struct frec_profile *after, struct analyze_diff **out)
{
	struct analyze_rules *rules = NULL;
	struct analyze_diff_opts ao = { .norm = o->text.norm };
	int err;

	if (cli_load_rules(cmd, o->rules, o->nr_rules, &rules))
		return CLI_FAIL;
	ao.rules = rules;
	err = analyze_diff__new(before, after, &ao, out);
	analyze_rules__free(rules);
	if (err) {
		cli_error(cmd, "cannot compare %s with %s: %s", o->before, o->after, frec_strerror(err));
		return CLI_FAIL;
	}
	return 0;
}

/* --fail-on-regression: the findings beyond the gate on stderr, and the gate's own status. */
static int gate(const char *cmd, const struct diff_cli_opts *o, const struct analyze_diff *d)
{
	size_t n = 0;

	for (size_t i = 0; i < analyze_diff__nr(d); i++) {
		const struct analyze_diff_finding *x = analyze_diff__finding(d, i);

		if (!analyze_diff__over(x, o->fail_pct))
			continue;
		if (!n++)
			cli_error(cmd, "regressions beyond --fail-on-regression %g%%:", o->fail_pct);
		fprintf(stderr, "  %s\n", x->summary);
	}
	if (!n)
		return CLI_OK;
	cli_hint("compare the two with frec diff %s %s --svg, or frec diff --analyze for the details", o->before,
		 o->after);
	return CLI_REGRESSION;
}

int cmd_diff(int argc, char **argv)
{
	static const char *const cmd = "diff";
	struct frec_profile *before = NULL, *after = NULL;
	struct analyze_diff *findings = NULL;
	struct cli_output out = { .fd = -1 };
	struct diff_cli_opts o;
	FILE *f;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret != CLI_CONTINUE) {
		free(o.rules);
		return ret;
	}
	ret = CLI_FAIL;
	if (cli_output__open(&out, cmd, o.output, 0, (const char *const[]){ o.before, o.after, NULL },
			     "the output is named with -o or --svg FILE, after the two inputs: "
			     "frec diff old.zst new.zst --svg diff.svg"))
		goto out;
	if (o.pprof || o.speedscope)
		o.sym.lines = true; /* the export formats carry file:line */
	if (o.diff_file) {
		ret = cli_load_folded_diff(cmd, o.before, &before, &after);
		if (ret == CLI_USAGE)
			cli_usage(cmd, NULL, CLI_USAGE);
		if (ret)
			goto out;
		ret = CLI_FAIL;
	} else if (cli_load_profile(cmd, o.before, &o.sym, &before) || cli_load_profile(cmd, o.after, &o.sym, &after)) {
		goto out;
	}
	if (o.merge_jit_tiers && (cli_merge_jit_tiers(cmd, &before) || cli_merge_jit_tiers(cmd, &after)))
		goto out;
	if (!frec_profile__total(before) || !frec_profile__total(after)) {
		cli_error(cmd, "%s has no samples", frec_profile__total(before) ? o.after : o.before);
		cli_hint("a diff needs samples on both sides; check the input with frec report -i FILE");
		goto out;
	}
	if (check_norm(cmd, &o, before, after))
		goto out;
	if ((o.analyze || o.fail_pct >= 0) && diff_findings(cmd, &o, before, after, &findings))
		goto out;
	f = cli_output__stream(&out);
	if (!f)
		goto out;
	if (o.pprof)
		ret = render_pprof__write(after, before, f);
	else if (o.speedscope)
		ret = render_speedscope__write(after, before, f);
	else if (o.svg)
		ret = render_flame__write_diff(before, after, &o.flame, f);
	else if (o.analyze)
		ret = analyze_diff__write(findings, &o.findings, f);
	else
		ret = render_diff__write_text(before, after, &o.text, f);
	if (!ret)
		ret = cli_output__close(&out);
	if (ret) {
		cli_error(cmd, "cannot write %s: %s", o.output ? o.output : "the output", frec_strerror(ret));
		if (ret == -ENOSPC)
			cli_hint("the disk is full: free some space or write elsewhere with -o");
		ret = CLI_FAIL;
		goto out;
	}
	/* Output on stdout names the inputs itself; a file does not show on the terminal. */
	if (o.output) {
		fputs("frec diff: ", stderr);
		render_diff__write_summary(before, after, o.text.norm, stderr);
		fprintf(stderr, "frec diff: wrote %s\n", o.output);
	}
	ret = o.fail_pct >= 0 ? gate(cmd, &o, findings) : CLI_OK;
out:
	if (ret != CLI_OK && ret != CLI_REGRESSION)
		cli_output__discard(&out);
	analyze_diff__free(findings);
	frec_profile__free(before);
	frec_profile__free(after);
	free(o.rules);
	return ret;
}
