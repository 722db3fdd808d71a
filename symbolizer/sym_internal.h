/* SPDX-License-Identifier: MIT */
/*
 * Private to symbolizer/: the pieces an ELF file is read with, each testable on its own
 * (tests/unit/symbolizer/ includes this header).  The symbolizer's other objects have their own
 * headers (sym_modules.h, sym_space.h, sym_namer.h, ...).
 *
 *   sym_table   sorted address ranges with names: kallsyms snapshots and JIT perf maps
 *   sym_layout  where an ELF file's code is mapped: the PT_LOAD layout
 *   sym_plt     the stubs of an ELF file's PLT, named FUNC@plt
 *   sym_elf     one ELF file (plus its separate debug info): symbols, layout, PLT, CFI, and
 *               through sym_dwarf its inline chains and lines
 *   sym_demangle  C++ and Rust names through libiberty
 */
#ifndef FREC_SYM_INTERNAL_H
#define FREC_SYM_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <elfutils/libdwfl.h>

#include "frec/array.h"
#include "sym_range.h"

/* ---- sym_table: kallsyms and perf maps --------------------------------------------------------- */

struct sym_table_entry {
	struct sym_range range;
	uint32_t name;       /* offset of the NUL-terminated name in the table's text */
	uint32_t module;     /* offset of the module name ("" for none) */
	uint32_t seq;        /* input order: among overlapping entries the later one wins */
};

struct sym_table {
	struct sym_table_entry *entries;
	size_t nr, cap;
	struct sym_ranges index;
	char *text;        /* names, NUL-separated; offset 0 is "" */
	size_t text_len, text_cap;
	uint64_t bad_lines;
	bool sorted;
};

void sym_table__init(struct sym_table *t);
void sym_table__exit(struct sym_table *t);

/**
 * sym_table__parse_kallsyms() - add lines "ADDR SIZE TYPE NAME[\t[MODULE]]" (hex ADDR and SIZE; a
 * plain /proc/kallsyms line "ADDR TYPE NAME[\t[MODULE]]" is accepted too, its size then runs to the
 * next symbol).  Only text symbols (t, T, w, W) are kept.  Malformed lines are counted in
 * t->bad_lines.  Returns 0 or -ENOMEM.  Call sym_table__finish() before lookups.
 */
int sym_table__parse_kallsyms(struct sym_table *t, const char *buf, size_t len);

/**
 * sym_table__parse_perf_map() - add lines "START SIZE NAME" (hex, optional 0x; NAME may hold
 * spaces), as JITs write /tmp/perf-PID.map.  Returns 0 or -ENOMEM.
 */
int sym_table__parse_perf_map(struct sym_table *t, const char *buf, size_t len);

/** sym_table__finish() - sort for lookups (again after more parsing).  Returns 0 or -ENOMEM. */
int sym_table__finish(struct sym_table *t);

/** sym_table__find() - the entry covering @addr (the latest added on overlaps), or NULL. */
const struct sym_table_entry *sym_table__find(const struct sym_table *t, uint64_t addr);

static inline const char *sym_table__str(const struct sym_table *t, uint32_t off)
{
	return t->text ? t->text + off : "";
}

/* ---- sym_layout: where an ELF file's code is mapped -------------------------------------------- */

/** A PT_LOAD segment. */
struct sym_load_seg {
	uint64_t offset, filesz, vaddr, memsz;
	bool exec; /* PF_X */
};

/** The PT_LOAD segments of an ELF file, in program-header order. */
struct sym_layout {
	struct sym_load_seg *segs;
	size_t nr;
	bool no_offsets; /* a separate debug file's headers: its file offsets are not the binary's */
};

/** sym_layout__init() - read @elf's program headers into @l.  Returns 0 or -ENOMEM. */
int sym_layout__init(struct sym_layout *l, Elf *elf);

void sym_layout__exit(struct sym_layout *l);

/**
 * sym_layout__vaddr() - the link-time address of run-time address @pc in an executable mapping
 * of the file that maps its offset @pgoff at @start: through the executable segment whose pages
 * hold @pc's file offset (lld starts its text on the last page of the read-only segment, so that
 * page belongs to both), else the segment whose bytes hold it.  Without file offsets (a debug
 * file standing in for its binary), the mapping is taken to start at its executable segment.
 * Returns 0, or -ENOENT when no segment maps @pc.
 */
