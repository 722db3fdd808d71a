/* SPDX-License-Identifier: MIT */
/*
 * Internals of the analyze module shared by its files: the rules' matcher, the measures taken in
 * one pass over the call tree, the candidates and the output helpers.  Not part of any contract.
 */
#ifndef FREC_ANALYZE_INTERNAL_H
#define FREC_ANALYZE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frec/analyze.h"
#include "frec/profile.h"

#define AN_NONE UINT32_MAX

/* ---- Rules (rules.c) ---------------------------------------------------------------------------- */

enum an_rule_type {
	AN_RULE_OP,          /* [op CATEGORY]: a known expensive operation */
	AN_RULE_BOILERPLATE, /* [boilerplate]: never a finding nor responsible on its own */
	AN_RULE_SYSTEM,      /* [system]: code the user does not own (libraries, runtimes) */
	AN_RULE_TYPE_MAX,
};

struct an_rule {
	enum an_rule_type type;
	char *id;          /* "known-op/CATEGORY" for operations */
	char *title;       /* "password hashing" */
	char *why, *fix;
	double threshold;  /* percent of all samples under which the rule says nothing */
	bool generic;      /* a broad category (system calls): more specific rules inside it win */
	bool waits;        /* only for profiles weighted by time waited (off-CPU, wall-clock) */
	unsigned int line; /* of its header, for errors */
};

/** an_rules__nr() / an_rules__get() - the rules in precedence order. */
size_t an_rules__nr(const struct analyze_rules *r);
const struct an_rule *an_rules__get(const struct analyze_rules *r, size_t i);

/**
 * an_rules__match() - the index of the first rule of @type one of whose match lines accepts a frame
 * named @name in the module at @path (may be "").  Module patterns with a '/' match the whole path,
 * the others its last component.  Returns AN_NONE when no rule does.
 */
uint32_t an_rules__match(const struct analyze_rules *r, enum an_rule_type type, const char *name, const char *path);

/**
 * an_rules__match_op() - an_rules__match(), also trying the rules marked "waits" when @waits: the
 * profile is weighted by time waited (off-CPU, wall-clock; see an_wait_measure()).
 */
uint32_t an_rules__match_op(const struct analyze_rules *r, enum an_rule_type type, const char *name,
			    const char *path, bool waits);

/**
 * an_rules__match_types() - an_rules__match_op() of every type in one walk over the patterns:
 * @best[type] for each enum an_rule_type, rules marked "waits" tried for AN_RULE_OP only, and only
 * when @waits.
 */
void an_rules__match_types(const struct analyze_rules *r, const char *name, const char *path, bool waits,
			   uint32_t best[AN_RULE_TYPE_MAX]);

/**
 * an_module_path() - the module path of a frame: @module, or for an unnamed frame without one
 * ("libz.so.1+0x1234", as folded stacks hold them) the part before "+0x", into @buf; "" if none.
 */
const char *an_module_path(const char *name, const char *module, char *buf, size_t size);

/** an_glob() - whether @s matches @pat, where '*' matches any run of bytes and '?' any one byte. */
bool an_glob(const char *pat, const char *s);

/* ---- Frames and functions (classify.c) ---------------------------------------------------------- */

/* Who owns a frame's code, from its module (see frec-findings(7)). */
enum an_class {
	AN_CLASS_USER,    /* the program's own code: its executable, its libraries, JIT code */
	AN_CLASS_SYSTEM,  /* libraries and runtimes of the system (libc, libz, python, node...) */
	AN_CLASS_KERNEL,
	AN_CLASS_UNKNOWN, /* no symbol and no module: cannot be anyone's */
	AN_CLASS_GROUP,   /* frec's own roots (--per-process, --per-thread) */
};

/* What the measures need to know about each frame of the profile. */
struct an_frame_info {
	uint32_t func;      /* function index (frames with the same name and module share one) */
	uint32_t rule;      /* index of the operation rule it matches, or AN_NONE */
	uint8_t cls;        /* enum an_class */
	bool boilerplate;
	bool program;       /* an executable, not a library (the fallback for "responsible") */
	bool unknown;       /* no symbol */
};

struct an_func {
	uint32_t name, module; /* string ids */
	uint32_t frame;        /* one of its frames */
};

/* ---- The analysis (measure.c, candidates.c, findings.c) ----------------------------------------- */

