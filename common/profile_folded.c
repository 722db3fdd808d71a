// SPDX-License-Identifier: MIT
/*
 * Folded stacks, "root;frame;...;leaf COUNT" per line, the lingua franca of flame-graph tools, in
 * and out of a profile: folded text round-trips through it.  The count is the last blank-separated
 * field, so frame names may contain spaces (py-spy's "func (file.py:12)").  A kind suffix (_[k],
 * _[j], _[i]) is the frame's kind or flag.  Read: lines starting with '#' are comments, empty
 * frames are skipped (a trailing ';' adds no frame, as flamegraph.pl's split drops it), and counts
 * are summed exactly (a file whose counts do not fit in 64 bits is refused with the line where
 * they stop fitting, never wrapped); the text arrives in pieces of any size (a file or a pipe read
 * a buffer at a time), never whole.  Written: one line per call-tree node with self weight, root
 * first, in the children's order (sorted profiles give sorted, deterministic output); a name
 * cannot hold the separators: ';' becomes ':' and line breaks become spaces.
 *
 * Two dialects change the counts.  Fractional counts ("a;b 0.4", from tools that weigh stacks by
 * time) are weights: if any line has one, every count is kept in thousandths (the profile's unit
 * says so) rather than rounded to whole samples, which would drop the small ones; the weights read
 * before the first fraction are turned into thousandths when it comes.  difffolded.pl
 * writes two counts per line, BEFORE then AFTER: frec_profile__import_folded_diff() reads both
 * columns; a single-count import refuses such a line rather than take "f 6" for a frame name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/hashmap.h"
#include "frec/profile.h"

/* This many lines that are not stacks before the first that is: the input is not folded stacks. */
#define FOLDED_GIVE_UP 1000
/* Frames in one stack; far above any real one (perf's callchains stop at 127 by default). */
#define FOLDED_MAX_DEPTH 65536

static bool has_suffix(const char *s, size_t len, const char *suffix, size_t slen)
{
	return len > slen && !memcmp(s + len - slen, suffix, slen);
}

enum count_parse { COUNT_NONE, COUNT_OK, COUNT_OVERFLOW };

/* A file with a fractional count keeps every count in thousandths: this many per whole count. */
#define FOLDED_FRACTION_SCALE 1000
#define FOLDED_FRACTION_DIGITS 3

/*
 * Parse "123" or "123.4" ending at @end, in units of 1/@scale (1 or FOLDED_FRACTION_SCALE; the
 * digits beyond its precision are rounded).  COUNT_NONE if it is not a count (a bad line),
 * COUNT_OVERFLOW if it is one that does not fit in 64 bits (the file is refused: skipping the line
 * would silently drop most of its weight).
 */
static enum count_parse parse_count(const char *s, const char *end, uint64_t scale, uint64_t *out)
{
	uint64_t v = 0;
	bool digits = false, overflow = false;
	int decimals = scale == 1 ? 0 : FOLDED_FRACTION_DIGITS;

	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		v = v * 10 + d;
		digits = true;
	}
	if (v > UINT64_MAX / scale)
		overflow = true;
	v *= scale;
	if (s < end && *s == '.') {
		uint64_t unit = scale;

		for (s++; s < end && *s >= '0' && *s <= '9'; s++) {
			if (decimals-- > 0) {
				unit /= 10;
				v += unit * (uint64_t)(*s - '0');
			} else if (decimals == -1 && *s >= '5' && v++ == UINT64_MAX) {
				overflow = true;
			}
		}
	}
	if (!digits || s != end)
		return COUNT_NONE;
	*out = v;
	return overflow ? COUNT_OVERFLOW : COUNT_OK;
}

/* Whether [@s, @end) is a count with a fraction that is not zero ("0.4", not "3" or "3.0"). */
static bool is_fraction(const char *s, const char *end)
{
	const char *dot = memchr(s, '.', (size_t)(end - s));

	if (!dot || dot == s)
		return false;
	for (const char *c = s; c < end; c++)
		if ((*c < '0' || *c > '9') && c != dot)
			return false;
	for (const char *c = dot + 1; c < end; c++)
		if (*c != '0')
			return true;
	return false;
}

