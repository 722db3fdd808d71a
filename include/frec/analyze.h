/* SPDX-License-Identifier: MIT */
/*
 * Findings: what a performance engineer would name reading the flame graph, computed from the
 * profile (contract 2) alone, so it works the same on a trace, on folded stacks from another tool
 * or on a hand-written fixture, and gives the same answer every time.
 *
 * A finding has a kind (below), the share of the samples it explains, the function at its centre,
 * the user-code function responsible for it (walking a stack from the leaf toward the root, the
 * first frame of the program's own code that is not boilerplate such as main or a thread entry),
 * evidence (the heaviest stack that leads there, callers, what it calls, other explanations of the
 * same samples) and a fix.  Findings are ranked by the share a fix could remove; samples that
 * several kinds explain belong to the most specific one, the others are listed as its evidence.
 * Thresholds and the format of the rules are documented in frec-findings(7).
 *
 * Not thread-safe; every pointer returned is borrowed from its owner and valid until it is freed.
 */
#ifndef FREC_ANALYZE_H
#define FREC_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frec/profile.h"

/* ---- Rules: known expensive operations, boilerplate, system code -------------------------------- */

struct analyze_rules;

/** analyze_rules__new() - an empty rule set.  NULL means -ENOMEM. */
struct analyze_rules *analyze_rules__new(void);
/** analyze_rules__free() - release @r; accepts NULL. */
void analyze_rules__free(struct analyze_rules *r);

struct analyze_rules_error {
	unsigned int line; /* 1-based line of the first error, 0 if none */
	char msg[160];     /* what is wrong with it */
};

/**
 * analyze_rules__parse() - add the rules written in @len bytes at @buf (the format of
 * frec-findings(7): "[op CATEGORY]", "[boilerplate]" and "[system]" sections of "match",
 * "title", "threshold", "why" and "fix" lines).  Rules added first take precedence: parse the
 * user's files before the built-in ones.  The text is copied.  Returns the number of sections
 * added, -FREC_E_PARSE with @err (may be NULL) saying where and why, or -ENOMEM; on error nothing
 * of @buf is added.
 */
int analyze_rules__parse(struct analyze_rules *r, const char *buf, size_t len, struct analyze_rules_error *err);

/** analyze_rules__builtin() - the text of the rules shipped with frec (analyze/known-ops.rules). */
const char *analyze_rules__builtin(void);

/**
 * analyze_rules__classify() - for tests and tools: the category of the first operation rule that a
 * frame named @name in @module (a path, or NULL) matches, or NULL; *@boilerplate and *@system (may
 * be NULL) say whether the frame is boilerplate and whether it counts as system code.
 */
const char *analyze_rules__classify(const struct analyze_rules *r, const char *name, const char *module,
				    bool *boilerplate, bool *system);

/* ---- Findings ----------------------------------------------------------------------------------- */

enum analyze_kind {
	ANALYZE_BROKEN_STACKS, /* "broken-stacks": truncated or unnamed stacks hide the answer */
	ANALYZE_KNOWN_OP,      /* "known-op/CATEGORY": a known expensive operation (rules) */
	ANALYZE_RECURSION,     /* "recursion": a function many levels deep on its own stack */
	ANALYZE_REPEATED,      /* "repeated-subtree": the same work reached from several callers */
	ANALYZE_LIBRARY,       /* "library-block": much time inside one library (or the kernel) */
	ANALYZE_HOTSPOT,       /* "hotspot": a function's own code takes a large share */
	ANALYZE_HEAVY,         /* "heavy-subtree": a function whose callees together take a large share */
	ANALYZE_KIND_MAX,
};

/** analyze_kind__name() - the stable id of @kind ("hotspot"; "known-op" for ANALYZE_KNOWN_OP). */
const char *analyze_kind__name(enum analyze_kind kind);

/* A function of the profile (string ids) and the weight it stands for in a finding. */
struct analyze_fn {
	uint32_t name;   /* string id of the function's name; 0 when only the module is meant */
	uint32_t module; /* string id of its module, 0 if none */
	uint64_t weight;
	bool kernel;     /* library-block: the kernel rather than a module */
};

