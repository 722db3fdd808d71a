/* SPDX-License-Identifier: MIT */
/*
 * Functions built with -O2 -fomit-frame-pointer (fixture_nofp.c) for the unwinder's tests: only
 * CFI can walk through them.  The innermost one calls unw_capture__take(), defined by the test,
 * which snapshots the registers and the stack as a perf sample would.
 */
#ifndef FREC_TEST_UNWIND_FIXTURE_H
#define FREC_TEST_UNWIND_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

/* gcc's noipa keeps a call a call (no inlining, cloning or interprocedural shortcuts); clang
 * lacks it, noinline is the nearest. */
#if defined(__has_attribute)
#if __has_attribute(noipa)
#define UNW_NOIPA __attribute__((noipa))
#endif
#endif
#ifndef UNW_NOIPA
#define UNW_NOIPA __attribute__((noinline))
#endif

struct unw_capture;

/* Defined by the test: take the snapshot. */
void unw_capture__take(struct unw_capture *c);

/* outer -> middle (recursing @depth more times) -> inner -> unw_capture__take */
int unw_fixture_outer(struct unw_capture *c, int depth);
int unw_fixture_middle(struct unw_capture *c, int depth);
int unw_fixture_inner(struct unw_capture *c);

/* fixture_fp.c: built with frame pointers */
int fp_fixture_leaf(int x);
int fp_fixture_caller(int x);
/* fp_fixture_capture_outer -> fp_fixture_capture_mid -> unw_capture__take, all with frames */
int fp_fixture_capture_outer(struct unw_capture *c);
int fp_fixture_capture_mid(struct unw_capture *c);

#endif