static int frame_id(struct frec_profile *p, const char *name, size_t len)
{
	struct frec_frame f = { .kind = FREC_FRAME_USER };
	int id;

	if (has_suffix(name, len, FREC_FOLDED_KERNEL, 4)) {
		f.kind = FREC_FRAME_KERNEL;
		len -= 4;
	} else if (has_suffix(name, len, FREC_FOLDED_JIT, 4)) {
		f.kind = FREC_FRAME_JIT;
		len -= 4;
	} else if (has_suffix(name, len, FREC_FOLDED_INLINED, 4)) {
		f.flags = FREC_FRAME_INLINED;
		len -= 4;
	}
	if (len == 9 && !memcmp(name, "[unknown]", 9))
		f.kind = FREC_FRAME_UNKNOWN;
	id = frec_profile__intern(p, name, len);
	if (id < 0)
		return id;
	f.name = (uint32_t)id;
	return frec_profile__add_frame(p, &f);
}

/* Blanks end a line's fields; a CR before its newline is not part of them. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The last blank-separated field of [@line, @end): *@start, and the end without trailing blanks. */
static const char *last_field(const char *line, const char *end, const char **start)
{
	const char *sp;

	while (end > line && is_blank(end[-1]))
		end--;
	for (sp = end; sp > line && !is_blank(sp[-1]); sp--)
		;
	*start = sp;
	return end;
}

/*
 * The field before @end, as last_field(), if it can be a count (digits and dots only): NULL as
 * soon as it cannot, without walking back over the rest of the line (a stack of hundreds of
 * bytes, which would otherwise be read twice per line).
 */
static const char *count_field(const char *line, const char *end, const char **start)
{
	const char *sp;

	while (end > line && is_blank(end[-1]))
		end--;
	for (sp = end; sp > line && !is_blank(sp[-1]); sp--)
		if ((sp[-1] < '0' || sp[-1] > '9') && sp[-1] != '.')
			return NULL;
	*start = sp;
	return end;
}

/* How a line's counts are read: @columns of them (1, or 2 for difffolded), @column kept, 1/@scale. */
struct fold_read {
	unsigned int columns, column;
	uint64_t scale;
};

/*
 * Frames by the bytes that name them in the input ("name_[k]"): an index in front of interning the
 * name and finding the frame, two hash lookups (and their cache misses) that were most of the cost
 * of a node in profiles of millions of distinct stacks.  It holds every text seen, so that a
 * profile of a million distinct functions (long C++ names) pays one lookup per frame, not three.
 * A slot holds a frame id (plus one: 0 is a free slot) and the upper half of the text's hash, which
 * both skips most texts that differ without reading them and places the entry again when the index
 * grows (the text itself is not kept: the frame's name is checked instead).
 */
struct frame_index {
	uint64_t *slots; /* (frame + 1) << 32 | hash >> 32 */
	uint32_t cap, len; /* cap: a power of two, or 0 */
};

static const char *kind_suffix(const struct frec_frame *f)
{
	if (f->kind == FREC_FRAME_KERNEL)
		return FREC_FOLDED_KERNEL;
	if (f->kind == FREC_FRAME_JIT)
		return FREC_FOLDED_JIT;
	return FREC_FOLDED_INLINED;
}

/*
 * Whether frame @id is what frame_id() makes of the @len bytes at @text (which hold no NUL).  A
 * "no" for a text that names it after all ("[unknown]_[k]" is the unknown frame) costs only a
 * slow look-up.
 */
static bool frame_is(const struct frec_profile *p, uint32_t id, const char *text, size_t len)
{
	const struct frec_frame *f = frec_profile__frame(p, id);
	const char *name = frec_profile__str(p, f->name);
	size_t nlen = len;

	if (f->kind == FREC_FRAME_KERNEL || f->kind == FREC_FRAME_JIT || (f->flags & FREC_FRAME_INLINED)) {
		if (len < 4 || memcmp(text + len - 4, kind_suffix(f), 4))
			return false;
		nlen -= 4;
	}
	/* byte by byte, inline: names are short, and a shorter name differs at its NUL */
	for (size_t i = 0; i < nlen; i++)
		if (name[i] != text[i])
			return false;
	return !name[nlen];
}

