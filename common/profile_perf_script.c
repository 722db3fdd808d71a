// SPDX-License-Identifier: MIT
/*
 * `perf script` importer: the text perf prints for a recording, read into a profile, so that
 * existing perf.data files get frec's reports, flame graphs, diffs and findings.
 *
 * A sample is a header line, then (with call graphs) one line per frame, leaf first, then a blank
 * line:
 *
 *   COMM PID[/TID] [[CPU]] [TIME:] [PERIOD] [EVENT:] [EXTRA]
 *   <ws>ADDR SYMBOL[+0xOFF] (DSO)
 *   <ws>ADDR SYMBOL (inlined)          (perf script --inline: no DSO, the caller's follows)
 *   <ws><ws>FILE:LINE                  (with -F +srcline: the line of the frame above)
 *
 * Without call graphs the frame follows the event on the header line.  Which of the bracketed
 * fields are there depends on the recording (CPU with -a, the period when it varies) and on -F, so
 * the header is read by shape: COMM may hold blanks and digits ("Web Content 4321/4322"), so the
 * PID is the first number after it that a CPU, a time, a period or an event follows (or that ends
 * the line).  An event is the token ending in ':' ("cpu-clock:ppp:" is cpu-clock with modifiers,
 * "sched:sched_switch:" a tracepoint).  Only samples of the first event seen are kept (a profile
 * has one weight); the others are counted.  Each sample weighs 1, as stackcollapse-perf.pl counts;
 * the periods of a cpu-clock or task-clock recording add up to its CPU time (period_total).
 *
 * Frames: "[unknown]" symbols are FREC_FRAME_UNKNOWN (in their DSO when perf knew it); DSOs named
 * like the kernel ([kernel.kallsyms], vmlinux, [module]) or addresses in the kernel's half make
 * kernel frames; perf maps (/tmp/perf-PID.map) and perf-inject's jitted-*.so make JIT frames.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/array.h"
#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/hashmap.h"
#include "frec/profile.h"

/* Lines before the first sample that are not one: after this many the input is not perf script. */
#define PS_GIVE_UP 1000
/* Frames in one sample, as the folded importer: far above any real stack. */
#define PS_MAX_DEPTH 65536
/* Sample headers kept to be matched by the next ones (see parse_header_again()). */
#define PS_HEADER_MEMO 4
/* Lines looked at to recognise the format. */
#define PS_SNIFF_LINES 200

struct ps_header {
	const char *comm;
	size_t comm_len;
	const char *event; /* without its trailing ':', or NULL */
	size_t event_len;
	const char *rest; /* what follows the event: a frame without call graphs, or tracepoint data */
	size_t rest_len;
	uint32_t pid, tid;
	uint64_t time_ns, period;
	size_t time_off, time_len; /* where the time is in the line */
	bool has_time, has_period;
};

struct ps_frame {
	const char *sym, *dso, *file;
	size_t sym_len, dso_len, file_len;
	uint64_t addr;
	uint32_t line;
	bool inlined;
	/*
	 * A frame line met again (see struct ps_line) has only from_memo, memo, inlined and text set:
	 * the rest is parsed if a caller's module or a source line needs it (frame_parsed()).
	 */
	bool from_memo;
	uint32_t memo; /* its index in ps_ctx.lines, or PS_NO_MEMO */
	const char *text; /* the line as in the input */
	size_t text_len;
};

#define PS_NO_MEMO UINT32_MAX
/* Lines of one hash (see line_hash()) looked at before a line is parsed rather than memoized. */
#define PS_MEMO_PROBES 8

/*
 * A frame line already met: its text (as in the input) and the frame id it makes, -1 until a
 * sample first resolves it.  A recording has few distinct frame lines (an address, a symbol and a
 * module each) and repeats them in most of its samples, so a second meeting costs a hash and a
 * memcmp instead of a parse, three string hashes and three string compares.  Ids are still given
 * when the sample is added, root first, as without the memo: the profile is the same.  An inlined
 * frame's id depends on its caller's module too, so it is kept per caller (ps_ctx.inlined); a frame
 * given a source line is not the memo's.
 */
