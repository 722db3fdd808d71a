// SPDX-License-Identifier: MIT
/*
 * What a reader counts in a damaged trace: every damaged stretch is skipped and counted once,
 * with its bytes, and whatever readable frame follows it is read.  The CLI's warnings are made of
 * these counts (cli_trace_damage()), so a count of 0 next to "damaged" is a bug here.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "frec/error.h"
#include "frec/trace.h"
#include "helpers.h"
#include "trace_fixture.h"

#define ID 5
#define PER_FRAME 100

/*
 * A trace of a header frame and three frames of PER_FRAME samples, each followed by its summary;
 * with @bad_record, a record whose size is not a multiple of 8 sits in the middle of the second
 * frame of samples.  Returns its bytes; @data gets the offsets of the frames of records, @skip
 * those of their summaries.
 */
static uint8_t *write_trace(size_t *len, bool bad_record, size_t data[4], size_t skip[4])
{
	static const char *const kv[] = { "event=cpu-clock" };
	struct trace_meta meta = { .clockid = CLOCK_MONOTONIC, .nr_cpus = 1, .page_size = 4096, .nr_kv = 1, .kv = kv };
	struct perf_event_attr attr = fix_attr(0);
	uint64_t ids[] = { ID }, chain[] = { PERF_CONTEXT_USER, 0x401000 };
	char dir[128], path[256];
	struct trace_writer *w;
	uint8_t rec[256], *buf;
	size_t n, nd = 0, ns = 0;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/d.zst", test_tmpdir(dir, sizeof(dir)));
	cr_assert_eq(fix_writer_open(path, NULL, &w), 0);
	cr_assert_eq(trace_writer__write_header(w, &meta), 0);
	cr_assert_eq(trace_writer__write_attr(w, &attr, ids, 1, "cpu-clock"), 0);
	cr_assert_eq(trace_writer__flush(w), 0);
	for (int f = 0; f < 3; f++) {
		for (int i = 0; i < PER_FRAME; i++) {
			n = fix_sample(rec, 0, ID, 0x401234, 1, 1, 1000 + (uint64_t)i, chain, 2, 0, 0);
			if (bad_record && f == 1 && i == PER_FRAME / 2)
				((struct perf_event_header *)rec)->size = 12;
			cr_assert_eq(trace_writer__write(w, rec, n), 0);
		}
		cr_assert_eq(trace_writer__flush(w), 0);
	}
	cr_assert_eq(trace_writer__close(w), 0);

	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	buf = malloc(*len + 256);
	cr_assert_eq(read(fd, buf, *len), (ssize_t)*len);
	close(fd);
	for (size_t off = 0; off < *len;) {
		size_t fs = ZSTD_findFrameCompressedSize(buf + off, *len - off);
		uint32_t magic;

		cr_assert_not(ZSTD_isError(fs));
		memcpy(&magic, buf + off, 4);
		if ((magic & 0xfffffff0u) == 0x184D2A50u)
			skip[ns++] = off;
		else
			data[nd++] = off;
		cr_assert_leq(nd, 4);
		cr_assert_leq(ns, 4);
		off += fs;
	}
	cr_assert_eq(nd, 4);
	cr_assert_eq(ns, 4);
	return buf;
}

/*
 * Read the @len bytes at @buf to the end, with read-ahead (the loader on its own thread) or
 * without; returns the samples seen, *@sum a checksum of every record in order.
 */
static uint64_t read_all(const uint8_t *buf, size_t len, bool ahead, struct trace_status *st, uint64_t *sum)
{
	const struct perf_event_header *h;
	struct trace_reader *r;
	uint64_t samples = 0;

	cr_assert_eq(trace_reader__open_mem(buf, len, &r), 0);
	trace_reader__read_ahead(r, ahead);
	*sum = 0;
	while (trace_reader__next(r, &h) > 0) {
		samples += h->type == PERF_RECORD_SAMPLE;
		for (size_t i = 0; i < h->size; i++)
			*sum = *sum * 31 + ((const uint8_t *)h)[i];
	}
	*st = *trace_reader__status(r);
	trace_reader__close(r);
	return samples;
}

#define SAME_FIELD(a, b, f) cr_assert_eq((a)->f, (b)->f, "read-ahead changed " #f ": %lu, not %lu", \
					 (unsigned long)(b)->f, (unsigned long)(a)->f)

/*
 * Open @len bytes at @buf and read them all; returns the samples seen.  Reads them twice, with
 * and without read-ahead, which must see the same records and count the same damage.  (A hang
 * of the read-ahead protocol fails common_trace's read-ahead case, which has a timeout: a second
 * timed case in this suite makes Criterion 2.4 leak under LeakSanitizer.)
 */
