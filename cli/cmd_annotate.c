// SPDX-License-Identifier: MIT
/*
 * frec annotate: a function's machine code with the samples of each instruction, its hottest
 * instructions marked and its source lines interleaved, like `perf annotate --stdio`.  The
 * symbolizer reads the code and the lines (sym_annotator); this file picks the function, says
 * why when it cannot, and prints.
 *
 * Which function: FUNCTION as `frec report` names it (exactly, else without compiler clone
 * suffixes or a C++ parameter list), in --module when given; none: the hottest function whose
 * code can be read.  Several matches are listed and refused (--module or the full name picks one,
 * --all annotates each); a name with no samples, or none at all, is an error that names the
 * closest names of the profile.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_opts.h"
#include "frec/array.h"
#include "frec/error.h"
#include "frec/log.h"
#include "frec/profile.h"
#include "frec/render.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"
#include "opt_seen.h"

static const char annotate_help[] =
	"options:\n"
	"  -i, --input FILE        trace to read (default trace.zst)\n"
	"      --module MODULE     only functions of MODULE (its path, file name or the start of it: libc)\n"
	"      --all               annotate every function FUNCTION matches, not just one\n"
	"      --percent-limit PCT hide instructions under PCT% of the function's samples\n"
	"      --no-source         no source lines (no DWARF line tables read)\n"
	"      --debug-dir DIR     also look for separate debug info under DIR (DIR/.build-id/xx/rest.debug)\n"
	"  -h, --help              show this help\n";

/* At most this many matches are listed when several functions have the name. */
#define MAX_MATCHES 64
/* The instructions with the most samples, up to this many, are marked. */
#define NR_HOT 3

struct annotate_opts {
	const char *input;
	const char *func; /* NULL: the hottest */
	const char *module;
	bool all;
	bool no_source;
	double percent_limit;
	char *debug_path;
};

/* ---- source text -------------------------------------------------------------------------------- */

/* The text of one source file, read whole, split into lines on demand. */
struct src_file {
	const char *path; /* borrowed: the instructions' file strings */
	bool tried;
	char *text;
	size_t len;
	size_t *lines; /* offset of each line */
	size_t nr_lines;
};

static void src_file__reset(struct src_file *s, const char *path)
{
	free(s->text);
	free(s->lines);
	*s = (struct src_file){ .path = path };
}

/* Read @s->path once; a file that cannot be read just shows no text. */
static void src_file__load(struct src_file *s)
{
	FILE *f;
	size_t cap = 0;

	s->tried = true;
	f = fopen(s->path, "r");
	if (!f)
		return;
	if (!fseek(f, 0, SEEK_END)) {
		long n = ftell(f);

		rewind(f);
		if (n > 0 && n < (64l << 20) && (s->text = malloc((size_t)n + 1))) {
			s->len = fread(s->text, 1, (size_t)n, f);
			s->text[s->len] = '\0';
		}
	}
	fclose(f);
	for (size_t i = 0; s->text && i <= s->len; i++) {
		if (i && s->text[i - 1] != '\n')
			continue;
		if (i == s->len)
			break;
		if (frec_array__grow((void **)&s->lines, &cap, s->nr_lines + 1, sizeof(*s->lines)))
			break;
		s->lines[s->nr_lines++] = i;
	}
}

/* Line @line (from 1) of @path, without its newline, in *@len bytes; NULL when unknown. */
static const char *src_file__line(struct src_file *s, const char *path, uint32_t line, size_t *len)
{
	const char *p, *nl;

	if (s->path != path && (!s->path || strcmp(s->path, path)))
		src_file__reset(s, path);
	if (!s->tried)
		src_file__load(s);
	if (!line || line > s->nr_lines)
		return NULL;
	p = s->text + s->lines[line - 1];
	nl = memchr(p, '\n', s->len - (size_t)(p - s->text));
	*len = nl ? (size_t)(nl - p) : strlen(p);
	while (*len && (*p == ' ' || *p == '\t')) {
		p++;
		--*len;
	}
	return p;
}

