// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: `perf script` text of arbitrary bytes, recognised and imported with every grouping,
 * then walked, must never crash, leak or read outside the input, whatever it reports.
 */
#include <stddef.h>
#include <stdint.h>

#include "frec/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct frec_perf_script_opts opts = {
		.per_thread = size & 1,
		.per_process = size & 2,
		.no_kernel = size & 4,
	};
	struct frec_profile *p = frec_profile__new();
	uint64_t sum = 0;

	(void)frec_profile__looks_perf_script(text, size);
	if (p && frec_profile__import_perf_script(p, text, size, &opts, NULL) >= 0 && !frec_profile__sort(p)) {
		/* every node's weight adds up: the tree the importer built is whole */
		for (uint32_t i = 1; i < frec_profile__nr_nodes(p); i++) {
			const struct frec_node *n = frec_profile__node(p, i);

			sum += n->self;
			(void)frec_profile__frame_name(p, n->frame);
		}
		if (sum + frec_profile__node(p, FREC_NODE_ROOT)->self != frec_profile__total(p))
			__builtin_trap();
	}
	frec_profile__free(p);
	return 0;
}
