/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the symbolizer tests: paths of the fixture ELF files built by make check, symbol
 * addresses read independently with libelf, and a builder of synthetic traces (header, attr,
 * MMAP2/COMM/FORK records with sample_id trailers, samples, text records).
 */
#ifndef FREC_TEST_SYM_FIXTURE_H
#define FREC_TEST_SYM_FIXTURE_H

#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/trace_fixture.h"
#include "frec/profile.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"
#include "helpers.h"

static inline const char *symfix(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("FREC_TEST_BUILDDIR");

	snprintf(buf, size, "%s/fixtures/symbolizer/%s", dir ? dir : "tests", name);
	return buf;
}

/* Address and size of symbol @name in @path's .symtab, read with libelf (not the code under test). */
static inline void symfix_sym(const char *path, const char *name, uint64_t *addr, uint64_t *size)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	Elf_Scn *scn = NULL;

	cr_assert_geq(fd, 0, "open %s", path);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(elf);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, (int)i, &s))
				continue;
			n = elf_strptr(elf, sh.sh_link, s.st_name);
			if (n && !strcmp(n, name)) {
				*addr = s.st_value;
				*size = s.st_size;
				elf_end(elf);
				close(fd);
				return;
			}
		}
	}
	cr_assert_fail("%s has no symbol %s", path, name);
}

/* Link-time address of symbol @sym + @delta (inside it) in fixture @name. */
static inline uint64_t symfix_vaddr(const char *name, const char *sym, uint64_t delta)
{
	char path[512];
	uint64_t addr, size;

	symfix_sym(symfix(name, path, sizeof(path)), sym, &addr, &size);
	cr_assert_lt(delta, size);
	return addr + delta;
}

/* The file offset of link-time address @vaddr in @path (through its PT_LOAD segments). */
static inline uint64_t symfix_offset(const char *path, uint64_t vaddr)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	size_t n;

	cr_assert_geq(fd, 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_eq(elf_getphdrnum(elf, &n), 0);
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr < ph.p_vaddr + ph.p_filesz) {
			uint64_t off = vaddr - ph.p_vaddr + ph.p_offset;

			elf_end(elf);
			close(fd);
			return off;
		}
	}
	cr_assert_fail("no segment holds 0x%lx in %s", (unsigned long)vaddr, path);
	return 0;
}

/*
 * The loader's mapping of @path's executable segment when the file is loaded at @base (ignored
 * for a non-PIE executable, which loads at its link-time addresses): its start, its file offset
 * (*@pgoff) and the load bias (run-time address - link-time address).
 */
static inline uint64_t symfix_exec_map(const char *path, uint64_t base, uint64_t *pgoff, uint64_t *bias)
{
	int fd = open(path, O_RDONLY);
	GElf_Ehdr eh;
	Elf *elf;
	size_t n;

	cr_assert_geq(fd, 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(gelf_getehdr(elf, &eh));
	cr_assert_eq(elf_getphdrnum(elf, &n), 0);
	*bias = eh.e_type == ET_EXEC ? 0 : base;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X)) {
			elf_end(elf);
			close(fd);
			*pgoff = ph.p_offset & ~0xfffull;
			return *bias + (ph.p_vaddr & ~0xfffull);
		}
	}
	cr_assert_fail("%s has no executable segment", path);
	return 0;
}

/* ---- synthetic traces ------------------------------------------------------------------------ */

#define SYMFIX_START_NS 1000000000ull

struct symfix_trace {
	struct trace_writer *w;
	char path[512];
	uint8_t buf[8192];
};

/* A trace recorded on kernel @release (NULL: a kernel that is not this machine's). */
static inline void symfix_trace_begin_on(struct symfix_trace *t, const char *name, const char *release)
{
	char rel[128];
	const char *kv[] = { "event=cpu-clock", "command=fixture --run", "hostname=test", rel };
	struct trace_meta meta = {
		.start_ns = SYMFIX_START_NS,
		.start_realtime_ns = 1700000000000000000ull,
		.clockid = 1,
		.nr_cpus = 2,
		.page_size = 4096,
		.nr_kv = 4,
		.kv = kv,
	};
	struct perf_event_attr attr = fix_attr(0);
	uint64_t id = 7;
	char dir[256];

	snprintf(rel, sizeof(rel), "release=%s", release ? release : "0.0-test");
	snprintf(t->path, sizeof(t->path), "%s/%s.zst", test_tmpdir(dir, sizeof(dir)), name);
	cr_assert_eq(fix_writer_open(t->path, NULL, &t->w), 0);
	cr_assert_eq(trace_writer__write_header(t->w, &meta), 0);
	cr_assert_eq(trace_writer__write_attr(t->w, &attr, &id, 1, "cpu-clock"), 0);
}

