// SPDX-License-Identifier: MIT
/*
 * Folded stacks, "root;frame;...;leaf COUNT" per line, the lingua franca of flame-graph tools, in
 * and out of a profile: folded text round-trips through it.  The count is the last blank-separated
 * field, so frame names may contain spaces (py-spy's "func (file.py:12)").  A kind suffix (_[k],
 * _[j], _[i]) is the frame's kind or flag.  Read: lines starting with '#' are comments, and counts
 * are summed exactly (a file whose counts do not fit in 64 bits is refused with the line where
 * they stop fitting, never wrapped).  Written: one line per call-tree node with self weight, root
 * first, in the children's order (sorted profiles give sorted, deterministic output); a name
 * cannot hold the separators: ';' becomes ':' and line breaks become spaces.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frec/error.h"
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

/*
 * Parse "123" or "123.4" (rounded) ending at @end.  COUNT_NONE if it is not a count (a bad line),
 * COUNT_OVERFLOW if it is one that does not fit in 64 bits (the file is refused: skipping the line
 * would silently drop most of its weight).
 */
static enum count_parse parse_count(const char *s, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	bool digits = false, overflow = false;

	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		v = v * 10 + d;
		digits = true;
	}
	if (s < end && *s == '.') {
		s++;
		if (s < end && *s >= '5' && *s <= '9' && v++ == UINT64_MAX)
			overflow = true;
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	}
	if (!digits || s != end)
		return COUNT_NONE;
	*out = v;
	return overflow ? COUNT_OVERFLOW : COUNT_OK;
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

/*
 * Frames by the bytes that name them in the input ("name_[k]"): a direct-mapped cache in front of
 * interning the name and finding the frame, two hash lookups that were most of the cost of a node
 * in profiles of millions of distinct stacks.  An entry is checked against the frame's interned
 * name (and kind suffix), which stays in the cache where the input's earlier lines do not; a
 * collision replaces it.
 */
#define FRAME_CACHE (1u << 14) /* 128 KiB: within the L2 cache */

struct frame_cache_entry {
	uint32_t frame;
	uint16_t len;  /* of the frame's text in the input, 0 for an empty entry */
	uint16_t nlen; /* of its name */
};

static const char *kind_suffix(const struct frec_frame *f)
{
	if (f->kind == FREC_FRAME_KERNEL)
		return FREC_FOLDED_KERNEL;
	if (f->kind == FREC_FRAME_JIT)
		return FREC_FOLDED_JIT;
	return FREC_FOLDED_INLINED;
}

