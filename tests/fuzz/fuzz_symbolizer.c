// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: symbolizing an arbitrary trace (records that lie about their sizes, paths, pids,
 * perf maps and kernel symbols) and rendering it must never crash.  An input that is not zstd is
 * taken as the decompressed record stream and compressed first, so that mutations reach the
 * record parsers instead of failing the frames' checks.  Inline frames are off so that each input
 * stays fast even when it names large files of this machine.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "frec/profile.h"
#include "frec/render.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Compress @size bytes of records into a malloc'ed zstd trace. */
static uint8_t *compress(const uint8_t *data, size_t size, size_t *out_len)
{
	struct trace_writer *w;
	uint8_t *buf = NULL;
	int fd = memfd_create("fuzz", 0), dup_fd;
	off_t len;

	if (fd < 0)
		return NULL;
	dup_fd = dup(fd);
	if (dup_fd < 0 || trace_writer__open_fd(fd, NULL, &w)) {
		close(fd);
		if (dup_fd >= 0)
			close(dup_fd);
		return NULL;
	}
	trace_writer__write(w, data, size & ~(size_t)7);
	trace_writer__close(w);
	len = lseek(dup_fd, 0, SEEK_END);
	if (len > 0 && (buf = malloc((size_t)len)) && pread(dup_fd, buf, (size_t)len, 0) != len) {
		free(buf);
		buf = NULL;
	}
	close(dup_fd);
	*out_len = len > 0 ? (size_t)len : 0;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	const struct sym_opts opts = { .no_inline = true, .per_process = size & 1 };
	struct trace_reader *r;
	struct frec_profile *p;
	uint8_t *z = NULL;
	FILE *f;

	if (size < 4 || memcmp(data, zstd_magic, 4)) {
		z = compress(data, size, &size);
		if (!z)
			return 0;
		data = z;
	}
	if (trace_reader__open_mem(data, size, &r)) {
		free(z);
		return 0;
	}
	if (!sym_profile__from_trace(r, &opts, &p)) {
		f = fopen("/dev/null", "w");
		if (f) {
			frec_profile__write_folded(p, f);
			render_text__write(p, NULL, f);
			fclose(f);
		}
		frec_profile__free(p);
	}
	trace_reader__close(r);
	free(z);
	return 0;
}
