// SPDX-License-Identifier: MIT
/*
 * Why stacks cannot be trusted: the likely cause of unnamed frames and of stacks that end early,
 * from the counters the symbolizer left in the profile's metadata and module statistics.  The text
 * report's stack-health line and the broken-stacks finding both read it, so they never disagree.
 *
 * Each problem is blamed on the module that explains most of its samples, among the modules with
 * the flag that would explain it, in order of how certain the flag is: a rebuilt file is certainly
 * wrong, a missing one cannot be read, a stripped one has no names.  Truncation is blamed on the
 * counters first (depth limit, full stack copy, failed unwinding), then on the module where most
 * stacks broke off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frec/profile.h"

const char *frec_profile__module_basename(const struct frec_profile *p, uint32_t module)
{
	const char *mod = frec_profile__str(p, module);
	const char *base = strrchr(mod, '/');

	return base && base[1] ? base + 1 : mod;
}

/* The module that explains most of a problem, by samples, among modules with @flag (0: any). */
static const struct frec_module_stat *worst(const struct frec_module_stat *ms, size_t n, uint32_t flag,
					    bool by_broken)
{
	const struct frec_module_stat *best = NULL;

	for (size_t i = 0; i < n; i++) {
		uint64_t w = by_broken ? ms[i].broken_samples : ms[i].unknown_samples;

		if ((ms[i].flags & flag || !flag) && w &&
		    (!best || w > (by_broken ? best->broken_samples : best->unknown_samples)))
			best = &ms[i];
	}
	return best;
}

static bool is_jit_map(const char *module)
{
	size_t n = strlen(module);

	return !strncmp(module, "/tmp/perf-", 10) && n > 4 && !strcmp(module + n - 4, ".map");
}

static enum frec_health_cause unknown_cause(const struct frec_module_stat *ms, size_t n, uint32_t *module)
{
	static const struct {
		uint32_t flag;
		enum frec_health_cause cause;
	} order[] = {
		{ FREC_MODULE_BUILD_ID_MISMATCH, FREC_CAUSE_REBUILT },
		{ FREC_MODULE_NOT_FOUND, FREC_CAUSE_MODULE_MISSING },
		{ FREC_MODULE_NO_SYMBOLS, FREC_CAUSE_STRIPPED },
	};
	const uint32_t flagged = FREC_MODULE_BUILD_ID_MISMATCH | FREC_MODULE_NOT_FOUND | FREC_MODULE_NO_SYMBOLS;
	uint64_t unmapped = 0;

	/*
	 * Unnamed code outside any file (JIT code without a perf map) explains more than a file
	 * whose unnamed samples have a reason, unless the file has more than twice as many: a node
	 * process with a stripped libstdc++, or with a stripped libnode (as Debian ships it) whose
	 * exported functions still name most frames while every JavaScript function is unnamed.
	 */
	for (size_t i = 0; i < n; i++)
		if (!(ms[i].flags & flagged) && ms[i].unknown_samples > unmapped)
			unmapped = ms[i].unknown_samples;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct frec_module_stat *w = worst(ms, n, order[i].flag, false);

		if (w && w->unknown_samples > 2 * unmapped) {
			*module = w->module;
			return order[i].cause;
		}
	}
	*module = 0;
	return FREC_CAUSE_NO_MAPPING;
}

static enum frec_health_cause truncation_cause(const struct frec_profile *p, const struct frec_module_stat *ms,
					       size_t n, const struct frec_stack_health *h, uint32_t *module)
{
	const struct frec_module_stat *w = worst(ms, n, 0, true);
	const struct frec_module_stat *nofp = worst(ms, n, FREC_MODULE_NO_FRAME_PTRS, true);

	*module = 0;
	if (h->depth_limited * 2 >= h->truncated)
		return FREC_CAUSE_DEPTH_LIMIT;
	if (h->stack_copy_full * 4 >= h->truncated && h->stack_copy_full)
		return FREC_CAUSE_STACK_COPY;
	if (w && is_jit_map(frec_profile__str(p, w->module))) {
		*module = w->module;
		return FREC_CAUSE_JIT_UNWIND;
	}
	if (h->unwind_failed && h->unwind_failed * 2 >= h->truncated) {
		*module = w ? w->module : 0;
		return FREC_CAUSE_NO_UNWIND_INFO;
	}
	if (nofp || w)
		*module = (nofp ? nofp : w)->module;
	return FREC_CAUSE_NO_FRAME_PTRS;
}

