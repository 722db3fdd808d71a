// SPDX-License-Identifier: MIT
/*
 * Trace reader: zstd frames in, records out.
 *
 * The input is mapped (or borrowed) whole.  Its frames are decompressed one at a time
 * (trace_frames.h), and records are handed out in place from the current one.  Damage never stops
 * the reader early: a frame that fails to decompress is skipped, a malformed record skips the rest
 * of its frame, and a frame cut short (kill -9, full disk) ends the data; each is recorded in the
 * status for the caller to report.
 */
#define pr_fmt(fmt) "trace: " fmt

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/hashmap.h"
#include "frec/log.h"
#include "frec/trace.h"
#include "trace_frames.h"

struct trace_reader {
	void *map; /* the mapping to undo, NULL for borrowed memory */
	size_t src_len;
	struct trace_frames fr;
	size_t buf_pos; /* of the next record in fr.cur */
	bool at_end;
	struct trace_status status;

	struct trace_header header;
	char *kv;      /* the header's strings, NUL-separated */
	char **kv_at;  /* pointers into kv */
	size_t nr_kv;
	struct trace_event *events;
	uint32_t nr_events;
	struct frec_hashmap ids; /* sample id -> event index */
	struct trace_footer footer;

	/* Version 3: every sample is decoded as it is read, to keep its thread's stack (stack deltas). */
	bool has_deltas;
	struct trace_stacks stacks;
	const struct perf_event_header *parsed_h; /* the sample last read, decoded into parsed */
	struct trace_sample parsed;
	int parsed_err;
};

static int reader_parse_attr(struct trace_reader *r, const struct perf_event_header *h)
{
	size_t size = trace_rec__size(h);
	const uint8_t *p = (const uint8_t *)h + sizeof(*h);
	const uint8_t *end = (const uint8_t *)h + size;
	struct trace_event *ev, *events;
	uint32_t attr_size, nr_ids;
	size_t room;
	uint64_t *ids;
	const char *name;

	if (size < sizeof(struct trace_attr_rec))
		return -FREC_E_TRACE_CORRUPT;
	memcpy(&attr_size, p, 4);
	memcpy(&nr_ids, p + 4, 4);
	p += 8;
	room = FREC_ALIGN((size_t)attr_size, 8);
	if (attr_size < PERF_ATTR_SIZE_VER0 || room > (size_t)(end - p) ||
	    nr_ids > (size_t)(end - p - room) / 8)
		return -FREC_E_TRACE_CORRUPT;
	name = (const char *)p + room + (size_t)nr_ids * 8;
	if (!memchr(name, '\0', (size_t)(end - (const uint8_t *)name)))
		return -FREC_E_TRACE_CORRUPT;

	events = realloc(r->events, (r->nr_events + 1) * sizeof(*events));
	if (!events)
		return -ENOMEM;
	r->events = events;
	ev = &events[r->nr_events];
	memset(ev, 0, sizeof(*ev));
	memcpy(&ev->attr, p, FREC_MIN((size_t)attr_size, sizeof(ev->attr)));
	ev->attr.size = sizeof(ev->attr);
	ids = malloc((size_t)nr_ids * 8 + strlen(name) + 1);
	if (!ids)
		return -ENOMEM;
	memcpy(ids, p + room, (size_t)nr_ids * 8);
	ev->ids = ids;
	ev->nr_ids = nr_ids;
	ev->name = strcpy((char *)(ids + nr_ids), name);
	ev->index = r->nr_events++;
	for (uint32_t i = 0; i < nr_ids; i++)
		if (frec_hashmap__set(&r->ids, ids[i], ev->index))
			return -ENOMEM;
	return 0;
}

