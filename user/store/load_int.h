/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loader's tables (private to user/store): the entities and metrics of
 * a window as store_load.c reads them, the names they share (load_strs.c),
 * and the folding of short-lived processes into groups (load_fold.c).
 */
#ifndef PP_LOAD_INT_H
#define PP_LOAD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sqlite3.h>
#include "store/recording.h"

struct ld_ent {
	int64_t id;
	int64_t start_ms;
	const char *name;  /* a string of the recording; a process's is made
			    * (ld_proc_names) only if it is kept on its own */
	const char *comm, *cgroup, *pcomm; /* interned (ld_intern) */
	size_t a, b;       /* first and last window index where it is present */
	uint32_t group;    /* a folded process: 1 + the index of its group */
	uint32_t pid, ppid;
	char kind;
	bool born;         /* a process that started inside the window */
	bool acc;          /* a group folded processes go into: the values of
			    * several entities add up in it */
};

struct ld_metric {
	int64_t id;
	const char *name; /* a string of the recording */
	bool gauge;
	bool peak;        /* a percentile or maximum: merged intervals keep the largest */
};

/* Strings of the recording, each distinct one stored once. */
struct ld_strs {
	const char **slot;
	size_t nslots, n;
};

/* s as a string of the recording, the same pointer for equal strings; ""
 * for an empty one. NULL on no memory. */
const char *ld_intern(struct ld_strs *t, struct recording *r, const char *s);
void ld_strs_free(struct ld_strs *t);

/* Entity ids to indexes in an array sorted by id: a table over the ids'
 * range when they are dense (as a store's are), else a binary search. */
struct ld_ids {
	uint32_t *map;     /* index + 1 by id - base, 0: none; NULL: search */
	int64_t base;
	size_t range;
};

int ld_ids_build(struct ld_ids *x, const struct ld_ent *ents, size_t n);
/* The index of id among ents[0..n) (those ld_ids_build saw), or -1. */
ssize_t ld_ids_find(const struct ld_ids *x, const struct ld_ent *ents, size_t n, int64_t id);
void ld_ids_free(struct ld_ids *x);

/* What folding found (recording.h has the same for the report). */
struct ld_fold {
	size_t procs;      /* process entities in the window */
	size_t folded;     /* of them folded into groups */
	size_t groups;     /* groups they went into */
	size_t max_life;   /* steps: the longest life of a folded process */
	size_t m_rss;      /* mem.rss_bytes (SIZE_MAX: none) goes to */
	size_t m_peak;     /* mem.rss_peak_bytes of the group */
	size_t m_started;  /* group.started */
};

/* The tables folding reads and extends (store_load.c fills it in). */
struct ld_tables {
	sqlite3 *db;
	struct recording *r;
	struct ld_strs *strs;
	const struct ld_ids *ids; /* of the store's entities, before any group */
	const int64_t *iv;  /* interval ids of the window, ascending */
	size_t niv;
	size_t merge;       /* intervals per step */
	struct ld_ent **ents;
	size_t *nents;
	struct ld_metric **metrics;
	size_t *nmetrics;
	char *err;
	size_t errlen;
};

/*
 * With more than STORE_LOAD_MAX_PROCS processes in the window, fold the
 * shortest-lived that are not among the top STORE_LOAD_FOLD_TOP by a
 * resource into groups of command, parent command and cgroup (store.h):
 * sets their group, appends the groups (or marks a group of the store
 * with their names) and the metrics they need. 0, or -1 with err set.
 */
int ld_fold_plan(struct ld_fold *f, const struct ld_tables *t);

/*
 * Where a sample of folded process e (metric m) goes: *e becomes its
 * group and *m the group's metric (mem.rss_bytes: mem.rss_peak_bytes,
 * other gauges: none). false: leave the sample out.
 */
bool ld_fold_redirect(const struct ld_fold *f, const struct ld_ent *ents,
		      const struct ld_metric *metrics, size_t *e, size_t *m);

/* Give every process kept on its own its name ("PID@START_MS"). -1 on no
 * memory. */
int ld_proc_names(struct ld_ent *ents, size_t n, struct recording *r);

#endif