/* A set of samples a candidate explains: call-tree nodes in pre-order indices. */
struct an_claim {
	const uint32_t *idx; /* pre-order indices */
	size_t n;
	bool subtree;        /* each index stands for its whole subtree, else for its self weight */
	bool owned;          /* idx was allocated for this claim */
};

struct an_cand {
	enum analyze_kind kind;
	int order;            /* processing order: the more specific first */
	uint32_t func;        /* subject function, or AN_NONE */
	uint32_t rule;        /* known-op rule, or AN_NONE */
	uint32_t module;      /* library-block: string id of the module (0: the kernel) */
	uint32_t resp;        /* library-block: the responsible function */
	uint32_t depth;       /* recursion: most times on one stack; repeated: callers alike */
	uint32_t level;       /* heavy subtree: the least depth of its nodes (deeper wins a tie) */
	uint64_t weight;
	struct an_claim claim;
	struct analyze_fn callers[ANALYZE_TOP]; /* repeated: the callers doing the same work */
	size_t nr_callers;
};

struct an_ctx {
	const struct frec_profile *p;
	const struct analyze_rules *rules;
	uint64_t total;
	/* frames and functions */
	struct an_frame_info *fi; /* per frame */
	struct an_func *funcs;
	uint32_t nr_funcs;
	uint32_t *frank;          /* per function: its place in the order of names and modules */
	/*
	 * The tree in pre-order.  A node's parent, depth and function are not kept per index (12
	 * bytes a node, 54 MB on a profile of 4.5M nodes): the profile's node has its parent, and
	 * an_fn() its function; the few who need a depth count it.
	 */
	uint32_t nr;          /* nodes, root included */
	uint32_t *node;       /* pre-order index -> node id; NULL while they are the same (an_node()) */
	uint32_t *end;        /* pre-order index -> one past its subtree */
	/*
	 * The indices with self weight, ascending, their weight and the function responsible for it:
	 * what a claim's samples are.  A subtree's are a run of them, which the choice of findings
	 * reads instead of every node of the subtree (one in twenty on bench/render's deep shape).
	 */
	uint32_t *selfk;
	uint64_t *selfw;
	uint32_t *selfr;
	uint32_t nr_self;
	/*
	 * The function responsible at each outermost match of an operation rule, (index, function)
	 * in a and b, ascending: with selfr, every index whose responsible a finding asks for (see
	 * an_resp()), rather than 4 bytes for each node.
	 */
	struct an_tuple *op_resp;
	size_t nr_op_resp;
	/* per function */
	struct an_fcount *fc;
	uint64_t *deep;           /* weight of samples where it is on the stack AN_RECURSION_DEPTH times;
				   * NULL while no function is */
	/*
	 * CSR lists: per function its nodes with self weight, its outermost nodes (empty for the
	 * functions that no candidate could claim them for: an_wants_self(), an_wants_outer()); per
	 * rule its claims.
	 */
	uint32_t *self_start, *self_idx;
	uint32_t *outer_start, *outer_idx;
	uint32_t *op_start, *op_idx;
	uint32_t nr_rules;
	/* tuples gathered by the pass, sorted and summed by candidates.c */
	struct an_tuple *lib;     /* (module, responsible, index): self weight in a library */
	size_t nr_lib;
	struct an_tuple *calls;   /* (callee, caller, child function): for repeated subtrees */
	size_t nr_calls;
	uint64_t unknown_user;    /* samples with an unnamed frame outside system code */
	uint64_t unattributed;    /* samples with no function responsible (a truncated stack lost it) */
	/* candidates, and per index with self weight (as in selfk) the finding its weight belongs to */
	uint32_t *owner;
	struct an_cand *cands;
	size_t nr_cands, cands_cap;
};

struct an_tuple {
	uint32_t a, b, c;
	uint64_t w;
};

/*
 * A function's counts, together: the walk adds to them at every node, and on a profile of a million
 * functions one read that brings them all costs a quarter of five reads in five arrays.
 */
struct an_fcount {
	uint64_t self, total; /* total counts a sample once even when the function recurses */
	uint64_t entry;       /* of the total, where the function is its stack's entry (main...) */
	uint32_t active;      /* during the walk: times on the current stack */
	uint32_t maxrep;      /* most times on one stack */
};

