// SPDX-License-Identifier: MIT
/*
 * Trace writer: records in, zstd frames out.
 *
 * Every byte goes through one streaming compressor.  A frame is ended (ZSTD_e_end) only between
 * records, at least every frame_ns and every frame_bytes, so each complete frame on disk can be
 * decompressed and parsed on its own: a crash loses at most the frame being written.
 */
#define pr_fmt(fmt) "trace: " fmt

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zstd.h>

#include "frec/compiler.h"
#include "frec/error.h"
#include "frec/log.h"
#include "frec/trace.h"

#define WRITER_LEVEL 3
#define WRITER_WINDOW_LOG 22 /* 4 MiB, the size of a frame */
#define WRITER_FRAME_BYTES (4u << 20)
#define WRITER_FRAME_NS 1000000000ull
#define WRITER_TEXT_CHUNK (1u << 20)
/* An open frame's summary before its first record: nothing seen yet contradicts either flag. */
#define WRITER_SUMMARY_START \
	((struct trace_frame_summary){ .flags = TRACE_SUMMARY_ONLY_SAMPLES | TRACE_SUMMARY_TIMES })

struct trace_writer {
	int fd;
	int err; /* sticky: the first failure */
	ZSTD_CCtx *cctx;
	size_t frame_bytes;
	uint64_t frame_ns;
	size_t frame_in;         /* uncompressed bytes in the open frame */
	uint64_t frame_start_ns; /* first tick that saw the open frame non-empty; 0 if none yet */
	struct trace_frame_summary sum; /* of the open frame */
	uint32_t crc;            /* of the open frame's compressed bytes so far */
	int time_off;            /* offset of a sample's time: 0 unknown yet, -1 none or not one */
	uint64_t bytes_out;
	uint64_t bytes_in;
	uint64_t frames;         /* frames closed */
	size_t out_cap;
	uint8_t out[]; /* ZSTD_CStreamOutSize() */
};

static int write_all(struct trace_writer *w, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(w->fd, buf, len);

		if (n < 0) {
			int err = -errno;

			if (err == -EINTR)
				continue;
			return err;
		}
		buf += n;
		len -= (size_t)n;
		w->bytes_out += (uint64_t)n;
	}
	return 0;
}

/* Feed @len bytes to the compressor; with ZSTD_e_end, also end the frame and write all of it. */
static int writer_compress(struct trace_writer *w, const void *src, size_t len, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { src, len, 0 };

	if (w->err)
		return w->err;
	for (;;) {
		ZSTD_outBuffer out = { w->out, w->out_cap, 0 };
		size_t left = ZSTD_compressStream2(w->cctx, &out, &in, mode);
		int err;

		if (ZSTD_isError(left)) {
			pr_err("compression failed: %s", ZSTD_getErrorName(left));
			return w->err = -FREC_E_ZSTD;
		}
		if (out.pos) {
			w->crc = libdeflate_crc32(w->crc, w->out, out.pos);
			err = write_all(w, w->out, out.pos);
			if (err)
				return w->err = err;
		}
		if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size)
			return 0;
	}
}

int trace_writer__flush(struct trace_writer *w)
{
	int err;

	if (w->err)
		return w->err;
	if (!w->frame_in)
		return 0;
	err = writer_compress(w, NULL, 0, ZSTD_e_end);
	if (!err) {
		struct {
			uint32_t magic, size;
			struct trace_frame_summary sum;
		} skippable = { TRACE_SUMMARY_MAGIC, sizeof(w->sum), w->sum };

		skippable.sum.bytes = w->frame_in;
		skippable.sum.check = w->crc;
		skippable.sum.flags |= TRACE_SUMMARY_CHECK;
		err = write_all(w, (const uint8_t *)&skippable, sizeof(skippable));
		if (err)
			w->err = err;
	}
	w->frame_in = 0;
	w->frames++;
	w->frame_start_ns = 0;
	w->sum = WRITER_SUMMARY_START;
	w->crc = 0;
	return err;
}

/* Account whole kernel records for the open frame's summary. */
static void summarize(struct trace_writer *w, const uint8_t *recs, size_t len)
{
	struct trace_frame_summary *sum = &w->sum;
	struct perf_event_header h;
	uint64_t t;

	/* callers' buffers need not be aligned: copy, never cast */
	for (size_t pos = 0; pos + sizeof(h) <= len; pos += h.size) {
		memcpy(&h, recs + pos, sizeof(h));
		if (h.size < sizeof(h))
			break;
		if (h.type != PERF_RECORD_SAMPLE) {
			sum->flags &= ~TRACE_SUMMARY_ONLY_SAMPLES;
			continue;
		}
		if (w->time_off <= 0 || h.size < (size_t)w->time_off + 8 || pos + h.size > len) {
			sum->flags &= ~TRACE_SUMMARY_TIMES;
		} else {
			memcpy(&t, recs + pos + w->time_off, 8);
			if (!sum->samples || t < sum->first_ns)
				sum->first_ns = t;
			if (t > sum->last_ns)
				sum->last_ns = t;
		}
		sum->samples++;
	}
}

