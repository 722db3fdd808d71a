// SPDX-License-Identifier: MIT
/*
 * Loading a profile for report and diff: a frec trace (symbolized), `perf script` text or folded
 * stacks from any tool, told apart by their first bytes (a trace) or lines (perf script).  "-" is
 * standard input.  Any path may name something endless or hostile (/dev/zero, a FIFO, a huge log):
 * files are mapped, everything else is read with a bound, and binary input is refused from its
 * first bytes (frec-report(1), Input, says the limits).  Folded stacks, the largest inputs, are
 * read in pieces from files and pipes alike: a profile costs the memory of its call tree, not that
 * of its text.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "frec/error.h"
#include "frec/profile.h"
#include "frec/render.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"

static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

/*
 * Inputs that are not files (pipes, terminals, devices, /proc files) are read into memory, at most
 * this much: they may never end (/dev/zero, `yes`).  Files are mapped, whatever their size.
 */
#define LOAD_STREAM_MAX (1u << 30)
/* Folded stacks are read in pieces of this size. */
#define LOAD_CHUNK (256u << 10)
/* An input that is not a trace and has a NUL byte in this much of its start is not text. */
#define LOAD_SNIFF (64u << 10)
/* A skipped line is quoted in the warning up to this many bytes. */
#define LOAD_QUOTE 60u

struct input {
	const char *name; /* for messages: the path, or "standard input" */
	const char *data;
	size_t len;
	void *map; /* to munmap, or NULL */
	int fd;    /* of a mapped file, to read it again in pieces, or of a stream; -1 if closed */
	bool more; /* a stream of which only the start has been read (into buf) */
	char *buf; /* to free, or NULL */
	size_t cap; /* of buf */
};

