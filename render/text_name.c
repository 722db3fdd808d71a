// SPDX-License-Identifier: MIT
/*
 * Names, numbers and the order of nodes as the text views print them (render/text_internal.h).  Every name and path
 * comes from the input, so it goes through frec_term__write(): a terminal shows it and obeys none
 * of it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "frec/log.h"
#include "frec/profile.h"
#include "text_internal.h"

const char *text_count(uint64_t v, char *buf, size_t size)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%" PRIu64, v), o = 0;

	for (int i = 0; i < len && (size_t)o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

double text_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

struct text_name text_name__of_frame(const struct frec_profile *p, uint32_t id)
{
	const struct frec_frame *fr = frec_profile__frame(p, id);

	return (struct text_name){
		.name = fr->name,
		.module = fr->module,
		.file = fr->file,
		.line = fr->line,
		.kind = fr->kind,
		.inlined = fr->flags & FREC_FRAME_INLINED,
	};
}

void text_name__put(const struct frec_profile *p, const struct text_name *n, FILE *f)
{
	frec_term__puts(f, frec_profile__str(p, n->name));
	if (n->kind == FREC_FRAME_KERNEL)
		fputs(" [kernel]", f);
	else if (n->kind == FREC_FRAME_JIT)
		fputs(" [jit]", f);
	if (n->inlined)
		fputs(" [inlined]", f);
	if (n->file) {
		const char *file = frec_profile__str(p, n->file);
		const char *base = strrchr(file, '/');

		fputs(" (", f);
		frec_term__puts(f, base && base[1] ? base + 1 : file);
		if (n->line)
			fprintf(f, ":%" PRIu32, n->line);
		putc(')', f);
	}
	if (n->module) {
		fputs("  (", f);
		frec_term__puts(f, frec_profile__module_basename(p, n->module));
		putc(')', f);
	}
}

int text_cmp_nodes(const void *a, const void *b, void *arg)
{
	const struct frec_profile *p = arg;
	const struct frec_node *x = frec_profile__node(p, *(const uint32_t *)a);
	const struct frec_node *y = frec_profile__node(p, *(const uint32_t *)b);

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return frec_profile__frame_cmp(p, x->frame, y->frame);
}
