// SPDX-License-Identifier: MIT
/*
 * Naming addresses (sym_namer.h): one open-addressing cache of (object, address, is-return) ->
 * a run of frame ids, and the memo of demangled names by the address of their raw string (each
 * ELF file's strings stay put while it is open).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "frec/compiler.h"
#include "frec/profile.h"
#include "frec/symbolizer.h"
#include "sym_dso.h"
#include "sym_modules.h"
#include "sym_namer.h"
#include "sym_space.h"

int sym_namer__init(struct sym_namer *n, const struct sym_opts *opts, struct frec_profile *p, struct sym_dsos *dsos,
		    struct sym_modules *mods)
{
	long kd;

	*n = (struct sym_namer){ .opts = opts, .p = p, .dsos = dsos, .mods = mods };
	frec_hashmap__init(&n->names);
	sym_table__init(&n->ksyms);
	kd = sym_dsos__get(dsos, "[kernel.kallsyms]", NULL, 0, &(struct sym_dso_map){ .pid = -1 }, SYM_DSO_KERNEL);
	if (kd < 0)
		return (int)kd;
	n->kernel_dso = (uint32_t)kd;
	return 0;
}

void sym_namer__exit(struct sym_namer *n)
{
	sym_table__exit(&n->ksyms);
	free(n->cache);
	free(n->ids);
	frec_hashmap__exit(&n->names);
}

int sym_namer__add_kallsyms(struct sym_namer *n, const char *text, size_t len)
{
	/* the recorder splits the text at line ends: each record parses on its own */
	return sym_table__parse_kallsyms(&n->ksyms, text, len);
}

int sym_namer__finish(struct sym_namer *n)
{
	return n->ksyms.nr ? sym_table__finish(&n->ksyms) : 0;
}

static int cache_grow(struct sym_namer *n)
{
	struct sym_namer_ent *old = n->cache;
	size_t old_cap = n->cache_cap, cap = old_cap ? old_cap * 2 : 4096;

	n->cache = malloc(cap * sizeof(*n->cache));
	if (!n->cache) {
		n->cache = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < cap; i++)
		n->cache[i].dso = SYM_DSO_NONE;
	n->cache_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].dso != SYM_DSO_NONE)
			n->cache[sym_namer__slot(n, old[i].dso, old[i].addr, old[i].is_ret)] = old[i];
	free(old);
	return 0;
}

static int add_frame(struct sym_namer *n, uint32_t name, uint32_t module, const char *file, uint32_t line,
		     uint8_t kind, uint8_t flags)
{
	struct frec_frame f = { .name = name, .module = module, .kind = kind, .flags = flags };
	int id;

	if (n->opts->lines && file) {
		id = frec_profile__intern_str(n->p, file);
		if (id < 0)
			return id;
		f.file = (uint32_t)id;
		f.line = line;
	}
	id = frec_profile__add_frame(n->p, &f);
	if (id < 0)
		return id;
	if (frec_array__grow((void **)&n->ids, &n->ids_cap, n->nr_ids + 1, sizeof(*n->ids)))
		return -ENOMEM;
	n->ids[n->nr_ids++] = (uint32_t)id;
	return 0;
}

/* String id of a symbol name, demangled unless --mangled; memoized by the name's address. */
static int name_id(struct sym_namer *n, const char *raw)
{
	uint64_t v;
	char *dm;
	int id;

	if (frec_hashmap__find(&n->names, (uintptr_t)raw, &v))
		return (int)v;
	dm = n->opts->mangled ? NULL : sym_demangle(raw);
	id = frec_profile__intern_str(n->p, dm ? dm : raw);
	free(dm);
	if (id >= 0 && frec_hashmap__set(&n->names, (uintptr_t)raw, (uint64_t)id))
		return -ENOMEM;
	return id;
}

static int unknown_frame(struct sym_namer *n, const struct sym_dso *d, uint64_t off, uint8_t kind)
{
	char buf[300];
	int id;

	if (d && kind != FREC_FRAME_KERNEL && d->kind != SYM_DSO_ANON)
		snprintf(buf, sizeof(buf), "%.256s+0x%" PRIx64, d->base, off);
	else
		snprintf(buf, sizeof(buf), "[unknown]");
	id = frec_profile__intern_str(n->p, buf);
	if (id < 0)
		return id;
	return add_frame(n, (uint32_t)id, d ? d->module : 0, NULL, 0,
			 kind == FREC_FRAME_KERNEL ? FREC_FRAME_KERNEL : FREC_FRAME_UNKNOWN, 0);
}

int sym_namer__unknown(struct sym_namer *n)
{
	int name = frec_profile__intern_str(n->p, "[unknown]");
	struct frec_frame f = { .kind = FREC_FRAME_UNKNOWN };

	if (name < 0)
		return name;
	f.name = (uint32_t)name;
	return frec_profile__add_frame(n->p, &f);
}

