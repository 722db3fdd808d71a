// SPDX-License-Identifier: MIT
/*
 * The objects of a trace's processes (sym_dso.h).
 */
#include <string.h>

#include "frec/profile.h"
#include "sym_dso.h"
#include "sym_internal.h"
#include "sym_modules.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"

void sym_dsos__init(struct sym_dsos *d, struct frec_profile *p)
{
	*d = (struct sym_dsos){ .p = p };
	frec_hashmap__init(&d->index);
}

void sym_dsos__exit(struct sym_dsos *d)
{
	for (size_t i = 0; i < d->nr; i++) {
		free(d->v[i].path);
		free(d->v[i].why);
	}
	free(d->v);
	frec_hashmap__exit(&d->index);
}

static enum sym_dso_kind path_kind(const char *path)
{
	if (!strcmp(path, "[vdso]"))
		return SYM_DSO_VDSO;
	if (path[0] == '/' && strncmp(path, "//anon", 6) && strncmp(path, "/memfd:", 7) &&
	    strncmp(path, "/dev/zero", 9) && strncmp(path, "/SYSV", 5))
		return SYM_DSO_FILE;
	return SYM_DSO_ANON;
}

static uint64_t dso_hash(const char *path, const uint8_t *bid, uint8_t bid_size)
{
	return frec_hash_bytes(path, strlen(path)) ^ frec_hash64(frec_hash_bytes(bid, bid_size) + bid_size);
}

long sym_dsos__get(struct sym_dsos *d, const char *path, const uint8_t *build_id, uint8_t build_id_size,
		   const struct sym_dso_map *where, int kind)
{
	static const uint8_t no_bid[20];
	struct sym_dso *o;
	uint64_t h, v;
	int id;

	if (!build_id)
		build_id = no_bid;
	h = dso_hash(path, build_id, build_id_size);
	for (;; h++) {
		if (!frec_hashmap__find(&d->index, h, &v))
			break;
		o = &d->v[v];
		if (!strcmp(o->path, path) && o->build_id_size == build_id_size &&
		    !memcmp(o->build_id, build_id, build_id_size))
			return (long)v;
	}
	if (frec_array__grow((void **)&d->v, &d->cap, d->nr + 1, sizeof(*d->v)))
		return -ENOMEM;
	o = &d->v[d->nr];
	memset(o, 0, sizeof(*o));
	o->path = strdup(path);
	if (!o->path)
		return -ENOMEM;
	memcpy(o->build_id, build_id, build_id_size);
	o->build_id_size = build_id_size;
	o->pid = where->pid;
	o->map_start = where->start;
	o->map_end = where->end;
	o->kind = (uint8_t)(kind >= 0 ? kind : (int)path_kind(path));
	o->stamp = o->unknown_stamp = UINT64_MAX;
	id = frec_profile__intern_str(d->p, path);
	if (id < 0)
		return -ENOMEM;
	o->module = (uint32_t)id;
	o->base = strrchr(o->path, '/');
	o->base = o->base && o->base[1] ? o->base + 1 : o->path;
	if (frec_hashmap__set(&d->index, h, d->nr))
		return -ENOMEM;
	return (long)d->nr++;
}

struct sym_elf *sym_dso__find_elf(struct sym_dso *d, struct sym_modules *mods)
{
	struct sym_module_key k = {
		.path = d->path,
		.build_id = d->build_id,
		.build_id_size = d->build_id_size,
		.pid = d->pid,
		.map_start = d->map_start,
		.map_end = d->map_end,
	};

	d->tried = true;
	if (d->kind == SYM_DSO_VDSO) {
		d->elf = sym_modules__vdso(mods);
		if (!d->elf)
			d->flags |= FREC_MODULE_NOT_FOUND;
	} else if (d->kind == SYM_DSO_FILE) {
		d->elf = sym_modules__find(mods, &k, &d->flags, &d->why);
	}
	return d->elf;
}

struct sym_elf *sym_dso__say_why(struct sym_dso *d, struct sym_modules *mods)
{
	if (!d->tried)
		sym_dso__find_elf(d, mods);
	if (d->why) {
		if (d->flags & FREC_MODULE_BUILD_ID_MISMATCH)
			pr_warn("%s", d->why);
		else
			pr_info("%s", d->why);
		free(d->why);
		d->why = NULL;
	}
	return d->elf;
}

int sym_dsos__add_stats(const struct sym_dsos *d, struct frec_profile *p)
{
	for (size_t i = 0; i < d->nr; i++) {
		const struct sym_dso *o = &d->v[i];
		struct frec_module_stat st = {
			.module = o->module,
			.flags = o->flags,
			.samples = o->samples,
			.unknown_samples = o->unknown_samples,
			.broken_samples = o->broken_samples,
		};

		if (!o->samples || o->kind == SYM_DSO_KERNEL)
			continue;
		/* the recorded build-id, for pprof's mappings */
		memcpy(st.build_id, o->build_id, o->build_id_size);
		st.build_id_size = o->build_id_size;
		if (o->elf)
			st.flags |= sym_elf__flags(o->elf);
		if (frec_profile__add_module_stat(p, &st))
			return -ENOMEM;
	}
	return 0;
}
