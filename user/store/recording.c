// SPDX-License-Identifier: GPL-2.0
/* A recording in memory: series lookup and construction. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/recording.h"

int series_cmp(char kind, const char *entity, const char *metric, const struct series *s)
{
	int c;

	if (kind != s->kind)
		return kind < s->kind ? -1 : 1;
	c = strcmp(entity, s->entity);
	return c ? c : strcmp(metric, s->metric);
}

const struct series *rec_find(const struct recording *r, char kind, const char *entity,
			      const char *metric)
{
	size_t i, lo = 0, hi = r->n;

	if (!r->unsorted) {
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = series_cmp(kind, entity, metric, &r->s[mid]);

			if (!c)
				return &r->s[mid];
			if (c > 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return NULL;
	}
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];

		if (s->kind == kind && !strcmp(s->entity, entity) && !strcmp(s->metric, metric))
			return s;
	}
	return NULL;
}

struct rec_chunk {
	struct rec_chunk *next;
	size_t used, cap;
	char data[];
};

#define CHUNK_BYTES (64 * 1024)

const char *rec_str(struct recording *r, const char *str)
{
	size_t len = strlen(str) + 1;
	struct rec_chunk *c = r->strs;
	char *p;

	if (!c || c->cap - c->used < len) {
		size_t cap = len > CHUNK_BYTES ? len : CHUNK_BYTES;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = r->strs;
		r->strs = c;
	}
	p = c->data + c->used;
	memcpy(p, str, len);
	c->used += len;
	return p;
}

/* A name for a new series: the previous series' copy when it is the same
 * (the series of one entity come together), else a new one. */
static const char *name_of(struct recording *r, const char *str, bool entity)
{
	size_t i;

	for (i = r->n; i > 0 && i + 8 > r->n; i--) {
		const char *prev = entity ? r->s[i - 1].entity : r->s[i - 1].metric;

		if (!strcmp(prev, str))
			return prev;
	}
	return rec_str(r, str);
}

static struct series *grow(struct recording *r)
{
	struct series *grown;

	if (r->n >= r->cap) {
		size_t cap = r->cap < 16 ? 16 : r->cap * 2;

		while (cap < r->n + 1)
			cap *= 2;
		grown = realloc(r->s, cap * sizeof(*r->s));
		if (!grown)
			return NULL;
		r->s = grown;
		r->cap = cap;
	}
	return &r->s[r->n];
}

int rec_reserve(struct recording *r, size_t n)
{
	struct series *grown;

	if (n <= r->cap)
		return 0;
	grown = realloc(r->s, n * sizeof(*r->s));
	if (!grown)
		return -1;
	r->s = grown;
	r->cap = n;
	return 0;
}

static void finish(struct recording *r, struct series *s, char kind, size_t n)
{
	s->n = n;
	s->kind = kind;
	s->comm = s->cgroup = s->pcomm = "";
	if (r->n && series_cmp(s->kind, s->entity, s->metric, &r->s[r->n - 1]) <= 0)
		r->unsorted = true;
	r->n++;
}

struct series *rec_add(struct recording *r, char kind, const char *entity, const char *metric,
		       const double *t, const double *v, size_t n)
{
	const char *e = name_of(r, entity, true), *m = name_of(r, metric, false);
	struct series *s = grow(r);

	if (!s || !e || !m)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->t = malloc((n ? n : 1) * sizeof(double));
	s->v = malloc((n ? n : 1) * sizeof(double));
	if (!s->t || !s->v) {
		free(s->t);
		free(s->v);
		return NULL;
	}
	if (n) {
		memcpy(s->t, t, n * sizeof(double));
		memcpy(s->v, v, n * sizeof(double));
	}
	s->entity = e;
	s->metric = m;
	finish(r, s, kind, n);
	return s;
}

struct series *rec_add_shared(struct recording *r, char kind, const char *entity,
			      const char *metric, double *t, double *v, size_t n)
{
	struct series *s = grow(r);

	if (!s) {
		free(v);
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->t = t;
	s->v = v;
	s->t_shared = true;
	s->entity = entity;
	s->metric = metric;
	finish(r, s, kind, n);
	return s;
}

int rec_set_names(struct recording *r, struct series *s, const char *comm, const char *cgroup,
		  const char *pcomm)
{
	if (comm && !(s->comm = rec_str(r, comm)))
		return -1;
	if (cgroup && !(s->cgroup = rec_str(r, cgroup)))
		return -1;
	if (pcomm && !(s->pcomm = rec_str(r, pcomm)))
		return -1;
	return 0;
}

const char *recording_proc_key(uint32_t pid, int64_t start_ms, char *buf, size_t len)
{
	if (start_ms)
		snprintf(buf, len, "%u@%lld", pid, (long long)start_ms);
	else
		snprintf(buf, len, "%u", pid);
	return buf;
}

void recording_free(struct recording *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (!r->s[i].t_shared)
			free(r->s[i].t);
		free(r->s[i].v);
	}
	while (r->strs) {
		struct rec_chunk *next = r->strs->next;

		free(r->strs);
		r->strs = next;
	}
	free(r->s);
	free(r->times);
	free(r->folded);
	memset(r, 0, sizeof(*r));
}
