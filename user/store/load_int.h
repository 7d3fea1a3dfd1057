/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loader's tables (private to user/store): the entities and metrics of
 * a window as store_load.c reads them, their shared names, ids and SQLite
 * errors (load_ents.c), and the folding of short-lived processes into
 * groups (load_fold.c).
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
	uint32_t group;    /* a process to fold (from ld_fold_plan; those kept
			    * after all get 0 in ld_fold_finish): 1 + the
			    * index of its group */
	uint32_t pid, ppid;
	char kind;
	bool born;         /* a process that started inside the window */
	bool acc;          /* a group folded processes go into: the values of
			    * several entities add up in it */
	bool used;         /* such a group, and some process was folded into it */
};

struct ld_metric {
	int64_t id;
	const char *name; /* a string of the recording */
	bool gauge;
	bool peak;        /* a percentile or maximum: merged intervals keep the largest */
};

/* Strings of the recording, each distinct one stored once. */
#define LD_STRS_RECENT 4
struct ld_strs {
	const char **slot;
	size_t nslots, n;
	const char *recent[LD_STRS_RECENT]; /* the last ones asked for */
	size_t next;
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

/* A failed SQLite call while doing `what`, in err ("the store is damaged
 * (truncated or corrupt) while ..." when it is); returns -1. */
int ld_db_fail(sqlite3 *db, const char *what, char *err, size_t errlen);

/* What folding found (recording.h has the same for the report). */
struct ld_fold_state;
struct ld_fold {
	size_t procs;      /* process entities in the window */
	size_t folded;     /* of them folded into groups */
	size_t groups;     /* groups they went into */
	size_t max_life;   /* steps: the longest life of a folded process */
	size_t m_rss;      /* mem.rss_bytes (SIZE_MAX: none) goes to */
	size_t m_peak;     /* mem.rss_peak_bytes of the group */
	size_t m_started;  /* group.started */
	struct ld_fold_state *st; /* while loading (load_fold.c) */
};

/* The tables folding reads and extends (store_load.c fills it in). */
struct ld_tables {
	sqlite3 *db;
	struct recording *r;
	struct ld_strs *strs;
	const int64_t *iv;  /* interval ids of the window, ascending */
	size_t niv;
	size_t merge;       /* intervals per step */
	size_t max_procs;   /* processes kept on their own (store_load_window) */
	struct ld_ent **ents;
	size_t *nents;
	struct ld_metric **metrics;
	size_t *nmetrics;
	char *err;
	size_t errlen;
};

/*
 * Before the samples: with more than t->max_procs processes in the
 * window, pick the candidates for folding (the shortest-lived, store.h),
 * give each the group of its command, parent command and cgroup (a group
 * of the store, or one appended to the entities) in ent->group, and
 * append the metrics the groups need. 0, or -1 with err set.
 */
int ld_fold_plan(struct ld_fold *f, const struct ld_tables *t);

/* What takes a sample: entity e, metric m, window interval index k (-1: a
 * gauge's value from before), value v. 0, or -1 on no memory. */
typedef int (*ld_put_fn)(void *arg, size_t e, size_t m, ssize_t k, double v);

/* A sample of a candidate (ent->group set), held until its life is over.
 * -1 on no memory. */
int ld_fold_hold(struct ld_fold *f, size_t e, size_t m, ssize_t k, double v);

/* Settle the candidates whose last interval is before window index k:
 * into the top lists, or their held samples to put() as their group's
 * (a resident set as mem.rss_peak_bytes, other gauges left out). */
int ld_fold_flush(struct ld_fold *f, const struct ld_ent *ents, const struct ld_metric *metrics,
		  size_t k, ld_put_fn put, void *arg);

/* After the samples: settle the rest; those on the top lists keep their
 * samples (put() as their own, ent->group back to 0); count what was
 * folded and give the groups their parent. 0, or -1 on no memory. */
int ld_fold_finish(struct ld_fold *f, struct ld_ent *ents, size_t nents,
		   const struct ld_metric *metrics, ld_put_fn put, void *arg);

void ld_fold_free(struct ld_fold *f);

/* Give every process kept on its own its name ("PID@START_MS"). -1 on no
 * memory. */
int ld_proc_names(struct ld_ent *ents, size_t n, struct recording *r);

#endif
