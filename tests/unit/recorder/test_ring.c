// SPDX-License-Identifier: MIT
/*
 * Ring-buffer parsing on synthetic ring images: records in order, a record wrapping the end of the
 * data area, a LOST record, corrupt sizes, and data_tail handed back to the "kernel".
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../../recorder/ring.h"

#define PAGE 4096
#define DATA (2 * PAGE)

struct image {
	uint8_t *base;
	struct ring r;
	uint64_t head; /* the "kernel's" write position */
};

static void image_init(struct image *im, uint64_t start)
{
	im->base = aligned_alloc(PAGE, PAGE + DATA);
	cr_assert_not_null(im->base);
	memset(im->base, 0xee, PAGE + DATA);
	memset(im->base, 0, PAGE);
	((struct perf_event_mmap_page *)im->base)->data_tail = start;
	((struct perf_event_mmap_page *)im->base)->data_head = start;
	im->head = start;
	cr_assert_eq(ring__init(&im->r, im->base, PAGE, DATA, -1, 0), 0);
}

static void image_fini(struct image *im)
{
	ring__exit(&im->r);
	free(im->base);
}

/* Write a record of @size bytes (type @type, payload bytes = @fill) the way the kernel does. */
static void kernel_write(struct image *im, uint32_t type, uint16_t size, uint8_t fill)
{
	uint8_t rec[1024];
	struct perf_event_header *h = (struct perf_event_header *)rec;

	cr_assert(size <= sizeof(rec));
	memset(rec, fill, size);
	h->type = type;
	h->misc = 0;
	h->size = size;
	for (uint16_t i = 0; i < size; i++)
		im->base[PAGE + ((im->head + i) & (DATA - 1))] = rec[i];
	im->head += size;
	__atomic_store_n(&((struct perf_event_mmap_page *)im->base)->data_head, im->head, __ATOMIC_RELEASE);
}

static void check_rec(const struct perf_event_header *h, uint32_t type, uint16_t size, uint8_t fill)
{
	const uint8_t *p = (const uint8_t *)h;

	cr_assert_not_null(h);
	cr_assert_eq(h->type, type);
	cr_assert_eq(h->size, size);
	for (uint16_t i = sizeof(*h); i < size; i++)
		cr_assert_eq(p[i], fill, "byte %u of a %u-byte record", i, size);
}

Test(ring, reads_records_in_order_and_releases_them)
{
	struct image im;
	int bad = 0;

	image_init(&im, 0);
	kernel_write(&im, PERF_RECORD_SAMPLE, 64, 1);
	kernel_write(&im, PERF_RECORD_MMAP2, 120, 2);
	cr_assert_eq(ring__begin(&im.r), 184);
	check_rec(ring__next(&im.r, &bad), PERF_RECORD_SAMPLE, 64, 1);
	check_rec(ring__next(&im.r, &bad), PERF_RECORD_MMAP2, 120, 2);
	cr_assert_null(ring__next(&im.r, &bad));
	cr_assert_eq(bad, 0);
	cr_assert_eq(im.r.meta->data_tail, 0, "tail moves only at ring__end");
	ring__end(&im.r);
	cr_assert_eq(im.r.meta->data_tail, 184);
	/* A record written after the snapshot waits for the next pass. */
	kernel_write(&im, PERF_RECORD_SAMPLE, 32, 3);
	cr_assert_null(ring__next(&im.r, &bad));
	cr_assert_eq(ring__begin(&im.r), 32);
	check_rec(ring__next(&im.r, &bad), PERF_RECORD_SAMPLE, 32, 3);
	image_fini(&im);
}

Test(ring, record_wrapping_the_end_is_made_contiguous)
{
	struct image im;
	int bad = 0;

	/* Start 40 bytes before the end of the data area: a 200-byte record wraps. */
	image_init(&im, DATA - 40);
	kernel_write(&im, PERF_RECORD_SAMPLE, 200, 7);
	kernel_write(&im, PERF_RECORD_LOST, 32, 9);
	ring__begin(&im.r);
	check_rec(ring__next(&im.r, &bad), PERF_RECORD_SAMPLE, 200, 7);
	check_rec(ring__next(&im.r, &bad), PERF_RECORD_LOST, 32, 9);
	cr_assert_null(ring__next(&im.r, &bad));
	ring__end(&im.r);
	cr_assert_eq(im.r.meta->data_tail, DATA - 40 + 232);
	image_fini(&im);
}

Test(ring, many_passes_over_a_full_ring)
{
	struct image im;
	uint64_t seen = 0;
	int bad = 0;

	image_init(&im, 0);
	for (int pass = 0; pass < 50; pass++) {
		const struct perf_event_header *h;

		/* Fill most of the ring with records of varying sizes. */
		for (uint64_t used = 0; used + 512 < DATA; used += (uint64_t)(8 * (1 + (seen + used) % 60)))
			kernel_write(&im, PERF_RECORD_SAMPLE, (uint16_t)(8 * (1 + (seen + used) % 60)),
				     (uint8_t)pass);
		ring__begin(&im.r);
		while ((h = ring__next(&im.r, &bad))) {
			check_rec(h, PERF_RECORD_SAMPLE, h->size, (uint8_t)pass);
			seen++;
		}
		ring__end(&im.r);
		cr_assert_eq(im.r.meta->data_tail, im.head);
	}
	cr_assert_eq(bad, 0);
	cr_assert_gt(seen, 50);
	image_fini(&im);
}

Test(ring, corrupt_size_skips_the_pass)
{
	struct image im;
	int bad = 0;

	image_init(&im, 0);
	kernel_write(&im, PERF_RECORD_SAMPLE, 64, 1);
	kernel_write(&im, PERF_RECORD_SAMPLE, 64, 2);
	/* Claim the second record is bigger than what is available. */
	((struct perf_event_header *)(im.base + PAGE + 64))->size = 4000;
	ring__begin(&im.r);
	check_rec(ring__next(&im.r, &bad), PERF_RECORD_SAMPLE, 64, 1);
	cr_assert_null(ring__next(&im.r, &bad));
	cr_assert_eq(bad, 1);
	ring__end(&im.r);
	cr_assert_eq(im.r.meta->data_tail, 128, "the whole snapshot is released");

	/* A zero size must not loop forever. */
	bad = 0;
	kernel_write(&im, PERF_RECORD_SAMPLE, 16, 3);
	((struct perf_event_header *)(im.base + PAGE + 128))->size = 0;
	ring__begin(&im.r);
	cr_assert_null(ring__next(&im.r, &bad));
	cr_assert_eq(bad, 1);
	image_fini(&im);
}