/* Twice the slots (or the first 4,096), each entry placed again by its hash's upper half. */
static int frame_index__grow(struct frame_index *x)
{
	uint32_t cap = x->cap ? x->cap * 2 : 4096;
	uint64_t *slots;

	if (x->cap > UINT32_MAX / 4 || !(slots = calloc(cap, sizeof(*slots))))
		return -ENOMEM;
	for (uint32_t i = 0; i < x->cap; i++) {
		uint64_t e = x->slots[i];

		if (e) {
			uint32_t j = (uint32_t)e & (cap - 1);

			while (slots[j])
				j = (j + 1) & (cap - 1);
			slots[j] = e;
		}
	}
	free(x->slots);
	x->slots = slots;
	x->cap = cap;
	return 0;
}

static uint32_t frame_tag(const char *text, size_t len)
{
	return (uint32_t)(frec_hash_bytes(text, len) >> 32);
}

/*
 * Warming the cache for the look-ups of a line's new frames.  Each look-up is a chain of cache
 * misses (slot, frame, string offset, name) in tables far larger than the cache when the input has
 * millions of distinct functions; the frames of a line are independent look-ups, so each step is
 * taken for all of them before the next (each prefetch reads only what the step before fetched),
 * and the chains overlap instead of waiting for each other.
 */
enum warm_step { WARM_SLOT, WARM_FRAME, WARM_NAME };

static void frame_index__warm(const struct frame_index *x, const struct frec_profile *p, uint32_t tag,
			      enum warm_step step)
{
	uint64_t e;
	uint32_t id;

	if (!x->cap)
		return;
	if (step == WARM_SLOT) {
		__builtin_prefetch(&x->slots[tag & (x->cap - 1)]);
		return;
	}
	e = x->slots[tag & (x->cap - 1)];
	if (!e || (uint32_t)e != tag)
		return;
	id = (uint32_t)(e >> 32) - 1;
	__builtin_prefetch(step == WARM_FRAME ? (const void *)frec_profile__frame(p, id) : frec_profile__frame_name(p, id));
}

static int indexed_frame_id(struct frame_index *x, struct frec_profile *p, const char *text, size_t len,
			    uint32_t tag)
{
	uint32_t i;
	int id;

	if ((x->len + 1) * 2 > x->cap && frame_index__grow(x))
		return -ENOMEM;
	for (i = tag & (x->cap - 1); x->slots[i]; i = (i + 1) & (x->cap - 1)) {
		uint64_t e = x->slots[i];

		if ((uint32_t)e == tag && frame_is(p, (uint32_t)(e >> 32) - 1, text, len))
			return (int)(e >> 32) - 1;
	}
	id = frame_id(p, text, len);
	if (id >= 0) {
		x->slots[i] = (uint64_t)((uint32_t)id + 1) << 32 | tag;
		x->len++;
	}
	return id;
}

/*
 * Split one line (without its newline) into stack and count, and *@largest, the largest count
 * it holds (with two columns, of either).  Returns 1 for a stack, 0 for a line that is not one
 * (with one column: also a line with two counts, a diff), -ERANGE for a stack whose count does
 * not fit in 64 bits.
 */
static int split_line(const char *line, size_t len, const struct fold_read *rd, size_t *stack_len, uint64_t *count,
		      uint64_t *largest)
{
	const char *end = line + len, *sp, *sp2, *end2;
	enum count_parse c = COUNT_OK, c2;
	uint64_t other;

	end = last_field(line, end, &sp);
	if (sp == line || (c2 = parse_count(sp, end, rd->scale, count)) == COUNT_NONE)
		return 0;
	*largest = *count;
	if (rd->columns == 2) {
		/* BEFORE AFTER: the field before the last is the first count */
		end2 = last_field(line, sp, &sp2);
		if (sp2 == line || (c = parse_count(sp2, end2, rd->scale, &other)) == COUNT_NONE)
			return 0;
		if (other > *largest)
			*largest = other;
		if (rd->column == 0)
			*count = other;
		sp = sp2;
	} else if ((end2 = count_field(line, sp, &sp2)) && sp2 > line &&
		   parse_count(sp2, end2, rd->scale, &other) != COUNT_NONE) {
		return 0;
	}
	while (sp > line && is_blank(sp[-1]))
		sp--;
	if (sp == line || memchr(line, '\0', (size_t)(sp - line)))
		return 0;
	*stack_len = (size_t)(sp - line);
	return c == COUNT_OVERFLOW || c2 == COUNT_OVERFLOW ? -ERANGE : 1;
}