int sym_layout__vaddr(const struct sym_layout *l, uint64_t start, uint64_t pgoff, uint64_t pc, uint64_t *vaddr);

/**
 * sym_layout__bias() - the load bias (run-time address - link-time address) of the file given
 * one of its executable mappings, as sym_layout__vaddr() of its start: the base libdwfl wants
 * (dwfl_report_elf() with add_p_vaddr).  Returns 0 or -ENOENT.
 */
int sym_layout__bias(const struct sym_layout *l, uint64_t start, uint64_t pgoff, uint64_t *bias);

/* ---- sym_plt: the stubs of an ELF file's PLT -------------------------------------------------- */

#define SYM_PLT_MAX_SECS 4

struct sym_plt_sec {
	uint64_t start, end; /* link-time addresses */
	size_t index;        /* section index */
};

struct sym_plt_stub {
	struct sym_range range; /* link-time addresses */
	char *name; /* "memcpy@plt" (mangled as its symbol is), or the section's name */
};

/** The PLT sections of a file (.plt, .plt.sec, .plt.got) and, once looked into, their stubs. */
struct sym_plt {
	struct sym_plt_sec secs[SYM_PLT_MAX_SECS];
	size_t nr_secs;
	bool loaded;
	struct sym_plt_stub *stubs; /* sorted by start */
	size_t nr;
	struct sym_ranges index;
};

/** The name of the function whose code starts at link-time address @vaddr, or NULL. */
typedef const char *(*sym_plt_name_fn)(void *ctx, uint64_t vaddr);

/** sym_plt__init() - note where @elf's PLT sections are (cheap: the stubs are read on demand).  Returns 0. */
int sym_plt__init(struct sym_plt *t, Elf *elf);

void sym_plt__exit(struct sym_plt *t);

/**
 * sym_plt__name() - the name of the PLT stub at link-time address @vaddr of @elf (the file
 * sym_plt__init() was given): "FUNC@plt" after the dynamic relocation of the GOT slot it jumps
 * through; for an ifunc (IRELATIVE) FUNC is @name_at's name for the resolver's address (else
 * "*ABS*+0xADDR@plt"); the section's name for the PLT's header.  NULL outside the PLT.  The first
 * call inside the PLT decodes every stub (an allocation failure then leaves them unnamed).  The
 * string is valid until sym_plt__exit().
 */
const char *sym_plt__name(struct sym_plt *t, Elf *elf, uint64_t vaddr, sym_plt_name_fn name_at, void *ctx);

/* ---- sym_elf: one ELF file --------------------------------------------------------------------- */

struct sym_elf;

/** One frame of an address's inline chain, innermost first.  Strings borrow from the sym_elf. */
struct sym_elf_frame {
	const char *name; /* raw (possibly mangled) name; NULL when unknown */
	const char *file; /* source file with want_lines, else NULL */
	const char *comp_dir; /* the innermost frame's: where a relative @file is, or NULL */
	uint32_t line;
	bool inlined;     /* inlined into the next (outer) frame */
};

/**
 * sym_elf__open() - open the ELF file at @path; its symbols are indexed at the first lookup
 * (.symtab, else separate debug info found by build-id or .gnu_debuglink under @debug_path, else
 * .dynsym).  @debug_path is
 * libdwfl's search path (NULL: ":.debug:/usr/lib/debug").  Returns 0 and sets *@out, -errno when the
 * file cannot be opened, -FREC_E_ELF when it is not ELF.  Release with sym_elf__close().
 */
int sym_elf__open(const char *path, const char *debug_path, struct sym_elf **out);

/** sym_elf__open_mem() - as sym_elf__open() on an image in memory (vDSO, fuzzing); @name names it. */
int sym_elf__open_mem(const void *buf, size_t len, const char *name, struct sym_elf **out);

/**
 * sym_elf__open_fd() - as sym_elf__open() on the open file @fd, which the sym_elf then owns (closed
 * by sym_elf__close(), also on failure); @name names it.
 */
int sym_elf__open_fd(int fd, const char *name, const char *debug_path, struct sym_elf **out);