void frec_profile__health_causes(const struct frec_profile *p, struct frec_health_causes *out)
{
	const struct frec_stack_health *h = &frec_profile__meta_const(p)->health;
	const struct frec_module_stat *ms;
	uint32_t um = 0, tm = 0;
	enum frec_health_cause uc = FREC_CAUSE_NONE, tc = FREC_CAUSE_NONE;
	size_t n;

	*out = (struct frec_health_causes){ FREC_CAUSE_NONE, 0, FREC_CAUSE_NONE, 0 };
	if (!h->samples || (!h->truncated && !h->has_unknown && !h->depth_limited && !h->stack_copy_full &&
			    !h->unwind_failed))
		return;
	ms = frec_profile__module_stats(p, &n);
	if (h->has_unknown)
		uc = unknown_cause(ms, n, &um);
	/* Truncation counters without truncated stacks still want explaining (a full stack copy). */
	if (h->truncated || !h->has_unknown)
		tc = truncation_cause(p, ms, n, h, &tm);
	if (h->has_unknown > h->truncated)
		*out = (struct frec_health_causes){ uc, um, tc, tm };
	else
		*out = (struct frec_health_causes){ tc, tm, uc, um };
}

/* How the stacks were recorded, from the metadata's call_graph, and the size of the stack copy. */
enum call_graph { CG_UNKNOWN, CG_FP, CG_COPY /* auto or dwarf */, CG_NONE };

static enum call_graph call_graph(const struct frec_profile *p, unsigned long *copy)
{
	const char *s = frec_profile__str(p, frec_profile__meta_const(p)->call_graph);
	const char *comma = strchr(s, ',');

	*copy = comma ? strtoul(comma + 1, NULL, 10) : 0;
	if (!strcmp(s, "fp"))
		return CG_FP;
	if (!strncmp(s, "auto", 4) || !strncmp(s, "dwarf", 5))
		return CG_COPY;
	if (!strcmp(s, "none"))
		return CG_NONE;
	return CG_UNKNOWN;
}

/*
 * A stack copy twice as large as @copy bytes (the default's when unknown), within the kernel's
 * limit, as "--call-graph auto,SIZE": frec's default mode, never one that unwinds less.
 */
static const char *larger_copy(unsigned long copy, char *buf, size_t size)
{
	unsigned long want = copy ? copy * 2 : 16384;

	snprintf(buf, size, "--call-graph auto,%lu", want > 65528 ? 65528 : want);
	return buf;
}

/* "node" or "python" when module @base is that runtime's program or library, else NULL. */
static const char *runtime_of(const char *base)
{
	if (!strcmp(base, "node") || !strcmp(base, "nodejs") || !strncmp(base, "libnode.so", 10))
		return "node";
	if (!strncmp(base, "python3", 7) || !strncmp(base, "libpython3", 10))
		return "python";
	return NULL;
}

/* The JIT runtime whose code the profile holds: the one of the modules with the most samples. */
static const char *jit_runtime(const struct frec_profile *p)
{
	const struct frec_module_stat *ms;
	const char *best = NULL;
	uint64_t most = 0;
	size_t n;

	ms = frec_profile__module_stats(p, &n);
	for (size_t i = 0; i < n; i++) {
		const char *rt = runtime_of(frec_profile__module_basename(p, ms[i].module));

		if (rt && ms[i].samples > most) {
			most = ms[i].samples;
			best = rt;
		}
	}
	return best;
}

