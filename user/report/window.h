/* SPDX-License-Identifier: GPL-2.0 */
/* report --since / --until: cutting a recording to a window of time (the
 * times on the command line are args.h's time_arg). */
#ifndef PP_WINDOW_H
#define PP_WINDOW_H

#include "store/recording.h"

/* Keep the samples with since <= t <= until; start and end follow. */
void report_trim(struct recording *r, double since, double until);

#endif