/* Read from @fd into in->buf until it holds @want bytes or the input ends.  0 or -errno. */
static int read_upto(int fd, struct input *in, size_t want)
{
	while (in->len < want) {
		ssize_t r;

		if (in->len == in->cap) {
			size_t cap = in->cap ? FREC_MIN(in->cap * 2, want) : FREC_MIN(want, (size_t)LOAD_SNIFF);
			char *nb = realloc(in->buf, cap);

			if (!nb)
				return -ENOMEM;
			in->buf = nb;
			in->cap = cap;
		}
		r = read(fd, in->buf + in->len, in->cap - in->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		in->len += (size_t)r;
	}
	in->data = in->buf;
	return 0;
}

static bool is_trace(const struct input *in)
{
	return in->len >= sizeof(zstd_magic) && !memcmp(in->data, zstd_magic, sizeof(zstd_magic));
}

/* Binary data (NUL bytes near the start) that is not a trace: refused before it is read whole. */
static bool is_binary(const struct input *in)
{
	return !is_trace(in) && memchr(in->data, '\0', FREC_MIN(in->len, (size_t)LOAD_SNIFF));
}

static void not_a_profile(const char *cmd, const struct input *in)
{
	cli_error(cmd, "%s: not a frec trace, perf script output or folded stacks", in->name);
	cli_hint("frec reads traces written by `frec record`, the text of `perf script`, and folded stacks, one "
		 "\"frame;frame;leaf COUNT\" per line");
}

static void too_large(const char *cmd, const struct input *in)
{
	char max[32];

	cli_error(cmd, "%s: more than %s: too large to read from a pipe or device", in->name,
		  cli_human_bytes(LOAD_STREAM_MAX, max, sizeof(max)));
	cli_hint("save it to a file first: files are read whatever their size");
}

/*
 * The rest of a stream of which only the start was read, into memory, with a bound.  0, CLI_FAIL
 * (too large, said), or -errno.
 */
static int input_read_all(const char *cmd, struct input *in)
{
	int err;

	if (!in->more)
		return 0;
	err = read_upto(in->fd, in, (size_t)LOAD_STREAM_MAX + 1);
	in->more = false;
	if (!err && in->len > LOAD_STREAM_MAX) {
		too_large(cmd, in);
		return CLI_FAIL;
	}
	return err;
}

/*
 * Open @path ("-": standard input) into @in: a regular file is mapped, anything else is read up to
 * what tells what it is (binary input that is not a trace is refused after its first LOAD_SNIFF
 * bytes; a trace is read whole, with a bound).  Prints the error and returns CLI_FAIL, or 0.
 */
static int input_open(const char *cmd, const char *path, struct input *in)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	struct stat st;
	int err = 0;

	*in = (struct input){ .name = fd == STDIN_FILENO ? "standard input" : path, .data = "", .fd = -1 };
	if (fd < 0 || fstat(fd, &st)) {
		cli_trace_error(cmd, in->name, -errno);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		cli_trace_error(cmd, in->name, -EISDIR);
		goto out;
	}
	/* A regular file of size 0 may still have contents (/proc): read it as a stream. */
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		in->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (in->map == MAP_FAILED) {
			in->map = NULL;
			err = -errno;
		} else {
			in->data = in->map;
			in->len = (size_t)st.st_size;
			madvise(in->map, in->len, MADV_SEQUENTIAL);
		}
	} else {
		err = read_upto(fd, in, LOAD_SNIFF);
		in->more = !err && in->len == LOAD_SNIFF && !is_binary(in);
		/*
		 * Text is read only as far as telling what it is takes: folded stacks are then read
		 * in pieces, without holding them (input_read_all() reads the rest for the others).
		 */
		while (!err && in->more && !is_trace(in) && !frec_profile__sniffed(in->data, in->len) &&
		       in->len <= LOAD_STREAM_MAX) {
			size_t want = FREC_MIN(in->len * 2, (size_t)LOAD_STREAM_MAX + 1);

			err = read_upto(fd, in, want);
			in->more = in->len == want;
		}
		in->fd = fd;
		if (!err && is_trace(in))
			err = input_read_all(cmd, in);
		if (!err && in->len > LOAD_STREAM_MAX) {
			too_large(cmd, in);
			goto out;
		}
	}
	if (err == CLI_FAIL)
		goto out;
	if (err) {
		cli_error(cmd, "cannot read %s: %s", in->name, frec_strerror(err));
		goto out;
	}
	if (in->map || in->more) {
		in->fd = fd;
	} else {
		in->fd = -1;
		if (fd != STDIN_FILENO)
			close(fd);
	}
	return 0;
out:
	if (fd > STDIN_FILENO)
		close(fd);
	in->fd = -1;
	return CLI_FAIL;
}

static void input_close(struct input *in)
{
	if (in->map)
		munmap(in->map, in->len);
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	free(in->buf);
}

/*
 * Folded stacks read in pieces, so that what has been read does not stay in memory: a mapped file
 * again from its descriptor (a mapping's pages that have been read count in the process's memory
 * until it is unmapped, and they are the size of the input), a stream from what input_open() read
 * of it on.  Returns what frec_folded_reader__finish() does, -errno when reading fails, or
 * -EFBIG for a stream of more than LOAD_STREAM_MAX bytes.
 */
static int import_folded(struct frec_profile *p, const struct input *in, struct frec_folded_stats *st)
{
	struct frec_folded_reader *r;
	char *buf = malloc(LOAD_CHUNK);
	uint64_t total = 0;
	int n, read_err = 0;

	if (!buf || frec_folded_reader__new(p, &r)) {
		free(buf);
		return -ENOMEM;
	}
	if (!in->map) {
		total = in->len;
		if (frec_folded_reader__feed(r, in->data, in->len) || !in->more)
			goto finish;
	}
	for (;;) {
		ssize_t got = in->map ? pread(in->fd, buf, LOAD_CHUNK, (off_t)total) : read(in->fd, buf, LOAD_CHUNK);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			read_err = -errno;
			break;
		}
		total += (uint64_t)got;
		if (!in->map && total > LOAD_STREAM_MAX) {
			read_err = -EFBIG;
			break;
		}
		/* the reader's error, if it stops, is finish()'s return value */
		if (!got || frec_folded_reader__feed(r, buf, (size_t)got))
			break;
	}
