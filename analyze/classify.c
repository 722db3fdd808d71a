// SPDX-License-Identifier: MIT
/*
 * What each frame of a profile is, for the findings: who owns its code (the program, the system,
 * the kernel), whether it is boilerplate, which known operation it belongs to, and which function
 * it is part of.
 *
 * Ownership comes from the module: the rules' [system] section names the system's directories and
 * the runtimes wherever they live; everything else with a module, and JIT code, is the program's.
 * Folded stacks from other tools carry no modules: there a frame is the program's unless a rule
 * says otherwise or its name is reserved to the implementation by C ("__x", "_X"), as libc's
 * internals are.  A frame without a symbol is named after its module ("libz.so.1+0x1234"), which
 * is enough to classify it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"

static bool reserved_name(const char *s)
{
	return s[0] == '_' && (s[1] == '_' || (s[1] >= 'A' && s[1] <= 'Z'));
}

/* A module that is an executable rather than a shared library. */
static bool is_program(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return *base && *base != '[' && !strstr(base, ".so") && !strstr(base, ".map") && !strstr(base, ".node");
}

static enum an_class classify(const struct frec_frame *f, const char *name, const char *path, bool system)
{
	if (f->kind == FREC_FRAME_PROCESS || f->kind == FREC_FRAME_THREAD)
		return AN_CLASS_GROUP;
	if (f->kind == FREC_FRAME_KERNEL)
		return AN_CLASS_KERNEL;
	if (system)
		return AN_CLASS_SYSTEM;
	if (f->kind == FREC_FRAME_UNKNOWN && (!*path || !strcmp(name, "[unknown]")))
		return AN_CLASS_UNKNOWN;
	if (!f->module && f->kind != FREC_FRAME_JIT && reserved_name(name))
		return AN_CLASS_SYSTEM;
	return AN_CLASS_USER;
}

/*
 * The function keys (frec_name__key()) of the frames, kept only for the frames whose key is not
 * their name (a clone suffix, a JIT tier, glibc's __GI_ prefix, a name cut at 1,023 bytes): most
 * profiles have none, and keeping a copy of every name cost 37 MB and a fifth of the
 * classification on a profile of 1.5M distinct names.
 */
struct frame_keys {
	const struct frec_profile *p;
	char *text;
	size_t len, cap;
	size_t *off; /* per frame: its key's offset in text, or SIZE_MAX for its name; NULL: all names */
};

static const char *frame_key(const struct frame_keys *k, uint32_t i)
{
	return k->off && k->off[i] != SIZE_MAX ? k->text + k->off[i] : frec_profile__frame_name(k->p, i);
}

/* Frame @i of @n, named @name: keep its key if it is not the name.  0 or -ENOMEM. */
static int frame_keys__add(struct frame_keys *k, uint32_t i, uint32_t n, const char *name)
{
	char buf[1024];
	size_t l = frec_name__key(name, buf, sizeof(buf));

	if (l >= sizeof(buf))
		l = sizeof(buf) - 1;
	if (!strncmp(buf, name, l + 1))
		return 0;
	if (!k->off) {
		if (!(k->off = malloc(((size_t)n + 1) * sizeof(*k->off))))
			return -ENOMEM;
		for (uint32_t j = 0; j < n; j++)
			k->off[j] = SIZE_MAX;
	}
	if (an_grow((void **)&k->text, &k->cap, k->len + l + 1, 1))
		return -ENOMEM;
	memcpy(k->text + k->len, buf, l + 1);
	k->off[i] = k->len;
	k->len += l + 1;
	return 0;
}

static void frame_keys__exit(struct frame_keys *k)
{
	free(k->text);
	free(k->off);
}

/* Frames sort by their function's key (names.c) and module, so that one function's frames are adjacent. */
struct sort_ctx {
	const struct frec_profile *p;
	const struct frame_keys *keys;
};

static int cmp_frames(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *sc = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const struct frec_frame *fx = frec_profile__frame(sc->p, x), *fy = frec_profile__frame(sc->p, y);
	int c = strcmp(frame_key(sc->keys, x), frame_key(sc->keys, y));

	if (c)
		return c;
	if (fx->module != fy->module)
		return fx->module < fy->module ? -1 : 1;
	return (x > y) - (x < y);
}

/* Frames of one name by module, then id: cmp_frames() within a run of frames of that name. */
static int cmp_same_name(const void *a, const void *b, void *arg)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t mx = frec_profile__frame(arg, x)->module, my = frec_profile__frame(arg, y)->module;

	if (mx != my)
		return mx < my ? -1 : 1;
	return (x > y) - (x < y);
}

/*
 * The frames in the order of cmp_frames().  When every frame's key is its name (no clone suffix,
 * no JIT tier: the common case) and the profile is sorted, its sort has put the frames in the order
 * of their names already: only frames that share a name need ordering, by module.  Sorting a
 * million distinct names again by strcmp was a good part of the analysis of such a profile.
 */
