// SPDX-License-Identifier: MIT
/*
 * Samples taken from this very process for the unwinder's tests (capture.h).
 */
#include <criterion/criterion.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "capture.h"
#include "fixture.h"

struct sym_unwind_map maps[MAX_MAPS];
char map_paths[MAX_MAPS][256];
size_t nr_maps;

/* Executable file mappings of this process, and the end of the mapping that holds @sp. */
uint64_t read_maps(uint64_t sp)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uint64_t stack_end = 0;

	cr_assert_not_null(f);
	nr_maps = 0;
	while (fgets(line, sizeof(line), f)) {
		uint64_t start, end, off;
		char perms[8], path[256] = "";

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %255s", &start, &end, perms,
			   &off, path) < 4)
			continue;
		if (sp >= start && sp < end)
			stack_end = end;
		if (perms[2] != 'x' || path[0] != '/' || nr_maps == MAX_MAPS)
			continue;
		snprintf(map_paths[nr_maps], sizeof(map_paths[0]), "%s", path);
		maps[nr_maps] = (struct sym_unwind_map){ .start = start, .end = end, .pgoff = off };
		nr_maps++;
	}
	fclose(f);
	return stack_end;
}

/* Each unwinder with its registry of files, where the files of maps[] are looked up. */
static struct {
	struct sym_unwinder *u;
	struct sym_modules *mods;
} unwinders[8];

/* An unwinder whose registry looks for separate debug info along @debug_path (NULL: the default). */
struct sym_unwinder *unw_new(const char *debug_path)
{
	const struct sym_modules_opts o = { .debug_path = debug_path };

	for (size_t i = 0; i < sizeof(unwinders) / sizeof(unwinders[0]); i++) {
		if (unwinders[i].u)
			continue;
		cr_assert_eq(sym_modules__new(&o, &unwinders[i].mods), 0);
		unwinders[i].u = sym_unwinder__new(unwinders[i].mods);
		cr_assert_not_null(unwinders[i].u);
		return unwinders[i].u;
	}
	cr_assert_fail("too many unwinders");
	return NULL;
}

struct sym_modules *mods_of(const struct sym_unwinder *u)
{
	for (size_t i = 0; i < sizeof(unwinders) / sizeof(unwinders[0]); i++)
		if (unwinders[i].u == u)
			return unwinders[i].mods;
	cr_assert_fail("not an unwinder of unw_new()");
	return NULL;
}

void unw_free(struct sym_unwinder *u)
{
	for (size_t i = 0; i < sizeof(unwinders) / sizeof(unwinders[0]); i++) {
		if (unwinders[i].u != u)
			continue;
		sym_unwinder__free(u);
		sym_modules__free(unwinders[i].mods);
		unwinders[i].u = NULL;
		unwinders[i].mods = NULL;
	}
}

/* The file at @path from @u's registry, as the symbolizer would give it (NULL: not an ELF file). */
struct sym_elf *elf_of(struct sym_unwinder *u, const char *path)
{
	struct sym_module_key k = { .path = path };
	uint32_t flags = 0;
	char *why = NULL;
	struct sym_elf *e = sym_modules__find(mods_of(u), &k, &flags, &why);

	free(why);
	return e;
}

/* sym_unwinder__set_maps() with maps[], their files from @u's registry. */
int unw_set_maps(struct sym_unwinder *u, int32_t pid, uint64_t generation)
{
	for (size_t i = 0; i < nr_maps; i++)
		maps[i].elf = elf_of(u, map_paths[i]);
	return sym_unwinder__set_maps(u, pid, generation, maps, nr_maps);
}

/* A plain byte copy: the sanitizers must not see it read other frames' redzones. */
__attribute__((no_sanitize_address, noinline)) static void copy_stack(uint8_t *dst, const uint8_t *src,
								     size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = ((const volatile uint8_t *)src)[i];
}

__attribute__((noinline)) void unw_capture__take(struct unw_capture *c)
{
	const greg_t *g;
	uint64_t end;

	memset(&c->uc, 0, sizeof(c->uc));
	cr_assert_eq(getcontext(&c->uc), 0);
	g = c->uc.uc_mcontext.gregs;
	c->sp = (uint64_t)g[REG_RSP];
	end = read_maps(c->sp);
	cr_assert_gt(end, c->sp, "no mapping holds the stack pointer");
	c->size = end - c->sp < c->limit ? end - c->sp : c->limit;
	c->stack = malloc(c->size ? c->size : 1);
	cr_assert_not_null(c->stack);
	copy_stack(c->stack, (const uint8_t *)(uintptr_t)c->sp, c->size);

	/* The registers as REGS_USER would hold them: one value per mask bit, lowest bit first. */
	{
		const struct { int perf; int greg; } order[] = {
			{ P_AX, REG_RAX }, { P_BX, REG_RBX }, { P_CX, REG_RCX }, { P_DX, REG_RDX },
			{ P_SI, REG_RSI }, { P_DI, REG_RDI }, { P_BP, REG_RBP }, { P_SP, REG_RSP },
			{ P_IP, REG_RIP }, { P_R8, REG_R8 }, { P_R8 + 1, REG_R9 }, { P_R8 + 2, REG_R10 },
			{ P_R8 + 3, REG_R11 }, { P_R8 + 4, REG_R12 }, { P_R8 + 5, REG_R13 },
			{ P_R8 + 6, REG_R14 }, { P_R8 + 7, REG_R15 },
		};
		size_t k = 0;

		c->mask = 0;
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			c->mask |= 1ull << order[i].perf;
			c->regs[k++] = (uint64_t)g[order[i].greg];
		}
	}
}

