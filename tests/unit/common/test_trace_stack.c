// SPDX-License-Identifier: MIT
/*
 * Stack deltas: the encoder and the decoder on memory buffers (round trips, what a delta may skip,
 * hostile runs), and a reader decoding them in a trace (frame boundaries, a missing base).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "frec/error.h"
#include "frec/trace.h"
#include "helpers.h"
#include "trace_fixture.h"

#define TOP 0x7f0000010000ull

/* A copy of @len bytes whose words are @seed-derived, as different from other seeds' as can be. */
static void fill(uint8_t *p, uint32_t len, uint64_t seed)
{
	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t w = (seed + 1) * 0x9e3779b97f4a7c15ull ^ (TOP - len + i);

		memcpy(p + i, &w, 8);
	}
}

/* Encode @copy against @enc, decode the delta onto @dec, and check they agree on every byte. */
static size_t round_trip(struct trace_stack *enc, struct trace_stack *dec, const uint8_t *copy, uint32_t len)
{
	static uint8_t delta[TRACE_STACK_MAX];
	size_t n = trace_stack__encode(enc, copy, len, delta, sizeof(delta));

	cr_assert_gt(n, 0, "no delta for a copy of %u bytes", len);
	cr_assert_lt(n, len);
	cr_assert_eq(trace_stack__apply(dec, delta, n), (int)len);
	cr_assert_eq(dec->len, len);
	cr_assert_eq(memcmp(trace_stack__copy(dec), copy, len), 0, "the decoded copy differs");
	cr_assert_eq(memcmp(trace_stack__copy(enc), copy, len), 0, "the encoder's own copy differs");
	cr_assert_eq(dec->known, enc->known);
	return n;
}

Test(common_trace_stack, a_delta_holds_only_the_changed_words)
{
	struct trace_stack enc = { 0 }, dec = { 0 };
	uint8_t a[3072], b[3072];
	size_t n;

	fill(a, sizeof(a), 1);
	memcpy(b, a, sizeof(b));
	b[0] ^= 1;               /* the leaf's word */
	b[800] ^= 0xff;          /* a saved register */
	memset(b + 1600, 7, 16); /* two words of a local */
	cr_assert_eq(trace_stack__set(&enc, TOP, a, sizeof(a)), 0);
	cr_assert_eq(trace_stack__set(&dec, 0, a, sizeof(a)), 0);
	n = round_trip(&enc, &dec, b, sizeof(b));
	/* the head, and 4 words in 3 runs with their heads, plus a last run of skip only */
	cr_assert_eq(n, TRACE_STACK_DELTA_HEAD + 4 * TRACE_STACK_RUN_HEAD + 4 * 8, "delta of %zu bytes", n);
	trace_stack__exit(&enc);
	trace_stack__exit(&dec);
}

Test(common_trace_stack, a_deeper_copy_stores_what_lies_below_the_known_bytes)
{
	struct trace_stack enc = { 0 }, dec = { 0 };
	uint8_t a[1024], b[2048], c[2048];

	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	memcpy(b + 1024, a, 1024); /* the same outer frames, 1 KiB more below them */
	cr_assert_eq(trace_stack__set(&enc, TOP, a, sizeof(a)), 0);
	cr_assert_eq(trace_stack__set(&dec, 0, a, sizeof(a)), 0);
	cr_assert_leq(round_trip(&enc, &dec, b, sizeof(b)), TRACE_STACK_DELTA_HEAD + 2 * TRACE_STACK_RUN_HEAD + 1024);
	cr_assert_eq(dec.known, 2048);
	/* a shallower copy, then a deep one again: the bytes under the shallow one are still known */
	cr_assert_eq(round_trip(&enc, &dec, a, sizeof(a)), TRACE_STACK_DELTA_HEAD + TRACE_STACK_RUN_HEAD);
	cr_assert_eq(dec.known, 2048);
	memcpy(c, b, sizeof(c));
	c[8] ^= 1;
	cr_assert_eq(round_trip(&enc, &dec, c, sizeof(c)), TRACE_STACK_DELTA_HEAD + 2 * TRACE_STACK_RUN_HEAD + 8);
	trace_stack__exit(&enc);
	trace_stack__exit(&dec);
}

