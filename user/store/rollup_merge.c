// SPDX-License-Identifier: GPL-2.0
/* Merging the rows of one rollup step: values and their stats. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "store/rollup_merge.h"

static size_t hash(int64_t ent, int64_t met, size_t nslots)
{
	uint64_t k = ((uint64_t)ent << 20) ^ (uint64_t)met;

	k *= 0x9E3779B97F4A7C15ull;
	return (size_t)(k >> 17) & (nslots - 1);
}

long rm_map_get(const struct rm_map *m, int64_t ent, int64_t met)
{
	size_t h;

	if (!m->nslots)
		return -1;
	for (h = hash(ent, met, m->nslots); m->slot[h].idx; h = (h + 1) & (m->nslots - 1))
		if (m->slot[h].ent == ent && m->slot[h].met == met)
			return (long)m->slot[h].idx - 1;
	return -1;
}

static void place(struct rm_slot *slot, size_t nslots, int64_t ent, int64_t met, size_t idx1)
{
	size_t h;

	for (h = hash(ent, met, nslots); slot[h].idx; h = (h + 1) & (nslots - 1))
		;
	slot[h] = (struct rm_slot){ ent, met, idx1 };
}

int rm_map_put(struct rm_map *m, int64_t ent, int64_t met, size_t idx)
{
	if ((m->n + 1) * 2 > m->nslots) {
		size_t n = m->nslots ? m->nslots * 2 : 256, i;
		struct rm_slot *slot = calloc(n, sizeof(*slot));

		if (!slot)
			return -1;
		for (i = 0; i < m->nslots; i++)
			if (m->slot[i].idx)
				place(slot, n, m->slot[i].ent, m->slot[i].met, m->slot[i].idx);
		free(m->slot);
		m->slot = slot;
		m->nslots = n;
	}
	place(m->slot, m->nslots, ent, met, idx + 1);
	m->n++;
	return 0;
}

void rm_map_clear(struct rm_map *m)
{
	if (m->n)
		memset(m->slot, 0, m->nslots * sizeof(*m->slot));
	m->n = 0;
}

void rm_map_free(struct rm_map *m)
{
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

void rm_step_begin(struct rm_step *s, const struct rm_row *rows, size_t nrows)
{
	size_t i;

	s->rows = rows;
	s->nrows = nrows;
	s->merged = 0;
	s->length_ms = 0;
	for (i = 0; i < nrows; i++) {
		s->merged += rows[i].merged;
		s->length_ms += rows[i].length_ms;
	}
	s->n = 0;
	rm_map_clear(&s->map);
}

static struct rm_acc *acc_get(struct rm_step *s, int64_t ent, int64_t met, enum rm_kind kind,
			      bool *fresh)
{
	long i = rm_map_get(&s->map, ent, met);
	struct rm_acc *a;

	*fresh = i < 0;
	if (i >= 0)
		return &s->acc[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;

		a = realloc(s->acc, cap * sizeof(*a));
		if (!a)
			return NULL;
		s->acc = a;
		s->cap = cap;
	}
	if (rm_map_put(&s->map, ent, met, s->n))
		return NULL;
	a = &s->acc[s->n++];
	memset(a, 0, sizeof(*a));
	a->ent = ent;
	a->met = met;
	a->kind = kind;
	a->stat.min = INFINITY;
	a->stat.max = -INFINITY;
	return a;
}

/* Was the entity present in row r? Its span against the ids the row holds. */
static bool present(const struct rm_acc *a, const struct rm_row *r)
{
	return !a->has_span || (a->span.first <= r->id && a->span.last > r->prev);
}

/* A gauge's level over rows [a->done, end): the carried value, while the
 * entity is present. */
