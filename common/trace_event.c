// SPDX-License-Identifier: MIT
/*
 * Decoding of the kernel's records, following the field order documented for PERF_RECORD_SAMPLE in
 * <linux/perf_event.h>.  Records come from files, so every length is checked against the record.
 */
#include <string.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/trace.h"

/* A bounded cursor over one record. */
struct cursor {
	const uint8_t *p, *end;
	bool bad;
};

static inline const void *take(struct cursor *c, uint64_t len)
{
	const uint8_t *p = c->p;

	if (c->bad || len > (uint64_t)(c->end - c->p)) {
		c->bad = true;
		return NULL;
	}
	c->p += len;
	return p;
}

static inline uint64_t take_u64(struct cursor *c)
{
	uint64_t v = 0;
	const void *p = take(c, 8);

	if (p)
		memcpy(&v, p, 8);
	return v;
}

/* Two u32 packed in one u64 slot (pid/tid, cpu/res). */
static inline void take_u32x2(struct cursor *c, uint32_t *a, uint32_t *b)
{
	const uint8_t *p = take(c, 8);

	if (p) {
		memcpy(a, p, 4);
		memcpy(b, p + 4, 4);
	}
}

static size_t read_format_size(uint64_t read_format)
{
	size_t entry = 8; /* value */
	size_t n;

	if (read_format & PERF_FORMAT_ID)
		entry += 8;
	if (read_format & PERF_FORMAT_LOST)
		entry += 8;
	n = 0;
	if (read_format & PERF_FORMAT_TOTAL_TIME_ENABLED)
		n += 8;
	if (read_format & PERF_FORMAT_TOTAL_TIME_RUNNING)
		n += 8;
	return n + entry;
}

int trace_event__parse_sample(const struct trace_event *ev, const struct perf_event_header *h,
			      struct trace_sample *s)
{
	uint64_t type = ev->attr.sample_type;
	struct cursor c = { (const uint8_t *)(h + 1), (const uint8_t *)h + trace_rec__size(h), false };
	uint32_t unused;

	memset(s, 0, sizeof(*s));
	s->event = ev;
	s->cpumode = h->misc & PERF_RECORD_MISC_CPUMODE_MASK;
	if (h->size < sizeof(*h))
		return -FREC_E_PARSE;
	if (type & PERF_SAMPLE_IDENTIFIER)
		s->id = take_u64(&c);
	if (type & PERF_SAMPLE_IP)
		s->ip = take_u64(&c);
	if (type & PERF_SAMPLE_TID)
		take_u32x2(&c, &s->pid, &s->tid);
	if (type & PERF_SAMPLE_TIME)
		s->time = take_u64(&c);
	if (type & PERF_SAMPLE_ADDR)
		s->addr = take_u64(&c);
	if (type & PERF_SAMPLE_ID)
		s->id = take_u64(&c);
	if (type & PERF_SAMPLE_STREAM_ID)
		s->stream_id = take_u64(&c);
	if (type & PERF_SAMPLE_CPU)
		take_u32x2(&c, &s->cpu, &unused);
	if (type & PERF_SAMPLE_PERIOD)
		s->period = take_u64(&c);
	if (type & PERF_SAMPLE_READ) {
		uint64_t rf = ev->attr.read_format;

		if (rf & PERF_FORMAT_GROUP) {
			uint64_t nr = take_u64(&c);
			size_t entry = 8 + (rf & PERF_FORMAT_ID ? 8 : 0) + (rf & PERF_FORMAT_LOST ? 8 : 0);
			size_t times = (rf & PERF_FORMAT_TOTAL_TIME_ENABLED ? 8 : 0) +
				       (rf & PERF_FORMAT_TOTAL_TIME_RUNNING ? 8 : 0);

			take(&c, times);
			if (nr > (uint64_t)(c.end - c.p) / entry)
				return -FREC_E_PARSE;
			take(&c, nr * entry);
		} else {
			take(&c, read_format_size(rf));
		}
	}
	if (type & PERF_SAMPLE_CALLCHAIN) {
		s->nr_callchain = take_u64(&c);
		if (s->nr_callchain > (uint64_t)(c.end - c.p) / 8)
			return -FREC_E_PARSE;
		s->callchain = take(&c, s->nr_callchain * 8);
	}
	if (type & PERF_SAMPLE_RAW) {
		/* u32 size, then the data; the kernel pads the pair to 8 bytes. */
		const uint8_t *p = take(&c, 4);

		if (p)
			memcpy(&s->raw_size, p, 4);
		s->raw = take(&c, s->raw_size);
		take(&c, (4 + (uint64_t)s->raw_size) % 8 ? 8 - (4 + s->raw_size) % 8 : 0);
	}
	if (type & PERF_SAMPLE_BRANCH_STACK) {
		uint64_t nr = take_u64(&c);

		if (ev->attr.branch_sample_type & PERF_SAMPLE_BRANCH_HW_INDEX)
			take_u64(&c);
		if (nr > (uint64_t)(c.end - c.p) / 24)
			return -FREC_E_PARSE;
		take(&c, nr * 24);
	}
	if (type & PERF_SAMPLE_REGS_USER) {
		s->regs_abi = take_u64(&c);
		if (s->regs_abi != PERF_SAMPLE_REGS_ABI_NONE) {
			s->regs_mask = ev->attr.sample_regs_user;
			s->regs = take(&c, 8 * (uint64_t)__builtin_popcountll(s->regs_mask));
		}
	}
	if (type & PERF_SAMPLE_STACK_USER) {
		/* u64 size, data[size], and u64 dyn_size only when size != 0. */
		s->stack_size = take_u64(&c);
		if (s->stack_size) {
			s->stack = take(&c, s->stack_size);
			s->stack_dyn_size = take_u64(&c);
			if (s->stack_dyn_size & TRACE_STACK_DELTA) {
				/* the copy is for the reader to decode (trace_reader__parse_sample()) */
				s->stack_delta = s->stack;
				s->stack_delta_len = s->stack_size;
				s->stack = NULL;
				s->stack_dyn_size &= ~TRACE_STACK_DELTA;
				s->stack_size = FREC_ALIGN(s->stack_dyn_size, 8);
				if (!s->stack_dyn_size || s->stack_size > TRACE_STACK_MAX)
					return -FREC_E_PARSE;
			} else if (s->stack_dyn_size > s->stack_size) {
				return -FREC_E_PARSE;
			}
		}
	}
	/* Fields after the stack (weight, data_src, ...) are not used by frec. */
	return c.bad ? -FREC_E_PARSE : 0;
}

