// SPDX-License-Identifier: MIT
/*
 * Trace -> profile.  Two passes over the trace:
 *
 *   1. collect what describes the processes (MMAP/MMAP2, COMM, FORK, EXIT), the kallsyms snapshot,
 *      JIT perf maps, build-ids and totals.  The state records are then sorted by time and replayed
 *      into per-process address spaces that keep their history: every mapping carries the interval
 *      of time it was in place.  A sample is resolved against the mappings in place at its time, so
 *      the order in which the per-CPU rings were drained does not matter, a library loaded late
 *      (dlopen) resolves from its load on, and a process that exec'd resolves against its new image.
 *   2. each sample: filters, then its frames.  A frame's address becomes (module, link-time address,
 *      is-return-address); that triple is looked up in one cache, so each unique address is named
 *      once whatever the number of samples, and each ELF file is opened once (cached by build-id).
 *      The callers of a deep stack (its return addresses) are named once per distinct chain: the
 *      memo of callers maps them to their node in the call tree (struct cmemo_ent).
 *
 * Lookup rule: a return address (every callchain entry after the first of its context) is named at
 * pc - 1, the call instruction, so inline chains and lines are those of the call site.
 *
 * User stacks come from the kernel's callchain, or from the unwinder (unwind.h) in dwarf and auto
 * traces and for fp samples that carry a stack copy to repair a chain from.  At the end, compressed
 * debug files whose DWARF had to be inflated are kept uncompressed in opts->cache_dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "frec/error.h"
#include "frec/hashmap.h"
#include "frec/proc_root.h"
#include "frec/profile.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"
#include "sym_internal.h"
#include "unwind.h"

#define pr_fmt(fmt) "symbolizer: " fmt
#include "frec/log.h"

enum dso_kind {
	DSO_FILE,   /* an ELF file */
	DSO_VDSO,
	DSO_ANON,   /* anonymous or special memory: JIT code if the process has a perf map */
	DSO_KERNEL,
	DSO_JIT,    /* a process's perf map */
};

struct dso {
	char *path;
	uint8_t bid[20];
	uint8_t bid_size;
	uint8_t kind;
	bool tried; /* elf looked for */
	int32_t pid; /* a process that mapped it, for /proc/PID/root */
	struct sym_elf *elf; /* borrowed from the ELF cache; NULL when unusable */
	uint32_t module;     /* profile string id */
	uint32_t flags;      /* FREC_MODULE_* */
	const char *base;    /* basename of path, for "module+0xoffset" */
	uint64_t stamp;      /* last sample counted in @samples */
	uint64_t unknown_stamp;
	uint64_t samples, unknown_samples, broken_samples;
};

struct map {
	uint64_t start, end, pgoff;
	uint64_t t_start, t_end; /* in place during [t_start, t_end) */
	uint32_t dso;
};

struct proc {
	int32_t pid;
	struct map *maps;
	size_t nr_maps, maps_cap;
	uint64_t *max_end; /* running max of ends over maps sorted by start */
	uint64_t *changes; /* times the mappings changed, ascending: generation = index */
	size_t nr_changes, changes_cap;
	char *perf_map;    /* raw perf-map text from the trace */
	size_t perf_map_len, perf_map_cap;
	struct sym_table jit;
	uint32_t jit_dso; /* UINT32_MAX until needed */
	bool sorted;
};

struct comm_ent {
	uint64_t time;
	uint32_t name; /* profile string id */
};

struct thread {
	int32_t tid, pid;
	struct comm_ent *comms; /* ascending time */
	size_t nr, cap;
};

struct state_rec {
	uint64_t time;
	size_t off; /* in state_buf */
	size_t seq;
};

struct build_id_rec {
	char *path;
	uint8_t bid[20];
	uint8_t size;
};

struct elf_cache_ent {
	uint8_t bid[20];
	uint8_t bid_size;
	char *path; /* path opened, the key when there is no build-id */
	struct sym_elf *elf;
};

/* Cache of named addresses: (dso, address, is-return) -> frames, root-first, in chain_ids. */
struct fcache_ent {
	uint64_t addr;
	uint32_t dso; /* UINT32_MAX: empty slot */
	uint16_t is_ret;
	uint16_t flags; /* FC_* */
	uint32_t off, n;
};

#define FC_UNKNOWN 1u /* a frame could not be named */
#define FC_ROOT 2u    /* the outermost frame is where thread stacks begin (_start, clone, ...) */

#define DSO_NONE UINT32_MAX

struct sym_ctx {
	const struct sym_opts *opts;
	struct trace_reader *r;
	struct frec_profile *p;
	uint64_t start_ns;
	uint32_t max_stack;

	struct dso *dsos;
	size_t nr_dsos, dsos_cap;
	struct frec_hashmap dso_index; /* hash(path, build-id) -> dso index (probed) */
	uint32_t kernel_dso;

	struct proc *procs;
	size_t nr_procs, procs_cap;
	struct frec_hashmap proc_index; /* pid -> index */
	struct thread *threads;
	size_t nr_threads, threads_cap;
	struct frec_hashmap thread_index; /* tid -> index */

	uint8_t *state_buf;
	size_t state_len, state_cap;
	struct state_rec *states;
	size_t nr_states, states_cap;
	struct build_id_rec *bids;
	size_t nr_bids, bids_cap;
	char *ksyms_text;
	size_t ksyms_len, ksyms_cap;
	struct sym_table ksyms;

	struct elf_cache_ent *elves;
	size_t nr_elves, elves_cap;

	struct fcache_ent *fcache;
	size_t fcache_cap, fcache_len;
	uint32_t *chain_ids;
	size_t nr_chain_ids, chain_ids_cap;
	struct frec_hashmap names; /* raw name pointer -> demangled string id */

	/* per-sample scratch */
	uint32_t *stack;
	size_t stack_cap;
	uint32_t *touched; /* dsos a run of callers touched: dso << 1 | unknown frame in it */
	size_t nr_touched, touched_cap;

	/* Memo of callers (cmemo_find()) */
	struct cmemo_ent *cmemo;
	size_t nr_cmemo, cmemo_cap;
	struct frec_hashmap cmemo_index; /* hash of the key -> index in cmemo */
	uint64_t *cmemo_pcs;             /* the keys' addresses */
	size_t nr_cmemo_pcs, cmemo_pcs_cap;
	uint32_t *cmemo_touched;
	size_t nr_cmemo_touched, cmemo_touched_cap;
	uint64_t cmemo_hits;
	uint64_t *leaves; /* samples per call-tree leaf, not yet in the profile (count_leaf()) */
	size_t nr_leaves, leaves_cap;

	uint64_t nr_samples, first_time, last_time, lost;
	int last_progress;
	uint64_t start_time; /* CLOCK_MONOTONIC when symbolizing began, for progress */
	bool vdso_tried;
	struct sym_elf *vdso;
	char *debug_path;    /* libdwfl search path: the cache first, then opts->debug_path */
	bool own_debug_path; /* debug_path was allocated here */

