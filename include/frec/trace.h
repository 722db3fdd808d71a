/* SPDX-License-Identifier: MIT */
/*
 * Contract 1: the trace file (see frec-trace(5) for the full specification).
 *
 * A trace is a zstd stream of independent frames.  Decompressed, it is a sequence of records, each
 * starting with a struct perf_event_header and padded to a multiple of 8 bytes:
 *
 *   - kernel records (type < TRACE_REC_BASE) exactly as the kernel wrote them into the ring buffer,
 *     with two exceptions: a sample's user stack copy is cut to its valid bytes (dyn_size), and
 *     (version 3) it may be stored as a delta against its thread's previous copy in the same frame
 *     (see "Stack deltas" below);
 *   - MMAP2 and COMM records synthesized from /proc for processes that already ran when recording
 *     began, laid out as the kernel would have written them;
 *   - frec's own records (type >= TRACE_REC_BASE), whose size is 32 bits wide: the low 16 bits in
 *     header.size and the high 16 bits in header.misc (see trace_rec__size()).
 *
 * The first record is TRACE_REC_HEADER, followed by one TRACE_REC_ATTR per event; the last is
 * TRACE_REC_FOOTER, which a reader must not require (a trace cut short by kill -9 or a full disk has
 * none).  No record spans two frames, so every complete frame can be read on its own.
 */
#ifndef FREC_TRACE_H
#define FREC_TRACE_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frec/hashmap.h"

#define TRACE_MAGIC "FRECTRC" /* 8 bytes with the NUL */
/*
 * Major versions: 1, the base format; 2, a trace with off-CPU samples (an event named
 * TRACE_EVENT_OFF_CPU and the kernel's SWITCH records); 3, a trace whose user stack copies may be
 * stack deltas (TRACE_STACK_DELTA), with or without off-CPU samples.  A reader of version 1 would
 * count off-CPU samples as CPU samples, and one of version 2 would find no stack in a delta, so
 * each must refuse the later versions: a trace is written with the lowest version that holds what
 * it holds, and the others stay readable by older frec.
 */
#define TRACE_VERSION_MAJOR 3             /* the newest major version this build reads */
#define TRACE_VERSION_MAJOR_BASE 1        /* written when a trace holds nothing of a later version */
#define TRACE_VERSION_MAJOR_OFF_CPU 2     /* written when it holds off-CPU samples */
#define TRACE_VERSION_MAJOR_STACK_DELTA 3 /* written when its stack copies may be deltas */
#define TRACE_VERSION_MINOR 2 /* 1: frame summaries; 2: their CRC of the frame */

/*
 * The name of the event whose samples are switches out of a CPU (a software context-switch event,
 * period 1, frec record --off-cpu): its samples carry the blocking stack, and its SWITCH records
 * (attr.context_switch) the times each thread left and came back to a CPU.
 */
#define TRACE_EVENT_OFF_CPU "off-cpu"

/* frec's own record types: far above the kernel's (< 64) and perf's user types (64..127). */
#define TRACE_REC_BASE 0x10000u
enum trace_rec_type {
	TRACE_REC_HEADER = 0x10001,   /* struct trace_header + "key=value\0" strings */
	TRACE_REC_ATTR = 0x10002,     /* struct trace_attr_rec: perf_event_attr, ids, name */
	TRACE_REC_FOOTER = 0x10003,   /* struct trace_footer: totals */
	TRACE_REC_BUILD_ID = 0x10004, /* struct trace_build_id: build-id of a mapped file */
	TRACE_REC_KSYMS = 0x10005,    /* struct trace_text: kernel symbols the samples hit */
	TRACE_REC_PERF_MAP = 0x10006, /* struct trace_text: lines of /tmp/perf-PID.map */
	TRACE_REC_ROUND = 0x10007,    /* bare header: end of one pass over all ring buffers */
};

/** trace_rec__size() - total size in bytes of the record at @h, header included. */
static inline uint32_t trace_rec__size(const struct perf_event_header *h)
{
	if (h->type >= TRACE_REC_BASE)
		return (uint32_t)h->misc << 16 | h->size;
	return h->size;
}

/** trace_rec__set_size() - store a frec record's 32-bit size in @h (its type must be set). */
static inline void trace_rec__set_size(struct perf_event_header *h, uint32_t size)
{
	h->size = (uint16_t)size;
	h->misc = (uint16_t)(size >> 16);
}

