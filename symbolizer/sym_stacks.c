// SPDX-License-Identifier: MIT
/*
 * Samples into call-tree paths (sym_stacks.h).
 *
 * A sample is named in two parts: its leaf part (kernel frames, then the user PC) frame by frame,
 * then its callers, from the memo of callers when they were named before.  The path is added
 * root-first to the call tree; the sample's weight waits in a per-leaf counter (adding it at once
 * would walk every ancestor, 250 of them in a deep recursion) and reaches the profile at the end.
 */
#include <string.h>

#include "frec/profile.h"
#include "frec/symbolizer.h"
#include "frec/trace.h"
#include "sym_dso.h"
#include "sym_modules.h"
#include "sym_namer.h"
#include "sym_space.h"
#include "sym_stacks.h"

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

int sym_stacks__init(struct sym_stacks *st, const struct sym_opts *opts, struct frec_profile *p,
		     struct sym_spaces *spaces, struct sym_dsos *dsos, struct sym_namer *namer, struct sym_modules *mods,
		     const char *call_graph, uint32_t max_stack)
{
	*st = (struct sym_stacks){
		.opts = opts,
		.p = p,
		.spaces = spaces,
		.dsos = dsos,
		.namer = namer,
		.mods = mods,
		.max_stack = max_stack,
	};
	sym_cmemo__init(&st->cmemo);
	sym_cmemo__init(&st->smemo);
	if (!unwind_mode(call_graph, &st->unw_mode))
		return 0;
	st->unw = sym_unwinder__new(mods);
	st->uframes = calloc(UNWIND_MAX_FRAMES, sizeof(*st->uframes));
	if (!st->unw || !st->uframes)
		return -ENOMEM;
	return 0;
}

void sym_stacks__exit(struct sym_stacks *st)
{
	free(st->stack);
	free(st->touched);
	sym_cmemo__exit(&st->cmemo);
	sym_cmemo__exit(&st->smemo);
	free(st->all_touched);
	free(st->leaves);
	sym_unwinder__free(st->unw);
	free(st->umaps);
	free(st->uframes);
	free(st->uchain);
	for (size_t i = 0; i < st->nr_ips; i++)
		frec_hashmap__exit(&st->ips[i]);
	free(st->ips);
}

void sym_stacks__log_stats(const struct sym_stacks *st)
{
	if (st->unw)
		sym_unwinder__log_stats(st->unw);
}

static int push_stack(struct sym_stacks *st, uint32_t frame, size_t *n)
{
	if (frec_array__grow((void **)&st->stack, &st->stack_cap, *n + 1, sizeof(*st->stack)))
		return -ENOMEM;
	st->stack[(*n)++] = frame;
	return 0;
}

/* Note object @dso (@unknown: with an unnamed frame) in the list *@v of *@nr, once. */
static int note(uint32_t **v, size_t *nr, size_t *cap, uint32_t dso, bool unknown)
{
	for (size_t i = 0; i < *nr; i++) {
		if ((*v)[i] >> 1 == dso) {
			(*v)[i] |= unknown;
			return 0;
		}
	}
	if (frec_array__grow((void **)v, cap, *nr + 1, sizeof(**v)))
		return -ENOMEM;
	(*v)[(*nr)++] = dso << 1 | unknown;
	return 0;
}

/* The sample has a frame in object @dso: for its statistics, and for the memo of stacks. */
static void touch(struct sym_stacks *st, uint32_t dso, bool unknown)
{
	sym_dso__touch(sym_dsos__at(st->dsos, dso), st->sample, unknown);
	if (note(&st->all_touched, &st->nr_all_touched, &st->all_touched_cap, dso, unknown))
		st->all_touched_lost = true;
}

/*
 * Append the frames of one address, leaf-first, to the sample's stack; *@unknown is set when the
 * address could not be named, *@root when it is where stacks begin.
 */
