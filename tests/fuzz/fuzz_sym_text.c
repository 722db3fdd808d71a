// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: the kallsyms and perf-map parsers over arbitrary bytes, then lookups, must never
 * crash.  The first byte picks the parser.
 */
#include <stddef.h>
#include <stdint.h>

#include "sym_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_table t;
	const char *text = (const char *)data + 1;

	if (!size)
		return 0;
	sym_table__init(&t);
	if (data[0] & 1)
		sym_table__parse_kallsyms(&t, text, size - 1);
	else
		sym_table__parse_perf_map(&t, text, size - 1);
	if (!sym_table__finish(&t)) {
		for (size_t i = 0; i < t.nr; i++) {
			const struct sym_table_entry *e = sym_table__find(&t, t.entries[i].range.start);

			if (e)
				(void)sym_table__str(&t, e->name)[0];
			sym_table__find(&t, t.entries[i].range.end);
			sym_table__find(&t, t.entries[i].range.start - 1);
		}
	}
	sym_table__exit(&t);
	return 0;
}
