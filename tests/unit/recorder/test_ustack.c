// SPDX-License-Identifier: MIT
/*
 * rec_tcb__find(): a glibc thread's descriptor in a copy of its stack, on synthetic copies and on a
 * real thread's own stack.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "frec/recorder.h"

/* A synthetic thread stack copied from SP up: frames, static TLS, then the descriptor. */
#define SP 0x7f5a3c000e40ull
#define LEN 8192u
#define TCB (SP + 0x1200)      /* 64-byte aligned */
#define HEAD (TCB + 0x2e0)     /* glibc 2.36's robust list head */
#define DTV 0x5581a0e3c2b0ull

static uint64_t copy[LEN / 8];

static void put(uint64_t addr, uint64_t v)
{
	memcpy((uint8_t *)copy + (addr - SP), &v, 8);
}

static void build(void)
{
	memset(copy, 0, sizeof(copy));
	for (uint64_t a = SP; a < TCB - 0x740; a += 8) /* frames: return addresses, saved values */
		put(a, 0x55d6fae6f3e2ull + a % 0x100);
	put(TCB - 0x40, 0x7f5a3c123450ull);           /* a TLS variable */
	put(TCB, TCB);                                 /* tcbhead_t.tcb */
	put(TCB + 8, DTV);                             /* .dtv */
	put(TCB + 16, TCB);                            /* .self */
	put(TCB + 24, 1);                              /* .multiple_threads */
	put(TCB + 40, 0xe5bc597bcaedf100ull);          /* .stack_guard */
	put(HEAD, HEAD);                               /* an empty robust list points to itself */
}

static uint64_t find(size_t len, uint64_t head)
{
	return rec_tcb__find((const uint8_t *)copy, len, SP, head);
}

Test(tcb, found_below_its_robust_list_head)
{
	build();
	cr_assert_eq(find(LEN, HEAD), TCB);
	/* the copy needs to hold the head's three words, no more */
	cr_assert_eq(find(HEAD - SP + 24, HEAD), TCB);
	cr_assert_eq(find(HEAD - SP + 23, HEAD), 0);
	cr_assert_eq(find(TCB - SP + 24, HEAD), 0, "a copy that ends before the head proves nothing");
}

Test(tcb, frames_and_tls_below_do_not_count)
{
	build();
	/* a frame or TLS variable that looks like a TCB lies below the real one: the highest wins */
	put(TCB - 0x100, TCB - 0x100);
	put(TCB - 0x100 + 8, DTV);
	put(TCB - 0x100 + 16, TCB - 0x100);
	cr_assert_eq(find(LEN, HEAD), TCB);
}

Test(tcb, the_first_self_pointer_decides)
{
	/* A descriptor that is not glibc's (musl's third word is a list link): no cut, even with a
	 * TCB-like structure below it. */
	build();
	put(TCB + 16, TCB + 0x4000);
	put(TCB - 0x100, TCB - 0x100);
	put(TCB - 0x100 + 8, DTV);
	put(TCB - 0x100 + 16, TCB - 0x100);
	cr_assert_eq(find(LEN, HEAD), 0);
	/* nor without a DTV */
	build();
	put(TCB + 8, 0);
	cr_assert_eq(find(LEN, HEAD), 0);
}

Test(tcb, only_aligned_and_near_the_head)
{
	/* a self-pointer that is not 64-byte aligned is not a TCB */
	build();
	put(TCB, 0);
	put(TCB + 16, 0);
	put(TCB + 32, TCB + 32);
	put(TCB + 32 + 16, TCB + 32);
	put(TCB + 32 + 8, DTV);
	cr_assert_eq(find(LEN, HEAD), 0);
	/* a head more than 1 KiB above the TCB belongs to something else */
	build();
	cr_assert_eq(find(LEN, TCB + 0x400), TCB);
	cr_assert_eq(find(LEN, TCB + 0x408), 0);
}

Test(tcb, heads_outside_the_copy)
{
	build();
	cr_assert_eq(find(LEN, 0), 0);
	cr_assert_eq(find(LEN, SP), 0);
	cr_assert_eq(find(LEN, SP - 8), 0);
	cr_assert_eq(find(LEN, SP + LEN), 0);
	cr_assert_eq(find(LEN, UINT64_MAX), 0);
	cr_assert_eq(find(0, HEAD), 0);
	cr_assert_eq(find(16, SP + 8), 0);
	/* a head just above the copy's start: nothing to scan below it */
	cr_assert_eq(find(LEN, SP + 8), 0);
	cr_assert_eq(rec_tcb__find((const uint8_t *)copy, 64, UINT64_MAX - 32, UINT64_MAX - 8), 0);
	memset(copy, 0, 64);
	cr_assert_eq(rec_tcb__find((const uint8_t *)copy, 64, 0, 8), 0);
	cr_assert_eq(rec_tcb__find((const uint8_t *)copy, 64, 64, 72), 0);
}

/* Copy @n bytes of this thread's stack as the kernel would, redzones of the sanitizers included. */
#if defined(__has_attribute)
#if __has_attribute(no_sanitize_address)
__attribute__((no_sanitize_address))
#endif
#endif
static void copy_stack(uint8_t *to, const volatile uint8_t *from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		to[i] = from[i];
}

/* A real thread: its stack from this frame up to its robust list head. */
static void *own_stack(void *arg)
{
	uint64_t *found = arg;
	void *head = NULL;
	size_t len = 0;
	/* the frame, not a local's address: a sanitizer may keep locals elsewhere */
	uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0) & ~7ull;

	if (syscall(SYS_get_robust_list, 0, &head, &len) || !head)
		return NULL;
	found[1] = (uint64_t)(uintptr_t)head;
	if ((uintptr_t)head <= sp || (uintptr_t)head - sp + 24 > LEN)
		return NULL;
	copy_stack((uint8_t *)copy, (const volatile uint8_t *)(uintptr_t)sp, (uintptr_t)head - sp + 24);
	found[0] = rec_tcb__find((const uint8_t *)copy, (uintptr_t)head - sp + 24, sp, (uintptr_t)head);
	return NULL;
}

Test(tcb, a_real_thread)
{
	uint64_t found[2] = { 0, 0 };
	pthread_t t;

	cr_assert_eq(pthread_create(&t, NULL, own_stack, found), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_neq(found[1], 0, "glibc registered no robust list for the thread");
	cr_assert_eq(found[0], (uint64_t)(uintptr_t)t, "the descriptor is pthread_self()");
}