struct ps_line {
	const char *text;
	size_t len;
	int32_t id; /* not for an inlined frame */
	bool inlined;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The length of the blanks at @s, before @end: perf indents a frame by a tab and a dozen spaces. */
static size_t blanks(const char *s, const char *end)
{
	const char *p = s;

	while (p < end) {
		if (end - p >= 8 && !memcmp(p, "        ", 8))
			p += 8;
		else if (is_blank(*p))
			p++;
		else
			break;
	}
	return (size_t)(p - s);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A decimal number of [@s, @e) into *@v; false if it is not one or does not fit. */
static bool parse_u64(const char *s, const char *e, uint64_t *v)
{
	uint64_t n = 0;

	if (s == e)
		return false;
	for (; s < e; s++) {
		if (!is_digit(*s) || n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return true;
}

/* "SECONDS.FRACTION:" (or "SECONDS:") into nanoseconds. */
static bool parse_time(const char *s, const char *e, uint64_t *ns)
{
	const char *dot;
	uint64_t sec, frac = 0;

	if (e - s < 2 || e[-1] != ':')
		return false;
	e--;
	dot = memchr(s, '.', (size_t)(e - s));
	if (!parse_u64(s, dot ? dot : e, &sec) || sec > UINT64_MAX / 1000000000 - 1)
		return false;
	if (dot) {
		const char *d = dot + 1;
		int digits = 0;

		if (d == e)
			return false;
		/* digits past the nanosecond are checked, not read; no division per digit (a header's worth) */
		for (; d < e; d++) {
			if (!is_digit(*d))
				return false;
			if (digits < 9) {
				frac = frac * 10 + (uint64_t)(*d - '0');
				digits++;
			}
		}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	*ns = sec * 1000000000 + frac;
	return true;
}

/* "PID" or "PID/TID". */
static bool parse_pid(const char *s, const char *e, uint32_t *pid, uint32_t *tid)
{
	const char *slash = memchr(s, '/', (size_t)(e - s));
	uint64_t a, b;

	if (!parse_u64(s, slash ? slash : e, &a) || a > INT32_MAX)
		return false;
	if (slash && (!parse_u64(slash + 1, e, &b) || b > INT32_MAX))
		return false;
	*pid = (uint32_t)a;
	*tid = slash ? (uint32_t)b : (uint32_t)a;
	return true;
}

static bool is_cpu(const char *s, const char *e)
{
	uint64_t v;

	return e - s >= 3 && s[0] == '[' && e[-1] == ']' && parse_u64(s + 1, e - 1, &v);
}

/* The next blank-separated token at or after @s, before @end: [*ts, *te); false at the end. */
static bool next_token(const char *s, const char *end, const char **ts, const char **te)
{
	while (s < end && is_blank(*s))
		s++;
	if (s == end)
		return false;
	*ts = s;
	while (s < end && !is_blank(*s))
		s++;
	*te = s;
	return true;
}

/* Parse a sample header of @len bytes at @line (it does not start with a blank).  False if it is none. */
static bool parse_header(const char *line, size_t len, struct ps_header *h)
{
	const char *end = line + len, *ts, *te, *s = line;
	const char *pid_s = NULL, *ns = NULL, *ne = NULL;
	bool first = true, more = false, timed = false;

	*h = (struct ps_header){ .comm = line };
	if (!len || is_blank(*line) || *line == '#')
		return false;
	/* the PID: the first number after the first token that a known field or the end follows */
	while (next_token(s, end, &ts, &te)) {
		s = te;
		if (first) {
			first = false;
			continue;
		}
		if (!parse_pid(ts, te, &h->pid, &h->tid))
			continue;
		/* what can follow the PID: a CPU, a time, an event, or the end */
		more = next_token(te, end, &ns, &ne);
		if (!more || is_cpu(ns, ne) || (timed = parse_time(ns, ne, &h->time_ns)) || ne[-1] == ':') {
			pid_s = ts;
			break;
		}
	}
	if (!pid_s)
		return false;
	h->comm_len = (size_t)(pid_s - line);
	while (h->comm_len && is_blank(line[h->comm_len - 1]))
		h->comm_len--;
	/* s is the end of the fields read, [ns, ne) the token after it (if more) */
	if (more && is_cpu(ns, ne)) {
		s = ne;
		more = next_token(s, end, &ns, &ne);
		timed = more && parse_time(ns, ne, &h->time_ns);
	}
	if (timed) {
		h->has_time = true;
		h->time_off = (size_t)(ns - line);
		h->time_len = (size_t)(ne - ns);
		s = ne;
		more = next_token(s, end, &ns, &ne);
	}
	if (more && parse_u64(ns, ne, &h->period)) {
		h->has_period = true;
		s = ne;
		more = next_token(s, end, &ns, &ne);
	}
	if (more && ne[-1] == ':' && ne - ns > 1) {
		h->event = ns;
		h->event_len = (size_t)(ne - ns - 1);
		s = ne;
	}
	while (s < end && is_blank(*s))
		s++;
	h->rest = s;
	h->rest_len = (size_t)(end - s);
	/* Something must have followed the PID, or nothing at all. */
	return h->event || h->has_time || !h->rest_len;
}

/*
 * Parse a frame "ADDR SYMBOL[+0xOFF] [(DSO)]" or "ADDR SYMBOL (inlined)" of @len bytes at @s
 * (leading blanks allowed).  False if it is none.
 */
static bool parse_frame(const char *s, size_t len, struct ps_frame *fr)
{
	const char *end = s + len, *p;
	int d;

	*fr = (struct ps_frame){ .memo = PS_NO_MEMO };
	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	if (s == end || hex_value(*s) < 0)
		return false;
	for (p = s; p < end && (d = hex_value(*p)) >= 0; p++) {
		if (p - s >= 16)
			return false;
		fr->addr = fr->addr << 4 | (uint64_t)d;
	}
	if (p == end || !is_blank(*p))
		return false;
	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return false;
	/* "(DSO)" at the end, its parentheses balanced: "(/path/lib.so (deleted))" */
	if (end[-1] == ')') {
		const char *q = end - 1;
		int depth = 0;

		for (; q >= p; q--) {
			if (*q == ')')
				depth++;
			else if (*q == '(' && !--depth)
				break;
		}
		if (q > p && is_blank(q[-1])) {
			fr->dso = q + 1;
			fr->dso_len = (size_t)(end - 1 - fr->dso);
			end = q;
			while (end > p && is_blank(end[-1]))
				end--;
			if (fr->dso_len == 7 && !memcmp(fr->dso, "inlined", 7)) {
				fr->inlined = true;
				fr->dso = NULL;
				fr->dso_len = 0;
			}
		}
	}
	/* "+0x1f" after the symbol is the offset into it */
	for (const char *q = end; q > p + 3; q--) {
		if (hex_value(q[-1]) >= 0)
			continue;
		if (q < end && q[-1] == 'x' && q[-2] == '0' && q[-3] == '+')
			end = q - 3;
		break;
	}
	fr->sym = p;
	fr->sym_len = (size_t)(end - p);
	return fr->sym_len > 0;
}

/* A -F +srcline line, "<ws>FILE:LINE", into the frame above; false if it is none. */
static bool parse_srcline(const char *s, size_t len, struct ps_frame *fr)
{
	const char *end = s + len, *colon;
	uint64_t line;

	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	for (colon = end; colon > s && colon[-1] != ':'; colon--)
		;
	if (colon <= s + 1 || !parse_u64(colon, end, &line) || line > UINT32_MAX)
		return false;
	if (line && !(colon - 1 - s == 2 && !memcmp(s, "??", 2))) {
		fr->file = s;
		fr->file_len = (size_t)(colon - 1 - s);
		fr->line = (uint32_t)line;
	}
	return true;
}

static bool has_prefix(const char *s, size_t len, const char *pfx)
{
	size_t n = strlen(pfx);

	return len >= n && !memcmp(s, pfx, n);
}

static bool contains(const char *s, size_t len, const char *what)
{
	size_t n = strlen(what);

	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(s + i, what, n))
			return true;
	return false;
}

static enum frec_frame_kind frame_kind(const struct ps_frame *fr, bool unknown)
{
	const char *d = fr->dso;
	size_t n = fr->dso_len;
	const char *base = d;

	for (size_t i = 0; i < n; i++)
		if (d[i] == '/')
			base = d + i + 1;
	if (has_prefix(d, n, "[kernel") || contains(d, n, "vmlinux") || has_prefix(d, n, "/lib/modules/") ||
	    (n > 2 && d[0] == '[' && d[n - 1] == ']' && !has_prefix(d, n, "[unknown]") && !has_prefix(d, n, "[vdso]") &&
	     !has_prefix(d, n, "[vsyscall]") && !has_prefix(d, n, "[heap]") && !has_prefix(d, n, "[stack") &&
	     !has_prefix(d, n, "[anon") && !has_prefix(d, n, "[vectors]") && !has_prefix(d, n, "[uprobes]")))
		return FREC_FRAME_KERNEL;
	/* an unnamed address in the kernel's half of the address space (x86-64, arm64) */
	if ((!n || has_prefix(d, n, "[unknown]")) && fr->addr >= 0xffff800000000000ull)
		return FREC_FRAME_KERNEL;
	if ((has_prefix(d, n, "/tmp/perf-") && n > 4 && !memcmp(d + n - 4, ".map", 4)) ||
	    has_prefix(base, (size_t)(d + n - base), "jitted-"))
		return FREC_FRAME_JIT;
	return unknown ? FREC_FRAME_UNKNOWN : FREC_FRAME_USER;
}

struct ps_ctx {
	struct frec_profile *p;
	const struct frec_perf_script_opts *opts;
	struct frec_perf_script_stats *st;
	struct frec_hashmap cache; /* hash of a frame's text (probed) -> frame id */
	struct frec_hashmap memo;  /* hash of a frame line (probed) -> index in lines */
	struct frec_hashmap inlined; /* its index << 32 | its caller's (or PS_NO_MEMO) -> frame id */
	struct ps_line *lines;
	size_t nr_lines, lines_cap;
	struct ps_frame *frames;   /* the current sample's, leaf first */
	size_t nr_frames, frames_cap;
	uint32_t *ids; /* its frame ids, root first */
	size_t ids_cap;
	const char *event; /* the event kept: the first seen (NULL: the samples name none) */
	size_t event_len;
	bool have_event;
	bool periods; /* every sample kept had a period */
	uint64_t first_ns, last_ns;
	bool timed;
	uint32_t unknown_name; /* string id of "[unknown]" */
	/* the last headers parsed in full (one a thread, for a few threads), and what they read */
	struct ps_header_memo {
		const char *line;
		size_t len;
		struct ps_header h;
	} headers[PS_HEADER_MEMO];
	unsigned next_header;
};

static bool str_is(const struct frec_profile *p, uint32_t id, const char *s, size_t len)
{
	const char *t = frec_profile__str(p, id);

	return len ? !strncmp(t, s, len) && !t[len] : !*t;
}

/* The frame id of @fr, from the cache or added. */
static int frame_id(struct ps_ctx *c, const struct ps_frame *fr, const struct ps_frame *caller)
{
	bool unknown = fr->sym_len == 9 && !memcmp(fr->sym, "[unknown]", 9);
	/* an inlined frame lives in its caller's module */
	const struct ps_frame *mf = fr->inlined && caller ? caller : fr;
	const char *dso = mf->dso;
	size_t dso_len = mf->dso_len;
	struct frec_frame f = {
		.kind = (uint8_t)frame_kind(mf, unknown),
		.flags = fr->inlined ? FREC_FRAME_INLINED : 0,
		.line = fr->line,
	};
	uint64_t key;
	int id;

	if (dso_len == 9 && !memcmp(dso, "[unknown]", 9))
		dso_len = 0;
	key = frec_hash_bytes(fr->sym, fr->sym_len) ^ frec_hash64(frec_hash_bytes(dso, dso_len) + f.kind) ^
	      frec_hash64((uint64_t)f.line << 8 | f.flags) ^ frec_hash_bytes(fr->file, fr->file_len);
	for (uint64_t v; frec_hashmap__find(&c->cache, key, &v); key++) {
		const struct frec_frame *have = frec_profile__frame(c->p, (uint32_t)v);

		if (have->kind == f.kind && have->flags == f.flags && have->line == f.line &&
		    str_is(c->p, have->name, fr->sym, fr->sym_len) && str_is(c->p, have->module, dso, dso_len) &&
		    str_is(c->p, have->file, fr->file, fr->file_len))
			return (int)v;
	}
	if ((id = frec_profile__intern(c->p, fr->sym, fr->sym_len)) < 0)
		return id;
	f.name = (uint32_t)id;
	if (dso_len && (id = frec_profile__intern(c->p, dso, dso_len)) < 0)
		return id;
	f.module = dso_len ? (uint32_t)id : 0;
	if (fr->file_len && (id = frec_profile__intern(c->p, fr->file, fr->file_len)) < 0)
		return id;
	f.file = fr->file_len ? (uint32_t)id : 0;
	id = frec_profile__add_frame(c->p, &f);
	if (id >= 0 && frec_hashmap__set(&c->cache, key, (uint64_t)id))
		return -ENOMEM;
	return id;
}

/* The grouping root of a sample (--per-thread, --per-process): "comm [tid]" or "comm [pid]". */
static int group_node(struct ps_ctx *c, const struct ps_header *h)
{
	struct frec_frame f = { .kind = c->opts->per_thread ? FREC_FRAME_THREAD : FREC_FRAME_PROCESS };
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%.*s [%u]", (int)FREC_MIN(h->comm_len, (size_t)200), h->comm,
			 c->opts->per_thread ? h->tid : h->pid);
	int id = frec_profile__intern(c->p, buf, (size_t)n);

	if (id < 0)
		return id;
	f.name = (uint32_t)id;
	id = frec_profile__add_frame(c->p, &f);
	return id < 0 ? id : frec_profile__child(c->p, FREC_NODE_ROOT, (uint32_t)id);
}

/* Whether the event of @h is the one kept (the first seen); counts the others. */
static bool keep_event(struct ps_ctx *c, const struct ps_header *h)
{
	if (!c->have_event) {
		c->have_event = true;
		c->event = h->event;
		c->event_len = h->event_len;
		return true;
	}
	if (c->event_len == h->event_len && (!h->event_len || !memcmp(c->event, h->event, h->event_len)))
		return true;
	if (!c->st->other_events++) {
		int id = frec_profile__intern(c->p, h->event ? h->event : "", h->event_len);

		c->st->other_event = id < 0 ? 0 : (uint32_t)id;
	}
	return false;
}

/* Fill in the fields of @fr, a frame line met again, that the memo let go unparsed. */
static void frame_parsed(struct ps_frame *fr)
{
	uint32_t memo = fr->memo;

	if (!fr->from_memo)
		return;
	/* the line parsed when it was first met */
	parse_frame(fr->text, fr->text_len, fr);
	fr->memo = memo;
}

/*
 * Parse the header @line of @len bytes into @h, which a recording's headers mostly do by being one
 * of the last few (a thread's last) with another time: what follows the time, and the PID's place
 * among the tokens before it, only depend on the time being one; the rest is the same bytes.
 */
static bool parse_header_again(struct ps_ctx *c, const char *line, size_t len, struct ps_header *h)
{
	struct ps_header_memo *m;
	uint64_t ns;

	for (m = c->headers; m < c->headers + PS_HEADER_MEMO; m++) {
		size_t a = m->h.time_off, b = a + m->h.time_len;

		if (m->line && len == m->len && !memcmp(line, m->line, a) && !memcmp(line + b, m->line + b, len - b) &&
		    parse_time(line + a, line + b, &ns)) {
			*h = m->h;
			h->comm = line;
			h->event = m->h.event ? line + (m->h.event - m->line) : NULL;
			h->rest = line + (m->h.rest - m->line);
			h->time_ns = ns;
			return true;
		}
	}
	if (!parse_header(line, len, h))
		return false;
	if (h->has_time) {
		m = &c->headers[c->next_header++ % PS_HEADER_MEMO];
		*m = (struct ps_header_memo){ .line = line, .len = len, .h = *h };
	}
	return true;
}

/* Add the sample of header @h and the frames gathered for it. */
static int add_sample(struct ps_ctx *c, const struct ps_header *h, uint64_t lineno)
{
	struct frec_stack_health *hl = &frec_profile__meta(c->p)->health;
	uint32_t node = FREC_NODE_ROOT;
	bool unknown = false;
	size_t n = 0;
	int err;

	if (c->opts->per_thread || c->opts->per_process) {
		err = group_node(c, h);
		if (err < 0)
			return err;
		node = (uint32_t)err;
	}
	if (c->nr_frames > c->ids_cap) {
		uint32_t *ids = realloc(c->ids, c->nr_frames * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		c->ids = ids;
		c->ids_cap = c->nr_frames;
	}
	for (size_t i = c->nr_frames; i-- > 0;) {
		struct ps_frame *fr = &c->frames[i], *caller = NULL;
		struct ps_line *memo = fr->memo != PS_NO_MEMO ? &c->lines[fr->memo] : NULL;
		uint64_t inl_key, v;
		int id;

		/* an inlined frame's caller is the next frame that is not inlined */
		for (size_t k = i + 1; fr->inlined && k < c->nr_frames && !caller; k++)
			if (!c->frames[k].inlined)
				caller = &c->frames[k];
		if (memo && fr->inlined && caller && caller->memo == PS_NO_MEMO)
			memo = NULL;
		inl_key = memo ? (uint64_t)fr->memo << 32 | (caller ? caller->memo : PS_NO_MEMO) : 0;
		if (memo && !fr->inlined && memo->id >= 0) {
			id = memo->id;
		} else if (memo && fr->inlined && frec_hashmap__find(&c->inlined, inl_key, &v)) {
			id = (int)v;
		} else {
			frame_parsed(fr);
			if (caller)
				frame_parsed(caller);
			id = frame_id(c, fr, caller);
			if (id < 0)
				return id;
			if (memo && !fr->inlined)
				memo->id = id;
			else if (memo && frec_hashmap__set(&c->inlined, inl_key, (uint64_t)id))
				return -ENOMEM;
		}
		if (c->opts->no_kernel && frec_profile__frame(c->p, (uint32_t)id)->kind == FREC_FRAME_KERNEL)
			continue;
		unknown |= frec_profile__frame(c->p, (uint32_t)id)->kind == FREC_FRAME_UNKNOWN;
		c->ids[n++] = (uint32_t)id;
	}
	if (frec_profile__total(c->p) == UINT64_MAX) {
		c->st->error_line = lineno;
		return -ERANGE;
	}
	err = frec_profile__add_stack_at(c->p, node, c->ids, n, 1);
	if (err < 0)
		return err;
	c->st->samples++;
	hl->samples++;
	hl->has_unknown += unknown;
	c->periods &= h->has_period;
	frec_profile__meta(c->p)->period_total += h->period;
	if (h->has_time) {
		if (!c->timed || h->time_ns < c->first_ns)
			c->first_ns = h->time_ns;
		if (!c->timed || h->time_ns > c->last_ns)
			c->last_ns = h->time_ns;
		c->timed = true;
	}
	return 0;
}

/* Push @fr on the current sample; -E2BIG past PS_MAX_DEPTH frames (at line @lineno), or -ENOMEM. */
static int push_frame(struct ps_ctx *c, const struct ps_frame *fr, uint64_t lineno)
{
	int err;

	if (c->nr_frames == PS_MAX_DEPTH) {
		c->st->error_line = lineno;
		return -E2BIG;
	}
	err = frec_array__grow((void **)&c->frames, &c->frames_cap, c->nr_frames + 1, sizeof(*fr));
	if (err)
		return err;
	c->frames[c->nr_frames++] = *fr;
	return 0;
}

/*
 * A hash of a frame line's length, its first 32 bytes and its last 16: perf's indent and address,
 * the start of the symbol, and the end of the module tell the lines of a recording apart, and the
 * memo compares whole lines anyway.  Hashing every byte (frec_hash_bytes(), then eight bytes at a
 * time) was the largest cost of the import.  Lines that share all three only probe longer, up to
 * PS_MEMO_PROBES.
 */
static uint64_t line_hash(const char *s, size_t len)
{
	static const uint64_t mul[6] = { 0x9e3779b97f4a7c15ull, 0xbf58476d1ce4e5b9ull, 0x94d049bb133111ebull,
					 0xd6e8feb86659fd93ull, 0xff51afd7ed558ccdull, 0xc4ceb9fe1a85ec53ull };
	uint64_t w[6] = { 0 }, h = len;

	if (len >= sizeof(w)) {
		memcpy(w, s, 32);
		memcpy(w + 4, s + len - 16, 16);
	} else {
		memcpy(w, s, len);
	}
	for (int i = 0; i < 6; i++)
		h ^= w[i] * mul[i];
	return frec_hash64(h);
}

/* Where a frame line is, or would go, in the memo. */
struct ps_probe {
	uint64_t key;
	int probes;
};

/* The memo's index of the frame line @line (@len bytes, as in the input), or PS_NO_MEMO. */
static uint32_t memo_find(const struct ps_ctx *c, const char *line, size_t len, struct ps_probe *pr)
{
	uint64_t v;

	pr->key = line_hash(line, len);
	for (pr->probes = 0; pr->probes < PS_MEMO_PROBES && frec_hashmap__find(&c->memo, pr->key, &v);
	     pr->probes++, pr->key++)
		if (c->lines[v].len == len && !memcmp(c->lines[v].text, line, len))
			return (uint32_t)v;
	return PS_NO_MEMO;
}

/* Push the frame of line @line (@len bytes) in the memo at @memo. */
static int push_memo_frame(struct ps_ctx *c, const char *line, size_t len, uint32_t memo, uint64_t lineno)
{
	struct ps_frame fr = { .from_memo = true, .memo = memo, .inlined = c->lines[memo].inlined,
			       .text = line, .text_len = len };

	return push_frame(c, &fr, lineno);
}

/*
 * Parse and push the frame of line @line (@len bytes), which memo_find() did not find (@pr), and
 * add it to the memo.  Returns 1, 0 if the line is no frame, or push_frame()'s error.
 */
static int push_frame_line(struct ps_ctx *c, const char *line, size_t len, const struct ps_probe *pr,
			   uint64_t lineno)
{
	struct ps_frame fr;
	int err;

	if (!parse_frame(line, len, &fr))
		return 0;
	/* a line whose probes are all taken is parsed each time: hostile text costs no more */
	if (pr->probes < PS_MEMO_PROBES && c->nr_lines < PS_NO_MEMO) {
		err = frec_array__grow((void **)&c->lines, &c->lines_cap, c->nr_lines + 1, sizeof(*c->lines));
		if (err || frec_hashmap__set(&c->memo, pr->key, c->nr_lines))
			return -ENOMEM;
		c->lines[c->nr_lines] = (struct ps_line){ .text = line, .len = len, .id = -1, .inlined = fr.inlined };
		fr.memo = (uint32_t)c->nr_lines++;
	}
	fr.text = line;
	fr.text_len = len;
	err = push_frame(c, &fr, lineno);
	return err ? err : 1;
}

static void bad_line(struct ps_ctx *c, uint64_t lineno)
{
	if (!c->st->bad_lines++)
		c->st->first_bad = lineno;
}

/* "# key : value" of perf script --header: the command line, host and kernel release. */
static void header_comment(struct ps_ctx *c, const char *line, size_t len)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "cmdline", offsetof(struct frec_profile_meta, command) },
		{ "hostname", offsetof(struct frec_profile_meta, hostname) },
		{ "os release", offsetof(struct frec_profile_meta, release) },
	};
	const char *colon = memchr(line, ':', len), *end = line + len;

	if (!colon)
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t klen = strlen(keys[i].key);
		const char *k = line + 1, *v = colon + 1;
		int id;

		while (k < colon && is_blank(*k))
			k++;
		if ((size_t)(colon - k) < klen || memcmp(k, keys[i].key, klen))
			continue;
		for (const char *t = k + klen; t < colon; t++)
			if (!is_blank(*t))
				goto next;
		while (v < end && is_blank(*v))
			v++;
		while (end > v && is_blank(end[-1]))
			end--;
		id = frec_profile__intern(c->p, v, (size_t)(end - v));
		if (id > 0)
			*(uint32_t *)((char *)frec_profile__meta(c->p) + keys[i].off) = (uint32_t)id;
		return;
next:;
	}
}

