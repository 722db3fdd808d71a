// SPDX-License-Identifier: MIT
/*
 * Flame-graph colours.  A frame's colour is a function of its name's bytes and its class only, never
 * of its position, so a function keeps its colour from one run, graph or zoom to the next.  The
 * default palette ("hot") gives each class its own family, which the graph's legend names:
 * red for the program's own code, yellow for libraries, pink for libc and the dynamic loader,
 * orange for the kernel, green for JIT code, aqua for inlined frames, grey for frames without
 * a symbol, and blue for the time waited in a wall-clock profile (below its [off-cpu] root).  The other palettes are single families, for graphs of one kind of thing.
 */
#include <string.h>

#include "flame_internal.h"
#include "frec/profile.h"

/* A colour family: each channel ranges from lo to lo + span, picked by 8 bits of the name's hash. */
struct flame_family {
	uint8_t lo[3];
	uint8_t span[3];
};

struct flame_palette {
	const char *name;
	bool by_class;
	struct flame_family fam[FLAME_CLASS_MAX];
};

#define FAM(r, g, b, sr, sg, sb) { { r, g, b }, { sr, sg, sb } }
#define ONE(f) { f, f, f, f, f, f, f, f, f }

static const struct flame_palette palettes[] = {
	{ "hot", true, {
		[FLAME_CLASS_USER] = FAM(210, 50, 40, 40, 60, 30),
		[FLAME_CLASS_LIB] = FAM(215, 195, 50, 30, 35, 40),
		[FLAME_CLASS_LIBC] = FAM(225, 130, 160, 25, 40, 40),
		[FLAME_CLASS_KERNEL] = FAM(235, 140, 20, 20, 35, 30),
		[FLAME_CLASS_JIT] = FAM(60, 190, 60, 60, 50, 50),
		[FLAME_CLASS_INLINED] = FAM(60, 190, 200, 50, 40, 40),
		[FLAME_CLASS_UNKNOWN] = FAM(175, 175, 175, 25, 25, 25),
		[FLAME_CLASS_GROUP] = FAM(180, 190, 215, 20, 20, 20),
		[FLAME_CLASS_OFF_CPU] = FAM(70, 110, 210, 40, 60, 40),
	} },
	{ "mem", false, ONE(FAM(40, 160, 40, 60, 90, 60)) },
	{ "io", false, ONE(FAM(80, 80, 190, 60, 60, 60)) },
	{ "blue", false, ONE(FAM(60, 110, 200, 60, 80, 55)) },
	{ "green", false, ONE(FAM(50, 180, 50, 60, 70, 50)) },
	{ "aqua", false, ONE(FAM(50, 180, 180, 50, 60, 70)) },
};

const struct flame_palette *flame_palette__find(const char *name)
{
	if (!name)
		return &palettes[0];
	for (size_t i = 0; i < FREC_ARRAY_SIZE(palettes); i++)
		if (!strcmp(palettes[i].name, name))
			return &palettes[i];
	return NULL;
}

bool flame_palette__is_kinds(const struct flame_palette *pal)
{
	return pal->by_class;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

enum flame_class flame_class__of(const struct frec_profile *p, const struct frec_frame *f)
{
	const char *mod, *base;

	if (f->flags & FREC_FRAME_INLINED)
		return FLAME_CLASS_INLINED;
	switch (f->kind) {
	case FREC_FRAME_KERNEL:
		return FLAME_CLASS_KERNEL;
	case FREC_FRAME_JIT:
		return FLAME_CLASS_JIT;
	case FREC_FRAME_UNKNOWN:
		return FLAME_CLASS_UNKNOWN;
	case FREC_FRAME_PROCESS:
	case FREC_FRAME_THREAD:
		return FLAME_CLASS_GROUP;
	default:
		break;
	}
	mod = frec_profile__str(p, f->module);
	base = strrchr(mod, '/');
	base = base ? base + 1 : mod;
	if (!strcmp(base, "[kernel.kallsyms]") || has_prefix(base, "[kernel"))
		return FLAME_CLASS_KERNEL;
	if (has_prefix(base, "libc.so") || has_prefix(base, "libc-") || has_prefix(base, "ld-linux") ||
	    has_prefix(base, "ld-musl") || has_prefix(base, "libm.so") || has_prefix(base, "libpthread") ||
	    has_prefix(base, "libdl.") || has_prefix(base, "librt.") || has_prefix(base, "[vdso]"))
		return FLAME_CLASS_LIBC;
	if (strstr(base, ".so"))
		return FLAME_CLASS_LIB;
	return FLAME_CLASS_USER;
}

const char *flame_class__name(enum flame_class c)
{
	static const char *const names[FLAME_CLASS_MAX] = {
		[FLAME_CLASS_USER] = "program",
		[FLAME_CLASS_LIB] = "library",
		[FLAME_CLASS_LIBC] = "libc",
		[FLAME_CLASS_KERNEL] = "kernel",
		[FLAME_CLASS_JIT] = "JIT",
		[FLAME_CLASS_INLINED] = "inlined",
		[FLAME_CLASS_UNKNOWN] = "unknown",
		[FLAME_CLASS_GROUP] = "process",
		[FLAME_CLASS_OFF_CPU] = "off CPU",
	};

	return names[c];
}

static uint32_t pick(const struct flame_family *fam, uint64_t h)
{
	uint32_t rgb = 0;

	for (int i = 0; i < 3; i++) {
		uint32_t v = fam->lo[i] + (uint32_t)((h >> (8 * i) & 0xff) * fam->span[i] / 255);

		rgb = rgb << 8 | (v > 255 ? 255 : v);
	}
	return rgb;
}

uint32_t flame_palette__rgb(const struct flame_palette *pal, enum flame_class c, const char *name)
{
	return pick(&pal->fam[c], flame_hash(name, strlen(name)));
}

uint32_t flame_palette__class_rgb(const struct flame_palette *pal, enum flame_class c)
{
	return pick(&pal->fam[c], 0x808080);
}
