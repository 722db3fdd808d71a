/* SPDX-License-Identifier: MIT */
/*
 * Frame-pointer analysis of x86_64 machine code with capstone.
 *
 * A frame-pointer callchain is only as good as the code it walks: it is sound for a frame whose
 * function made %rbp its frame pointer (push %rbp; mov %rsp,%rbp) and is past that setup.  Three
 * cases break it, each losing the caller of the frame concerned:
 *   - the function never sets up a frame (-fomit-frame-pointer, most distribution libraries, and
 *     leaf functions under gcc's -momit-leaf-frame-pointer);
 *   - the sample landed before the setup completed (at the push, or between push and mov): %rbp is
 *     still the caller's, so the walk starts at the caller's caller;
 *   - the sample landed on the ret after the frame was torn down (pop %rbp or leave): same.
 * In the last two, and for frameless leaves that never touch %rsp or %rbp, the return address is
 * still on the stack at a known place ([sp] or [sp + 8]), so a stack copy of a few bytes repairs
 * the chain.
 *
 * Private to the symbolizer.
 */
#ifndef FREC_SYM_FPCHECK_H
#define FREC_SYM_FPCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** What a frame-pointer walk sees at one pc of a function. */
enum sym_fp_state {
	SYM_FP_UNKNOWN,     /* the code could not be decoded */
	SYM_FP_NO_FRAME,    /* the function never makes %rbp its frame pointer: the caller is lost */
	SYM_FP_BEFORE_PUSH, /* at or before push %rbp, or on the ret of a torn-down frame:
			     * the return address is at [sp] */
	SYM_FP_AFTER_PUSH,  /* between push %rbp and mov %rsp,%rbp: the return address is at [sp + 8] */
	SYM_FP_FRAME,       /* %rbp is this function's frame pointer: the walk is sound */
	SYM_FP_LEAF,        /* a function that neither moves %rsp nor writes %rbp (a leaf needing no
			     * stack, which gcc leaves frameless even with -fno-omit-frame-pointer):
			     * the return address is at [sp] and %rbp is still the caller's */
};

/** sym_fp_state__name() - "no frame", "before push", ...; never NULL. */
const char *sym_fp_state__name(enum sym_fp_state st);

/** The prologue of one function, as found by sym_fpcheck__analyze(). */
struct sym_fp_func {
	bool decoded;     /* false: nothing could be decoded (state is UNKNOWN everywhere) */
	bool has_frame;   /* push %rbp, then mov %rsp,%rbp with %rsp unchanged in between */
	uint32_t push_off; /* offset of push %rbp from the function start (valid with has_frame) */
	uint32_t frame_off; /* offset of the first instruction after mov %rsp,%rbp */
	bool no_stack;     /* no frame, and no instruction but ret moves %rsp or writes %rbp */
};

struct sym_fpcheck;

/**
 * sym_fpcheck__new() - a capstone x86_64 decoder and an empty per-function cache.
 * Returns 0 and sets *@out (free with sym_fpcheck__free()), -ENOMEM, or -FREC_E_CAPSTONE.
 */
int sym_fpcheck__new(struct sym_fpcheck **out);

/** sym_fpcheck__free() - accepts NULL. */
void sym_fpcheck__free(struct sym_fpcheck *c);

/**
 * sym_fpcheck__analyze() - find the frame-pointer prologue of the function whose @size bytes of
 * code are at @code.  Not cached.  Fills @out; returns 0, or -FREC_E_CAPSTONE when not even the
 * first instruction decodes (then @out->decoded is false).
 */
int sym_fpcheck__analyze(struct sym_fpcheck *c, const uint8_t *code, size_t size, struct sym_fp_func *out);

/**
 * sym_fpcheck__func() - sym_fpcheck__analyze() cached under @key, a caller-chosen id of the
 * function that must be unique across files (e.g. a file id in the top 16 bits and the function's
 * file address below).  @code is only read on the first call for @key.  Returns as
 * sym_fpcheck__analyze(), or -ENOMEM.
 */
int sym_fpcheck__func(struct sym_fpcheck *c, uint64_t key, const uint8_t *code, size_t size,
		      struct sym_fp_func *out);

/**
 * sym_fp_func__state() - the state at offset @off into function @f, whose code (@size bytes at
 * @code, or NULL if unavailable) is used to recognise a ret at @off.  For a return address pass
 * the offset of the call, i.e. of pc - 1.
 */
enum sym_fp_state sym_fp_func__state(const struct sym_fp_func *f, const uint8_t *code, size_t size,
				     uint64_t off);

/**
 * sym_fp_state__return_address() - the return address a frame-pointer walk skipped in state @st,
 * read from the stack copy (@stack, @size bytes, starting at the sampled SP).
 * Returns true and sets *@ra for BEFORE_PUSH, LEAF and AFTER_PUSH when the copy covers the slot.
 */
bool sym_fp_state__return_address(enum sym_fp_state st, const uint8_t *stack, size_t size, uint64_t *ra);

/** Counts of a whole ELF file's functions (sym_fpcheck__elf()). */
struct sym_fp_summary {
	uint64_t functions;  /* functions examined */
	uint64_t with_frame; /* ... that set up %rbp as frame pointer */
};

struct Elf;

/**
 * sym_fpcheck__elf() - examine every sized function symbol (.symtab, else .dynsym) of @elf that
 * lies in an executable section.  Returns 0, -FREC_E_ELF, or -FREC_E_CAPSTONE.  A file keeps frame
 * pointers when most of its functions do: small leaf functions legitimately have none.
 */
int sym_fpcheck__elf(struct sym_fpcheck *c, struct Elf *elf, struct sym_fp_summary *out);

#endif /* FREC_SYM_FPCHECK_H */