	/* User stacks from the sample's registers and stack copy (symbolizer/unwind.h). */
	struct sym_unwinder *unw;  /* NULL: the trace's call graph mode needs none */
	enum sym_unwind_mode unw_mode;
	struct sym_unwind_map *umaps;
	size_t umaps_cap;
	struct sym_unwind_frame *uframes;
	uint64_t *uchain;
	size_t uchain_cap;
};

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t n;
	void *p;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	p = realloc(*arr, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static int intern(struct sym_ctx *c, const char *s)
{
	return frec_profile__intern_str(c->p, s ? s : "");
}

/* ---- progress ---------------------------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Progress on stderr, for reports that take long enough to wonder (not for small traces). */
static void progress(struct sym_ctx *c, int pass)
{
	const struct trace_status *st;
	int pct;

	if (!c->opts->progress || now_ns() - c->start_time < 300000000u)
		return;
	st = trace_reader__status(c->r);
	if (!st->file_bytes)
		return;
	pct = (int)(st->pos * 50 / st->file_bytes) + (pass ? 50 : 0);
	if (pct == c->last_progress || pct > 100)
		return;
	c->last_progress = pct;
	fprintf(stderr, "\rfrec report: %s %3d%%", pass ? "symbolizing" : "reading", pct);
}

/* Erase the progress line (before a warning, and at the end); it is redrawn on the next update. */
static void progress_done(struct sym_ctx *c)
{
	if (c->opts->progress && c->last_progress >= 0)
		fputs("\r\033[K", stderr);
	c->last_progress = -1;
}

/* ---- DSOs and ELF files ------------------------------------------------------------------------ */

static enum dso_kind path_kind(const char *path)
{
	if (!strcmp(path, "[vdso]"))
		return DSO_VDSO;
	if (path[0] == '/' && strncmp(path, "//anon", 6) && strncmp(path, "/memfd:", 7) &&
	    strncmp(path, "/dev/zero", 9) && strncmp(path, "/SYSV", 5))
		return DSO_FILE;
	return DSO_ANON;
}

static uint64_t dso_hash(const char *path, const uint8_t *bid, uint8_t bid_size)
{
	return frec_hash_bytes(path, strlen(path)) ^ frec_hash64(frec_hash_bytes(bid, bid_size) + bid_size);
}

/* The dso of (@path, @bid); created when new.  Returns its index or -ENOMEM. */
static long dso_get(struct sym_ctx *c, const char *path, const uint8_t *bid, uint8_t bid_size, int32_t pid,
		    int kind)
{
	static const uint8_t no_bid[20];
	uint64_t h, v;
	struct dso *d;
	int id;

	if (!bid)
		bid = no_bid;
	h = dso_hash(path, bid, bid_size);

	for (;; h++) {
		if (!frec_hashmap__find(&c->dso_index, h, &v))
			break;
		d = &c->dsos[v];
		if (!strcmp(d->path, path) && d->bid_size == bid_size && !memcmp(d->bid, bid, bid_size))
			return (long)v;
	}
	if (grow((void **)&c->dsos, &c->dsos_cap, c->nr_dsos + 1, sizeof(*c->dsos)))
		return -ENOMEM;
	d = &c->dsos[c->nr_dsos];
	memset(d, 0, sizeof(*d));
	d->path = strdup(path);
	if (!d->path)
		return -ENOMEM;
	memcpy(d->bid, bid, bid_size);
	d->bid_size = bid_size;
	d->pid = pid;
	d->kind = (uint8_t)(kind >= 0 ? kind : (int)path_kind(path));
	d->stamp = d->unknown_stamp = UINT64_MAX;
	id = intern(c, path);
	if (id < 0)
		return -ENOMEM;
	d->module = (uint32_t)id;
	d->base = strrchr(d->path, '/');
	d->base = d->base && d->base[1] ? d->base + 1 : d->path;
	if (frec_hashmap__set(&c->dso_index, h, c->nr_dsos))
		return -ENOMEM;
	return (long)c->nr_dsos++;
}

static const struct build_id_rec *recorded_build_id(const struct sym_ctx *c, const char *path)
{
	/* the last record for a path wins (a file replaced during the recording) */
	for (size_t i = c->nr_bids; i-- > 0;)
		if (!strcmp(c->bids[i].path, path))
			return &c->bids[i];
	return NULL;
}

static struct sym_elf *elf_cache_find(struct sym_ctx *c, const uint8_t *bid, uint8_t bid_size, const char *path)
{
	for (size_t i = 0; i < c->nr_elves; i++) {
		struct elf_cache_ent *e = &c->elves[i];

		if (bid_size ? (e->bid_size == bid_size && !memcmp(e->bid, bid, bid_size))
			     : (!e->bid_size && !strcmp(e->path, path)))
			return e->elf;
	}
	return NULL;
}

static int elf_cache_add(struct sym_ctx *c, struct sym_elf *elf, const char *path)
{
	struct elf_cache_ent *e;
	const uint8_t *bid;
	size_t n = sym_elf__build_id(elf, &bid);

	if (grow((void **)&c->elves, &c->elves_cap, c->nr_elves + 1, sizeof(*c->elves)))
		return -ENOMEM;
	e = &c->elves[c->nr_elves];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path)
		return -ENOMEM;
	e->bid_size = (uint8_t)n;
	memcpy(e->bid, bid, n);
	e->elf = elf;
	c->nr_elves++;
	return 0;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

static struct sym_elf *load_vdso(struct sym_ctx *c)
{
	const char *rel = trace_reader__meta(c->r, "release");
	const char *mach = trace_reader__meta(c->r, "machine");
	const unsigned char *img;
	struct utsname u;
	size_t len;

	if (c->vdso_tried)
		return c->vdso;
	c->vdso_tried = true;
	/* Our own vDSO is the recorded one only on the same kernel. */
	if (uname(&u) || !rel || strcmp(rel, u.release) || (mach && strcmp(mach, u.machine)))
		return NULL;
	img = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	if (!img || memcmp(img, "\177ELF", 4) || img[4] != 2 /* ELFCLASS64 */)
		return NULL;
	{
		uint64_t shoff;
		uint16_t shentsize, shnum;

		memcpy(&shoff, img + 0x28, 8);
		memcpy(&shentsize, img + 0x3a, 2);
		memcpy(&shnum, img + 0x3c, 2);
		len = shoff + (size_t)shentsize * shnum;
		if (len > (1u << 20))
			return NULL;
	}
	if (sym_elf__open_mem(img, len, "[vdso]", &c->vdso))
		return NULL;
	return c->vdso;
}

/*
 * Open @file as process @pid sees it, in its root: a link planted there must not lead to a file of
 * ours (frec_proc_root__open_file()).  @name names it.
 */
static int elf_open_in_root(const struct sym_ctx *c, int32_t pid, const char *file, const char *name,
			    struct sym_elf **out)
{
	int root = frec_proc_root__open(pid), fd;
	struct stat sb;

	if (root < 0)
		return root;
	fd = frec_proc_root__open_file(root, file, O_RDONLY, &sb);
	close(root);
	return fd < 0 ? fd : sym_elf__open_fd(fd, name, c->debug_path, out);
}

/* Find and open the ELF file of @d, checking the recorded build-id.  Sets d->elf or d->flags. */
static void dso_open(struct sym_ctx *c, struct dso *d)
{
	char cand[3][4200];
	char want[41] = "", got[41] = "";
	const uint8_t *bid = d->bid;
	uint8_t bid_size = d->bid_size;
	const struct build_id_rec *rec;
	bool mismatch = false;
	size_t plen;
	int nc = 0, mismatch_at = 0, in_root = 0;

	d->tried = true;
	if (d->kind == DSO_VDSO) {
		d->elf = load_vdso(c);
		if (!d->elf)
			d->flags |= FREC_MODULE_NOT_FOUND;
		return;
	}
	if (d->kind != DSO_FILE)
		return;
	if (!bid_size && (rec = recorded_build_id(c, d->path))) {
		bid = rec->bid;
		bid_size = rec->size;
	}
	if (bid_size && (d->elf = elf_cache_find(c, bid, bid_size, NULL)))
		return;
	/* A file replaced while mapped is "PATH (deleted)": try PATH, the build-id tells if it is the same. */
	plen = strlen(d->path);
	if (plen > 10 && !strcmp(d->path + plen - 10, " (deleted)"))
		plen -= 10;
	/* A process in a container sees its own root: read its files through /proc/PID/root. */
	if (d->pid > 0) {
		in_root = snprintf(cand[nc], sizeof(cand[0]), "/proc/%d/root", d->pid);
		snprintf(cand[nc++] + in_root, sizeof(cand[0]) - (size_t)in_root, "%.*s", (int)plen, d->path);
	}
	snprintf(cand[nc++], sizeof(cand[0]), "%.*s", (int)plen, d->path);
	if (bid_size) {
		hex(want, bid, bid_size);
		snprintf(cand[nc++], sizeof(cand[0]), "/usr/lib/debug/.build-id/%.2s/%s.debug", want, want + 2);
	}
	for (int i = 0; i < nc; i++) {
		struct sym_elf *e;
		const uint8_t *fbid;
		size_t n;

		if (!bid_size && (e = elf_cache_find(c, NULL, 0, cand[i]))) {
			d->elf = e;
			return;
		}
		if (i == 0 && in_root ? elf_open_in_root(c, d->pid, cand[i] + in_root, cand[i], &e)
				      : sym_elf__open(cand[i], c->debug_path, &e))
			continue;
		n = sym_elf__build_id(e, &fbid);
		if (bid_size && (n != bid_size || memcmp(fbid, bid, n))) {
			if (!mismatch) {
				hex(got, fbid, n);
				mismatch = true;
				mismatch_at = i;
			}
			sym_elf__close(e);
			continue;
		}
		if (elf_cache_add(c, e, cand[i])) {
			sym_elf__close(e);
			return;
		}
		d->elf = e;
		return;
	}
	d->flags |= mismatch ? FREC_MODULE_BUILD_ID_MISMATCH : FREC_MODULE_NOT_FOUND;
	if (mismatch) {
		progress_done(c);
		pr_warn("%s: build-id %s differs from the recorded %s (rebuilt since recording?): its frames show as module+offset",
			cand[mismatch_at], got[0] ? got : "(none)", want);
	} else {
		pr_info("%s: not found on this machine", d->path);
	}
}

/* ---- processes and threads --------------------------------------------------------------------- */

static struct proc *proc_get(struct sym_ctx *c, int32_t pid, bool create)
{
	uint64_t v;
	struct proc *p;

	if (frec_hashmap__find(&c->proc_index, (uint32_t)pid, &v))
		return &c->procs[v];
	if (!create || grow((void **)&c->procs, &c->procs_cap, c->nr_procs + 1, sizeof(*c->procs)))
		return NULL;
	p = &c->procs[c->nr_procs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->jit_dso = DSO_NONE;
	sym_table__init(&p->jit);
	if (frec_hashmap__set(&c->proc_index, (uint32_t)pid, c->nr_procs))
		return NULL;
	c->nr_procs++;
	return p;
}

static struct thread *thread_get(struct sym_ctx *c, int32_t tid, int32_t pid, bool create)
{
	uint64_t v;
	struct thread *t;

	if (frec_hashmap__find(&c->thread_index, (uint32_t)tid, &v))
		return &c->threads[v];
	if (!create || grow((void **)&c->threads, &c->threads_cap, c->nr_threads + 1, sizeof(*c->threads)))
		return NULL;
	t = &c->threads[c->nr_threads];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = pid;
	if (frec_hashmap__set(&c->thread_index, (uint32_t)tid, c->nr_threads))
		return NULL;
	c->nr_threads++;
	return t;
}

/* The thread's name at @time (its first known name before any record), or 0. */
static uint32_t thread_comm(const struct thread *t, uint64_t time)
{
	size_t lo = 0, hi;

	if (!t || !t->nr)
		return 0;
	hi = t->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->comms[mid].time <= time)
			lo = mid + 1;
		else
			hi = mid;
	}
	return t->comms[lo ? lo - 1 : 0].name;
}

static int thread_set_comm(struct sym_ctx *c, int32_t tid, int32_t pid, uint64_t time, uint32_t name)
{
	struct thread *t = thread_get(c, tid, pid, true);

	if (!t || grow((void **)&t->comms, &t->cap, t->nr + 1, sizeof(*t->comms)))
		return -ENOMEM;
	t->pid = pid;
	t->comms[t->nr++] = (struct comm_ent){ .time = time, .name = name };
	return 0;
}

static int proc_changed(struct proc *p, uint64_t time)
{
	if (p->nr_changes && p->changes[p->nr_changes - 1] == time)
		return 0;
	if (grow((void **)&p->changes, &p->changes_cap, p->nr_changes + 1, sizeof(*p->changes)))
		return -ENOMEM;
	p->changes[p->nr_changes++] = time;
	return 0;
}