static int name_elf(struct sym_namer *n, struct sym_dso *d, uint64_t vaddr)
{
	struct sym_elf_frame fr[32];
	int nr = sym_elf__lookup(d->elf, vaddr, !n->opts->no_inline, n->opts->lines, fr, 32);
	int err = 0;

	if (nr <= 0 || !fr[nr - 1].name) {
		uint64_t start;

		/* a stripped file: name the function by where it starts, so its samples group together */
		if (!sym_elf__func_start(d->elf, vaddr, &start))
			vaddr = start;
		return unknown_frame(n, d, vaddr, FREC_FRAME_UNKNOWN);
	}
	/* root-first: the function, then what is inlined into it */
	for (int k = nr - 1; k >= 0 && !err; k--) {
		int id;

		if (!fr[k].name)
			continue;
		id = name_id(n, fr[k].name);
		if (id < 0)
			return id;
		err = add_frame(n, (uint32_t)id, d->module, fr[k].file, fr[k].line, FREC_FRAME_USER,
				fr[k].inlined ? FREC_FRAME_INLINED : 0);
	}
	return err;
}

static int name_table(struct sym_namer *n, const struct sym_table *t, struct sym_dso *d, uint64_t addr, uint8_t kind)
{
	const struct sym_table_entry *e = sym_table__find(t, addr);
	int name, mod = (int)d->module;

	if (!e)
		return unknown_frame(n, d, addr, kind);
	name = frec_profile__intern_str(n->p, sym_table__str(t, e->name));
	if (name >= 0 && e->module) {
		char buf[300];

		snprintf(buf, sizeof(buf), "[%.256s]", sym_table__str(t, e->module));
		mod = frec_profile__intern_str(n->p, buf);
	}
	if (name < 0 || mod < 0)
		return -ENOMEM;
	return add_frame(n, (uint32_t)name, (uint32_t)mod, NULL, 0, kind, 0);
}

uint32_t sym_namer__jit_dso(struct sym_namer *n, struct sym_proc *proc)
{
	char path[64];
	long d;

	if (proc->jit_dso != SYM_DSO_NONE)
		return proc->jit_dso;
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", proc->pid);
	d = sym_dsos__get(n->dsos, path, NULL, 0, &(struct sym_dso_map){ .pid = proc->pid }, SYM_DSO_JIT);
	if (d < 0)
		return SYM_DSO_NONE;
	proc->jit_dso = (uint32_t)d;
	return proc->jit_dso;
}

bool sym_is_stack_root(const char *name)
{
	static const char *const roots[] = {
		"_start", "__libc_start_main", "__libc_start_call_main", "__libc_start_main_impl",
		"start_thread", "clone", "clone3", "__clone", "__clone3", "__clone_internal", "thread_start",
		"_dl_start_user", "_dl_start", "__start",
	};

	/* glibc's internal aliases, as .symtab names them: __GI___clone3 is clone3 */
	if (!strncmp(name, "__GI_", 5))
		name += 5;
	for (size_t i = 0; i < FREC_ARRAY_SIZE(roots); i++)
		if (!strcmp(name, roots[i]))
			return true;
	/* the sanitizers start their own threads (LeakSanitizer's tracer) in internal_clone */
	return !strncmp(name, "__libc_start_main", 17) || !strncmp(name, "__sanitizer::internal_clone(", 28) ||
	       !strncmp(name, "_ZN11__sanitizer14internal_clone", 32);
}

int sym_namer__name_new(struct sym_namer *n, uint32_t dso, uint64_t addr, bool is_ret, const struct sym_proc *proc,
			struct sym_named *out)
{
	struct sym_namer_ent *e;
	size_t slot, start;
	struct sym_dso *d;
	int err;

	if (n->cache_len * 2 >= n->cache_cap && cache_grow(n))
		return -ENOMEM;
	slot = sym_namer__slot(n, dso, addr, is_ret);
	e = &n->cache[slot];
	if (e->dso != SYM_DSO_NONE) {
		*out = (struct sym_named){ .off = e->off, .n = e->n, .flags = e->flags };
		return 0;
	}
	start = n->nr_ids;
	d = sym_dsos__at(n->dsos, dso);
	if (is_ret && addr)
		addr--;
	switch (d->kind) {
	case SYM_DSO_KERNEL:
		err = name_table(n, &n->ksyms, d, addr, FREC_FRAME_KERNEL);
		break;
	case SYM_DSO_JIT:
		err = name_table(n, &proc->jit, d, addr, FREC_FRAME_JIT);
		break;
	default:
		err = sym_dso__elf(d, n->mods) ? name_elf(n, d, addr) : unknown_frame(n, d, addr, FREC_FRAME_UNKNOWN);
		break;
	}
	if (err)
		return err;
	if (is_ret)
		addr++;
	e = &n->cache[slot];
	*e = (struct sym_namer_ent){
		.addr = addr,
		.dso = dso,
		.is_ret = is_ret,
		.off = (uint32_t)start,
		.n = (uint32_t)(n->nr_ids - start),
	};
	for (size_t i = start; i < n->nr_ids; i++) {
		const struct frec_frame *f = frec_profile__frame(n->p, n->ids[i]);

		if (f->kind == FREC_FRAME_UNKNOWN || !strcmp(frec_profile__str(n->p, f->name), "[unknown]"))
			e->flags |= SYM_NAMED_UNKNOWN;
	}
	if (!(e->flags & SYM_NAMED_UNKNOWN) && e->n && sym_is_stack_root(frec_profile__frame_name(n->p, n->ids[start])))
		e->flags |= SYM_NAMED_ROOT;
	n->cache_len++;
	*out = (struct sym_named){ .off = e->off, .n = e->n, .flags = e->flags };
	return 0;
}
