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

/* Record @type with @len bytes of fields at @body, then fix_attr()'s sample_id trailer (pid 7, time 555). */
static size_t fix_record(void *buf, uint32_t type, uint16_t misc, const void *body, size_t len)
{
	struct perf_event_header *h = buf;
	uint8_t *p = (uint8_t *)(h + 1);

	h->type = type;
	h->misc = misc;
	memcpy(p, body, len);
	p += len;
	fix_put(&p, 7); /* pid/tid */
	fix_put(&p, 555); /* time */
	fix_put(&p, 1);   /* cpu */
	fix_put(&p, 99);  /* identifier */
	h->size = (uint16_t)(p - (uint8_t *)buf);
	return h->size;
}

/* An MMAP2 body: pid 7, tid 8, [0x1000, 0x3000) at offset 0x2000, prot 5, then @path (padded). */
static size_t mmap2_body(uint8_t *b, bool build_id, const char *path)
{
	uint32_t ids[2] = { 7, 8 }, pf[2] = { 5, 2 };
	uint64_t v[3] = { 0x1000, 0x2000, 0x2000 };
	size_t n = strlen(path) + 1;

	memset(b, 0, 64 + ((n + 7) & ~7ul));
	memcpy(b, ids, 8);
	memcpy(b + 8, v, 24);
	if (build_id) {
		b[32] = 3;
		memcpy(b + 36, "\x01\x02\x03", 3);
	} else {
		uint32_t mm[2] = { 8, 1 };
		uint64_t ino[2] = { 4242, 1 };

		memcpy(b + 32, mm, 8);
		memcpy(b + 40, ino, 16);
	}
	memcpy(b + 56, pf, 8);
	memcpy(b + 64, path, n);
	return 64 + ((n + 7) & ~7ul);
}

Test(common_trace_event, decodes_mmap2_records_with_a_build_id_or_an_inode)
{
	struct trace_event ev = { .attr = fix_attr(0) };
	uint8_t body[128];
	uint64_t rec[64];
	struct trace_mmap m;
	size_t len = mmap2_body(body, true, "/usr/lib/libc.so.6");

	fix_record(rec, PERF_RECORD_MMAP2, PERF_RECORD_MISC_MMAP_BUILD_ID, body, len);
	cr_assert_eq(trace_event__parse_mmap(&ev, (void *)rec, &m), 0);
	cr_assert(m.is_mmap2 && m.has_build_id);
	cr_assert_eq(m.pid, 7);
	cr_assert_eq(m.tid, 8);
	cr_assert_eq(m.addr, 0x1000);
	cr_assert_eq(m.len, 0x2000);
	cr_assert_eq(m.pgoff, 0x2000);
	cr_assert_eq(m.build_id_size, 3);
	cr_assert_eq(memcmp(m.build_id, "\x01\x02\x03", 3), 0);
	cr_assert_eq(m.prot, 5);
	cr_assert_eq(m.flags, 2);
	cr_assert_eq(m.filename_len, strlen("/usr/lib/libc.so.6"));
	cr_assert_eq(memcmp(m.filename, "/usr/lib/libc.so.6", m.filename_len), 0);

	len = mmap2_body(body, false, "/bin/sh");
	fix_record(rec, PERF_RECORD_MMAP2, 0, body, len);
	cr_assert_eq(trace_event__parse_mmap(&ev, (void *)rec, &m), 0);
	cr_assert_not(m.has_build_id);
	cr_assert_eq(m.maj, 8);
	cr_assert_eq(m.min, 1);
	cr_assert_eq(m.ino, 4242);
	cr_assert_eq(m.ino_generation, 1);
	cr_assert_eq(m.filename_len, 7);
}

