/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When the store cannot take an interval (a full disk, an IO error), a
 * recording that must not stop (the daemon) keeps the intervals in memory,
 * in order, and tries again later, waiting longer after each failed
 * attempt. Pure: no store, no clock.
 */
#ifndef PP_RECORD_RETRY_H
#define PP_RECORD_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include "record/write.h"

/* The first retry comes this long after the failure, each next one twice
 * as long after the one before, at most RETRY_MAX_S apart. */
#define RETRY_FIRST_S 1.0
#define RETRY_MAX_S 30.0
/* Intervals kept in memory at most (bytes of their copies); beyond, the
 * oldest are dropped (counted), the newest is always kept. */
#define RETRY_MAX_BYTES (16u << 20)

/* Seconds to wait before attempt number `failed` + 1, after `failed`
 * failed attempts (1: the first failure): first_s, then doubling, capped at
 * max_s. */
double retry_backoff_s(unsigned int failed, double first_s, double max_s);

/* One interval kept: struct interval_data whose arrays it owns. */
struct retry_item {
	struct interval_data d;
	struct host_values host;
	struct store_self self;
	bool has_host, has_self;
	size_t bytes;
};

struct retry_queue {
	struct retry_item *v;    /* oldest first */
	size_t n, cap;
	size_t bytes, max_bytes; /* max_bytes 0: RETRY_MAX_BYTES */
	unsigned long dropped;   /* intervals dropped for the bound so far */
};

/* Keep a copy of d (its arrays too) at the end; drop the oldest while the
 * copies take more than max_bytes. 0, or -1 when out of memory (d not
 * kept). */
int retry_push(struct retry_queue *q, const struct interval_data *d);

/* The oldest interval kept, or NULL. */
const struct interval_data *retry_front(struct retry_queue *q);

/* Forget the oldest interval (written). */
void retry_pop(struct retry_queue *q);

void retry_free(struct retry_queue *q);

#endif