static int reader_parse_header(struct trace_reader *r, const struct perf_event_header *h)
{
	size_t size = trace_rec__size(h);
	const struct trace_header *th = (const void *)h;
	size_t fixed, n;
	char *s, *end;

	if (h->type != TRACE_REC_HEADER || size < offsetof(struct trace_header, start_ns) ||
	    memcmp(th->magic, TRACE_MAGIC, sizeof(th->magic)))
		return -FREC_E_TRACE_MAGIC;
	if (th->version_major > TRACE_VERSION_MAJOR)
		return -FREC_E_TRACE_VERSION;
	fixed = th->fixed_size;
	if (fixed < offsetof(struct trace_header, start_ns) || fixed > size)
		return -FREC_E_TRACE_CORRUPT;
	memcpy(&r->header, th, FREC_MIN(fixed, sizeof(r->header)));

	n = size - fixed;
	r->kv = malloc(n + 1);
	if (!r->kv)
		return -ENOMEM;
	memcpy(r->kv, (const char *)th + fixed, n);
	r->kv[n] = '\0';
	end = r->kv + n;
	/* Count the strings first: sizing for the most a record could hold (n / 2) let a header of
	 * zeros, which compresses to nothing, ask for gigabytes. */
	for (s = r->kv; s < end && *s; s += strlen(s) + 1)
		r->nr_kv++;
	r->kv_at = calloc(r->nr_kv + 1, sizeof(*r->kv_at));
	if (!r->kv_at)
		return -ENOMEM;
	r->nr_kv = 0;
	for (s = r->kv; s < end && *s; s += strlen(s) + 1)
		r->kv_at[r->nr_kv++] = s;
	return 0;
}

/*
 * The sample @h of a version 3 trace, decoded into r->parsed, its stack copy rebuilt from its
 * thread's: whole or delta, each copy is what the thread's next delta patches.
 */
static void reader_decode_stack(struct trace_reader *r, const struct perf_event_header *h)
{
	struct trace_sample *s = &r->parsed;
	struct trace_stack *st;
	uint64_t len;
	int got;

	r->parsed_err = trace_reader__parse_sample(r, h, s);
	r->parsed_h = h;
	if (r->parsed_err || (!s->stack && !s->stack_delta))
		return;
	st = trace_stacks__get(&r->stacks, s->tid);
	len = FREC_ALIGN(s->stack_dyn_size, 8);
	if (s->stack) {
		if (st)
			trace_stack__set(st, 0, s->stack, (uint32_t)FREC_MIN(len, s->stack_size));
		return;
	}
	got = st ? trace_stack__apply(st, s->stack_delta, s->stack_delta_len) : -FREC_E_PARSE;
	if (got >= 0 && (uint64_t)got == len) {
		s->stack = trace_stack__copy(st);
		return;
	}
	/* A delta of another length than the sample's copy lies about one of them: no base after it. */
	if (got >= 0)
		st->known = st->len = 0;
	/* Refused: the sample goes on without its copy, as one the kernel could not copy. */
	if (!r->status.corrupt)
		r->status.bad_offset = r->fr.cur->frame_pos;
	r->status.corrupt = true;
	r->status.bad_stacks++;
	s->stack_size = s->stack_dyn_size = 0;
}

static bool record_is_sane(const struct trace_reader *r, size_t *size)
{
	const struct perf_event_header *h;
	size_t left = r->fr.cur->buf_len - r->buf_pos;

	if (left < sizeof(*h))
		return false;
	h = (const void *)(r->fr.cur->buf + r->buf_pos);
	*size = trace_rec__size(h);
	return *size >= sizeof(*h) && *size % 8 == 0 && *size <= left;
}

