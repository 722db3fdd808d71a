// SPDX-License-Identifier: MIT
/*
 * A report generator with the N+1 pattern: orders, invoices and shipments each look their
 * customers up one by one (fetch_customer -> run_query -> scan of a table), instead of once for
 * all.  The planted cause is fetch_customer reached from three callers, about 40% of the CPU in
 * all; no single frame of it is the profile's biggest self time.  See planted.h.
 */
#include <string.h>

#include "planted.h"

struct customer {
	char key[16];
	char name[32];
	int region;
};

static struct customer table[2048];

NOINLINE static int match_row(const struct customer *c, const char *key)
{
	return !memcmp(c->key, key, sizeof(c->key));
}

NOINLINE static const struct customer *decode_row(const struct customer *c, struct customer *out)
{
	for (size_t i = 0; i < sizeof(*c); i++)
		((char *)out)[i] = (char)(((const char *)c)[i] ^ 0x5a ^ 0x5a);
	return out;
}

/* A query without an index: the whole table is scanned for each key. */
NOINLINE static int run_query(const char *key, struct customer *out)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (match_row(&table[i], key)) {
			decode_row(&table[i], out);
			return 1;
		}
	return 0;
}

NOINLINE static int fetch_customer(unsigned int id)
{
	struct customer c;
	char key[16] = { 0 };

	snprintf(key, sizeof(key), "cust-%05u", id % 2048);
	return run_query(key, &c) ? c.region : -1;
}

/* The same lookups from three places, each a loop over its own records (different enough that the
 * compiler does not fold the three functions into one). */
NOINLINE static int load_orders(void)
{
	int sum = 0;

	for (int i = 0; i < 8; i++)
		sum += fetch_customer((unsigned int)rnd());
	return sum;
}

NOINLINE static int load_invoices(void)
{
	int sum = 0;

	for (int i = 0; i < 7; i++)
		sum += 2 * fetch_customer((unsigned int)rnd() ^ 0x55u);
	return sum;
}

NOINLINE static int load_shipments(void)
{
	int sum = 1;

	for (int i = 0; i < 9; i++)
		sum ^= fetch_customer((unsigned int)rnd() + 7u);
	return sum;
}

static void build_report(void)
{
	static unsigned int turn;

	/* one loader a turn, each timed whole: the loaders do nothing but the lookups */
	switch (turn++ % 3) {
	case 0:
		planted_sink += (uint64_t)load_orders();
		break;
	case 1:
		planted_sink += (uint64_t)load_invoices();
		break;
	default:
		planted_sink += (uint64_t)load_shipments();
		break;
	}
}

int main(int argc, char **argv)
{
	double seconds = planted_duration(argc, argv);

	for (unsigned int i = 0; i < 2048; i++) {
		snprintf(table[i].key, sizeof(table[i].key), "cust-%05u", i);
		snprintf(table[i].name, sizeof(table[i].name), "Customer %u", i);
		table[i].region = (int)(i % 12);
	}
	planted_loop(seconds, 0.40, build_report);
	planted_report("fetch_customer");
	return 0;
}