int frec_profile__import_perf_script(struct frec_profile *p, const char *buf, size_t len,
				     const struct frec_perf_script_opts *opts, struct frec_perf_script_stats *st)
{
	static const struct frec_perf_script_opts no_opts;
	struct frec_perf_script_stats dummy;
	struct ps_ctx c = { .p = p, .opts = opts ? opts : &no_opts, .st = st ? st : &dummy, .periods = true };
	struct frec_profile_meta *m = frec_profile__meta(p);
	const char *end = buf + len;
	struct ps_header h;
	bool in_sample = false;
	uint64_t lineno = 0, header_line = 0;
	/* text is seldom binary: one look at the whole spares one a line */
	bool has_nul = memchr(buf, '\0', len) != NULL;
	int err = 0;

	*c.st = (struct frec_perf_script_stats){ 0 };
	frec_hashmap__init(&c.cache);
	frec_hashmap__init(&c.memo);
	frec_hashmap__init(&c.inlined);
	/* One more round after the last line, as a blank line: it ends the last sample. */
	for (const char *line = buf, *next; ; line = next) {
		const char *nl = line < end ? memchr(line, '\n', (size_t)(end - line)) : NULL;
		size_t line_len = nl ? (size_t)(nl - line) : (size_t)(end - line);
		struct ps_probe pr = { 0 };
		struct ps_frame fr;
		bool blank;

		next = nl ? nl + 1 : end;
		lineno++;
		/* most lines are frames met before: nothing else to do for them */
		if (in_sample && line_len && is_blank(line[0])) {
			uint32_t memo = memo_find(&c, line, line_len, &pr);

			if (memo != PS_NO_MEMO) {
				if ((err = push_memo_frame(&c, line, line_len, memo, lineno)))
					goto out;
				continue;
			}
		}
		blank = blanks(line, line + line_len) == line_len;
		if (has_nul && line_len && memchr(line, '\0', line_len)) {
			bad_line(&c, lineno);
			blank = true; /* binary: ends a sample, like any line that is not one of its frames */
		}
		if (in_sample && (blank || !is_blank(line[0]))) {
			/*
			 * The sample ends: a blank line, a new header, or the end.  "WORD NUMBER" alone is
			 * a header only when frames follow.
			 */
			if (!h.event && !h.has_time && !c.nr_frames)
				bad_line(&c, header_line);
			else if (keep_event(&c, &h) && (err = add_sample(&c, &h, lineno)))
				goto out;
			in_sample = false;
			c.nr_frames = 0;
		}
		if (line >= end)
			break;
		if (blank)
			continue;
		if (!in_sample && line[0] == '#') {
			header_comment(&c, line, line_len);
		} else if (!in_sample) {
			if (!parse_header_again(&c, line, line_len, &h)) {
				bad_line(&c, lineno);
				if (!c.st->samples && !c.st->other_events && c.st->bad_lines >= PS_GIVE_UP) {
					err = -FREC_E_PARSE;
					goto out;
				}
			} else {
				in_sample = true;
				header_line = lineno;
				/* without call graphs, the one frame is on the header line */
				if (h.rest_len && parse_frame(h.rest, h.rest_len, &fr) && (err = push_frame(&c, &fr, lineno)))
					goto out;
			}
		} else {
			/* memo_find() missed this line: it set pr */
			struct ps_frame *top = c.nr_frames ? &c.frames[c.nr_frames - 1] : NULL;

			err = push_frame_line(&c, line, line_len, &pr, lineno);
			if (err < 0)
				goto out;
			if (!err && top) {
				/* a source line names the frame above: that frame is not the memo's */
				frame_parsed(top);
				if (parse_srcline(line, line_len, top))
					top->memo = PS_NO_MEMO;
				else
					bad_line(&c, lineno);
			} else if (!err) {
				bad_line(&c, lineno);
			}
			err = 0;
		}
	}
	if (!c.st->samples && !c.st->other_events) {
		err = -FREC_E_PARSE;
		goto out;
	}
	if (c.event_len) {
		/* "cpu-clock:ppp" is cpu-clock: modifiers after the last ':' are no part of the name */
		size_t n = c.event_len, k = n;

		while (k && strchr("ukhGHIpPSDWe", c.event[k - 1]))
			k--;
		if (k && k < n && c.event[k - 1] == ':')
			n = k - 1;
		err = frec_profile__intern(p, c.event, n);
		if (err < 0)
			goto out;
		m->event = (uint32_t)err;
		err = 0;
	}
	if (!c.periods)
		m->period_total = 0;
	m->samples = c.st->samples + c.st->other_events;
	if (c.timed)
		m->duration_ns = c.last_ns - c.first_ns;
out:
	frec_hashmap__exit(&c.cache);
	frec_hashmap__exit(&c.memo);
	frec_hashmap__exit(&c.inlined);
	free(c.lines);
	free(c.frames);
	free(c.ids);
	return err ? err : (int)FREC_MIN(c.st->samples, (uint64_t)INT32_MAX);
}