static int describe_no_mapping(const struct frec_profile *p, char *buf, size_t size)
{
	const char *rt = jit_runtime(p);

	if (rt && !strcmp(rt, "node"))
		return snprintf(buf, size, "JIT code of node without a perf map (start node with --perf-basic-prof, "
				"or NODE_OPTIONS=--perf-basic-prof; frec does so for the commands it starts)");
	if (rt)
		return snprintf(buf, size, "JIT code of python without a perf map (start it with PYTHONPERFSUPPORT=1 "
				"or python -X perf, Python 3.12 or later; frec does so for the commands it starts)");
	return snprintf(buf, size, "code outside any known file (JIT without a perf map, or lost mmap records)");
}

/* A cause of stacks that end early, and its fix in terms of how they were recorded. */
static int describe_truncation(const struct frec_profile *p, enum frec_health_cause cause, const char *mod,
			       char *buf, size_t size)
{
	static const char default_mode[] = "record in frec's default mode (no --call-graph fp), which unwinds "
					   "from a stack copy";
	unsigned long copy;
	enum call_graph cg = call_graph(p, &copy);
	char more[64];

	if (cg == CG_NONE)
		return snprintf(buf, size, "recorded without call graphs (--call-graph none: record in the default "
				"mode)");
	switch (cause) {
	case FREC_CAUSE_DEPTH_LIMIT:
		return snprintf(buf, size, "stacks deeper than the callchain limit (raise kernel.perf_event_max_stack, "
				"or %s%s)", cg == CG_COPY ? "record with a larger stack copy: " : default_mode,
				cg == CG_COPY ? larger_copy(copy, more, sizeof(more)) : "");
	case FREC_CAUSE_STACK_COPY:
		if (copy >= 65528)
			return snprintf(buf, size, "the DWARF stack copy is too small, even at its largest (rebuild with "
					"-fno-omit-frame-pointer: frame pointers take over where the copy ends)");
		return snprintf(buf, size, "the DWARF stack copy is too small (record with a larger one: %s)",
				larger_copy(copy, more, sizeof(more)));
	case FREC_CAUSE_NO_FRAME_PTRS:
	default:
		if (cg == CG_COPY)
			return snprintf(buf, size, "missing frame pointers%s%s (rebuild with -fno-omit-frame-pointer, or "
					"record with a larger stack copy: %s)", *mod ? " in " : "", mod,
					larger_copy(copy, more, sizeof(more)));
		return snprintf(buf, size, "missing frame pointers%s%s (rebuild with -fno-omit-frame-pointer, or %s)",
				*mod ? " in " : "", mod, default_mode);
	}
}

int frec_health_cause__describe(const struct frec_profile *p, enum frec_health_cause cause, uint32_t module,
				char *buf, size_t size)
{
	const char *mod = frec_profile__module_basename(p, module);

	switch (cause) {
	case FREC_CAUSE_REBUILT:
		return snprintf(buf, size, "%s was rebuilt since the recording (build-id differs)", mod);
	case FREC_CAUSE_MODULE_MISSING:
		return snprintf(buf, size, "%s is not on this machine (analyse where it was recorded)", mod);
	case FREC_CAUSE_STRIPPED:
		return snprintf(buf, size, "stripped binary %s (install its debug symbols)", mod);
	case FREC_CAUSE_NO_MAPPING:
		return describe_no_mapping(p, buf, size);
	case FREC_CAUSE_DEPTH_LIMIT:
	case FREC_CAUSE_STACK_COPY:
	case FREC_CAUSE_NO_FRAME_PTRS:
		return describe_truncation(p, cause, mod, buf, size);
	case FREC_CAUSE_JIT_UNWIND:
		return snprintf(buf, size, "stacks end in JIT code of %s, which has no unwind information (frame "
				"pointers in the JIT help: node --interpreted-frames-native-stack, python built with "
				"-fno-omit-frame-pointer)", mod);
	case FREC_CAUSE_NO_UNWIND_INFO:
		return snprintf(buf, size, "code without unwind information%s%s (install its debug info, or rebuild "
				"it with frame pointers)", *mod ? " in " : "", mod);
	case FREC_CAUSE_NONE:
	default:
		return snprintf(buf, size, "none");
	}
}