void sym_elf__close(struct sym_elf *e);

/** sym_elf__build_id() - the file's GNU build-id: its size (0 if none), bytes at *@id. */
size_t sym_elf__build_id(const struct sym_elf *e, const uint8_t **id);

/** sym_elf__flags() - FREC_MODULE_NO_SYMBOLS / FREC_MODULE_NO_DEBUGINFO as known so far. */
uint32_t sym_elf__flags(struct sym_elf *e);

/**
 * sym_elf__vaddr() - the link-time address of @pc in an executable mapping of @e that maps file
 * offset @pgoff at @start (sym_layout__vaddr() on @e's program headers).
 * Returns 0, or -ENOENT when no segment maps it.
 */
int sym_elf__vaddr(const struct sym_elf *e, uint64_t start, uint64_t pgoff, uint64_t pc, uint64_t *vaddr);

/** sym_elf__nr_symbols() - function symbols indexed (they are read at the first lookup). */
size_t sym_elf__nr_symbols(struct sym_elf *e);

/**
 * sym_elf__lookup() - name link-time address @vaddr: up to @max frames, innermost first, in @out.
 * With @want_inline the inline chain from DWARF (if any) precedes the containing function; with
 * @want_lines each frame carries file:line.  Returns the number of frames (0: no symbol covers it).
 */
int sym_elf__lookup(struct sym_elf *e, uint64_t vaddr, bool want_inline, bool want_lines,
		    struct sym_elf_frame *out, int max);

/**
 * sym_elf__func_start() - where the function holding @vaddr starts, from the call-frame entries
 * (.eh_frame and its .eh_frame_hdr index) of a file that has no symbol for it (stripped), so the
 * unnamed samples of one function group together.
 * Returns 0, or -ENOENT when no call-frame entry covers @vaddr.
 */
int sym_elf__func_start(struct sym_elf *e, uint64_t vaddr, uint64_t *start);

/**
 * sym_eh_frame_hdr__starts() - the sorted start addresses of the FDEs listed in the search table
 * of an .eh_frame_hdr section (@buf, @len) loaded at @hdr_vaddr.  *@out is malloc'ed (NULL when
 * the table is empty).  Returns 0, -FREC_E_DWARF for a header or table encoding other than the
 * ones linkers write (version 1, datarel sdata4 pairs), or -ENOMEM.
 */
int sym_eh_frame_hdr__starts(const void *buf, size_t len, uint64_t hdr_vaddr, uint64_t **out, size_t *nr);

/** sym_elf__debug_file() - the separate debug file libdwfl found for @e, or NULL. */
const char *sym_elf__debug_file(const struct sym_elf *e);

/**
 * sym_elf__save_debug() - when @e's DWARF was loaded from a separate debug file with compressed
 * sections (as distributions ship them), write it uncompressed to
 * @cache_dir/.build-id/xx/rest.debug, from the sections libdw already decompressed, so that a
 * later run that searches @cache_dir first maps it instead of inflating it again.  Nothing is
 * done otherwise.  Returns 0 or a negative errno / -FREC_E_ELF (the cache is then just not used).
 */
int sym_elf__save_debug(struct sym_elf *e, const char *cache_dir);

/** sym_elf__id() - the file's number in the registry (sym_modules; 0 outside one), for per-file caches. */
uint32_t sym_elf__id(const struct sym_elf *e);

/** sym_elf__set_id() - the registry numbers the files it opens. */
void sym_elf__set_id(struct sym_elf *e, uint32_t id);

/*
 * The unwinder is a client of the files too: each process's Dwfl (for libdw's frame unwinder)
 * reports the files mapped there with sym_elf__report(), and its callbacks share the file's Elf
 * and find its separate debug info as the file's own Dwfl does (sym_modules__callbacks()).
 */

/**
 * sym_elf__bias() - the load bias (run-time - link-time address) of @e mapped with file offset
 * @pgoff at @start (sym_layout__bias()).  Returns 0, or -ENOENT when no segment maps @pgoff: not
 * the file that was mapped.
 */
int sym_elf__bias(const struct sym_elf *e, uint64_t start, uint64_t pgoff, uint64_t *bias);

