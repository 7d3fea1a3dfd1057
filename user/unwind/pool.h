/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where tables go in the BPF array of unwind rows: each table takes a
 * contiguous run of rows [first, first + count) of a pool of `size` rows.
 * First fit; the caller evicts tables (least recently sampled first) when
 * nothing fits.
 */
#ifndef PP_UNWIND_POOL_H
#define PP_UNWIND_POOL_H

#include <stddef.h>
#include <stdint.h>

struct pool_extent {
	uint32_t first, count;
};

struct pool {
	uint32_t size;             /* rows in the pool */
	struct pool_extent *used;  /* sorted by first */
	size_t n, cap;
	uint64_t rows_used;
};

void pool_init(struct pool *p, uint32_t size);

/* Take count rows: 0 with *first set, or -1 when no free run is that long
 * (or count is 0 or no memory). */
int pool_alloc(struct pool *p, uint32_t count, uint32_t *first);

/* Give back the run that starts at first. */
void pool_free(struct pool *p, uint32_t first);

/* The longest free run. */
uint32_t pool_largest_free(const struct pool *p);

void pool_release(struct pool *p);

#endif