size_t trace_sample__cut_stack(const struct trace_sample *s, const struct perf_event_header *h, void *out)
{
	if (!s->stack || s->stack_size == FREC_ALIGN(s->stack_dyn_size, 8)) {
		memcpy(out, h, h->size);
		return h->size;
	}
	return trace_sample__put_stack(s, h, s->stack, FREC_ALIGN((size_t)s->stack_dyn_size, 8), s->stack_dyn_size,
				       out);
}

size_t trace_sample__put_stack(const struct trace_sample *s, const struct perf_event_header *h,
			       const void *data, size_t len, uint64_t dyn_size, void *out)
{
	static const uint8_t zeros[8];
	const uint8_t *rec = (const uint8_t *)h;
	size_t size = h->size;
	uint8_t *o = out;
	size_t head, keep, tail_off;
	uint64_t new_size;

	/* [header .. size field) + size + data[keep] + dyn_size + the fields after it */
	head = (size_t)(s->stack - rec) - 8;
	keep = FREC_ALIGN(len, 8);
	tail_off = (size_t)(s->stack - rec) + s->stack_size + 8;
	memcpy(o, rec, head);
	new_size = keep;
	memcpy(o + head, &new_size, 8);
	if (keep) {
		memcpy(o + head + 8, data, len);
		memcpy(o + head + 8 + len, zeros, keep - len);
		memcpy(o + head + 8 + keep, &dyn_size, 8);
		memcpy(o + head + 16 + keep, rec + tail_off, size - tail_off);
		size = head + 16 + keep + (size - tail_off);
	} else {
		/* An empty copy is stored as the kernel stores one: size 0 and no dyn_size. */
		memcpy(o + head + 8, rec + tail_off, size - tail_off);
		size = head + 8 + (size - tail_off);
	}
	((struct perf_event_header *)o)->size = (uint16_t)size;
	return size;
}

/*
 * The sample_id trailer sits at the end of a non-sample record, fields in this order:
 * { u32 pid, tid } { u64 time } { u64 id } { u64 stream_id } { u32 cpu, res } { u64 id (IDENTIFIER) }
 */
/* Bytes of the sample_id trailer that event @ev appends to its non-sample records (NULL: none). */
static size_t id_trailer_size(const struct trace_event *ev)
{
	uint64_t type;
	size_t n = 0;

	if (!ev || !ev->attr.sample_id_all)
		return 0;
	type = ev->attr.sample_type;
	n += type & PERF_SAMPLE_TID ? 8 : 0;
	n += type & PERF_SAMPLE_TIME ? 8 : 0;
	n += type & PERF_SAMPLE_ID ? 8 : 0;
	n += type & PERF_SAMPLE_STREAM_ID ? 8 : 0;
	n += type & PERF_SAMPLE_CPU ? 8 : 0;
	n += type & PERF_SAMPLE_IDENTIFIER ? 8 : 0;
	return n;
}

