// SPDX-License-Identifier: GPL-2.0
/*
 * The dirty pages tuner.
 *
 * Rule: writers are throttled by dirty pages, sustained → start background
 * writeback earlier: lower vm.dirty_background_ratio one step.
 *
 *  - At the threshold: in /proc/vmstat, nr_dirty + nr_writeback ≥ the
 *    point where the kernel starts throttling writers (balance_dirty_pages'
 *    "freerun" ceiling, the mean of nr_dirty_threshold and
 *    nr_dirty_background_threshold).
 *  - Sustained: at the threshold in at least 3 of the last 5 intervals,
 *    the latest one included.
 *  - The step: the tunable's configured step (default -5 points) within
 *    its bounds (default 1 – 50), and below vm.dirty_ratio
 *    (step_cap_dirty_background_ratio), so dirty_ratio stays above it.
 *    With vm.dirty_background_bytes set the ratio reads 0 and nothing is
 *    proposed.
 *  - Metric verified: (nr_dirty + nr_writeback) / nr_dirty_threshold at the
 *    end of the interval (lower is better); the evidence also gives the
 *    share of intervals at the threshold.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/nextval.h"
#include "tune/procstat.h"
#include "tune/step.h"

#define DIRTY_WINDOW 5 /* intervals remembered */
#define DIRTY_AT_MIN 3 /* of them at the threshold: sustained */

struct dirty_state {
	bool at[DIRTY_WINDOW]; /* ring of the latest intervals */
	unsigned n;            /* intervals seen */
	int64_t dirty, thresh, bg_thresh;
	double ratio;          /* (nr_dirty + nr_writeback) / nr_dirty_threshold */
};

static int dirty_init(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	(void)c;
	t->state = calloc(1, sizeof(struct dirty_state));
	if (!t->state)
		return snprintf(err, errlen, "out of memory"), -1;
	return 0;
}

static int dirty_observe(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct dirty_state *s = t->state;
	static char text[16384];
	int64_t dirty, wb = 0, th, bg;
	char e[256];

	if (hostfs_read_text(c->h, "/proc/vmstat", text, sizeof(text), e, sizeof(e)))
		return snprintf(err, errlen, "%s", e), -1;
	if (procstat_field(text, "nr_dirty", &dirty) ||
	    procstat_field(text, "nr_dirty_threshold", &th) ||
	    procstat_field(text, "nr_dirty_background_threshold", &bg))
		return snprintf(err, errlen, "%s/proc/vmstat has no nr_dirty, "
				"nr_dirty_threshold and nr_dirty_background_threshold",
				c->h->root), -1;
	procstat_field(text, "nr_writeback", &wb);
	s->dirty = dirty + wb;
	s->thresh = th;
	s->bg_thresh = bg;
	s->ratio = th > 0 ? (double)s->dirty / (double)th : 0;
	s->at[s->n % DIRTY_WINDOW] = th > 0 && s->dirty >= (th + bg) / 2;
	s->n++;
	return 0;
}

/* Intervals at the threshold among the latest (at most DIRTY_WINDOW). */
static unsigned dirty_at_count(const struct dirty_state *s, unsigned *of)
{
	unsigned i, k = 0;

	*of = s->n < DIRTY_WINDOW ? s->n : DIRTY_WINDOW;
	for (i = 0; i < *of; i++)
		k += s->at[i];
	return k;
}

static size_t dirty_propose(struct tuner *t, const struct tune_ctx *c, struct proposal *out,
			    size_t max)
{
	struct dirty_state *s = t->state;
	struct hostfs_value ratio;
	struct nextval_req rq;
	unsigned k, of;
	char why[256];

	k = dirty_at_count(s, &of);
	if (!max || !s->n || !s->at[(s->n - 1) % DIRTY_WINDOW] || k < DIRTY_AT_MIN)
		return 0;
	rq = nextval_req_sysctl("vm.dirty_background_ratio", -1);
	if (!hostfs_sysctl_read(c->h, NULL, "vm.dirty_ratio", &ratio, why, sizeof(why)) &&
	    ratio.num[0] && ratio.f[0] > 0)
		rq.cap = step_cap_dirty_background_ratio(ratio.f[0]);
	if (nextval_propose(c, &rq, out, why, sizeof(why)) != NEXTVAL_MOVE)
		return 0;
	out->finding = "dirty_throttling";
	out->priority = 3;
	nextval_say(out->evidence, sizeof(out->evidence),
		 "dirty and writeback pages at the throttling point in %u of the last %u "
		 "intervals: %lld pages, %.0f%% of the dirty threshold %lld (background %lld)",
		 k, of, (long long)s->dirty, s->ratio * 100, (long long)s->thresh,
		 (long long)s->bg_thresh);
	nextval_say(out->effect, sizeof(out->effect),
		 "vm.dirty_background_ratio %s -> %s: background writeback starts earlier, "
		 "fewer dirty pages and less writer throttling", out->current, out->proposed);
	snprintf(out->metric, sizeof(out->metric), "dirty_share_of_threshold");
	out->metric_value = s->ratio;
	out->lower_is_better = true;
	return 1;
}

static double dirty_measure(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	struct dirty_state *s = t->state;

	(void)c;
	(void)p;
	return s->n && s->thresh > 0 ? s->ratio : NAN;
}

void tuner_dirty_pages(struct tuner *t)
{
	memset(t, 0, sizeof(*t));
	t->id = TUNER_DIRTY_PAGES;
	t->init = dirty_init;
	t->observe = dirty_observe;
	t->propose = dirty_propose;
	t->measure = dirty_measure;
	t->ready = nextval_ready;
	t->fini = nextval_fini;
}