/*
 * TRACE_REC_HEADER.  The fixed part may grow in later minor versions: readers find the strings at
 * @fixed_size, not at sizeof(struct trace_header).  The strings are "key=value\0" pairs up to the
 * record's end (zero padding after the last); frec-trace(5) lists the keys.
 */
struct trace_header {
	struct perf_event_header hdr;
	char magic[8];              /* TRACE_MAGIC */
	uint16_t version_major;     /* readers refuse a major version they do not know */
	uint16_t version_minor;     /* compatible additions */
	uint32_t fixed_size;        /* bytes from the record start to the first string */
	uint64_t start_ns;          /* recording start, on the clock of sample times (@clockid) */
	uint64_t start_realtime_ns; /* CLOCK_REALTIME at @start_ns, for display */
	uint32_t clockid;           /* clock of all "time" fields (CLOCK_MONOTONIC) */
	uint32_t nr_cpus;           /* CPUs configured on the recording machine */
	uint32_t page_size;
	uint32_t flags;             /* reserved, 0 */
};

/*
 * TRACE_REC_ATTR: one per event.  Followed by the perf_event_attr as passed to the kernel
 * (@attr_size bytes, padded to 8), @nr_ids u64 sample ids (PERF_EVENT_IOC_ID of each fd of this
 * event), and the event's name, NUL-terminated.
 */
struct trace_attr_rec {
	struct perf_event_header hdr;
	uint32_t attr_size;
	uint32_t nr_ids;
};

/*
 * TRACE_REC_FOOTER.  Fields may be appended in later minor versions; readers zero what a shorter
 * record lacks.
 */
#define TRACE_FOOTER_INTERRUPTED (1u << 0) /* stopped by SIGINT/SIGTERM */
#define TRACE_FOOTER_DISK_FULL (1u << 1)   /* stopped early: the output could not be written */
#define TRACE_FOOTER_TARGET_EXITED (1u << 2)
#define TRACE_FOOTER_DURATION (1u << 3)    /* stopped after -d SECONDS */
struct trace_footer {
	struct perf_event_header hdr;
	uint64_t samples;      /* PERF_RECORD_SAMPLE records written */
	uint64_t lost;         /* samples the kernel dropped (sum of PERF_RECORD_LOST.lost) */
	uint64_t lost_records; /* PERF_RECORD_LOST records */
	uint64_t throttles;    /* PERF_RECORD_THROTTLE records */
	uint64_t first_ns;     /* time of the first and last sample */
	uint64_t last_ns;
	uint64_t end_ns;       /* when recording stopped, before the trace was finished, on the header's
				* clock: end_ns - start_ns is the recording's duration */
	uint64_t cpu_user_ns;  /* frec's own CPU time up to the footer */
	uint64_t cpu_sys_ns;
	uint64_t data_bytes;   /* uncompressed bytes of all records */
	uint32_t flags;        /* TRACE_FOOTER_* */
	uint32_t reserved;
};

/*
 * TRACE_REC_BUILD_ID: the GNU build-id of a file mapped by @pid, read when recording.  @path is as
 * the process saw it (its mount namespace), NUL-terminated; "[kernel.kallsyms]" for the kernel
 * (pid -1).
 */
struct trace_build_id {
	struct perf_event_header hdr;
	int32_t pid;
	uint8_t size; /* bytes of @build_id in use (20 for SHA-1, 16 for MD5/UUID) */
	uint8_t reserved[3];
	uint8_t build_id[20];
	/* char path[]; */
};

/*
 * TRACE_REC_KSYMS and TRACE_REC_PERF_MAP: text.  @pid is -1 for KSYMS.  @len bytes of text follow,
 * then zero padding.  Text is split between records only at line ends.
 *   KSYMS lines:    "ADDR SIZE TYPE NAME" with an optional "\t[MODULE]", hex ADDR and SIZE
 *   PERF_MAP lines: the file as the JIT wrote it: "START SIZE NAME" (hex, optional 0x)
 */
struct trace_text {
	struct perf_event_header hdr;
	int32_t pid;
	uint32_t len;
	/* char text[len]; */
};

