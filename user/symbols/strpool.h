/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strings kept in chunks of text that never move: one allocation for many
 * names instead of one each (a kernel has some 100,000 text symbols, a large
 * binary as many), all freed at once.
 */
#ifndef PP_STRPOOL_H
#define PP_STRPOOL_H

#include <stddef.h>

struct strpool_chunk;

struct strpool {
	struct strpool_chunk *chunks; /* the newest first */
	size_t bytes;                 /* the chunks' sizes, all told */
};

/* A copy of the len bytes at s, with a '\0' after them, kept in p; NULL on
 * no memory. */
char *strpool_addn(struct strpool *p, const char *s, size_t len);

/* A copy of s kept in p; NULL on no memory. */
char *strpool_add(struct strpool *p, const char *s);

/* Free every string of p; p is empty again. */
void strpool_free(struct strpool *p);

#endif
