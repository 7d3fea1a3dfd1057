// SPDX-License-Identifier: GPL-2.0
/* The BPF collector as the scheduler source of tune --protect (sched_watch.h). */
#include <string.h>
#include "collect/proc_sample.h"
#include "tune/sched_watch.h"

static int sched_tick(void *arg, struct proc_sample **out, size_t *n)
{
	struct sched_watch *s = arg;
	struct interval_info ii;

	*out = NULL;
	*n = 0;
	return watch_tick(&s->w, out, n, &ii) ? -1 : 0;
}

void sched_watch_start(struct sched_watch *s, double interval_s)
{
	memset(s, 0, sizeof(*s));
	s->o.target.mode = PP_FILTER_ALL;
	s->o.max_procs = PP_MAX_PROCS_DEFAULT;
	s->o.interval_s = interval_s;
	/* each wait of the protected work exact: what --protect acts on (it
	 * runs when asked, not always) */
	s->o.sched_source = SCHED_SOURCE_SWITCH;
	watch_start(&s->w, &s->o);
	s->src.tick = sched_tick;
	s->src.arg = s;
	s->on = true;
}

void sched_watch_stop(struct sched_watch *s)
{
	if (s->on)
		watch_stop(&s->w, false);
	s->on = false;
}
