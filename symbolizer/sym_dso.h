/* SPDX-License-Identifier: MIT */
/*
 * The objects a trace's processes mapped, as the trace names them (a path and, when recorded, a
 * build-id): ELF files, the vDSO, anonymous memory, the kernel and JIT perf maps.  Each is a
 * module of the profile, with the statistics of the stack health (samples in it, samples it left
 * unnamed, stacks it cut), and, for the ELF files and the vDSO, its file from the registry
 * (sym_modules), looked for at the first sample that needs it.
 *
 * Private to the symbolizer.
 */
#ifndef FREC_SYM_DSO_H
#define FREC_SYM_DSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frec/hashmap.h"

struct frec_profile;
struct sym_elf;
struct sym_modules;

enum sym_dso_kind {
	SYM_DSO_FILE,   /* an ELF file */
	SYM_DSO_VDSO,
	SYM_DSO_ANON,   /* anonymous or special memory: JIT code if the process has a perf map */
	SYM_DSO_KERNEL,
	SYM_DSO_JIT,    /* a process's perf map */
};

#define SYM_DSO_NONE UINT32_MAX

struct sym_dso {
	char *path;
	uint8_t build_id[20];
	uint8_t build_id_size;
	uint8_t kind;        /* enum sym_dso_kind */
	bool tried;          /* its file was looked for */
	int32_t pid;         /* a process that mapped it, for /proc/PID/root */
	uint64_t map_start, map_end; /* where @pid mapped it (the first time), for /proc/PID/map_files */
	struct sym_elf *elf; /* the registry's; NULL when unusable or not looked for */
	char *why;           /* why there is none, not said yet (sym_dso__elf()) */
	uint32_t module;     /* profile string id of @path */
	uint32_t flags;      /* FREC_MODULE_* */
	const char *base;    /* basename of @path, for "module+0xoffset" */
	uint64_t stamp;      /* last sample counted in @samples */
	uint64_t unknown_stamp;
	uint64_t samples, unknown_samples, broken_samples;
};

/** All of a trace's objects, by (path, build-id); ids are indexes, stable for the table's life. */
struct sym_dsos {
	struct sym_dso *v;
	size_t nr, cap;
	struct frec_hashmap index; /* hash(path, build-id) -> id (probed) */
	struct frec_profile *p;    /* where module names are interned */
};

void sym_dsos__init(struct sym_dsos *d, struct frec_profile *p);
void sym_dsos__exit(struct sym_dsos *d);

/** Where an object is mapped: by @pid at [@start, @end) (0, 0: nowhere, as the kernel). */
struct sym_dso_map {
	int32_t pid;
	uint64_t start, end;
};

/**
 * sym_dsos__get() - the id of object (@path, @build_id), created when new with @where (the first
 * mapping seen) and @kind (-1: from the path).  Returns the id or -ENOMEM.
 */
long sym_dsos__get(struct sym_dsos *d, const char *path, const uint8_t *build_id, uint8_t build_id_size,
		   const struct sym_dso_map *where, int kind);

static inline struct sym_dso *sym_dsos__at(const struct sym_dsos *d, uint32_t id)
{
	return &d->v[id];
}

/** sym_dso__find_elf() - look for the ELF file of @d in the registry (the first call of the two below). */
struct sym_elf *sym_dso__find_elf(struct sym_dso *d, struct sym_modules *mods);

/** sym_dso__say_why() - sym_dso__elf() when there is something to say (or to look for). */
struct sym_elf *sym_dso__say_why(struct sym_dso *d, struct sym_modules *mods);

/**
 * sym_dso__elf() - the ELF file of @d (a file or the vDSO) from the registry @mods, looked for
 * the first time only; NULL for other kinds and when it cannot be used: d->flags says why, and
 * so does a warning (a build-id mismatch) or an info line (not found), the first time a frame
 * needs the file.
 */
static inline struct sym_elf *sym_dso__elf(struct sym_dso *d, struct sym_modules *mods)
{
	return d->tried && !d->why ? d->elf : sym_dso__say_why(d, mods);
}

/**
 * sym_dso__elf_quiet() - as sym_dso__elf(), for the unwinder, which asks for every file of a
 * process: a file that is not used for naming is not worth a warning.
 */
static inline struct sym_elf *sym_dso__elf_quiet(struct sym_dso *d, struct sym_modules *mods)
{
	return d->tried ? d->elf : sym_dso__find_elf(d, mods);
}

/** sym_dso__touch() - sample number @sample has a frame in @d, @unknown when one is unnamed. */
static inline void sym_dso__touch(struct sym_dso *d, uint64_t sample, bool unknown)
{
	if (d->stamp != sample) {
		d->stamp = sample;
		d->samples++;
	}
	if (unknown && d->unknown_stamp != sample) {
		d->unknown_stamp = sample;
		d->unknown_samples++;
	}
}

/** sym_dsos__add_stats() - the statistics of the sampled objects (the kernel aside) into @p's. */
int sym_dsos__add_stats(const struct sym_dsos *d, struct frec_profile *p);

#endif /* FREC_SYM_DSO_H */