/* The unit of a profile read in thousandths (its counts had fractions). */
static int set_unit(struct frec_profile *p)
{
	int id = frec_profile__intern_str(p, FREC_UNIT_THOUSANDTHS);

	if (id < 0)
		return id;
	frec_profile__meta(p)->unit = (uint32_t)id;
	return 0;
}

/*
 * Whether the line [@line, @end) (not blank, not a comment) makes the input one of thousandths: its
 * count, or with two columns either count, has a fraction.  Bad lines count too, as they did when
 * the whole input was scanned first: the choice must not depend on which lines were valid.
 */
static bool line_has_fraction(const char *line, const char *end, unsigned int columns)
{
	const char *f;

	end = last_field(line, end, &f);
	if (is_fraction(f, end))
		return true;
	if (columns == 2) {
		end = last_field(line, f, &f);
		return is_fraction(f, end);
	}
	return false;
}

/*
 * The streaming reader.  Per frame of the last stack added, its node and where its name ends in its
 * line: collapsers sort their output, so a line usually repeats a prefix of the previous one, and
 * the frames of that prefix are taken from there instead of being interned, looked up and walked
 * again.  The previous line must therefore outlive the buffer it came in: at the end of each
 * buffer it is copied (once per buffer, not once per line), and so is the unfinished line.
 */
struct frec_folded_reader {
	struct frec_profile *p;
	struct fold_read rd;
	struct frec_folded_stats st;
	uint64_t lineno;
	int added, err;
	struct frame_index index;
	uint32_t *nodes;
	size_t *ends;         /* per frame: where its name ends in the line */
	uint32_t *tags;       /* per frame of the line not shared with the previous one: frame_tag() */
	size_t nodes_cap, prev_n, prev_len;
	const char *prev;     /* the previous stack line, in the caller's buffer, carry or prev_buf */
	char *prev_buf;       /* a copy of it made at the end of a buffer */
	size_t prev_cap;
	char *carry;          /* the start of a line that the last buffer ended in */
	size_t carry_len, carry_cap;
	/*
	 * While the counts are whole (scale 1): their sum in thousandths, and the first line where
	 * that sum, or a count, would not have fit in 64 bits: if a fraction comes later, the input
	 * is refused at that line, as it would have been if read in thousandths from the start.
	 */
	uint64_t milli_total, milli_error_line;
};

int frec_folded_reader__new(struct frec_profile *p, struct frec_folded_reader **out)
{
	struct frec_folded_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->p = p;
	r->rd = (struct fold_read){ .columns = 1, .scale = 1 };
	*out = r;
	return 0;
}

void frec_folded_reader__free(struct frec_folded_reader *r)
{
	if (!r)
		return;
	free(r->index.slots);
	free(r->nodes);
	free(r->ends);
	free(r->tags);
	free(r->prev_buf);
	free(r->carry);
	free(r);
}

/* Copy @len bytes at @src to *@buf (grown as needed).  0 or -ENOMEM. */
static int keep_bytes(char **buf, size_t *cap, const char *src, size_t len)
{
	if (len > *cap) {
		size_t n = *cap ? *cap : 256;
		char *nb;

		while (n < len)
			n *= 2;
		nb = malloc(n);
		if (!nb)
			return -ENOMEM;
		free(*buf);
		*buf = nb;
		*cap = n;
	}
	memcpy(*buf, src, len);
	return 0;
}

static void bad_line(struct frec_folded_reader *r, const char *line, size_t len)
{
	if (r->st.bad_lines++)
		return;
	r->st.first_bad = r->lineno;
	memcpy(r->st.first_bad_text, line, FREC_MIN(len, sizeof(r->st.first_bad_text)));
	r->st.first_bad_len = len;
}

/* The counts so far were whole: make them thousandths, or refuse the input where they stop fitting. */
static int to_thousandths(struct frec_folded_reader *r)
{
	int err;

	if (r->milli_error_line) {
		r->st.error_line = r->milli_error_line;
		return -ERANGE;
	}
	err = frec_profile__scale_weights(r->p, FOLDED_FRACTION_SCALE);
	if (err)
		return err;
	r->rd.scale = FOLDED_FRACTION_SCALE;
	return 0;
}