/*
 * an_node() - the node id at pre-order index @k.  Where the profile numbers its nodes in pre-order
 * (folded stacks read in sorted order: bench/render's inputs, and what stackcollapse scripts and
 * frec write), the walk keeps no table of 4 bytes a node to say so.
 */
static inline uint32_t an_node(const struct an_ctx *c, uint32_t k)
{
	return c->node ? c->node[k] : k;
}

/*
 * The self and total weight at pre-order index @k: read from the profile's node rather than
 * copied, which cost 16 bytes per node (70 MB on a profile of 4.5M nodes) and bought no speed.
 */
static inline uint64_t an_self(const struct an_ctx *c, uint32_t k)
{
	return frec_profile__node(c->p, an_node(c, k))->self;
}

static inline uint64_t an_tot(const struct an_ctx *c, uint32_t k)
{
	return frec_profile__node(c->p, an_node(c, k))->total;
}

/** an_node_fn() - the function of node id @n of the profile: AN_NONE for the root and groups. */
static inline uint32_t an_node_fn(const struct an_ctx *c, uint32_t n)
{
	const struct an_frame_info *fi;

	if (n == FREC_NODE_ROOT)
		return AN_NONE;
	fi = &c->fi[frec_profile__node(c->p, n)->frame];
	return fi->cls == AN_CLASS_GROUP ? AN_NONE : fi->func;
}

/** an_fn() - the function at pre-order index @k. */
static inline uint32_t an_fn(const struct an_ctx *c, uint32_t k)
{
	return an_node_fn(c, an_node(c, k));
}

/** an_node_parent() - the parent of node id @n (FREC_NONE for the root). */
static inline uint32_t an_node_parent(const struct an_ctx *c, uint32_t n)
{
	return frec_profile__node(c->p, n)->parent;
}

/** an_node_boilerplate() - whether node id @n (not the root) is a boilerplate frame. */
static inline bool an_node_boilerplate(const struct an_ctx *c, uint32_t n)
{
	return c->fi[frec_profile__node(c->p, n)->frame].boilerplate;
}

#define AN_RECURSION_DEPTH 10 /* a function this many times on one stack is recursion */
#define AN_KERNEL_MODULE (UINT32_MAX - 1) /* library-block module meaning "the kernel" */

/**
 * an_frank() - function @f's place in the order of names (AN_NONE stays last): what breaks ties
 * between functions, since function ids follow the order frames were added in.
 */
static inline uint32_t an_frank(const struct an_ctx *c, uint32_t f)
{
	return f == AN_NONE ? AN_NONE : c->frank[f];
}

/**
 * an_resp() - the function responsible for samples at index @k, which must have self weight or be
 * the outermost match of an operation rule; AN_NONE if none is.
 */
uint32_t an_resp(const struct an_ctx *c, uint32_t k);

/** an_ctx__classify() - frame infos and the function table.  0 or -ENOMEM. */
int an_ctx__classify(struct an_ctx *c);
/** an_ctx__measure() - the one pass over the tree.  0 or -ENOMEM. */
int an_ctx__measure(struct an_ctx *c);
/** an_ctx__candidates() - every kind's candidates.  0 or -ENOMEM. */
int an_ctx__candidates(struct an_ctx *c);
void an_ctx__exit(struct an_ctx *c);

/**
 * an_may_repeat() - whether function @f, whose outermost calls weigh @ftotal, may be repeated work
 * (all the conditions but those the measures decide).
 */
bool an_may_repeat(const struct an_ctx *c, uint32_t f, uint64_t ftotal);

/**
 * an_wants_self() / an_wants_outer() - whether a candidate may claim function @f's nodes with self
 * weight (a hotspot), or its outermost calls (recursion, repeated work, heavy subtree): only those
 * functions' lists are built.
 */
bool an_wants_self(const struct an_ctx *c, uint32_t f);
bool an_wants_outer(const struct an_ctx *c, uint32_t f);

/** an_cand__min_share() - the share (percent) of a candidate that no other may explain. */
double an_cand__min_share(const struct an_ctx *c, const struct an_cand *cand);

/** an_tuples__push() - append @t to the growing array *@v of *@n (capacity *@cap).  0 or -ENOMEM. */
int an_tuples__push(struct an_tuple **v, size_t *n, size_t *cap, struct an_tuple t);

