/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The on-CPU stacks of the last minutes, for /debug/pprof/profile: the
 * stacks the recording drains each interval (record_hooks.profile), kept
 * for PROFWIN_MAX_S seconds and within PROFWIN_MAX_BYTES (the oldest go
 * first, counted). Each interval keeps its stacks as ids of frames kept
 * once for the whole window (a host's frames come back interval after
 * interval), freed when the last interval holding them goes; the bytes
 * bound counts both. A profile request waits for the intervals that start
 * after it came (profwin_wait) and takes them as they arrive
 * (profwin_take), as Go's profile of the next N seconds does. Safe from
 * any thread.
 */
#ifndef PP_DAEMON_PROFWIN_H
#define PP_DAEMON_PROFWIN_H

#include <stdbool.h>
#include <stdint.h>
#include "profile/stackset.h"

#define PROFWIN_MAX_S 600
#define PROFWIN_MAX_BYTES (8u << 20)

struct profwin;

struct profwin *profwin_new(void);
void profwin_free(struct profwin *w);

/* One interval's stacks (ss->start_unix, duration_s set); takes ss (freed
 * here: the window keeps its own copy). */
void profwin_add(struct profwin *w, struct stackset *ss);

/*
 * The stacks of the intervals that ended in the last `seconds` before
 * `now`, merged into out (initialised here; the caller frees it), only
 * those of process pid unless 0. out's start and duration cover those
 * intervals. 0, or -1 on no memory.
 */
int profwin_get(struct profwin *w, double seconds, double now, uint32_t pid,
		struct stackset *out);

/* Which processes' stacks to keep: true to keep those of pid. */
typedef bool (*profwin_keep_fn)(void *arg, uint32_t pid);

/*
 * The intervals that end after *taken (0 at first): those that start at or
 * after `from` are merged into out (ss_init'ed by the caller, start_unix 0;
 * its hz and period are set from them, start_unix to the first one's
 * start, duration_s to the last one's end), only the stacks keep() keeps
 * (NULL: all); *taken becomes the end of the last interval looked at.
 * *complete is set once an interval was merged and *taken is at or after
 * `until`. 0, or -1 on no memory. Intervals dropped for the bounds before
 * they were taken are missing from out (profwin_stats counts them).
 */
int profwin_take(struct profwin *w, double from, double until, double *taken,
		 profwin_keep_fn keep, void *arg, struct stackset *out, bool *complete);

/*
 * Wait until an interval ending after `after` arrives, or the unix time
 * `deadline` passes, or profwin_close: 0 when one is there, -1 otherwise.
 */
int profwin_wait(struct profwin *w, double after, double deadline);

/* Wake every waiter for good (the daemon stops): profwin_wait returns -1. */
void profwin_close(struct profwin *w);

/* Intervals dropped for the size bound (or no memory) so far, and bytes
 * held now (intervals and frames). */
void profwin_stats(struct profwin *w, unsigned long long *dropped, size_t *bytes);

#endif