Test(common_trace_event, a_file_name_ends_before_the_sample_id_trailer)
{
	struct trace_event ev = { .attr = fix_attr(0) };
	uint8_t body[128];
	uint64_t rec[64];
	struct trace_mmap m;
	/* the name fills its room with no NUL: the trailer's bytes are not part of it */
	size_t len = mmap2_body(body, true, "/abcdefghijklmn");

	body[64 + 15] = 'o';
	fix_record(rec, PERF_RECORD_MMAP2, PERF_RECORD_MISC_MMAP_BUILD_ID, body, len);
	cr_assert_eq(trace_event__parse_mmap(&ev, (void *)rec, &m), 0);
	cr_assert_eq(m.filename_len, 16);
	/* without sample_id_all the trailer would be read as more of the name */
	ev.attr.sample_id_all = 0;
	cr_assert_eq(trace_event__parse_mmap(&ev, (void *)rec, &m), 0);
	cr_assert_eq(m.filename_len, 17, "%zu", m.filename_len);
}

Test(common_trace_event, decodes_mmap_comm_task_lost_and_throttle_records)
{
	struct trace_event ev = { .attr = fix_attr(0) };
	uint64_t rec[64], body[8] = { 0 };
	struct trace_throttle th;
	struct trace_comm c;
	struct trace_task t;
	struct trace_lost l;
	struct trace_mmap m;
	uint32_t ids[4] = { 7, 1, 8, 2 };

	memcpy(body, ids, 8);
	body[1] = 0x400000;
	body[2] = 0x1000;
	body[3] = 0;
	memcpy(&body[4], "/bin/ls", 8);
	fix_record(rec, PERF_RECORD_MMAP, 0, body, 40);
	cr_assert_eq(trace_event__parse_mmap(&ev, (void *)rec, &m), 0);
	cr_assert(!m.is_mmap2 && !m.prot);
	cr_assert_eq(m.addr, 0x400000);
	cr_assert_eq(m.filename_len, 7);

	fix_comm(rec, 7, 8, "worker", 12345, 99);
	((struct perf_event_header *)rec)->misc = PERF_RECORD_MISC_COMM_EXEC;
	cr_assert_eq(trace_event__parse_comm(&ev, (void *)rec, &c), 0);
	cr_assert(c.exec);
	cr_assert_eq(c.pid, 7);
	cr_assert_eq(c.tid, 8);
	cr_assert_eq(c.comm_len, 6);
	cr_assert_eq(memcmp(c.comm, "worker", 6), 0);

	memcpy(body, ids, 16);
	body[2] = 777;
	fix_record(rec, PERF_RECORD_FORK, 0, body, 24);
	cr_assert_eq(trace_event__parse_task(&ev, (void *)rec, &t), 0);
	cr_assert(t.pid == 7 && t.ppid == 1 && t.tid == 8 && t.ptid == 2 && t.time == 777);
	((struct perf_event_header *)rec)->type = PERF_RECORD_EXIT;
	cr_assert_eq(trace_event__parse_task(&ev, (void *)rec, &t), 0);

	body[0] = 3;
	body[1] = 12;
	body[2] = 13;
	fix_record(rec, PERF_RECORD_LOST, 0, body, 16);
	cr_assert_eq(trace_event__parse_lost(&ev, (void *)rec, &l), 0);
	cr_assert(l.id == 3 && l.lost == 12);
	fix_record(rec, PERF_RECORD_THROTTLE, 0, body, 24);
	cr_assert_eq(trace_event__parse_throttle(&ev, (void *)rec, &th), 0);
	cr_assert(th.time == 3 && th.id == 12 && th.stream_id == 13);
	/* a decoder refuses a record of another type */
	cr_assert_eq(trace_event__parse_lost(&ev, (void *)rec, &l), -FREC_E_PARSE);
}

