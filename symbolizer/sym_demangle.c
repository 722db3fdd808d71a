// SPDX-License-Identifier: MIT
/*
 * Demangling through libiberty's cplus_demangle(): with DMGL_AUTO it recognises Itanium C++ (_Z),
 * Rust legacy (a _ZN name ending in a 17h<hash>E element, whose hash it drops) and Rust v0 (_R).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "sym_internal.h"

char *sym_demangle(const char *name)
{
	const char *at;
	char *base, *dm, *s = NULL;

	/* Only names that look mangled: cplus_demangle in AUTO mode also tries old GNU styles. */
	if (!name || name[0] != '_' || (name[1] != 'Z' && name[1] != 'R'))
		return NULL;
	/* A PLT stub's "@plt" or a symbol version's "@@GLIBCXX_3.4" is no part of the mangled name. */
	at = strchr(name, '@');
	if (!at)
		return cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
	base = strndup(name, (size_t)(at - name));
	dm = base ? cplus_demangle(base, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO) : NULL;
	if (dm && asprintf(&s, "%s%s", dm, at) < 0)
		s = NULL;
	free(base);
	free(dm);
	return s;
}
