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
#define ANOM_PER_SERIES 32

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

/*
 * Which series are searched for spikes, and what makes a spike news: the
 * metric's resolution (the smallest spread the z-score is measured in: the
 * percentiles come from log2 histograms, so a p99 moves in steps) and a
 * floor of practical significance: the spike's value, its rise over the
 * typical value, and its ratio to it. Run-queue waits of a few ms happen to
 * every task on a busy host (a scheduling slice is 3 ms and more), so a
 * process's run-queue p99 must reach 5 ms to be news.
 */
static const struct anom_metric {
	char kind;
	const char *metric;
	enum resource res;
	double resolution; /* us: the scale never goes below it */
	double min_value;  /* us */
	double min_rise;   /* us above the typical value */
	double min_ratio;  /* times the typical value (when that is > 0) */
} anom_metrics[] = {
	{ ENT_PROC, "sched.runq_p99_us", RES_CPU, 250, 5000, 4000, 4 },
	{ ENT_DEV, "dev.lat_p99_us", RES_IO, 100, 1000, 1000, 4 },
};

static const struct anom_metric *anom_metric_of(const struct series *s)
{
	size_t i;

	for (i = 0; i < sizeof(anom_metrics) / sizeof(anom_metrics[0]); i++)
		if (s->kind == anom_metrics[i].kind && !strcmp(s->metric, anom_metrics[i].metric))
			return &anom_metrics[i];
	return NULL;
}

static bool anom_news(const struct anom_metric *m, const struct anomaly *a)
{
	return a->z > 0 && a->value >= m->min_value && a->value - a->baseline >= m->min_rise &&
	       (a->baseline <= 0 || a->value >= m->min_ratio * a->baseline);
}

/* The spikes of one series that are news, biggest first; how many. */
static size_t series_spikes(const struct series *s, const struct anom_metric *m,
			    struct anomaly *a, size_t max)
{
	size_t k, i, n = 0;

	k = anomalies_find(s->v, s->n, ANOM_WINDOW, ANOM_Z, m->resolution, a, max);
	for (i = 0; i < k; i++)
		if (anom_news(m, &a[i]))
			a[n++] = a[i];
	for (i = 1; i < n; i++) { /* insertion sort: value, descending */
		struct anomaly t = a[i];
		size_t j = i;

		while (j > 0 && a[j - 1].value < t.value) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = t;
	}
	return n;
}

struct spiky {
	const struct series *s;
	const struct anom_metric *m;
	struct anomaly top;  /* the biggest spike */
	size_t count;        /* spikes that are news */
	double other_t[2];   /* times of the next biggest ones */
};

static int by_spike(const void *x, const void *y)
{
	const struct spiky *a = x, *b = y;

	return a->top.value > b->top.value ? -1 : a->top.value < b->top.value;
}

/* One finding per series with spikes (all its spikes in one sentence), the
 * biggest spikes first, at most ANOM_MAX findings. */
static int report_spiky(const struct recording *r, const struct spiky *sp, struct findings *fs)
{
	const struct series *s = sp->s;
	struct finding *f = fnd_add(fs, "anomaly", SEV_INFO, sp->m->res);
	char at[32], name[300], more[128] = "", t1[32], t2[32];

	if (!f || fnd_evidence(f, r, s, 0, INFINITY))
		return -1;
	if (sp->count == 2)
		snprintf(more, sizeof(more), "; once more at %s",
			 clock_of(sp->other_t[0], t1, sizeof(t1)));
	else if (sp->count > 2)
		snprintf(more, sizeof(more), "; %zu spikes in all, the next at %s and %s", sp->count,
			 clock_of(sp->other_t[0], t1, sizeof(t1)),
			 clock_of(sp->other_t[1], t2, sizeof(t2)));
	fnd_summary(f, "%s of %s jumped to %.1f ms at %s (typically %.1f ms, robust z %.0f)%s",
		    s->metric, fnd_party_name(s, name, sizeof(name)), sp->top.value / 1000,
		    clock_of(s->t[sp->top.index], at, sizeof(at)), sp->top.baseline / 1000, sp->top.z,
		    more);
	if (s->kind == ENT_PROC)
		fnd_victim(f, s, s->metric, sp->top.value, "us", NAN);
	fnd_rec_manual(f, "look at what else ran at that moment (the other findings and "
		       "the series around it)");
	return 0;
}

static int anomalies(const struct recording *r, struct findings *fs)
{
	struct anomaly a[ANOM_PER_SERIES];
	struct spiky *sp = NULL;
	size_t i, n = 0, cap = 0;
	int rc = 0;

	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];
		const struct anom_metric *m = anom_metric_of(s);
		size_t k;

		if (!m || s->n <= ANOM_WINDOW || !(k = series_spikes(s, m, a, ANOM_PER_SERIES)))
			continue;
		if (n == cap) {
			struct spiky *g = realloc(sp, (cap = cap ? 2 * cap : 16) * sizeof(*sp));

			if (!g) {
				free(sp);
				return -1;
			}
			sp = g;
		}
		sp[n] = (struct spiky){ .s = s, .m = m, .top = a[0], .count = k };
		sp[n].other_t[0] = k > 1 ? s->t[a[1].index] : NAN;
		sp[n].other_t[1] = k > 2 ? s->t[a[2].index] : NAN;
		n++;
	}
	if (n)
		qsort(sp, n, sizeof(*sp), by_spike);
	for (i = 0; i < n && i < ANOM_MAX && !rc; i++)
		rc = report_spiky(r, &sp[i], fs);
	free(sp);
	return rc;
}

int analyze_changes(const struct recording *r, const struct findings_env *env,
		    struct findings *fs)
{
	(void)env;
	if (level_shifts(r, fs) || anomalies(r, fs))
		return -1;
	return 0;
}
