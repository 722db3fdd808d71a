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

static enum an_class classify(const struct analyze_rules *r, const struct frec_frame *f, const char *name,
			      const char *path)
{
	if (f->kind == FREC_FRAME_PROCESS || f->kind == FREC_FRAME_THREAD)
		return AN_CLASS_GROUP;
	if (f->kind == FREC_FRAME_KERNEL)
		return AN_CLASS_KERNEL;
	if (an_rules__match(r, AN_RULE_SYSTEM, name, path) != AN_NONE)
		return AN_CLASS_SYSTEM;
	if (f->kind == FREC_FRAME_UNKNOWN && (!*path || !strcmp(name, "[unknown]")))
		return AN_CLASS_UNKNOWN;
	if (!f->module && f->kind != FREC_FRAME_JIT && reserved_name(name))
		return AN_CLASS_SYSTEM;
	return AN_CLASS_USER;
}

/* Frames sort by their function's key (names.c) and module, so that one function's frames are adjacent. */
struct sort_ctx {
	const struct frec_profile *p;
	const struct an_keys *keys;
};

static int cmp_frames(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *sc = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const struct frec_frame *fx = frec_profile__frame(sc->p, x), *fy = frec_profile__frame(sc->p, y);
	int c = strcmp(an_keys__get(sc->keys, x), an_keys__get(sc->keys, y));

	if (c)
		return c;
	if (fx->module != fy->module)
		return fx->module < fy->module ? -1 : 1;
	return (x > y) - (x < y);
}

static const char *frame_name(const void *p, size_t i)
{
	return frec_profile__frame_name(p, (uint32_t)i);
}

int an_ctx__classify(struct an_ctx *c)
{
	const struct frec_profile *p = c->p;
	uint32_t n = frec_profile__nr_frames(p);
	uint32_t *order = malloc(((size_t)n + 1) * sizeof(*order));
	struct an_keys k = { NULL, NULL };
	struct sort_ctx sc = { p, &k };
	bool waits = an_wait_measure(p) != NULL;
	int err = -ENOMEM;

	c->fi = calloc((size_t)n + 1, sizeof(*c->fi));
	c->funcs = malloc(((size_t)n + 1) * sizeof(*c->funcs));
	if (!order || !c->fi || !c->funcs || an_keys__init(&k, n, frame_name, p))
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		const struct frec_frame *f = frec_profile__frame(p, i);
		const char *name = frec_profile__str(p, f->name);
		char buf[256];
		const char *path = an_module_path(name, f->module ? frec_profile__str(p, f->module) : NULL, buf, sizeof(buf));
		struct an_frame_info *fi = &c->fi[i];

		fi->cls = (uint8_t)classify(c->rules, f, name, path);
		fi->rule = fi->cls == AN_CLASS_GROUP ? AN_NONE : an_rules__match_op(c->rules, AN_RULE_OP, name, path, waits);
		fi->boilerplate = fi->cls == AN_CLASS_GROUP ||
				  an_rules__match(c->rules, AN_RULE_BOILERPLATE, name, path) != AN_NONE;
		fi->program = fi->cls != AN_CLASS_KERNEL && is_program(path);
		fi->unknown = f->kind == FREC_FRAME_UNKNOWN || (!f->module && *path);
		order[i] = i;
	}
	/* Functions: frames of one function in one module (inlined copies, clones, JIT tiers) are one. */
	qsort_r(order, n, sizeof(*order), cmp_frames, &sc);
	c->nr_funcs = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct frec_frame *f = frec_profile__frame(p, order[i]);

		if (!i || f->module != frec_profile__frame(p, order[i - 1])->module ||
		    strcmp(an_keys__get(&k, order[i]), an_keys__get(&k, order[i - 1])))
			c->funcs[c->nr_funcs++] = (struct an_func){ f->name, f->module, order[i] };
		c->fi[order[i]].func = c->nr_funcs - 1;
	}
	err = 0;
out:
	free(order);
	an_keys__exit(&k);
	return err;
}
