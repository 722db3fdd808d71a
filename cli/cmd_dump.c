// SPDX-License-Identifier: MIT
/*
 * frec dump: print a trace's records in readable form, one line each, for debugging and tests.
 * Times are seconds since the start of the recording.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_opts.h"
#include "frec/error.h"
#include "frec/log.h"
#include "frec/trace.h"
#include "opt_seen.h"

static const char dump_help[] =
	"options:\n"
	"  -i, --input FILE   trace to read (default trace.zst)\n"
	"      --summary      print only the header and a count of each record type\n"
	"  -h, --help         show this help\n";

struct dump_opts {
	const char *input;
	bool summary;
};

struct dump_ctx {
	const struct trace_reader *r;
	uint64_t start_ns;
	FILE *out;
};

static void print_time(struct dump_ctx *d, uint64_t t)
{
	if (t >= d->start_ns)
		fprintf(d->out, "%5" PRIu64 ".%09" PRIu64 " ", (t - d->start_ns) / 1000000000,
			(t - d->start_ns) % 1000000000);
	else
		fprintf(d->out, "%15s ", "-");
}

static void dump_sample(struct dump_ctx *d, const struct perf_event_header *h)
{
	struct trace_sample s;

	if (trace_reader__parse_sample(d->r, h, &s)) {
		fprintf(d->out, "%15s SAMPLE malformed (%u bytes)\n", "-", h->size);
		return;
	}
	print_time(d, s.time);
	fprintf(d->out, "SAMPLE cpu %u pid %u tid %u ip %#" PRIx64 " period %" PRIu64 " %s", s.cpu, s.pid,
		s.tid, s.ip, s.period, s.cpumode == PERF_RECORD_MISC_KERNEL ? "kernel" : "user");
	if (s.event->attr.sample_type & PERF_SAMPLE_CALLCHAIN) {
		fprintf(d->out, " callchain %" PRIu64 ":", s.nr_callchain);
		for (uint64_t i = 0; i < s.nr_callchain; i++)
			fprintf(d->out, " %#" PRIx64, s.callchain[i]);
	}
	if (s.regs)
		fprintf(d->out, " regs abi %" PRIu64 " mask %#" PRIx64, s.regs_abi, s.regs_mask);
	if (s.event->attr.sample_type & PERF_SAMPLE_STACK_USER)
		fprintf(d->out, " stack %" PRIu64 "/%u", s.stack_dyn_size, s.event->attr.sample_stack_user);
	/* stored as a delta against the thread's earlier copies (frec-trace(5)): its stored bytes */
	if (s.stack_delta)
		fprintf(d->out, " delta %" PRIu64 "%s", s.stack_delta_len, s.stack ? "" : " undecodable");
	if (s.raw)
		fprintf(d->out, " raw %u", s.raw_size);
	fputc('\n', d->out);
}

static void dump_kernel(struct dump_ctx *d, const struct perf_event_header *h)
{
	const struct trace_event *ev = trace_reader__event(d->r, 0);
	struct trace_sample_id id;

	if (trace_reader__parse_id(d->r, h, &id) || !id.valid)
		id.time = 0;
	print_time(d, id.time);
	fprintf(d->out, "%s", trace_rec__name(h->type));
	switch (h->type) {
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2: {
		struct trace_mmap m;

		if (trace_event__parse_mmap(ev, h, &m))
			break;
		fprintf(d->out, " pid %u tid %u %#" PRIx64 "-%#" PRIx64 " pgoff %#" PRIx64, m.pid, m.tid, m.addr,
			m.addr + m.len, m.pgoff);
		if (m.has_build_id) {
			fprintf(d->out, " build-id ");
			for (uint8_t i = 0; i < m.build_id_size; i++)
				fprintf(d->out, "%02x", m.build_id[i]);
		} else if (m.is_mmap2) {
			fprintf(d->out, " dev %u:%u ino %" PRIu64, m.maj, m.min, m.ino);
		}
		if (m.is_mmap2)
			fprintf(d->out, " prot %#x flags %#x%s", m.prot, m.flags,
				h->misc & PERF_RECORD_MISC_MMAP_DATA ? " data" : "");
		fputc(' ', d->out);
		frec_term__write(d->out, m.filename, m.filename_len);
		break;
	}
	case PERF_RECORD_COMM: {
		struct trace_comm c;

		if (trace_event__parse_comm(ev, h, &c))
			break;
		fprintf(d->out, " pid %u tid %u%s ", c.pid, c.tid, c.exec ? " exec" : "");
		frec_term__write(d->out, c.comm, c.comm_len);
		break;
	}
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT: {
		struct trace_task t;

		if (trace_event__parse_task(ev, h, &t))
			break;
		fprintf(d->out, " pid %u ppid %u tid %u ptid %u", t.pid, t.ppid, t.tid, t.ptid);
		break;
	}
	case PERF_RECORD_LOST: {
		struct trace_lost l;

		if (trace_event__parse_lost(ev, h, &l))
			break;
		fprintf(d->out, " id %" PRIu64 " lost %" PRIu64, l.id, l.lost);
		break;
	}
	case PERF_RECORD_THROTTLE:
	case PERF_RECORD_UNTHROTTLE: {
		struct trace_throttle t;

		if (trace_event__parse_throttle(ev, h, &t))
			break;
		fprintf(d->out, " time %" PRIu64 " id %" PRIu64, t.time, t.id);
		break;
	}
	case PERF_RECORD_SWITCH:
	case PERF_RECORD_SWITCH_CPU_WIDE: {
		struct trace_switch sw;

		if (trace_event__parse_switch(ev, h, &sw))
			break;
		fprintf(d->out, " pid %u tid %u %s%s", id.pid, id.tid, sw.out ? "out" : "in",
			sw.preempt ? " preempted" : "");
		if (sw.cpu_wide)
			fprintf(d->out, " %s pid %u tid %u", sw.out ? "next" : "prev", sw.next_prev_pid,
				sw.next_prev_tid);
		break;
	}
	default:
		fprintf(d->out, " type %u size %u", h->type, h->size);
		break;
	}
	fputc('\n', d->out);
}