int trace_reader__next(struct trace_reader *r, const struct perf_event_header **rec)
{
	const struct perf_event_header *h;
	size_t size;

	for (;;) {
		if (r->at_end)
			return 0;
		if (!r->fr.cur || r->buf_pos >= r->fr.cur->buf_len) {
			int ret = trace_frames__next(&r->fr, &r->status);

			if (ret <= 0) {
				r->at_end = ret == 0;
				return ret;
			}
			r->buf_pos = 0;
			/* a stack delta never refers to another frame's copies */
			trace_stacks__reset(&r->stacks);
		}
		if (record_is_sane(r, &size))
			break;
		/* A malformed record: its length cannot be trusted, so drop the rest of the frame. */
		if (!r->status.corrupt)
			r->status.bad_offset = r->fr.cur->frame_pos;
		r->status.corrupt = true;
		r->status.cut_frames++;
		r->buf_pos = r->fr.cur->buf_len;
	}
	h = (const void *)(r->fr.cur->buf + r->buf_pos);
	r->buf_pos += size;
	r->status.records++;
	r->parsed_h = NULL;
	if (r->has_deltas && h->type == PERF_RECORD_SAMPLE)
		reader_decode_stack(r, h);
	if (h->type == TRACE_REC_FOOTER) {
		memset(&r->footer, 0, sizeof(r->footer));
		memcpy(&r->footer, h, FREC_MIN(size, sizeof(r->footer)));
		r->status.has_footer = true;
	}
	*rec = h;
	return 1;
}

void trace_reader__rewind(struct trace_reader *r)
{
	trace_frames__rewind(&r->fr);
	r->buf_pos = 0;
	r->at_end = false;
	r->parsed_h = NULL;
	trace_stacks__reset(&r->stacks);
	r->status = (struct trace_status){ .file_bytes = r->src_len };
}

void trace_reader__skip_samples(struct trace_reader *r, bool skip)
{
	trace_frames__skip_samples(&r->fr, skip);
}

void trace_reader__read_ahead(struct trace_reader *r, bool on)
{
	trace_frames__read_ahead(&r->fr, on);
}

static int reader_init(struct trace_reader *r)
{
	const struct perf_event_header *h;
	int err;

	r->status.file_bytes = r->src_len;
	if (!r->src_len)
		return -FREC_E_EMPTY;
	if (memcmp(r->fr.loader.src, TRACE_ZSTD_MAGIC, FREC_MIN(r->src_len, 4)))
		return -FREC_E_TRACE_MAGIC;
	if (r->src_len < 4)
		return -FREC_E_TRACE_TRUNCATED;

	err = trace_reader__next(r, &h);
	if (err < 0)
		return err;
	if (err == 0)
		return r->status.truncated ? -FREC_E_TRACE_TRUNCATED : -FREC_E_TRACE_NO_HEADER;
	err = reader_parse_header(r, h);
	/* The first frame was damaged: what follows it is no header, but this is a trace. */
	if (err == -FREC_E_TRACE_MAGIC && r->status.corrupt)
		return -FREC_E_TRACE_NO_HEADER;
	if (err)
		return err;
	/* The events follow the header; anything else ends them. */
	while ((err = trace_reader__next(r, &h)) > 0 && h->type == TRACE_REC_ATTR) {
		err = reader_parse_attr(r, h);
		if (err)
			return err;
	}
	if (err < 0)
		return err;
	r->has_deltas = r->header.version_major >= TRACE_VERSION_MAJOR_STACK_DELTA;
	trace_reader__rewind(r);
	return 0;
}

int trace_reader__open_mem(const void *buf, size_t len, struct trace_reader **out)
{
	struct trace_reader *r = calloc(1, sizeof(*r));
	int err;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->src_len = len;
	frec_hashmap__init(&r->ids);
	trace_stacks__init(&r->stacks, 0);
	err = trace_frames__init(&r->fr, buf, len);
	if (!err)
		err = reader_init(r);
	if (err) {
		trace_reader__close(r);
		return err;
	}
	*out = r;
	return 0;
}

/*
 * A pipe or a device is not mapped, and a trace is not read from one: it could be endless
 * (/dev/zero) and needs random access.  Say whether it even starts like a trace.
 */
