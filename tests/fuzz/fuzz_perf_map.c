// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: the JIT perf-map parser (/tmp/perf-PID.map text, as a trace stores it) over
 * arbitrary bytes, then lookups, must never crash, and every lookup must keep its promise: the
 * entry found covers the address, and it is the latest added of those that do.  The input is
 * parsed twice, as a JIT that appends a new line for a rewritten range does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sym_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The entry of @t covering @addr that was added last, by a plain scan. */
static const struct sym_table_entry *latest(const struct sym_table *t, uint64_t addr)
{
	const struct sym_table_entry *best = NULL;

	for (size_t i = 0; i < t->nr; i++) {
		const struct sym_table_entry *e = &t->entries[i];

		if (e->range.start <= addr && addr < e->range.end && (!best || e->seq > best->seq))
			best = e;
	}
	return best;
}

static void check(const struct sym_table *t, uint64_t addr)
{
	const struct sym_table_entry *e = sym_table__find(t, addr);

	if (e != latest(t, addr))
		abort();
	if (e && !*sym_table__str(t, e->name))
		abort(); /* a perf-map entry always has a name */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_table t;
	const char *text = (const char *)data;

	sym_table__init(&t);
	if (sym_table__parse_perf_map(&t, text, size) || sym_table__finish(&t))
		goto out;
	/* Keep the quadratic reference scan cheap. */
	for (size_t i = 0; i < t.nr && i < 256; i++) {
		check(&t, t.entries[i].range.start);
		check(&t, t.entries[i].range.end - 1);
		check(&t, t.entries[i].range.end);
		check(&t, t.entries[i].range.start - 1);
	}
	if (!sym_table__parse_perf_map(&t, text, size) && !sym_table__finish(&t))
		for (size_t i = 0; i < t.nr && i < 256; i++)
			check(&t, t.entries[i].range.start);
out:
	sym_table__exit(&t);
	return 0;
}
