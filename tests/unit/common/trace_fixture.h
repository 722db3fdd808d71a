/* SPDX-License-Identifier: MIT */
/*
 * Builders of synthetic kernel records and traces for the trace tests.
 */
#ifndef FREC_TEST_TRACE_FIXTURE_H
#define FREC_TEST_TRACE_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "frec/trace.h"

/* A trace writer on @path, created or emptied (frec's commands create theirs in cli/output.c). */
static inline int fix_writer_open(const char *path, const struct trace_writer_opts *opts, struct trace_writer **out)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	*out = NULL;
	return fd < 0 ? -errno : trace_writer__open_fd(fd, opts, out);
}

#define FIX_SAMPLE_TYPE                                                                           \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |          \
	 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)

static inline struct perf_event_attr fix_attr(uint64_t extra_sample_type)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(a),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_freq = 99,
		.freq = 1,
		.sample_type = FIX_SAMPLE_TYPE | extra_sample_type,
		.sample_id_all = 1,
	};
	return a;
}

/* Append a u64 at *p. */
static inline void fix_put(uint8_t **p, uint64_t v)
{
	memcpy(*p, &v, 8);
	*p += 8;
}

/*
 * A sample of fix_attr(extra): id, ip, pid/tid, time, cpu, period, callchain; with
 * PERF_SAMPLE_REGS_USER|PERF_SAMPLE_STACK_USER in @extra also 3 registers and a stack copy of
 * @stack_size bytes (filled with 0xab), @dyn_size of them valid.  Returns the record size.
 */
static inline size_t fix_sample(void *buf, uint64_t extra, uint64_t id, uint64_t ip, uint32_t pid,
				uint32_t tid, uint64_t time, const uint64_t *chain, uint64_t nr,
				uint64_t stack_size, uint64_t dyn_size)
{
	struct perf_event_header *h = buf;
	uint8_t *p = (uint8_t *)(h + 1);

	h->type = PERF_RECORD_SAMPLE;
	h->misc = PERF_RECORD_MISC_USER;
	fix_put(&p, id);
	fix_put(&p, ip);
	fix_put(&p, (uint64_t)tid << 32 | pid);
	fix_put(&p, time);
	fix_put(&p, 1); /* cpu 1 */
	fix_put(&p, 10101010);
	fix_put(&p, nr);
	for (uint64_t i = 0; i < nr; i++)
		fix_put(&p, chain[i]);
	if (extra & PERF_SAMPLE_REGS_USER) {
		fix_put(&p, PERF_SAMPLE_REGS_ABI_64);
		fix_put(&p, 0x1111);
		fix_put(&p, 0x2222);
		fix_put(&p, 0x3333);
	}
	if (extra & PERF_SAMPLE_STACK_USER) {
		fix_put(&p, stack_size);
		memset(p, 0xab, stack_size);
		p += stack_size;
		if (stack_size)
			fix_put(&p, dyn_size);
	}
	h->size = (uint16_t)(p - (uint8_t *)buf);
	return h->size;
}

/* A COMM record with a sample_id trailer of fix_attr(). */
static inline size_t fix_comm(void *buf, uint32_t pid, uint32_t tid, const char *comm, uint64_t time,
			      uint64_t id)
{
	struct perf_event_header *h = buf;
	uint8_t *p = (uint8_t *)(h + 1);
	size_t n = strlen(comm) + 1;

	h->type = PERF_RECORD_COMM;
	h->misc = 0;
	memcpy(p, &pid, 4);
	memcpy(p + 4, &tid, 4);
	p += 8;
	memset(p, 0, (n + 7) & ~7ul);
	memcpy(p, comm, n);
	p += (n + 7) & ~7ul;
	/* trailer: tid, time, cpu, identifier */
	fix_put(&p, (uint64_t)tid << 32 | pid);
	fix_put(&p, time);
	fix_put(&p, 1);
	fix_put(&p, id);
	h->size = (uint16_t)(p - (uint8_t *)buf);
	return h->size;
}

#endif /* FREC_TEST_TRACE_FIXTURE_H */
