// SPDX-License-Identifier: MIT
/*
 * JIT tiers.  V8 names a function in its perf map after its kind and, before the name, the tier of
 * the code: "JS:*fib" (older: "LazyCompile:*fib") is optimised (TurboFan), '+' Maglev, '^' baseline
 * (Sparkplug), '~' interpreted (Ignition).  One function then shows as several frames, one per
 * tier it ran at.  The flame graph's tooltips say the tier, and --merge-jit-tiers makes them one
 * frame again ("JS:fib"); flame.js does the same with its t key.
 */
#include <stdbool.h>
#include <string.h>

#include "flame_internal.h"
#include "frec/profile.h"
#include "frec/render.h"

/* The length of "Kind:" before a tier mark in @name, or 0 when there is none. */
static size_t tier_prefix(const char *name)
{
	size_t i = 0;

	while ((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
	       (name[i] >= '0' && name[i] <= '9') || name[i] == '_')
		i++;
	if (!i || name[i] != ':' || !strchr("*+^~", name[i + 1]) || !name[i + 1])
		return 0;
	return i + 1;
}

const char *flame_jit_tier(const char *name)
{
	size_t n = tier_prefix(name);

	if (!n)
		return NULL;
	switch (name[n]) {
	case '*':
		return "JIT, optimised";
	case '+':
		return "JIT, Maglev";
	case '^':
		return "JIT, baseline";
	default:
		return "JIT, interpreted";
	}
}

/* The name of a JIT frame without its tier mark. */
static int untiered(const struct frec_profile *p, uint32_t frame, char *buf, size_t size, void *arg)
{
	const struct frec_frame *f = frec_profile__frame(p, frame);
	const char *name = frec_profile__str(p, f->name);
	size_t n, len;

	(void)arg;
	if (f->kind != FREC_FRAME_JIT || !(n = tier_prefix(name)))
		return 0;
	len = strlen(name) - 1;
	if (len >= size)
		return 0;
	memcpy(buf, name, n);
	memcpy(buf + n, name + n + 1, len - n);
	return (int)len;
}

int render_profile__merge_jit_tiers(const struct frec_profile *p, struct frec_profile **out)
{
	return frec_profile__copy_renamed(p, untiered, NULL, out);
}
