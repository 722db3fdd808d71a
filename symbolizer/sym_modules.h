/* SPDX-License-Identifier: MIT */
/*
 * The registry of ELF files: every ELF file the symbolizer reads is opened here, once, and shared
 * by its clients (the namer and the unwinder).  A file is keyed by its build-id, or by the path
 * it was opened at when it has none.  The registry owns the policy that finds a file of the
 * recording machine on this one: the process's own root (/proc/PID/root, for processes in
 * containers), the path as recorded, the build-id directory, and the mapping itself while the
 * process runs (/proc/PID/map_files: a file replaced or removed since it was mapped); and,
 * through the Dwfl callbacks of sym_elf, its separate debug info (build-id directories and
 * .gnu_debuglink along the debug path, debuginfod when DEBUGINFOD_URLS names a server).  A file
 * whose build-id differs from the recorded one is never used.
 *
 * Private to the symbolizer.
 */
#ifndef FREC_SYM_MODULES_H
#define FREC_SYM_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdwfl.h>

struct sym_elf;
struct sym_modules;

struct sym_modules_opts {
	/* Where separate debug info is looked for (libdwfl's debuginfo_path syntax); NULL: the
	 * standard ":.debug:/usr/lib/debug". */
	const char *debug_path;
	/* Where compressed debug files are kept uncompressed (searched first); NULL: nowhere. */
	const char *cache_dir;
	/* The recording machine's kernel release and machine: this machine's vDSO is the recorded
	 * one only on the same kernel.  NULL: unknown (no vDSO). */
	const char *release;
	const char *machine;
};

/** What the trace says of a mapped file. */
struct sym_module_key {
	const char *path;         /* as the process saw it; " (deleted)" is ignored */
	const uint8_t *build_id;  /* NULL or @build_id_size 0: not recorded with the mapping */
	uint8_t build_id_size;
	int32_t pid;              /* a process that mapped it (its root is looked in first); <= 0: none */
	uint64_t map_start, map_end; /* where @pid maps it, while it runs (0, 0: unknown) */
};

/** sym_modules__new() - an empty registry.  Returns 0 and sets *@out, or -ENOMEM. */
int sym_modules__new(const struct sym_modules_opts *o, struct sym_modules **out);

/** sym_modules__free() - close every file; accepts NULL.  The sym_elf handles die with it. */
void sym_modules__free(struct sym_modules *m);

/**
 * sym_modules__add_build_id() - the build-id the recorder read for @path (TRACE_REC_BUILD_ID), for
 * mappings recorded without one; the last one given for a path wins.  Returns 0 or -ENOMEM.
 */
int sym_modules__add_build_id(struct sym_modules *m, const char *path, const uint8_t *id, uint8_t size);

/**
 * sym_modules__find() - the ELF file of key @k, opened at the first call for its build-id (or
 * path): NULL when it cannot be found or its build-id differs from the recorded one, with
 * FREC_MODULE_NOT_FOUND or FREC_MODULE_BUILD_ID_MISMATCH or'ed into *@flags and *@why set to a
 * malloc'ed line that says so (NULL without memory), for the caller to log when the file turns
 * out to matter.  The handle is the registry's.
 */
struct sym_elf *sym_modules__find(struct sym_modules *m, const struct sym_module_key *k, uint32_t *flags,
				  char **why);

/** sym_modules__vdso() - this machine's vDSO when it is the recorded one (same kernel), or NULL. */
struct sym_elf *sym_modules__vdso(struct sym_modules *m);

/**
 * sym_modules__callbacks() - the callbacks of a client's Dwfl whose modules are the registry's
 * files (sym_elf__report()): they share the files' Elf handles and find separate debug info along
 * the registry's debug path.  Valid as long as the registry.
 */
const Dwfl_Callbacks *sym_modules__callbacks(const struct sym_modules *m);

/** sym_modules__count() - ELF files opened so far (the vDSO aside). */
size_t sym_modules__count(const struct sym_modules *m);

/**
 * sym_modules__save_debug() - keep uncompressed copies, in the cache directory, of the compressed
 * debug files whose DWARF had to be inflated (sym_elf__save_debug()); a failure is logged.
 */
void sym_modules__save_debug(struct sym_modules *m);

#endif /* FREC_SYM_MODULES_H */