static void carry_to(struct rm_step *s, struct rm_acc *a, size_t end)
{
	for (; a->done < end; a->done++) {
		const struct rm_row *r = &s->rows[a->done];

		if (!a->has_level || !present(a, r))
			continue;
		a->stat.min = fmin(a->stat.min, a->level);
		a->stat.max = fmax(a->stat.max, a->level);
		a->wsum += a->level * (double)r->length_ms;
		a->weight += (double)r->length_ms;
	}
}

static void add_gauge(struct rm_step *s, struct rm_acc *a, size_t row, double v,
		      const struct rm_stat *stat)
{
	const struct rm_row *r = &s->rows[row];

	carry_to(s, a, row);
	if (a->done > row)
		return; /* a second value for the row: keep the first */
	a->stat.min = fmin(a->stat.min, stat ? stat->min : v);
	a->stat.max = fmax(a->stat.max, stat ? stat->max : v);
	a->wsum += (stat ? stat->mean : v) * (double)r->length_ms;
	a->weight += (double)r->length_ms;
	a->done = row + 1;
	a->level = v;
	a->has_level = true;
	a->value = v;
	a->has_sample = true;
}

static void add_counter(struct rm_step *s, struct rm_acc *a, size_t row, double v,
			const struct rm_stat *stat)
{
	int64_t merged = s->rows[row].merged;

	a->value = a->kind == RM_PEAK ? fmax(a->value, v) : a->value + v;
	a->covered += merged;
	if (stat) {
		/* two or more recorded intervals had a value */
		a->stat.min = fmin(a->stat.min, stat->min);
		a->stat.max = fmax(a->stat.max, stat->max);
		a->wsum += stat->mean * (double)merged;
		a->nz = 2;
	} else {
		/* at most one had: v, and 0 in the others */
		a->stat.min = fmin(a->stat.min, merged > 1 ? 0 : v);
		a->stat.max = fmax(a->stat.max, v);
		a->wsum += v;
		if (v != 0 && a->nz < 2)
			a->nz++;
	}
}

int rm_add(struct rm_step *s, size_t row, int64_t ent, int64_t met, enum rm_kind kind, double v,
	   const struct rm_stat *stat, const double *carried, const struct rm_span *span)
{
	bool fresh;
	struct rm_acc *a = acc_get(s, ent, met, kind, &fresh);

	if (!a)
		return -1;
	if (row >= s->nrows)
		return 0;
	if (kind == RM_GAUGE) {
		if (fresh) {
			a->has_level = carried != NULL;
			a->level = carried ? *carried : 0;
			a->has_span = span != NULL;
			if (span)
				a->span = *span;
		}
		add_gauge(s, a, row, v, stat);
	} else {
		add_counter(s, a, row, v, stat);
	}
	return 0;
}

static int acc_cmp(const void *x, const void *y)
{
	const struct rm_acc *a = x, *b = y;

	if (a->ent != b->ent)
		return a->ent < b->ent ? -1 : 1;
	return a->met < b->met ? -1 : a->met > b->met;
}

void rm_step_finish(struct rm_step *s)
{
	double n = (double)(s->merged > 0 ? s->merged : 1);
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct rm_acc *a = &s->acc[i];

		if (a->kind == RM_GAUGE) {
			carry_to(s, a, s->nrows);
			/* a constant level: its mean is exactly that */
			a->stat.mean = a->stat.min == a->stat.max ? a->stat.min
								  : a->wsum / a->weight;
			a->has_stat = a->stat.min != a->stat.max;
			continue;
		}
		if (a->covered < s->merged)
			a->stat.min = fmin(a->stat.min, 0); /* recorded intervals without a value */
		a->stat.mean = a->kind == RM_COUNTER ? a->value / n : a->wsum / n;
		a->has_sample = a->value != 0;
		a->has_stat = a->has_sample && a->nz >= 2;
	}
	qsort(s->acc, s->n, sizeof(*s->acc), acc_cmp);
}

void rm_step_free(struct rm_step *s)
{
	free(s->acc);
	rm_map_free(&s->map);
	memset(s, 0, sizeof(*s));
}