/**
 * sym_elf__report() - report @e as a module of @dwfl, loaded with bias @bias, spanning what
 * libdwfl gives a file it reports itself; the module's user data is @e.  @dwfl must use
 * sym_elf__find_elf() and sym_elf__find_debuginfo().  Returns the module, or NULL (dwfl_errmsg()).
 */
Dwfl_Module *sym_elf__report(struct sym_elf *e, Dwfl *dwfl, uint64_t bias);

/** sym_elf__of_module() - the sym_elf of a module of a sym_elf's own Dwfl or of sym_elf__report(). */
struct sym_elf *sym_elf__of_module(Dwfl_Module *mod);

/** A find_elf callback: another reference to the Elf of the module's sym_elf (its user data). */
int sym_elf__find_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base, char **file_name,
		      Elf **elfp);

/** A find_debuginfo callback: sym_find_debuginfo() along the debug path of the module's sym_elf. */
int sym_elf__find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			    const char *file, const char *debuglink, GElf_Word crc, char **debuginfo_file_name);

/**
 * sym_elf__eh_cfi() - the CFI of @e's .eh_frame with the architecture's default rules, as libdw's
 * unwinder sees it (addresses are link-time addresses), parsed once per file; NULL if none.
 */
Dwarf_CFI *sym_elf__eh_cfi(struct sym_elf *e);

/** sym_elf__in_plt() - whether link-time address @vaddr is in a PLT section (.plt, .plt.sec, .plt.got). */
bool sym_elf__in_plt(const struct sym_elf *e, uint64_t vaddr);

/** A function whose extent is known: a sized symbol. */
struct sym_elf_func {
	uint64_t start, end; /* link-time addresses */
	bool root;           /* sym_is_stack_root() */
};

/**
 * sym_elf__func() - the innermost sized function symbol holding link-time address @vaddr (what a
 * frame-pointer check disassembles).  Returns 0, or -ENOENT.
 */
int sym_elf__func(struct sym_elf *e, uint64_t vaddr, struct sym_elf_func *out);

/**
 * sym_elf__code() - the bytes of @e's executable section at link-time address @vaddr, and how many
 * follow in the section (*@avail); NULL outside one (or in a debug file, whose sections are empty).
 */
const uint8_t *sym_elf__code(const struct sym_elf *e, uint64_t vaddr, size_t *avail);

/**
 * sym_elf__symbol_of() - the extent of the function symbol that names link-time address @vaddr (as
 * sym_elf__lookup() does; a sizeless symbol runs to the next one).  Returns 0, or -ENOENT.
 */
int sym_elf__symbol_of(struct sym_elf *e, uint64_t vaddr, uint64_t *start, uint64_t *end);

/**
 * sym_elf__symbol() - the raw name of the @i-th function symbol by address (one per address) and
 * its extent; NULL when @i is past the last (sym_elf__nr_symbols()).
 */
const char *sym_elf__symbol(struct sym_elf *e, size_t i, uint64_t *start, uint64_t *end);

/** sym_elf__path() - where the file was opened (a path under /proc/PID/root, a build-id file...). */
const char *sym_elf__path(const struct sym_elf *e);

/** sym_elf__machine() - the file's e_machine (EM_X86_64, ...), EM_NONE when unreadable. */
unsigned int sym_elf__machine(const struct sym_elf *e);

/** sym_elf__read() - the 8 bytes of @e's loaded image at link-time address @vaddr (from its PT_LOAD contents). */
bool sym_elf__read(const struct sym_elf *e, uint64_t vaddr, uint64_t *val);

/**
 * sym_is_stack_root() - whether a function named @name (mangled or not) is where a thread's stack
 * begins (_start, __libc_start_call_main, start_thread, clone3, the sanitizers' internal_clone,
 * ...): stacks end there.
 */
bool sym_is_stack_root(const char *name);

/* ---- demangling -------------------------------------------------------------------------------- */

/**
 * sym_demangle() - the demangled form of a C++ (_Z), Rust legacy (_ZN...17h<hash>E) or Rust v0 (_R)
 * name, malloc'ed, or NULL when @name is not mangled (or on -ENOMEM: the caller keeps @name).
 */
char *sym_demangle(const char *name);

#endif /* FREC_SYM_INTERNAL_H */
