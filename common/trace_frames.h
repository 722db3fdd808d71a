/* SPDX-License-Identifier: MIT */
/*
 * The frames of a trace, for the trace reader: found in the input, checked (CRC, size) and
 * decompressed one at a time, damage skipped and counted.  With read-ahead, a thread of the
 * object's own decompresses the next frame while the reader hands out the records of the current
 * one.  A rewind hands out again the frames still decompressed from the last pass.
 *
 * Private to common/ (trace_reader.c).
 */
#ifndef FREC_TRACE_FRAMES_H
#define FREC_TRACE_FRAMES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#include "frec/trace.h"

/* What every zstd frame starts with (as bytes). */
#define TRACE_ZSTD_MAGIC "\x28\xb5\x2f\xfd"

/* Where the loader is in the input, and what it has counted up to there. */
struct trace_frames_pos {
	size_t src_pos;
	unsigned int resync_probes; /* see FRAMES_RESYNC_PROBES */
	int next_seq; /* the seq of the next frame (see trace_frame), -1 when unknown */
	struct trace_status status; /* the fields take_status() copies from it */
};

/*
 * The loader: finds the frames in the input and decompresses them.  It owns its place in the
 * input and the status fields about frames; with read-ahead it runs on the thread, one frame
 * ahead of the records handed out, and touches nothing else.
 */
struct trace_frames_loader {
	const uint8_t *src;
	size_t src_len;
	struct trace_frames_pos at;
	bool skip_samples;
	ZSTD_DCtx *dctx;
};

/* A frame as the loader delivers it. */
struct trace_frame {
	uint8_t *buf;
	size_t buf_len, buf_cap;
	size_t frame_pos; /* offset of the frame in the input */
	int ret;          /* the load's result: 1 a frame, 0 the end, or -ENOMEM */
	int seq;          /* 0 for the input's first frame, 1 for the next...: -1 past damage or a skip */
	bool only_samples; /* its summary says trace_reader__skip_samples() passes over it */
	struct trace_frames_pos after; /* the loader's state after this frame */
};

/* The loader's thread fills one frame while the reader reads the records of the other; filled
 * says the one at next_take is loaded and not yet taken. */
struct trace_frames_ahead {
	bool on, running, stop, filled;
	unsigned int next_fill, next_take;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

struct trace_frames {
	struct trace_frames_loader loader;
	struct trace_frame frames[2]; /* frames[0] only, without read-ahead */
	struct trace_frames_ahead ahead;
	const struct trace_frame *cur; /* the frame records come from, NULL before the first */
	struct trace_frames_pos at;    /* the loader's state after the last frame taken */
	int reuse_seq;                 /* the seq of the next frame if a buffer may still hold it, else -1 */
};

/**
 * trace_frames__init() - the frames of the @len bytes at @src (borrowed).  Returns 0 or -ENOMEM;
 * release with trace_frames__exit() either way.
 */
int trace_frames__init(struct trace_frames *fs, const uint8_t *src, size_t len);
void trace_frames__exit(struct trace_frames *fs);

/**
 * trace_frames__next() - the next frame with records into fs->cur (valid until the next call).
 * Returns 1, 0 at the end of the readable data (fs->cur NULL), or -ENOMEM; the frames' fields of
 * @st (counts, damage, truncation, position, skipped frames) are brought up to date.
 */
int trace_frames__next(struct trace_frames *fs, struct trace_status *st);

/** trace_frames__rewind() - start again at the input's first frame. */
void trace_frames__rewind(struct trace_frames *fs);

/** trace_frames__skip_samples() / trace_frames__read_ahead() - as trace_reader__skip_samples() and
 * trace_reader__read_ahead(), from the frame after fs->cur on. */
void trace_frames__skip_samples(struct trace_frames *fs, bool skip);
void trace_frames__read_ahead(struct trace_frames *fs, bool on);

#endif /* FREC_TRACE_FRAMES_H */
