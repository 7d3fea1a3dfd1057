// SPDX-License-Identifier: GPL-2.0
/* Intervals kept in memory while the store cannot take them, and when to
 * try again. */
#include <stdlib.h>
#include <string.h>
#include "record/retry.h"

double retry_backoff_s(unsigned int failed, double first_s, double max_s)
{
	double s = first_s;

	if (failed > 1)
		while (--failed && s < max_s)
			s *= 2;
	return s < max_s ? s : max_s;
}

/* A copy of n elements of size sz (NULL for none); *ok false when out of
 * memory. */
static void *dup_array(const void *p, size_t n, size_t sz, size_t *bytes, bool *ok)
{
	void *c;

	if (!p || !n)
		return NULL;
	c = malloc(n * sz);
	if (!c) {
		*ok = false;
		return NULL;
	}
	memcpy(c, p, n * sz);
	*bytes += n * sz;
	return c;
}

static void item_free(struct retry_item *it)
{
	free((void *)it->d.procs);
	free((void *)it->d.cgs);
	free((void *)it->d.devs);
	free((void *)it->d.busy);
	free((void *)it->d.ns);
	free((void *)it->d.nsv);
	memset(it, 0, sizeof(*it));
}

const struct interval_data *retry_front(struct retry_queue *q)
{
	struct retry_item *it = q->v;

	if (!q->n)
		return NULL;
	/* the items move (realloc, pop): their own copies are pointed at here */
	it->d.host = it->has_host ? &it->host : NULL;
	it->d.self = it->has_self ? &it->self : NULL;
	return &it->d;
}

void retry_pop(struct retry_queue *q)
{
	if (!q->n)
		return;
	q->bytes -= q->v[0].bytes;
	item_free(&q->v[0]);
	memmove(&q->v[0], &q->v[1], (q->n - 1) * sizeof(*q->v));
	q->n--;
}

int retry_push(struct retry_queue *q, const struct interval_data *d)
{
	size_t max = q->max_bytes ? q->max_bytes : RETRY_MAX_BYTES;
	struct retry_item it = { .d = *d, .bytes = sizeof(it) };
	bool ok = true;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 16;
		struct retry_item *v = realloc(q->v, cap * sizeof(*v));

		if (!v)
			return -1;
		q->v = v;
		q->cap = cap;
	}
	it.d.procs = dup_array(d->procs, d->nprocs, sizeof(*d->procs), &it.bytes, &ok);
	it.d.cgs = dup_array(d->cgs, d->ncgs, sizeof(*d->cgs), &it.bytes, &ok);
	it.d.devs = dup_array(d->devs, d->ndevs, sizeof(*d->devs), &it.bytes, &ok);
	it.d.busy = dup_array(d->busy, d->nbusy, sizeof(*d->busy), &it.bytes, &ok);
	it.d.ns = dup_array(d->ns, d->nns, sizeof(*d->ns), &it.bytes, &ok);
	it.d.nsv = dup_array(d->nsv, d->nnsv, sizeof(*d->nsv), &it.bytes, &ok);
	if (!ok) {
		item_free(&it);
		return -1;
	}
	it.has_host = d->host;
	if (d->host)
		it.host = *d->host;
	it.has_self = d->self;
	if (d->self)
		it.self = *d->self;
	it.d.host = NULL; /* set by retry_front */
	it.d.self = NULL;
	q->v[q->n++] = it;
	q->bytes += it.bytes;
	while (q->n > 1 && q->bytes > max) {
		retry_pop(q);
		q->dropped++;
	}
	return 0;
}

void retry_free(struct retry_queue *q)
{
	while (q->n)
		retry_pop(q);
	free(q->v);
	memset(q, 0, sizeof(*q));
}