static int reader_sniff_stream(int fd)
{
	uint8_t magic[4];
	size_t n = 0;

	while (n < sizeof(magic)) {
		ssize_t got = read(fd, magic + n, sizeof(magic) - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (!n)
		return -FREC_E_EMPTY;
	return memcmp(magic, TRACE_ZSTD_MAGIC, n) ? -FREC_E_TRACE_MAGIC : -ESPIPE;
}

int trace_reader__open(const char *path, struct trace_reader **out)
{
	struct stat st;
	void *map = NULL;
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : reader_sniff_stream(fd);
		close(fd);
		return err;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			err = -errno;
			close(fd);
			return err;
		}
		madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	}
	close(fd);
	err = trace_reader__open_mem(map ? map : "", (size_t)st.st_size, out);
	if (err) {
		if (map)
			munmap(map, (size_t)st.st_size);
		return err;
	}
	(*out)->map = map;
	return 0;
}

void trace_reader__close(struct trace_reader *r)
{
	if (!r)
		return;
	trace_frames__exit(&r->fr);
	if (r->map)
		munmap(r->map, r->src_len);
	free(r->kv);
	free(r->kv_at);
	for (uint32_t i = 0; i < r->nr_events; i++)
		free((void *)r->events[i].ids);
	free(r->events);
	frec_hashmap__exit(&r->ids);
	trace_stacks__exit(&r->stacks);
	free(r);
}

const struct trace_status *trace_reader__status(const struct trace_reader *r)
{
	return &r->status;
}

const struct trace_header *trace_reader__header(const struct trace_reader *r)
{
	return &r->header;
}

const char *trace_reader__meta(const struct trace_reader *r, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < r->nr_kv; i++)
		if (!strncmp(r->kv_at[i], key, klen) && r->kv_at[i][klen] == '=')
			return r->kv_at[i] + klen + 1;
	return NULL;
}

const char *trace_reader__meta_at(const struct trace_reader *r, size_t i)
{
	return i < r->nr_kv ? r->kv_at[i] : NULL;
}

uint32_t trace_reader__nr_events(const struct trace_reader *r)
{
	return r->nr_events;
}

const struct trace_event *trace_reader__event(const struct trace_reader *r, uint32_t index)
{
	return index < r->nr_events ? &r->events[index] : NULL;
}

const struct trace_event *trace_reader__event_by_id(const struct trace_reader *r, uint64_t id)
{
	uint64_t index;

	if (!r->nr_events)
		return NULL;
	if (r->nr_events > 1 && frec_hashmap__find(&r->ids, id, &index))
		return &r->events[index];
	return &r->events[0];
}

const struct trace_footer *trace_reader__footer(const struct trace_reader *r)
{
	return r->status.has_footer ? &r->footer : NULL;
}

/*
 * With PERF_SAMPLE_IDENTIFIER (which frec always sets), the id is the first u64 of a sample and the
 * last u64 of a non-sample record, so the event is known before its layout is.
 */
int trace_reader__parse_sample(const struct trace_reader *r, const struct perf_event_header *h,
			       struct trace_sample *s)
{
	const struct trace_event *ev = r->nr_events ? &r->events[0] : NULL;
	uint64_t id;

	if (h == r->parsed_h) {
		*s = r->parsed;
		return r->parsed_err;
	}
	if (!ev)
		return -FREC_E_PARSE;
	if (r->nr_events > 1 && (ev->attr.sample_type & PERF_SAMPLE_IDENTIFIER) && h->size >= 16) {
		memcpy(&id, h + 1, 8);
		ev = trace_reader__event_by_id(r, id);
	}
	return trace_event__parse_sample(ev, h, s);
}

int trace_reader__parse_id(const struct trace_reader *r, const struct perf_event_header *h,
			   struct trace_sample_id *sid)
{
	const struct trace_event *ev = r->nr_events ? &r->events[0] : NULL;
	uint64_t id;

	if (!ev) {
		memset(sid, 0, sizeof(*sid));
		return 0;
	}
	if (r->nr_events > 1 && (ev->attr.sample_type & PERF_SAMPLE_IDENTIFIER) && h->size >= 16) {
		memcpy(&id, (const uint8_t *)h + h->size - 8, 8);
		ev = trace_reader__event_by_id(r, id);
	}
	return trace_event__parse_id(ev, h, sid);
}
