// SPDX-License-Identifier: MIT
/*
 * Decoding of kernel records and the recorder's stack cut.
 */
#include <criterion/criterion.h>

#include "frec/error.h"
#include "frec/trace.h"
#include "trace_fixture.h"

#define DWARF_TYPE (PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER)

static struct trace_event dwarf_event(void)
{
	struct trace_event ev = { .attr = fix_attr(DWARF_TYPE), .name = "cpu-clock" };

	ev.attr.sample_regs_user = 0x7; /* three registers */
	ev.attr.sample_stack_user = 1024;
	return ev;
}

Test(common_trace_event, decodes_every_field_of_a_dwarf_sample)
{
	struct trace_event ev = dwarf_event();
	uint64_t chain[] = { PERF_CONTEXT_USER, 0xaaa, 0xbbb };
	uint64_t rec[256];
	struct trace_sample s;

	fix_sample(rec, DWARF_TYPE, 5, 0x1234, 10, 11, 999, chain, 3, 1024, 300);
	cr_assert_eq(trace_event__parse_sample(&ev, (void *)rec, &s), 0);
	cr_assert_eq(s.id, 5);
	cr_assert_eq(s.ip, 0x1234);
	cr_assert_eq(s.pid, 10);
	cr_assert_eq(s.tid, 11);
	cr_assert_eq(s.time, 999);
	cr_assert_eq(s.cpu, 1);
	cr_assert_eq(s.period, 10101010);
	cr_assert_eq(s.nr_callchain, 3);
	cr_assert_eq(s.callchain[1], 0xaaa);
	cr_assert_eq(s.regs_abi, PERF_SAMPLE_REGS_ABI_64);
	cr_assert_eq(s.regs[0], 0x1111);
	cr_assert_eq(s.regs[2], 0x3333);
	cr_assert_eq(s.stack_size, 1024);
	cr_assert_eq(s.stack_dyn_size, 300);
	cr_assert_eq(s.stack[0], 0xab);
	cr_assert_eq(s.cpumode, PERF_RECORD_MISC_USER);
}

Test(common_trace_event, cut_stack_keeps_only_the_valid_bytes)
{
	struct trace_event ev = dwarf_event();
	uint64_t chain[] = { 0xaaa };
	uint64_t rec[256], out[256];
	struct trace_sample s, t;
	size_t n;

	fix_sample(rec, DWARF_TYPE, 5, 0x1234, 10, 11, 999, chain, 1, 1024, 300);
	cr_assert_eq(trace_event__parse_sample(&ev, (void *)rec, &s), 0);
	n = trace_sample__cut_stack(&s, (void *)rec, out);
	cr_assert_eq(n, ((struct perf_event_header *)rec)->size - 1024 + 304);
	cr_assert_eq(((struct perf_event_header *)out)->size, n);
	cr_assert_eq(trace_event__parse_sample(&ev, (void *)out, &t), 0);
	cr_assert_eq(t.stack_size, 304);
	cr_assert_eq(t.stack_dyn_size, 300);
	cr_assert_eq(t.ip, 0x1234);
	cr_assert_eq(t.regs[1], 0x2222);
	cr_assert_eq(memcmp(t.stack, s.stack, 300), 0);
}

Test(common_trace_event, cut_of_an_empty_copy_stores_no_copy)
{
	struct trace_event ev = dwarf_event();
	uint64_t rec[256], out[256];
	struct trace_sample s, t;
	size_t n;

	fix_sample(rec, DWARF_TYPE, 5, 0x1234, 10, 11, 999, NULL, 0, 1024, 0);
	cr_assert_eq(trace_event__parse_sample(&ev, (void *)rec, &s), 0);
	n = trace_sample__cut_stack(&s, (void *)rec, out);
	cr_assert_eq(trace_event__parse_sample(&ev, (void *)out, &t), 0);
	cr_assert_eq(t.stack_size, 0);
	cr_assert_null(t.stack);
	cr_assert_eq(n, ((struct perf_event_header *)rec)->size - 1024 - 8);
}

Test(common_trace_event, a_full_copy_is_left_alone)
{
	struct trace_event ev = dwarf_event();
	uint64_t rec[256], out[256];
	struct trace_sample s;

	fix_sample(rec, DWARF_TYPE, 5, 0x1234, 10, 11, 999, NULL, 0, 1024, 1024);
	cr_assert_eq(trace_event__parse_sample(&ev, (void *)rec, &s), 0);
	cr_assert_eq(trace_sample__cut_stack(&s, (void *)rec, out), ((struct perf_event_header *)rec)->size);
	cr_assert_eq(memcmp(rec, out, ((struct perf_event_header *)rec)->size), 0);
}

Test(common_trace_event, rejects_lengths_that_overrun_the_record)
{
	struct trace_event ev = dwarf_event();
	uint64_t chain[] = { 0xaaa, 0xbbb };
	uint64_t rec[256];
	struct perf_event_header *h = (void *)rec;
	struct trace_sample s;
	size_t full = fix_sample(rec, DWARF_TYPE, 5, 0x1234, 10, 11, 999, chain, 2, 64, 8);

	/* Every shorter size must be refused, never read past. */
	for (size_t size = 8; size < full; size += 8) {
		h->size = (uint16_t)size;
		cr_assert_eq(trace_event__parse_sample(&ev, h, &s), -FREC_E_PARSE, "size %zu accepted", size);
	}
	h->size = (uint16_t)full;
	cr_assert_eq(trace_event__parse_sample(&ev, h, &s), 0);
	/* A callchain count larger than the record. */
	rec[7] = 1u << 30;
	cr_assert_eq(trace_event__parse_sample(&ev, h, &s), -FREC_E_PARSE);
}

Test(common_trace_event, sample_id_trailer_of_non_sample_records)
{
	struct trace_event ev = { .attr = fix_attr(0) };
	uint64_t rec[64];
	struct trace_sample_id id;

	fix_comm(rec, 7, 8, "worker", 12345, 99);
	cr_assert_eq(trace_event__parse_id(&ev, (void *)rec, &id), 0);
	cr_assert(id.valid);
	cr_assert_eq(id.pid, 7);
	cr_assert_eq(id.tid, 8);
	cr_assert_eq(id.time, 12345);
	cr_assert_eq(id.cpu, 1);
	cr_assert_eq(id.id, 99);
	ev.attr.sample_id_all = 0;
	cr_assert_eq(trace_event__parse_id(&ev, (void *)rec, &id), 0);
	cr_assert_not(id.valid);
}

Test(common_trace_event, names_records)
{
	cr_assert_str_eq(trace_rec__name(PERF_RECORD_SAMPLE), "SAMPLE");
	cr_assert_str_eq(trace_rec__name(PERF_RECORD_MMAP2), "MMAP2");
	cr_assert_str_eq(trace_rec__name(TRACE_REC_FOOTER), "FOOTER");
	cr_assert_str_eq(trace_rec__name(5000), "UNKNOWN");
	cr_assert_str_eq(trace_rec__name(TRACE_REC_BASE + 500), "UNKNOWN");
}
