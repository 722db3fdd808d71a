/* SPDX-License-Identifier: MIT */
/*
 * One perf ring buffer: the metadata page the kernel writes data_head into, and 2^n data pages.
 * The reader owns data_tail: it loads data_head with acquire semantics (records before it are
 * complete), reads, and stores data_tail with release semantics (the kernel may then reuse the
 * space).  A record that runs past the end of the data area continues at its start; ring__next()
 * hands such a record out as one contiguous copy.
 */
#ifndef FREC_RECORDER_RING_H
#define FREC_RECORDER_RING_H

#include <linux/perf_event.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	struct perf_event_mmap_page *meta;
	uint8_t *data;
	uint64_t size;  /* bytes of the data area, a power of 2 */
	uint64_t head;  /* snapshot taken by ring__begin() */
	uint64_t tail;  /* next byte to read */
	uint8_t *wrap;  /* a record that wrapped, made contiguous (UINT16_MAX + 1 bytes) */
	int fd;
	int cpu;
};

/**
 * ring__init() - a ring over an existing mapping (@base: the metadata page followed by @data_size
 * bytes) of the perf fd @fd (-1 in tests).  Returns 0 or -ENOMEM.
 */
int ring__init(struct ring *r, void *base, size_t page_size, uint64_t data_size, int fd, int cpu);
void ring__exit(struct ring *r);

/** ring__begin() - snapshot data_head; returns the bytes available. */
uint64_t ring__begin(struct ring *r);

/**
 * ring__next() - the next complete record before the snapshot, or NULL.  Valid until the next call
 * on @r.  A record with a size under 8 or over what is available means the ring is corrupt: the
 * rest of the snapshot is skipped and NULL returned, *@bad set.
 */
const struct perf_event_header *ring__next(struct ring *r, int *bad);

/** ring__end() - release everything read since ring__begin() to the kernel. */
void ring__end(struct ring *r);

#endif /* FREC_RECORDER_RING_H */
