// SPDX-License-Identifier: MIT
/*
 * sym_layout: from a mapping to link-time addresses, on the program headers that GNU ld and lld
 * write for the same program (tests/workloads/nofp/nofp.c, gcc -O2, readelf -lW), with and
 * without file contents (a separate debug file standing in for its binary).
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "sym_internal.h"

#define BASE 0x555555554000ull

/* GNU ld: every segment starts on a page of its own, p_vaddr - p_offset = 0 */
static struct sym_load_seg gnu[] = {
	{ .offset = 0x0, .filesz = 0x8e8, .vaddr = 0x0, .memsz = 0x8e8 },
	{ .offset = 0x1000, .filesz = 0x761, .vaddr = 0x1000, .memsz = 0x761, .exec = true },
	{ .offset = 0x2000, .filesz = 0x2ac, .vaddr = 0x2000, .memsz = 0x2ac },
	{ .offset = 0x2dd0, .filesz = 0x2a0, .vaddr = 0x3dd0, .memsz = 0x62f8 },
};

/* lld: the text starts on the headers' page, p_vaddr - p_offset = 0x1000 */
static struct sym_load_seg lld[] = {
	{ .offset = 0x0, .filesz = 0xacc, .vaddr = 0x0, .memsz = 0xacc },
	{ .offset = 0xad0, .filesz = 0x760, .vaddr = 0x1ad0, .memsz = 0x760, .exec = true },
	{ .offset = 0x1230, .filesz = 0x1d8, .vaddr = 0x3230, .memsz = 0x1d8 },
	{ .offset = 0x1408, .filesz = 0x90, .vaddr = 0x4408, .memsz = 0x6100 },
};

/* objcopy --only-keep-debug of the lld binary: no contents, offsets rewritten */
static struct sym_load_seg lld_debug[] = {
	{ .offset = 0x0, .filesz = 0x2fc, .vaddr = 0x0, .memsz = 0xacc },
	{ .offset = 0xad0, .filesz = 0, .vaddr = 0x1ad0, .memsz = 0x760, .exec = true },
	{ .offset = 0x230, .filesz = 0, .vaddr = 0x3230, .memsz = 0x1d8 },
	{ .offset = 0x408, .filesz = 0, .vaddr = 0x4408, .memsz = 0x6100 },
};

static struct sym_load_seg gnu_debug[] = {
	{ .offset = 0x0, .filesz = 0x39c, .vaddr = 0x0, .memsz = 0x8e8 },
	{ .offset = 0x0, .filesz = 0, .vaddr = 0x1000, .memsz = 0x761, .exec = true },
	{ .offset = 0x0, .filesz = 0, .vaddr = 0x2000, .memsz = 0x2ac },
	{ .offset = 0xdd0, .filesz = 0, .vaddr = 0x3dd0, .memsz = 0x62f8 },
};

#define LAYOUT(a, debug) ((struct sym_layout){ .segs = (a), .nr = sizeof(a) / sizeof((a)[0]), .no_offsets = (debug) })

static uint64_t vaddr_of(struct sym_layout l, uint64_t start, uint64_t pgoff, uint64_t pc)
{
	uint64_t v = 0;
	int err = sym_layout__vaddr(&l, start, pgoff, pc, &v);

	cr_assert_eq(err, 0, "pc 0x%lx in a mapping at 0x%lx from 0x%lx: %d", (unsigned long)pc,
		     (unsigned long)start, (unsigned long)pgoff, err);
	return v;
}

Test(sym_layout, gnu_ld_text_mapping)
{
	uint64_t bias = 0;

	/* the loader maps the text segment at BASE + 0x1000 from offset 0x1000 */
	cr_assert_eq(vaddr_of(LAYOUT(gnu, false), BASE + 0x1000, 0x1000, BASE + 0x1234), 0x1234);
	cr_assert_eq(sym_layout__bias(&LAYOUT(gnu, false), BASE + 0x1000, 0x1000, &bias), 0);
	cr_assert_eq(bias, BASE);
}

Test(sym_layout, lld_text_shares_the_headers_page)
{
	uint64_t bias = 0;

	/* The text segment is mapped at BASE + 0x1000 from offset 0, as the read-only one is at
	 * BASE: offset 0 is in both segments' pages, and the executable one is meant. */
	cr_assert_eq(sym_layout__bias(&LAYOUT(lld, false), BASE + 0x1000, 0, &bias), 0);
	cr_assert_eq(bias, BASE, "bias 0x%lx: the read-only segment was taken for the text",
		     (unsigned long)bias);
	cr_assert_eq(vaddr_of(LAYOUT(lld, false), BASE + 0x1000, 0, BASE + 0x1b00), 0x1b00);
	/* the last bytes of the text's last page */
	cr_assert_eq(vaddr_of(LAYOUT(lld, false), BASE + 0x1000, 0, BASE + 0x222f), 0x222f);
}

Test(sym_layout, whole_file_mapping_is_translated_byte_for_byte)
{
	/* one mapping of the whole file from offset 0 (not the loader's): file offset 0xb00 is text */
	cr_assert_eq(vaddr_of(LAYOUT(lld, false), BASE, 0, BASE + 0xb00), 0x1b00);
	cr_assert_eq(vaddr_of(LAYOUT(gnu, false), BASE, 0, BASE + 0x1100), 0x1100);
}

Test(sym_layout, debug_file_without_offsets)
{
	/* the mapping starts at the executable segment, wherever the binary's linker put it */
	cr_assert_eq(vaddr_of(LAYOUT(lld_debug, true), BASE + 0x1000, 0, BASE + 0x1b00), 0x1b00);
	cr_assert_eq(vaddr_of(LAYOUT(gnu_debug, true), BASE + 0x1000, 0x1000, BASE + 0x1100), 0x1100);
}

Test(sym_layout, nothing_mapped_there)
{
	struct sym_layout l = LAYOUT(gnu, false);
	uint64_t v;

	cr_assert_eq(sym_layout__vaddr(&l, BASE, 0x100000, BASE + 0x10, &v), -ENOENT);
	l = LAYOUT(lld_debug, true);
	cr_assert_eq(sym_layout__vaddr(&l, BASE + 0x1000, 0, BASE + 0x9000, &v), -ENOENT);
	l = (struct sym_layout){ 0 };
	cr_assert_eq(sym_layout__vaddr(&l, BASE, 0, BASE, &v), -ENOENT);
}
