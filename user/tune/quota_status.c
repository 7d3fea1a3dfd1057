// SPDX-License-Identifier: GPL-2.0
/* How the CPU quotas perfpilot changed are doing now (quota_status.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/procstat.h"
#include "tune/quota_status.h"

/* A row's CPU time reading: the usage counter, else its threads. */
struct reading {
	bool counter;
	int64_t ns;
	struct procstat_threads thr;
	bool have;
};

static bool is_quota_file(const char *tunable)
{
	return !strcmp(tunable, "cpu.max") || !strcmp(tunable, "cpu.cfs_quota_us");
}

static struct quota_status *row_of(struct quota_status *out, size_t n, const char *cg,
				   const char *tunable)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(out[i].cgroup, cg) && !strcmp(out[i].tunable, tunable))
			return &out[i];
	return NULL;
}

static void read_cpu(const struct hostfs *h, const char *cg, struct reading *r)
{
	char e[256];

	r->have = false;
	r->counter = !procstat_cgroup_usage(h, cg, &r->ns, e, sizeof(e));
	if (r->counter)
		r->have = true;
	else
		r->have = !procstat_cgroup_threads(h, cg, &r->thr, e, sizeof(e));
}

/* The rows of the open entries, oldest change first (`since`, baseline). */
static size_t rows(const struct hostfs *h, const struct journal *j, struct quota_status *out,
		   size_t max, double *base)
{
	const struct journal_entry *e;
	struct quota_status *r;
	uint64_t ino = 0;
	size_t i, n = 0;
	char err[256];

	for (i = 0; i < j->n; i++) {
		e = &j->e[i];
		if (e->scope != TUNE_CGROUP || !is_quota_file(e->tunable) ||
		    !journal_state_open(e->state))
			continue;
		r = row_of(out, n, e->cgroup, e->tunable);
		if (!r) {
			if (n == max)
				continue;
			r = &out[n];
			memset(r, 0, sizeof(*r));
			snprintf(r->cgroup, sizeof(r->cgroup), "%s", e->cgroup);
			snprintf(r->tunable, sizeof(r->tunable), "%s", e->tunable);
			r->since = e->time;
			r->quota = r->usage = r->slack = r->throttled_s = NAN;
			base[n] = !strcmp(e->metric, "cpu.throttled_seconds") ? e->before : NAN;
			r->gone = hostfs_cgroup_id(h, e->cgroup, &ino, err, sizeof(err)) ||
				  (e->ino && ino != e->ino);
			n++;
		}
		r->changes++;
	}
	return n;
}

size_t quota_status_read(const struct hostfs *h, const struct journal *j, double sample_s,
			 double (*clock)(void *arg), void (*sleep)(void *arg, double s), void *arg,
			 struct quota_status *out, size_t max)
{
	struct reading *a = NULL, *b = NULL;
	double base[QUOTA_STATUS_MAX], t0, dt, cpus;
	struct hostfs_cpu_throttle th;
	struct hostfs_cpu_quota q;
	uint64_t run, wait;
	char err[256];
	size_t n, i, live = 0;

	if (max > QUOTA_STATUS_MAX)
		max = QUOTA_STATUS_MAX;
	n = rows(h, j, out, max, base);
	a = calloc(n ? n : 1, sizeof(*a));
	b = calloc(n ? n : 1, sizeof(*b));
	if (!a || !b) {
		free(a);
		free(b);
		return n; /* the rows without numbers */
	}
	for (i = 0; i < n; i++)
		if (!out[i].gone) {
			read_cpu(h, out[i].cgroup, &a[i]);
			live++;
		}
	t0 = clock(arg);
	if (live && sample_s > 0)
		sleep(arg, sample_s);
	dt = clock(arg) - t0;
	for (i = 0; i < n; i++) {
		struct quota_status *r = &out[i];

		if (r->gone)
			continue;
		if (hostfs_cpu_quota_get(h, r->cgroup, &q, err, sizeof(err))) {
			r->gone = true;
			continue;
		}
		r->quota = q.unlimited || q.period_us <= 0 ? INFINITY :
			   (double)q.quota_us / (double)q.period_us;
		if (!hostfs_cpu_throttle_get(h, r->cgroup, &th, err, sizeof(err)) &&
		    isfinite(base[i]) && (double)th.throttled_ns / 1e9 >= base[i])
			r->throttled_s = (double)th.throttled_ns / 1e9 - base[i];
		read_cpu(h, r->cgroup, &b[i]);
		cpus = NAN;
		if (dt > 0 && a[i].have && b[i].have && a[i].counter == b[i].counter) {
			if (a[i].counter && b[i].ns >= a[i].ns) {
				cpus = (double)(b[i].ns - a[i].ns) / 1e9 / dt;
			} else if (!a[i].counter) {
				procstat_threads_delta(&a[i].thr, &b[i].thr, &run, &wait);
				cpus = (double)run / 1e9 / dt;
			}
		}
		r->usage = cpus;
		if (isfinite(cpus) && isfinite(r->quota) && r->quota > 0)
			r->slack = (r->quota - cpus) / r->quota;
	}
	for (i = 0; i < n; i++) {
		procstat_threads_free(&a[i].thr);
		procstat_threads_free(&b[i].thr);
	}
	free(a);
	free(b);
	return n;
}
