// SPDX-License-Identifier: MIT
/*
 * Demangling through libiberty's cplus_demangle(): with DMGL_AUTO it recognises Itanium C++ (_Z),
 * Rust legacy (a _ZN name ending in a 17h<hash>E element, whose hash it drops) and Rust v0 (_R).
 */
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "sym_internal.h"

char *sym_demangle(const char *name)
{
	/* Only names that look mangled: cplus_demangle in AUTO mode also tries old GNU styles. */
	if (!name || name[0] != '_' || (name[1] != 'Z' && name[1] != 'R'))
		return NULL;
	return cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
}