static uint64_t read_samples(const uint8_t *buf, size_t len, struct trace_status *st)
{
	struct trace_status ahead;
	uint64_t sum, sum_ahead, samples = read_all(buf, len, false, st, &sum);

	cr_assert_eq(read_all(buf, len, true, &ahead, &sum_ahead), samples);
	cr_assert_eq(sum_ahead, sum, "read-ahead changed the records");
	SAME_FIELD(st, &ahead, frames);
	SAME_FIELD(st, &ahead, records);
	SAME_FIELD(st, &ahead, good_bytes);
	SAME_FIELD(st, &ahead, truncated);
	SAME_FIELD(st, &ahead, corrupt);
	SAME_FIELD(st, &ahead, truncated_bytes);
	SAME_FIELD(st, &ahead, bad_frames);
	SAME_FIELD(st, &ahead, bad_bytes);
	SAME_FIELD(st, &ahead, cut_frames);
	SAME_FIELD(st, &ahead, bad_offset);
	SAME_FIELD(st, &ahead, bad_stacks);
	SAME_FIELD(st, &ahead, pos);
	return samples;
}

Test(trace_damage, summaries_are_not_counted_as_frames)
{
	size_t len, data[4], skip[4];
	uint8_t *buf = write_trace(&len, false, data, skip);
	struct trace_status st;

	cr_assert_eq(read_samples(buf, len, &st), 3 * PER_FRAME);
	cr_assert_eq(st.frames, 4, "%lu frames: the 4 summaries were counted as frames", (unsigned long)st.frames);
	cr_assert_not(st.corrupt);
	cr_assert_eq(st.bad_frames + st.cut_frames + st.bad_bytes, 0);
	free(buf);
}

Test(trace_damage, a_damaged_summary_is_skipped_and_what_follows_is_read)
{
	size_t len, data[4], skip[4];
	uint8_t *buf = write_trace(&len, false, data, skip);
	struct trace_status st;

	buf[skip[1]] ^= 0xff; /* its magic: no longer a frame at all */
	cr_assert_eq(read_samples(buf, len, &st), 3 * PER_FRAME, "the frames after a damaged summary were lost");
	cr_assert(st.corrupt);
	cr_assert_eq(st.bad_frames, 1);
	cr_assert_eq(st.bad_bytes, data[2] - skip[1]);
	cr_assert_eq(st.bad_offset, skip[1]);
	cr_assert_not(st.truncated);
	free(buf);
}

Test(trace_damage, garbage_between_frames_is_one_damaged_stretch)
{
	size_t len, data[4], skip[4];
	uint8_t *buf = write_trace(&len, false, data, skip);
	struct trace_status st;

	memmove(buf + data[2] + 100, buf + data[2], len - data[2]);
	for (size_t i = 0; i < 100; i++)
		buf[data[2] + i] = (uint8_t)(i * 7 + 1);
	cr_assert_eq(read_samples(buf, len + 100, &st), 3 * PER_FRAME);
	cr_assert_eq(st.bad_frames, 1);
	cr_assert_eq(st.bad_bytes, 100);
	cr_assert_eq(st.bad_offset, data[2]);
	free(buf);
}

Test(trace_damage, a_frame_that_fails_to_decompress_is_counted)
{
	size_t len, data[4], skip[4];
	uint8_t *buf = write_trace(&len, false, data, skip);
	struct trace_status st;

	buf[(data[2] + skip[2]) / 2] ^= 0x55;
	cr_assert_eq(read_samples(buf, len, &st), 2 * PER_FRAME);
	cr_assert_eq(st.bad_frames, 1);
	cr_assert_eq(st.bad_bytes, skip[2] - data[2]);
	cr_assert_eq(st.bad_offset, data[2]);
	cr_assert_eq(st.frames, 3);
	free(buf);
}

Test(trace_damage, a_malformed_record_cuts_its_frame_and_is_counted)
{
	size_t len, data[4], skip[4];
	uint8_t *buf = write_trace(&len, true, data, skip);
	struct trace_status st;

	cr_assert_eq(read_samples(buf, len, &st), 2 * PER_FRAME + PER_FRAME / 2);
	cr_assert(st.corrupt);
	cr_assert_eq(st.cut_frames, 1, "a frame cut at a malformed record was not counted");
	cr_assert_eq(st.bad_frames, 0);
	cr_assert_eq(st.bad_offset, data[2], "the damage is in the frame at %zu, not at %lu", data[2],
		     (unsigned long)st.bad_offset);
	free(buf);
}

Test(trace_damage, a_cut_counts_only_the_incomplete_frame)
{
	size_t len, data[4], skip[4];
	uint8_t *buf = write_trace(&len, false, data, skip);
	struct trace_status st;
	size_t cut = (data[3] + skip[3]) / 2;

	buf[(data[1] + skip[1]) / 2] ^= 0x55; /* and a damaged frame before the cut */
	cr_assert_eq(read_samples(buf, cut, &st), PER_FRAME);
	cr_assert(st.truncated);
	cr_assert_eq(st.truncated_bytes, cut - data[3]);
	cr_assert_eq(st.bad_bytes, skip[1] - data[1]);
	cr_assert_eq(st.frames, 2);
	free(buf);
}

