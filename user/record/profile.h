/* SPDX-License-Identifier: GPL-2.0 */
/* `record --profile`: on-CPU stacks sampled alongside (at
 * RECORDING_PROFILE_HZ), folded at the end. */
#ifndef PP_RECORD_PROFILE_H
#define PP_RECORD_PROFILE_H

#include <stddef.h>
#include "collect/watch.h"

struct record_profile;

/* Load and attach the profiler for the target. -1 with a reason in err. */
int record_profile_start(struct record_profile **out, const struct watch_opts *w, char *err,
			 size_t errlen);

/* Wait up to timeout_ms for processes sampled for the first time and read
 * their symbols at once, so that they keep their names if they exit. */
void record_profile_wait(struct record_profile *p, int timeout_ms);

/* Stop sampling and return the folded stacks (malloc'd text, "" when no
 * sample), with *nsamples the samples taken. -1 on an error. */
int record_profile_finish(struct record_profile *p, char **folded, unsigned long long *nsamples);

void record_profile_free(struct record_profile *p);

#endif
