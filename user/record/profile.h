/* SPDX-License-Identifier: GPL-2.0 */
/* `record --profile`: on-CPU stacks sampled alongside (at
 * RECORDING_PROFILE_HZ), folded in parts (every RECORD_PROFILE_PART_S and
 * at the end), so that a long recording holds one part's stacks and the
 * symbols of the processes alive, not everything it has seen. */
#ifndef PP_RECORD_PROFILE_H
#define PP_RECORD_PROFILE_H

#include <stddef.h>
#include "collect/watch.h"
#include "profile/ustacks.h"

struct record_profile;

/* Load and attach the profiler for the target, user stacks taken as u
 * says (NULL: the default, auto). -1 with a reason in err. */
int record_profile_start(struct record_profile **out, const struct watch_opts *w,
			 const struct ustack_opts *u, char *err, size_t errlen);

/* Why user stacks come from frame pointers although DWARF unwinding was
 * asked for (auto), or "". */
const char *record_profile_notice(const struct record_profile *p);

/* Wait up to timeout_ms for processes sampled for the first time and read
 * their symbols at once, so that they keep their names if they exit. */
void record_profile_wait(struct record_profile *p, int timeout_ms);

/* Seconds between two parts of the profile written to the store. */
#define RECORD_PROFILE_PART_S 60.0

/* The folded stacks sampled since the last part (malloc'd text, "" when no
 * sample), with *nsamples the samples taken since; the stacks read leave
 * the BPF maps, and the symbols of processes that have exited are
 * dropped. -1 on an error (the stacks read are lost). */
int record_profile_flush(struct record_profile *p, char **folded, unsigned long long *nsamples);

/* Stop sampling and return the folded stacks of the last part (malloc'd text, "" when no
 * sample), with *nsamples the samples taken. -1 on an error. */
int record_profile_finish(struct record_profile *p, char **folded, unsigned long long *nsamples);

void record_profile_free(struct record_profile *p);

#endif