static void order_frames(const struct frec_profile *p, struct sort_ctx *sc, bool keys_are_names, uint32_t *order)
{
	const uint32_t *rank = frec_profile__frame_rank(p);
	uint32_t n = frec_profile__nr_frames(p);

	if (!keys_are_names || !rank) {
		for (uint32_t i = 0; i < n; i++)
			order[i] = i;
		qsort_r(order, n, sizeof(*order), cmp_frames, sc);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		order[rank[i]] = i;
	for (uint32_t i = 0, j; i < n; i = j) {
		uint32_t name = frec_profile__frame(p, order[i])->name;

		for (j = i + 1; j < n && frec_profile__frame(p, order[j])->name == name; j++)
			;
		if (j - i > 1)
			qsort_r(order + i, j - i, sizeof(*order), cmp_same_name, (void *)p);
	}
}

/*
 * Functions numbered in the order of their first frame, rather than of their names: frames are
 * numbered as stacks first bring them, so that the walk over the tree (measure.c), which reads and
 * adds to a function's counters at every node, finds those of a stack's new functions next to each
 * other.  In the order of names they were scattered over tens of MB on a profile of a million
 * functions, and those reads were half the walk.  Where function order breaks a tie, it is still
 * the order of names: c->frank.
 */
static int number_funcs(struct an_ctx *c, uint32_t nr_frames)
{
	uint32_t *id = malloc(((size_t)c->nr_funcs + 1) * sizeof(*id));
	struct an_func *funcs = malloc(((size_t)c->nr_funcs + 1) * sizeof(*funcs));
	uint32_t next = 0;

	c->frank = malloc(((size_t)c->nr_funcs + 1) * sizeof(*c->frank));
	if (!id || !funcs || !c->frank) {
		free(id);
		free(funcs);
		return -ENOMEM;
	}
	for (uint32_t f = 0; f < c->nr_funcs; f++)
		id[f] = AN_NONE;
	for (uint32_t i = 0; i < nr_frames; i++) {
		uint32_t f = c->fi[i].func;

		if (id[f] == AN_NONE) {
			id[f] = next++;
			funcs[id[f]] = c->funcs[f];
			c->frank[id[f]] = f;
		}
		c->fi[i].func = id[f];
	}
	free(id);
	free(c->funcs);
	c->funcs = funcs;
	return 0;
}

int an_ctx__classify(struct an_ctx *c)
{
	const struct frec_profile *p = c->p;
	uint32_t n = frec_profile__nr_frames(p);
	uint32_t *order = malloc(((size_t)n + 1) * sizeof(*order));
	struct frame_keys k = { .p = p };
	struct sort_ctx sc = { p, &k };
	bool waits = an_wait_measure(p) != NULL, keys_are_names;
	int err = -ENOMEM;

	c->fi = calloc((size_t)n + 1, sizeof(*c->fi));
	c->funcs = malloc(((size_t)n + 1) * sizeof(*c->funcs));
	if (!order || !c->fi || !c->funcs)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		const struct frec_frame *f = frec_profile__frame(p, i);
		const char *name = frec_profile__str(p, f->name);
		char buf[256];
		const char *path = an_module_path(name, f->module ? frec_profile__str(p, f->module) : NULL, buf, sizeof(buf));
		struct an_frame_info *fi = &c->fi[i];
		uint32_t best[AN_RULE_TYPE_MAX];

		an_rules__match_types(c->rules, name, path, waits, best);
		fi->cls = (uint8_t)classify(f, name, path, best[AN_RULE_SYSTEM] != AN_NONE);
		fi->rule = fi->cls == AN_CLASS_GROUP ? AN_NONE : best[AN_RULE_OP];
		fi->boilerplate = fi->cls == AN_CLASS_GROUP || best[AN_RULE_BOILERPLATE] != AN_NONE;
		fi->program = fi->cls != AN_CLASS_KERNEL && is_program(path);
		fi->unknown = f->kind == FREC_FRAME_UNKNOWN || (!f->module && *path);
		if ((err = frame_keys__add(&k, i, n, name)))
			goto out;
	}
	keys_are_names = !k.off;
	/* Functions: frames of one function in one module (inlined copies, clones, JIT tiers) are one. */
	order_frames(p, &sc, keys_are_names, order);
	c->nr_funcs = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct frec_frame *f = frec_profile__frame(p, order[i]);

		const struct frec_frame *prev = i ? frec_profile__frame(p, order[i - 1]) : NULL;

		/* interned: when every key is its name, equal keys are equal name ids */
		if (!i || f->module != prev->module ||
		    (keys_are_names ? f->name != prev->name : strcmp(frame_key(&k, order[i]), frame_key(&k, order[i - 1]))))
			c->funcs[c->nr_funcs++] = (struct an_func){ f->name, f->module, order[i] };
		c->fi[order[i]].func = c->nr_funcs - 1;
	}
	err = number_funcs(c, n);
out:
	free(order);
	frame_keys__exit(&k);
	return err;
}
