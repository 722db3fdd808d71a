// SPDX-License-Identifier: MIT
/*
 * The demo's plugin, dlopen'ed late by frec-demo: its frames come from a library mapped after
 * recording began.
 */
#include <stddef.h>
#include <stdint.h>

#define NOINLINE __attribute__((noinline))

uint64_t plugin_transform(const uint8_t *buf, size_t len);

NOINLINE static uint64_t plugin_mix(const uint8_t *buf, size_t len)
{
	uint64_t h = 0;

	for (int round = 0; round < 10; round++)
		for (size_t i = 0; i < len; i++)
			h = (h << 5 | h >> 59) ^ (buf[i] + (uint64_t)round);
	return h;
}

uint64_t plugin_transform(const uint8_t *buf, size_t len)
{
	return plugin_mix(buf, len) + 1;
}
