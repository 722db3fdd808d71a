/* SPDX-License-Identifier: MIT */
/*
 * The DWARF of one ELF file, indexed for naming addresses: its compile units by address range
 * (from .debug_aranges, else from each CU's own ranges: clang writes no aranges, and
 * dwfl_module_addrdie then finds nothing), each CU's subprograms by range once it is first asked
 * about, and an address's inline chain found by walking down from its subprogram through the
 * children that contain it, never with dwarf_getscopes, which walks the CU from its root on every
 * call.  Lines come from libdw's line tables, sorted once per CU and cached by libdw.
 *
 * Private to the symbolizer (a part of sym_elf).
 */
#ifndef FREC_SYM_DWARF_H
#define FREC_SYM_DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdwfl.h>

#include "sym_internal.h"

struct sym_dwarf;

/**
 * sym_dwarf__open() - load and index the DWARF of @mod (libdw inflates a compressed debug file
 * whole when it loads it).  @name names the file in messages.  Returns 0 and sets *@out (NULL
 * when @mod has no DWARF), or -ENOMEM.  Release with sym_dwarf__close().
 */
int sym_dwarf__open(Dwfl_Module *mod, const char *name, struct sym_dwarf **out);

/** sym_dwarf__close() - accepts NULL. */
void sym_dwarf__close(struct sym_dwarf *d);

/** sym_dwarf__nr_cus() - compile units found (0: DWARF without code, e.g. only types). */
size_t sym_dwarf__nr_cus(const struct sym_dwarf *d);

/** sym_dwarf__dwarf() - libdw's handle (the debug file's sections, for sym_debuginfo__keep()). */
Dwarf *sym_dwarf__dwarf(const struct sym_dwarf *d);

/**
 * sym_dwarf__frames() - up to @max frames of module address @addr (the address in the Dwfl of
 * @d's module), innermost first: with @want_inline its inline chain, then the function named
 * @func (NULL: its DWARF name), each with file:line under @want_lines.  @d may be NULL (no
 * DWARF).  Returns the number of frames, 0 when neither @func nor the DWARF covers @addr.  The
 * strings borrow from libdw.
 */
int sym_dwarf__frames(struct sym_dwarf *d, uint64_t addr, const char *func, bool want_inline, bool want_lines,
		      struct sym_elf_frame *out, int max);

#endif /* FREC_SYM_DWARF_H */