#define ANALYZE_TOP 3 /* functions kept in each list of evidence */
#define ANALYZE_ALSO 4

/* Another explanation of (most of) a finding's samples, folded into it. */
struct analyze_also {
	enum analyze_kind kind;
	const char *id;         /* its stable id */
	struct analyze_fn what; /* its function or module and its weight */
};

struct analyze_finding {
	enum analyze_kind kind;
	const char *id;        /* stable id: "hotspot", "known-op/compression", ... */
	const char *title;     /* known-op: what the operation is ("compression"); else the kind's words */
	const char *summary;   /* one sentence, with the numbers */
	const char *why;       /* why it costs this much */
	const char *fix;       /* what to do */
	uint64_t weight;       /* units of weight (samples) it explains */
	uint64_t unique;       /* of which no finding ranked above explains */
	struct analyze_fn subject;     /* the function (library-block: the module) at its centre */
	uint64_t subject_self;         /* the subject's own (self) weight within the finding */
	struct analyze_fn responsible[ANALYZE_TOP]; /* user functions responsible, heaviest first */
	size_t nr_responsible;
	struct analyze_fn callers[ANALYZE_TOP];     /* the subject's callers, heaviest first */
	size_t nr_callers;
	struct analyze_fn inside[ANALYZE_TOP];      /* where the time goes below it: heaviest self */
	size_t nr_inside;
	struct analyze_also also[ANALYZE_ALSO];     /* other explanations folded into this one */
	size_t nr_also;
	uint32_t depth;           /* recursion: the most times the function is on one stack */
	const uint32_t *stack;    /* frame ids, root first: the heaviest stack that leads there */
	size_t stack_len;
	size_t stack_trim;        /* how many of its root frames are boilerplate (_start, main...) */
	const uint32_t *nodes;    /* call-tree nodes of the finding, heaviest first (for the SVG) */
	size_t nr_nodes;
};

struct analyze_opts {
	const struct analyze_rules *rules; /* NULL: no known operations, boilerplate or system rules */
};

struct analyze_report;

/**
 * analyze_report__new() - the findings of @p, which must stay valid (and unchanged) while the
 * report is used.  Returns 0 with *@out set (free with analyze_report__free()), or -ENOMEM.
 * A profile without samples has no findings.
 */
int analyze_report__new(const struct frec_profile *p, const struct analyze_opts *opts,
			struct analyze_report **out);
/** analyze_report__free() - release @r; accepts NULL. */
void analyze_report__free(struct analyze_report *r);

/** analyze_report__nr_findings() / analyze_report__finding() - the findings, best first. */
size_t analyze_report__nr_findings(const struct analyze_report *r);
const struct analyze_finding *analyze_report__finding(const struct analyze_report *r, size_t i);
/** analyze_report__profile() - the profile the report is about. */
const struct frec_profile *analyze_report__profile(const struct analyze_report *r);

/* ---- Output ------------------------------------------------------------------------------------- */

enum analyze_format {
	ANALYZE_FORMAT_TEXT,     /* ranked, short, for a terminal */
	ANALYZE_FORMAT_MARKDOWN, /* compact, for an issue or an AI assistant: context, findings, stacks */
	ANALYZE_FORMAT_JSON,     /* versioned schema of frec-report(1) */
};

/*
 * Versions of the JSON schemas: findings (frec-report(1)) are at 2 since "cpu_seconds" became
 * "seconds" (of the time the profile's "time" names: CPU, off-CPU or wall-clock); diff findings
 * (frec-diff(1)) at 1.
 */
#define ANALYZE_JSON_VERSION 2
#define ANALYZE_DIFF_JSON_VERSION 1

struct analyze_write_opts {
	enum analyze_format format;
	unsigned int max_findings; /* 0 = default (10) */
	const char *context;       /* the user's words about the recording (markdown, JSON), or NULL */
};

/** analyze_format__parse() - "text", "markdown" or "json" into *@out; -EINVAL otherwise. */
int analyze_format__parse(const char *name, enum analyze_format *out);