static int proc_add_map(struct proc *p, const struct map *m)
{
	if (grow((void **)&p->maps, &p->maps_cap, p->nr_maps + 1, sizeof(*p->maps)))
		return -ENOMEM;
	p->maps[p->nr_maps++] = *m;
	p->sorted = false;
	return 0;
}

/*
 * Map [start, end) at @time: the mappings it overlaps end at @time, and their parts outside it
 * continue as new entries (munmap/mmap semantics).
 */
static int proc_map(struct proc *p, struct map m)
{
	size_t n = p->nr_maps;

	for (size_t i = 0; i < n; i++) {
		struct map old = p->maps[i];

		if (old.t_end <= m.t_start || old.end <= m.start || old.start >= m.end)
			continue;
		p->maps[i].t_end = m.t_start;
		if (old.start < m.start) {
			struct map left = old;

			left.end = m.start;
			left.t_start = m.t_start;
			if (proc_add_map(p, &left))
				return -ENOMEM;
		}
		if (old.end > m.end) {
			struct map right = old;

			right.start = m.end;
			right.pgoff = old.pgoff + (m.end - old.start);
			right.t_start = m.t_start;
			if (proc_add_map(p, &right))
				return -ENOMEM;
		}
	}
	if (m.end > m.start && proc_add_map(p, &m))
		return -ENOMEM;
	return proc_changed(p, m.t_start);
}

/* End every mapping of @p at @time (exec, or a pid reused by a new process). */
static int proc_clear(struct proc *p, uint64_t time)
{
	for (size_t i = 0; i < p->nr_maps; i++)
		if (p->maps[i].t_end > time)
			p->maps[i].t_end = time;
	return proc_changed(p, time);
}

static int cmp_map(const void *a, const void *b)
{
	const struct map *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->t_start < y->t_start ? -1 : x->t_start > y->t_start;
}

static int proc_sort(struct proc *p)
{
	uint64_t *me;

	if (p->sorted)
		return 0;
	if (p->nr_maps)
		qsort(p->maps, p->nr_maps, sizeof(*p->maps), cmp_map);
	me = realloc(p->max_end, (p->nr_maps ? p->nr_maps : 1) * sizeof(*me));
	if (!me)
		return -ENOMEM;
	p->max_end = me;
	for (size_t i = 0; i < p->nr_maps; i++)
		me[i] = i && me[i - 1] > p->maps[i].end ? me[i - 1] : p->maps[i].end;
	p->sorted = true;
	return 0;
}

/* The mapping of @addr in place at @time. */
static const struct map *proc_find(const struct proc *p, uint64_t addr, uint64_t time)
{
	const struct map *best = NULL;
	size_t lo = 0, hi = p->nr_maps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0;) {
		const struct map *m = &p->maps[i];

		if (p->max_end[i] <= addr)
			break;
		if (addr < m->end && m->t_start <= time && time < m->t_end && (!best || m->t_start > best->t_start))
			best = m;
	}
	return best;
}

/*
 * proc_generation() - a number that changes whenever @p's mappings change: the mappings in place
 * at @time are the same for every time with the same generation.  (For the DWARF unwinder's caches.)
 */
static size_t proc_generation(const struct proc *p, uint64_t time)
{
	size_t lo = 0, hi = p->nr_changes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->changes[mid] <= time)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- pass 1: collect ---------------------------------------------------------------------------- */

static int save_state(struct sym_ctx *c, const struct perf_event_header *h, uint64_t time)
{
	size_t size = h->size;

	if (grow((void **)&c->state_buf, &c->state_cap, c->state_len + size, 1) ||
	    grow((void **)&c->states, &c->states_cap, c->nr_states + 1, sizeof(*c->states)))
		return -ENOMEM;
	memcpy(c->state_buf + c->state_len, h, size);
	c->states[c->nr_states] = (struct state_rec){ .time = time, .off = c->state_len, .seq = c->nr_states };
	c->nr_states++;
	c->state_len += FREC_ALIGN(size, 8);
	if (grow((void **)&c->state_buf, &c->state_cap, c->state_len, 1))
		return -ENOMEM;
	return 0;
}

static int append_text(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (grow((void **)buf, cap, *len + n + 2, 1))
		return -ENOMEM;
	memcpy(*buf + *len, s, n);
	*len += n;
	if (n && s[n - 1] != '\n')
		(*buf)[(*len)++] = '\n';
	return 0;
}

static int collect_text(struct sym_ctx *c, const struct perf_event_header *h)
{
	const struct trace_text *t = (const void *)h;
	uint32_t size = trace_rec__size(h);
	const char *text = (const char *)(t + 1);
	struct proc *p;

	if (size < sizeof(*t) || t->len > size - sizeof(*t))
		return 0;
	if (h->type == TRACE_REC_KSYMS)
		return append_text(&c->ksyms_text, &c->ksyms_len, &c->ksyms_cap, text, t->len);
	p = proc_get(c, t->pid, true);
	if (!p)
		return -ENOMEM;
	return append_text(&p->perf_map, &p->perf_map_len, &p->perf_map_cap, text, t->len);
}

static int collect_build_id(struct sym_ctx *c, const struct perf_event_header *h)
{
	const struct trace_build_id *b = (const void *)h;
	uint32_t size = trace_rec__size(h);
	const char *path = (const char *)(b + 1);
	size_t max;
	struct build_id_rec *r;

	if (size <= sizeof(*b) || b->size > sizeof(b->build_id))
		return 0;
	max = size - sizeof(*b);
	if (!memchr(path, '\0', max))
		return 0;
	if (grow((void **)&c->bids, &c->bids_cap, c->nr_bids + 1, sizeof(*c->bids)))
		return -ENOMEM;
	r = &c->bids[c->nr_bids];
	r->path = strdup(path);
	if (!r->path)
		return -ENOMEM;
	memcpy(r->bid, b->build_id, b->size);
	r->size = b->size;
	c->nr_bids++;
	return 0;
}

/* Pass 1: the state records, and the number and time span of the samples (frames that hold nothing
 * else are not even decompressed: their summaries have both). */
static int pass1(struct sym_ctx *c)
{
	const struct trace_status *st = trace_reader__status(c->r);
	const struct perf_event_header *h;
	int ret, err = 0;

	trace_reader__skip_samples(c->r, true);
	while ((ret = trace_reader__next(c->r, &h)) > 0) {
		struct trace_sample_id id;
		struct trace_sample s;

		if ((c->nr_samples & 1023) == 0)
			progress(c, 0);
		switch (h->type) {
		case PERF_RECORD_SAMPLE:
			if (trace_reader__parse_sample(c->r, h, &s))
				break;
			if (!c->nr_samples++ || s.time < c->first_time)
				c->first_time = s.time;
			if (s.time > c->last_time)
				c->last_time = s.time;
			break;
		case PERF_RECORD_MMAP:
		case PERF_RECORD_MMAP2:
		case PERF_RECORD_COMM:
		case PERF_RECORD_FORK:
		case PERF_RECORD_EXIT:
			if (trace_reader__parse_id(c->r, h, &id))
				break;
			err = save_state(c, h, id.valid ? id.time : 0);
			break;
		case PERF_RECORD_LOST:
			if (h->size >= sizeof(*h) + 16) {
				uint64_t lost;

				memcpy(&lost, (const uint8_t *)(h + 1) + 8, 8);
				c->lost += lost;
			}
			break;
		case TRACE_REC_KSYMS:
		case TRACE_REC_PERF_MAP:
			err = collect_text(c, h);
			break;
		case TRACE_REC_BUILD_ID:
			err = collect_build_id(c, h);
			break;
		default:
			break;
		}
		if (err)
			break;
	}
	trace_reader__skip_samples(c->r, false);
	if (err)
		return err;
	if (st->skipped_samples) {
		if (!c->nr_samples || st->skipped_first_ns < c->first_time)
			c->first_time = st->skipped_first_ns;
		if (st->skipped_last_ns > c->last_time)
			c->last_time = st->skipped_last_ns;
		c->nr_samples += st->skipped_samples;
	}
	return ret;
}

/* ---- replay of the process state ---------------------------------------------------------------- */