finish:
	n = frec_folded_reader__finish(r, st);
	frec_folded_reader__free(r);
	free(buf);
	return read_err ? read_err : n;
}

/* A folded profile's source ("FILE", or "FILE (before)" for a side of a diff) and sample count. */
static void folded_meta(struct frec_profile *p, const char *name, const char *side)
{
	struct frec_profile_meta *m = frec_profile__meta(p);
	char *label = NULL;
	int id;

	if (side && asprintf(&label, "%s (%s)", name, side) < 0)
		label = NULL;
	id = frec_profile__intern_str(p, label ? label : name);
	if (id >= 0)
		m->source = (uint32_t)id;
	free(label);
	/* In thousandths, the weights are not a sample count. */
	m->samples = strcmp(frec_profile__str(p, m->unit), FREC_UNIT_THOUSANDTHS) ? frec_profile__total(p) : 0;
}

/*
 * Folded stacks into *@out, or, when @pair is not NULL, difffolded.pl's two counts: the first into
 * *@pair, the second into *@out.
 */
static int load_folded(const char *cmd, const struct input *in, struct frec_profile **out,
		       struct frec_profile **pair)
{
	struct frec_folded_stats st;
	struct frec_profile *p = frec_profile__new(), *before = NULL;
	int n;

	if (!p)
		return -ENOMEM;
	if (pair) {
		before = frec_profile__new();
		n = before ? frec_profile__import_folded_diff(before, p, in->data, in->len, &st) : -ENOMEM;
	} else {
		n = in->fd >= 0 ? import_folded(p, in, &st) : frec_profile__import_folded(p, in->data, in->len, &st);
	}
	if (n == -FREC_E_FOLDED_EMPTY) {
		not_a_profile(cmd, in);
	} else if (n == -EFBIG) {
		too_large(cmd, in);
	} else if (n == -ERANGE) {
		cli_error(cmd, "%s: line %" PRIu64 ": the sample counts add up to more than 64 bits hold",
			  in->name, st.error_line);
		cli_hint("folded stacks count samples; a count this large is damage, not data");
	} else if (n == -E2BIG) {
		cli_error(cmd, "%s: line %" PRIu64 ": a stack of more than 65,536 frames", in->name, st.error_line);
		cli_hint("no real stack is that deep: the file is damaged, or not folded stacks");
	} else if (n < 0) {
		cli_error(cmd, "cannot read %s: %s", in->name, frec_strerror(n));
	} else if (!st.lines) {
		cli_error(cmd, "%s holds no samples: it %s", in->name,
			  in->len ? "has only blank and comment lines" : "is empty");
		cli_hint("give it folded stacks, one \"frame;frame;leaf COUNT\" per line, or a trace written by `frec record`");
		n = -FREC_E_EMPTY;
	}
	if (n < 0) {
		frec_profile__free(p);
		frec_profile__free(before);
		return CLI_FAIL;
	}
	if (st.bad_lines) {
		/* the first is quoted, cut short: it may be a whole log line */
		int quoted = (int)FREC_MIN(st.first_bad_len, (size_t)LOAD_QUOTE);

		cli_warn(cmd, "%s: skipped %" PRIu64 " of %" PRIu64 " lines that are not \"STACK COUNT\" (first: line %" PRIu64
			 ", \"%.*s%s\")", in->name, st.bad_lines, st.lines, st.first_bad, quoted, st.first_bad_text,
			 st.first_bad_len > LOAD_QUOTE ? "..." : "");
	}
	/* Sorted children make every view independent of the order of the input lines. */
	n = frec_profile__sort(p);
	if (n >= 0 && before)
		n = frec_profile__sort(before);
	if (n < 0) {
		cli_error(cmd, "cannot read %s: %s", in->name, frec_strerror(n));
		frec_profile__free(p);
		frec_profile__free(before);
		return CLI_FAIL;
	}
	folded_meta(p, in->name, before ? "after" : NULL);
	if (before) {
		folded_meta(before, in->name, "before");
		*pair = before;
	}
	*out = p;
	return 0;
}

