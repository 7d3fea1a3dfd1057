/* SPDX-License-Identifier: GPL-2.0 */
/* perfpilot record: watch a target and write its series to a store. */
#ifndef PP_RECORD_H
#define PP_RECORD_H

#include <signal.h>
#include <stdbool.h>
#include "collect/watch.h"
#include "profile/stackset.h"
#include "profile/ustacks.h"
#include "record/write.h"
#include "store/rollup.h"
#include "store/store.h"

struct record_profile;

/* One interval as written, for a caller that follows the recording. */
struct record_tick {
	const struct interval_data *data;  /* what was written */
	const struct interval_info *ii;    /* the collector's facts (drops) */
	struct store *st;                  /* the store, between transactions */
	struct watch *w;                   /* the running collection */
	struct record_profile *prof;       /* the profiler, or NULL */
	unsigned long intervals;           /* written so far by this session */
	unsigned long pruned;              /* deleted by the retention just now */
	bool store_failing;                /* with retry_writes: the store takes
					    * no writes now (data is kept in
					    * memory, not written yet) */
	unsigned long write_failures;      /* attempts to write that failed, in all */
	unsigned long pending;             /* intervals kept in memory, not written yet */
	unsigned long write_dropped;       /* intervals kept in memory and dropped
					    * (the bound), in all */
	const struct rollup_stats *rolled; /* the rollup pass just made, or NULL */
};

/* What a long-running caller (the daemon) hooks into the recording; every
 * hook may be NULL, and each runs on the recording's thread. */
struct record_hooks {
	/* after each interval was written and the retention applied */
	void (*interval)(void *arg, const struct record_tick *t);
	/* with a profile and profile_flush_s: what was sampled over the
	 * interval just written (ss->start_unix, duration_s); the hook owns ss
	 * and frees it (ss_free) */
	void (*profile)(void *arg, struct stackset *ss);
	/* a message of the recording, instead of "perfpilot: MSG" on stderr */
	void (*error)(void *arg, const char *msg);
	void *arg;
	/* a message that is no error (writing works again), or NULL: as error */
	void (*note)(void *arg, const char *msg);
};

struct record_opts {
	struct watch_opts w;  /* target, duration (0: until Ctrl-C), interval */
	bool profile;         /* also sample on-CPU stacks into the store */
	struct ustack_opts unwind; /* how their user stacks are taken (--unwind) */
	const char *path;     /* the store file */
	bool quiet;           /* no progress line */
	double max_age_s;     /* retention: drop intervals older than this (0: keep) */
	double max_size_bytes; /* retention: keep the data under this size (0: no limit) */
	bool no_findings;     /* do not analyse and store the findings at the end */
	double short_life_s;  /* processes living less are grouped (docs/store.md);
			       * < 0: one interval, 0: none */
	unsigned int profile_hz;  /* 0: RECORDING_PROFILE_HZ */
	bool profile_no_inlines;  /* the profile's frames without the functions
				   * inlined into them (no DWARF kept: the daemon) */
	/* > 0: the profile is drained every interval and stored every this
	 * many seconds (and at the end), so that a long recording keeps bounded
	 * profiles (record --profile-every, default RECORD_PROFILE_PART_S);
	 * 0: one profile at the end */
	double profile_flush_s;
	/* set by the caller's signal handlers to stop; NULL: record_run
	 * handles SIGINT and SIGTERM itself */
	volatile sig_atomic_t *stop;
	const struct record_hooks *hooks;  /* or NULL */
	/* when the store cannot take an interval (a full disk): keep the
	 * intervals in memory and try again with backoff (record/retry.h),
	 * rather than end the recording with exit code 1 */
	bool retry_writes;
	struct rollup_policy rollup; /* aged intervals merged into longer steps
				      * (ntiers 0: none) */
};

/* How often record rolls up what has aged (intervals), and for how long
 * at most each time (seconds, and one step more). */
#define RECORD_ROLLUP_EVERY 60
#define RECORD_ROLLUP_BUDGET_S 0.2

/* Record into o->path (created; an existing file is refused unless it is a
 * store, which is appended to; callers check the path with
 * store_check_target first, for a usage error before anything is loaded).
 * When the recording ends normally, the whole store is analysed and its
 * findings replace the stored ones (a failure of that step is reported and
 * does not change the exit code). Returns the process exit code: 0, or 1
 * when it could not start or the store could not be written (a full disk:
 * one message says which file and how many intervals it holds; every
 * interval committed before stays readable). SIGINT, SIGTERM and SIGHUP
 * end it as -d does (unless o->stop: the caller's). */
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