/* ---- printing ----------------------------------------------------------------------------------- */

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* The smallest count among the NR_HOT largest nonzero counts of @v (0: none is sampled). */
static uint64_t hot_threshold(const struct sym_ann_insn *v, size_t n)
{
	uint64_t top[NR_HOT] = { 0 };

	for (size_t i = 0; i < n; i++) {
		uint64_t c = v[i].samples;

		for (size_t k = 0; k < NR_HOT && c; k++) {
			if (c > top[k]) {
				uint64_t t = top[k];

				top[k] = c;
				c = t;
			}
		}
	}
	for (size_t k = NR_HOT; k-- > 0;)
		if (top[k])
			return top[k];
	return 0;
}

static void print_header(const struct sym_ann_func *f, uint64_t total, size_t nr_insns, FILE *out)
{
	frec_term__puts(out, f->name);
	fputs("  (", out);
	frec_term__puts(out, f->module);
	fputs(")\n", out);
	fprintf(out, "%" PRIu64 " of %" PRIu64 " samples (%.1f%%), 0x%" PRIx64 "-0x%" PRIx64 ", %zu instructions",
		f->samples, total, pct(f->samples, total), f->start, f->end, nr_insns);
	if (f->file && strcmp(f->file, f->module)) {
		fputs(", code read from ", out);
		frec_term__puts(out, f->file);
	}
	fputs("\n\n   samples  percent  address  instruction\n", out);
}

/* A source line, when it differs from the last one printed. */
static void print_source(const struct sym_ann_insn *in, struct src_file *src, const char **file, uint32_t *line,
			 FILE *out)
{
	const char *base, *text;
	size_t len = 0;

	if (!in->file || (*file && !strcmp(*file, in->file) && *line == in->line))
		return;
	*file = in->file;
	*line = in->line;
	base = strrchr(in->file, '/');
	base = base ? base + 1 : in->file;
	fprintf(out, "%27s", "");
	frec_term__puts(out, base);
	fprintf(out, ":%" PRIu32, in->line);
	if (in->inlined) {
		fputs(" [inlined: ", out);
		frec_term__puts(out, in->inlined);
		fputc(']', out);
	}
	if ((text = src_file__line(src, in->file, in->line, &len)) && len) {
		fputs("  ", out);
		frec_term__write(out, text, len);
	}
	fputc('\n', out);
}

static void print_hidden(size_t n, uint64_t samples, uint64_t whole, FILE *out)
{
	if (n)
		fprintf(out, "%27s... %zu instruction%s, %" PRIu64 " sample%s (%.1f%%)\n", "", n, n == 1 ? "" : "s",
			samples, samples == 1 ? "" : "s", pct(samples, whole));
}

static void print_insns(const struct annotate_opts *o, const struct sym_ann_func *f, const struct sym_ann_insn *v,
			size_t n, FILE *out)
{
	uint64_t hot = hot_threshold(v, n), hidden_samples = 0;
	struct src_file src = { 0 };
	const char *file = NULL;
	uint32_t line = 0;
	size_t hidden = 0;

	for (size_t i = 0; i < n; i++) {
		const struct sym_ann_insn *in = &v[i];
		double share = pct(in->samples, f->samples);

		if (o->percent_limit > 0 && share < o->percent_limit) {
			hidden++;
			hidden_samples += in->samples;
			continue;
		}
		print_hidden(hidden, hidden_samples, f->samples, out);
		hidden = 0;
		hidden_samples = 0;
		if (!o->no_source)
			print_source(in, &src, &file, &line, out);
		/* unsampled instructions have blank counts: the eye goes to the numbers */
		if (in->samples)
			fprintf(out, "%s%8" PRIu64 "  %6.2f%%", hot && in->samples >= hot ? ">" : " ", in->samples, share);
		else
			fprintf(out, "%18s", "");
		fprintf(out, "  %7" PRIx64 "  ", in->addr);
		frec_term__puts(out, in->text);
		if (in->target) {
			fputc(' ', out);
			frec_term__puts(out, in->target);
		}
		fputc('\n', out);
	}
	print_hidden(hidden, hidden_samples, f->samples, out);
	src_file__reset(&src, NULL);
}