static uint32_t raw_hash(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;

	for (; len >= 8; s += 8, len -= 8) {
		uint64_t x;

		memcpy(&x, s, 8);
		h = (h ^ x) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	while (len--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	h ^= h >> 32;
	h *= 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(h >> 40);
}

static int cached_frame_id(struct frame_cache_entry *cache, struct frec_profile *p, const char *name, size_t len)
{
	struct frame_cache_entry *e = &cache[raw_hash(name, len) & (FRAME_CACHE - 1)];
	const struct frec_frame *f;
	int id;

	if (e->len == len) {
		f = frec_profile__frame(p, e->frame);
		if (!memcmp(frec_profile__str(p, f->name), name, e->nlen) &&
		    (e->nlen == len || !memcmp(kind_suffix(f), name + e->nlen, len - e->nlen)))
			return (int)e->frame;
	}
	id = frame_id(p, name, len);
	if (id >= 0 && len <= UINT16_MAX) {
		f = frec_profile__frame(p, (uint32_t)id);
		*e = (struct frame_cache_entry){ (uint32_t)id, (uint16_t)len, (uint16_t)strlen(frec_profile__str(p, f->name)) };
	}
	return id;
}

/*
 * Split one line (without its newline) into stack and count.  Returns 1 for a stack, 0 for a line
 * that is not one, -ERANGE for a stack whose count does not fit in 64 bits.
 */
static int split_line(const char *line, size_t len, size_t *stack_len, uint64_t *count)
{
	const char *end = line + len;
	const char *sp;
	enum count_parse c;

	while (end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (sp = end; sp > line && sp[-1] != ' ' && sp[-1] != '\t'; sp--)
		;
	if (sp == line || (c = parse_count(sp, end, count)) == COUNT_NONE)
		return 0;
	while (sp > line && (sp[-1] == ' ' || sp[-1] == '\t'))
		sp--;
	if (sp == line || memchr(line, '\0', (size_t)(sp - line)))
		return 0;
	*stack_len = (size_t)(sp - line);
	return c == COUNT_OVERFLOW ? -ERANGE : 1;
}

int frec_profile__import_folded(struct frec_profile *p, const char *buf, size_t len,
				struct frec_folded_stats *st)
{
	struct frec_folded_stats dummy;
	/*
	 * Per frame of the last stack added: its node and where its name ends in its line.  Collapsers
	 * sort their output, so a line usually repeats a prefix of the previous one: the frames of that
	 * prefix are taken from there instead of being interned, looked up and walked again.
	 */
	uint32_t *nodes = NULL;
	size_t *ends = NULL;
	struct frame_cache_entry *cache = calloc(FRAME_CACHE, sizeof(*cache));
	size_t nodes_cap = 0, prev_n = 0, prev_len = 0;
	const char *prev = NULL;
	const char *end = buf + len;
	uint64_t lineno = 0;
	int added = 0, err = 0;

	if (!st)
		st = &dummy;
	*st = (struct frec_folded_stats){ 0 };
	if (!cache)
		return -ENOMEM;
	for (const char *line = buf; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t line_len = nl ? (size_t)(nl - line) : (size_t)(end - line);
		const char *next = nl ? nl + 1 : end;
		size_t stack_len, n = 0;
		uint64_t count;
		int ret;

		lineno++;
		if (line_len == 0 || (line_len == 1 && line[0] == '\r') || line[0] == '#') {
			line = next;
			continue;
		}
		st->lines++;
		ret = split_line(line, line_len, &stack_len, &count);
		if (ret < 0 || (ret > 0 && count > UINT64_MAX - frec_profile__total(p))) {
			st->error_line = lineno;
			err = -ERANGE;
			goto out;
		}
		if (!ret) {
			if (!st->bad_lines++)
				st->first_bad = lineno;
			/* Text that is not folded stacks (a log, a listing) is refused without reading it all. */
			if (!added && st->bad_lines >= FOLDED_GIVE_UP) {
				err = -FREC_E_FOLDED_EMPTY;
				goto out;
			}
			line = next;
			continue;
		}
		if (!count) {
			/* Nothing to add, but a stack without a frame is still a bad line. */
			if (strspn(line, ";") >= stack_len && !st->bad_lines++)
				st->first_bad = lineno;
			line = next;
			continue;
		}
		if (prev) {
			size_t same = 0, max = stack_len < prev_len ? stack_len : prev_len;

			while (same < max && line[same] == prev[same])
				same++;
			/*
			 * A frame is shared if both lines hold it whole: they agree up to its end, and
			 * that end is a ';' or the end of the stack in both.
			 */
			while (n < prev_n && (ends[n] < same || (ends[n] == same && (same == stack_len || line[same] == ';'))))
				n++;
		}
		for (const char *f = line + (n ? ends[n - 1] + 1 : 0), *stack_end = line + stack_len; f < stack_end;) {
			const char *semi = memchr(f, ';', (size_t)(stack_end - f));
			size_t flen = semi ? (size_t)(semi - f) : (size_t)(stack_end - f);
			int id;

			if (flen) {
				/* A line of "a;a;a;..." must not make per-frame state as large as the input. */
				if (n == FOLDED_MAX_DEPTH) {
					st->error_line = lineno;
					err = -E2BIG;
					goto out;
				}
				if (n == nodes_cap) {
					size_t cap = nodes_cap ? nodes_cap * 2 : 64;
					uint32_t *nn = realloc(nodes, cap * sizeof(*nn));
					size_t *ne;

					if (!nn) {
						err = -ENOMEM;
						goto out;
					}
					nodes = nn;
					ne = realloc(ends, cap * sizeof(*ne));
					if (!ne) {
						err = -ENOMEM;
						goto out;
					}
					ends = ne;
					nodes_cap = cap;
				}
				id = cached_frame_id(cache, p, f, flen);
				if (id >= 0)
					id = frec_profile__child(p, n ? nodes[n - 1] : FREC_NODE_ROOT, (uint32_t)id);
				if (id < 0) {
					err = id;
					goto out;
				}
				nodes[n] = (uint32_t)id;
				ends[n++] = (size_t)(f + flen - line);
			}
			f += flen + 1;
		}
		if (!n) {
			if (!st->bad_lines++)
				st->first_bad = lineno;
			prev = NULL;
		} else {
			err = frec_profile__add_weight(p, nodes[n - 1], count);
			if (err) {
				st->error_line = lineno;
				goto out;
			}
			if (added < INT32_MAX)
				added++;
			prev = line;
			prev_n = n;
			prev_len = stack_len;
		}
		line = next;
	}
	if (!added && st->bad_lines && st->bad_lines == st->lines)
		err = -FREC_E_FOLDED_EMPTY;
out:
	free(cache);
	free(nodes);
	free(ends);
	return err ? err : added;
}

bool frec_profile__looks_folded(const char *buf, size_t len)
{
	const char *nl;
	size_t stack_len;
	uint64_t count;

	/* Skip blank lines, then judge the first real line. */
	while (len && (*buf == '\n' || *buf == '\r')) {
		buf++;
		len--;
	}
	nl = memchr(buf, '\n', len);
	if (nl)
		len = (size_t)(nl - buf);
	return len && split_line(buf, len, &stack_len, &count) != 0;
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