/** an_tuples__reduce() - sort @t by (a, b, c) and sum the weights of equal keys; returns the new count. */
size_t an_tuples__reduce(struct an_tuple *t, size_t n);


/* What a finding owns, beside it in the report. */
struct an_finding_mem {
	char *summary, *why, *fix;
	uint32_t *stack, *nodes;
	int order; /* the kind's place in the order of specificity */
};

/**
 * an_finding__words() - the summary, why and fix of @f (words.c), allocated into @m.  0 or -ENOMEM.
 */
int an_finding__words(const struct an_ctx *c, struct analyze_finding *f, struct an_finding_mem *m);

/**
 * an_broken_stacks() - the broken-stacks finding into @f and @m when truncated stacks or unnamed
 * program frames reach @min_pct of the samples.  Returns 1 if there is one, 0 if not, or -ENOMEM.
 */
int an_broken_stacks(const struct an_ctx *c, struct analyze_finding *f, struct an_finding_mem *m, double min_pct);

/** an_report__is_boilerplate() - whether frame @frame of the report's profile is boilerplate. */
bool an_report__is_boilerplate(const struct analyze_report *r, uint32_t frame);

/* ---- Output helpers (candidates.c, words.c, write_text.c) ------------------------------------------------------------------- */

/** an_pct() - @part of @whole in percent (0 when @whole is 0). */
double an_pct(uint64_t part, uint64_t whole);

/* The function keys (frec_name__key()) of n names, stored one after the other. */
struct an_keys {
	char *text;
	size_t *off; /* per name: its key's offset in text */
};

/** an_keys__init() - the keys of names(arg, 0..n-1).  0 or -ENOMEM (call an_keys__exit() either way). */
int an_keys__init(struct an_keys *k, size_t n, const char *(*name)(const void *arg, size_t i), const void *arg);
void an_keys__exit(struct an_keys *k);

static inline const char *an_keys__get(const struct an_keys *k, size_t i)
{
	return k->text + k->off[i];
}

/** an_grow() - room for @need elements of @elem bytes in *@v of capacity *@cap.  0 or -ENOMEM. */
int an_grow(void **v, size_t *cap, size_t need, size_t elem);

/** an_json_array() - `,\n      "KEY": [ITEM, ...]`, each item written by @item(f, arg, i). */
void an_json_array(FILE *f, const char *key, size_t n, void (*item)(FILE *f, const void *arg, size_t i), const void *arg);

/** an_fmt() - a new string as vasprintf() makes it, control bytes turned into '?'; NULL: -ENOMEM. */
char *an_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/** an_short_name() - @name as a sentence says it: no parameters or return type, long templates elided. */
const char *an_short_name(const char *name, char *buf, size_t size);

/**
 * an_wait_measure() - "off-CPU" or "wall-clock" when @p is weighted by time waited (frec report
 * --off-cpu, --wall), NULL for profiles of samples.
 */
const char *an_wait_measure(const struct frec_profile *p);

/**
 * an_share_of() - "of the CPU time", "of the off-CPU time", "of the wall-clock time", "of the cycles
 * samples" or "of the samples", for @p.
 */
const char *an_share_of(const struct frec_profile *p, char *buf, size_t size);

/** an_time_str() - "1.87 s" or "120 ms" of the profile's time for @w units of weight; "" when @p carries no time. */
const char *an_time_str(const struct frec_profile *p, uint64_t w, char *buf, size_t size);

/** an_put_clean() - @s with control bytes as '?' (and with @md, backticks as '\''). */
void an_put_clean(FILE *f, const char *s, bool md);

/** an_put_wrapped() - @text from column @col, wrapped at 100 columns, continuations indented @indent. */
void an_put_wrapped(FILE *f, const char *text, size_t col, size_t indent);

/** an_json_str() - @s as a JSON string: escaped, invalid UTF-8 as U+FFFD. */
void an_json_str(FILE *f, const char *s);

/** an_diff__profile() / an_diff__min_size() - a diff's inputs, and its smallest change reported. */
const struct frec_profile *an_diff__profile(const struct analyze_diff *d, bool after);
double an_diff__min_size(const struct analyze_diff *d);

/** an_write_json() - the report as JSON (write_json.c). */
void an_write_json(const struct analyze_report *r, const char *context, FILE *f);

#endif /* FREC_ANALYZE_INTERNAL_H */