/*
 * Frame summaries (minor version 1).  After each frame of records it completes, the writer adds a
 * zstd skippable frame (ignored by `zstd -d`) with this payload, so that a reader after the state
 * records alone (mappings, threads, symbols) can pass over frames of samples (and of the ROUND
 * markers between them) without decompressing them.  A frame whose summary is missing (a crash
 * between the two) is simply decompressed.
 *
 * Since minor version 2 the summary's CRC stands in for zstd's content checksum, which the frames
 * no longer carry: it covers the stored bytes, a hundredth of the decompressed ones with DWARF
 * stack copies, and hashing those was a fifth of a report.
 */
#define TRACE_SUMMARY_MAGIC 0x184D2A5Eu         /* one of zstd's skippable-frame magics */
#define TRACE_SUMMARY_ONLY_SAMPLES (1u << 0)    /* the frame holds samples and ROUND records only */
#define TRACE_SUMMARY_TIMES (1u << 1)           /* first_ns and last_ns are set */
#define TRACE_SUMMARY_CHECK (1u << 2)           /* check is set (minor version 2) */
struct trace_frame_summary {
	uint32_t flags;    /* TRACE_SUMMARY_* */
	uint32_t check;    /* CRC-32 (zlib's crc32, as libdeflate_crc32() computes it) of the compressed
			      frame before the summary */
	uint64_t samples;  /* PERF_RECORD_SAMPLE records in the frame */
	uint64_t first_ns; /* smallest and largest sample time */
	uint64_t last_ns;
	uint64_t bytes;    /* the frame's decompressed size */
};

/*
 * Stack deltas (major version 3).  Consecutive samples of one thread share most of their stack
 * copy: a copy ends at a fixed top (the thread's boundary, see the recorder's ustack.h), and only
 * the frames near the stack pointer change.  So a copy may be stored as the byte runs that differ
 * from what its thread's earlier copies in the same zstd frame left known below that top.  Such a
 * sample is a PERF_RECORD_SAMPLE whose stack field holds, instead of the copy, the delta (size:
 * its length rounded up to 8, zero-padded), and whose dyn_size has TRACE_STACK_DELTA set over the
 * copy's real dyn_size.  The delta is, in little-endian:
 *
 *   u32 len      the copy's length: dyn_size rounded up to 8
 *   u32 known    bytes of the thread's stack known below the top before this copy, a check
 *   runs         { u16 skip; u16 lit; u8 bytes[lit]; } from the copy's lowest address up: skip
 *                bytes keep what is known, then lit bytes are new; they cover len exactly
 *
 * A thread's known bytes, per frame: a whole copy makes them that copy (known = its length); a
 * delta patches them in place and known grows to max(known, len).  A skip may only cover known
 * bytes.  The writer makes a delta only against a copy with the same top in the same frame, so
 * every frame still decodes on its own.  Readers refuse (and count) a delta whose thread has no
 * known bytes, whose known differs, or whose runs go out of range; that sample has no stack copy.
 */
#define TRACE_STACK_DELTA (1ull << 63)     /* in dyn_size: the stack field holds a delta */
#define TRACE_STACK_DELTA_HEAD 8           /* len and known */
#define TRACE_STACK_RUN_HEAD 4             /* skip and lit */
#define TRACE_STACK_MAX 65536u             /* no copy is longer: a kernel record's size is 16 bits */

/*
 * One thread's known stack bytes in the current frame, top-aligned: the copy of length len is
 * buf[cap - len .. cap), and buf[cap - known .. cap) holds every known byte.
 */
struct trace_stack {
	uint64_t top;   /* address just above the copies (sp + len); 0 when unknown */
	uint32_t len;   /* the latest copy */
	uint32_t known; /* 0: no base, a delta cannot be decoded */
	uint32_t cap;
	uint8_t *buf;
};

/** trace_stack__exit() - free the buffer of @st (embedded lifecycle; accepts a zeroed struct). */
void trace_stack__exit(struct trace_stack *st);

/**
 * trace_stack__set() - a whole copy of @len bytes at @copy, whose top is at address @top (0 if
 * unknown): it becomes everything known.  Returns 0 or -ENOMEM (@st then has no base).
 */
int trace_stack__set(struct trace_stack *st, uint64_t top, const uint8_t *copy, uint32_t len);