static int cmp_state(const void *a, const void *b)
{
	const struct state_rec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Bytes of a non-sample record before its sample_id trailer. */
static size_t body_size(const struct sym_ctx *c, const struct perf_event_header *h)
{
	const struct trace_event *ev = trace_reader__event(c->r, 0);
	uint64_t t;
	size_t n = 0;

	if (!ev || !ev->attr.sample_id_all)
		return h->size;
	t = ev->attr.sample_type;
	n += t & PERF_SAMPLE_TID ? 8 : 0;
	n += t & PERF_SAMPLE_TIME ? 8 : 0;
	n += t & PERF_SAMPLE_ID ? 8 : 0;
	n += t & PERF_SAMPLE_STREAM_ID ? 8 : 0;
	n += t & PERF_SAMPLE_CPU ? 8 : 0;
	n += t & PERF_SAMPLE_IDENTIFIER ? 8 : 0;
	return h->size >= n ? h->size - n : 0;
}

static int replay_mmap(struct sym_ctx *c, const struct perf_event_header *h, uint64_t time)
{
	const uint8_t *b = (const uint8_t *)(h + 1);
	size_t body = body_size(c, h), fixed = h->type == PERF_RECORD_MMAP2 ? 64 : 32;
	uint32_t pid, prot = PROT_EXEC;
	uint64_t addr, len, pgoff;
	uint8_t bid[20] = { 0 }, bid_size = 0;
	char path[4096];
	size_t plen;
	struct proc *p;
	long dso;

	if (body < sizeof(*h) + fixed + 1)
		return 0;
	memcpy(&pid, b, 4);
	memcpy(&addr, b + 8, 8);
	memcpy(&len, b + 16, 8);
	memcpy(&pgoff, b + 24, 8);
	if (h->type == PERF_RECORD_MMAP2) {
		memcpy(&prot, b + 56, 4);
		if (h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
			bid_size = b[32] > 20 ? 20 : b[32];
			memcpy(bid, b + 36, bid_size);
		}
	}
	plen = strnlen((const char *)b + fixed, body - sizeof(*h) - fixed);
	if (plen >= sizeof(path) || (int32_t)pid == -1 || !len || addr + len < addr)
		return 0;
	/* synthesized records may carry no protection; the kernel sends only executable maps unless asked */
	if (prot && !(prot & PROT_EXEC))
		return 0;
	memcpy(path, b + fixed, plen);
	path[plen] = '\0';
	p = proc_get(c, (int32_t)pid, true);
	dso = dso_get(c, path, bid, bid_size, (int32_t)pid, -1);
	if (!p || dso < 0)
		return -ENOMEM;
	return proc_map(p, (struct map){
		.start = addr,
		.end = addr + len,
		.pgoff = pgoff,
		.t_start = time,
		.t_end = UINT64_MAX,
		.dso = (uint32_t)dso,
	});
}

static int replay_comm(struct sym_ctx *c, const struct perf_event_header *h, uint64_t time)
{
	const uint8_t *b = (const uint8_t *)(h + 1);
	size_t body = body_size(c, h);
	uint32_t pid, tid;
	char name[64];
	size_t n;
	int id;

	if (body < sizeof(*h) + 9)
		return 0;
	memcpy(&pid, b, 4);
	memcpy(&tid, b + 4, 4);
	n = strnlen((const char *)b + 8, FREC_MIN(body - sizeof(*h) - 8, sizeof(name) - 1));
	memcpy(name, b + 8, n);
	name[n] = '\0';
	id = intern(c, name);
	if (id < 0)
		return id;
	if (h->misc & PERF_RECORD_MISC_COMM_EXEC) {
		struct proc *p = proc_get(c, (int32_t)pid, true);

		if (!p || proc_clear(p, time))
			return -ENOMEM;
	}
	return thread_set_comm(c, (int32_t)tid, (int32_t)pid, time, (uint32_t)id);
}

static int replay_fork(struct sym_ctx *c, const struct perf_event_header *h, uint64_t time)
{
	const uint8_t *b = (const uint8_t *)(h + 1);
	uint32_t pid, ppid, tid, ptid, comm;
	struct proc *parent, *child;

	if (body_size(c, h) < sizeof(*h) + 24)
		return 0;
	memcpy(&pid, b, 4);
	memcpy(&ppid, b + 4, 4);
	memcpy(&tid, b + 8, 4);
	memcpy(&ptid, b + 12, 4);
	comm = thread_comm(thread_get(c, (int32_t)ptid, 0, false), time);
	if (comm && thread_set_comm(c, (int32_t)tid, (int32_t)pid, time, comm))
		return -ENOMEM;
	if (pid == ppid)
		return 0; /* a new thread shares its process's mappings */
	child = proc_get(c, (int32_t)pid, true);
	if (!child || proc_clear(child, time))
		return -ENOMEM;
	parent = proc_get(c, (int32_t)ppid, false);
	if (!parent)
		return 0;
	child = proc_get(c, (int32_t)pid, false); /* procs may have moved */
	parent = proc_get(c, (int32_t)ppid, false);
	for (size_t i = 0, n = parent->nr_maps; i < n; i++) {
		struct map m = parent->maps[i];

		if (m.t_start > time || m.t_end <= time)
			continue;
		m.t_start = time;
		m.t_end = UINT64_MAX;
		if (proc_add_map(child, &m))
			return -ENOMEM;
	}
	return 0;
}

static int replay(struct sym_ctx *c)
{
	int err = 0;

	if (c->nr_states)
		qsort(c->states, c->nr_states, sizeof(*c->states), cmp_state);
	for (size_t i = 0; i < c->nr_states && !err; i++) {
		const struct perf_event_header *h = (const void *)(c->state_buf + c->states[i].off);
		uint64_t t = c->states[i].time;

		switch (h->type) {
		case PERF_RECORD_MMAP:
		case PERF_RECORD_MMAP2:
			err = replay_mmap(c, h, t);
			break;
		case PERF_RECORD_COMM:
			err = replay_comm(c, h, t);
			break;
		case PERF_RECORD_FORK:
			err = replay_fork(c, h, t);
			break;
		default:
			break;
		}
	}
	for (size_t i = 0; i < c->nr_procs && !err; i++) {
		struct proc *p = &c->procs[i];

		err = proc_sort(p);
		if (!err && p->perf_map_len) {
			err = sym_table__parse_perf_map(&p->jit, p->perf_map, p->perf_map_len);
			if (!err)
				err = sym_table__finish(&p->jit);
			if (!err && p->jit.bad_lines)
				pr_info("perf map of pid %d: %" PRIu64 " malformed lines skipped", p->pid, p->jit.bad_lines);
		}
	}
	if (!err && c->ksyms_len) {
		err = sym_table__parse_kallsyms(&c->ksyms, c->ksyms_text, c->ksyms_len);
		if (!err)
			err = sym_table__finish(&c->ksyms);
	}
	return err;
}

/* ---- naming addresses --------------------------------------------------------------------------- */

static size_t fcache_slot(const struct sym_ctx *c, uint32_t dso, uint64_t addr, uint32_t is_ret)
{
	size_t mask = c->fcache_cap - 1;
	size_t i = (size_t)frec_hash64(addr ^ ((uint64_t)dso << 33) ^ is_ret) & mask;

	for (;; i = (i + 1) & mask) {
		const struct fcache_ent *e = &c->fcache[i];

		if (e->dso == DSO_NONE || (e->dso == dso && e->addr == addr && e->is_ret == is_ret))
			return i;
	}
}

static int fcache_grow(struct sym_ctx *c)
{
	struct fcache_ent *old = c->fcache;
	size_t old_cap = c->fcache_cap, cap = old_cap ? old_cap * 2 : 4096;

	c->fcache = malloc(cap * sizeof(*c->fcache));
	if (!c->fcache) {
		c->fcache = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < cap; i++)
		c->fcache[i].dso = DSO_NONE;
	c->fcache_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].dso != DSO_NONE)
			c->fcache[fcache_slot(c, old[i].dso, old[i].addr, old[i].is_ret)] = old[i];
	free(old);
	return 0;
}

static int add_frame(struct sym_ctx *c, uint32_t name, uint32_t module, const char *file, uint32_t line,
		     uint8_t kind, uint8_t flags)
{
	struct frec_frame f = { .name = name, .module = module, .kind = kind, .flags = flags };
	int id;

	if (c->opts->lines && file) {
		id = intern(c, file);
		if (id < 0)
			return id;
		f.file = (uint32_t)id;
		f.line = line;
	}
	id = frec_profile__add_frame(c->p, &f);
	if (id < 0)
		return id;
	if (grow((void **)&c->chain_ids, &c->chain_ids_cap, c->nr_chain_ids + 1, sizeof(*c->chain_ids)))
		return -ENOMEM;
	c->chain_ids[c->nr_chain_ids++] = (uint32_t)id;
	return 0;
}

/* String id of a symbol name, demangled unless --mangled; memoized by the name's address. */
static int name_id(struct sym_ctx *c, const char *raw)
{
	uint64_t v;
	char *dm;
	int id;

	if (frec_hashmap__find(&c->names, (uintptr_t)raw, &v))
		return (int)v;
	dm = c->opts->mangled ? NULL : sym_demangle(raw);
	id = intern(c, dm ? dm : raw);
	free(dm);
	if (id >= 0 && frec_hashmap__set(&c->names, (uintptr_t)raw, (uint64_t)id))
		return -ENOMEM;
	return id;
}

static int unknown_frame(struct sym_ctx *c, const struct dso *d, uint64_t off, uint8_t kind)
{
	char buf[300];
	int id;

	if (d && kind != FREC_FRAME_KERNEL && d->kind != DSO_ANON)
		snprintf(buf, sizeof(buf), "%.256s+0x%" PRIx64, d->base, off);
	else
		snprintf(buf, sizeof(buf), "[unknown]");
	id = intern(c, buf);
	if (id < 0)
		return id;
	return add_frame(c, (uint32_t)id, d ? d->module : 0, NULL, 0,
			 kind == FREC_FRAME_KERNEL ? FREC_FRAME_KERNEL : FREC_FRAME_UNKNOWN, 0);
}

static int name_elf(struct sym_ctx *c, struct dso *d, uint64_t vaddr)
{
	struct sym_elf_frame fr[32];
	int n = sym_elf__lookup(d->elf, vaddr, !c->opts->no_inline, c->opts->lines, fr, 32);
	int err = 0;

	if (n <= 0 || !fr[n - 1].name) {
		uint64_t start;

		/* a stripped file: name the function by where it starts, so its samples group together */
		if (!sym_elf__func_start(d->elf, vaddr, &start))
			vaddr = start;
		return unknown_frame(c, d, vaddr, FREC_FRAME_UNKNOWN);
	}
	/* root-first: the function, then what is inlined into it */
	for (int k = n - 1; k >= 0 && !err; k--) {
		int id;

		if (!fr[k].name)
			continue;
		id = name_id(c, fr[k].name);
		if (id < 0)
			return id;
		err = add_frame(c, (uint32_t)id, d->module, fr[k].file, fr[k].line, FREC_FRAME_USER,
				fr[k].inlined ? FREC_FRAME_INLINED : 0);
	}
	return err;
}