static void dump_own(struct dump_ctx *d, const struct perf_event_header *h)
{
	uint32_t size = trace_rec__size(h);

	fprintf(d->out, "%15s %s", "-", trace_rec__name(h->type));
	switch (h->type) {
	case TRACE_REC_HEADER: {
		const struct trace_header *th = trace_reader__header(d->r);
		const char *kv;

		fprintf(d->out, " version %u.%u cpus %u page_size %u clockid %u\n", th->version_major,
			th->version_minor, th->nr_cpus, th->page_size, th->clockid);
		for (size_t i = 0; (kv = trace_reader__meta_at(d->r, i)); i++) {
			fprintf(d->out, "%15s   ", "");
			frec_term__write(d->out, kv, strlen(kv));
			fputc('\n', d->out);
		}
		return;
	}
	case TRACE_REC_ATTR:
		for (uint32_t i = 0; i < trace_reader__nr_events(d->r); i++) {
			const struct trace_event *ev = trace_reader__event(d->r, i);
			const struct perf_event_attr *a = &ev->attr;

			fputs(i ? "\n    " : " ", d->out);
			frec_term__puts(d->out, ev->name);
			fprintf(d->out, " type %u config %#llx %s %llu sample_type %#llx ids %u", a->type,
				(unsigned long long)a->config, a->freq ? "freq" : "period",
				(unsigned long long)a->sample_freq, (unsigned long long)a->sample_type, ev->nr_ids);
			if (a->sample_type & PERF_SAMPLE_STACK_USER)
				fprintf(d->out, " stack_user %u regs_user %#llx", a->sample_stack_user,
					(unsigned long long)a->sample_regs_user);
		}
		break;
	case TRACE_REC_FOOTER: {
		const struct trace_footer *f = trace_reader__footer(d->r);

		if (!f)
			break;
		fprintf(d->out, " samples %" PRIu64 " lost %" PRIu64 " lost_records %" PRIu64 " throttles %" PRIu64
				" data_bytes %" PRIu64 " flags %#x",
			f->samples, f->lost, f->lost_records, f->throttles, f->data_bytes, f->flags);
		if (f->flags & TRACE_FOOTER_INTERRUPTED)
			fputs(" interrupted", d->out);
		if (f->flags & TRACE_FOOTER_DISK_FULL)
			fputs(" write-error", d->out);
		if (f->flags & TRACE_FOOTER_TARGET_EXITED)
			fputs(" target-exited", d->out);
		if (f->flags & TRACE_FOOTER_DURATION)
			fputs(" duration", d->out);
		break;
	}
	case TRACE_REC_BUILD_ID: {
		const struct trace_build_id *b = (const void *)h;

		if (size < sizeof(*b))
			break;
		fprintf(d->out, " pid %d ", b->pid);
		for (uint8_t i = 0; i < b->size && i < sizeof(b->build_id); i++)
			fprintf(d->out, "%02x", b->build_id[i]);
		fputc(' ', d->out);
		frec_term__write(d->out, (const char *)(b + 1), size - sizeof(*b));
		break;
	}
	case TRACE_REC_KSYMS:
	case TRACE_REC_PERF_MAP: {
		const struct trace_text *t = (const void *)h;
		const char *text = (const char *)(t + 1);
		size_t lines = 0;

		if (size < sizeof(*t) || t->len > size - sizeof(*t))
			break;
		for (uint32_t i = 0; i < t->len; i++)
			lines += text[i] == '\n';
		fprintf(d->out, " pid %d bytes %u lines %zu", t->pid, t->len, lines);
		break;
	}
	default:
		fprintf(d->out, " type %#x size %u", h->type, size);
		break;
	}
	fputc('\n', d->out);
}

