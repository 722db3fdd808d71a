/* SPDX-License-Identifier: MIT */
/*
 * The namer: the frames of one address of one object, named once whatever the number of samples.
 * (object, address, is-return-address) is the key of one cache; the frames (an inline chain
 * becomes several, root-first) are profile frame ids kept in one array.  ELF files come from the
 * registry, kernel symbols from the trace's kallsyms snapshot, JIT code from the process's perf
 * map.  What cannot be named becomes "module+0xOFFSET" (a stripped function by where it starts)
 * or "[unknown]".
 *
 * Lookup rule: a return address is named at addr - 1, the call instruction, so inline chains and
 * lines are those of the call site.
 *
 * Private to the symbolizer.
 */
#ifndef FREC_SYM_NAMER_H
#define FREC_SYM_NAMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frec/hashmap.h"
#include "sym_dso.h"
#include "sym_internal.h"

struct frec_profile;
struct sym_dsos;
struct sym_modules;
struct sym_opts;
struct sym_proc;

#define SYM_NAMED_UNKNOWN 1u /* a frame could not be named */
#define SYM_NAMED_ROOT 2u    /* the outermost frame is where thread stacks begin (_start, clone, ...) */

/** The frames of one address: sym_namer__ids() + @off, @n of them, root-first. */
struct sym_named {
	uint32_t off, n;
	uint32_t flags; /* SYM_NAMED_* */
};

/* An entry of the cache: (dso, addr, is_ret) -> its frames. */
struct sym_namer_ent {
	uint64_t addr;
	uint32_t dso; /* SYM_DSO_NONE: empty slot */
	uint16_t is_ret;
	uint16_t flags; /* SYM_NAMED_* */
	uint32_t off, n;
};

struct sym_namer {
	const struct sym_opts *opts;
	struct frec_profile *p;
	struct sym_dsos *dsos;
	struct sym_modules *mods;
	uint32_t kernel_dso;
	struct sym_table ksyms;
	struct sym_namer_ent *cache;
	size_t cache_cap, cache_len;
	uint32_t *ids;
	size_t nr_ids, ids_cap;
	struct frec_hashmap names; /* raw name pointer -> demangled string id */
};

/** sym_namer__init() - a namer of the objects of @dsos (the kernel's is added).  Returns 0 or -ENOMEM. */
int sym_namer__init(struct sym_namer *n, const struct sym_opts *opts, struct frec_profile *p, struct sym_dsos *dsos,
		    struct sym_modules *mods);
void sym_namer__exit(struct sym_namer *n);

/** sym_namer__add_kallsyms() - lines of the trace's kernel symbols (TRACE_REC_KSYMS, whole lines). */
int sym_namer__add_kallsyms(struct sym_namer *n, const char *text, size_t len);

/** sym_namer__finish() - index what was added; before the first sym_namer__name(). */
int sym_namer__finish(struct sym_namer *n);

/**
 * sym_namer__name() - the frames of @addr in object @dso: the link-time address for an ELF file,
 * the absolute one for the kernel and JIT code (named from @proc's perf map), the offset in the
 * mapping for anything else.  @is_ret: a return address.  Returns 0 and fills @out, or -ENOMEM.
 */
static inline int sym_namer__name(struct sym_namer *n, uint32_t dso, uint64_t addr, bool is_ret,
				  const struct sym_proc *proc, struct sym_named *out);

/** sym_namer__name_new() - sym_namer__name() of an address not in the cache yet. */
int sym_namer__name_new(struct sym_namer *n, uint32_t dso, uint64_t addr, bool is_ret, const struct sym_proc *proc,
			struct sym_named *out);

/** sym_namer__slot() - the cache slot of (@dso, @addr, @is_ret): its entry, or the empty slot for it. */
static inline size_t sym_namer__slot(const struct sym_namer *n, uint32_t dso, uint64_t addr, uint32_t is_ret)
{
	size_t mask = n->cache_cap - 1;
	size_t i = (size_t)frec_hash64(addr ^ ((uint64_t)dso << 33) ^ is_ret) & mask;

	for (;; i = (i + 1) & mask) {
		const struct sym_namer_ent *e = &n->cache[i];

		if (e->dso == SYM_DSO_NONE || (e->dso == dso && e->addr == addr && e->is_ret == is_ret))
			return i;
	}
}

/* The cache's answer inline (most lookups), the naming out of line. */
static inline int sym_namer__name(struct sym_namer *n, uint32_t dso, uint64_t addr, bool is_ret,
				  const struct sym_proc *proc, struct sym_named *out)
{
	const struct sym_namer_ent *e;

	if (n->cache_len * 2 >= n->cache_cap)
		return sym_namer__name_new(n, dso, addr, is_ret, proc, out);
	e = &n->cache[sym_namer__slot(n, dso, addr, is_ret)];
	if (e->dso == SYM_DSO_NONE)
		return sym_namer__name_new(n, dso, addr, is_ret, proc, out);
	*out = (struct sym_named){ .off = e->off, .n = e->n, .flags = e->flags };
	return 0;
}

static inline const uint32_t *sym_namer__ids(const struct sym_namer *n)
{
	return n->ids;
}

/** sym_namer__unknown() - the frame id of "[unknown]" in no module, or a negative error. */
int sym_namer__unknown(struct sym_namer *n);

/** sym_namer__jit_dso() - the object of @proc's JIT code (its perf map), or SYM_DSO_NONE. */
uint32_t sym_namer__jit_dso(struct sym_namer *n, struct sym_proc *proc);

/** sym_namer__count() - distinct addresses named so far. */
static inline size_t sym_namer__count(const struct sym_namer *n)
{
	return n->cache_len;
}

#endif /* FREC_SYM_NAMER_H */