Test(common_trace_stack, no_delta_when_it_would_not_be_shorter)
{
	struct trace_stack enc = { 0 };
	uint8_t a[512], b[512], out[512];

	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	cr_assert_eq(trace_stack__set(&enc, TOP, a, sizeof(a)), 0);
	cr_assert_eq(trace_stack__encode(&enc, b, sizeof(b), out, sizeof(out)), 0);
	/* nor without a base, nor for a copy whose length is not in words */
	enc.known = 0;
	cr_assert_eq(trace_stack__encode(&enc, a, sizeof(a), out, sizeof(out)), 0);
	cr_assert_eq(trace_stack__set(&enc, TOP, a, sizeof(a)), 0);
	cr_assert_eq(trace_stack__encode(&enc, a, 100, out, sizeof(out)), 0);
	trace_stack__exit(&enc);
}

/* A delta of @len bytes made of @runs {skip, lit} pairs, each followed by lit bytes of 0x5a. */
static size_t make_delta(uint8_t *out, uint32_t len, uint32_t known, const uint16_t (*runs)[2], size_t nr)
{
	size_t o = TRACE_STACK_DELTA_HEAD;

	memcpy(out, &len, 4);
	memcpy(out + 4, &known, 4);
	for (size_t i = 0; i < nr; i++) {
		memcpy(out + o, runs[i], 4);
		o += 4;
		memset(out + o, 0x5a, runs[i][1]);
		o += runs[i][1];
	}
	return o;
}

struct hostile {
	const char *what;
	uint32_t len, known;
	uint16_t runs[3][2];
	size_t nr;
	size_t cut; /* bytes taken off the end */
};

Test(common_trace_stack, hostile_deltas_are_refused)
{
	static const struct hostile cases[] = {
		{ "a skip past the copy", 64, 64, { { 72, 0 } }, 1, 0 },
		{ "a literal past the copy", 64, 64, { { 0, 72 } }, 1, 0 },
		{ "a run that makes no progress", 64, 64, { { 0, 0 }, { 64, 0 } }, 2, 0 },
		{ "a skip over bytes nobody knows", 128, 64, { { 8, 120 } }, 1, 0 },
		{ "runs that stop short", 64, 64, { { 8, 8 } }, 1, 0 },
		{ "a literal cut short", 64, 64, { { 0, 64 } }, 1, 1 },
		{ "a run head cut short", 64, 64, { { 8, 8 } }, 1, 10 + 2 },
		{ "the wrong known bytes", 64, 32, { { 64, 0 } }, 1, 0 },
		{ "an empty copy", 0, 64, { { 0, 0 } }, 0, 0 },
		{ "a copy longer than any", 70000, 64, { { 64, 0 } }, 1, 0 },
	};
	uint8_t a[64], delta[512];

	fill(a, sizeof(a), 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hostile *c = &cases[i];
		struct trace_stack dec = { 0 };
		size_t n = make_delta(delta, c->len, c->known, c->runs, c->nr);

		cr_assert_eq(trace_stack__set(&dec, 0, a, sizeof(a)), 0);
		/* the cut bytes are gone: give the decoder its own exact-size copy, for ASan to watch */
		uint8_t *exact = malloc(n - c->cut);

		memcpy(exact, delta, n - c->cut);
		cr_assert_eq(trace_stack__apply(&dec, exact, n - c->cut), -FREC_E_PARSE, "%s: accepted", c->what);
		cr_assert_eq(dec.known, 0, "%s: still a base", c->what);
		/* and the thread has no base for the next delta either */
		n = make_delta(delta, 64, 64, (const uint16_t[][2]){ { 64, 0 } }, 1);
		cr_assert_eq(trace_stack__apply(&dec, delta, n), -FREC_E_PARSE, "%s: a base after it", c->what);
		free(exact);
		trace_stack__exit(&dec);
	}
}

