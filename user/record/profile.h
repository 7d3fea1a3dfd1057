/* SPDX-License-Identifier: GPL-2.0 */
/* `record --profile`: on-CPU stacks sampled alongside (at
 * RECORDING_PROFILE_HZ), drained every interval and folded into the store
 * in parts (every RECORD_PROFILE_PART_S, record --profile-every, and at the
 * end), so that a long recording holds one part's stacks and the symbols
 * of the processes alive, not everything it has seen; or folded once at
 * the end (record_profile_finish). */
#ifndef PP_RECORD_PROFILE_H
#define PP_RECORD_PROFILE_H

#include <stddef.h>
#include "collect/watch.h"
#include "profile/stackset.h"
#include "profile/ustacks.h"

struct record_profile;

/* Load and attach the profiler for the target, at hz samples a second per
 * CPU (0: RECORDING_PROFILE_HZ); inlines: name the functions inlined into
 * a frame (DWARF kept open). -1 with a reason in err. */
int record_profile_start(struct record_profile **out, const struct watch_opts *w,
			 unsigned int hz, const struct ustack_opts *u, bool inlines, char *err,
			 size_t errlen);

/* Why user stacks come from frame pointers although DWARF unwinding was
 * asked for (auto), or "". */
const char *record_profile_notice(const struct record_profile *p);

/*
 * What was sampled since the previous drain (or the start), symbolized into
 * ss (initialised here; the caller frees it, also after an error) and taken
 * out of the kernel's maps, so that they stay small however long the
 * profiler runs. The symbols of processes are kept between drains, within
 * RECORD_PROFILE_MAX_PROCS processes and files (then read afresh).
 * 0, or -1 on no memory.
 */
int record_profile_drain(struct record_profile *p, struct stackset *ss);

#define RECORD_PROFILE_MAX_PROCS 512

/* Seconds between two parts of the profile written to the store. */
#define RECORD_PROFILE_PART_S 60.0

/* Add a drained profile to the stacks kept for the next flush. 0 or -1. */
int record_profile_keep(struct record_profile *p, const struct stackset *ss);

/* The stacks kept since the previous flush as folded text (malloc'd, ""
 * when none), and forget them; the symbols of processes that have exited
 * are dropped too (usyms_forget_exited). 0 or -1 (no memory). */
int record_profile_flush(struct record_profile *p, char **folded);

/* What the profiler counted (cumulative): samples taken, lost to the full
 * counts map or to the full stack map, and the times the symbol caches
 * were dropped for their bound. */
struct record_profile_stats {
	unsigned long long samples, lost_counts, lost_stacks, symbol_resets;
};
void record_profile_get_stats(struct record_profile *p, struct record_profile_stats *st);

/* Wait up to timeout_ms for processes sampled for the first time and read
 * their symbols at once, so that they keep their names if they exit. */
void record_profile_wait(struct record_profile *p, int timeout_ms);

/* Stop sampling and return the folded stacks (malloc'd text, "" when no
 * sample), with *nsamples the samples taken. -1 on an error. */
int record_profile_finish(struct record_profile *p, char **folded, unsigned long long *nsamples);

void record_profile_free(struct record_profile *p);

#endif