static int name_table(struct sym_ctx *c, const struct sym_table *t, struct dso *d, uint64_t addr, uint8_t kind)
{
	const struct sym_table_entry *e = sym_table__find(t, addr);
	int name, mod = (int)d->module;

	if (!e)
		return unknown_frame(c, d, addr, kind);
	name = intern(c, sym_table__str(t, e->name));
	if (name >= 0 && e->module) {
		char buf[300];

		snprintf(buf, sizeof(buf), "[%.256s]", sym_table__str(t, e->module));
		mod = intern(c, buf);
	}
	if (name < 0 || mod < 0)
		return -ENOMEM;
	return add_frame(c, (uint32_t)name, (uint32_t)mod, NULL, 0, kind, 0);
}

static uint32_t jit_dso(struct sym_ctx *c, struct proc *p)
{
	char path[64];
	long d;

	if (p->jit_dso != DSO_NONE)
		return p->jit_dso;
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", p->pid);
	d = dso_get(c, path, NULL, 0, p->pid, DSO_JIT);
	if (d < 0)
		return DSO_NONE;
	p->jit_dso = (uint32_t)d;
	return p->jit_dso;
}

bool sym_is_stack_root(const char *name)
{
	static const char *const roots[] = {
		"_start", "__libc_start_main", "__libc_start_call_main", "__libc_start_main_impl",
		"start_thread", "clone", "clone3", "__clone", "__clone3", "__clone_internal", "thread_start",
		"_dl_start_user", "_dl_start", "__start",
	};

	/* glibc's internal aliases, as .symtab names them: __GI___clone3 is clone3 */
	if (!strncmp(name, "__GI_", 5))
		name += 5;
	for (size_t i = 0; i < FREC_ARRAY_SIZE(roots); i++)
		if (!strcmp(name, roots[i]))
			return true;
	/* the sanitizers start their own threads (LeakSanitizer's tracer) in internal_clone */
	return !strncmp(name, "__libc_start_main", 17) || !strncmp(name, "__sanitizer::internal_clone(", 28) ||
	       !strncmp(name, "_ZN11__sanitizer14internal_clone", 32);
}

/*
 * Frames of one address: for an ELF module @addr is the link-time address, for the kernel and JIT
 * maps the absolute one.  Returns 0 with *@off / *@n set to the frames (root-first) in chain_ids.
 */
static int resolve(struct sym_ctx *c, uint32_t dso, uint64_t addr, bool is_ret, struct proc *p, uint32_t *off,
		   uint32_t *n, uint32_t *flags)
{
	struct fcache_ent *e;
	size_t slot, start;
	struct dso *d;
	int err;

	if (c->fcache_len * 2 >= c->fcache_cap && fcache_grow(c))
		return -ENOMEM;
	slot = fcache_slot(c, dso, addr, is_ret);
	e = &c->fcache[slot];
	if (e->dso != DSO_NONE) {
		*off = e->off;
		*n = e->n;
		*flags = e->flags;
		return 0;
	}
	start = c->nr_chain_ids;
	d = &c->dsos[dso];
	if (is_ret && addr)
		addr--;
	switch (d->kind) {
	case DSO_KERNEL:
		err = name_table(c, &c->ksyms, d, addr, FREC_FRAME_KERNEL);
		break;
	case DSO_JIT:
		err = name_table(c, &p->jit, d, addr, FREC_FRAME_JIT);
		break;
	default:
		if (!d->tried)
			dso_open(c, d);
		err = d->elf ? name_elf(c, d, addr) : unknown_frame(c, d, addr, FREC_FRAME_UNKNOWN);
		break;
	}
	if (err)
		return err;
	if (is_ret)
		addr++;
	e = &c->fcache[slot];
	*e = (struct fcache_ent){
		.addr = addr,
		.dso = dso,
		.is_ret = is_ret,
		.off = (uint32_t)start,
		.n = (uint32_t)(c->nr_chain_ids - start),
	};
	for (size_t i = start; i < c->nr_chain_ids; i++) {
		const struct frec_frame *f = frec_profile__frame(c->p, c->chain_ids[i]);

		if (f->kind == FREC_FRAME_UNKNOWN || !strcmp(frec_profile__str(c->p, f->name), "[unknown]"))
			e->flags |= FC_UNKNOWN;
	}
	if (!(e->flags & FC_UNKNOWN) && e->n && sym_is_stack_root(frec_profile__frame_name(c->p, c->chain_ids[start])))
		e->flags |= FC_ROOT;
	c->fcache_len++;
	*off = e->off;
	*n = e->n;
	*flags = e->flags;
	return 0;
}

/* ---- pass 2: samples ---------------------------------------------------------------------------- */

struct upc {
	uint64_t pc;
	bool activation; /* the interrupted PC itself, not a return address */
};

static bool keep_id(const int32_t *ids, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if ((uint32_t)ids[i] == id)
			return true;
	return false;
}

static int push_stack(struct sym_ctx *c, uint32_t frame, size_t *n)
{
	if (grow((void **)&c->stack, &c->stack_cap, *n + 1, sizeof(*c->stack)))
		return -ENOMEM;
	c->stack[(*n)++] = frame;
	return 0;
}

static void touch(struct sym_ctx *c, uint32_t dso, bool unknown)
{
	struct dso *d = &c->dsos[dso];

	if (d->stamp != c->nr_samples) {
		d->stamp = c->nr_samples;
		d->samples++;
	}
	if (unknown && d->unknown_stamp != c->nr_samples) {
		d->unknown_stamp = c->nr_samples;
		d->unknown_samples++;
	}
}

/*
 * Append the frames of one address, leaf-first, to the sample's stack; *@unknown is set when the
 * address could not be named.
 */
static int add_pc(struct sym_ctx *c, uint32_t dso, uint64_t addr, bool is_ret, struct proc *p, size_t *n,
		  bool *unknown, bool *root)
{
	uint32_t off, cnt, flags;
	int err = resolve(c, dso, addr, is_ret, p, &off, &cnt, &flags);

	if (err)
		return err;
	*unknown = flags & FC_UNKNOWN;
	if (root)
		*root = flags & FC_ROOT;
	if (grow((void **)&c->stack, &c->stack_cap, *n + cnt, sizeof(*c->stack)))
		return -ENOMEM;
	for (uint32_t k = cnt; k-- > 0;)
		c->stack[(*n)++] = c->chain_ids[off + k];
	return 0;
}

static int unknown_addr(struct sym_ctx *c, size_t *n)
{
	int name = intern(c, "[unknown]"), id;
	struct frec_frame f = { .kind = FREC_FRAME_UNKNOWN };

	if (name < 0)
		return name;
	f.name = (uint32_t)name;
	id = frec_profile__add_frame(c->p, &f);
	if (id < 0)
		return id;
	return push_stack(c, (uint32_t)id, n);
}

/* The frame id of sample @s's grouping root (--per-process, --per-thread), or a negative error. */
static int group_frame(struct sym_ctx *c, const struct trace_sample *s)
{
	struct frec_frame f = { 0 };
	char buf[128];
	uint32_t comm;
	int id;

	if (c->opts->per_thread) {
		comm = thread_comm(thread_get(c, (int32_t)s->tid, 0, false), s->time);
		snprintf(buf, sizeof(buf), "%s [%u]", comm ? frec_profile__str(c->p, comm) : s->tid ? "?" : "swapper",
			 s->tid);
		f.kind = FREC_FRAME_THREAD;
	} else {
		comm = thread_comm(thread_get(c, (int32_t)s->pid, 0, false), s->time);
		if (!comm)
			comm = thread_comm(thread_get(c, (int32_t)s->tid, 0, false), s->time);
		/* pid 0 is the idle task, which has no COMM record: the kernel calls it swapper */
		snprintf(buf, sizeof(buf), "%s [%u]", comm ? frec_profile__str(c->p, comm) : s->pid ? "?" : "swapper",
			 s->pid);
		f.kind = FREC_FRAME_PROCESS;
	}
	id = intern(c, buf);
	if (id < 0)
		return id;
	f.name = (uint32_t)id;
	return frec_profile__add_frame(c->p, &f);
}

/* ---- user stacks: DWARF unwinding and frame-pointer checks (symbolizer/unwind.h) --------------- */

/* DWARF walks are bounded by the stack copy, not by the kernel's perf_event_max_stack. */
#define UNWIND_MAX_FRAMES 2048

/* The unwinder's mode for the trace's "call_graph" header key; false when it has nothing to do. */
static bool unwind_mode(const char *cg, enum sym_unwind_mode *mode)
{
	if (!cg)
		return false;
	if (!strncmp(cg, "dwarf", 5))
		*mode = SYM_UNWIND_MODE_DWARF;
	else if (!strncmp(cg, "auto", 4))
		*mode = SYM_UNWIND_MODE_AUTO;
	else if (!strncmp(cg, "fp", 2))
		*mode = SYM_UNWIND_MODE_FP;
	else
		return false;
	return true;
}

/* Give the unwinder @p's file mappings in place at @time, once per generation. */
static int unwind_maps(struct sym_ctx *c, struct proc *p, uint64_t time)
{
	uint64_t gen = proc_generation(p, time);
	size_t n = 0;

	if (sym_unwinder__has_maps(c->unw, p->pid, gen))
		return 0;
	for (size_t i = 0; i < p->nr_maps; i++) {
		const struct map *m = &p->maps[i];
		const struct dso *d = &c->dsos[m->dso];

		if (m->t_start > time || time >= m->t_end)
			continue;
		/* the vDSO too, when this machine's is the recorded one (same kernel) */
		if (d->kind != DSO_FILE && !(d->kind == DSO_VDSO && load_vdso(c)))
			continue;
		if (grow((void **)&c->umaps, &c->umaps_cap, n + 1, sizeof(*c->umaps)))
			return -ENOMEM;
		c->umaps[n++] = (struct sym_unwind_map){
			.start = m->start,
			.end = m->end,
			.pgoff = m->pgoff,
			.path = d->path,
			.build_id = d->bid_size ? d->bid : NULL,
			.build_id_size = d->bid_size,
		};
	}
	return sym_unwinder__set_maps(c->unw, p->pid, gen, c->umaps, n);
}

