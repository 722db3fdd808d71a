// SPDX-License-Identifier: MIT
/*
 * Reading a perf ring buffer (see ring.h and perf_event_open(2), "MMAP layout").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

int ring__init(struct ring *r, void *base, size_t page_size, uint64_t data_size, int fd, int cpu)
{
	*r = (struct ring){
		.meta = base,
		.data = (uint8_t *)base + page_size,
		.size = data_size,
		.fd = fd,
		.cpu = cpu,
	};
	r->wrap = malloc(UINT16_MAX + 1);
	if (!r->wrap)
		return -ENOMEM;
	r->tail = r->head = __atomic_load_n(&r->meta->data_tail, __ATOMIC_RELAXED);
	return 0;
}

void ring__exit(struct ring *r)
{
	free(r->wrap);
	r->wrap = NULL;
}

uint64_t ring__begin(struct ring *r)
{
	/* Pairs with the kernel's store of data_head after it wrote the records. */
	r->head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	return r->head - r->tail;
}

const struct perf_event_header *ring__next(struct ring *r, int *bad)
{
	uint64_t avail = r->head - r->tail, off, first;
	const struct perf_event_header *h;
	uint16_t size;

	if (avail < sizeof(*h))
		return NULL;
	off = r->tail & (r->size - 1);
	/* Records are 8-byte aligned and the area is a power of 2 >= 8: a header never wraps. */
	h = (const struct perf_event_header *)(r->data + off);
	size = h->size;
	if (size < sizeof(*h) || size > avail || (size & 7)) {
		*bad = 1;
		r->tail = r->head;
		return NULL;
	}
	r->tail += size;
	if (off + size <= r->size)
		return h;
	first = r->size - off;
	memcpy(r->wrap, h, first);
	memcpy(r->wrap + first, r->data, size - first);
	return (const struct perf_event_header *)r->wrap;
}

void ring__end(struct ring *r)
{
	/* Our reads of the records must complete before the kernel may overwrite them. */
	__atomic_store_n(&r->meta->data_tail, r->tail, __ATOMIC_RELEASE);
}