struct sym_unwind_sample sample_of(const struct unw_capture *c)
{
	return (struct sym_unwind_sample){
		.pid = getpid(),
		.tid = getpid(),
		.regs_abi = PERF_SAMPLE_REGS_ABI_64,
		.regs_mask = c->mask,
		.regs = c->regs,
		.stack = c->stack,
		.stack_size = c->size,
		.stack_dyn_size = c->size,
	};
}

/* Names of the frames' functions, looked up by libdw on the live process. */
static Dwfl *names_dwfl;
char *name_of(const struct sym_unwind_frame *f)
{
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_linux_proc_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
	};
	uint64_t pc = f->is_activation ? f->pc : f->pc - 1;
	Dwfl_Module *mod;
	const char *name;

	if (!names_dwfl) {
		names_dwfl = dwfl_begin(&cb);
		cr_assert_not_null(names_dwfl);
		cr_assert_eq(dwfl_linux_proc_report(names_dwfl, getpid()), 0);
		cr_assert_eq(dwfl_report_end(names_dwfl, NULL, NULL), 0);
	}
	mod = dwfl_addrmodule(names_dwfl, pc);
	name = mod ? dwfl_module_addrname(mod, pc) : NULL;
	if (!name && mod) {
		/* a stripped library (libc without its -dbg package): "?libc.so.6" */
		const char *file = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		const char *base = file ? strrchr(file, '/') : NULL;
		char *s;

		cr_assert_geq(asprintf(&s, "?%s", base ? base + 1 : file ? file : ""), 0);
		return s;
	}
	return strdup(name ? name : "?");
}

/* Index of the first frame at or after @from whose name starts with @name, or -1. */
int find_frame(char **list, size_t n, size_t from, const char *name)
{
	bool root = !strcmp(name, ROOT_CALLER);

	for (size_t i = from; i < n; i++) {
		if (!strncmp(list[i], name, strlen(name)) ||
		    (root && !strncmp(list[i], ROOT_CALLER_STRIPPED, strlen(ROOT_CALLER_STRIPPED))))
			return (int)i;
	}
	return -1;
}


void dump(char **list, const struct sym_unwind_frame *fr, size_t n, const struct sym_unwind_result *res)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  #%zu 0x%" PRIx64 "%s %s\n", i, fr[i].pc, fr[i].is_activation ? "*" : "",
			list[i]);
	fprintf(stderr, "  stop: %s %s\n", sym_unwind_stop__name(res->stop), res->errmsg);
}

struct sym_unwind_frame frames[MAX_FRAMES];
char *names[MAX_FRAMES];

int unwind_capture(struct sym_unwinder *u, const struct unw_capture *c, size_t max,
			  struct sym_unwind_result *res)
{
	struct sym_unwind_sample s = sample_of(c);
	int n;

	cr_assert_eq(unw_set_maps(u, s.pid, 1), 0);
	n = sym_unwinder__unwind(u, &s, frames, max, res);
	cr_assert_geq(n, 0, "unwind: %s", strerror(-n));
	cr_assert_eq((size_t)n, res->nr_frames);
	for (int i = 0; i < n; i++)
		names[i] = name_of(&frames[i]);
	return n;
}

/* The @nth 8-byte slot of @c's stack copy holding @value, from SP up; NULL if there are fewer. */
uint8_t *nth_slot(struct unw_capture *c, uint64_t value, int nth)
{
	for (size_t off = 0; off + 8 <= c->size; off += 8) {
		uint64_t v;

		memcpy(&v, c->stack + off, 8);
		if (v == value && nth-- == 0)
			return c->stack + off;
	}
	return NULL;
}

/* The stack copy's slot (its offset) holding @c's return address @ra, the first from SP up. */
size_t ra_slot(struct unw_capture *c, uint64_t ra)
{
	uint8_t *slot = nth_slot(c, ra, 0);

	cr_assert_not_null(slot, "return address 0x%" PRIx64 " is not in the copy", ra);
	return (size_t)(slot - c->stack);
}
