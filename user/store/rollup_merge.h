/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Merging the rows of one rollup step (private to user/store; rollup.c
 * reads and writes them): what each (entity, metric) becomes in the merged
 * row and in sample_stat (docs/store.md, "Rollups").
 *
 *   counters  the sum; stats: min, max and mean of the per-recorded-interval
 *             values (0 where none was stored)
 *   peaks     the largest (of the recorded intervals' percentiles or maxima,
 *             so an upper bound of the step's); stats as for counters
 *   gauges    the last stored value; stats: min, max and time-weighted mean
 *             of the level (the stored value carried forward) while the
 *             entity was present
 *
 * A merged row's stats go to sample_stat only when they say more than the
 * sample: counters and peaks non-zero in two or more recorded intervals,
 * gauges that changed within the step. Without a row: a counter or peak
 * was non-zero in at most one recorded interval (min 0, max the value, mean
 * the value over the recorded intervals), a gauge was the value (or, with
 * no sample, the carried value) throughout.
 */
#ifndef PP_ROLLUP_MERGE_H
#define PP_ROLLUP_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rm_kind { RM_COUNTER, RM_PEAK, RM_GAUGE };

/* A row of the step: a recorded interval or an earlier merged step. */
struct rm_row {
	int64_t id;
	int64_t prev;        /* the id of the row before it (it holds (prev, id]) */
	int64_t length_ms;
	int64_t merged;      /* recorded intervals it holds */
};

struct rm_stat {
	double min, max, mean;
};

/* The interval ids an entity was present in (entity.first_interval and
 * last_interval). */
struct rm_span {
	int64_t first, last;
};

/* One (entity, metric) of the step. */
struct rm_acc {
	int64_t ent, met;
	enum rm_kind kind;
	double value;        /* what the merged row stores (when has_sample) */
	struct rm_stat stat; /* its sample_stat row (when has_stat) */
	bool has_sample, has_stat;
	/* while merging */
	double wsum, weight; /* the mean's numerator and denominator */
	int64_t covered;     /* counters, peaks: recorded intervals with a value */
	int nz;              /* counters, peaks: those non-zero, 2 = two or more */
	size_t done;         /* gauges: rows accounted for */
	bool has_level;      /* gauges: the level carried into row `done` */
	double level;
	struct rm_span span;
	bool has_span;
};

/* A map of (entity, metric) to an index (open addressing). */
struct rm_slot {
	int64_t ent, met;
	size_t idx;          /* index + 1, 0 = empty */
};

struct rm_map {
	struct rm_slot *slot;
	size_t nslots, n;
};

/* The step being merged. */
struct rm_step {
	const struct rm_row *rows;
	size_t nrows;
	int64_t merged, length_ms; /* totals over the rows */
	struct rm_acc *acc;
	size_t n, cap;
	struct rm_map map;
};

/* Start a step over rows (ascending ids); keeps its buffers from the
 * previous one. */
void rm_step_begin(struct rm_step *s, const struct rm_row *rows, size_t nrows);

/*
 * One stored value of row `row` of the step, rows in order (and, within a
 * row, any order). stat: the row's sample_stat, or NULL. Gauges: carried is
 * the value stored last before the step (NULL: none known), span the
 * entity's presence (NULL: present throughout). -1 on no memory.
 */
int rm_add(struct rm_step *s, size_t row, int64_t ent, int64_t met, enum rm_kind kind, double v,
	   const struct rm_stat *stat, const double *carried, const struct rm_span *span);

/* Finish the step: values and stats of every (entity, metric) added,
 * sorted by entity and metric. */
void rm_step_finish(struct rm_step *s);

void rm_step_free(struct rm_step *s);

/* The map on its own (rollup.c keeps the gauges' carried values in one):
 * the index of (ent, met), or -1; rm_map_put adds it (not there yet) with
 * index idx, -1 on no memory. */
long rm_map_get(const struct rm_map *m, int64_t ent, int64_t met);
int rm_map_put(struct rm_map *m, int64_t ent, int64_t met, size_t idx);
void rm_map_clear(struct rm_map *m);
void rm_map_free(struct rm_map *m);

#endif