static int add_pc(struct sym_stacks *st, uint32_t dso, uint64_t addr, bool is_ret, const struct sym_proc *p,
		  size_t *n, bool *unknown, bool *root)
{
	const uint32_t *ids;
	struct sym_named nd;
	int err = sym_namer__name(st->namer, dso, addr, is_ret, p, &nd);

	if (err)
		return err;
	*unknown = nd.flags & SYM_NAMED_UNKNOWN;
	if (root)
		*root = nd.flags & SYM_NAMED_ROOT;
	if (frec_array__grow((void **)&st->stack, &st->stack_cap, *n + nd.n, sizeof(*st->stack)))
		return -ENOMEM;
	ids = sym_namer__ids(st->namer);
	for (uint32_t k = nd.n; k-- > 0;)
		st->stack[(*n)++] = ids[nd.off + k];
	return 0;
}

/*
 * The name of sample @s's thread (@thread) or process at the time of the sample, as a string id:
 * "?" when no COMM record named it, "swapper" for the idle task (pid 0), which has none.
 */
static int sample_comm(struct sym_stacks *st, const struct trace_sample *s, bool thread)
{
	uint32_t comm = sym_spaces__comm(st->spaces, (int32_t)(thread ? s->tid : s->pid), s->time);

	if (!comm && !thread)
		comm = sym_spaces__comm(st->spaces, (int32_t)s->tid, s->time);
	if (comm)
		return (int)comm;
	return frec_profile__intern_str(st->p, (thread ? s->tid : s->pid) ? "?" : "swapper");
}

/* The frame id of sample @s's grouping root (--per-process, --per-thread), or a negative error. */
static int group_frame(struct sym_stacks *st, const struct trace_sample *s)
{
	struct frec_frame f = { .kind = st->opts->per_thread ? FREC_FRAME_THREAD : FREC_FRAME_PROCESS };
	int comm = sample_comm(st, s, st->opts->per_thread), id;
	char buf[128];

	if (comm < 0)
		return comm;
	snprintf(buf, sizeof(buf), "%s [%u]", frec_profile__str(st->p, (uint32_t)comm),
		 st->opts->per_thread ? s->tid : s->pid);
	id = frec_profile__intern_str(st->p, buf);
	if (id < 0)
		return id;
	f.name = (uint32_t)id;
	return frec_profile__add_frame(st->p, &f);
}

/* Count sample @s, of @weight, in the profile's tasks: the report's process and thread tables. */
static int count_task(struct sym_stacks *st, const struct trace_sample *s, uint64_t weight)
{
	int comm = sample_comm(st, s, true), proc_comm = sample_comm(st, s, false);

	if (comm < 0 || proc_comm < 0)
		return -ENOMEM;
	return frec_profile__add_task(st->p, &(struct frec_task){ .pid = (int32_t)s->pid, .tid = (int32_t)s->tid,
				       .comm = (uint32_t)comm, .proc_comm = (uint32_t)proc_comm, .weight = weight });
}

/* Give the unwinder @p's file mappings in place at @time, once per generation. */
static int unwind_maps(struct sym_stacks *st, const struct sym_proc *p, uint64_t time)
{
	uint64_t gen = sym_proc__generation(p, time);
	size_t n = 0;

	if (sym_unwinder__has_maps(st->unw, p->pid, gen))
		return 0;
	for (size_t i = 0; i < p->nr_maps; i++) {
		const struct sym_map *m = &p->maps[i];
		struct sym_dso *d = sym_dsos__at(st->dsos, m->dso);

		if (m->t_start > time || time >= m->t_end)
			continue;
		/* files and the vDSO (when this machine's is the recorded one, same kernel) */
		if (d->kind != SYM_DSO_FILE && d->kind != SYM_DSO_VDSO)
			continue;
		if (frec_array__grow((void **)&st->umaps, &st->umaps_cap, n + 1, sizeof(*st->umaps)))
			return -ENOMEM;
		st->umaps[n++] = (struct sym_unwind_map){
			.start = m->range.start,
			.end = m->range.end,
			.pgoff = m->pgoff,
			.elf = sym_dso__elf_quiet(d, st->mods),
		};
	}
	return sym_unwinder__set_maps(st->unw, p->pid, gen, st->umaps, n);
}

/*
 * Replace the user part of sample @s's callchain (*@chain, *@nr) by the unwinder's frames: DWARF
 * from the stack copy, or the kernel's frame-pointer chain checked and repaired, per the trace's
 * mode.  The kernel part is kept in front.  Sets *@unwound when the user frames no longer come
 * from the kernel (its depth limit does not apply), *@complete when DWARF unwinding reached the
 * stack's outermost frame, and *@why to the stack-health counter of what stopped it short, which
 * counts unless the stack turns out to reach a root function (what lies beyond is cut anyway).
 */
