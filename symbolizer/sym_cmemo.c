// SPDX-License-Identifier: MIT
/*
 * The memo of callers (sym_cmemo.h).
 */
#include <linux/perf_event.h>
#include <string.h>

#include "sym_cmemo.h"
#include "sym_internal.h"

#define CMEMO_MIN_PCS 8          /* shorter runs are named frame by frame */
#define CMEMO_MAX_PCS (4u << 20) /* 32 MiB of keys: past that, no new entries */

void sym_cmemo__init(struct sym_cmemo *m)
{
	*m = (struct sym_cmemo){ 0 };
	frec_hashmap__init(&m->index);
}

void sym_cmemo__exit(struct sym_cmemo *m)
{
	free(m->ents);
	frec_hashmap__exit(&m->index);
	free(m->pcs);
	free(m->touched);
}

void sym_cmemo__key(const uint64_t *pcs, uint64_t nr, struct sym_cmemo_key *k)
{
	uint64_t h = frec_hash64((uint64_t)(uint32_t)k->pid << 32 ^ k->group ^ (uint64_t)k->marker << 16) ^ k->gen ^
		     k->cut ^ (uint64_t)k->switch_out << 1;

	for (uint64_t i = 0; i < nr; i++)
		h = (h ^ pcs[i]) * 0x9e3779b97f4a7c15ull;
	k->pcs = pcs;
	k->nr_pcs = nr;
	k->hash = frec_hash64(h ^ nr);
}

uint64_t sym_cmemo__split(const uint64_t *chain, uint64_t nr, struct sym_cmemo_key *k)
{
	uint64_t at = nr;

	for (uint64_t i = 0; i < nr; i++) {
		if (chain[i] == PERF_CONTEXT_USER) {
			at = i + 2;
			break;
		}
	}
	if (at >= nr || nr - at < CMEMO_MIN_PCS)
		return nr;
	sym_cmemo__key(chain + at, nr - at, k);
	return at;
}

const struct sym_cmemo_ent *sym_cmemo__find(const struct sym_cmemo *m, const struct sym_cmemo_key *k)
{
	const struct sym_cmemo_ent *e;
	uint64_t idx;

	if (!frec_hashmap__find(&m->index, k->hash, &idx))
		return NULL;
	e = &m->ents[idx];
	if (e->pid != k->pid || e->gen != k->gen || e->group != k->group || e->marker != k->marker ||
	    e->callers.cut_at_root != k->cut || e->switch_out != k->switch_out || e->nr_pcs != k->nr_pcs ||
	    memcmp(&m->pcs[e->pcs], k->pcs, k->nr_pcs * sizeof(*k->pcs)))
		return NULL; /* another key of the same hash: named frame by frame, never memoized */
	return e;
}

int sym_cmemo__add(struct sym_cmemo *m, const struct sym_cmemo_key *k, const struct sym_walk *w,
		   const uint32_t *touched, size_t nr_touched, uint32_t node)
{
	struct sym_cmemo_ent *e;
	uint64_t *slot;
	bool added;

	if (m->nr_pcs + k->nr_pcs > CMEMO_MAX_PCS)
		return 0;
	if (frec_array__grow((void **)&m->ents, &m->cap, m->nr + 1, sizeof(*m->ents)) ||
	    frec_array__grow((void **)&m->pcs, &m->pcs_cap, m->nr_pcs + k->nr_pcs, sizeof(*m->pcs)) ||
	    frec_array__grow((void **)&m->touched, &m->touched_cap, m->nr_touched + nr_touched, sizeof(*m->touched)))
		return -ENOMEM;
	slot = frec_hashmap__slot(&m->index, k->hash, &added);
	if (!slot)
		return -ENOMEM;
	if (!added)
		return 0; /* a colliding key holds the slot */
	*slot = m->nr;
	e = &m->ents[m->nr++];
	*e = (struct sym_cmemo_ent){
		.pid = k->pid,
		.gen = k->gen,
		.group = k->group,
		.marker = k->marker,
		.switch_out = k->switch_out,
		.pcs = (uint32_t)m->nr_pcs,
		.nr_pcs = (uint32_t)k->nr_pcs,
		.touched = (uint32_t)m->nr_touched,
		.nr_touched = (uint32_t)nr_touched,
		.node = node,
		.callers = *w,
	};
	memcpy(&m->pcs[m->nr_pcs], k->pcs, k->nr_pcs * sizeof(*k->pcs));
	m->nr_pcs += k->nr_pcs;
	if (nr_touched)
		memcpy(&m->touched[m->nr_touched], touched, nr_touched * sizeof(*touched));
	m->nr_touched += nr_touched;
	return 0;
}