/**
 * trace_stack__encode() - the delta of the copy of @len bytes at @copy (a multiple of 8, at most
 * TRACE_STACK_MAX; its top must be @st->top) into @out (@cap bytes), patching @st as the reader
 * will.  Returns the delta's length, or 0 when a delta would be no shorter than the copy or does
 * not fit: the caller then stores the copy whole, and must call trace_stack__set().
 */
size_t trace_stack__encode(struct trace_stack *st, const uint8_t *copy, uint32_t len, uint8_t *out, size_t cap);

/**
 * trace_stack__apply() - decode the delta of @dlen bytes at @delta onto @st.  Returns the copy's
 * length (the copy is at trace_stack__copy()), -FREC_E_PARSE for a delta that does not fit @st
 * (no base, a different known, runs out of range: @st then has no base until a whole copy), or
 * -ENOMEM.  Never reads outside @delta, whatever it holds.
 */
int trace_stack__apply(struct trace_stack *st, const uint8_t *delta, size_t dlen);

/** trace_stack__copy() - the latest copy (trace_stack.len bytes). */
static inline const uint8_t *trace_stack__copy(const struct trace_stack *st)
{
	return st->buf + st->cap - st->len;
}

/*
 * The threads' stacks of one frame, by tid, at most @max threads (0: no limit): each side of the
 * trace keeps one, and empties it at every frame boundary.
 */
struct trace_stacks {
	struct frec_hashmap tids; /* tid -> index in @st */
	struct trace_stack *st;
	size_t nr, cap, max;
};

/** trace_stacks__init() / __exit() - embedded lifecycle; __exit() accepts a zeroed struct. */
void trace_stacks__init(struct trace_stacks *ss, size_t max);
void trace_stacks__exit(struct trace_stacks *ss);

/** trace_stacks__reset() - a new frame: no thread has known bytes (buffers are kept for reuse). */
void trace_stacks__reset(struct trace_stacks *ss);

/**
 * trace_stacks__get() - thread @tid's stack, added when new; NULL when @max threads already have
 * one, or out of memory.
 */
struct trace_stack *trace_stacks__get(struct trace_stacks *ss, uint32_t tid);

/* ---- Writing -------------------------------------------------------------------------------- */

struct trace_writer;

struct trace_writer_opts {
	int level;          /* zstd level; 0 = frec's default */
	size_t frame_bytes; /* close a frame after this many uncompressed bytes; 0 = 4 MiB */
	uint64_t frame_ns;  /* close a non-empty frame this long after it began (see tick); 0 = 1 s */
};

/** The recording's description, written as TRACE_REC_HEADER by trace_writer__write_header(). */
struct trace_meta {
	uint64_t start_ns;
	uint64_t start_realtime_ns;
	uint32_t clockid;
	uint32_t nr_cpus;
	uint32_t page_size;
	uint16_t version_major; /* TRACE_VERSION_MAJOR_*; 0: TRACE_VERSION_MAJOR_BASE */
	size_t nr_kv;
	const char *const *kv; /* "key=value" strings */
};

/**
 * trace_writer__open_fd() - start a trace in @fd, which the writer then owns (closed also when this
 * fails).  The writer only appends (it never seeks), so @fd may be a pipe.  Who may read the trace
 * is the creator's business: frec's commands create outputs in one place (cli/output.h).
 * @opts: may be NULL for defaults.
 *
 * Returns 0 and sets *@out, or -ENOMEM or -FREC_E_ZSTD.  Release with trace_writer__close().
 */
int trace_writer__open_fd(int fd, const struct trace_writer_opts *opts, struct trace_writer **out);

/**
 * trace_writer__write() - append @len bytes holding whole records (8-byte aligned sizes).
 *
 * This is the recorder's hot path: it copies into the compressor and never parses.  A frame is
 * closed after the call when it holds frame_bytes or more.  Returns 0, or a negative errno from
 * write(2) (-ENOSPC on a full disk), -FREC_E_ZSTD; an error is sticky: later calls return it too.
 */
int trace_writer__write(struct trace_writer *w, const void *recs, size_t len);

/**
 * trace_writer__write_rec() - append one frec record: a header of @type with the 32-bit size, then
 * @len bytes of @body, padded with zeros to 8.  Same return values as trace_writer__write().
 */
