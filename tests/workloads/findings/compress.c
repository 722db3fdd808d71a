// SPDX-License-Identifier: MIT
/*
 * A log shipper that compresses every batch with zlib at level 9 (compress2): the planted cause is
 * ship_batch -> compress2, about 40% of the CPU, beside the service's own work.  See planted.h.
 */
#include <string.h>
#include <zlib.h>

#include "planted.h"

static char batch[64 * 1024];
static unsigned char out[80 * 1024];

NOINLINE static unsigned long ship_batch(void)
{
	uLongf len = sizeof(out);

	if (compress2(out, &len, (const Bytef *)batch, sizeof(batch), 9) != Z_OK)
		abort();
	return len;
}

static void ship(void)
{
	planted_sink += ship_batch();
}

int main(int argc, char **argv)
{
	double seconds = planted_duration(argc, argv);
	size_t o = 0;

	/* log lines: repetitive enough to compress, varied enough to make it work */
	for (unsigned int i = 0; o + 100 < sizeof(batch); i++)
		o += (size_t)snprintf(batch + o, sizeof(batch) - o,
				      "2026-01-01T12:%02u:%02u host%u GET /api/items/%u 200 %u ms\n", i / 60 % 60,
				      i % 60, i % 7, (unsigned int)(rnd() % 100000), (unsigned int)(rnd() % 900));
	planted_loop(seconds, 0.40, ship);
	planted_report("ship_batch");
	return 0;
}
