// SPDX-License-Identifier: MIT
/*
 * Functions as opposed to frames (common/profile_func.c), the copy a transformation starts from
 * (frec_profile__new_like()), the tasks, and --collapse-recursion.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "frec/profile.h"

static struct frec_profile *folded(const char *text)
{
	struct frec_profile *p = frec_profile__new();

	cr_assert_not_null(p);
	cr_assert_gt(frec_profile__import_folded(p, text, strlen(text), NULL), 0);
	cr_assert_eq(frec_profile__sort(p), 0);
	return p;
}

static uint32_t frame(struct frec_profile *p, const char *name, uint32_t module, uint8_t kind, uint8_t flags)
{
	int id = frec_profile__intern_str(p, name);

	cr_assert_geq(id, 0);
	id = frec_profile__add_frame(p, &(struct frec_frame){ .name = (uint32_t)id, .module = module, .kind = kind,
							       .flags = flags });
	cr_assert_geq(id, 0);
	return (uint32_t)id;
}

/* The node at the end of the root-first path of frame names "a;b;c", or FREC_NONE. */
static uint32_t node_at(const struct frec_profile *p, const char *path)
{
	char *copy = strdup(path), *save = NULL;
	uint32_t n = FREC_NODE_ROOT;

	for (char *name = strtok_r(copy, ";", &save); name && n != FREC_NONE; name = strtok_r(NULL, ";", &save)) {
		uint32_t c = frec_profile__node(p, n)->first_child;

		while (c != FREC_NONE && strcmp(frec_profile__frame_name(p, frec_profile__node(p, c)->frame), name))
			c = frec_profile__node(p, c)->next_sibling;
		n = c;
	}
	free(copy);
	return n;
}

static void expect_node(const struct frec_profile *p, const char *path, uint64_t self, uint64_t total)
{
	uint32_t n = node_at(p, path);

	cr_assert_neq(n, FREC_NONE, "no node %s", path);
	cr_expect_eq(frec_profile__node(p, n)->self, self, "%s: self %lu, expected %lu", path,
		     (unsigned long)frec_profile__node(p, n)->self, (unsigned long)self);
	cr_expect_eq(frec_profile__node(p, n)->total, total, "%s: total %lu, expected %lu", path,
		     (unsigned long)frec_profile__node(p, n)->total, (unsigned long)total);
}

static const char *key(const char *name)
{
	static char buf[256];

	cr_assert_lt(frec_name__key(name, buf, sizeof(buf)), sizeof(buf));
	return buf;
}

Test(profile_func, clone_suffixes_tiers_and_aliases_name_one_function)
{
	cr_expect_str_eq(key("parse.constprop.0"), "parse");
	cr_expect_str_eq(key("parse.constprop.0.isra.12"), "parse");
	cr_expect_str_eq(key("parse.part.3"), "parse");
	cr_expect_str_eq(key("parse.cold"), "parse");
	cr_expect_str_eq(key("parse.lto_priv.0"), "parse");
	cr_expect_str_eq(key("__GI___qsort_r"), "__qsort_r");
	cr_expect_str_eq(key("JS:*handler /srv/a.js:1:2"), "JS:handler /srv/a.js:1:2");
	cr_expect_str_eq(key("JS:~handler /srv/a.js:1:2"), "JS:handler /srv/a.js:1:2");
	/* what only looks like a suffix stays */
	cr_expect_str_eq(key("std::vector<int>::size"), "std::vector<int>::size");
	cr_expect_str_eq(key("file.c"), "file.c");
	cr_expect_str_eq(key(".cold"), ".cold");
	cr_expect_str_eq(key("v1.2"), "v1.2");
	cr_expect_eq(frec_name__base_len("f.constprop.0", 13), 1);
}

Test(profile_func, a_key_too_long_for_the_buffer_says_its_length)
{
	char buf[4];

	cr_assert_eq(frec_name__key("handler.constprop.0", buf, sizeof(buf)), 7);
	cr_assert_str_eq(buf, "han");
	cr_assert_eq(frec_name__key("JS:*f", buf, 0), 4);
}