int trace_writer__tick(struct trace_writer *w, uint64_t now_ns)
{
	if (w->err)
		return w->err;
	if (!w->frame_in)
		return 0;
	if (!w->frame_start_ns) {
		w->frame_start_ns = now_ns;
		return 0;
	}
	if (now_ns - w->frame_start_ns < w->frame_ns)
		return 0;
	return trace_writer__flush(w);
}

int trace_writer__write(struct trace_writer *w, const void *recs, size_t len)
{
	int err = writer_compress(w, recs, len, ZSTD_e_continue);

	if (err)
		return err;
	summarize(w, recs, len);
	w->frame_in += len;
	w->bytes_in += len;
	if (w->frame_in >= w->frame_bytes)
		return trace_writer__flush(w);
	return 0;
}

int trace_writer__write_rec(struct trace_writer *w, uint32_t type, const void *body, size_t len)
{
	static const uint8_t zeros[8];
	struct perf_event_header h = { .type = type };
	size_t size = FREC_ALIGN(sizeof(h) + len, 8);
	int err;

	if (size > UINT32_MAX || type < TRACE_REC_BASE)
		return -EINVAL;
	trace_rec__set_size(&h, (uint32_t)size);
	/* One record may straddle compressor calls but never a frame: flush only after the last part. */
	err = writer_compress(w, &h, sizeof(h), ZSTD_e_continue);
	if (!err && len)
		err = writer_compress(w, body, len, ZSTD_e_continue);
	if (!err && size > sizeof(h) + len)
		err = writer_compress(w, zeros, size - sizeof(h) - len, ZSTD_e_continue);
	if (err)
		return err;
	if (type != TRACE_REC_ROUND)
		w->sum.flags &= ~TRACE_SUMMARY_ONLY_SAMPLES;
	w->frame_in += size;
	w->bytes_in += size;
	if (w->frame_in >= w->frame_bytes)
		return trace_writer__flush(w);
	return 0;
}

/* Records whose body is a fixed struct after the header: write the struct minus its header. */
static int write_struct(struct trace_writer *w, uint32_t type, const void *rec, size_t size)
{
	return trace_writer__write_rec(w, type, (const uint8_t *)rec + sizeof(struct perf_event_header),
				       size - sizeof(struct perf_event_header));
}

int trace_writer__write_header(struct trace_writer *w, const struct trace_meta *meta)
{
	struct trace_header th = {
		.version_major = meta->version_major ? meta->version_major : TRACE_VERSION_MAJOR_BASE,
		.version_minor = TRACE_VERSION_MINOR,
		.fixed_size = sizeof(th),
		.start_ns = meta->start_ns,
		.start_realtime_ns = meta->start_realtime_ns,
		.clockid = meta->clockid,
		.nr_cpus = meta->nr_cpus,
		.page_size = meta->page_size,
	};
	size_t len = sizeof(th) - sizeof(th.hdr);
	uint8_t *body, *p;
	int err;

	memcpy(th.magic, TRACE_MAGIC, sizeof(th.magic));
	for (size_t i = 0; i < meta->nr_kv; i++)
		len += strlen(meta->kv[i]) + 1;
	body = malloc(len);
	if (!body)
		return -ENOMEM;
	memcpy(body, (uint8_t *)&th + sizeof(th.hdr), sizeof(th) - sizeof(th.hdr));
	p = body + sizeof(th) - sizeof(th.hdr);
	for (size_t i = 0; i < meta->nr_kv; i++) {
		size_t n = strlen(meta->kv[i]) + 1;

		memcpy(p, meta->kv[i], n);
		p += n;
	}
	err = trace_writer__write_rec(w, TRACE_REC_HEADER, body, len);
	free(body);
	return err;
}

int trace_writer__write_attr(struct trace_writer *w, const struct perf_event_attr *attr,
			     const uint64_t *ids, uint32_t nr_ids, const char *name)
{
	uint32_t attr_size = attr->size ? attr->size : sizeof(*attr);
	size_t attr_room = FREC_ALIGN((size_t)attr_size, 8);
	size_t name_len = strlen(name) + 1;
	size_t len = 8 + attr_room + (size_t)nr_ids * 8 + name_len;
	uint8_t *body = calloc(1, len);
	int off = -1, err;

	if (!body)
		return -ENOMEM;
	/* A sample's time follows the IDENTIFIER, IP and TID fields it has (perf_event_open(2)); the
	 * summaries give times only while every event puts it at the same place. */
	if (attr->sample_type & PERF_SAMPLE_TIME)
		off = (int)sizeof(struct perf_event_header) +
		      8 * __builtin_popcountll(attr->sample_type &
					       (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID));
	w->time_off = !w->time_off || w->time_off == off ? off : -1;
	memcpy(body, &attr_size, 4);
	memcpy(body + 4, &nr_ids, 4);
	memcpy(body + 8, attr, FREC_MIN((size_t)attr_size, sizeof(*attr)));
	if (nr_ids)
		memcpy(body + 8 + attr_room, ids, (size_t)nr_ids * 8);
	memcpy(body + 8 + attr_room + (size_t)nr_ids * 8, name, name_len);
	err = trace_writer__write_rec(w, TRACE_REC_ATTR, body, len);
	free(body);
	return err;
}