/*
 * Replace the user part of sample @s's callchain (*@chain, *@nr) by the unwinder's frames: DWARF
 * from the stack copy, or the kernel's frame-pointer chain checked and repaired, per the trace's
 * mode.  The kernel part is kept in front.  Sets *@unwound when the user frames no longer come
 * from the kernel (its depth limit does not apply), *@complete when DWARF unwinding reached the
 * stack's outermost frame, and *@why to the stack-health counter of what stopped it short, which
 * counts unless the stack turns out to reach a root function (what lies beyond is cut anyway).
 */
static int unwind_user(struct sym_ctx *c, const struct trace_sample *s, struct proc *p, const uint64_t **chain,
		       uint64_t *nr, bool *unwound, bool *complete, uint64_t **why)
{
	struct frec_stack_health *hl = &frec_profile__meta(c->p)->health;
	struct sym_unwind_sample us = {
		.pid = (int32_t)s->pid,
		.tid = (int32_t)s->tid,
		.regs_abi = s->regs_abi,
		.regs_mask = s->regs_mask,
		.regs = s->regs,
		.stack = s->stack,
		.stack_size = s->stack_size,
		.stack_dyn_size = s->stack_dyn_size,
		.stack_request = s->event ? s->event->attr.sample_stack_user : 0,
	};
	struct sym_unwind_result res;
	uint64_t user_at = *nr, entries = 0;
	int n, err;

	*unwound = false;
	for (uint64_t i = 0; i < *nr; i++) {
		if ((*chain)[i] == PERF_CONTEXT_USER && user_at == *nr)
			user_at = i;
		entries += (*chain)[i] < PERF_CONTEXT_MAX;
	}
	if (user_at < *nr) {
		us.fp_chain = *chain + user_at + 1;
		us.nr_fp_chain = *nr - user_at - 1;
	}
	us.fp_chain_cut = entries >= c->max_stack;
	/*
	 * Nothing to unwind (a kernel thread, or fp mode on a sample without a user part).  In fp
	 * mode, a sample without a stack copy has nothing to repair a chain from: checking its
	 * frames would cost a Dwfl per process (loading debug info) for the stack health alone,
	 * which made reports of plain fp traces 15x slower; the chain's outermost frame already
	 * tells a truncated stack (sym_is_stack_root()).
	 */
	if (c->unw_mode == SYM_UNWIND_MODE_FP ? !us.nr_fp_chain || !s->stack_size
					     : s->regs_abi == PERF_SAMPLE_REGS_ABI_NONE)
		return 0;
	err = unwind_maps(c, p, s->time);
	if (err)
		return err;
	n = sym_unwinder__user_stack(c->unw, &us, c->unw_mode, c->uframes, UNWIND_MAX_FRAMES, &res);
	if (n < 0)
		return n == -ENOMEM ? n : 0;
	/* no frame at all (registers of a 32-bit process): keep what the kernel gave */
	if (!n)
		return 0;

	/* The CFI itself said where the stack ends (the return address of _start or clone is
	 * undefined): complete, even where a stripped libc leaves the entry function unnamed. */
	*complete = res.source == SYM_UNWIND_FROM_DWARF && res.stop == SYM_UNWIND_END;
	if (res.source != SYM_UNWIND_FROM_FP) {
		*unwound = true;
		if (res.stop == SYM_UNWIND_DEPTH_LIMIT)
			*why = &hl->depth_limited;
		else if (res.stop == SYM_UNWIND_STACK_EXHAUSTED && us.stack_request &&
			 s->stack_dyn_size >= us.stack_request)
			*why = &hl->stack_copy_full; /* a bigger --call-graph dwarf,SIZE would have helped */
		else if (res.stop != SYM_UNWIND_END)
			*why = &hl->unwind_failed;
	}
	if (res.fp_broken_at >= 0) {
		const struct map *m = proc_find(p, c->uframes[res.fp_broken_at].pc, s->time);

		if (m)
			c->dsos[m->dso].flags |= FREC_MODULE_NO_FRAME_PTRS;
	}
	if (grow((void **)&c->uchain, &c->uchain_cap, user_at + 1 + (size_t)n, sizeof(*c->uchain)))
		return -ENOMEM;
	memcpy(c->uchain, *chain, user_at * sizeof(*c->uchain));
	c->uchain[user_at] = PERF_CONTEXT_USER;
	{
		const struct sym_unwind_frame *f = c->uframes;
		uint64_t *to = c->uchain + user_at + 1;

		for (int i = 0; i < n; i++)
			to[i] = f[i].pc;
	}
	*chain = c->uchain;
	*nr = user_at + 1 + (uint64_t)n;
	return 0;
}

/* What naming a run of callchain entries found, for the stack health. */
struct chain_walk {
	uint64_t ctx; /* PERF_CONTEXT_* of the entries that follow */
	bool first_in_ctx;
	bool record;  /* note the dsos touched in c->touched */
	bool cut_at_root; /* end at the first root function (a DWARF stack goes on to _start) */
	bool ended;       /* ... and it did */
	uint32_t depth; /* entries named (PCs, not context markers) */
	bool any_unknown, has_user;
	bool saw_pc;    /* a user PC was named: root_seen and outer_dso are the outermost one's */
	bool root_seen;
	uint32_t outer_dso;
};

static int note_touched(struct sym_ctx *c, uint32_t dso, bool unknown)
{
	for (size_t i = 0; i < c->nr_touched; i++) {
		if (c->touched[i] >> 1 == dso) {
			c->touched[i] |= unknown;
			return 0;
		}
	}
	if (grow((void **)&c->touched, &c->touched_cap, c->nr_touched + 1, sizeof(*c->touched)))
		return -ENOMEM;
	c->touched[c->nr_touched++] = dso << 1 | unknown;
	return 0;
}

/* Name entries [@from, @to) of @chain, leaf-first, onto c->stack (*@n frames so far). */
static int name_chain(struct sym_ctx *c, const struct trace_sample *s, struct proc *p, const uint64_t *chain,
		      uint64_t from, uint64_t to, struct chain_walk *w, size_t *n)
{
	const struct sym_opts *o = c->opts;
	int err;

	for (uint64_t i = from; i < to; i++) {
		uint64_t pc = chain[i];
		bool unknown = false;

		if (pc >= PERF_CONTEXT_MAX) {
			w->ctx = pc;
			w->first_in_ctx = true;
			continue;
		}
		w->depth++;
		if (w->ctx == PERF_CONTEXT_KERNEL) {
			if (!o->no_kernel) {
				err = add_pc(c, c->kernel_dso, pc, !w->first_in_ctx, p, n, &unknown, NULL);
				if (err)
					return err;
				w->any_unknown |= unknown;
			}
		} else if (w->ctx == PERF_CONTEXT_USER && !pc) {
			/* the frame-pointer walk read a null return address: the chain ends, truncated */
			w->has_user = true;
		} else if (w->ctx == PERF_CONTEXT_USER) {
			const struct map *m = p ? proc_find(p, pc, s->time) : NULL;
			const struct dso *d = m ? &c->dsos[m->dso] : NULL;
			uint32_t dso = DSO_NONE;
			uint64_t addr = pc;
			bool root = false;

			w->has_user = true;
			if (d && (d->kind == DSO_FILE || d->kind == DSO_VDSO)) {
				struct dso *dd = &c->dsos[m->dso];

				dso = m->dso;
				if (!dd->tried)
					dso_open(c, dd);
				/* the link-time address, else the file offset */
				if (!dd->elf || sym_elf__vaddr(dd->elf, m->start, m->pgoff, pc, &addr))
					addr = pc - m->start + m->pgoff;
			} else if (p && p->jit.nr && sym_table__find(&p->jit, w->first_in_ctx ? pc : pc - 1)) {
				dso = jit_dso(c, p);
			} else if (d) {
				dso = m->dso;
				addr = pc - m->start;
			}
			if (dso != DSO_NONE) {
				err = add_pc(c, dso, addr, !w->first_in_ctx, p, n, &unknown, &root);
				touch(c, dso, unknown);
				if (!err && w->record)
					err = note_touched(c, dso, unknown);
			} else {
				err = unknown_addr(c, n);
				unknown = true;
			}
			if (err)
				return err;
			w->any_unknown |= unknown;
			w->saw_pc = true;
			w->root_seen = root;
			w->outer_dso = dso;
			if (root && w->cut_at_root) {
				/* where frame-pointer stacks end: stacks from both sources share roots */
				w->ended = true;
				return 0;
			}
		}
		w->first_in_ctx = false;
	}
	return 0;
}

/*
 * Memo of callers.  Past its first entry, the user part of a callchain is a chain of return
 * addresses, and it repeats from sample to sample: a deep recursion, a server's request path, a
 * loop's callers.  Naming it costs a lookup per frame and a walk down the call tree, so the memo
 * keeps, per (process, generation of its mappings, grouping root, whether the stack ends at its
 * root, those addresses), the call-tree node the path ends at and what the stack health needs
 * from it.  Only the leaf and the kernel frames are then named per sample.
 */
struct cmemo_key {
	int32_t pid;
	uint64_t gen;   /* of the process's mappings at the sample's time */
	uint32_t group; /* frame id of the grouping root, or FREC_NONE */
	bool cut;       /* named with chain_walk.cut_at_root */
	const uint64_t *pcs;
	uint64_t nr_pcs;
	uint64_t hash;
};

struct cmemo_ent {
	int32_t pid;
	uint64_t gen;
	uint32_t group;
	uint32_t pcs, nr_pcs;         /* the addresses: cmemo_pcs[pcs ...] */
	uint32_t touched, nr_touched; /* dsos touched: cmemo_touched[touched ...] */
	uint32_t node;                /* where the path ends in the call tree */
	struct chain_walk callers;    /* what naming them found (cut_at_root is the key's cut) */
};

