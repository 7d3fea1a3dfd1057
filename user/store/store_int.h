/* SPDX-License-Identifier: GPL-2.0 */
/* The store writer's state (private to user/store). */
#ifndef PP_STORE_INT_H
#define PP_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>
#include "store/store.h"

#define STORE_MAX_METRICS 64
#define STORE_MAX_GAUGES 8      /* gauge metrics (metric_is_gauge) */
/* cached entities not seen for this many intervals are forgotten (and
 * looked up again if they come back) */
#define STORE_ENT_IDLE (2 * STORE_GAUGE_REFRESH)
/* entities cached at most (beyond, those absent from the interval go) */
#define STORE_ENT_MAX 16384

struct store_metric {
	char name[48];
	int64_t id;
	int gauge;                          /* its gauge slot, or -1 */
};

struct store_ent {
	char kind;
	char name[256];
	int64_t start_ms;
	char comm[16];
	int64_t id;
	int64_t last_iv;                    /* last interval it was present in */
	bool gone;                          /* its last interval: drop at its end */
	bool gauge_set[STORE_MAX_GAUGES];
	double gauge_val[STORE_MAX_GAUGES];
	int64_t gauge_iv[STORE_MAX_GAUGES]; /* interval of the last stored value */
};

struct store {
	sqlite3 *db;
	char err[512];
	struct store_metric metrics[STORE_MAX_METRICS];
	size_t nmetrics;
	int ngauges;
	struct store_ent **ents;            /* sorted by (kind, name, start_ms) */
	size_t nents, capents;
	unsigned long long ents_evicted;    /* cache entries dropped (idle or exited) */
	int64_t iv;                          /* the open interval, 0 when none */
	double iv_ts;
	bool in_tx;
	sqlite3_stmt *ins_sample, *ins_interval, *upd_last, *sel_ent, *ins_ent, *upd_comm;
};

/* Open a database file and read its schema version; shared by writer and
 * loader. flags are sqlite3_open_v2's. */
int store_db_open(const char *path, int flags, sqlite3 **db, int *version, char *err,
		  size_t errlen);

#endif
