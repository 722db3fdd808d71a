// SPDX-License-Identifier: MIT
/*
 * Trace reader: zstd frames in, records out.
 *
 * The input is mapped (or borrowed) whole.  Frames are located with ZSTD_findFrameCompressedSize()
 * and decompressed one at a time into a buffer from which records are handed out in place, so
 * memory stays bounded by the largest frame.  Damage never stops the reader early: a frame that
 * fails to decompress is skipped, a malformed record skips the rest of its frame, and a frame cut
 * short (kill -9, full disk) ends the data; each is recorded in the status for the caller to report.
 */
#define pr_fmt(fmt) "trace: " fmt

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/hashmap.h"
#include "frec/log.h"
#include "frec/trace.h"

/*
 * A frame never legitimately decompresses to more than this: the writer closes them at 4 MiB, and
 * a single record larger than that (a perf map with a line over 1 MiB) is far below it.  A frame
 * that would be larger is a decompression bomb, skipped as damaged (frec-trace(5)).
 */
#define READER_MAX_FRAME (256u << 20)
/* Sizes above this, which the recorder never writes, are not taken from a summary on trust. */
#define READER_SIZED_MAX (64u << 20)

static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

/* The frame buffer grows by this much, aligned to it: the size of an x86_64 huge page. */
#define READER_BUF_STEP (2u << 20)

/*
 * The loader: finds the frames in the input and decompresses them (reader_load_frame()).  It owns
 * its place in the input and the status fields about frames; with read-ahead it runs on a thread
 * of its own, one frame ahead of the records handed out, and touches nothing else.
 */
struct reader_pos {
	size_t src_pos;
	unsigned int resync_probes; /* see READER_RESYNC_PROBES */
	int next_seq; /* the seq of the next frame (see reader_frame), -1 when unknown */
	struct trace_status status; /* the fields reader_take_status() copies from it */
};

struct reader_loader {
	const uint8_t *src;
	size_t src_len;
	struct reader_pos at;
	bool skip_samples;
	ZSTD_DCtx *dctx;
};

/* A frame as the loader delivers it. */
struct reader_frame {
	uint8_t *buf;
	size_t buf_len, buf_cap;
	size_t frame_pos; /* offset of the frame in the input */
	int ret;          /* reader_load_frame()'s: 1 a frame, 0 the end, or -ENOMEM */
	int seq;          /* 0 for the input's first frame, 1 for the next...: -1 past damage or a skip */
	bool only_samples; /* its summary says trace_reader__skip_samples() passes over it */
	struct reader_pos after; /* the loader's state after this frame */
};

/*
 * Read-ahead (trace_reader__read_ahead()): the loader's thread fills one frame while the caller
 * reads the records of the other.  filled says the one at next_take is loaded and not yet taken.
 */