#define CMEMO_MIN_PCS 8          /* shorter runs are named frame by frame */
#define CMEMO_MAX_PCS (4u << 20) /* 32 MiB of keys: past that, no new entries */

/*
 * Where @chain's memoizable callers start: past the first user entry, when at least CMEMO_MIN_PCS
 * entries follow.  @nr when there are none.  Completes @k (pid, gen, group and cut set) with
 * those entries and its hash.  (Naming the entries from there on depends on nothing else,
 * context markers among them included.)
 */
static uint64_t cmemo_split(const uint64_t *chain, uint64_t nr, struct cmemo_key *k)
{
	uint64_t at = nr, h;

	for (uint64_t i = 0; i < nr; i++) {
		if (chain[i] == PERF_CONTEXT_USER) {
			at = i + 2;
			break;
		}
	}
	if (at >= nr || nr - at < CMEMO_MIN_PCS)
		return nr;
	h = frec_hash64((uint64_t)(uint32_t)k->pid << 32 ^ k->group) ^ k->gen ^ k->cut;
	for (uint64_t i = at; i < nr; i++)
		h = (h ^ chain[i]) * 0x9e3779b97f4a7c15ull;
	k->pcs = chain + at;
	k->nr_pcs = nr - at;
	k->hash = frec_hash64(h ^ k->nr_pcs);
	return at;
}

/* The memo's entry for key @k, or NULL. */
static const struct cmemo_ent *cmemo_find(const struct sym_ctx *c, const struct cmemo_key *k)
{
	const struct cmemo_ent *e;
	uint64_t idx;

	if (!frec_hashmap__find(&c->cmemo_index, k->hash, &idx))
		return NULL;
	e = &c->cmemo[idx];
	if (e->pid != k->pid || e->gen != k->gen || e->group != k->group || e->callers.cut_at_root != k->cut ||
	    e->nr_pcs != k->nr_pcs || memcmp(&c->cmemo_pcs[e->pcs], k->pcs, k->nr_pcs * sizeof(*k->pcs)))
		return NULL; /* another key of the same hash: named frame by frame, never memoized */
	return e;
}

/* Remember the callers of key @k, named into @w and c->touched, ending at call-tree @node. */
static int cmemo_add(struct sym_ctx *c, const struct cmemo_key *k, const struct chain_walk *w, uint32_t node)
{
	struct cmemo_ent *e;
	uint64_t *slot;
	bool added;

	if (c->nr_cmemo_pcs + k->nr_pcs > CMEMO_MAX_PCS)
		return 0;
	if (grow((void **)&c->cmemo, &c->cmemo_cap, c->nr_cmemo + 1, sizeof(*c->cmemo)) ||
	    grow((void **)&c->cmemo_pcs, &c->cmemo_pcs_cap, c->nr_cmemo_pcs + k->nr_pcs, sizeof(*c->cmemo_pcs)) ||
	    grow((void **)&c->cmemo_touched, &c->cmemo_touched_cap, c->nr_cmemo_touched + c->nr_touched,
		 sizeof(*c->cmemo_touched)))
		return -ENOMEM;
	slot = frec_hashmap__slot(&c->cmemo_index, k->hash, &added);
	if (!slot)
		return -ENOMEM;
	if (!added)
		return 0; /* a colliding key holds the slot */
	*slot = c->nr_cmemo;
	e = &c->cmemo[c->nr_cmemo++];
	*e = (struct cmemo_ent){
		.pid = k->pid,
		.gen = k->gen,
		.group = k->group,
		.pcs = (uint32_t)c->nr_cmemo_pcs,
		.nr_pcs = (uint32_t)k->nr_pcs,
		.touched = (uint32_t)c->nr_cmemo_touched,
		.nr_touched = (uint32_t)c->nr_touched,
		.node = node,
		.callers = *w,
	};
	memcpy(&c->cmemo_pcs[c->nr_cmemo_pcs], k->pcs, k->nr_pcs * sizeof(*k->pcs));
	c->nr_cmemo_pcs += k->nr_pcs;
	memcpy(&c->cmemo_touched[c->nr_cmemo_touched], c->touched, c->nr_touched * sizeof(*c->touched));
	c->nr_cmemo_touched += c->nr_touched;
	return 0;
}

/* Replay a memo entry: the touches of its callers; returns what naming them found. */
static struct chain_walk cmemo_replay(struct sym_ctx *c, const struct cmemo_ent *e)
{
	for (uint32_t i = 0; i < e->nr_touched; i++) {
		uint32_t t = c->cmemo_touched[e->touched + i];

		touch(c, t >> 1, t & 1);
	}
	return e->callers;
}

/*
 * One more sample ending at call-tree @leaf.  Its weight goes to the profile at the end of pass 2
 * (flush_leaves()): adding it now would walk every ancestor, 250 of them in a deep recursion.
 */
static int count_leaf(struct sym_ctx *c, uint32_t leaf)
{
	if (leaf >= c->nr_leaves) {
		size_t n = frec_profile__nr_nodes(c->p);

		if (grow((void **)&c->leaves, &c->leaves_cap, n, sizeof(*c->leaves)))
			return -ENOMEM;
		memset(c->leaves + c->nr_leaves, 0, (n - c->nr_leaves) * sizeof(*c->leaves));
		c->nr_leaves = n;
	}
	c->leaves[leaf]++;
	return 0;
}

static void flush_leaves(struct sym_ctx *c)
{
	for (size_t i = 0; i < c->nr_leaves; i++) {
		if (c->leaves[i])
			frec_profile__add_weight(c->p, (uint32_t)i, c->leaves[i]);
	}
	c->nr_leaves = 0;
}