int trace_event__parse_id(const struct trace_event *ev, const struct perf_event_header *h,
			  struct trace_sample_id *id)
{
	uint64_t type = ev->attr.sample_type;
	size_t n;
	struct cursor c;
	uint32_t unused;

	memset(id, 0, sizeof(*id));
	if (!ev->attr.sample_id_all || h->type == PERF_RECORD_SAMPLE || h->type >= TRACE_REC_BASE)
		return 0;
	n = id_trailer_size(ev);
	if (h->size < sizeof(*h) + n)
		return -FREC_E_PARSE;
	c = (struct cursor){ (const uint8_t *)h + h->size - n, (const uint8_t *)h + h->size, false };
	if (type & PERF_SAMPLE_TID)
		take_u32x2(&c, &id->pid, &id->tid);
	if (type & PERF_SAMPLE_TIME)
		id->time = take_u64(&c);
	if (type & PERF_SAMPLE_ID)
		id->id = take_u64(&c);
	if (type & PERF_SAMPLE_STREAM_ID)
		id->stream_id = take_u64(&c);
	if (type & PERF_SAMPLE_CPU)
		take_u32x2(&c, &id->cpu, &unused);
	if (type & PERF_SAMPLE_IDENTIFIER)
		id->id = take_u64(&c);
	id->valid = true;
	return 0;
}

/*
 * A cursor over the fields of a non-sample kernel record: from its header to its sample_id
 * trailer, which the decoders below leave to trace_event__parse_id().
 */
static struct cursor body_cursor(const struct trace_event *ev, const struct perf_event_header *h)
{
	size_t trailer = id_trailer_size(ev);
	const uint8_t *b = (const uint8_t *)(h + 1), *end = (const uint8_t *)h + h->size;

	if (h->size < sizeof(*h) + trailer)
		return (struct cursor){ b, b, true };
	return (struct cursor){ b, end - trailer, false };
}

/* A NUL-terminated string that ends the record's fields: at least its NUL must be there. */
static const char *take_string(struct cursor *c, size_t *len)
{
	const char *s = (const char *)c->p;

	if (c->bad || c->p == c->end) {
		c->bad = true;
		return NULL;
	}
	*len = strnlen(s, (size_t)(c->end - c->p));
	c->p = c->end;
	return s;
}

int trace_event__parse_mmap(const struct trace_event *ev, const struct perf_event_header *h, struct trace_mmap *m)
{
	struct cursor c = body_cursor(ev, h);

	memset(m, 0, sizeof(*m));
	if (h->type != PERF_RECORD_MMAP && h->type != PERF_RECORD_MMAP2)
		return -FREC_E_PARSE;
	m->is_mmap2 = h->type == PERF_RECORD_MMAP2;
	take_u32x2(&c, &m->pid, &m->tid);
	m->addr = take_u64(&c);
	m->len = take_u64(&c);
	m->pgoff = take_u64(&c);
	if (m->is_mmap2) {
		const uint8_t *u = take(&c, 24);

		/* { u32 maj, min; u64 ino, ino_generation } or { u8 size, u8, u16; u8 build_id[20] } */
		if (u && (h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID)) {
			m->has_build_id = true;
			m->build_id_size = u[0] > sizeof(m->build_id) ? sizeof(m->build_id) : u[0];
			memcpy(m->build_id, u + 4, m->build_id_size);
		} else if (u) {
			memcpy(&m->maj, u, 4);
			memcpy(&m->min, u + 4, 4);
			memcpy(&m->ino, u + 8, 8);
			memcpy(&m->ino_generation, u + 16, 8);
		}
		take_u32x2(&c, &m->prot, &m->flags);
	}
	m->filename = take_string(&c, &m->filename_len);
	return c.bad ? -FREC_E_PARSE : 0;
}

int trace_event__parse_comm(const struct trace_event *ev, const struct perf_event_header *h, struct trace_comm *cm)
{
	struct cursor c = body_cursor(ev, h);

	memset(cm, 0, sizeof(*cm));
	if (h->type != PERF_RECORD_COMM)
		return -FREC_E_PARSE;
	take_u32x2(&c, &cm->pid, &cm->tid);
	cm->exec = h->misc & PERF_RECORD_MISC_COMM_EXEC;
	cm->comm = take_string(&c, &cm->comm_len);
	return c.bad ? -FREC_E_PARSE : 0;
}

int trace_event__parse_task(const struct trace_event *ev, const struct perf_event_header *h, struct trace_task *t)
{
	struct cursor c = body_cursor(ev, h);

	memset(t, 0, sizeof(*t));
	if (h->type != PERF_RECORD_FORK && h->type != PERF_RECORD_EXIT)
		return -FREC_E_PARSE;
	take_u32x2(&c, &t->pid, &t->ppid);
	take_u32x2(&c, &t->tid, &t->ptid);
	t->time = take_u64(&c);
	return c.bad ? -FREC_E_PARSE : 0;
}

