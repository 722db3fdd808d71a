// SPDX-License-Identifier: MIT
/*
 * The frames of a trace (trace_frames.h).
 *
 * Frames are located with ZSTD_findFrameCompressedSize() and decompressed whole, into one of two
 * buffers, so memory stays bounded by twice the largest frame.  A frame that fails to decompress
 * or its CRC is skipped, and a frame cut short (kill -9, full disk) ends the data; each is counted
 * in the status.  Every frame delivered carries the loader's state after it, which the reader
 * takes with the frame: that is what lets the loader run ahead on a thread (read-ahead) and a
 * rewind reuse what is still decompressed, with the statuses of a plain sequential read.
 */
#define pr_fmt(fmt) "trace: " fmt

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <libdeflate.h>
#include <zstd_errors.h>

#include "frec/log.h"
#include "trace_frames.h"

/*
 * A frame never legitimately decompresses to more than this: the writer closes them at 4 MiB, and
 * a single record larger than that (a perf map with a line over 1 MiB) is far below it.  A frame
 * that would be larger is a decompression bomb, skipped as damaged (frec-trace(5)).
 */
#define FRAMES_MAX_FRAME (256u << 20)
/* Sizes above this, which the recorder never writes, are not taken from a summary on trust. */
#define FRAMES_SIZED_MAX (64u << 20)

/* The frame buffer grows by this much, aligned to it: the size of an x86_64 huge page. */
#define FRAMES_BUF_STEP (2u << 20)