int trace_writer__write_rec(struct trace_writer *w, uint32_t type, const void *body, size_t len);

/** trace_writer__write_header() - TRACE_REC_HEADER from @meta; the first record of a trace. */
int trace_writer__write_header(struct trace_writer *w, const struct trace_meta *meta);

/** trace_writer__write_attr() - TRACE_REC_ATTR for one event and the sample ids of its fds. */
int trace_writer__write_attr(struct trace_writer *w, const struct perf_event_attr *attr,
			     const uint64_t *ids, uint32_t nr_ids, const char *name);

/**
 * trace_writer__write_text() - @len bytes of line-oriented @text as one or more records of @type
 * (TRACE_REC_KSYMS or TRACE_REC_PERF_MAP), split at line ends.
 */
int trace_writer__write_text(struct trace_writer *w, uint32_t type, int32_t pid, const char *text,
			     size_t len);

/** trace_writer__write_build_id() - TRACE_REC_BUILD_ID.  @size <= 20. */
int trace_writer__write_build_id(struct trace_writer *w, int32_t pid, const uint8_t *build_id,
				 uint8_t size, const char *path);

/** trace_writer__write_footer() - TRACE_REC_FOOTER from @f (its hdr is filled in here). */
int trace_writer__write_footer(struct trace_writer *w, const struct trace_footer *f);

/**
 * trace_writer__tick() - close the current frame if it is non-empty and began @frame_ns or more
 * before @now_ns (CLOCK_MONOTONIC).  Call it once per drain pass; this bounds what a crash loses.
 */
int trace_writer__tick(struct trace_writer *w, uint64_t now_ns);

/** trace_writer__flush() - close the current frame now (if non-empty) and write it out. */
int trace_writer__flush(struct trace_writer *w);

/** trace_writer__bytes() - compressed bytes written to the file so far. */
uint64_t trace_writer__bytes(const struct trace_writer *w);
/** trace_writer__data_bytes() - uncompressed record bytes accepted so far. */
uint64_t trace_writer__data_bytes(const struct trace_writer *w);

/**
 * trace_writer__frames() - frames closed so far.  Records passed to one trace_writer__write() all
 * land in one frame, the one open when it is called: a stack delta's writer checks with this that
 * the copy it refers to is in that frame (a frame is closed only at the end of a call).
 */
uint64_t trace_writer__frames(const struct trace_writer *w);

/**
 * trace_writer__close() - close the last frame, close the file and free @w (accepts NULL).
 * Returns 0 or the first error seen (sticky write error, or close(2) failing).
 */
int trace_writer__close(struct trace_writer *w);

/* ---- Reading -------------------------------------------------------------------------------- */

struct trace_reader;

/** One event of the trace: its attr as recorded (zero-extended to this build's struct size). */
struct trace_event {
	struct perf_event_attr attr;
	const char *name;
	const uint64_t *ids;
	uint32_t nr_ids;
	uint32_t index; /* position among the trace's events */
};

/** What a reader has seen so far; complete once trace_reader__next() returned 0. */
struct trace_status {
	uint64_t frames;        /* complete frames of records read (summaries, skippable frames, not counted) */
	uint64_t records;
	uint64_t file_bytes;    /* size of the compressed input */
	uint64_t good_bytes;    /* compressed bytes in complete frames, summaries included */
	bool truncated;         /* the input ends inside a frame (crash, kill -9, full disk) */
	bool corrupt;           /* bad_frames, cut_frames or bad_stacks is not 0 */
	bool has_footer;
	uint64_t truncated_bytes; /* with truncated: the bytes of the incomplete frame at the end */
	uint64_t bad_frames;    /* damaged stretches skipped: a frame that fails to decompress or its
				   CRC, or bytes up to the next frame where no frame can start */
	uint64_t bad_bytes;     /* compressed bytes of those */
	uint64_t cut_frames;    /* frames read up to a malformed record, whose rest was dropped */
	uint64_t bad_offset;    /* compressed offset of the first damage (bad or cut frame) */
	uint64_t bad_stacks;    /* stack deltas that could not be decoded (their samples have no copy) */
	uint64_t pos;           /* compressed bytes consumed so far (progress) */
	/* frames passed over by trace_reader__skip_samples(), and their samples' count and times */
	uint64_t skipped_frames;
	uint64_t skipped_samples;
	uint64_t skipped_first_ns, skipped_last_ns;
};