/**
 * analyze_report__write() - the findings in @o->format to @f.  Deterministic: the same profile
 * gives the same bytes.  Returns 0, -ENOMEM, or -EIO when writing failed.
 */
int analyze_report__write(const struct analyze_report *r, const struct analyze_write_opts *o, FILE *f);

/* ---- Diff findings: what regressed and what improved -------------------------------------------- */

/*
 * Two profiles compared per function responsible (the same notion as in findings): the CPU time a
 * function of the program is responsible for is its own code plus the libraries and kernel it calls
 * into, not the other functions of the program it calls, which have their own.  So when
 * compute_hash becomes slower, compute_hash regresses, not every caller up to main.  Weights are
 * put on one scale by frec_diff_norm__init() (CPU time by default for traces); a change is a
 * finding when it clears the diff's noise floor (frec_diff_norm__is_change()) and is at least
 * opts->min_points percent of the baseline's total.
 */
enum analyze_change {
	ANALYZE_REGRESSION,  /* "regression": grew */
	ANALYZE_NEW,         /* "new-function": only in AFTER */
	ANALYZE_IMPROVEMENT, /* "improvement": shrank */
	ANALYZE_VANISHED,    /* "vanished-function": only in BEFORE */
};

/* A function in both profiles: its weights on the diff's scale and as shares of each total. */
struct analyze_delta {
	const char *name;   /* borrowed from the profiles; NULL for "its own code" */
	const char *module; /* path, or "" */
	double before, after;             /* in the unit of the normalisation */
	double share_before, share_after; /* percent of each profile's total */
	uint64_t weight_before, weight_after; /* samples */
};

struct analyze_diff_finding {
	enum analyze_change change;
	const char *id;          /* "regression", "new-function", "improvement", "vanished-function" */
	struct analyze_delta fn; /* the function responsible */
	double growth;           /* (after - before) / before, in percent; INFINITY for a new function */
	double z;                /* how many deviations of sampling noise the change is */
	struct analyze_delta parts[ANALYZE_TOP];   /* where it changed: its own code or what it calls */
	size_t nr_parts;
	struct analyze_delta callers[ANALYZE_TOP]; /* its callers (in the profile where it is larger) */
	size_t nr_callers;
	const char *summary;     /* one sentence, with the numbers */
};

struct analyze_diff_opts {
	const struct analyze_rules *rules; /* as in analyze_opts */
	enum frec_norm norm;               /* FREC_NORM_DEFAULT: see frec_norm__resolve() */
	double min_points;                 /* smallest change reported, percent of the baseline; 0 = 1 */
};

struct analyze_diff;

/**
 * analyze_diff__new() - the changes from @before to @after (both kept valid while the result is
 * used).  Returns 0 with *@out set, -FREC_E_NORM_NO_TIME when the normalisation needs a CPU time
 * a profile lacks, or -ENOMEM.
 */
int analyze_diff__new(const struct frec_profile *before, const struct frec_profile *after,
		      const struct analyze_diff_opts *opts, struct analyze_diff **out);
/** analyze_diff__free() - release @d; accepts NULL. */
void analyze_diff__free(struct analyze_diff *d);

/** analyze_diff__nr() / analyze_diff__finding() - regressions first (largest growth first), then improvements. */
size_t analyze_diff__nr(const struct analyze_diff *d);
const struct analyze_diff_finding *analyze_diff__finding(const struct analyze_diff *d, size_t i);
/** analyze_diff__norm() - the scale the profiles were compared on. */
const struct frec_diff_norm *analyze_diff__norm(const struct analyze_diff *d);

/**
 * analyze_diff__over() - whether finding @f breaks a --fail-on-regression @pct gate: a regression
 * that grew by more than @pct percent, or a new function.
 */
bool analyze_diff__over(const struct analyze_diff_finding *f, double pct);

/**
 * analyze_diff__write() - the diff findings in @o->format to @f: the inputs, the normalisation and
 * the noise floor, then the findings.  Returns 0, -ENOMEM or -EIO.
 */
int analyze_diff__write(const struct analyze_diff *d, const struct analyze_write_opts *o, FILE *f);

#endif /* FREC_ANALYZE_H */
