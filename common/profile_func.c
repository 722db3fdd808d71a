// SPDX-License-Identifier: MIT
/*
 * Functions, as opposed to frames: one source function can stand under several symbol names
 * (compiler clones such as ".constprop.0" or ".part.1", glibc's internal "__GI_" aliases, the
 * tiers of a JIT: V8's "JS:~f", "JS:^f", "JS:*f" are f interpreted, baseline and optimised) and
 * under several frames (inlined copies, other source lines).  The findings, the recursion collapse
 * and the callers view count them as one, so that a function compiled twice is not two functions
 * and a clone calling its original is recursion.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "frec/hashmap.h"
#include "frec/profile.h"
#include "frec/strset.h"

size_t frec_name__base_len(const char *name, size_t len)
{
	static const char *const sfx[] = { ".constprop", ".part", ".isra", ".cold", ".lto_priv", ".localalias", ".clone" };

	for (bool again = true; again;) {
		size_t n = len;

		again = false;
		while (n && name[n - 1] >= '0' && name[n - 1] <= '9')
			n--;
		if (n < len && n && name[n - 1] == '.')
			n--;
		for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
			size_t l = strlen(sfx[i]);

			if (n > l && !memcmp(name + n - l, sfx[i], l)) {
				len = n - l;
				again = true;
				break;
			}
		}
	}
	return len;
}

size_t frec_name__js_prefix(const char *name, size_t *tier)
{
	static const char *const pfx[] = { "JS:", "LazyCompile:", "Function:", "Script:" };

	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		size_t l = strlen(pfx[i]);

		if (!strncmp(name, pfx[i], l)) {
			*tier = name[l] == '*' || name[l] == '~' || name[l] == '^' || name[l] == '+';
			return l;
		}
	}
	*tier = 0;
	return 0;
}

/* Append @len bytes of @s to the key being written at @buf[*o] (what does not fit is counted). */
static void key_put(char *buf, size_t size, size_t *o, const char *s, size_t len)
{
	if (*o + 1 < size)
		memcpy(buf + *o, s, *o + len < size ? len : size - 1 - *o);
	*o += len;
}

size_t frec_name__key(const char *name, char *buf, size_t size)
{
	size_t len, o = 0, tier, js;

	if (!strncmp(name, "__GI_", 5) && name[5])
		name += 5;
	len = strlen(name);
	js = frec_name__js_prefix(name, &tier);
	if (js) {
		/* "JS:*f path" -> "JS:f path" */
		key_put(buf, size, &o, name, js);
		name += js + tier;
		len -= js + tier;
	} else {
		len = frec_name__base_len(name, len);
	}
	key_put(buf, size, &o, name, len);
	if (size)
		buf[o < size ? o : size - 1] = '\0';
	return o;
}

/* What makes two frames one function: the interned key of their name, their module and kind. */
struct func_key {
	uint32_t key, module;
	uint8_t kind;
};

int frec_profile__func_ids(const struct frec_profile *p, uint32_t **out)
{
	uint32_t nr = frec_profile__nr_frames(p);
	uint32_t *ids = malloc((nr ? nr : 1) * sizeof(*ids));
	struct func_key *funcs = malloc((nr ? nr : 1) * sizeof(*funcs));
	struct frec_strset *keys = frec_strset__new();
	struct frec_hashmap index;
	size_t cap = 256;
	char *buf = malloc(cap);
	uint32_t nr_funcs = 0;
	int err = -ENOMEM;

	frec_hashmap__init(&index);
	if (!ids || !funcs || !keys || !buf)
		goto out;
	for (uint32_t id = 0; id < nr; id++) {
		const struct frec_frame *fr = frec_profile__frame(p, id);
		const char *name = frec_profile__str(p, fr->name);
		struct func_key k = { .module = fr->module, .kind = fr->kind };
		uint64_t h;
		size_t len;
		int kid;

		/* an unnamed frame is no function: "[unknown]" twice is two pieces of code, not recursion */
		if (fr->kind == FREC_FRAME_UNKNOWN || fr->kind == FREC_FRAME_PROCESS || fr->kind == FREC_FRAME_THREAD) {
			ids[id] = FREC_NONE;
			continue;
		}
		while ((len = frec_name__key(name, buf, cap)) >= cap) {
			char *nb = realloc(buf, len + 1);

			if (!nb)
				goto out;
			buf = nb;
			cap = len + 1;
		}
		kid = frec_strset__add(keys, buf, len);
		if (kid < 0)
			goto out;
		k.key = (uint32_t)kid;
		h = frec_hash64(frec_hash64((uint64_t)k.key << 32 | k.module) ^ k.kind);
		for (;; h++) {
			bool added;
			uint64_t *slot = frec_hashmap__slot(&index, h, &added);

			if (!slot)
				goto out;
			if (added) {
				*slot = nr_funcs;
				funcs[nr_funcs++] = k;
				ids[id] = (uint32_t)*slot;
				break;
			}
			if (funcs[*slot].key == k.key && funcs[*slot].module == k.module && funcs[*slot].kind == k.kind) {
				ids[id] = (uint32_t)*slot;
				break;
			}
		}
	}
	*out = ids;
	ids = NULL;
	err = 0;
out:
	free(ids);
	free(funcs);
	free(buf);
	frec_strset__free(keys);
	frec_hashmap__exit(&index);
	return err;
}

int frec_profile__collapse_recursion(const struct frec_profile *p, struct frec_profile **out)
{
	uint32_t nr = frec_profile__nr_nodes(p);
	uint32_t *func = NULL, *map = malloc((size_t)nr * sizeof(*map));
	struct frec_profile *q = NULL;
	int err = -ENOMEM;

	*out = NULL;
	if (!map || (err = frec_profile__func_ids(p, &func)) || (err = frec_profile__new_like(p, &q)))
		goto out;
	/* Parents come before their children: map[] of a node's parent is always known. */
	map[FREC_NODE_ROOT] = FREC_NODE_ROOT;
	for (uint32_t id = 1; id < nr; id++) {
		const struct frec_node *n = frec_profile__node(p, id);
		const struct frec_node *up = frec_profile__node(p, n->parent);
		int child;

		if (n->parent != FREC_NODE_ROOT && func[n->frame] != FREC_NONE && func[n->frame] == func[up->frame]) {
			map[id] = map[n->parent];
		} else {
			child = frec_profile__child(q, map[n->parent], n->frame);
			if (child < 0) {
				err = child;
				goto out;
			}
			map[id] = (uint32_t)child;
		}
		/* The weights fit: they are the same weights, in fewer nodes. */
		if (n->self)
			frec_profile__add_weight(q, map[id], n->self);
	}
	err = frec_profile__sort(q);
	if (err)
		goto out;
	*out = q;
	q = NULL;
out:
	frec_profile__free(q);
	free(func);
	free(map);
	return err;
}