/* Room for the frames of a stack of @n + 1 frames.  0, -E2BIG or -ENOMEM. */
static int reader_room(struct frec_folded_reader *r, size_t n)
{
	size_t cap = r->nodes_cap ? r->nodes_cap * 2 : 64;
	uint32_t *nn, *nt;
	size_t *ne;

	/* A line of "a;a;a;..." must not make per-frame state as large as the input. */
	if (n == FOLDED_MAX_DEPTH) {
		r->st.error_line = r->lineno;
		return -E2BIG;
	}
	if (n < r->nodes_cap)
		return 0;
	nn = realloc(r->nodes, cap * sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	r->nodes = nn;
	ne = realloc(r->ends, cap * sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	r->ends = ne;
	nt = realloc(r->tags, cap * sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	r->tags = nt;
	r->nodes_cap = cap;
	return 0;
}

/* The length of the longest common prefix of the first @max bytes of @a and @b. */
static size_t common_prefix(const char *a, const char *b, size_t max)
{
	size_t i = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* 8 bytes at a time: the first byte that differs is the lowest set byte of their xor */
	for (; i + 8 <= max; i += 8) {
		uint64_t x, y;

		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return i + (size_t)__builtin_ctzll(x ^ y) / 8;
	}
#endif
	while (i < max && a[i] == b[i])
		i++;
	return i;
}

/* One line, without its newline.  0 or a negative error (the import stops). */
static int reader_line(struct frec_folded_reader *r, const char *line, size_t line_len)
{
	struct frec_profile *p = r->p;
	size_t stack_len, n = 0, depth;
	uint64_t count, largest;
	int ret;

	r->lineno++;
	if (line_len == 0 || (line_len == 1 && line[0] == '\r') || line[0] == '#')
		return 0;
	if (r->rd.scale == 1 && line_has_fraction(line, line + line_len, r->rd.columns) && (ret = to_thousandths(r)))
		return ret;
	r->st.lines++;
	ret = split_line(line, line_len, &r->rd, &stack_len, &count, &largest);
	if (ret < 0 || (ret > 0 && count > UINT64_MAX - frec_profile__total(p))) {
		r->st.error_line = r->lineno;
		return -ERANGE;
	}
	if (!ret) {
		bad_line(r, line, line_len);
		/* Text that is not folded stacks (a log, a listing) is refused without reading it all. */
		if (!r->added && r->st.bad_lines >= FOLDED_GIVE_UP)
			return -FREC_E_FOLDED_EMPTY;
		return 0;
	}
	if (r->rd.scale == 1 && !r->milli_error_line) {
		if (largest > UINT64_MAX / FOLDED_FRACTION_SCALE ||
		    count * FOLDED_FRACTION_SCALE > UINT64_MAX - r->milli_total)
			r->milli_error_line = r->lineno;
		else
			r->milli_total += count * FOLDED_FRACTION_SCALE;
	}
	if (!count) {
		/* Nothing to add, but a stack without a frame is still a bad line. */
		if (strspn(line, ";") >= stack_len)
			bad_line(r, line, line_len);
		return 0;
	}
	if (r->prev) {
		const char *prev = r->prev;
		size_t same = common_prefix(line, prev, stack_len < r->prev_len ? stack_len : r->prev_len);

		/*
		 * A frame is shared if both lines hold it whole: they agree up to its end, and that
		 * end is a ';' or the end of the stack in both.
		 */
		while (n < r->prev_n &&
		       (r->ends[n] < same || (r->ends[n] == same && (same == stack_len || line[same] == ';'))))
			n++;
	}
	depth = n;
	/* The frames not shared: where each ends and its tag, and the cache warmed for their look-ups... */
	for (const char *f = line + (n ? r->ends[n - 1] + 1 : 0), *stack_end = line + stack_len; f < stack_end;) {
		const char *semi = memchr(f, ';', (size_t)(stack_end - f));
		size_t flen = semi ? (size_t)(semi - f) : (size_t)(stack_end - f);

		if (flen) {
			if ((ret = reader_room(r, depth)))
				return ret;
			r->ends[depth] = (size_t)(f + flen - line);
			r->tags[depth] = frame_tag(f, flen);
			frame_index__warm(&r->index, p, r->tags[depth++], WARM_SLOT);
		}
		f += flen + 1;
	}
	for (size_t i = n; i < depth; i++)
		frame_index__warm(&r->index, p, r->tags[i], WARM_FRAME);
	for (size_t i = n; i < depth; i++)
		frame_index__warm(&r->index, p, r->tags[i], WARM_NAME);
	/* ...then their nodes, one below the other. */
	for (; n < depth; n++) {
		size_t start = n ? r->ends[n - 1] + 1 : 0;
		int id;

		/* (empty frames between them were skipped: the name starts after the last ';' before its end) */
		while (start < r->ends[n] && line[start] == ';')
			start++;
		id = indexed_frame_id(&r->index, p, line + start, r->ends[n] - start, r->tags[n]);
		if (id >= 0)
			id = frec_profile__child(p, n ? r->nodes[n - 1] : FREC_NODE_ROOT, (uint32_t)id);
		if (id < 0)
			return id;
		r->nodes[n] = (uint32_t)id;
	}
	if (!n) {
		bad_line(r, line, line_len);
		r->prev = NULL;
		return 0;
	}
	ret = frec_profile__add_weight(p, r->nodes[n - 1], count);
	if (ret) {
		r->st.error_line = r->lineno;
		return ret;
	}
	if (r->added < INT32_MAX)
		r->added++;
	r->prev = line;
	r->prev_n = n;
	r->prev_len = stack_len;
	return 0;
}

int frec_folded_reader__feed(struct frec_folded_reader *r, const char *buf, size_t len)
{
	const char *end = buf + len, *line = buf;

	if (r->err || !len)
		return r->err;
	if (r->carry_len) {
		/* finish the line the last buffer ended in */
		const char *nl = memchr(buf, '\n', len);
		size_t take = nl ? (size_t)(nl - buf) : len;

		if (r->carry_len + take > r->carry_cap) {
			size_t cap = r->carry_cap;
			char *nc;

			while (cap < r->carry_len + take)
				cap *= 2;
			/* (the previous line is in prev_buf now: see the end of this function) */
			if (!(nc = realloc(r->carry, cap)))
				return r->err = -ENOMEM;
			r->carry = nc;
			r->carry_cap = cap;
		}
		memcpy(r->carry + r->carry_len, buf, take);
		r->carry_len += take;
		if (!nl)
			return 0;
		if ((r->err = reader_line(r, r->carry, r->carry_len)))
			return r->err;
		r->carry_len = 0;
		line = nl + 1;
	}
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));

		if (!nl)
			break;
		if ((r->err = reader_line(r, line, (size_t)(nl - line))))
			return r->err;
		line = nl + 1;
	}
	/* The caller's buffer goes away: keep the previous line, then the unfinished one. */
	if (r->prev && r->prev != r->prev_buf) {
		if (keep_bytes(&r->prev_buf, &r->prev_cap, r->prev, r->prev_len))
			return r->err = -ENOMEM;
		r->prev = r->prev_buf;
	}
	if (line < end) {
		if (keep_bytes(&r->carry, &r->carry_cap, line, (size_t)(end - line)))
			return r->err = -ENOMEM;
		r->carry_len = (size_t)(end - line);
	}
	return 0;
}