static int load_perf_script(const char *cmd, const struct input *in, const struct sym_opts *o,
			    struct frec_profile **out)
{
	const struct frec_perf_script_opts po = {
		.per_process = o->per_process,
		.per_thread = o->per_thread,
		.no_kernel = o->no_kernel,
	};
	struct frec_perf_script_stats st;
	struct frec_profile *p = frec_profile__new();
	int n;

	if (!p)
		return -ENOMEM;
	n = frec_profile__import_perf_script(p, in->data, in->len, &po, &st);
	if (n == -FREC_E_PARSE) {
		cli_error(cmd, "%s: no sample of perf script output could be read", in->name);
		cli_hint("give it the text of `perf script` as perf prints it: a header line per sample, then its frames");
	} else if (n == -E2BIG) {
		cli_error(cmd, "%s: line %" PRIu64 ": a sample of more than 65,536 frames", in->name, st.error_line);
		cli_hint("no real stack is that deep: the file is damaged");
	} else if (n == -ERANGE) {
		cli_error(cmd, "%s: line %" PRIu64 ": more samples than 64 bits count", in->name, st.error_line);
		cli_hint("the file is damaged");
	} else if (n >= 0 && (n = frec_profile__sort(p)) < 0) {
		cli_error(cmd, "cannot read %s: %s", in->name, frec_strerror(n));
	} else if (n < 0) {
		cli_error(cmd, "cannot read %s: %s", in->name, frec_strerror(n));
	}
	if (n < 0) {
		frec_profile__free(p);
		return CLI_FAIL;
	}
	if (st.bad_lines)
		cli_warn(cmd, "%s: skipped %" PRIu64 " lines that are not perf script samples or frames (first: line %" PRIu64 ")",
			 in->name, st.bad_lines, st.first_bad);
	if (st.other_events)
		cli_warn(cmd, "%s: kept the %" PRIu64 " samples of the first event (%s), skipped %" PRIu64
			 " of others (first: %s)", in->name, st.samples,
			 frec_profile__str(p, frec_profile__meta_const(p)->event), st.other_events,
			 frec_profile__str(p, st.other_event));
	frec_profile__meta(p)->source = (uint32_t)frec_profile__intern_str(p, in->name);
	*out = p;
	return 0;
}

char *cli_debug_cache_dir(void)
{
	const char *env = getenv("FREC_CACHE_DIR"), *base;
	char *dir = NULL;

	if (env)
		return *env ? strdup(env) : NULL;
	if ((base = getenv("XDG_CACHE_HOME")) && *base == '/')
		return asprintf(&dir, "%s/frec", base) < 0 ? NULL : dir;
	if ((base = getenv("HOME")) && *base == '/')
		return asprintf(&dir, "%s/.cache/frec", base) < 0 ? NULL : dir;
	return NULL;
}