Test(common_trace_event, short_records_of_every_type_are_refused)
{
	static const struct {
		uint32_t type;
		size_t fields; /* the shortest body that decodes */
	} types[] = {
		{ PERF_RECORD_MMAP, 33 }, { PERF_RECORD_MMAP2, 65 }, { PERF_RECORD_COMM, 9 },
		{ PERF_RECORD_FORK, 24 }, { PERF_RECORD_LOST, 16 }, { PERF_RECORD_THROTTLE, 24 },
	};
	struct trace_event ev = { .attr = fix_attr(0) };
	uint8_t body[128] = { 0 };
	uint64_t rec[64];

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (size_t len = 0; len <= types[i].fields; len++) {
			union {
				struct trace_mmap m;
				struct trace_comm c;
				struct trace_task t;
				struct trace_lost l;
				struct trace_throttle th;
			} u;
			const struct perf_event_header *h = (void *)rec;
			int want = len < types[i].fields ? -FREC_E_PARSE : 0, got;

			fix_record(rec, types[i].type, 0, body, len);
			switch (types[i].type) {
			case PERF_RECORD_MMAP:
			case PERF_RECORD_MMAP2:
				got = trace_event__parse_mmap(&ev, h, &u.m);
				break;
			case PERF_RECORD_COMM:
				got = trace_event__parse_comm(&ev, h, &u.c);
				break;
			case PERF_RECORD_FORK:
				got = trace_event__parse_task(&ev, h, &u.t);
				break;
			case PERF_RECORD_LOST:
				got = trace_event__parse_lost(&ev, h, &u.l);
				break;
			default:
				got = trace_event__parse_throttle(&ev, h, &u.th);
				break;
			}
			cr_assert_eq(got, want, "%s with %zu bytes of fields: %d", trace_rec__name(types[i].type), len,
				     got);
		}
	}
	/* a record too short for even its trailer */
	fix_record(rec, PERF_RECORD_LOST, 0, body, 16);
	((struct perf_event_header *)rec)->size = 16;
	{
		struct trace_lost l;

		cr_assert_eq(trace_event__parse_lost(&ev, (void *)rec, &l), -FREC_E_PARSE);
	}
}

Test(common_trace_event, decodes_switch_records)
{
	struct trace_event ev = { .attr = fix_attr(0) };
	uint32_t next[2] = { 40, 41 };
	struct trace_sample_id id;
	struct trace_switch sw;
	uint64_t rec[16];

	/* a per-task switch out, preempted: no fields, the thread and time in the trailer */
	fix_record(rec, PERF_RECORD_SWITCH, PERF_RECORD_MISC_SWITCH_OUT | PERF_RECORD_MISC_SWITCH_OUT_PREEMPT, next, 0);
	cr_assert_eq(trace_event__parse_switch(&ev, (void *)rec, &sw), 0);
	cr_assert(sw.out && sw.preempt && !sw.cpu_wide);
	cr_assert_eq(trace_event__parse_id(&ev, (void *)rec, &id), 0);
	cr_assert(id.valid && id.time == 555);
	/* a switch in never says preempted, whatever the bit */
	fix_record(rec, PERF_RECORD_SWITCH, PERF_RECORD_MISC_SWITCH_OUT_PREEMPT, next, 0);
	cr_assert_eq(trace_event__parse_switch(&ev, (void *)rec, &sw), 0);
	cr_assert(!sw.out && !sw.preempt);
	/* a CPU-wide one names the other thread */
	fix_record(rec, PERF_RECORD_SWITCH_CPU_WIDE, PERF_RECORD_MISC_SWITCH_OUT, next, 8);
	cr_assert_eq(trace_event__parse_switch(&ev, (void *)rec, &sw), 0);
	cr_assert(sw.out && sw.cpu_wide && sw.next_prev_pid == 40 && sw.next_prev_tid == 41);
	/* ...and is refused without it */
	fix_record(rec, PERF_RECORD_SWITCH_CPU_WIDE, 0, next, 4);
	cr_assert_eq(trace_event__parse_switch(&ev, (void *)rec, &sw), -FREC_E_PARSE);
	fix_record(rec, PERF_RECORD_LOST, 0, next, 8);
	cr_assert_eq(trace_event__parse_switch(&ev, (void *)rec, &sw), -FREC_E_PARSE);
}
