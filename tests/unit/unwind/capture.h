/* SPDX-License-Identifier: MIT */
/*
 * Samples taken from this very process, for the unwinder's tests, no kernel needed: getcontext()
 * gives the registers, a copy of the stack from SP upward plays the kernel's stack copy, and
 * /proc/self/maps gives the mappings, whose files come from a registry per unwinder as the
 * symbolizer's do.  libdw's own /proc reporting names the pcs.
 */
#ifndef FREC_TEST_UNWIND_CAPTURE_H
#define FREC_TEST_UNWIND_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#include "sym_modules.h"
#include "unwind.h"

/* perf register numbers, asm/perf_regs.h */
enum { P_AX, P_BX, P_CX, P_DX, P_SI, P_DI, P_BP, P_SP, P_IP, P_R8 = 16 };

struct unw_capture {
	size_t limit;        /* bytes of stack to copy at most */
	ucontext_t uc;
	uint64_t sp;
	uint8_t *stack;
	size_t size;
	uint64_t regs[32];
	uint64_t mask;
};

#define MAX_MAPS 512
/* Executable file mappings of this process (read_maps()), their files' paths beside them. */
extern struct sym_unwind_map maps[MAX_MAPS];
extern char map_paths[MAX_MAPS][256];
extern size_t nr_maps;

/* Executable file mappings of this process into maps[], and the end of the mapping that holds @sp. */
uint64_t read_maps(uint64_t sp);

/* An unwinder whose registry looks for separate debug info along @debug_path (NULL: the default). */
struct sym_unwinder *unw_new(const char *debug_path);
/* Its registry. */
struct sym_modules *mods_of(const struct sym_unwinder *u);
/* Free it and its registry. */
void unw_free(struct sym_unwinder *u);
/* The file at @path from @u's registry, as the symbolizer would give it (NULL: not an ELF file). */
struct sym_elf *elf_of(struct sym_unwinder *u, const char *path);
/* sym_unwinder__set_maps() with maps[], their files from @u's registry. */
int unw_set_maps(struct sym_unwinder *u, int32_t pid, uint64_t generation);

/* @c as the kernel would sample it: this process's pid, its registers, its stack copy. */
struct sym_unwind_sample sample_of(const struct unw_capture *c);

/* The name of @f's function, looked up by libdw on the live process; "?lib" without a symbol. */
char *name_of(const struct sym_unwind_frame *f);

/*
 * The process root.  Criterion's sandbox (BoxFort) patches main() to enter its own code in the
 * test's process, so "main" is not a symbol on this stack: what main's caller is, is.  Without
 * libc's debug symbols (no libc6-dbg) that local function has no name: any libc frame is it.
 */
#define ROOT_CALLER "__libc_start_call_main"
#define ROOT_CALLER_STRIPPED "?libc.so"

/* Index of the first frame at or after @from whose name starts with @name, or -1. */
int find_frame(char **list, size_t n, size_t from, const char *name);

/* Print the frames and why the walk stopped (for failing tests). */
void dump(char **list, const struct sym_unwind_frame *fr, size_t n, const struct sym_unwind_result *res);

#define MAX_FRAMES 1024
extern struct sym_unwind_frame frames[MAX_FRAMES];
extern char *names[MAX_FRAMES];

/* Unwind @c with @u (its maps set first) into frames[] and names[]; the number of frames. */
int unwind_capture(struct sym_unwinder *u, const struct unw_capture *c, size_t max, struct sym_unwind_result *res);

/* The @nth 8-byte slot of @c's stack copy holding @value, from SP up; NULL if there are fewer. */
uint8_t *nth_slot(struct unw_capture *c, uint64_t value, int nth);

/* The stack copy's slot (its offset) holding @c's return address @ra, the first from SP up. */
size_t ra_slot(struct unw_capture *c, uint64_t ra);

#endif /* FREC_TEST_UNWIND_CAPTURE_H */
