/* SPDX-License-Identifier: GPL-2.0 */
/* perfpilot record: watch a target and write its series to a store. */
#ifndef PP_RECORD_H
#define PP_RECORD_H

#include <stdbool.h>
#include "collect/watch.h"
#include "profile/ustacks.h"

struct record_opts {
	struct watch_opts w;  /* target, duration (0: until Ctrl-C), interval */
	bool profile;         /* also sample on-CPU stacks into the store */
	double profile_part_s; /* their parts' length (0: RECORD_PROFILE_PART_S) */
	struct ustack_opts unwind; /* how their user stacks are taken (--unwind) */
	const char *path;     /* the store file */
	bool quiet;           /* no progress line */
	double max_age_s;     /* retention: drop intervals older than this (0: keep) */
	double max_size_bytes; /* retention: keep the data under this size (0: no limit) */
	bool no_findings;     /* do not analyse and store the findings at the end */
	double short_life_s;  /* processes living less are grouped (docs/store.md);
			       * < 0: one interval, 0: none */
};

/* Record into o->path (created; an existing file is refused unless it is a
 * store, which is appended to; callers check the path with
 * store_check_target first, for a usage error before anything is loaded).
 * When the recording ends normally, the whole store is analysed and its
 * findings replace the stored ones (a failure of that step is reported and
 * does not change the exit code). Returns the process exit code. */
int record_run(const struct record_opts *o);

/* The interval when none is given: 1 s for recordings of at most a minute,
 * else 5 s (long or open-ended recordings). */
double record_default_interval(double duration_s);

/*
 * Record `w`'s target for duration_s seconds (w's interval, or 1 s when it
 * is 0) into a new temporary store, mkstemp'd under $TMPDIR (else /tmp),
 * whose path goes to path_out. Returns the process exit code; on success
 * the caller loads the store and removes it (record_live_remove); on
 * failure nothing is left behind.
 */
int record_live(const struct watch_opts *w, double duration_s, char *path_out, size_t len);

/* Remove a store file with its -wal and -shm companions. */
void record_live_remove(const char *path);

#endif