/**
 * trace_reader__open() - open the trace at @path for reading (mmaps it).
 *
 * Reads the header and the event descriptions at once.  Returns 0 and sets *@out, or -errno (the
 * file cannot be opened; -ESPIPE for a pipe or device that starts like a trace: traces are read
 * from files), -FREC_E_EMPTY (an empty input), -FREC_E_TRACE_MAGIC (not a zstd stream starting
 * with a frec header), -FREC_E_TRACE_VERSION (a newer major version), -FREC_E_TRACE_TRUNCATED (not
 * even the first frame is complete), -FREC_E_TRACE_NO_HEADER (the first frame is damaged).
 * Release with trace_reader__close().
 */
int trace_reader__open(const char *path, struct trace_reader **out);

/** trace_reader__open_mem() - as trace_reader__open() on @len bytes at @buf, which must outlive the reader. */
int trace_reader__open_mem(const void *buf, size_t len, struct trace_reader **out);

/** trace_reader__close() - free the reader; accepts NULL. */
void trace_reader__close(struct trace_reader *r);

/**
 * trace_reader__next() - the next record, header record included.
 *
 * Returns 1 and sets *@rec (8-byte aligned, trace_rec__size() bytes, valid until the next call), 0
 * at the end of the readable data (see trace_reader__status() for truncation), or -ENOMEM.
 * Damage is recorded in the status, never fatal: a frame that fails to decompress is skipped, a
 * malformed record skips the rest of its frame, and a frame cut short ends the iteration.
 */
int trace_reader__next(struct trace_reader *r, const struct perf_event_header **rec);

/** trace_reader__rewind() - restart iteration at the first record (for multi-pass readers). */
void trace_reader__rewind(struct trace_reader *r);

/**
 * trace_reader__skip_samples() - while @skip is set, trace_reader__next() passes over the frames
 * whose summary says they hold nothing but samples (with their times) and ROUND markers, without
 * decompressing them, and adds their frames, samples and time range to the status (skipped_*).
 * Other frames, and frames without a summary, are read as usual, samples included.  For passes
 * that need every state record but only the number and time span of the samples.
 */
void trace_reader__skip_samples(struct trace_reader *r, bool skip);

/**
 * trace_reader__read_ahead() - while @on is set, a thread of the reader's own decompresses the
 * next frame while the caller reads the records of the current one (at most one frame ahead:
 * twice the memory of the largest frame).  Records, statuses, errors and their order are those
 * of a reader without it.  The thread is started at the next frame and joined at the end of the
 * data, by trace_reader__rewind(), by a change of setting and by trace_reader__close().  Off by
 * default; with it, one reader is still used by one thread at a time, as without it.
 */
void trace_reader__read_ahead(struct trace_reader *r, bool on);

/** trace_reader__status() - truncation and progress information. */
const struct trace_status *trace_reader__status(const struct trace_reader *r);

/** trace_reader__header() - the header record (fixed part); never NULL on an open reader. */
const struct trace_header *trace_reader__header(const struct trace_reader *r);

/** trace_reader__meta() - value of header key @key ("event", "command", ...), or NULL. */
const char *trace_reader__meta(const struct trace_reader *r, const char *key);

/** trace_reader__meta_at() - the @i-th "key=value" header string, or NULL past the end. */
const char *trace_reader__meta_at(const struct trace_reader *r, size_t i);

/** trace_reader__nr_events() / trace_reader__event() - the trace's events, in recorded order. */
uint32_t trace_reader__nr_events(const struct trace_reader *r);
const struct trace_event *trace_reader__event(const struct trace_reader *r, uint32_t index);

/** trace_reader__event_by_id() - the event a sample id belongs to (the first one if unknown). */
const struct trace_event *trace_reader__event_by_id(const struct trace_reader *r, uint64_t id);

/**
 * trace_reader__footer() - the footer once iteration has reached it, else NULL (a cut trace has
 * none: count totals from the records instead).  Zero-extended to this build's struct size.
 */
const struct trace_footer *trace_reader__footer(const struct trace_reader *r);

/* ---- Decoding kernel records ---------------------------------------------------------------- */

