// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: a trace reader over arbitrary bytes must never crash, whatever it reports.
 */
#include <stddef.h>
#include <stdint.h>

#include "frec/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct perf_event_header *h;
	struct trace_reader *r;

	if (trace_reader__open_mem(data, size, &r))
		return 0;
	while (trace_reader__next(r, &h) > 0) {
		struct trace_sample s;
		struct trace_sample_id id;

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
	trace_reader__close(r);
	return 0;
}
