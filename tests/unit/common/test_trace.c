// SPDX-License-Identifier: MIT
/*
 * Trace writer/reader round trips, and what a reader makes of damaged traces.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "frec/error.h"
#include "frec/trace.h"
#include "helpers.h"
#include "trace_fixture.h"

#define NSAMPLES 3000
#define ID 77

static char path[256];

/* Write a trace of NSAMPLES samples, a frame closed every 1000 samples; return its bytes. */
static uint8_t *write_trace(size_t *len, bool footer)
{
	static const char *const kv[] = { "event=cpu-clock", "command=demo --arg", "hostname=test" };
	struct trace_meta meta = {
		.start_ns = 1000,
		.clockid = CLOCK_MONOTONIC,
		.nr_cpus = 2,
		.page_size = 4096,
		.nr_kv = 3,
		.kv = kv,
	};
	struct perf_event_attr attr = fix_attr(0);
	uint64_t ids[] = { ID, ID + 1 };
	uint64_t chain[] = { PERF_CONTEXT_USER, 0x401000, 0x401100 };
	struct trace_writer *w;
	uint8_t rec[512], *buf;
	char dir[128];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/t.zst", test_tmpdir(dir, sizeof(dir)));
	cr_assert_eq(fix_writer_open(path, NULL, &w), 0);
	cr_assert_eq(trace_writer__write_header(w, &meta), 0);
	cr_assert_eq(trace_writer__write_attr(w, &attr, ids, 2, "cpu-clock"), 0);
	cr_assert_eq(trace_writer__write(w, rec, fix_comm(rec, 42, 42, "demo", 1500, ID)), 0);
	cr_assert_eq(trace_writer__flush(w), 0);
	for (int i = 0; i < NSAMPLES; i++) {
		size_t n = fix_sample(rec, 0, ID, 0x401234, 42, 43, 2000 + (uint64_t)i, chain, 3, 0, 0);

		cr_assert_eq(trace_writer__write(w, rec, n), 0);
		if (i % 1000 == 999)
			cr_assert_eq(trace_writer__flush(w), 0);
	}
	cr_assert_eq(trace_writer__write_text(w, TRACE_REC_PERF_MAP, 42, "1000 10 js:hot\n2000 20 js:cold\n", 31), 0);
	if (footer) {
		struct trace_footer f = { .samples = NSAMPLES, .lost = 5, .end_ns = 9999 };

		cr_assert_eq(trace_writer__write_footer(w, &f), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);

	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size);
	cr_assert_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

struct counts {
	uint64_t samples, comm, text, footer, header, attr, other;
};

static struct counts read_all(struct trace_reader *r)
{
	const struct perf_event_header *h;
	struct counts c = { 0 };
	int ret;

	while ((ret = trace_reader__next(r, &h)) > 0) {
		switch (h->type) {
		case PERF_RECORD_SAMPLE: {
			struct trace_sample s;

			cr_assert_eq(trace_reader__parse_sample(r, h, &s), 0);
			cr_assert_eq(s.ip, 0x401234);
			cr_assert_eq(s.pid, 42);
			cr_assert_eq(s.tid, 43);
			cr_assert_geq(s.time, 2000 + c.samples, "out of order or repeated");
			cr_assert_eq(s.nr_callchain, 3);
			cr_assert_eq(s.callchain[2], 0x401100);
			c.samples++;
			break;
		}
		case PERF_RECORD_COMM: {
			struct trace_sample_id id;

			cr_assert_eq(trace_reader__parse_id(r, h, &id), 0);
			cr_assert(id.valid);
			cr_assert_eq(id.time, 1500);
			cr_assert_eq(id.pid, 42);
			cr_assert_eq(id.id, ID);
			c.comm++;
			break;
		}
		case TRACE_REC_PERF_MAP: {
			const struct trace_text *t = (const void *)h;

			cr_assert_eq(t->pid, 42);
			cr_assert_eq(t->len, 31);
			cr_assert_eq(memcmp(t + 1, "1000 10 js:hot\n", 15), 0);
			c.text++;
			break;
		}
		case TRACE_REC_FOOTER:
			c.footer++;
			break;
		case TRACE_REC_HEADER:
			c.header++;
			break;
		case TRACE_REC_ATTR:
			c.attr++;
			break;
		default:
			c.other++;
		}
	}
	cr_assert_eq(ret, 0);
	return c;
}

/* The trace of @len bytes at @buf reads whole: every sample, and no damage reported. */
static void assert_reads_whole(const uint8_t *buf, size_t len)
{
	struct trace_reader *r;
	struct counts c;

	cr_assert_eq(trace_reader__open_mem(buf, len, &r), 0);
	c = read_all(r);
	cr_assert_eq(c.samples, NSAMPLES);
	cr_assert_not(trace_reader__status(r)->corrupt);
	trace_reader__close(r);
}

Test(common_trace, round_trip_keeps_every_record)
{
	size_t len;
	uint8_t *buf = write_trace(&len, true);
	struct trace_reader *r;
	struct counts c;

	cr_assert_eq(trace_reader__open_mem(buf, len, &r), 0);
	cr_assert_str_eq(trace_reader__meta(r, "event"), "cpu-clock");
	cr_assert_str_eq(trace_reader__meta(r, "command"), "demo --arg");
	cr_assert_null(trace_reader__meta(r, "even"));
	cr_assert_eq(trace_reader__header(r)->nr_cpus, 2);
	cr_assert_eq(trace_reader__header(r)->start_ns, 1000);
	cr_assert_eq(trace_reader__nr_events(r), 1);
	cr_assert_str_eq(trace_reader__event(r, 0)->name, "cpu-clock");
	cr_assert_eq(trace_reader__event(r, 0)->nr_ids, 2);
	cr_assert_eq(trace_reader__event(r, 0)->attr.sample_type, FIX_SAMPLE_TYPE);

	c = read_all(r);
	cr_assert_eq(c.samples, NSAMPLES);
	cr_assert_eq(c.header, 1);
	cr_assert_eq(c.attr, 1);
	cr_assert_eq(c.comm, 1);
	cr_assert_eq(c.text, 1);
	cr_assert_eq(c.footer, 1);
	cr_assert_eq(c.other, 0);
	cr_assert_not_null(trace_reader__footer(r));
	cr_assert_eq(trace_reader__footer(r)->lost, 5);
	cr_assert_not(trace_reader__status(r)->truncated);
	cr_assert_not(trace_reader__status(r)->corrupt);
	cr_assert_geq(trace_reader__status(r)->frames, 4);

	/* A second pass sees the same records. */
	trace_reader__rewind(r);
	c = read_all(r);
	cr_assert_eq(c.samples, NSAMPLES);
	trace_reader__close(r);
	free(buf);
}

/* The offsets of the frames of @buf that are not skippable, and of those that are. */
static size_t frame_offsets(const uint8_t *buf, size_t len, size_t *data, size_t *skip, size_t max)
{
	size_t off = 0, nd = 0, ns = 0;

	while (off < len) {
		size_t fs = ZSTD_findFrameCompressedSize(buf + off, len - off);
		uint32_t magic;

		cr_assert_not(ZSTD_isError(fs));
		memcpy(&magic, buf + off, 4);
		if ((magic & 0xfffffff0u) == 0x184D2A50u) {
			cr_assert_lt(ns, max);
			skip[ns++] = off;
		} else {
			cr_assert_lt(nd, max);
			data[nd++] = off;
		}
		off += fs;
	}
	cr_assert_eq(ns, nd, "a summary after every frame");
	return nd;
}

Test(common_trace, frames_of_samples_are_skipped_on_request)
{
	size_t len, data[16], skip[16], n;
	uint8_t *buf = write_trace(&len, true);
	const struct trace_status *st;
	struct trace_reader *r;
	struct counts c;

	/* header + COMM, three frames of 1000 samples, then the perf map and the footer */
	n = frame_offsets(buf, len, data, skip, 16);
	cr_assert_eq(n, 5);
	cr_assert_eq(trace_reader__open_mem(buf, len, &r), 0);
	st = trace_reader__status(r);
	trace_reader__skip_samples(r, true);
	c = read_all(r);
	cr_assert_eq(c.samples, 0);
	cr_assert_eq(c.comm, 1);
	cr_assert_eq(c.text, 1);
	cr_assert_eq(c.footer, 1);
	cr_assert_eq(st->skipped_frames, 3);
	cr_assert_eq(st->skipped_samples, NSAMPLES);
	cr_assert_eq(st->skipped_first_ns, 2000);
	cr_assert_eq(st->skipped_last_ns, 2000 + NSAMPLES - 1);
	cr_assert_not(st->corrupt);

	/* Off again: every sample, decompressed straight into place with the summaries' sizes. */
	trace_reader__skip_samples(r, false);
	trace_reader__rewind(r);
	c = read_all(r);
	cr_assert_eq(c.samples, NSAMPLES);
	cr_assert_eq(st->skipped_frames, 0);
	trace_reader__close(r);

	/* A frame whose summary is missing (cut between the two) is read, not skipped. */
	cr_assert_eq(trace_reader__open_mem(buf, skip[3], &r), 0);
	st = trace_reader__status(r);
	trace_reader__skip_samples(r, true);
	c = read_all(r);
	cr_assert_eq(st->skipped_samples, 2000);
	cr_assert_eq(c.samples, 1000);
	cr_assert_not(st->truncated, "a trace that ends between frames lost nothing");
	trace_reader__close(r);

	/* A summary with a wrong size only costs the direct decompression. */
	for (size_t i = 0; i < n; i++) {
		uint64_t bytes = 16;

		memcpy(buf + skip[i] + 8 + offsetof(struct trace_frame_summary, bytes), &bytes, 8);
	}
	assert_reads_whole(buf, len);
	free(buf);
}

/* The samples of the next @n records of @r, or of all that are left (@n 0). */
static uint64_t samples_in(struct trace_reader *r, uint64_t n)
{
	const struct perf_event_header *h;
	uint64_t samples = 0;

	for (uint64_t i = 0; (!n || i < n) && trace_reader__next(r, &h) > 0; i++)
		samples += h->type == PERF_RECORD_SAMPLE;
	return samples;
}

Test(common_trace, read_ahead_changes_nothing_but_who_decompresses, .timeout = 20.)
{
	size_t len;
	uint8_t *buf = write_trace(&len, true);
	const struct trace_status *st;
	struct trace_reader *r;
	struct counts c;
	uint64_t got;

	cr_assert_eq(trace_reader__open_mem(buf, len, &r), 0);
	st = trace_reader__status(r);
	trace_reader__read_ahead(r, true);
	trace_reader__skip_samples(r, true);
	c = read_all(r);
	cr_assert_eq(c.samples, 0);
	cr_assert_eq(c.comm + c.text + c.footer, 3);
	cr_assert_eq(st->skipped_samples, NSAMPLES);

	/* every sample; then a rewind while the thread is one frame ahead */
	trace_reader__skip_samples(r, false);
	trace_reader__rewind(r);
	cr_assert_eq(read_all(r).samples, NSAMPLES);
	trace_reader__rewind(r);
	cr_assert_gt(samples_in(r, 1500), 0);
	trace_reader__rewind(r);
	cr_assert_eq(samples_in(r, 0), NSAMPLES);

	/* read-ahead off and on again mid-way: the loader goes on after the frame being read */
	trace_reader__rewind(r);
	got = samples_in(r, 1500);
	trace_reader__read_ahead(r, false);
	got += samples_in(r, 1000);
	trace_reader__read_ahead(r, true);
	got += samples_in(r, 0);
	cr_assert_eq(got, NSAMPLES, "%lu samples, not %d: frames lost or read twice when read-ahead changed",
		     (unsigned long)got, NSAMPLES);
	cr_assert_not(st->corrupt);
	trace_reader__close(r);

	/* closed while the thread waits with a frame loaded */
	cr_assert_eq(trace_reader__open_mem(buf, len, &r), 0);
	trace_reader__read_ahead(r, true);
	cr_assert_gt(samples_in(r, 1100), 0);
	trace_reader__close(r);
	free(buf);
}

Test(common_trace, the_file_is_a_plain_zstd_stream)
{
	char cmd[512];
	size_t len;

	free(write_trace(&len, true));
	snprintf(cmd, sizeof(cmd), "zstd -t -q '%s' 2>/dev/null", path);
	if (system("command -v zstd >/dev/null") != 0)
		cr_skip_test("zstd command not installed");
	cr_assert_eq(system(cmd), 0, "zstd -t rejected the trace");
}

Test(common_trace, truncated_trace_is_read_up_to_its_last_complete_frame)
{
	size_t len;
	uint8_t *buf = write_trace(&len, true);
	struct trace_reader *r;
	struct counts c;
	uint64_t prev = UINT64_MAX;

	/* Cut at every offset from the end back to the start: never a crash, never more than was there. */
	for (size_t cut = len - 1; cut > 0; cut -= (cut > 64 ? 37 : 1)) {
		int err = trace_reader__open_mem(buf, cut, &r);

		if (err) {
			cr_assert(err == -FREC_E_TRACE_TRUNCATED || err == -FREC_E_TRACE_NO_HEADER,
				  "cut %zu: %s", cut, frec_strerror(err));
			continue;
		}
		c = read_all(r);
		cr_assert(trace_reader__status(r)->truncated, "cut at %zu not reported", cut);
		/* only a cut inside the last frame's summary keeps every record */
		if (cut >= len - 8 - sizeof(struct trace_frame_summary))
			cr_assert_not_null(trace_reader__footer(r));
		else
			cr_assert_null(trace_reader__footer(r));
		cr_assert_eq(c.samples % 1000, 0, "cut %zu: a partial frame leaked %lu samples", cut,
			     (unsigned long)c.samples);
		cr_assert_leq(c.samples, prev);
		prev = c.samples;
		trace_reader__close(r);
	}
	free(buf);
}

Test(common_trace, a_corrupt_frame_is_skipped_and_reported)
{
	size_t len;
	uint8_t *buf = write_trace(&len, true);
	struct trace_reader *r;
	struct counts c;

	/* Flip bytes in the middle of the stream: inside one of the sample frames. */
	for (size_t i = len / 2; i < len / 2 + 8; i++)
		buf[i] ^= 0x5a;
	cr_assert_eq(trace_reader__open_mem(buf, len, &r), 0);
	c = read_all(r);
	cr_assert(trace_reader__status(r)->corrupt);
	cr_assert_lt(c.samples, NSAMPLES);
	cr_assert_geq(c.samples, 1000);
	trace_reader__close(r);
	free(buf);
}

/* The offset and size of the @nth zstd frame of records in @buf (skippable frames not counted). */
static size_t nth_frame(const uint8_t *buf, size_t len, int nth, size_t *size)
{
	for (size_t pos = 0; pos < len;) {
		size_t fsize = ZSTD_findFrameCompressedSize(buf + pos, len - pos);
		uint32_t magic;

		cr_assert(!ZSTD_isError(fsize), "frame at %zu", pos);
		memcpy(&magic, buf + pos, 4);
		if ((magic & 0xfffffff0u) != ZSTD_MAGIC_SKIPPABLE_START && nth-- == 0) {
			*size = fsize;
			return pos;
		}
		pos += fsize;
	}
	cr_assert_fail("no frame %d", nth);
	return 0;
}

Test(common_trace, each_frame_summary_holds_the_crc_of_its_frame)
{
	size_t len, fsize;
	uint8_t *buf = write_trace(&len, true);

	for (int i = 0; i < 5; i++) {
		size_t off = nth_frame(buf, len, i, &fsize);
		struct trace_frame_summary sum;
		uint32_t magic;

		memcpy(&magic, buf + off + fsize, 4);
		cr_assert_eq(magic, TRACE_SUMMARY_MAGIC, "frame %d has no summary", i);
		memcpy(&sum, buf + off + fsize + 8, sizeof(sum));
		cr_assert(sum.flags & TRACE_SUMMARY_CHECK);
		cr_assert_eq(sum.check, (uint32_t)crc32_z(0, buf + off, fsize), "frame %d", i);
		/* the CRC stands in for zstd's content checksum: the frame has none */
		cr_assert_eq(buf[off + 4] & 0x04, 0, "frame %d carries a content checksum", i);
	}
	free(buf);
}

Test(common_trace, no_damaged_byte_of_a_frame_goes_unnoticed)
{
	size_t len, fsize;
	uint8_t *buf = write_trace(&len, true);
	size_t off = nth_frame(buf, len, 2, &fsize); /* samples 1000-1999 */

	for (size_t i = off; i < off + fsize; i++) {
		const struct perf_event_header *h;
		const struct trace_status *st;
		struct trace_reader *r;
		uint64_t samples = 0;

		buf[i] ^= 0x10;
		cr_assert_eq(trace_reader__open_mem(buf, len, &r), 0);
		while (trace_reader__next(r, &h) > 0)
			samples += h->type == PERF_RECORD_SAMPLE;
		st = trace_reader__status(r);
		cr_assert(st->corrupt || st->truncated, "a flip at byte %zu of %zu went unnoticed", i - off, fsize);
		cr_assert_leq(samples, NSAMPLES - 1000, "flip at byte %zu: the damaged frame was used", i - off);
		trace_reader__close(r);
		buf[i] ^= 0x10;
	}
	free(buf);
}

Test(common_trace, a_summary_without_a_crc_is_read_as_before)
{
	size_t len, fsize;
	uint8_t *buf = write_trace(&len, true);

	/* minor version 1: no CHECK flag, whatever the field holds */
	for (int i = 0; i < 5; i++) {
		size_t off = nth_frame(buf, len, i, &fsize);
		struct trace_frame_summary sum;

		memcpy(&sum, buf + off + fsize + 8, sizeof(sum));
		sum.flags &= ~TRACE_SUMMARY_CHECK;
		sum.check = 0;
		memcpy(buf + off + fsize + 8, &sum, sizeof(sum));
	}
	assert_reads_whole(buf, len);
	free(buf);
}

Test(common_trace, a_cut_trace_without_footer_is_not_an_error)
{
	size_t len;
	uint8_t *buf = write_trace(&len, false);
	struct trace_reader *r;
	struct counts c;

	cr_assert_eq(trace_reader__open_mem(buf, len, &r), 0);
	c = read_all(r);
	cr_assert_eq(c.samples, NSAMPLES);
	cr_assert_null(trace_reader__footer(r));
	cr_assert_not(trace_reader__status(r)->has_footer);
	trace_reader__close(r);
	free(buf);
}

Test(common_trace, rejects_what_is_not_a_frec_trace)
{
	static const char text[] = "main;foo 12\n";
	struct trace_reader *r;
	uint8_t zstd_other[64];
	size_t n;

	cr_assert_eq(trace_reader__open_mem(text, sizeof(text) - 1, &r), -FREC_E_TRACE_MAGIC);
	cr_assert_eq(trace_reader__open_mem(text, 0, &r), -FREC_E_EMPTY);
	cr_assert_eq(trace_reader__open_mem("\x28\xb5", 2, &r), -FREC_E_TRACE_TRUNCATED);
	/* A valid zstd stream of something else. */
	n = fix_comm(zstd_other, 1, 1, "x", 0, 0);
	{
		char dir[128], p[256];
		struct trace_writer *w;
		int fd;
		struct stat st;
		uint8_t *buf;

		snprintf(p, sizeof(p), "%s/x.zst", test_tmpdir(dir, sizeof(dir)));
		cr_assert_eq(fix_writer_open(p, NULL, &w), 0);
		cr_assert_eq(trace_writer__write(w, zstd_other, n), 0);
		cr_assert_eq(trace_writer__close(w), 0);
		fd = open(p, O_RDONLY);
		fstat(fd, &st);
		buf = malloc((size_t)st.st_size);
		cr_assert_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
		close(fd);
		cr_assert_eq(trace_reader__open_mem(buf, (size_t)st.st_size, &r), -FREC_E_TRACE_MAGIC);
		free(buf);
	}
	cr_assert_eq(trace_reader__open("/nonexistent/trace.zst", &r), -ENOENT);
	cr_assert_eq(trace_reader__open("/", &r), -EISDIR);
}

Test(common_trace, refuses_a_newer_major_version)
{
	size_t len;
	uint8_t *buf = write_trace(&len, true);
	char dir[128], p[256];
	struct trace_writer *w;
	struct trace_reader *r;
	struct trace_header th = { .version_major = TRACE_VERSION_MAJOR + 1, .fixed_size = sizeof(th) };
	struct stat st;
	int fd;

	free(buf);
	memcpy(th.magic, TRACE_MAGIC, 8);
	snprintf(p, sizeof(p), "%s/v.zst", test_tmpdir(dir, sizeof(dir)));
	cr_assert_eq(fix_writer_open(p, NULL, &w), 0);
	cr_assert_eq(trace_writer__write_rec(w, TRACE_REC_HEADER, (uint8_t *)&th + 8, sizeof(th) - 8), 0);
	cr_assert_eq(trace_writer__close(w), 0);
	fd = open(p, O_RDONLY);
	fstat(fd, &st);
	buf = malloc((size_t)st.st_size);
	cr_assert_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	cr_assert_eq(trace_reader__open_mem(buf, (size_t)st.st_size, &r), -FREC_E_TRACE_VERSION);
	(void)len;
	free(buf);
}

Test(common_trace, frames_close_on_time_and_size)
{
	struct trace_writer_opts opts = { .frame_bytes = 4096, .frame_ns = 1000 };
	struct trace_writer *w;
	struct trace_reader *r;
	uint64_t chain[] = { 0x1 };
	uint8_t rec[256];
	char dir[128], p[256];
	size_t n = fix_sample(rec, 0, ID, 1, 1, 1, 1, chain, 1, 0, 0);
	uint64_t frames_before;
	int fd;
	struct stat st;
	uint8_t *buf;

	snprintf(p, sizeof(p), "%s/f.zst", test_tmpdir(dir, sizeof(dir)));
	cr_assert_eq(fix_writer_open(p, &opts, &w), 0);
	cr_assert_eq(trace_writer__write_rec(w, TRACE_REC_ROUND, NULL, 0), 0);
	/* tick: the first notes the frame's start, a later one past frame_ns closes it */
	cr_assert_eq(trace_writer__tick(w, 5000), 0);
	frames_before = trace_writer__bytes(w);
	cr_assert_eq(trace_writer__tick(w, 5500), 0);
	cr_assert_eq(trace_writer__bytes(w), frames_before, "closed before frame_ns");
	cr_assert_eq(trace_writer__tick(w, 6000), 0);
	cr_assert_gt(trace_writer__bytes(w), frames_before, "not closed after frame_ns");
	/* size: 100 samples of ~80 bytes cross 4096 bytes at least once */
	for (int i = 0; i < 100; i++)
		cr_assert_eq(trace_writer__write(w, rec, n), 0);
	cr_assert_eq(trace_writer__close(w), 0);

	fd = open(p, O_RDONLY);
	fstat(fd, &st);
	buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	/* Without a header this is not a trace, but the frames are countable with zstd itself. */
	cr_assert_eq(trace_reader__open_mem(buf, (size_t)st.st_size, &r), -FREC_E_TRACE_MAGIC);
	{
		size_t off = 0, frames = 0;

		while (off < (size_t)st.st_size) {
			size_t fs = ZSTD_findFrameCompressedSize(buf + off, (size_t)st.st_size - off);

			cr_assert_not(ZSTD_isError(fs));
			off += fs;
			frames++;
		}
		cr_assert_geq(frames, 3);
	}
	munmap(buf, (size_t)st.st_size);
}

Test(common_trace, disk_full_is_reported_and_sticky)
{
	struct trace_writer *w;
	uint8_t rec[256];
	uint64_t chain[] = { 0x1 };
	size_t n = fix_sample(rec, 0, ID, 1, 1, 1, 1, chain, 1, 0, 0);
	int err = 0;

	if (access("/dev/full", W_OK))
		cr_skip_test("/dev/full not available");
	cr_assert_eq(fix_writer_open("/dev/full", NULL, &w), 0);
	for (int i = 0; i < 100000 && !err; i++)
		err = trace_writer__write(w, rec, n);
	if (!err)
		err = trace_writer__flush(w);
	cr_assert_eq(err, -ENOSPC);
	cr_assert_eq(trace_writer__write(w, rec, n), -ENOSPC);
	cr_assert_eq(trace_writer__close(w), -ENOSPC);
}