/* ---- choosing the function ---------------------------------------------------------------------- */

/*
 * Why function @f cannot be annotated: the error and its hint.  Returns CLI_FAIL.  (A file that
 * cannot be read has no names to match: no_match() says why in its hint.)
 */
static int refuse(const struct annotate_opts *o, const struct sym_ann_func *f)
{
	static const char *const cmd = "annotate";

	switch (f->kind) {
	case SYM_ANN_KERNEL:
		cli_error(cmd, "%s is kernel code: the trace keeps the kernel's symbols, not its code", f->name);
		cli_hint("frec annotates user-space functions of ELF files; `frec report -i %s` lists them", o->input);
		break;
	case SYM_ANN_JIT:
		cli_error(cmd, "%s is JIT code (%s): its code was gone with its process", f->name, f->module);
		cli_hint("a JIT's perf map names its code but does not keep it; annotate native functions");
		break;
	default:
		cli_error(cmd, "%s (%s) has no function symbol to annotate", f->name, f->module);
		cli_hint("a stripped file names its code by offset: annotate with its symbols or debug file installed");
		break;
	}
	return CLI_FAIL;
}

/* "a (12.0%), b (3.1%)": the hottest functions with code, for hints. */
static void hottest_list(const struct sym_ann_func *funcs, size_t n, uint64_t total, char *buf, size_t size)
{
	size_t len = 0, shown = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && shown < 3 && len < size; i++) {
		if (funcs[i].kind != SYM_ANN_CODE)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s (%.1f%%)", shown ? ", " : "", funcs[i].name,
					pct(funcs[i].samples, total));
		shown++;
	}
}

/* Samples in files that could not be read, and the first such file, for the hint of a missed name. */
static uint64_t unread(const struct sym_ann_func *funcs, size_t n, const struct sym_ann_func **first)
{
	uint64_t s = 0;

	*first = NULL;
	for (size_t i = 0; i < n; i++) {
		if (funcs[i].kind != SYM_ANN_NO_FILE)
			continue;
		if (!*first)
			*first = &funcs[i];
		s += funcs[i].samples;
	}
	return s;
}

