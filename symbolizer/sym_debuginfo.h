/* SPDX-License-Identifier: MIT */
/*
 * Separate debug info: finding it for an ELF file (the find_debuginfo callback of every Dwfl the
 * symbolizer makes) and keeping a compressed debug file uncompressed in the cache once libdw had to
 * inflate it, so that the next report maps it instead.
 *
 * Private to the symbolizer (a part of sym_elf and the registry).
 */
#ifndef FREC_SYM_DEBUGINFO_H
#define FREC_SYM_DEBUGINFO_H

#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdwfl.h>

/* libdwfl's own default search path */
#define SYM_DEFAULT_DEBUG_PATH ":.debug:/usr/lib/debug"

/**
 * sym_find_debuginfo() - what the find_debuginfo callbacks of frec's Dwfls do: libdwfl's standard
 * search (build-id, then .gnu_debuglink or FILE.debug along @search_path, the Dwfl's
 * debuginfo_path; NULL for the default), with a debuginfod server asked only when DEBUGINFOD_URLS
 * names one.  (elfutils 0.188 loads libdebuginfod, and with it curl, gnutls and kerberos, for any
 * file without separate debug info even when no server is configured: 4-5 ms of every report.)
 * The other arguments and the result are the callback's.
 */
int sym_find_debuginfo(const char *search_path, Dwfl_Module *mod, void **userdata, const char *modname,
		       Dwarf_Addr base, const char *file, const char *debuglink, GElf_Word crc,
		       char **debuginfo_file_name);

/**
 * sym_debuginfo__keep() - when @debugfile, which libdw loaded as @dw for the ELF file @name with
 * build-id @build_id, is a compressed debug file (as distributions ship them) outside @cache_dir,
 * write it uncompressed to @cache_dir/.build-id/xx/rest.debug from the sections libdw already
 * decompressed.  Nothing is done otherwise.  Returns 0 or a negative errno / -FREC_E_ELF.
 */
int sym_debuginfo__keep(Dwarf *dw, const char *debugfile, const uint8_t *build_id, size_t build_id_size,
			const char *cache_dir, const char *name);

#endif /* FREC_SYM_DEBUGINFO_H */