Test(common_trace_stack, a_delta_without_a_base_is_refused)
{
	struct trace_stack dec = { 0 };
	uint8_t delta[64];
	size_t n = make_delta(delta, 64, 64, (const uint16_t[][2]){ { 64, 0 } }, 1);

	cr_assert_eq(trace_stack__apply(&dec, delta, n), -FREC_E_PARSE);
	cr_assert_eq(trace_stack__apply(&dec, delta, 3), -FREC_E_PARSE);
	trace_stack__exit(&dec);
}

Test(common_trace_stack, stacks_are_per_thread_bounded_and_emptied_per_frame)
{
	struct trace_stacks ss;
	struct trace_stack *a, *b;
	uint8_t copy[64];

	fill(copy, sizeof(copy), 1);
	trace_stacks__init(&ss, 2);
	a = trace_stacks__get(&ss, 10);
	b = trace_stacks__get(&ss, 11);
	cr_assert(a && b && a != b);
	cr_assert_null(trace_stacks__get(&ss, 12), "a third thread past the bound");
	cr_assert_eq(trace_stack__set(a, TOP, copy, sizeof(copy)), 0);
	cr_assert_eq(trace_stacks__get(&ss, 10), a);
	cr_assert_eq(trace_stacks__get(&ss, 10)->known, 64);
	trace_stacks__reset(&ss);
	cr_assert_eq(trace_stacks__get(&ss, 12)->known, 0, "a base survived the frame");
	cr_assert_eq(trace_stacks__get(&ss, 10)->known, 0, "a base survived the frame");
	trace_stacks__exit(&ss);
}

/* ---- In a trace --------------------------------------------------------------------------------- */

#define ID 5
#define EXTRA (PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER)
#define COPY 1024

static char path[256];

/* A sample of thread @tid with a whole copy of seed @seed into @rec; its decoded form in @s. */
static size_t whole_sample(uint8_t *rec, const struct trace_event *ev, uint32_t tid, uint64_t seed,
			   struct trace_sample *s)
{
	uint64_t chain[] = { PERF_CONTEXT_USER, 0x401000 };
	size_t n = fix_sample(rec, EXTRA, ID, 0x401000, 42, tid, 100 + seed, chain, 2, COPY, COPY);

	cr_assert_eq(trace_event__parse_sample(ev, (const void *)rec, s), 0);
	fill((uint8_t *)s->stack, COPY, seed);
	return n;
}

/*
 * Write a trace: thread 43's whole copy A and a delta to copy B; a frame boundary; then, when
 * @cross, a delta to copy C made against B (as a writer must not: it lies in the last frame),
 * else C whole.  Returns the path.
 */
static const char *write_deltas(bool cross, uint8_t *b_copy, uint8_t *c_copy)
{
	static const char *const kv[] = { "event=cpu-clock" };
	struct trace_meta meta = { .start_ns = 1, .clockid = CLOCK_MONOTONIC, .nr_cpus = 1, .page_size = 4096,
				   .version_major = TRACE_VERSION_MAJOR_STACK_DELTA, .nr_kv = 1, .kv = kv };
	struct perf_event_attr attr = fix_attr(EXTRA);
	struct trace_event ev = { .attr = attr };
	struct trace_stack enc = { 0 };
	struct trace_writer *w;
	struct trace_sample s;
	uint8_t rec[4096], out[4096], delta[COPY];
	uint64_t id = ID;
	char dir[128];
	size_t n, d;

	attr.sample_regs_user = 0x7;
	attr.sample_stack_user = COPY;
	ev.attr = attr;
	snprintf(path, sizeof(path), "%s/d.zst", test_tmpdir(dir, sizeof(dir)));
	cr_assert_eq(fix_writer_open(path, NULL, &w), 0);
	cr_assert_eq(trace_writer__write_header(w, &meta), 0);
	cr_assert_eq(trace_writer__write_attr(w, &attr, &id, 1, "cpu-clock"), 0);
	cr_assert_eq(trace_writer__flush(w), 0);

	n = whole_sample(rec, &ev, 43, 1, &s);
	cr_assert_eq(trace_stack__set(&enc, TOP, s.stack, COPY), 0);
	cr_assert_eq(trace_writer__write(w, rec, n), 0);

	for (int i = 0; i < 2; i++) {
		uint8_t *want = i ? c_copy : b_copy;

		n = whole_sample(rec, &ev, 43, 1, &s);
		memcpy(want, s.stack, COPY);
		want[i ? 16 : 24] ^= 0x40; /* the leaf moved */
		memcpy((uint8_t *)s.stack, want, COPY);
		if (i && !cross) {
			cr_assert_eq(trace_writer__write(w, rec, n), 0);
			break;
		}
		d = trace_stack__encode(&enc, s.stack, COPY, delta, sizeof(delta));
		cr_assert_gt(d, 0);
		n = trace_sample__put_stack(&s, (const void *)rec, delta, d, COPY | TRACE_STACK_DELTA, out);
		cr_assert_eq(trace_writer__write(w, out, n), 0);
		if (!i)
			cr_assert_eq(trace_writer__flush(w), 0); /* the frame boundary */
	}
	cr_assert_eq(trace_writer__close(w), 0);
	trace_stack__exit(&enc);
	return path;
}