static int parse_opts(int argc, char **argv, struct dump_opts *o)
{
	enum { OPT_SUMMARY = 256 };
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_opt_seen seen;
	int c;

	*o = (struct dump_opts){ .input = "trace.zst" };
	cli_opt_seen__init(&seen, "dump", longopts, NULL);
	optind = 0; /* 0, not 1: glibc's getopt then forgets a previous parse entirely */
	while ((c = getopt_long(argc, argv, "+i:h", longopts, NULL)) != -1) {
		if (!cli_opt_seen__add(&seen, c, optarg))
			return CLI_USAGE;
		switch (c) {
		case 'i':
			o->input = optarg;
			break;
		case OPT_SUMMARY:
			o->summary = true;
			break;
		case 'h':
			return cli_usage("dump", dump_help, CLI_OK);
		default:
			return cli_usage("dump", NULL, CLI_USAGE);
		}
	}
	if (optind < argc) {
		cli_error("dump", "unexpected argument '%s'", argv[optind]);
		return cli_usage("dump", NULL, CLI_USAGE);
	}
	return CLI_CONTINUE;
}

int dump_opts__parse(int argc, char **argv, struct dump_opts **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? parse_opts(argc, argv, *out) : CLI_FAIL;
}

void dump_opts__free(struct dump_opts *o)
{
	free(o);
}

int cmd_dump(int argc, char **argv)
{
	static const char *const cmd = "dump";
	uint64_t counts[TRACE_REC_ROUND - TRACE_REC_BASE + 1] = { 0 }, kcounts[64] = { 0 }, other = 0;
	const struct perf_event_header *h;
	struct trace_reader *r;
	struct dump_opts o;
	struct dump_ctx d;
	bool attrs_done = false;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret != CLI_CONTINUE)
		return ret;
	if (cli_open_trace(cmd, o.input, &r))
		return CLI_FAIL;
	d = (struct dump_ctx){ .r = r, .start_ns = trace_reader__header(r)->start_ns, .out = stdout };

	while ((ret = trace_reader__next(r, &h)) > 0) {
		if (h->type < 64)
			kcounts[h->type]++;
		else if (h->type >= TRACE_REC_BASE && h->type <= TRACE_REC_ROUND)
			counts[h->type - TRACE_REC_BASE]++;
		else
			other++;
		if (o.summary && h->type != TRACE_REC_HEADER)
			continue;
		if (h->type == PERF_RECORD_SAMPLE)
			dump_sample(&d, h);
		else if (h->type < TRACE_REC_BASE)
			dump_kernel(&d, h);
		else if (h->type != TRACE_REC_ATTR || !attrs_done)
			dump_own(&d, h);
		if (h->type == TRACE_REC_ATTR)
			attrs_done = true;
	}
	if (ret < 0) {
		cli_error(cmd, "cannot read %s: %s", o.input, frec_strerror(ret));
		trace_reader__close(r);
		return CLI_FAIL;
	}
	if (o.summary) {
		const struct trace_status *st = trace_reader__status(r);

		printf("records %" PRIu64 " frames %" PRIu64 " bytes %" PRIu64 "\n", st->records, st->frames,
		       st->file_bytes);
		for (uint32_t t = 0; t < 64; t++)
			if (kcounts[t])
				printf("%-16s %" PRIu64 "\n", trace_rec__name(t), kcounts[t]);
		for (uint32_t t = 0; t < FREC_ARRAY_SIZE(counts); t++)
			if (counts[t])
				printf("%-16s %" PRIu64 "\n", trace_rec__name(TRACE_REC_BASE + t), counts[t]);
		if (other)
			printf("%-16s %" PRIu64 "\n", "UNKNOWN", other);
	}
	fflush(stdout);
	cli_trace_damage(cmd, o.input, r);
	trace_reader__close(r);
	return CLI_OK;
}