int trace_event__parse_lost(const struct trace_event *ev, const struct perf_event_header *h, struct trace_lost *l)
{
	struct cursor c = body_cursor(ev, h);

	memset(l, 0, sizeof(*l));
	if (h->type != PERF_RECORD_LOST)
		return -FREC_E_PARSE;
	l->id = take_u64(&c);
	l->lost = take_u64(&c);
	return c.bad ? -FREC_E_PARSE : 0;
}

int trace_event__parse_switch(const struct trace_event *ev, const struct perf_event_header *h,
			      struct trace_switch *sw)
{
	struct cursor c = body_cursor(ev, h);

	memset(sw, 0, sizeof(*sw));
	if (h->type != PERF_RECORD_SWITCH && h->type != PERF_RECORD_SWITCH_CPU_WIDE)
		return -FREC_E_PARSE;
	sw->out = h->misc & PERF_RECORD_MISC_SWITCH_OUT;
	sw->preempt = sw->out && (h->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT);
	if (h->type == PERF_RECORD_SWITCH_CPU_WIDE) {
		sw->cpu_wide = true;
		take_u32x2(&c, &sw->next_prev_pid, &sw->next_prev_tid);
	}
	return c.bad ? -FREC_E_PARSE : 0;
}

int trace_event__parse_throttle(const struct trace_event *ev, const struct perf_event_header *h,
				struct trace_throttle *t)
{
	struct cursor c = body_cursor(ev, h);

	memset(t, 0, sizeof(*t));
	if (h->type != PERF_RECORD_THROTTLE && h->type != PERF_RECORD_UNTHROTTLE)
		return -FREC_E_PARSE;
	t->time = take_u64(&c);
	t->id = take_u64(&c);
	t->stream_id = take_u64(&c);
	return c.bad ? -FREC_E_PARSE : 0;
}

const char *trace_rec__name(uint32_t type)
{
	static const char *const kernel[] = {
		[PERF_RECORD_MMAP] = "MMAP",
		[PERF_RECORD_LOST] = "LOST",
		[PERF_RECORD_COMM] = "COMM",
		[PERF_RECORD_EXIT] = "EXIT",
		[PERF_RECORD_THROTTLE] = "THROTTLE",
		[PERF_RECORD_UNTHROTTLE] = "UNTHROTTLE",
		[PERF_RECORD_FORK] = "FORK",
		[PERF_RECORD_READ] = "READ",
		[PERF_RECORD_SAMPLE] = "SAMPLE",
		[PERF_RECORD_MMAP2] = "MMAP2",
		[PERF_RECORD_AUX] = "AUX",
		[PERF_RECORD_ITRACE_START] = "ITRACE_START",
		[PERF_RECORD_LOST_SAMPLES] = "LOST_SAMPLES",
		[PERF_RECORD_SWITCH] = "SWITCH",
		[PERF_RECORD_SWITCH_CPU_WIDE] = "SWITCH_CPU_WIDE",
		[PERF_RECORD_NAMESPACES] = "NAMESPACES",
		[PERF_RECORD_KSYMBOL] = "KSYMBOL",
		[PERF_RECORD_BPF_EVENT] = "BPF_EVENT",
		[PERF_RECORD_CGROUP] = "CGROUP",
		[PERF_RECORD_TEXT_POKE] = "TEXT_POKE",
		[PERF_RECORD_AUX_OUTPUT_HW_ID] = "AUX_OUTPUT_HW_ID",
	};
	static const char *const own[] = {
		[TRACE_REC_HEADER - TRACE_REC_BASE] = "HEADER",
		[TRACE_REC_ATTR - TRACE_REC_BASE] = "ATTR",
		[TRACE_REC_FOOTER - TRACE_REC_BASE] = "FOOTER",
		[TRACE_REC_BUILD_ID - TRACE_REC_BASE] = "BUILD_ID",
		[TRACE_REC_KSYMS - TRACE_REC_BASE] = "KSYMS",
		[TRACE_REC_PERF_MAP - TRACE_REC_BASE] = "PERF_MAP",
		[TRACE_REC_ROUND - TRACE_REC_BASE] = "ROUND",
	};
	const char *name = NULL;

	if (type < sizeof(kernel) / sizeof(kernel[0]))
		name = kernel[type];
	else if (type >= TRACE_REC_BASE && type - TRACE_REC_BASE < sizeof(own) / sizeof(own[0]))
		name = own[type - TRACE_REC_BASE];
	return name ? name : "UNKNOWN";
}