/** A decoded PERF_RECORD_SAMPLE; pointers borrow from the record. */
struct trace_sample {
	const struct trace_event *event;
	uint64_t id;
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint64_t addr;
	uint64_t stream_id;
	uint32_t cpu;
	uint64_t period;
	uint16_t cpumode;           /* header.misc & PERF_RECORD_MISC_CPUMODE_MASK */
	uint64_t nr_callchain;      /* entries at @callchain, PERF_CONTEXT_* markers included */
	const uint64_t *callchain;
	uint32_t raw_size;
	const void *raw;
	uint64_t regs_abi;          /* PERF_SAMPLE_REGS_ABI_*; NONE when no registers were taken */
	uint64_t regs_mask;         /* attr.sample_regs_user */
	const uint64_t *regs;       /* one u64 per set bit of @regs_mask, lowest bit first */
	uint64_t stack_size;        /* bytes at @stack as stored (cut to dyn_size by frec) */
	const uint8_t *stack;       /* NULL for a stack delta trace_event__parse_sample() decoded */
	uint64_t stack_dyn_size;    /* valid bytes the kernel copied */
	const uint8_t *stack_delta; /* a stack delta as stored (TRACE_STACK_DELTA), else NULL */
	uint64_t stack_delta_len;   /* its stored bytes (padded to 8) */
};

/**
 * trace_regs__get() - user register @reg (asm/perf_regs.h numbering) of a sample whose registers
 * @regs are those of @mask: one u64 per set bit, lowest bit first.  false when @mask lacks it.
 */
static inline bool trace_regs__get(uint64_t mask, const uint64_t *regs, unsigned int reg, uint64_t *val)
{
	if (!regs || reg >= 64 || !(mask >> reg & 1))
		return false;
	*val = regs[__builtin_popcountll(mask & ((1ull << reg) - 1))];
	return true;
}

/** Fields of the sample_id trailer of non-sample records (attr.sample_id_all). */
struct trace_sample_id {
	uint32_t pid, tid;
	uint64_t time;
	uint64_t id;
	uint64_t stream_id;
	uint32_t cpu;
	bool valid; /* false when the event has no sample_id_all */
};

/**
 * trace_event__parse_sample() - decode a PERF_RECORD_SAMPLE of event @ev.
 *
 * Validates every length against the record size.  Returns 0, or -FREC_E_PARSE for a malformed
 * record (nothing in @s may then be used).
 */
int trace_event__parse_sample(const struct trace_event *ev, const struct perf_event_header *h,
			      struct trace_sample *s);

/**
 * trace_event__parse_id() - decode the sample_id trailer of a non-sample kernel record.
 * Returns 0 (id->valid says whether there was one) or -FREC_E_PARSE.
 */
int trace_event__parse_id(const struct trace_event *ev, const struct perf_event_header *h,
			  struct trace_sample_id *id);

/*
 * The other kernel records, decoded by type.  Each decoder takes the record and the event that
 * gives the sample layout (@ev: its sample_id trailer, when attr.sample_id_all, is not part of
 * the record's own fields; NULL: no trailer), checks every length against the record, and returns
 * 0 or -FREC_E_PARSE for a record shorter than its fields.  Pointers borrow from the record.
 */

/** PERF_RECORD_MMAP and PERF_RECORD_MMAP2 (an MMAP has no device, build-id or protection). */
struct trace_mmap {
	uint32_t pid, tid;
	uint64_t addr, len, pgoff;
	bool is_mmap2;
	bool has_build_id;       /* PERF_RECORD_MISC_MMAP_BUILD_ID: @build_id instead of the inode */
	uint8_t build_id_size;   /* <= 20 */
	uint8_t build_id[20];
	uint32_t maj, min;
	uint64_t ino, ino_generation;
	uint32_t prot, flags;    /* PROT_*, MAP_*; 0 in an MMAP */
	const char *filename;    /* not NUL-terminated: @filename_len bytes */
	size_t filename_len;
};

/** trace_event__parse_mmap() - MMAP or MMAP2 (at least one byte of file name, its NUL). */
int trace_event__parse_mmap(const struct trace_event *ev, const struct perf_event_header *h, struct trace_mmap *m);

