/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The on-CPU profile of the last minutes, for /debug/pprof/profile: the
 * stacks the recording drains each interval (record_hooks.profile), kept
 * for PROFWIN_MAX_S seconds and within PROFWIN_MAX_BYTES (the oldest go
 * first, counted). Safe from any thread.
 */
#ifndef PP_DAEMON_PROFWIN_H
#define PP_DAEMON_PROFWIN_H

#include <stdint.h>
#include "profile/stackset.h"

#define PROFWIN_MAX_S 600
#define PROFWIN_MAX_BYTES (8u << 20)

struct profwin;

struct profwin *profwin_new(void);
void profwin_free(struct profwin *w);

/* One interval's stacks (ss->start_unix, duration_s set); takes ss. */
void profwin_add(struct profwin *w, struct stackset *ss);

/*
 * The stacks of the intervals that ended in the last `seconds` before
 * `now`, merged into out (initialised here; the caller frees it), only
 * those of process pid unless 0. out's start and duration cover those
 * intervals. 0, or -1 on no memory.
 */
int profwin_get(struct profwin *w, double seconds, double now, uint32_t pid,
		struct stackset *out);

/* Intervals dropped for the size bound so far, and bytes held now. */
void profwin_stats(struct profwin *w, unsigned long long *dropped, size_t *bytes);

#endif
