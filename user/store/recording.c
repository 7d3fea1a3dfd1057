// SPDX-License-Identifier: GPL-2.0
/* A recording in memory: series lookup and construction. */
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

struct series *rec_add(struct recording *r, char kind, const char *entity, const char *metric,
		       const double *t, const double *v, size_t n)
{
	struct series *s, *grown;

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
	s = &r->s[r->n];
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
	s->n = n;
	s->kind = kind;
	snprintf(s->entity, sizeof(s->entity), "%s", entity);
	snprintf(s->metric, sizeof(s->metric), "%s", metric);
	if (r->n && series_cmp(s->kind, s->entity, s->metric, &r->s[r->n - 1]) <= 0)
		r->unsorted = true;
	r->n++;
	return s;
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
		free(r->s[i].t);
		free(r->s[i].v);
	}
	free(r->s);
	free(r->folded);
	memset(r, 0, sizeof(*r));
}