/** PERF_RECORD_COMM. */
struct trace_comm {
	uint32_t pid, tid;
	bool exec;           /* PERF_RECORD_MISC_COMM_EXEC: the name comes with a new image */
	const char *comm;    /* not NUL-terminated: @comm_len bytes */
	size_t comm_len;
};

/** trace_event__parse_comm() - COMM (at least one byte of name, its NUL). */
int trace_event__parse_comm(const struct trace_event *ev, const struct perf_event_header *h, struct trace_comm *c);

/** PERF_RECORD_FORK and PERF_RECORD_EXIT. */
struct trace_task {
	uint32_t pid, ppid;
	uint32_t tid, ptid;
	uint64_t time;
};

/** trace_event__parse_task() - FORK or EXIT. */
int trace_event__parse_task(const struct trace_event *ev, const struct perf_event_header *h, struct trace_task *t);

/** PERF_RECORD_LOST. */
struct trace_lost {
	uint64_t id;
	uint64_t lost; /* samples the kernel dropped */
};

/** trace_event__parse_lost() - LOST. */
int trace_event__parse_lost(const struct trace_event *ev, const struct perf_event_header *h, struct trace_lost *l);

/** PERF_RECORD_THROTTLE and PERF_RECORD_UNTHROTTLE. */
struct trace_throttle {
	uint64_t time;
	uint64_t id;
	uint64_t stream_id;
};

/** trace_event__parse_throttle() - THROTTLE or UNTHROTTLE. */
int trace_event__parse_throttle(const struct trace_event *ev, const struct perf_event_header *h,
				struct trace_throttle *t);

/** PERF_RECORD_SWITCH and PERF_RECORD_SWITCH_CPU_WIDE: a thread leaves or enters a CPU. */
struct trace_switch {
	bool out;                /* PERF_RECORD_MISC_SWITCH_OUT: leaving; else entering */
	bool preempt;            /* PERF_RECORD_MISC_SWITCH_OUT_PREEMPT: left while still runnable */
	bool cpu_wide;           /* SWITCH_CPU_WIDE: @next_prev_* are set */
	uint32_t next_prev_pid;  /* the thread entering (when @out) or leaving (else) */
	uint32_t next_prev_tid;
};

/**
 * trace_event__parse_switch() - SWITCH or SWITCH_CPU_WIDE.  The thread that switches and the time
 * are in the sample_id trailer (trace_event__parse_id()).
 */
int trace_event__parse_switch(const struct trace_event *ev, const struct perf_event_header *h,
			      struct trace_switch *sw);

/**
 * trace_reader__parse_sample() - trace_event__parse_sample() with the event found by sample id.
 * For the sample trace_reader__next() returned last, its stack copy is whole even when stored as
 * a stack delta (@s->stack is then valid until the next call to trace_reader__next()).
 */
int trace_reader__parse_sample(const struct trace_reader *r, const struct perf_event_header *h,
			       struct trace_sample *s);

/** trace_reader__parse_id() - trace_event__parse_id() with the event found by sample id. */
int trace_reader__parse_id(const struct trace_reader *r, const struct perf_event_header *h,
			   struct trace_sample_id *id);

/**
 * trace_sample__cut_stack() - copy the sample record @h, decoded into @s, to @out with its user
 * stack cut to its valid bytes (dyn_size rounded up to 8; a dyn_size of 0 drops the copy as the
 * kernel itself does for an empty one).  @out needs trace_rec__size(@h) bytes and may not overlap @h.
 * Returns the size of the record written to @out.
 */
size_t trace_sample__cut_stack(const struct trace_sample *s, const struct perf_event_header *h, void *out);

/**
 * trace_sample__put_stack() - copy the sample record @h, decoded into @s (with a whole stack
 * copy), to @out with @len bytes of @data (padded to 8) in its stack field and @dyn_size as its
 * dyn_size: a cut copy, or a stack delta.  @out needs room for the record with that field (and
 * may not overlap @h).  Returns the size of the record written to @out.
 */
size_t trace_sample__put_stack(const struct trace_sample *s, const struct perf_event_header *h,
			       const void *data, size_t len, uint64_t dyn_size, void *out);

/**
 * trace_rec__name() - a record type's name: "SAMPLE", "MMAP2", "HEADER", ...; "UNKNOWN" otherwise.
 */
const char *trace_rec__name(uint32_t type);

#endif /* FREC_TRACE_H */