struct reader_ahead {
	bool on, running, stop, filled;
	unsigned int next_fill, next_take;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

struct trace_reader {
	void *map; /* the mapping to undo, NULL for borrowed memory */
	size_t src_len;
	struct reader_loader loader;
	struct reader_frame frames[2]; /* frames[0] only, without read-ahead */
	struct reader_ahead ahead;
	const struct reader_frame *cur; /* the frame records come from, NULL before the first */
	struct reader_pos at; /* the loader's state after the last frame taken */
	int reuse_seq;        /* the seq of the next frame if a buffer may still hold it, else -1 */
	size_t buf_pos;
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

/* A summary's flags for a frame that trace_reader__skip_samples() passes over. */
#define READER_ONLY_SAMPLES (TRACE_SUMMARY_ONLY_SAMPLES | TRACE_SUMMARY_TIMES)

/* The summary after the frame of @fsize bytes at @src (of @avail), if there is one. */
static bool frame_summary(const uint8_t *src, size_t fsize, size_t avail, struct trace_frame_summary *sum)
{
	uint32_t magic, size;

	if (avail - fsize < 8 + sizeof(*sum))
		return false;
	memcpy(&magic, src + fsize, 4);
	memcpy(&size, src + fsize + 4, 4);
	if (magic != TRACE_SUMMARY_MAGIC || size < sizeof(*sum))
		return false;
	memcpy(sum, src + fsize + 8, sizeof(*sum));
	return true;
}

/*
 * With skip_samples, pass over the frame of @fsize bytes at @src (of @avail) if the summary that
 * follows it says it holds only samples with their times.  Returns whether it did.
 */
static bool reader_skip_frame(struct reader_loader *r, const uint8_t *src, size_t fsize, size_t avail)
{
	struct trace_frame_summary sum;
	struct trace_status *st = &r->at.status;

	if (!frame_summary(src, fsize, avail, &sum) || (sum.flags & READER_ONLY_SAMPLES) != READER_ONLY_SAMPLES)
		return false;
	if (sum.samples && (!st->skipped_samples || sum.first_ns < st->skipped_first_ns))
		st->skipped_first_ns = sum.first_ns;
	if (sum.samples && sum.last_ns > st->skipped_last_ns)
		st->skipped_last_ns = sum.last_ns;
	st->skipped_samples += sum.samples;
	st->skipped_frames++;
	st->frames++;
	st->good_bytes += fsize;
	r->at.src_pos += fsize;
	st->pos = r->at.src_pos;
	return true;
}

/*
 * Make buf hold @need bytes, keeping its first @keep.  Every frame is decompressed into this
 * buffer, a few MiB at a time, so it is the memory a report touches most: it grows in steps of
 * 2 MiB, aligned, and asks for transparent huge pages, which spares a page fault per 4 KiB.
 */
static int reader_grow_buf(struct reader_frame *r, size_t need, size_t keep)
{
	size_t cap = (need + READER_BUF_STEP - 1) & ~(size_t)(READER_BUF_STEP - 1);
	void *buf;

	if (need <= r->buf_cap)
		return 0;
	if (posix_memalign(&buf, READER_BUF_STEP, cap))
		return -ENOMEM;
	madvise(buf, cap, MADV_HUGEPAGE); /* a hint: without it, small pages */
	if (keep)
		memcpy(buf, r->buf, keep);
	free(r->buf);
	r->buf = buf;
	r->buf_cap = cap;
	return 0;
}

/*
 * Decompress the frame of @fsize bytes at @src straight into buf, when its summary gives its size
 * @bytes: zstd then writes in place instead of through its window.  Returns 1 when done, 0 when
 * the streaming path must do it (no size, an implausible one, or a wrong one), or -ENOMEM.
 */
static int reader_decompress_sized(struct reader_loader *l, struct reader_frame *f, const uint8_t *src, size_t fsize,
				   uint64_t bytes)
{
	size_t ret;

	if (!bytes || bytes > READER_SIZED_MAX)
		return 0;
	if (reader_grow_buf(f, bytes, 0))
		return -ENOMEM;
	ret = ZSTD_decompressDCtx(l->dctx, f->buf, f->buf_cap, src, fsize);
	if (ZSTD_isError(ret)) {
		ZSTD_DCtx_reset(l->dctx, ZSTD_reset_session_only);
		return 0;
	}
	f->buf_len = ret;
	return 1;
}

static bool is_skippable(const uint8_t *src, size_t avail)
{
	uint32_t magic;

	if (avail < 4)
		return false;
	memcpy(&magic, src, 4);
	return (magic & 0xfffffff0u) == 0x184D2A50u; /* zstd's skippable-frame magics */
}

/*
 * Magics that turn out not to start a whole frame, over a reader's life, before the rest of a
 * damaged input is given up: each costs a walk over the blocks of the frame it claims, so without
 * a bound a crafted input full of magics would take quadratic time.  Compressed data holds a magic
 * by chance about once per 256 MiB.
 */
#define READER_RESYNC_PROBES 64

/*
 * Where in the @avail bytes at @src (which do not start a readable frame) the next one starts: a
 * zstd or skippable magic whose frame is whole.  Returns @avail if there is none.  A false start
 * that is whole still fails to decompress or its CRC, and the search goes on after it.
 */
static size_t reader_resync(struct reader_loader *r, const uint8_t *src, size_t avail)
{
	for (size_t i = 1; i + 4 <= avail && r->at.resync_probes < READER_RESYNC_PROBES; i++) {
		if (memcmp(src + i, zstd_magic, 4) && !is_skippable(src + i, avail - i))
			continue;
		if (!ZSTD_isError(ZSTD_findFrameCompressedSize(src + i, avail - i)))
			return i;
		r->at.resync_probes++;
	}
	return avail;
}

/* The @len bytes at src_pos are damaged: count them, and go on after them. */
static void reader_skip_damage(struct reader_loader *r, size_t len, const char *why)
{
	struct trace_status *st = &r->at.status;

	if (!st->corrupt)
		st->bad_offset = r->at.src_pos;
	st->corrupt = true;
	st->bad_frames++;
	st->bad_bytes += len;
	pr_debug("%zu bytes at offset %zu: %s", len, r->at.src_pos, why);
	r->at.src_pos += len;
	st->pos = r->at.src_pos;
}

/* Decompress the frame at src_pos into @f.  Returns 1 with a frame loaded, 0 at the end. */
static int reader_load_one(struct reader_loader *r, struct reader_frame *f)
{
	for (;;) {
		const uint8_t *src = r->src + r->at.src_pos;
		size_t avail = r->src_len - r->at.src_pos;
		size_t fsize, ret = 0;

		r->at.status.pos = r->at.src_pos;
		if (!avail)
			return 0;
		fsize = ZSTD_findFrameCompressedSize(src, avail);
		if (ZSTD_isError(fsize)) {
			size_t next = reader_resync(r, src, avail);

			/* Nothing readable follows and the data ends inside this frame: cut short. */
			if (next == avail && ZSTD_getErrorCode(fsize) == ZSTD_error_srcSize_wrong) {
				r->at.status.truncated = true;
				r->at.status.truncated_bytes = avail;
				r->at.src_pos = r->src_len;
				r->at.status.pos = r->src_len;
				return 0;
			}
			/* Else these bytes are no frame (damage, or a frame whose header lies): skip them. */
			reader_skip_damage(r, next, ZSTD_getErrorName(fsize));
			continue;
		}

		if (r->skip_samples && reader_skip_frame(r, src, fsize, avail))
			continue;
		ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
		ZSTD_inBuffer in = { src, fsize, 0 };
		struct trace_frame_summary sum;
		const char *damaged = NULL;
		bool too_big = false;
		int sized = 0;

		f->buf_len = 0;
		if (frame_summary(src, fsize, avail, &sum)) {
			f->only_samples = (sum.flags & READER_ONLY_SAMPLES) == READER_ONLY_SAMPLES;
			if ((sum.flags & TRACE_SUMMARY_CHECK) && libdeflate_crc32(0, src, fsize) != sum.check) {
				damaged = "CRC mismatch";
				goto bad;
			}
			sized = reader_decompress_sized(r, f, src, fsize, sum.bytes);
			if (sized < 0)
				return sized;
		}
		while (!sized && (in.pos < in.size || f->buf_len == f->buf_cap)) {
			if (f->buf_len == f->buf_cap) {
				size_t cap = f->buf_cap ? f->buf_cap * 2 : READER_BUF_STEP;

				if (cap > READER_MAX_FRAME) {
					too_big = true;
					break;
				}
				if (reader_grow_buf(f, cap, f->buf_len))
					return -ENOMEM;
			}
			ZSTD_outBuffer out = { f->buf, f->buf_cap, f->buf_len };
			ret = ZSTD_decompressStream(r->dctx, &out, &in);
			f->buf_len = out.pos;
			if (ZSTD_isError(ret) || ret == 0)
				break;
		}

		if (too_big)
			damaged = "too large";
		else if (ZSTD_isError(ret))
			damaged = ZSTD_getErrorName(ret);
		else if (ret != 0)
			damaged = "incomplete";
bad:
		if (damaged) {
			reader_skip_damage(r, fsize, damaged);
			continue;
		}
		f->frame_pos = r->at.src_pos;
		r->at.src_pos += fsize;
		r->at.status.pos = r->at.src_pos;
		/* A summary is part of the frame before it, not a frame of records. */
		if (!is_skippable(src, avail))
			r->at.status.frames++;
		r->at.status.good_bytes += fsize;
		if (f->buf_len)
			return 1;
		/* An empty or skippable frame: nothing to deliver. */
	}
}

/* reader_load_one(), its result and the loader's state after it kept in @f. */
static void reader_load_frame(struct reader_loader *l, struct reader_frame *f)
{
	const struct trace_status *st = &l->at.status;
	uint64_t passed = st->skipped_frames + st->bad_frames;

	f->only_samples = false;
	f->ret = reader_load_one(l, f);
	/* frames passed over make the numbering depend on the settings */
	f->seq = f->ret > 0 && l->at.next_seq >= 0 && passed == st->skipped_frames + st->bad_frames ?
			 l->at.next_seq : -1;
	l->at.next_seq = f->seq >= 0 ? f->seq + 1 : -1;
	f->after = l->at;
}

/*
 * The status after frame @f is taken: the loader's fields from the frame, the records' from the
 * reader.  Damage is dated by the first of each side's, which is the first in the input: the
 * loader runs ahead, but what it has seen first comes to the reader with the frame after it.
 */
static void reader_take_status(struct trace_status *st, const struct trace_status *ls)
{
	bool corrupt = st->corrupt;

	st->frames = ls->frames;
	st->good_bytes = ls->good_bytes;
	st->truncated = ls->truncated;
	st->truncated_bytes = ls->truncated_bytes;
	st->bad_frames = ls->bad_frames;
	st->bad_bytes = ls->bad_bytes;
	st->pos = ls->pos;
	st->skipped_frames = ls->skipped_frames;
	st->skipped_samples = ls->skipped_samples;
	st->skipped_first_ns = ls->skipped_first_ns;
	st->skipped_last_ns = ls->skipped_last_ns;
	if (!corrupt && ls->corrupt) {
		st->corrupt = true;
		st->bad_offset = ls->bad_offset;
	}
}

/* The loader's thread: frames one ahead of the reader, until the end, an error or a stop. */
static void *reader_ahead_main(void *arg)
{
	struct trace_reader *r = arg;
	struct reader_ahead *a = &r->ahead;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct reader_frame *f;

		while (!a->stop && a->filled)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->stop)
			break;
		f = &r->frames[a->next_fill];
		pthread_mutex_unlock(&a->lock);
		reader_load_frame(&r->loader, f);
		pthread_mutex_lock(&a->lock);
		a->next_fill ^= 1;
		a->filled = true;
		pthread_cond_broadcast(&a->cond);
		if (f->ret <= 0)
			break;
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* Start the loader's thread; false if it could not be (the reader then loads frames itself). */
static bool reader_ahead_start(struct trace_reader *r)
{
	struct reader_ahead *a = &r->ahead;
	sigset_t all, old;
	int err;

	a->stop = a->filled = false;
	/* the buffer the records are not read from */
	a->next_fill = a->next_take = r->cur == &r->frames[0];
	r->reuse_seq = -1; /* that buffer's frame is lost */
	/* signals are for the caller's thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&a->thread, NULL, reader_ahead_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pr_debug("no read-ahead thread: %s", strerror(err));
		a->on = false;
		return false;
	}
	a->running = true;
	return true;
}

/* Stop and join the loader's thread, if it runs; the frame it may have loaded is dropped. */
static void reader_ahead_stop(struct trace_reader *r)
{
	struct reader_ahead *a = &r->ahead;

	if (!a->running)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	a->running = a->filled = false;
}

/* The next frame from the loader's thread (started if need be), or NULL without read-ahead. */
static struct reader_frame *reader_ahead_take(struct trace_reader *r)
{
	struct reader_ahead *a = &r->ahead;
	struct reader_frame *f;

	if (!a->on || (!a->running && !reader_ahead_start(r)))
		return NULL;
	pthread_mutex_lock(&a->lock);
	while (!a->filled)
		pthread_cond_wait(&a->cond, &a->lock);
	f = &r->frames[a->next_take];
	a->next_take ^= 1;
	a->filled = false;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	/* the thread ends after its last frame */
	if (f->ret <= 0) {
		pthread_join(a->thread, NULL);
		a->running = false;
	}
	return f;
}

/*
 * After a rewind, the frame of sequence number @seq if a buffer other than @cur still holds it as
 * loaded by the last pass (the header frame and the one after it, which trace_reader__open()
 * reads: a report would decompress them three times); else NULL.
 */
static struct reader_frame *reader_reusable(struct trace_reader *r, const struct reader_frame *cur, int seq)
{
	for (int i = 0; seq >= 0 && i < 2; i++) {
		struct reader_frame *f = &r->frames[i];

		/* as the loader would find it now: not passed over */
		if (f != cur && f->seq == seq && !(r->loader.skip_samples && f->only_samples))
			return f;
	}
	return NULL;
}

/* The next frame into the reader: records are read from it.  Returns 1, 0 at the end, or -ENOMEM. */
static int reader_next_frame(struct trace_reader *r)
{
	struct reader_frame *f = reader_reusable(r, r->cur, r->reuse_seq);

	if (f) {
		r->loader.at = f->after;
		r->cur = f;
		r->reuse_seq++;
		/* the next frame is decompressed while this one is read, unless it is at hand too */
		if (r->ahead.on && !r->ahead.running && !reader_reusable(r, f, r->reuse_seq))
			reader_ahead_start(r);
	} else {
		r->reuse_seq = -1;
		f = reader_ahead_take(r);
	}
	if (!f) {
		/* into the buffer records are not read from: the other may hold what a rewind reuses */
		f = &r->frames[r->cur == &r->frames[0]];
		reader_load_frame(&r->loader, f);
	}
	reader_take_status(&r->status, &f->after.status);
	r->at = f->after;
	r->cur = f;
	r->buf_pos = 0;
	if (f->ret > 0)
		/* a stack delta never refers to another frame's copies */
		trace_stacks__reset(&r->stacks);
	else
		r->cur = NULL;
	return f->ret;
}

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
		r->status.bad_offset = r->cur->frame_pos;
	r->status.corrupt = true;
	r->status.bad_stacks++;
	s->stack_size = s->stack_dyn_size = 0;
}

static bool record_is_sane(const struct trace_reader *r, size_t *size)
{
	const struct perf_event_header *h;
	size_t left = r->cur->buf_len - r->buf_pos;

	if (left < sizeof(*h))
		return false;
	h = (const void *)(r->cur->buf + r->buf_pos);
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
		if (!r->cur || r->buf_pos >= r->cur->buf_len) {
			int ret = reader_next_frame(r);

			if (ret <= 0) {
				r->at_end = ret == 0;
				return ret;
			}
		}
		if (record_is_sane(r, &size))
			break;
		/* A malformed record: its length cannot be trusted, so drop the rest of the frame. */
		if (!r->status.corrupt)
			r->status.bad_offset = r->cur->frame_pos;
		r->status.corrupt = true;
		r->status.cut_frames++;
		r->buf_pos = r->cur->buf_len;
	}
	h = (const void *)(r->cur->buf + r->buf_pos);
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
	reader_ahead_stop(r);
	r->at = (struct reader_pos){ .status = { .file_bytes = r->src_len } };
	r->loader.at = r->at;
	r->reuse_seq = 0;
	r->cur = NULL;
	r->buf_pos = 0;
	r->at_end = false;
	r->parsed_h = NULL;
	trace_stacks__reset(&r->stacks);
	r->status = (struct trace_status){ .file_bytes = r->src_len };
}

/*
 * Stop the loader's thread and take the loader back to just after the frame the records come
 * from (it may have loaded the next one): from there, it goes on with new settings.
 */
static void reader_ahead_pause(struct trace_reader *r)
{
	if (!r->ahead.running)
		return;
	reader_ahead_stop(r);
	r->loader.at = r->at;
}

void trace_reader__skip_samples(struct trace_reader *r, bool skip)
{
	if (skip == r->loader.skip_samples)
		return;
	reader_ahead_pause(r);
	r->loader.skip_samples = skip;
}

void trace_reader__read_ahead(struct trace_reader *r, bool on)
{
	if (on == r->ahead.on)
		return;
	reader_ahead_pause(r);
	r->ahead.on = on;
}

static int reader_init(struct trace_reader *r)
{
	const struct perf_event_header *h;
	int err;

	r->status.file_bytes = r->src_len;
	r->at.status.file_bytes = r->src_len;
	r->loader.at = r->at;
	r->reuse_seq = -1;
	if (!r->src_len)
		return -FREC_E_EMPTY;
	if (memcmp(r->loader.src, zstd_magic, FREC_MIN(r->src_len, sizeof(zstd_magic))))
		return -FREC_E_TRACE_MAGIC;
	if (r->src_len < sizeof(zstd_magic))
		return -FREC_E_TRACE_TRUNCATED;
	r->loader.dctx = ZSTD_createDCtx();
	if (!r->loader.dctx)
		return -ENOMEM;

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
	r->loader.src = buf;
	r->loader.src_len = len;
	r->src_len = len;
	r->frames[0].seq = r->frames[1].seq = -1;
	pthread_mutex_init(&r->ahead.lock, NULL);
	pthread_cond_init(&r->ahead.cond, NULL);
	frec_hashmap__init(&r->ids);
	trace_stacks__init(&r->stacks, 0);
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
	return memcmp(magic, zstd_magic, n) ? -FREC_E_TRACE_MAGIC : -ESPIPE;
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
	reader_ahead_stop(r);
	pthread_mutex_destroy(&r->ahead.lock);
	pthread_cond_destroy(&r->ahead.cond);
	if (r->map)
		munmap(r->map, r->src_len);
	ZSTD_freeDCtx(r->loader.dctx);
	free(r->frames[0].buf);
	free(r->frames[1].buf);
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