int frec_folded_reader__finish(struct frec_folded_reader *r, struct frec_folded_stats *st)
{
	int err = r->err;

	if (!err && r->carry_len) {
		/* the last line had no newline */
		err = reader_line(r, r->carry, r->carry_len);
		r->carry_len = 0;
	}
	if (!err && !r->added && r->st.bad_lines && r->st.bad_lines == r->st.lines)
		err = -FREC_E_FOLDED_EMPTY;
	if (!err && r->rd.scale != 1)
		err = set_unit(r->p);
	r->err = err;
	if (st)
		*st = r->st;
	return err ? err : r->added;
}

/* Read all of @buf into @p with @columns counts, keeping @column.  @st may be NULL. */
static int import(struct frec_profile *p, const char *buf, size_t len, unsigned int columns, unsigned int column,
		  struct frec_folded_stats *st)
{
	struct frec_folded_reader *r;
	int n = frec_folded_reader__new(p, &r);

	if (n)
		return n;
	r->rd.columns = columns;
	r->rd.column = column;
	frec_folded_reader__feed(r, buf, len);
	n = frec_folded_reader__finish(r, st);
	frec_folded_reader__free(r);
	return n;
}

int frec_profile__import_folded(struct frec_profile *p, const char *buf, size_t len,
				struct frec_folded_stats *st)
{
	return import(p, buf, len, 1, 0, st);
}