/* Read every sample of @p: their copies into @copies (NULL when a sample had none). */
static size_t read_copies(const char *p, uint8_t copies[][COPY], bool *has, uint64_t *bad)
{
	struct trace_reader *r;
	const struct perf_event_header *h;
	size_t n = 0;

	cr_assert_eq(trace_reader__open(p, &r), 0);
	while (trace_reader__next(r, &h) > 0) {
		struct trace_sample s;

		if (h->type != PERF_RECORD_SAMPLE)
			continue;
		cr_assert_eq(trace_reader__parse_sample(r, h, &s), 0);
		has[n] = s.stack != NULL;
		if (s.stack) {
			cr_assert_eq(s.stack_dyn_size, COPY);
			memcpy(copies[n], s.stack, COPY);
		}
		n++;
	}
	*bad = trace_reader__status(r)->bad_stacks;
	trace_reader__close(r);
	return n;
}

Test(common_trace_stack, a_reader_rebuilds_the_copies_of_a_frame)
{
	static uint8_t copies[3][COPY], b[COPY], c[COPY];
	bool has[3];
	uint64_t bad;

	cr_assert_eq(read_copies(write_deltas(false, b, c), copies, has, &bad), 3);
	cr_assert(has[0] && has[1] && has[2]);
	cr_assert_eq(memcmp(copies[1], b, COPY), 0, "the delta decoded to other bytes");
	cr_assert_eq(memcmp(copies[2], c, COPY), 0);
	cr_assert_eq(bad, 0);
}

Test(common_trace_stack, a_delta_across_a_frame_boundary_has_no_base)
{
	static uint8_t copies[3][COPY], b[COPY], c[COPY];
	bool has[3];
	uint64_t bad;

	cr_assert_eq(read_copies(write_deltas(true, b, c), copies, has, &bad), 3);
	cr_assert(has[0] && has[1]);
	cr_assert_not(has[2], "a delta decoded against the last frame's copy");
	cr_assert_eq(bad, 1);
}

Test(common_trace_stack, a_reader_rereads_the_deltas_after_a_rewind)
{
	static uint8_t b[COPY], c[COPY];
	struct trace_reader *r;
	const struct perf_event_header *h;
	int copies = 0;

	cr_assert_eq(trace_reader__open(write_deltas(false, b, c), &r), 0);
	for (int pass = 0; pass < 2; pass++) {
		trace_reader__rewind(r);
		while (trace_reader__next(r, &h) > 0) {
			struct trace_sample s;

			if (h->type == PERF_RECORD_SAMPLE && !trace_reader__parse_sample(r, h, &s) && s.stack &&
			    (!memcmp(s.stack, b, COPY) || !memcmp(s.stack, c, COPY)))
				copies++;
		}
	}
	cr_assert_eq(copies, 4);
	cr_assert_eq(trace_reader__status(r)->bad_stacks, 0);
	trace_reader__close(r);
}
