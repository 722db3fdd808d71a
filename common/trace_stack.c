// SPDX-License-Identifier: MIT
/*
 * Stack deltas (frec-trace(5), trace.h): a thread's user stack copy stored as the runs of bytes
 * that differ from what its earlier copies in the same frame left known below the same top.
 *
 * Both sides keep each thread's known bytes top-aligned in one buffer and patch it in place: the
 * writer while it compares, the reader while it decodes, so the unchanged bytes are neither
 * stored nor copied, and the reader hands the unwinder a contiguous copy straight from the buffer.
 * The comparison is word by word (8 bytes): a copy's length is a multiple of 8 and its top is
 * fixed, so words line up from one copy to the next.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/trace.h"

/* Threads whose buffers trace_stacks__reset() keeps for the next frame: more are freed. */
#define STACKS_KEEP 256

void trace_stack__exit(struct trace_stack *st)
{
	free(st->buf);
	memset(st, 0, sizeof(*st));
}

/* Make room for @len bytes below the top, keeping the known ones at the top. */
static int stack_reserve(struct trace_stack *st, uint32_t len)
{
	uint32_t cap = st->cap ? st->cap : 4096;
	uint8_t *buf;

	if (len <= st->cap)
		return 0;
	while (cap < len)
		cap *= 2;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	if (st->known)
		memcpy(buf + cap - st->known, st->buf + st->cap - st->known, st->known);
	free(st->buf);
	st->buf = buf;
	st->cap = cap;
	return 0;
}

int trace_stack__set(struct trace_stack *st, uint64_t top, const uint8_t *copy, uint32_t len)
{
	st->known = 0;
	st->len = 0;
	if (len > TRACE_STACK_MAX || stack_reserve(st, len))
		return -ENOMEM;
	memcpy(st->buf + st->cap - len, copy, len);
	st->top = top;
	st->len = len;
	st->known = len;
	return 0;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline void put16(uint8_t *p, uint32_t v)
{
	uint16_t x = (uint16_t)v;

	memcpy(p, &x, 2);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

size_t trace_stack__encode(struct trace_stack *st, const uint8_t *copy, uint32_t len, uint8_t *out, size_t cap)
{
	/* copy[i] lies at base[i]; below @fresh nothing is known, so those bytes are new */
	uint32_t fresh = len > st->known ? len - st->known : 0;
	uint8_t *base;
	size_t o = TRACE_STACK_DELTA_HEAD;
	uint32_t i = 0;

	/* runs count in 16 bits; a delta as long as the copy gains nothing */
	if (!st->known || !len || len % 8 || len > UINT16_MAX)
		return 0;
	cap = FREC_MIN(cap, (size_t)len);
	if (cap < TRACE_STACK_DELTA_HEAD || stack_reserve(st, len))
		return 0;
	base = st->buf + st->cap - len;
	put32(out, len);
	put32(out + 4, st->known);
	while (i < len) {
		uint32_t skip_at = i, lit_at;

		while (i < len && i >= fresh && load64(copy + i) == load64(base + i))
			i += 8;
		lit_at = i;
		while (i < len && (i < fresh || load64(copy + i) != load64(base + i)))
			i += 8;
		if (o + TRACE_STACK_RUN_HEAD + (i - lit_at) >= cap)
			return 0;
		put16(out + o, lit_at - skip_at);
		put16(out + o + 2, i - lit_at);
		memcpy(out + o + TRACE_STACK_RUN_HEAD, copy + lit_at, i - lit_at);
		memcpy(base + lit_at, copy + lit_at, i - lit_at);
		o += TRACE_STACK_RUN_HEAD + (i - lit_at);
	}
	st->len = len;
	st->known = FREC_MAX(st->known, len);
	return o;
}

int trace_stack__apply(struct trace_stack *st, const uint8_t *delta, size_t dlen)
{
	uint32_t len, known, fresh, i = 0;
	size_t o = TRACE_STACK_DELTA_HEAD;
	uint8_t *base;
	int err = -FREC_E_PARSE;

	if (dlen < TRACE_STACK_DELTA_HEAD)
		goto bad;
	memcpy(&len, delta, 4);
	memcpy(&known, delta + 4, 4);
	if (!st->known || known != st->known || !len || len > TRACE_STACK_MAX)
		goto bad;
	err = stack_reserve(st, len);
	if (err)
		goto bad;
	err = -FREC_E_PARSE;
	fresh = len > known ? len - known : 0;
	base = st->buf + st->cap - len;
	while (i < len) {
		uint16_t skip, lit;

		if (dlen - o < TRACE_STACK_RUN_HEAD)
			goto bad;
		memcpy(&skip, delta + o, 2);
		memcpy(&lit, delta + o + 2, 2);
		o += TRACE_STACK_RUN_HEAD;
		/* what is skipped must be known; a run must make progress */
		if ((skip && i < fresh) || skip > len - i || (!skip && !lit))
			goto bad;
		i += skip;
		if (lit > len - i || lit > dlen - o)
			goto bad;
		memcpy(base + i, delta + o, lit);
		i += lit;
		o += lit;
	}
	st->len = len;
	st->known = FREC_MAX(st->known, len);
	return (int)len;

bad:
	/* Half patched, or patched against other bytes than the writer's: nothing is known now. */
	st->known = 0;
	st->len = 0;
	return err;
}

void trace_stacks__init(struct trace_stacks *ss, size_t max)
{
	memset(ss, 0, sizeof(*ss));
	frec_hashmap__init(&ss->tids);
	ss->max = max;
}

void trace_stacks__exit(struct trace_stacks *ss)
{
	for (size_t i = 0; i < ss->cap; i++)
		trace_stack__exit(&ss->st[i]);
	free(ss->st);
	frec_hashmap__exit(&ss->tids);
	memset(ss, 0, sizeof(*ss));
}

void trace_stacks__reset(struct trace_stacks *ss)
{
	/* A recording of many short-lived threads would otherwise keep a buffer for each. */
	for (size_t i = STACKS_KEEP; i < ss->cap; i++)
		trace_stack__exit(&ss->st[i]);
	if (ss->cap > STACKS_KEEP)
		ss->cap = STACKS_KEEP;
	for (size_t i = 0; i < ss->cap; i++)
		ss->st[i].known = ss->st[i].len = 0;
	ss->nr = 0;
	if (frec_hashmap__count(&ss->tids)) {
		frec_hashmap__exit(&ss->tids);
		frec_hashmap__init(&ss->tids);
	}
}

struct trace_stack *trace_stacks__get(struct trace_stacks *ss, uint32_t tid)
{
	uint64_t *slot, at;
	bool added;

	if (ss->nr && frec_hashmap__find(&ss->tids, tid, &at))
		return &ss->st[at];
	if (ss->max && ss->nr >= ss->max)
		return NULL;
	if (ss->nr == ss->cap) {
		size_t cap = ss->cap ? ss->cap * 2 : 16;
		struct trace_stack *st = realloc(ss->st, cap * sizeof(*st));

		if (!st)
			return NULL;
		memset(st + ss->cap, 0, (cap - ss->cap) * sizeof(*st));
		ss->st = st;
		ss->cap = cap;
	}
	slot = frec_hashmap__slot(&ss->tids, tid, &added);
	if (!slot)
		return NULL;
	*slot = ss->nr;
	ss->st[ss->nr].known = ss->st[ss->nr].len = 0;
	ss->st[ss->nr].top = 0;
	return &ss->st[ss->nr++];
}