int cli_load_profile(const char *cmd, const char *path, const struct sym_opts *opts, struct frec_profile **out)
{
	static const struct sym_opts defaults;
	struct sym_opts o = opts ? *opts : defaults;
	struct trace_reader *r = NULL;
	char *cache = NULL;
	struct input in;
	int err;

	*out = NULL;
	if (input_open(cmd, path, &in))
		return CLI_FAIL;
	if (!in.len) {
		err = load_folded(cmd, &in, out, NULL); /* says that it is empty */
		goto out;
	}
	if (is_binary(&in)) {
		not_a_profile(cmd, &in);
		err = CLI_FAIL;
		goto out;
	}
	if (!is_trace(&in)) {
		if (o.weight != SYM_WEIGHT_CPU) {
			cli_error(cmd, "%s is not a trace: --%s needs the switches of a recording", in.name,
				  o.weight == SYM_WEIGHT_WALL ? "wall" : "off-cpu");
			cli_hint("folded stacks are weighted already: read them without --%s",
				 o.weight == SYM_WEIGHT_WALL ? "wall" : "off-cpu");
			err = CLI_FAIL;
			goto out;
		}
		if (frec_profile__looks_perf_script(in.data, in.len)) {
			err = input_read_all(cmd, &in);
			if (err < 0)
				cli_error(cmd, "cannot read %s: %s", in.name, frec_strerror(err));
			err = err ? CLI_FAIL : load_perf_script(cmd, &in, &o, out);
		} else if (frec_profile__looks_folded_diff(in.data, in.len)) {
			cli_error(cmd, "%s: two counts per line (difffolded.pl output): a diff, not one profile", in.name);
			cli_hint("compare its two sides with frec diff %s", path);
			err = CLI_FAIL;
		} else {
			err = load_folded(cmd, &in, out, NULL);
		}
		goto out;
	}

	err = trace_reader__open_mem(in.data, in.len, &r);
	if (err) {
		cli_trace_error(cmd, in.name, err);
		err = CLI_FAIL;
		goto out;
	}
	cli_read_ahead(r);
	if (!o.cache_dir)
		o.cache_dir = cache = cli_debug_cache_dir();
	err = sym_profile__from_trace(r, &o, out);
	free(cache);
	if (err) {
		cli_error(cmd, "cannot build a profile from %s: %s", in.name, frec_strerror(err));
		if (err == -FREC_E_NO_OFF_CPU)
			cli_hint("record with `frec record --off-cpu ...` to see where threads wait");
		err = CLI_FAIL;
		goto out;
	}
	cli_trace_damage(cmd, in.name, r);
	frec_profile__meta(*out)->source = (uint32_t)frec_profile__intern_str(*out, in.name);
out:
	/* built: what follows reads it */
	if (!err && *out)
		frec_profile__trim(*out);
	trace_reader__close(r);
	input_close(&in);
	return err;
}

int cli_load_folded_diff(const char *cmd, const char *path, struct frec_profile **before, struct frec_profile **after)
{
	struct input in;
	int err;

	*before = *after = NULL;
	if (input_open(cmd, path, &in))
		return CLI_FAIL;
	if ((err = input_read_all(cmd, &in))) {
		if (err < 0)
			cli_error(cmd, "cannot read %s: %s", in.name, frec_strerror(err));
		input_close(&in);
		return CLI_FAIL;
	}
	if (is_binary(&in) || is_trace(&in) || !frec_profile__looks_folded_diff(in.data, in.len)) {
		/* the usual mistake: a second input forgotten */
		cli_error(cmd, "missing AFTER: %s is not a diff (difffolded.pl's two counts per line)", in.name);
		cli_hint("frec diff BEFORE AFTER compares two inputs; a single one must hold \"STACK BEFORE AFTER\" lines");
		err = CLI_USAGE;
	} else {
		err = load_folded(cmd, &in, after, before);
	}
	if (!err) {
		frec_profile__trim(*before);
		frec_profile__trim(*after);
	}
	input_close(&in);
	return err < 0 ? CLI_FAIL : err;
}

int cli_merge_jit_tiers(const char *cmd, struct frec_profile **p)
{
	struct frec_profile *q;
	int err = render_profile__merge_jit_tiers(*p, &q);

	if (err) {
		cli_error(cmd, "cannot merge JIT tiers: %s", frec_strerror(err));
		return CLI_FAIL;
	}
	frec_profile__free(*p);
	*p = q;
	return 0;
}