Test(trace_damage, a_damaged_first_frame_means_no_header)
{
	size_t len, data[4], skip[4];
	uint8_t *buf = write_trace(&len, false, data, skip);
	struct trace_reader *r;

	buf[skip[0] / 2] ^= 0x55;
	cr_assert_eq(trace_reader__open_mem(buf, len, &r), -FREC_E_TRACE_NO_HEADER);
	free(buf);
}

Test(trace_damage, empty_input_is_not_a_cut_trace)
{
	struct trace_reader *r;

	cr_assert_eq(trace_reader__open_mem("", 0, &r), -FREC_E_EMPTY);
	cr_assert_eq(trace_reader__open("/dev/null", &r), -FREC_E_EMPTY);
	cr_assert_eq(trace_reader__open("/dev/zero", &r), -FREC_E_TRACE_MAGIC);
}

/*
 * Garbage full of zstd magics, each starting a frame whose raw blocks run over the next magics to
 * the end: every magic costs a walk to the end, so trying them all would take quadratic time
 * (minutes here).  The reader gives up after a bounded number of false starts (FRAMES_RESYNC_PROBES
 * in trace_frames.c) and skips the rest as damaged; the timeout only stops a regression.
 */
Test(trace_damage, a_trace_full_of_false_magics_is_given_up_in_linear_time, .timeout = 120)
{
	/* magic, no flags, 1 KiB window, then a raw block of 253 bytes: to the next unit's block */
	static const uint8_t unit[9] = { 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0xe8, 0x07, 0x00 };
	size_t len, data[4], skip[4], garbage = 32u << 20, start, n;
	uint8_t *buf = write_trace(&len, false, data, skip);
	struct trace_status st;

	start = skip[0] + 8 + sizeof(struct trace_frame_summary); /* after the header frame's summary */
	buf = realloc(buf, start + garbage);
	memset(buf + start, 0, garbage);
	for (n = start; n + 256 <= start + garbage; n += 256)
		memcpy(buf + n, unit, sizeof(unit));
	cr_assert_eq(read_samples(buf, n, &st), 0);
	/* the first false frame runs to the end: a frame cut short, as far as anyone can tell */
	cr_assert(st.truncated || st.corrupt);
	cr_assert_eq(st.bad_bytes + st.truncated_bytes, n - start);
	free(buf);
}

/*
 * A header record padded with 100 MiB of zeros (which compress to almost nothing) holds three
 * strings: the reader's index of them must be sized by what is there, not by the most such a record
 * could hold (it was n / 2 pointers, 400 MiB here).  Checked under an address-space limit in a child;
 * not under AddressSanitizer, which reserves terabytes of address space.
 */
Test(trace_damage, a_padded_header_costs_what_it_holds)
{
#if defined(__SANITIZE_ADDRESS__)
	cr_skip_test("RLIMIT_AS cannot be used under AddressSanitizer");
#else
	static const char *const kv[] = { "event=cpu-clock", "command=x", "hostname=h" };
	size_t pad = 100u << 20, len;
	struct trace_header th = { .version_major = TRACE_VERSION_MAJOR, .fixed_size = sizeof(th) };
	char dir[128], path[256], *body = calloc(1, sizeof(th) + 64 + pad);
	struct trace_writer *w;
	uint8_t *buf;
	size_t off = sizeof(th) - sizeof(th.hdr);
	struct stat sb;
	int fd, status;
	pid_t pid;

	memcpy(th.magic, TRACE_MAGIC, 8);
	memcpy(body, (uint8_t *)&th + sizeof(th.hdr), off);
	for (int i = 0; i < 3; i++) {
		strcpy(body + off, kv[i]);
		off += strlen(kv[i]) + 1;
	}
	snprintf(path, sizeof(path), "%s/pad.zst", test_tmpdir(dir, sizeof(dir)));
	cr_assert_eq(fix_writer_open(path, NULL, &w), 0);
	cr_assert_eq(trace_writer__write_rec(w, TRACE_REC_HEADER, body, off + pad), 0);
	cr_assert_eq(trace_writer__close(w), 0);
	free(body);
	fd = open(path, O_RDONLY);
	cr_assert_eq(fstat(fd, &sb), 0);
	len = (size_t)sb.st_size;
	buf = malloc(len);
	cr_assert_eq(read(fd, buf, len), (ssize_t)len);
	close(fd);

	pid = fork();
	if (pid == 0) {
		struct rlimit lim = { 512u << 20, 512u << 20 };
		struct trace_reader *r;

		setrlimit(RLIMIT_AS, &lim);
		if (trace_reader__open_mem(buf, len, &r))
			_exit(1);
		_exit(trace_reader__meta(r, "hostname") ? 0 : 2);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the padded header was refused within 512 MiB of address space (status %#x)", status);
	free(buf);
#endif
}
