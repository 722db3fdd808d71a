/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the text renderers (render/text.c, render/text_tasks.c, render/tree.c,
 * render/callers.c): numbers and names as the text views print them, and the tree printer behind
 * --tree and --callers.  Not part of any contract.
 */
#ifndef FREC_RENDER_TEXT_INTERNAL_H
#define FREC_RENDER_TEXT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct frec_profile;
struct frec_frame;

/** text_count() - @v with thousands separators ("1,234,567") in @buf. */
const char *text_count(uint64_t v, char *buf, size_t size);

/** text_pct() - @part of @whole in percent (0 when @whole is 0). */
double text_pct(uint64_t part, uint64_t whole);

/**
 * text_cmp_nodes() - qsort_r() order of node ids of the profile @arg: heaviest total first, then
 * by frame (frec_profile__frame_cmp()), so that ties do not depend on the input's order.
 */
int text_cmp_nodes(const void *a, const void *b, void *arg);

/**
 * text_tasks__write() - the process table when the profile's tasks hold more than one process,
 * and the thread table when a process has more than one thread, @top rows each (0: 20), each
 * followed by a blank line.  Returns 0 or -ENOMEM.
 */
int text_tasks__write(const struct frec_profile *p, unsigned int top, FILE *f);

/*
 * A function or frame as the text views name it: the name, " [kernel]", " [jit]" or " [inlined]",
 * " (file.c:12)" when it has a line, then "  (module)" by the module's file name.  Untrusted text
 * is escaped for the terminal.
 */
struct text_name {
	uint32_t name, module, file, line;
	uint8_t kind;
	bool inlined;
};

void text_name__put(const struct frec_profile *p, const struct text_name *n, FILE *f);
/** text_name__of_frame() - the text_name of frame @id. */
struct text_name text_name__of_frame(const struct frec_profile *p, uint32_t id);

/*
 * The tree printer: one line per node of @p from its roots down, "TOTAL% SECOND%  name", the
 * heaviest child first.  A node whose children are all hidden but one keeps that child in its own
 * column, so chains of single calls do not drift right; siblings are marked "|- " and "`- " under
 * their caller.  A chain of nodes of one function (direct recursion, each with one shown child) is
 * one line, marked with its depth.
 */
struct tree_view {
	const struct frec_profile *p;
	const uint32_t *func; /* frec_profile__func_ids() of p */
	uint64_t min;         /* nodes of less weight are hidden */
	uint64_t total;       /* the first column's 100% */
	uint64_t base;        /* the second column's 100%, or 0: the second column is the self share of total */
	const char *heading;  /* the column heading line */
};

/**
 * tree_view__write() - print @v to @f.  Returns 0, -ENOMEM or -EIO; with *@split_recursion set when
 * a function was shown calling itself over more than one line (the level by level recursion that
 * --collapse-recursion merges).
 */
int tree_view__write(const struct tree_view *v, FILE *f, bool *split_recursion);

/** tree_view__note_recursion() - the last line when tree_view__write() split a recursion.  0 or -EIO. */
int tree_view__note_recursion(FILE *f);

/** tree_view__min() - the smallest weight shown under a limit of @pct percent of @total. */
uint64_t tree_view__min(double pct, uint64_t total);

#endif /* FREC_RENDER_TEXT_INTERNAL_H */
