// SPDX-License-Identifier: MIT
/*
 * Fuzz harness: an ELF image from a buffer (sym_elf__open_mem), then offset translation and
 * lookups with inline frames and lines at addresses spread over the image, must never crash.
 */
#include <stddef.h>
#include <stdint.h>

#include "sym_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_elf *e;
	struct sym_elf_frame fr[16];

	if (sym_elf__open_mem(data, size, "fuzz", &e))
		return 0;
	(void)sym_elf__flags(e);
	for (uint64_t off = 0; off < size + 4096; off += 61) {
		uint64_t vaddr;

		if (!sym_elf__vaddr(e, 0x10000, 0, 0x10000 + off, &vaddr))
			sym_elf__lookup(e, vaddr, true, true, fr, 16);
		sym_elf__lookup(e, off, false, false, fr, 16);
	}
	sym_elf__close(e);
	return 0;
}