/* One text record: struct trace_text fields, then the text. */
static int write_text_rec(struct trace_writer *w, uint32_t type, int32_t pid, const char *text, size_t len)
{
	struct trace_text tt = { .pid = pid, .len = (uint32_t)len };
	uint8_t *body = malloc(8 + len);
	int err;

	if (!body)
		return -ENOMEM;
	memcpy(body, (uint8_t *)&tt + sizeof(tt.hdr), 8);
	memcpy(body + 8, text, len);
	err = trace_writer__write_rec(w, type, body, 8 + len);
	free(body);
	return err;
}

int trace_writer__write_text(struct trace_writer *w, uint32_t type, int32_t pid, const char *text, size_t len)
{
	while (len) {
		size_t n = len;

		/* Cut at the last line end within the chunk; a longer line goes whole. */
		if (n > WRITER_TEXT_CHUNK) {
			const char *nl = memrchr(text, '\n', WRITER_TEXT_CHUNK);

			if (!nl)
				nl = memchr(text + WRITER_TEXT_CHUNK, '\n', len - WRITER_TEXT_CHUNK);
			n = nl ? (size_t)(nl - text) + 1 : len;
		}
		if (n > UINT32_MAX - 64)
			return -EFBIG;
		int err = write_text_rec(w, type, pid, text, n);

		if (err)
			return err;
		text += n;
		len -= n;
	}
	return 0;
}

int trace_writer__write_build_id(struct trace_writer *w, int32_t pid, const uint8_t *build_id,
				 uint8_t size, const char *path)
{
	struct trace_build_id b = { .pid = pid, .size = size };
	size_t fixed = sizeof(b) - sizeof(b.hdr);
	size_t path_len = strlen(path) + 1;
	uint8_t *body;
	int err;

	if (size > sizeof(b.build_id))
		return -EINVAL;
	memcpy(b.build_id, build_id, size);
	body = malloc(fixed + path_len);
	if (!body)
		return -ENOMEM;
	memcpy(body, (uint8_t *)&b + sizeof(b.hdr), fixed);
	memcpy(body + fixed, path, path_len);
	err = trace_writer__write_rec(w, TRACE_REC_BUILD_ID, body, fixed + path_len);
	free(body);
	return err;
}

int trace_writer__write_footer(struct trace_writer *w, const struct trace_footer *f)
{
	return write_struct(w, TRACE_REC_FOOTER, f, sizeof(*f));
}

uint64_t trace_writer__bytes(const struct trace_writer *w)
{
	return w->bytes_out;
}

uint64_t trace_writer__data_bytes(const struct trace_writer *w)
{
	return w->bytes_in;
}

uint64_t trace_writer__frames(const struct trace_writer *w)
{
	return w->frames;
}

int trace_writer__open_fd(int fd, const struct trace_writer_opts *opts, struct trace_writer **out)
{
	static const struct trace_writer_opts defaults;
	size_t out_cap = ZSTD_CStreamOutSize();
	struct trace_writer *w;
	size_t r;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	w = calloc(1, sizeof(*w) + out_cap);
	if (!w) {
		close(fd);
		return -ENOMEM;
	}
	w->fd = fd;
	w->out_cap = out_cap;
	w->frame_bytes = opts->frame_bytes ? opts->frame_bytes : WRITER_FRAME_BYTES;
	w->frame_ns = opts->frame_ns ? opts->frame_ns : WRITER_FRAME_NS;
	w->sum = WRITER_SUMMARY_START;
	w->crc = 0;
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx)
		goto err_nomem;
	/* No content checksum: the frame summary's CRC covers the stored frame (trace.h). */
	r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, opts->level ? opts->level : WRITER_LEVEL);
	/*
	 * DWARF stack copies repeat, mostly, from one sample of a thread to its next, tens of KiB
	 * apart: long-distance matching over a window as large as a frame finds them (2-3x smaller
	 * traces with --call-graph dwarf, for little CPU).
	 */
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_enableLongDistanceMatching, 1);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_windowLog, WRITER_WINDOW_LOG);
	if (ZSTD_isError(r)) {
		pr_err("cannot configure the compressor: %s", ZSTD_getErrorName(r));
		trace_writer__close(w);
		return -FREC_E_ZSTD;
	}
	*out = w;
	return 0;

err_nomem:
	trace_writer__close(w);
	return -ENOMEM;
}

int trace_writer__close(struct trace_writer *w)
{
	int err;

	if (!w)
		return 0;
	err = trace_writer__flush(w);
	if (w->fd >= 0 && close(w->fd) && !err)
		err = -errno;
	ZSTD_freeCCtx(w->cctx);
	free(w);
	return err;
}