Test(profile_func, frames_of_one_function_share_an_id)
{
	struct frec_profile *p = frec_profile__new();
	uint32_t lib = (uint32_t)frec_profile__intern_str(p, "/lib/libx.so");
	uint32_t other = (uint32_t)frec_profile__intern_str(p, "/lib/liby.so");
	uint32_t f = frame(p, "f", lib, FREC_FRAME_USER, 0);
	uint32_t f_inl = frame(p, "f", lib, FREC_FRAME_USER, FREC_FRAME_INLINED);
	uint32_t f_clone = frame(p, "f.part.0", lib, FREC_FRAME_USER, 0);
	uint32_t f_k = frame(p, "f", lib, FREC_FRAME_KERNEL, 0);
	uint32_t f_y = frame(p, "f", other, FREC_FRAME_USER, 0);
	uint32_t g = frame(p, "g", lib, FREC_FRAME_USER, 0);
	uint32_t unk = frame(p, "[unknown]", 0, FREC_FRAME_UNKNOWN, 0);
	uint32_t unk_lib = frame(p, "[unknown]", lib, FREC_FRAME_UNKNOWN, 0);
	uint32_t proc = frame(p, "f", lib, FREC_FRAME_PROCESS, 0);
	uint32_t *id;

	cr_assert_eq(frec_profile__func_ids(p, &id), 0);
	cr_expect_eq(id[f], id[f_inl]);
	cr_expect_eq(id[f], id[f_clone]);
	cr_expect_neq(id[f], id[f_k]);
	cr_expect_neq(id[f], id[f_y]);
	cr_expect_neq(id[f], id[g]);
	/* no function at all: never recursion */
	cr_expect_eq(id[unk], FREC_NONE);
	cr_expect_eq(id[unk_lib], FREC_NONE);
	cr_expect_eq(id[proc], FREC_NONE);
	free(id);
	frec_profile__free(p);
}

Test(profile_func, a_copy_keeps_strings_frames_metadata_and_tasks)
{
	struct frec_profile *p = folded("main;work 3\n"), *q;
	struct frec_module_stat st = { .module = (uint32_t)frec_profile__intern_str(p, "/bin/x"), .samples = 3 };
	const struct frec_module_stat *ms;
	const struct frec_task *t;
	size_t n;

	frec_profile__meta(p)->command = (uint32_t)frec_profile__intern_str(p, "x --fast");
	frec_profile__meta(p)->freq = 99;
	cr_assert_eq(frec_profile__add_module_stat(p, &st), 0);
	cr_assert_eq(frec_profile__add_task(p, &(struct frec_task){ 7, 8, st.module, st.module, 3 }), 0);
	cr_assert_eq(frec_profile__new_like(p, &q), 0);
	cr_expect_str_eq(frec_profile__str(q, frec_profile__meta_const(q)->command), "x --fast");
	cr_expect_eq(frec_profile__meta_const(q)->freq, 99);
	cr_expect_eq(frec_profile__nr_frames(q), frec_profile__nr_frames(p));
	for (uint32_t i = 0; i < frec_profile__nr_frames(p); i++)
		cr_expect_str_eq(frec_profile__frame_name(q, i), frec_profile__frame_name(p, i));
	ms = frec_profile__module_stats(q, &n);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(frec_profile__str(q, ms[0].module), "/bin/x");
	t = frec_profile__tasks(q, &n);
	cr_assert_eq(n, 1);
	cr_expect_eq(t[0].tid, 8);
	cr_expect_eq(t[0].weight, 3);
	/* the tree is empty */
	cr_expect_eq(frec_profile__nr_nodes(q), 1);
	cr_expect_eq(frec_profile__total(q), 0);
	frec_profile__free(p);
	frec_profile__free(q);
}

Test(profile_func, tasks_add_up_by_thread_and_name)
{
	struct frec_profile *p = frec_profile__new();
	uint32_t a = (uint32_t)frec_profile__intern_str(p, "sh"), b = (uint32_t)frec_profile__intern_str(p, "demo");
	const struct frec_task *t;
	size_t n;

	cr_assert_eq(frec_profile__add_task(p, &(struct frec_task){ 10, 10, a, a, 1 }), 0);
	cr_assert_eq(frec_profile__add_task(p, &(struct frec_task){ 10, 11, a, a, 1 }), 0);
	cr_assert_eq(frec_profile__add_task(p, &(struct frec_task){ 10, 10, a, a, 2 }), 0);
	/* the same thread after exec is another task, as it is another root with --per-thread */
	cr_assert_eq(frec_profile__add_task(p, &(struct frec_task){ 10, 10, b, b, 4 }), 0);
	t = frec_profile__tasks(p, &n);
	cr_assert_eq(n, 3);
	cr_expect(t[0].tid == 10 && t[0].comm == a && t[0].weight == 3);
	cr_expect(t[1].tid == 11 && t[1].weight == 1);
	cr_expect(t[2].tid == 10 && t[2].comm == b && t[2].weight == 4);
	frec_profile__free(p);
}

