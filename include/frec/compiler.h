/* SPDX-License-Identifier: MIT */
/*
 * Small compiler helpers shared by every stage.
 */
#ifndef FREC_COMPILER_H
#define FREC_COMPILER_H

#include <stddef.h>

#define FREC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FREC_ALIGN(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define FREC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FREC_MAX(a, b) ((a) > (b) ? (a) : (b))

#define frec_likely(x) __builtin_expect(!!(x), 1)
#define frec_unlikely(x) __builtin_expect(!!(x), 0)
#define frec_printf(a, b) __attribute__((format(printf, a, b)))
#define frec_unused __attribute__((unused))

#endif /* FREC_COMPILER_H */