static int unwind_user(struct sym_stacks *st, const struct trace_sample *s, const struct sym_proc *p,
		       const uint64_t **chain, uint64_t *nr, bool *unwound, bool *complete, uint64_t **why)
{
	struct frec_stack_health *hl = &frec_profile__meta(st->p)->health;
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
	us.fp_chain_cut = entries >= st->max_stack;
	/*
	 * Nothing to unwind (a kernel thread, or fp mode on a sample without a user part).  In fp
	 * mode, a sample without a stack copy has nothing to repair a chain from: checking its
	 * frames would cost a Dwfl per process (loading debug info) for the stack health alone,
	 * which made reports of plain fp traces 15x slower; the chain's outermost frame already
	 * tells a truncated stack (sym_is_stack_root()).
	 */
	if (st->unw_mode == SYM_UNWIND_MODE_FP ? !us.nr_fp_chain || !s->stack_size
					       : s->regs_abi == PERF_SAMPLE_REGS_ABI_NONE)
		return 0;
	err = unwind_maps(st, p, s->time);
	if (err)
		return err;
	n = sym_unwinder__user_stack(st->unw, &us, st->unw_mode, st->uframes, UNWIND_MAX_FRAMES, &res);
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
		const struct sym_map *m = sym_proc__find(p, st->uframes[res.fp_broken_at].pc, s->time);

		if (m)
			sym_dsos__at(st->dsos, m->dso)->flags |= FREC_MODULE_NO_FRAME_PTRS;
	}
	if (frec_array__grow((void **)&st->uchain, &st->uchain_cap, user_at + 1 + (size_t)n, sizeof(*st->uchain)))
		return -ENOMEM;
	memcpy(st->uchain, *chain, user_at * sizeof(*st->uchain));
	st->uchain[user_at] = PERF_CONTEXT_USER;
	{
		/* through locals: stores to the chain may alias the struct's pointers (no strict aliasing) */
		const struct sym_unwind_frame *f = st->uframes;
		uint64_t *to = st->uchain + user_at + 1;

		for (int i = 0; i < n; i++)
			to[i] = f[i].pc;
	}
	*chain = st->uchain;
	*nr = user_at + 1 + (uint64_t)n;
	return 0;
}

static int note_touched(struct sym_stacks *st, uint32_t dso, bool unknown)
{
	return note(&st->touched, &st->nr_touched, &st->touched_cap, dso, unknown);
}

/* The object and address to name user PC @pc of @p by (SYM_DSO_NONE: none). */
static uint32_t user_dso(struct sym_stacks *st, struct sym_proc *p, const struct sym_map *m, uint64_t pc,
			 bool first_in_ctx, uint64_t *addr)
{
	struct sym_dso *d = m ? sym_dsos__at(st->dsos, m->dso) : NULL;
	struct sym_elf *elf;

	*addr = pc;
	if (d && (d->kind == SYM_DSO_FILE || d->kind == SYM_DSO_VDSO)) {
		elf = sym_dso__elf(d, st->mods);
		/* the link-time address, else the file offset */
		if (!elf || sym_elf__vaddr(elf, m->range.start, m->pgoff, pc, addr))
			*addr = pc - m->range.start + m->pgoff;
		return m->dso;
	}
	if (p && p->jit.nr && sym_table__find(&p->jit, first_in_ctx ? pc : pc - 1))
		return sym_namer__jit_dso(st->namer, p);
	if (d) {
		*addr = pc - m->range.start;
		return m->dso;
	}
	return SYM_DSO_NONE;
}

/*
 * Count the first PC of @chain (the sampled IP: the profile's leaf) by the object and address its
 * leaf frame is named by, in its context as name_chain() takes it: the samples of an
 * instruction, for frec annotate.
 */
