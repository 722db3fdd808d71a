// SPDX-License-Identifier: MIT
/*
 * The background of the workloads with a planted bottleneck: work that looks like a service's own
 * code (parse a request, look up a session, render a page, update statistics), in the program's
 * own functions, calling no library, so that no rule of a known operation explains it.
 * render_page is the heaviest (about 40% of the background): a function whose self time is larger
 * than any single frame of some planted causes, so that "the biggest self time" is not the answer.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "planted.h"

static uint8_t request[8192];
static uint64_t sessions[4096];
static char page[16384];
static double stats[1024];

NOINLINE static uint64_t parse_request(void)
{
	uint64_t h = 1469598103934665603ull, fields = 0;

	for (int round = 0; round < 35; round++)
		for (size_t i = 0; i < sizeof(request); i++) {
			uint8_t c = request[i];

			fields += c == '&' || c == '=';
			h = (h ^ c) * 1099511628211ull;
		}
	return h ^ fields;
}

NOINLINE static uint64_t lookup_session(void)
{
	uint64_t found = 0;

	for (int q = 0; q < 39000; q++) {
		uint64_t key = rnd(), slot = key % 4096;

		for (int probe = 0; probe < 8 && sessions[slot]; probe++) {
			found += sessions[slot] == key;
			slot = (slot + 1) % 4096;
		}
		if (!(q & 15))
			sessions[key % 4096] = key;
	}
	return found;
}

NOINLINE static uint64_t render_page(void)
{
	static const char row[] = "<tr><td class=\"name\">item</td><td class=\"qty\">1</td></tr>\n";
	uint64_t sum = 0;

	for (int pass = 0; pass < 34; pass++) {
		size_t o = 0;

		while (o + sizeof(row) < sizeof(page)) {
			for (size_t i = 0; i + 1 < sizeof(row); i++)
				page[o++] = (char)(row[i] ^ (pass & 1));
		}
		for (size_t i = 0; i < o; i += 7)
			sum += (uint8_t)page[i];
	}
	return sum;
}

NOINLINE static uint64_t update_stats(void)
{
	double acc = 0;

	for (int round = 0; round < 134; round++)
		for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
			stats[i] = stats[i] * 0.999 + (double)(i ^ (size_t)round) * 0.001;
			acc += sqrt(stats[i] + 1.0);
		}
	return (uint64_t)acc;
}

/* One step of background, in turn: render_page twice in five steps, the others once. */
void background_step(void)
{
	static unsigned int turn;

	if (!request[0])
		for (size_t i = 0; i < sizeof(request); i++)
			request[i] = (uint8_t)("user=alice&item=42&qty=3&"[i % 25]);
	switch (turn++ % 5) {
	case 0:
	case 2:
		planted_sink += render_page();
		break;
	case 1:
		planted_sink += parse_request();
		break;
	case 3:
		planted_sink += lookup_session();
		break;
	default:
		planted_sink += update_stats();
		break;
	}
}
