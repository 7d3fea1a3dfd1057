/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler's samples for tune --protect (struct tune_sched, tuner.h):
 * the BPF collector of stat and record (collect/watch.h) over the whole
 * host, so that both the protected processes' run-queue waits and their
 * neighbours' CPU time are known each interval.
 */
#ifndef PP_TUNE_SCHED_WATCH_H
#define PP_TUNE_SCHED_WATCH_H

#include "collect/watch.h"
#include "tune/tuner.h"

struct sched_watch {
	struct watch_opts o;
	struct watch w;
	struct tune_sched src;  /* what the tuners' context points to */
	bool on;
};

/* Load and attach the collector (root; exits with one line when it cannot). */
void sched_watch_start(struct sched_watch *s, double interval_s);
void sched_watch_stop(struct sched_watch *s);

#endif
