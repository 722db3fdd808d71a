// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: a trace reader over arbitrary bytes must never crash, whatever it reports; with
 * read-ahead (decompression on a thread of the reader's own) it must read the same records, and
 * a second pass after a rewind (which reuses the frames still decompressed) the same again.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "frec/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

/* Read every record left in @r; returns how many. */
static long read_pass(struct trace_reader *r)
{
	const struct perf_event_header *h;
	long n = 0;

	while (trace_reader__next(r, &h) > 0) {
		struct trace_sample s;
		struct trace_sample_id id;

		n++;
		if (h->type == PERF_RECORD_SAMPLE) {
			/* read every byte of a stack copy, rebuilt from a stack delta or not, for
			 * the sanitizers to see */
			if (!trace_reader__parse_sample(r, h, &s) && s.stack)
				for (uint64_t i = 0; i < s.stack_size; i++)
					sink += s.stack[i];
		} else {
			trace_reader__parse_id(r, h, &id);
		}
	}
	return n;
}

/* Read every record of the @size bytes at @data, twice; returns how many, or -1 if it cannot open them. */
static long read_all(const uint8_t *data, size_t size, bool ahead)
{
	struct trace_reader *r;
	long n;

	if (trace_reader__open_mem(data, size, &r))
		return -1;
	trace_reader__read_ahead(r, ahead);
	n = read_pass(r);
	trace_reader__rewind(r);
	if (read_pass(r) != n)
		abort();
	trace_reader__close(r);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (read_all(data, size, false) != read_all(data, size, true))
		abort();
	return 0;
}