static void reverse(uint32_t *v, size_t n)
{
	for (size_t i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
		uint32_t t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

static int do_sample(struct sym_ctx *c, const struct trace_sample *s)
{
	const struct sym_opts *o = c->opts;
	struct frec_stack_health *hl = &frec_profile__meta(c->p)->health;
	uint64_t single[2], rel = s->time - c->start_ns;
	const uint64_t *chain = s->callchain;
	uint64_t nr = s->nr_callchain, split;
	struct cmemo_key key = { .pid = (int32_t)s->pid, .group = FREC_NONE };
	struct chain_walk leaf = { .ctx = PERF_CONTEXT_USER, .first_in_ctx = true, .outer_dso = DSO_NONE };
	struct chain_walk callers = { .ctx = PERF_CONTEXT_USER, .outer_dso = DSO_NONE, .record = true };
	const struct chain_walk *outer;
	const struct cmemo_ent *memo = NULL;
	bool unwound = false, complete = false;
	uint64_t *why = NULL; /* the health counter of what stopped the unwinder short */
	uint32_t node = FREC_NODE_ROOT;
	struct proc *p = proc_get(c, (int32_t)s->pid, false);
	size_t n = 0, n_leaf;
	int err;

	if (o->nr_pids && !keep_id(o->pids, o->nr_pids, s->pid))
		return 0;
	if (o->nr_tids && !keep_id(o->tids, o->nr_tids, s->tid))
		return 0;
	if ((o->time_start || o->time_end) &&
	    (s->time < c->start_ns || rel < o->time_start || (o->time_end && rel >= o->time_end)))
		return 0;
	if (o->comm) {
		uint32_t comm = thread_comm(thread_get(c, (int32_t)s->tid, 0, false), s->time);

		if (!comm || strcmp(frec_profile__str(c->p, comm), o->comm))
			return 0;
	}
	hl->samples++;
	frec_profile__meta(c->p)->period_total += s->period;

	/* Where a sample's PCs come from: the kernel's callchain (kernel part, then the user part it
	 * walked with frame pointers), or just the sampled IP.  A DWARF unwinder replaces the user part. */
	if (c->unw && p && (err = unwind_user(c, s, p, &chain, &nr, &unwound, &complete, &why)))
		return err;
	if (!chain || !nr) {
		single[0] = s->cpumode == PERF_RECORD_MISC_KERNEL ? PERF_CONTEXT_KERNEL : PERF_CONTEXT_USER;
		single[1] = s->ip;
		chain = single;
		nr = 2;
	}
	leaf.cut_at_root = callers.cut_at_root = key.cut = unwound;
	if (o->per_process || o->per_thread) {
		int id = group_frame(c, s);

		if (id < 0)
			return id;
		key.group = (uint32_t)id;
	}

	/* The leaf part (kernel frames, the user PC), then the callers: from the memo if it has them. */
	key.gen = p ? proc_generation(p, s->time) : 0;
	split = cmemo_split(chain, nr, &key);
	err = name_chain(c, s, p, chain, 0, split, &leaf, &n);
	if (err)
		return err;
	n_leaf = n;
	if (leaf.ended)
		split = nr;
	if (split < nr) {
		memo = cmemo_find(c, &key);
		if (memo) {
			callers = cmemo_replay(c, memo);
			node = memo->node;
			c->cmemo_hits++;
		} else {
			c->nr_touched = 0;
			err = name_chain(c, s, p, chain, split, nr, &callers, &n);
			if (err)
				return err;
		}
	}
	outer = callers.saw_pc ? &callers : &leaf;
	if (why && !outer->root_seen)
		(*why)++;
	if (leaf.any_unknown || callers.any_unknown)
		hl->has_unknown++;
	if (!unwound && leaf.depth + callers.depth >= c->max_stack)
		hl->depth_limited++;
	if ((leaf.has_user || callers.has_user) && !outer->root_seen && !complete) {
		hl->truncated++;
		if (outer->outer_dso != DSO_NONE)
			c->dsos[outer->outer_dso].broken_samples++;
	}
	/* With an unwinder, a full copy only counts when the unwind ran out of it (unwind_user()). */
	if (!c->unw && s->stack && s->event && s->event->attr.sample_stack_user &&
	    s->stack_dyn_size >= s->event->attr.sample_stack_user)
		hl->stack_copy_full++;

	if (memo) {
		/* the memo's node ends the callers' path: only the leaf part goes on it */
		reverse(c->stack, n);
		err = frec_profile__add_stack_at(c->p, node, c->stack, n, 0);
		return err < 0 ? err : count_leaf(c, (uint32_t)err);
	}
	if (key.group != FREC_NONE && (err = push_stack(c, key.group, &n)))
		return err;
	reverse(c->stack, n);
	err = frec_profile__add_stack(c->p, c->stack, n, 0);
	if (err < 0)
		return err;
	node = (uint32_t)err;
	err = count_leaf(c, node);
	if (err || split >= nr)
		return err;
	/* The callers' path ends n_leaf frames above the leaf. */
	for (size_t i = 0; i < n_leaf; i++)
		node = frec_profile__node(c->p, node)->parent;
	return cmemo_add(c, &key, &callers, node);
}

static int pass2(struct sym_ctx *c)
{
	const struct perf_event_header *h;
	int ret;

	trace_reader__rewind(c->r);
	c->nr_samples = 0;
	while ((ret = trace_reader__next(c->r, &h)) > 0) {
		struct trace_sample s;
		int err;

		if (h->type != PERF_RECORD_SAMPLE || trace_reader__parse_sample(c->r, h, &s))
			continue;
		if ((++c->nr_samples & 1023) == 0)
			progress(c, 1);
		err = do_sample(c, &s);
		if (err)
			return err;
	}
	flush_leaves(c);
	return ret;
}

/* ---- metadata and module health ----------------------------------------------------------------- */

static int fill_meta(struct sym_ctx *c)
{
	struct frec_profile_meta *m = frec_profile__meta(c->p);
	const struct trace_header *th = trace_reader__header(c->r);
	const struct trace_footer *ft = trace_reader__footer(c->r);
	const struct trace_event *ev = trace_reader__event(c->r, 0);
	const char *s;
	int id;

	if ((s = trace_reader__meta(c->r, "command")) && (id = intern(c, s)) >= 0)
		m->command = (uint32_t)id;
	if ((s = ev && ev->name && *ev->name ? ev->name : trace_reader__meta(c->r, "event")) &&
	    (id = intern(c, s)) >= 0)
		m->event = (uint32_t)id;
	if ((s = trace_reader__meta(c->r, "hostname")) && (id = intern(c, s)) >= 0)
		m->hostname = (uint32_t)id;
	if ((s = trace_reader__meta(c->r, "release")) && (id = intern(c, s)) >= 0)
		m->release = (uint32_t)id;
	if (ev) {
		if (ev->attr.freq)
			m->freq = ev->attr.sample_freq;
		else
			m->period = ev->attr.sample_period;
	}
	m->start_realtime_ns = th->start_realtime_ns;
	m->samples = c->nr_samples;
	m->lost = ft && ft->lost > c->lost ? ft->lost : c->lost;
	if (ft && ft->end_ns > th->start_ns)
		m->duration_ns = ft->end_ns - th->start_ns;
	else if (c->nr_samples && c->last_time > th->start_ns)
		m->duration_ns = c->last_time - (c->first_time < th->start_ns ? c->first_time : th->start_ns);
	m->truncated = trace_reader__status(c->r)->truncated;
	/*
	 * The user chose the recording's length when frec attached (the header's target is not
	 * "command") or stopped it before the command's end: diffs then suggest CPU time per second.
	 */
	s = trace_reader__meta(c->r, "target");
	m->windowed = (s && strcmp(s, "command")) ||
		      (ft && (ft->flags & (TRACE_FOOTER_DURATION | TRACE_FOOTER_INTERRUPTED)));
	return 0;
}

/* Keep uncompressed copies of the compressed debug files whose DWARF this run had to inflate. */
static void save_debug(struct sym_ctx *c)
{
	if (!c->opts->cache_dir)
		return;
	for (size_t i = 0; i < c->nr_elves; i++) {
		int err = sym_elf__save_debug(c->elves[i].elf, c->opts->cache_dir);

		if (err) {
			pr_info("cannot keep the debug info of %s in %s: %s", c->elves[i].path, c->opts->cache_dir,
				frec_strerror(err));
			return;
		}
	}
}

static int module_stats(struct sym_ctx *c)
{
	for (size_t i = 0; i < c->nr_dsos; i++) {
		struct dso *d = &c->dsos[i];
		struct frec_module_stat st = {
			.module = d->module,
			.flags = d->flags,
			.samples = d->samples,
			.unknown_samples = d->unknown_samples,
			.broken_samples = d->broken_samples,
		};

		if (!d->samples || d->kind == DSO_KERNEL)
			continue;
		memcpy(st.build_id, d->bid, d->bid_size);
		st.build_id_size = d->bid_size;
		if (d->elf)
			st.flags |= sym_elf__flags(d->elf);
		if (frec_profile__add_module_stat(c->p, &st))
			return -ENOMEM;
	}
	return 0;
}

/* ---- entry point -------------------------------------------------------------------------------- */

static void ctx_exit(struct sym_ctx *c)
{
	for (size_t i = 0; i < c->nr_dsos; i++)
		free(c->dsos[i].path);
	free(c->dsos);
	frec_hashmap__exit(&c->dso_index);
	for (size_t i = 0; i < c->nr_procs; i++) {
		struct proc *p = &c->procs[i];

		free(p->maps);
		free(p->max_end);
		free(p->changes);
		free(p->perf_map);
		sym_table__exit(&p->jit);
	}
	free(c->procs);
	frec_hashmap__exit(&c->proc_index);
	for (size_t i = 0; i < c->nr_threads; i++)
		free(c->threads[i].comms);
	free(c->threads);
	frec_hashmap__exit(&c->thread_index);
	free(c->state_buf);
	free(c->states);
	for (size_t i = 0; i < c->nr_bids; i++)
		free(c->bids[i].path);
	free(c->bids);
	free(c->ksyms_text);
	sym_table__exit(&c->ksyms);
	for (size_t i = 0; i < c->nr_elves; i++) {
		sym_elf__close(c->elves[i].elf);
		free(c->elves[i].path);
	}
	free(c->elves);
	if (c->own_debug_path)
		free(c->debug_path);
	sym_elf__close(c->vdso);
	free(c->fcache);
	free(c->chain_ids);
	frec_hashmap__exit(&c->names);
	free(c->stack);
	free(c->touched);
	free(c->cmemo);
	frec_hashmap__exit(&c->cmemo_index);
	free(c->cmemo_pcs);
	free(c->cmemo_touched);
	free(c->leaves);
	sym_unwinder__free(c->unw);
	free(c->umaps);
	free(c->uframes);
	free(c->uchain);
}

int sym_profile__from_trace(struct trace_reader *r, const struct sym_opts *opts, struct frec_profile **out)
{
	static const struct sym_opts defaults;
	struct sym_ctx c = { 0 };
	const char *ms;
	long kd;
	int err;

	*out = NULL;
	c.opts = opts ? opts : &defaults;
	c.r = r;
	c.last_progress = -1;
	c.start_time = now_ns();
	c.start_ns = trace_reader__header(r)->start_ns;
	c.max_stack = 127;
	if ((ms = trace_reader__meta(r, "max_stack")) && atoi(ms) > 0)
		c.max_stack = (uint32_t)atoi(ms);
	if (c.opts->cache_dir && *c.opts->cache_dir) {
		const char *dp = c.opts->debug_path ? c.opts->debug_path : ":.debug:/usr/lib/debug";

		/* an empty entry is the file's own directory: keep the one dp starts with */
		if (asprintf(&c.debug_path, "%s:%s", c.opts->cache_dir, dp) < 0)
			c.debug_path = NULL;
		c.own_debug_path = c.debug_path != NULL;
	} else {
		c.debug_path = (char *)c.opts->debug_path;
	}
	if (unwind_mode(trace_reader__meta(r, "call_graph"), &c.unw_mode)) {
		c.unw = sym_unwinder__new();
		c.uframes = calloc(UNWIND_MAX_FRAMES, sizeof(*c.uframes));
		/* the symbolizer's path: its cache of uncompressed debug files first */
		if (!c.unw || !c.uframes || sym_unwinder__set_debug_path(c.unw, c.debug_path)) {
			ctx_exit(&c);
			return -ENOMEM;
		}
	}
	frec_hashmap__init(&c.dso_index);
	frec_hashmap__init(&c.proc_index);
	frec_hashmap__init(&c.thread_index);
	frec_hashmap__init(&c.names);
	frec_hashmap__init(&c.cmemo_index);
	sym_table__init(&c.ksyms);
	c.p = frec_profile__new();
	if (!c.p)
		return -ENOMEM;
	kd = dso_get(&c, "[kernel.kallsyms]", NULL, 0, -1, DSO_KERNEL);
	err = kd < 0 ? (int)kd : 0;
	c.kernel_dso = (uint32_t)kd;
	trace_reader__rewind(r);
	if (!err)
		err = pass1(&c);
	if (!err)
		err = replay(&c);
	if (!err)
		err = fill_meta(&c);
	if (!err)
		err = pass2(&c);
	if (!err && c.unw)
		sym_unwinder__log_stats(c.unw);
	if (!err)
		pr_info("%" PRIu64 " samples, %zu distinct addresses named, %zu ELF files opened, %zu processes, "
			"%" PRIu64 " callers from the memo of %zu",
			c.nr_samples, c.fcache_len, c.nr_elves, c.nr_procs, c.cmemo_hits, c.nr_cmemo);
	if (!err)
		err = module_stats(&c);
	if (!err)
		save_debug(&c);
	if (!err)
		err = frec_profile__sort(c.p);
	progress_done(&c);
	if (!err) {
		/* the sample count of the metadata is the trace's, before filters */
		frec_profile__meta(c.p)->samples = c.nr_samples;
		*out = c.p;
		c.p = NULL;
	}
	frec_profile__free(c.p);
	ctx_exit(&c);
	return err;
}