int frec_profile__import_folded_diff(struct frec_profile *before, struct frec_profile *after, const char *buf,
				     size_t len, struct frec_folded_stats *st)
{
	/* Both columns have the same lines: the second pass's stats are the first's. */
	int n = import(before, buf, len, 2, 0, st);

	if (n < 0)
		return n;
	/* Each pass looks at both columns for fractions: both sides get the same unit. */
	return import(after, buf, len, 2, 1, st);
}

/* The first line of @buf that is not blank or a comment, split as @rd says: whether it is a stack. */
static bool first_line_is(const char *buf, size_t len, const struct fold_read *rd)
{
	const char *end = buf + len;
	size_t stack_len;
	uint64_t count, largest;

	for (const char *line = buf; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t line_len = nl ? (size_t)(nl - line) : (size_t)(end - line);

		if (line_len && !(line_len == 1 && line[0] == '\r') && line[0] != '#')
			return split_line(line, line_len, rd, &stack_len, &count, &largest) != 0;
		line = nl ? nl + 1 : end;
	}
	return false;
}

bool frec_profile__looks_folded(const char *buf, size_t len)
{
	return first_line_is(buf, len, &(struct fold_read){ .columns = 1, .scale = 1 });
}

bool frec_profile__looks_folded_diff(const char *buf, size_t len)
{
	return first_line_is(buf, len, &(struct fold_read){ .columns = 2, .scale = 1 });
}

static void put_name(const char *s, FILE *f)
{
	for (; *s; s++) {
		char ch = *s;

		if (ch == ';')
			ch = ':';
		else if (ch == '\n' || ch == '\r')
			ch = ' ';
		putc(ch, f);
	}
}

static void put_frame(const struct frec_profile *p, uint32_t id, FILE *f)
{
	const struct frec_frame *fr = frec_profile__frame(p, id);

	put_name(frec_profile__str(p, fr->name), f);
	if (fr->file) {
		const char *file = frec_profile__str(p, fr->file);
		const char *base = strrchr(file, '/');

		fputs(" (", f);
		put_name(base ? base + 1 : file, f);
		if (fr->line)
			fprintf(f, ":%" PRIu32, fr->line);
		putc(')', f);
	}
	if (fr->kind == FREC_FRAME_KERNEL)
		fputs(FREC_FOLDED_KERNEL, f);
	else if (fr->kind == FREC_FRAME_JIT)
		fputs(FREC_FOLDED_JIT, f);
	else if (fr->flags & FREC_FRAME_INLINED)
		fputs(FREC_FOLDED_INLINED, f);
}

int frec_profile__write_folded(const struct frec_profile *p, FILE *f)
{
	uint32_t nr = frec_profile__nr_nodes(p);
	uint32_t *path = malloc((nr ? nr : 1) * sizeof(*path));
	size_t depth = 0;
	uint32_t n;

	if (!path)
		return -ENOMEM;
	/* Iterative pre-order walk; path[] holds the nodes from the root's first child down to n. */
	n = frec_profile__node(p, FREC_NODE_ROOT)->first_child;
	while (n != FREC_NONE) {
		const struct frec_node *node = frec_profile__node(p, n);

		path[depth++] = n;
		if (node->self) {
			for (size_t i = 0; i < depth; i++) {
				if (i)
					putc(';', f);
				put_frame(p, frec_profile__node(p, path[i])->frame, f);
			}
			fprintf(f, " %" PRIu64 "\n", node->self);
		}
		if (node->first_child != FREC_NONE) {
			n = node->first_child;
			continue;
		}
		/* climb until a node has a next sibling */
		while (depth) {
			uint32_t sib = frec_profile__node(p, path[--depth])->next_sibling;

			if (sib != FREC_NONE) {
				n = sib;
				break;
			}
			n = FREC_NONE;
		}
	}
	free(path);
	return ferror(f) ? -EIO : 0;
}