/* FUNCTION matched nothing: say whether it has no samples or does not exist, and what is close. */
static int no_match(const struct annotate_opts *o, struct sym_annotator *a)
{
	static const char *const cmd = "annotate";
	const struct frec_profile *p = sym_annotator__profile(a);
	uint64_t total = frec_profile__total(p), lost;
	size_t nf;
	const struct sym_ann_func *funcs = sym_annotator__funcs(a, &nf), *nofile;
	const char *where = sym_annotator__find_unsampled(a, o->func, o->module);
	char list[512] = "", *names[5];
	size_t len = 0;
	int n;

	if (where) {
		hottest_list(funcs, nf, total, list, sizeof(list));
		cli_error(cmd, "%s (in %s) has no samples in %s", o->func, where, o->input);
		cli_hint("no sample was taken in its own code (`frec report --callers %s` shows it on stacks); the hottest "
			 "functions: %s", o->func, *list ? list : "none");
		return CLI_FAIL;
	}
	if (o->module)
		cli_error(cmd, "no function named '%s' in module %s in %s", o->func, o->module, o->input);
	else
		cli_error(cmd, "no function named '%s' in %s", o->func, o->input);
	lost = unread(funcs, nf, &nofile);
	if (lost) {
		cli_hint("%.1f%% of the samples are in files that cannot be read, such as %s (%s)", pct(lost, total),
			 nofile->module,
			 nofile->module_flags & FREC_MODULE_BUILD_ID_MISMATCH ? "its build-id differs from the recorded one"
									     : "not found");
		return CLI_FAIL;
	}
	n = render_callers__suggest(p, o->func, names, FREC_ARRAY_SIZE(names));
	for (int i = 0; i < n; i++) {
		if (len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	if (n > 0)
		cli_hint("close names with samples: %s", list);
	else if (hottest_list(funcs, nf, total, list, sizeof(list)), *list)
		cli_hint("FUNCTION is a name as `frec report` shows it; the hottest functions: %s", list);
	else
		cli_hint("FUNCTION is a name as `frec report` shows it");
	return CLI_FAIL;
}

/* Several functions have the name: list them and say how to pick one.  Returns CLI_FAIL. */
static int ambiguous(const struct annotate_opts *o, const struct sym_ann_func *funcs, const size_t *m, size_t n)
{
	char list[1024];
	size_t len = 0;
	bool same_module = true;

	for (size_t i = 0; i < n && i < MAX_MATCHES; i++) {
		const struct sym_ann_func *f = &funcs[m[i]];

		same_module &= !strcmp(f->module, funcs[m[0]].module);
		if (len < sizeof(list))
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s in %s at 0x%" PRIx64 " (%" PRIu64 " samples)",
						i ? "; " : "", f->name, f->module, f->start, f->samples);
	}
	cli_error("annotate", "'%s' names %zu functions with samples: %s", o->func, n, list);
	if (same_module)
		cli_hint("give the full name (as listed, quoted), or --all to annotate each");
	else
		cli_hint("pick one with --module MODULE (its path, or its file name when that differs), or --all to "
			 "annotate each");
	return CLI_FAIL;
}

/* Annotate function @i of @a.  Returns 0 or CLI_FAIL. */
static int annotate_one(const struct annotate_opts *o, struct sym_annotator *a, size_t i, FILE *out)
{
	size_t nf, n;
	const struct sym_ann_func *f = &sym_annotator__funcs(a, &nf)[i];
	struct sym_ann_insn *v;
	int err;

	if (f->kind != SYM_ANN_CODE)
		return refuse(o, f);
	err = sym_annotator__disasm(a, i, !o->no_source, &v, &n);
	if (err) {
		cli_error("annotate", "cannot disassemble %s in %s: %s", f->name, f->file, frec_strerror(err));
		if (err == -FREC_E_NO_CODE)
			cli_hint("only the debug file of %s was found: install the binary itself", f->module);
		else if (err == -FREC_E_ARCH)
			cli_hint("frec disassembles x86-64, x86 and AArch64 code");
		return CLI_FAIL;
	}
	print_header(f, frec_profile__total(sym_annotator__profile(a)), n, out);
	print_insns(o, f, v, n, out);
	free(v);
	return 0;
}

/* ---- options ------------------------------------------------------------------------------------ */

static int parse_opts(int argc, char **argv, struct annotate_opts *o)
{
	enum { OPT_MODULE = 256, OPT_ALL, OPT_PERCENT_LIMIT, OPT_NO_SOURCE, OPT_DEBUG_DIR };
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "percent-limit", required_argument, NULL, OPT_PERCENT_LIMIT },
		{ "no-source", no_argument, NULL, OPT_NO_SOURCE },
		{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_opt_seen seen;
	int c;

	o->input = "trace.zst";
	cli_opt_seen__init(&seen, "annotate", longopts, (const int[]){ OPT_DEBUG_DIR, 0 });
	/* 0, not 1: glibc's getopt then forgets a previous parse entirely; options may follow
	 * FUNCTION (getopt moves it last), as they follow a name in `frec annotate foo --no-source` */
	optind = 0;
	while ((c = getopt_long(argc, argv, "i:h", longopts, NULL)) != -1) {
		if (!cli_opt_seen__add(&seen, c, optarg))
			return CLI_USAGE;
		switch (c) {
		case 'i':
			o->input = optarg;
			break;
		case OPT_MODULE:
			if (!*optarg) {
				cli_error("annotate", "--module: the module's name is empty");
				return CLI_USAGE;
			}
			o->module = optarg;
			break;
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_PERCENT_LIMIT:
			if (!cli_parse_percent("annotate", "--percent-limit", optarg, &o->percent_limit))
				return CLI_USAGE;
			break;
		case OPT_NO_SOURCE:
			o->no_source = true;
			break;
		case OPT_DEBUG_DIR:
			if (cli_add_debug_dir(&o->debug_path, optarg))
				return CLI_FAIL;
			break;
		case 'h':
			return cli_usage("annotate", annotate_help, CLI_OK);
		default:
			return cli_usage("annotate", NULL, CLI_USAGE);
		}
	}
	if (optind < argc) {
		o->func = argv[optind++];
		if (!*o->func) {
			cli_error("annotate", "the function's name is empty");
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("annotate", "unexpected argument '%s': one FUNCTION at a time (--all annotates each match)",
			  argv[optind]);
		return cli_usage("annotate", NULL, CLI_USAGE);
	}
	if (o->all && !o->func) {
		cli_error("annotate", "--all annotates each function FUNCTION names: give FUNCTION");
		return CLI_USAGE;
	}
	return CLI_CONTINUE;
}

int annotate_opts__parse(int argc, char **argv, struct annotate_opts **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? parse_opts(argc, argv, *out) : CLI_FAIL;
}

void annotate_opts__free(struct annotate_opts *o)
{
	if (o)
		free(o->debug_path);
	free(o);
}

/* ---- the command -------------------------------------------------------------------------------- */

static int run(const struct annotate_opts *o, struct sym_annotator *a)
{
	size_t nf, m[MAX_MATCHES], n;
	const struct sym_ann_func *funcs = sym_annotator__funcs(a, &nf);
	long hot;
	int ret = 0;

	if (!frec_profile__total(sym_annotator__profile(a))) {
		cli_error("annotate", "%s has no CPU samples to annotate", o->input);
		cli_hint("record a busy program: `frec -o %s -- CMD`", o->input);
		return CLI_FAIL;
	}
	if (!o->func) {
		hot = sym_annotator__hottest(a, o->module);
		if (hot < 0) {
			cli_error("annotate", "no function of %s%s%s has code that can be read", o->input,
				  o->module ? " in module " : "", o->module ? o->module : "");
			cli_hint("its samples are in the kernel, JIT code or files not found; `frec report -i %s` says which",
				 o->input);
			return CLI_FAIL;
		}
		return annotate_one(o, a, (size_t)hot, stdout);
	}
	n = sym_annotator__match(a, o->func, o->module, m, MAX_MATCHES);
	if (!n)
		return no_match(o, a);
	if (n > 1 && !o->all)
		return ambiguous(o, funcs, m, n);
	for (size_t i = 0; i < n && i < MAX_MATCHES && !ret; i++) {
		if (i)
			fputc('\n', stdout);
		ret = annotate_one(o, a, m[i], stdout);
	}
	return ret;
}

int cmd_annotate(int argc, char **argv)
{
	static const char *const cmd = "annotate";
	struct annotate_opts o = { 0 };
	struct sym_opts so = { 0 };
	struct trace_reader *r = NULL;
	struct sym_annotator *a = NULL;
	char *cache = NULL;
	int ret, err;

	ret = parse_opts(argc, argv, &o);
	if (ret != CLI_CONTINUE)
		goto out;
	ret = CLI_FAIL;
	err = trace_reader__open(o.input, &r);
	if (err == -FREC_E_TRACE_MAGIC) {
		/* report's hint would offer folded stacks, which have no addresses to annotate */
		cli_error(cmd, "cannot read trace %s: %s", o.input, frec_strerror(err));
		cli_hint("frec annotate reads traces of `frec record`: folded stacks and perf script text keep no "
			 "addresses");
		goto out;
	}
	if (err) {
		cli_trace_error(cmd, o.input, err);
		goto out;
	}
	cli_read_ahead(r);
	so.debug_path = o.debug_path;
	so.cache_dir = cache = cli_debug_cache_dir();
	err = sym_annotator__open(r, &so, &a);
	if (err) {
		cli_error(cmd, "cannot build a profile from %s: %s", o.input, frec_strerror(err));
		goto out;
	}
	cli_trace_damage(cmd, o.input, r);
	ret = run(&o, a);
	if (fflush(stdout) || ferror(stdout)) {
		cli_error(cmd, "cannot write the annotation to standard output");
		ret = CLI_FAIL;
	}
out:
	sym_annotator__close(a);
	trace_reader__close(r);
	free(cache);
	free(o.debug_path);
	return ret;
}