static int count_ip(struct sym_stacks *st, const struct trace_sample *s, struct sym_proc *p, const uint64_t *chain,
		    uint64_t nr, uint64_t weight)
{
	uint64_t ctx = PERF_CONTEXT_USER, pc = 0, addr, *v, i;
	uint32_t dso;
	bool added;

	for (i = 0; i < nr && chain[i] >= PERF_CONTEXT_MAX; i++)
		ctx = chain[i];
	if (i == nr || !(pc = chain[i]))
		return 0;
	if (ctx == PERF_CONTEXT_KERNEL) {
		if (st->opts->no_kernel)
			return 0;
		dso = st->namer->kernel_dso;
		addr = pc;
	} else if (ctx == PERF_CONTEXT_USER) {
		dso = user_dso(st, p, p ? sym_proc__find(p, pc, s->time) : NULL, pc, true, &addr);
		if (dso == SYM_DSO_NONE)
			return 0;
	} else {
		return 0;
	}
	if (dso >= st->nr_ips) {
		size_t cap = st->nr_ips;

		if (frec_array__grow((void **)&st->ips, &cap, (size_t)dso + 1, sizeof(*st->ips)))
			return -ENOMEM;
		while (st->nr_ips < cap)
			frec_hashmap__init(&st->ips[st->nr_ips++]);
	}
	v = frec_hashmap__slot(&st->ips[dso], addr, &added);
	if (!v)
		return -ENOMEM;
	*v += weight;
	return 0;
}

