// SPDX-License-Identifier: MIT
/*
 * Where an ELF file's code lands in a process: the one rule that turns a mapping (its start and
 * the file offset mapped there) into link-time addresses, for the namer and the unwinder alike.
 *
 * The kernel (or ld.so) maps each PT_LOAD segment on its own: the file page that holds its first
 * byte (p_offset rounded down) goes to the page that holds p_vaddr, and so on.  Linkers may start
 * a segment in the middle of the page where the previous one ends: lld puts its text right after the
 * read-only data, so the text segment's mapping starts at the same file page (offset 0) as the
 * mapping of the headers, at a p_vaddr - p_offset of 0x1000 instead of GNU ld's 0.  A file
 * offset (and always a mapping's page-aligned offset) can therefore lie in the pages of two
 * segments; only one of them is executable, and sampled code is only ever in executable
 * mappings, which are all the symbolizer keeps.
 */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>

#include "sym_internal.h"

#define PAGE_MASK_4K 0xfffull

static uint64_t page_down(uint64_t v)
{
	return v & ~PAGE_MASK_4K;
}

int sym_layout__init(struct sym_layout *l, Elf *elf)
{
	size_t nph, nr = 0, exec = 0, exec_with_contents = 0;

	*l = (struct sym_layout){ 0 };
	if (elf_getphdrnum(elf, &nph) || !nph)
		return 0;
	l->segs = calloc(nph, sizeof(*l->segs));
	if (!l->segs)
		return -ENOMEM;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		l->segs[nr++] = (struct sym_load_seg){
			.offset = ph.p_offset,
			.filesz = ph.p_filesz,
			.vaddr = ph.p_vaddr,
			.memsz = ph.p_memsz,
			.exec = (ph.p_flags & PF_X) != 0,
		};
		if ((ph.p_flags & PF_X) && ph.p_memsz) {
			exec++;
			exec_with_contents += ph.p_filesz != 0;
		}
	}
	l->nr = nr;
	/* A separate debug file keeps its binary's program headers without contents (p_filesz 0),
	 * and objcopy rewrites their offsets: they are not the binary's. */
	l->no_offsets = exec && !exec_with_contents;
	return 0;
}

void sym_layout__exit(struct sym_layout *l)
{
	free(l->segs);
	*l = (struct sym_layout){ 0 };
}

/*
 * Without the binary's file offsets: the mapping is taken to start at the first page of an
 * executable segment, which is where the loader maps it (only a mapping split afterwards, by a
 * partial mprotect, would start further in).  With several executable segments, the one whose
 * place in GNU ld's layout (file offset = vaddr - first vaddr) is the last at or before @pgoff.
 */
static const struct sym_load_seg *exec_seg_without_offsets(const struct sym_layout *l, uint64_t pgoff)
{
	const struct sym_load_seg *first = NULL, *best = NULL;
	uint64_t base = l->nr ? page_down(l->segs[0].vaddr) : 0;

	for (size_t i = 0; i < l->nr; i++) {
		const struct sym_load_seg *s = &l->segs[i];

		if (!s->exec || !s->memsz)
			continue;
		if (!first)
			first = s;
		if (page_down(s->vaddr) - base <= pgoff)
			best = s;
	}
	return best ? best : first;
}

int sym_layout__vaddr(const struct sym_layout *l, uint64_t start, uint64_t pgoff, uint64_t pc, uint64_t *vaddr)
{
	const struct sym_load_seg *best = NULL;
	uint64_t off = pc - start + pgoff;
	int best_rank = -1;

	if (l->no_offsets) {
		best = exec_seg_without_offsets(l, pgoff);
		if (!best || pc - start >= best->vaddr + best->memsz - page_down(best->vaddr))
			return -ENOENT;
		*vaddr = page_down(best->vaddr) + (pc - start);
		return 0;
	}
	/*
	 * The segment whose pages hold @off, an executable one first (see above), then the one
	 * whose bytes hold it: a mapping of the whole file (not the loader's) is translated
	 * byte for byte.
	 */
	for (size_t i = 0; i < l->nr; i++) {
		const struct sym_load_seg *s = &l->segs[i];
		uint64_t end = s->offset + s->filesz;
		int rank;

		if (off < page_down(s->offset) || off >= page_down(end + PAGE_MASK_4K))
			continue;
		rank = (s->exec ? 2 : 0) + (off >= s->offset && off < end);
		if (rank > best_rank) {
			best = s;
			best_rank = rank;
		}
	}
	if (!best)
		return -ENOENT;
	/* modular: @off may precede p_offset on the segment's first page */
	*vaddr = off - best->offset + best->vaddr;
	return 0;
}

int sym_layout__bias(const struct sym_layout *l, uint64_t start, uint64_t pgoff, uint64_t *bias)
{
	uint64_t vaddr;
	int err = sym_layout__vaddr(l, start, pgoff, start, &vaddr);

	if (!err)
		*bias = start - vaddr;
	return err;
}
