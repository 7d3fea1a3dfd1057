// SPDX-License-Identifier: GPL-2.0
/* Runs of rows in the BPF array of unwind rows (pool.h). */
#include <stdlib.h>
#include <string.h>
#include "unwind/pool.h"

void pool_init(struct pool *p, uint32_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = size;
}

/* Where free run i begins and how long it is: the run before used[i]
 * (i == n: after the last). */
static void gap(const struct pool *p, size_t i, uint32_t *start, uint32_t *len)
{
	uint32_t lo = i ? p->used[i - 1].first + p->used[i - 1].count : 0;
	uint32_t hi = i < p->n ? p->used[i].first : p->size;

	*start = lo;
	*len = hi - lo;
}

int pool_alloc(struct pool *p, uint32_t count, uint32_t *first)
{
	uint32_t start, len;
	size_t i;

	if (!count)
		return -1;
	for (i = 0; i <= p->n; i++) {
		gap(p, i, &start, &len);
		if (len < count)
			continue;
		if (p->n == p->cap) {
			size_t cap = p->cap ? 2 * p->cap : 64;
			struct pool_extent *g = realloc(p->used, cap * sizeof(*g));

			if (!g)
				return -1;
			p->used = g;
			p->cap = cap;
		}
		memmove(&p->used[i + 1], &p->used[i], (p->n - i) * sizeof(*p->used));
		p->used[i] = (struct pool_extent){ start, count };
		p->n++;
		p->rows_used += count;
		*first = start;
		return 0;
	}
	return -1;
}

void pool_free(struct pool *p, uint32_t first)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->used[i].first != first)
			continue;
		p->rows_used -= p->used[i].count;
		memmove(&p->used[i], &p->used[i + 1], (p->n - i - 1) * sizeof(*p->used));
		p->n--;
		return;
	}
}

uint32_t pool_largest_free(const struct pool *p)
{
	uint32_t start, len, best = 0;
	size_t i;

	for (i = 0; i <= p->n; i++) {
		gap(p, i, &start, &len);
		if (len > best)
			best = len;
	}
	return best;
}

void pool_release(struct pool *p)
{
	free(p->used);
	memset(p, 0, sizeof(*p));
}