/* Name entries [@from, @to) of @chain, leaf-first, onto st->stack (*@n frames so far). */
static int name_chain(struct sym_stacks *st, const struct trace_sample *s, struct sym_proc *p, const uint64_t *chain,
		      uint64_t from, uint64_t to, struct sym_walk *w, size_t *n)
{
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
			if (!st->opts->no_kernel) {
				err = add_pc(st, st->namer->kernel_dso, pc, !w->first_in_ctx, p, n, &unknown, NULL);
				if (err)
					return err;
				w->any_unknown |= unknown;
			}
		} else if (w->ctx == PERF_CONTEXT_USER && !pc) {
			/* the frame-pointer walk read a null return address: the chain ends, truncated */
			w->has_user = true;
		} else if (w->ctx == PERF_CONTEXT_USER) {
			const struct sym_map *m = p ? sym_proc__find(p, pc, s->time) : NULL;
			uint64_t addr;
			uint32_t dso = user_dso(st, p, m, pc, w->first_in_ctx, &addr);
			bool root = false;

			w->has_user = true;
			if (dso != SYM_DSO_NONE) {
				err = add_pc(st, dso, addr, !w->first_in_ctx, p, n, &unknown, &root);
				touch(st, dso, unknown);
				if (!err && w->record)
					err = note_touched(st, dso, unknown);
			} else {
				err = sym_namer__unknown(st->namer);
				err = err < 0 ? err : push_stack(st, (uint32_t)err, n);
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

/* Replay a memo entry: the touches of its callers; returns what naming them found. */
static struct sym_walk cmemo_replay(struct sym_stacks *st, const struct sym_cmemo_ent *e)
{
	const uint32_t *t = sym_cmemo__touched(&st->cmemo, e);

	for (uint32_t i = 0; i < e->nr_touched; i++)
		touch(st, t[i] >> 1, t[i] & 1);
	return e->callers;
}

/* One more sample ending at call-tree @leaf (its weight goes to the profile at sym_stacks__flush()). */
static int count_leaf(struct sym_stacks *st, uint32_t leaf, uint64_t weight)
{
	if (leaf >= st->nr_leaves) {
		size_t n = frec_profile__nr_nodes(st->p);

		if (frec_array__grow((void **)&st->leaves, &st->leaves_cap, n, sizeof(*st->leaves)))
			return -ENOMEM;
		memset(st->leaves + st->nr_leaves, 0, (n - st->nr_leaves) * sizeof(*st->leaves));
		st->nr_leaves = n;
	}
	st->leaves[leaf] += weight;
	return 0;
}

void sym_stacks__flush(struct sym_stacks *st)
{
	for (size_t i = 0; i < st->nr_leaves; i++) {
		if (st->leaves[i])
			frec_profile__add_weight(st->p, (uint32_t)i, st->leaves[i]);
	}
	st->nr_leaves = 0;
}

/*
 * A switch-out sample's stack (leaf first, @n frames) without the scheduler's own frames at its
 * leaf: every wait ends in schedule() and __schedule(), which say nothing; the frame below them
 * says why (do_nanosleep, futex_wait, pipe_read, io_schedule...).  Returns the new length.
 */
static size_t drop_scheduler(struct sym_stacks *st, size_t n)
{
	size_t k = 0;

	while (k + 1 < n) {
		const struct frec_frame *f = frec_profile__frame(st->p, st->stack[k]);
		const char *name = frec_profile__str(st->p, f->name);

		if (f->kind != FREC_FRAME_KERNEL || (strcmp(name, "schedule") && strcmp(name, "__schedule")))
			break;
		k++;
	}
	if (k)
		memmove(st->stack, st->stack + k, (n - k) * sizeof(*st->stack));
	return n - k;
}

static void reverse(uint32_t *v, size_t n)
{
	for (size_t i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
		uint32_t t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

/*
 * The stack health of sample @s from what naming its whole stack found (@w: the outermost user
 * frame's root_seen and outer_dso), and how its unwinding ended (@why, @unwound, @complete).
 */
static void count_health(struct sym_stacks *st, const struct trace_sample *s, const struct sym_walk *w, uint64_t *why,
			 bool unwound, bool complete)
{
	struct frec_stack_health *hl = &frec_profile__meta(st->p)->health;

	if (why && !w->root_seen)
		(*why)++;
	if (w->any_unknown)
		hl->has_unknown++;
	if (!unwound && w->depth >= st->max_stack)
		hl->depth_limited++;
	if (w->has_user && !w->root_seen && !complete) {
		hl->truncated++;
		if (w->outer_dso != SYM_DSO_NONE)
			sym_dsos__at(st->dsos, w->outer_dso)->broken_samples++;
	}
	/* With an unwinder, a full copy only counts when the unwind ran out of it (unwind_user()). */
	if (!st->unw && s->stack && s->event && s->event->attr.sample_stack_user &&
	    s->stack_dyn_size >= s->event->attr.sample_stack_user)
		hl->stack_copy_full++;
}

/*
 * Name the callchain @chain (@nr entries) of sample @s of key @key (the memo of callers' key, its
 * addresses not set yet) into the call tree; returns its leaf node, or a negative error.  *@w gets
 * what naming the whole stack found.
 */
static int name_stack(struct sym_stacks *st, const struct trace_sample *s, struct sym_proc *p, const uint64_t *chain,
		      uint64_t nr, struct sym_cmemo_key key, bool switch_out, struct sym_walk *w)
{
	struct sym_walk leaf = { .ctx = PERF_CONTEXT_USER, .first_in_ctx = true, .outer_dso = SYM_DSO_NONE,
				 .cut_at_root = key.cut };
	struct sym_walk callers = { .ctx = PERF_CONTEXT_USER, .outer_dso = SYM_DSO_NONE, .record = true,
				    .cut_at_root = key.cut };
	const struct sym_walk *outer;
	const struct sym_cmemo_ent *memo = NULL;
	uint32_t node = FREC_NODE_ROOT, marker = key.marker;
	size_t n = 0, n_leaf;
	uint64_t split;
	int err, leaf_node;

	/* The leaf part (kernel frames, the user PC), then the callers: from the memo if it has them. */
	split = sym_cmemo__split(chain, nr, &key);
	err = name_chain(st, s, p, chain, 0, split, &leaf, &n);
	if (err)
		return err;
	if (switch_out)
		n = drop_scheduler(st, n);
	n_leaf = n;
	if (leaf.ended)
		split = nr;
	if (split < nr) {
		memo = sym_cmemo__find(&st->cmemo, &key);
		if (memo) {
			callers = cmemo_replay(st, memo);
			node = memo->node;
			st->cmemo.hits++;
		} else {
			st->nr_touched = 0;
			err = name_chain(st, s, p, chain, split, nr, &callers, &n);
			if (err)
				return err;
		}
	}
	outer = callers.saw_pc ? &callers : &leaf;
	*w = (struct sym_walk){
		.cut_at_root = key.cut,
		.depth = leaf.depth + callers.depth,
		.any_unknown = leaf.any_unknown || callers.any_unknown,
		.has_user = leaf.has_user || callers.has_user,
		.saw_pc = outer->saw_pc,
		.root_seen = outer->root_seen,
		.outer_dso = outer->outer_dso,
	};

	if (memo) {
		/* the memo's node ends the callers' path: only the leaf part goes on it */
		reverse(st->stack, n);
		return frec_profile__add_stack_at(st->p, node, st->stack, n, 0);
	}
	if (marker != FREC_NONE && (err = push_stack(st, marker, &n)))
		return err;
	if (key.group != FREC_NONE && (err = push_stack(st, key.group, &n)))
		return err;
	reverse(st->stack, n);
	err = frec_profile__add_stack(st->p, st->stack, n, 0);
	if (err < 0 || split >= nr)
		return err;
	/* The callers' path ends n_leaf frames above the leaf. */
	node = (uint32_t)err;
	for (size_t i = 0; i < n_leaf; i++)
		node = frec_profile__node(st->p, node)->parent;
	leaf_node = err;
	err = sym_cmemo__add(&st->cmemo, &key, &callers, st->touched, st->nr_touched, node);
	return err ? err : leaf_node;
}

int sym_stacks__add(struct sym_stacks *st, const struct trace_sample *s, uint64_t nr_sample, uint64_t weight,
		    uint32_t marker, bool switch_out)
{
	struct frec_stack_health *hl = &frec_profile__meta(st->p)->health;
	const uint64_t *chain = s->callchain;
	uint64_t single[2], nr = s->nr_callchain;
	struct sym_cmemo_key key = { .pid = (int32_t)s->pid, .group = FREC_NONE, .marker = marker };
	struct sym_cmemo_key whole;
	const struct sym_cmemo_ent *e;
	bool unwound = false, complete = false;
	uint64_t *why = NULL; /* the health counter of what stopped the unwinder short */
	struct sym_proc *p = sym_spaces__proc(st->spaces, (int32_t)s->pid);
	struct sym_walk w;
	int err, leaf;

	st->sample = nr_sample;
	hl->samples++;
	frec_profile__meta(st->p)->period_total += s->period;
	if ((err = count_task(st, s, weight)))
		return err;

	/* Where a sample's PCs come from: the kernel's callchain (kernel part, then the user part it
	 * walked with frame pointers), or just the sampled IP.  A DWARF unwinder replaces the user part. */
	if (st->unw && p && (err = unwind_user(st, s, p, &chain, &nr, &unwound, &complete, &why)))
		return err;
	if (!chain || !nr) {
		single[0] = s->cpumode == PERF_RECORD_MISC_KERNEL ? PERF_CONTEXT_KERNEL : PERF_CONTEXT_USER;
		single[1] = s->ip;
		chain = single;
		nr = 2;
	}
	if (st->count_ips && !switch_out && (err = count_ip(st, s, p, chain, nr, weight)))
		return err;
	key.cut = unwound;
	if (st->opts->per_process || st->opts->per_thread) {
		int id = group_frame(st, s);

		if (id < 0)
			return id;
		key.group = (uint32_t)id;
	}
	key.gen = p ? sym_proc__generation(p, s->time) : 0;

	/*
	 * A stack seen before, in the same mappings, is named the same way: its leaf node and what
	 * naming it found come from the memo of stacks, and only the health that depends on the
	 * unwinding, and the objects' statistics, are counted again.
	 */
	whole = key;
	whole.switch_out = switch_out;
	sym_cmemo__key(chain, nr, &whole);
	e = sym_cmemo__find(&st->smemo, &whole);
	if (e) {
		const uint32_t *t = sym_cmemo__touched(&st->smemo, e);

		for (uint32_t i = 0; i < e->nr_touched; i++)
			sym_dso__touch(sym_dsos__at(st->dsos, t[i] >> 1), st->sample, t[i] & 1);
		st->smemo.hits++;
		count_health(st, s, &e->callers, why, unwound, complete);
		return count_leaf(st, e->node, weight);
	}
	st->nr_all_touched = 0;
	st->all_touched_lost = false;
	leaf = name_stack(st, s, p, chain, nr, key, switch_out, &w);
	if (leaf < 0)
		return leaf;
	count_health(st, s, &w, why, unwound, complete);
	err = count_leaf(st, (uint32_t)leaf, weight);
	if (!err && !st->all_touched_lost)
		err = sym_cmemo__add(&st->smemo, &whole, &w, st->all_touched, st->nr_all_touched, (uint32_t)leaf);
	return err;
}
