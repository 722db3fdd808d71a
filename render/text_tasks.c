// SPDX-License-Identifier: MIT
/*
 * The text report's process and thread tables: who the samples belong to, from the profile's tasks
 * (struct frec_task), named "comm [pid]" as the roots of --per-process and --per-thread are, never
 * by a bare pid.  The process table is shown when the samples belong to more than one process; the
 * thread table when some process has more than one thread (otherwise it would repeat the first).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frec/hashmap.h"
#include "frec/log.h"
#include "frec/profile.h"
#include "text_internal.h"

struct row {
	int32_t id;     /* pid or tid */
	uint32_t comm;  /* its name */
	int32_t pid;    /* threads: the process */
	uint32_t pcomm; /* threads: the process's name */
	uint64_t weight;
};

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const struct row *x = a, *y = b;
	int c;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	c = strcmp(frec_profile__str(arg, x->comm), frec_profile__str(arg, y->comm));
	return c ? c : x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* "comm [id]" */
static void put_task(const struct frec_profile *p, uint32_t comm, int32_t id, FILE *f)
{
	frec_term__puts(f, frec_profile__str(p, comm));
	fprintf(f, " [%d]", id);
}

static void table(const struct frec_profile *p, const struct row *rows, size_t nr, unsigned int top,
		  bool threads, FILE *f)
{
	uint64_t total = frec_profile__total(p), rest = 0;
	char a[32];

	/* the weights' unit heads their column: samples, or ns for off-CPU and wall-clock profiles */
	fprintf(f, "%s:\n   share%% %10s  %s\n", threads ? "threads" : "processes",
		frec_profile__str(p, frec_profile__meta_const(p)->unit), threads ? "thread  (process)" : "process");
	for (size_t i = 0; i < nr; i++) {
		if (i >= top) {
			rest += rows[i].weight;
			continue;
		}
		fprintf(f, "  %6.2f%% %10s  ", text_pct(rows[i].weight, total), text_count(rows[i].weight, a, sizeof(a)));
		put_task(p, rows[i].comm, rows[i].id, f);
		if (threads) {
			fputs("  (", f);
			put_task(p, rows[i].pcomm, rows[i].pid, f);
			putc(')', f);
		}
		putc('\n', f);
	}
	if (nr > top)
		fprintf(f, "  %6.2f%% %10s  %zu more (--top)\n", text_pct(rest, total), text_count(rest, a, sizeof(a)),
			nr - top);
	putc('\n', f);
}

int text_tasks__write(const struct frec_profile *p, unsigned int top, FILE *f)
{
	size_t nr, nr_procs = 0;
	const struct frec_task *t = frec_profile__tasks(p, &nr);
	struct row *threads = malloc((nr ? nr : 1) * sizeof(*threads));
	struct row *procs = malloc((nr ? nr : 1) * sizeof(*procs));
	struct frec_hashmap index; /* pid << 32 | process name -> row in procs */
	int err = 0;

	frec_hashmap__init(&index);
	if (!threads || !procs) {
		err = -ENOMEM;
		goto out;
	}
	if (!top)
		top = 20;
	for (size_t i = 0; i < nr; i++) {
		bool added;
		uint64_t *slot = frec_hashmap__slot(&index, (uint64_t)(uint32_t)t[i].pid << 32 | t[i].proc_comm, &added);

		if (!slot) {
			err = -ENOMEM;
			goto out;
		}
		if (added) {
			*slot = nr_procs;
			procs[nr_procs++] = (struct row){ .id = t[i].pid, .comm = t[i].proc_comm };
		}
		procs[*slot].weight += t[i].weight;
		threads[i] = (struct row){ t[i].tid, t[i].comm, t[i].pid, t[i].proc_comm, t[i].weight };
	}
	qsort_r(procs, nr_procs, sizeof(*procs), cmp_rows, (void *)p);
	qsort_r(threads, nr, sizeof(*threads), cmp_rows, (void *)p);
	if (nr_procs > 1)
		table(p, procs, nr_procs, top, false, f);
	if (nr > nr_procs)
		table(p, threads, nr, top, true, f);
out:
	frec_hashmap__exit(&index);
	free(threads);
	free(procs);
	return err;
}
