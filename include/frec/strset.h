/* SPDX-License-Identifier: MIT */
/*
 * Interned strings with dense ids (0, 1, 2, ...); id 0 is always the empty string.  Ids survive
 * growth (unlike pointers), so tables refer to strings by id.  Not thread-safe.
 */
#ifndef FREC_STRSET_H
#define FREC_STRSET_H

#include <stddef.h>
#include <stdint.h>

struct frec_strset;

/** frec_strset__new() - an empty set holding only "" (id 0).  NULL means -ENOMEM. */
struct frec_strset *frec_strset__new(void);
/** frec_strset__free() - release the set; accepts NULL. */
void frec_strset__free(struct frec_strset *s);

/**
 * frec_strset__add() - intern @len bytes at @str (need not be NUL-terminated; must not contain NUL).
 * Returns the string's id (>= 0), the same id for the same bytes, or -ENOMEM.
 */
int frec_strset__add(struct frec_strset *s, const char *str, size_t len);

/** frec_strset__add_str() - frec_strset__add() of a NUL-terminated string. */
int frec_strset__add_str(struct frec_strset *s, const char *str);

/** frec_strset__find() - id of @str if interned, else -ENOENT. */
int frec_strset__find(const struct frec_strset *s, const char *str, size_t len);

/** frec_strset__str() - the NUL-terminated string of @id; valid until the next add.  NULL if out of range. */
const char *frec_strset__str(const struct frec_strset *s, uint32_t id);

/** frec_strset__len() - length of string @id. */
size_t frec_strset__len(const struct frec_strset *s, uint32_t id);

/**
 * frec_strset__trim() - release the index that finds strings by their bytes (4 bytes a slot, at
 * least two slots a string), for a set that will be read, not added to: the next add or find
 * builds it again.
 */
void frec_strset__trim(struct frec_strset *s);

/** frec_strset__count() - number of strings, including "". */
uint32_t frec_strset__count(const struct frec_strset *s);

#endif /* FREC_STRSET_H */