/* Whether a line of @len bytes counts as one of the PS_SNIFF_LINES that sniffing looks at. */
static bool is_sniffed_line(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && is_blank(line[i]))
		i++;
	return i < len && line[0] != '#';
}

bool frec_profile__sniffed(const char *buf, size_t len)
{
	const char *end = buf + len;
	int seen = 0;

	for (const char *line = buf; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));

		if (!nl)
			return false;
		if (is_sniffed_line(line, (size_t)(nl - line)) && ++seen == PS_SNIFF_LINES)
			return true;
		line = nl + 1;
	}
	return false;
}

bool frec_profile__looks_perf_script(const char *buf, size_t len)
{
	const char *end = buf + len;
	struct ps_header h;
	struct ps_frame fr;
	bool after_header = false;
	int seen = 0;

	for (const char *line = buf; line < end && seen < PS_SNIFF_LINES;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t line_len = nl ? (size_t)(nl - line) : (size_t)(end - line);

		if (is_sniffed_line(line, line_len)) {
			seen++;
			/* a header and a frame below it, or a header with its one frame */
			if (after_header && is_blank(line[0]) && parse_frame(line, line_len, &fr))
				return true;
			after_header = parse_header(line, line_len, &h);
			/* without call graphs: the frame, if any, is on the header line */
			if (after_header && h.event && (h.has_time || (h.rest_len && parse_frame(h.rest, h.rest_len, &fr))))
				return true;
		}
		line = nl ? nl + 1 : end;
	}
	return false;
}
