// SPDX-License-Identifier: GPL-2.0
/*
 * Changes over time: level shifts in the CPU use of processes and of the
 * host, and in resident memory ("the CPU of X doubled at T"), and isolated
 * anomalies in latencies. All are informational: they say when something
 * changed, the other analysers say whether it hurts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "analysis/anomaly.h"
#include "analysis/changepoint.h"
#include "findings/internal.h"

#define SHIFT_SIGMA 4.0
#define SHIFT_MIN_SEG 3
#define SHIFT_MIN_CPUS 0.10
#define SHIFT_MIN_BYTES (64 * MIB)
#define SHIFT_MIN_RATIO 1.5
#define SHIFT_MAX 5
#define ANOM_WINDOW 10
#define ANOM_Z 6.0
#define ANOM_MAX 3

struct shift {
	const struct series *s;
	struct change c;
	double scale;   /* divide a value by this for the summary's unit */
};

static const char *clock_of(double t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%H:%M:%S UTC", &tm);
	return buf;
}

static bool big_enough(const struct change *c, double min_abs)
{
	double lo = fmin(c->before, c->after), hi = fmax(c->before, c->after);

	return hi - lo >= min_abs && (lo <= 0 || hi / lo >= SHIFT_MIN_RATIO);
}

/* Shifts of one series (values divided by scale first); appended to sh. */
static size_t shifts_of(const struct series *s, double scale, double min_abs, struct shift *sh,
			size_t n, size_t max)
{
	struct change c[4];
	double *v;
	size_t i, k;

	/* no shift of min_abs fits under the series' largest value */
	if (s->n < 2 * SHIFT_MIN_SEG || !(fnd_max(s) / scale >= min_abs))
		return n;
	v = malloc(s->n * sizeof(*v));
	if (!v)
		return n;
	for (i = 0; i < s->n; i++)
		v[i] = s->v[i] / scale;
	k = changepoints_find(v, s->n, SHIFT_SIGMA, SHIFT_MIN_SEG, c, 4);
	/* a staircase is a trend (memory_growth reports those), not a shift */
	if (k >= 3)
		k = 0;
	for (i = 0; i < k && n < max; i++) {
		if (!big_enough(&c[i], min_abs))
			continue;
		sh[n].s = s;
		sh[n].c = c[i];
		sh[n++].scale = scale;
	}
	free(v);
	return n;
}

static int by_size(const void *x, const void *y)
{
	const struct shift *a = x, *b = y;
	double da = fabs(a->c.after - a->c.before) / fmax(fabs(a->c.before), 1e-9);
	double db = fabs(b->c.after - b->c.before) / fmax(fabs(b->c.before), 1e-9);

	return da > db ? -1 : da < db;
}

static int report_shift(const struct recording *r, const struct shift *sh, struct findings *fs)
{
	bool cpu = strcmp(sh->s->metric, "mem.rss_bytes") != 0;
	struct finding *f = fnd_add(fs, "level_shift", SEV_INFO, cpu ? RES_CPU : RES_MEMORY);
	char name[300], at[32], a[32], b[32];
	double t = sh->s->t[sh->c.index] - fnd_interval(r);

	if (!f || fnd_evidence(f, r, sh->s, 0, INFINITY))
		return -1;
	fnd_party_name(sh->s, name, sizeof(name));
	clock_of(t, at, sizeof(at));
	if (cpu)
		fnd_summary(f, "the CPU use of %s went from %.2f to %.2f CPUs at %s", name,
			    sh->c.before, sh->c.after, at);
	else
		fnd_summary(f, "the resident memory of %s went from %s to %s at %s", name,
			    fnd_fmt_bytes(sh->c.before, a, sizeof(a)), fnd_fmt_bytes(sh->c.after, b, sizeof(b)),
			    at);
	if (sh->s->kind == ENT_PROC)
		fnd_culprit(f, sh->s, sh->s->metric, sh->c.after * sh->scale, cpu ? "ns" : "bytes",
			    NAN);
	fnd_rec_manual(f, "match the time with deployments, configuration changes or load "
		       "changes; compare before and after with 'perfpilot diff'");
	return 0;
}

static int level_shifts(const struct recording *r, struct findings *fs)
{
	struct shift sh[64];
	double cpu_ns = fnd_interval(r) * 1e9;
	size_t i, n = 0;

	for (i = 0; i < r->n && n < 64; i++) {
		const struct series *s = &r->s[i];

		if ((s->kind == ENT_PROC && !strcmp(s->metric, "cpu.oncpu_ns")) ||
		    (s->kind == ENT_HOST && !strcmp(s->metric, "host.cpu_busy_ns")))
			n = shifts_of(s, cpu_ns, SHIFT_MIN_CPUS, sh, n, 64);
		else if (s->kind == ENT_PROC && !strcmp(s->metric, "mem.rss_bytes"))
			n = shifts_of(s, 1, SHIFT_MIN_BYTES, sh, n, 64);
	}
	qsort(sh, n, sizeof(sh[0]), by_size);
	for (i = 0; i < n && i < SHIFT_MAX; i++)
		if (report_shift(r, &sh[i], fs))
			return -1;
	return 0;
}

static int anomalies(const struct recording *r, struct findings *fs)
{
	struct anomaly a[ANOM_MAX];
	size_t i, k, total = 0;
	char at[32], name[300];

	for (i = 0; i < r->n && total < ANOM_MAX; i++) {
		const struct series *s = &r->s[i];
		struct finding *f;

		if (!((s->kind == ENT_DEV && !strcmp(s->metric, "dev.lat_p99_us")) ||
		      (s->kind == ENT_PROC && !strcmp(s->metric, "sched.runq_p99_us"))))
			continue;
		if (s->n <= ANOM_WINDOW)
			continue;
		k = anomalies_find(s->v, s->n, ANOM_WINDOW, ANOM_Z, a, ANOM_MAX);
		if (!k || a[0].z <= 0 || a[0].value < 1000) /* spikes of 1 ms and more */
			continue;
		f = fnd_add(fs, "anomaly", SEV_INFO, s->kind == ENT_DEV ? RES_IO : RES_CPU);
		if (!f || fnd_evidence(f, r, s, 0, INFINITY))
			return -1;
		fnd_summary(f, "%s of %s jumped to %.1f ms at %s (typically %.1f ms, robust z %.0f)%s",
			    s->metric, fnd_party_name(s, name, sizeof(name)), a[0].value / 1000,
			    clock_of(s->t[a[0].index], at, sizeof(at)), a[0].baseline / 1000, a[0].z,
			    k > 1 ? ", and at other times" : "");
		if (s->kind == ENT_PROC)
			fnd_victim(f, s, s->metric, a[0].value, "us", NAN);
		fnd_rec_manual(f, "look at what else ran at that moment (the other findings and "
			       "the series around it)");
		total++;
	}
	return 0;
}

int analyze_changes(const struct recording *r, const struct findings_env *env,
		    struct findings *fs)
{
	(void)env;
	if (level_shifts(r, fs) || anomalies(r, fs))
		return -1;
	return 0;
}