/* A summary's flags for a frame that trace_reader__skip_samples() passes over. */
#define FRAMES_ONLY_SAMPLES (TRACE_SUMMARY_ONLY_SAMPLES | TRACE_SUMMARY_TIMES)

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
static bool skip_frame(struct trace_frames_loader *r, const uint8_t *src, size_t fsize, size_t avail)
{
	struct trace_frame_summary sum;
	struct trace_status *st = &r->at.status;

	if (!frame_summary(src, fsize, avail, &sum) || (sum.flags & FRAMES_ONLY_SAMPLES) != FRAMES_ONLY_SAMPLES)
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
static int grow_buf(struct trace_frame *r, size_t need, size_t keep)
{
	size_t cap = (need + FRAMES_BUF_STEP - 1) & ~(size_t)(FRAMES_BUF_STEP - 1);
	void *buf;

	if (need <= r->buf_cap)
		return 0;
	if (posix_memalign(&buf, FRAMES_BUF_STEP, cap))
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
static int decompress_sized(struct trace_frames_loader *l, struct trace_frame *f, const uint8_t *src, size_t fsize,
				   uint64_t bytes)
{
	size_t ret;

	if (!bytes || bytes > FRAMES_SIZED_MAX)
		return 0;
	if (grow_buf(f, bytes, 0))
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
#define FRAMES_RESYNC_PROBES 64

/*
 * Where in the @avail bytes at @src (which do not start a readable frame) the next one starts: a
 * zstd or skippable magic whose frame is whole.  Returns @avail if there is none.  A false start
 * that is whole still fails to decompress or its CRC, and the search goes on after it.
 */
static size_t resync(struct trace_frames_loader *r, const uint8_t *src, size_t avail)
{
	for (size_t i = 1; i + 4 <= avail && r->at.resync_probes < FRAMES_RESYNC_PROBES; i++) {
		if (memcmp(src + i, TRACE_ZSTD_MAGIC, 4) && !is_skippable(src + i, avail - i))
			continue;
		if (!ZSTD_isError(ZSTD_findFrameCompressedSize(src + i, avail - i)))
			return i;
		r->at.resync_probes++;
	}
	return avail;
}

/* The @len bytes at src_pos are damaged: count them, and go on after them. */
static void skip_damage(struct trace_frames_loader *r, size_t len, const char *why)
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
static int load_one(struct trace_frames_loader *r, struct trace_frame *f)
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
			size_t next = resync(r, src, avail);

			/* Nothing readable follows and the data ends inside this frame: cut short. */
			if (next == avail && ZSTD_getErrorCode(fsize) == ZSTD_error_srcSize_wrong) {
				r->at.status.truncated = true;
				r->at.status.truncated_bytes = avail;
				r->at.src_pos = r->src_len;
				r->at.status.pos = r->src_len;
				return 0;
			}
			/* Else these bytes are no frame (damage, or a frame whose header lies): skip them. */
			skip_damage(r, next, ZSTD_getErrorName(fsize));
			continue;
		}

		if (r->skip_samples && skip_frame(r, src, fsize, avail))
			continue;
		ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
		ZSTD_inBuffer in = { src, fsize, 0 };
		struct trace_frame_summary sum;
		const char *damaged = NULL;
		bool too_big = false;
		int sized = 0;

		f->buf_len = 0;
		if (frame_summary(src, fsize, avail, &sum)) {
			f->only_samples = (sum.flags & FRAMES_ONLY_SAMPLES) == FRAMES_ONLY_SAMPLES;
			if ((sum.flags & TRACE_SUMMARY_CHECK) && libdeflate_crc32(0, src, fsize) != sum.check) {
				damaged = "CRC mismatch";
				goto bad;
			}
			sized = decompress_sized(r, f, src, fsize, sum.bytes);
			if (sized < 0)
				return sized;
		}
		while (!sized && (in.pos < in.size || f->buf_len == f->buf_cap)) {
			if (f->buf_len == f->buf_cap) {
				size_t cap = f->buf_cap ? f->buf_cap * 2 : FRAMES_BUF_STEP;

				if (cap > FRAMES_MAX_FRAME) {
					too_big = true;
					break;
				}
				if (grow_buf(f, cap, f->buf_len))
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
			skip_damage(r, fsize, damaged);
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

/* load_one(), its result and the loader's state after it kept in @f. */
static void load_frame(struct trace_frames_loader *l, struct trace_frame *f)
{
	const struct trace_status *st = &l->at.status;
	uint64_t passed = st->skipped_frames + st->bad_frames;

	f->only_samples = false;
	f->ret = load_one(l, f);
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
static void take_status(struct trace_status *st, const struct trace_status *ls)
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
static void *ahead_main(void *arg)
{
	struct trace_frames *r = arg;
	struct trace_frames_ahead *a = &r->ahead;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct trace_frame *f;

		while (!a->stop && a->filled)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->stop)
			break;
		f = &r->frames[a->next_fill];
		pthread_mutex_unlock(&a->lock);
		load_frame(&r->loader, f);
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
static bool ahead_start(struct trace_frames *r)
{
	struct trace_frames_ahead *a = &r->ahead;
	sigset_t all, old;
	int err;

	a->stop = a->filled = false;
	/* the buffer the records are not read from */
	a->next_fill = a->next_take = r->cur == &r->frames[0];
	r->reuse_seq = -1; /* that buffer's frame is lost */
	/* signals are for the caller's thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&a->thread, NULL, ahead_main, r);
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
static void ahead_stop(struct trace_frames *r)
{
	struct trace_frames_ahead *a = &r->ahead;

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
static struct trace_frame *ahead_take(struct trace_frames *r)
{
	struct trace_frames_ahead *a = &r->ahead;
	struct trace_frame *f;

	if (!a->on || (!a->running && !ahead_start(r)))
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
static struct trace_frame *frames_reusable(struct trace_frames *r, const struct trace_frame *cur, int seq)
{
	for (int i = 0; seq >= 0 && i < 2; i++) {
		struct trace_frame *f = &r->frames[i];

		/* as the loader would find it now: not passed over */
		if (f != cur && f->seq == seq && !(r->loader.skip_samples && f->only_samples))
			return f;
	}
	return NULL;
}

int trace_frames__next(struct trace_frames *r, struct trace_status *st)
{
	struct trace_frame *f = frames_reusable(r, r->cur, r->reuse_seq);

	if (f) {
		r->loader.at = f->after;
		r->cur = f;
		r->reuse_seq++;
		/* the next frame is decompressed while this one is read, unless it is at hand too */
		if (r->ahead.on && !r->ahead.running && !frames_reusable(r, f, r->reuse_seq))
			ahead_start(r);
	} else {
		r->reuse_seq = -1;
		f = ahead_take(r);
	}
	if (!f) {
		/* into the buffer records are not read from: the other may hold what a rewind reuses */
		f = &r->frames[r->cur == &r->frames[0]];
		load_frame(&r->loader, f);
	}
	take_status(st, &f->after.status);
	r->at = f->after;
	r->cur = f->ret > 0 ? f : NULL;
	return f->ret;
}

void trace_frames__rewind(struct trace_frames *r)
{
	ahead_stop(r);
	r->at = (struct trace_frames_pos){ .status = { .file_bytes = r->loader.src_len } };
	r->loader.at = r->at;
	r->reuse_seq = 0;
	r->cur = NULL;
}

/*
 * Stop the loader's thread and take the loader back to just after the frame the records come
 * from (it may have loaded the next one): from there, it goes on with new settings.
 */
static void ahead_pause(struct trace_frames *r)
{
	if (!r->ahead.running)
		return;
	ahead_stop(r);
	r->loader.at = r->at;
}

void trace_frames__skip_samples(struct trace_frames *r, bool skip)
{
	if (skip == r->loader.skip_samples)
		return;
	ahead_pause(r);
	r->loader.skip_samples = skip;
}

void trace_frames__read_ahead(struct trace_frames *r, bool on)
{
	if (on == r->ahead.on)
		return;
	ahead_pause(r);
	r->ahead.on = on;
}

int trace_frames__init(struct trace_frames *r, const uint8_t *src, size_t len)
{
	*r = (struct trace_frames){
		.loader = { .src = src, .src_len = len },
		.frames = { { .seq = -1 }, { .seq = -1 } },
		.at = { .status = { .file_bytes = len } },
		.reuse_seq = -1,
	};
	r->loader.at = r->at;
	pthread_mutex_init(&r->ahead.lock, NULL);
	pthread_cond_init(&r->ahead.cond, NULL);
	r->loader.dctx = ZSTD_createDCtx();
	return r->loader.dctx ? 0 : -ENOMEM;
}

void trace_frames__exit(struct trace_frames *r)
{
	ahead_stop(r);
	pthread_mutex_destroy(&r->ahead.lock);
	pthread_cond_destroy(&r->ahead.cond);
	ZSTD_freeDCtx(r->loader.dctx);
	free(r->frames[0].buf);
	free(r->frames[1].buf);
}