static inline void symfix_trace_begin(struct symfix_trace *t, const char *name)
{
	symfix_trace_begin_on(t, name, NULL);
}

static inline void symfix_put_trailer(uint8_t **p, uint32_t pid, uint32_t tid, uint64_t time)
{
	fix_put(p, (uint64_t)tid << 32 | pid);
	fix_put(p, time);
	fix_put(p, 1);
	fix_put(p, 7);
}

/* MMAP2 of @path at [addr, addr + len) from file offset @pgoff, executable. */
static inline void symfix_mmap2(struct symfix_trace *t, uint32_t pid, uint64_t addr, uint64_t len, uint64_t pgoff,
				const char *path, uint64_t time)
{
	struct perf_event_header *h = (void *)t->buf;
	uint8_t *p = (uint8_t *)(h + 1);
	size_t n = strlen(path) + 1;
	uint32_t prot = PROT_READ | PROT_EXEC, flags = MAP_PRIVATE;

	memset(t->buf, 0, sizeof(t->buf));
	h->type = PERF_RECORD_MMAP2;
	memcpy(p, &pid, 4);
	memcpy(p + 4, &pid, 4);
	p += 8;
	fix_put(&p, addr);
	fix_put(&p, len);
	fix_put(&p, pgoff);
	p += 24; /* maj, min, ino, ino_generation */
	memcpy(p, &prot, 4);
	memcpy(p + 4, &flags, 4);
	p += 8;
	memcpy(p, path, n);
	p += (n + 7) & ~7ul;
	symfix_put_trailer(&p, pid, pid, time);
	h->size = (uint16_t)(p - t->buf);
	cr_assert_eq(trace_writer__write(t->w, t->buf, h->size), 0);
}

static inline void symfix_comm(struct symfix_trace *t, uint32_t pid, uint32_t tid, const char *comm, uint64_t time,
			       bool exec)
{
	size_t n = fix_comm(t->buf, pid, tid, comm, time, 7);

	if (exec)
		((struct perf_event_header *)t->buf)->misc |= PERF_RECORD_MISC_COMM_EXEC;
	cr_assert_eq(trace_writer__write(t->w, t->buf, n), 0);
}

static inline void symfix_fork(struct symfix_trace *t, uint32_t pid, uint32_t ppid, uint32_t tid, uint32_t ptid,
			       uint64_t time)
{
	struct perf_event_header *h = (void *)t->buf;
	uint8_t *p = (uint8_t *)(h + 1);

	h->type = PERF_RECORD_FORK;
	h->misc = 0;
	memcpy(p, &pid, 4);
	memcpy(p + 4, &ppid, 4);
	memcpy(p + 8, &tid, 4);
	memcpy(p + 12, &ptid, 4);
	p += 16;
	fix_put(&p, time);
	symfix_put_trailer(&p, pid, tid, time);
	h->size = (uint16_t)(p - t->buf);
	cr_assert_eq(trace_writer__write(t->w, t->buf, h->size), 0);
}

/* A sample whose callchain is @chain (PERF_CONTEXT_* markers included). */
static inline void symfix_sample(struct symfix_trace *t, uint32_t pid, uint32_t tid, uint64_t time,
				 const uint64_t *chain, uint64_t nr)
{
	uint64_t ip = 0;

	for (uint64_t i = 0; i < nr; i++)
		if (chain[i] < PERF_CONTEXT_MAX) {
			ip = chain[i];
			break;
		}
	size_t n = fix_sample(t->buf, 0, 7, ip, pid, tid, time, chain, nr, 0, 0);

	cr_assert_eq(trace_writer__write(t->w, t->buf, n), 0);
}

static inline void symfix_text(struct symfix_trace *t, uint32_t type, int32_t pid, const char *text)
{
	cr_assert_eq(trace_writer__write_text(t->w, type, pid, text, strlen(text)), 0);
}

/* Close the trace and symbolize it with @opts into a profile. */
static inline struct frec_profile *symfix_profile(struct symfix_trace *t, const struct sym_opts *opts)
{
	struct trace_reader *r;
	struct frec_profile *p;

	cr_assert_eq(trace_writer__close(t->w), 0);
	cr_assert_eq(trace_reader__open(t->path, &r), 0);
	cr_assert_eq(sym_profile__from_trace(r, opts, &p), 0);
	trace_reader__close(r);
	return p;
}

/* The folded output of @p, malloc'ed. */
static inline char *symfix_folded(const struct frec_profile *p)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	cr_assert_eq(frec_profile__write_folded(p, f), 0);
	fclose(f);
	return out;
}

#endif /* FREC_TEST_SYM_FIXTURE_H */