Test(profile_func, direct_recursion_becomes_one_frame)
{
	struct frec_profile *p = folded("a;f;f;f;g 3\n"
					"a;f;f 2\n"
					"a;f;g 1\n"
					"a;f;f.part.0;f_[i];h 5\n"
					"a;f;h;f 4\n"
					"b;[unknown];[unknown] 1\n"
					"b;b 2\n"),
			   *q;

	cr_assert_eq(frec_profile__collapse_recursion(p, &q), 0);
	expect_node(q, "a", 0, 15);
	expect_node(q, "a;f", 2, 15);
	expect_node(q, "a;f;g", 4, 4);
	/* clones and inlined copies are the function: the outer frame stays */
	expect_node(q, "a;f;h", 5, 9);
	/* mutual recursion stays */
	expect_node(q, "a;f;h;f", 4, 4);
	cr_expect_eq(node_at(q, "a;f;f"), FREC_NONE);
	/* unnamed frames are not one function, but a root calling itself is recursion */
	expect_node(q, "b;[unknown];[unknown]", 1, 1);
	expect_node(q, "b", 2, 3);
	cr_expect_eq(frec_profile__total(q), frec_profile__total(p));
	/* the source is untouched */
	expect_node(p, "a;f;f;f;g", 3, 3);
	frec_profile__free(p);
	frec_profile__free(q);
}

/* Per function name: the self weight and the total counted once per sample. */
static void function_weights(const struct frec_profile *p, const char *name, uint64_t *self, uint64_t *total)
{
	*self = *total = 0;
	for (uint32_t id = 1; id < frec_profile__nr_nodes(p); id++) {
		const struct frec_node *n = frec_profile__node(p, id);
		bool outer = true;

		if (strcmp(frec_profile__frame_name(p, n->frame), name))
			continue;
		*self += n->self;
		for (uint32_t a = n->parent; a != FREC_NODE_ROOT; a = frec_profile__node(p, a)->parent)
			if (!strcmp(frec_profile__frame_name(p, frec_profile__node(p, a)->frame), name))
				outer = false;
		if (outer)
			*total += n->total;
	}
}

Test(profile_func, every_function_keeps_its_self_and_total)
{
	static const char *const names[] = { "main", "f", "g", "h", "leaf" };
	struct frec_profile *p = folded("main;f;f;g;f;f;leaf 7\n"
					"main;f;g;g;g 3\n"
					"main;h;f;f;h;h;f 2\n"
					"main;f 1\n"
					"main;g;f;g;f;leaf 4\n"
					"main;main;main 5\n"),
			   *q;

	cr_assert_eq(frec_profile__collapse_recursion(p, &q), 0);
	cr_assert_lt(frec_profile__nr_nodes(q), frec_profile__nr_nodes(p));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t s1, t1, s2, t2;

		function_weights(p, names[i], &s1, &t1);
		function_weights(q, names[i], &s2, &t2);
		cr_expect_eq(s1, s2, "%s: self %lu became %lu", names[i], (unsigned long)s1, (unsigned long)s2);
		cr_expect_eq(t1, t2, "%s: total %lu became %lu", names[i], (unsigned long)t1, (unsigned long)t2);
	}
	/* and no function is left calling itself */
	for (uint32_t id = 1; id < frec_profile__nr_nodes(q); id++) {
		const struct frec_node *n = frec_profile__node(q, id);

		cr_expect(n->parent == FREC_NODE_ROOT || frec_profile__node(q, n->parent)->frame != n->frame,
			  "%s still calls itself", frec_profile__frame_name(q, n->frame));
	}
	frec_profile__free(p);
	frec_profile__free(q);
}
