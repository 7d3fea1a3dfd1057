// SPDX-License-Identifier: GPL-2.0
/*
 * Block IO: devices busy nearly all the time (saturation), with the
 * processes moving the bytes as culprits and the slow ones as victims; and
 * heavy IO by a process even when no device is saturated.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/internal.h"

#define SAT_UTIL 0.80          /* a device busy 80 % of an interval */
#define SAT_MIN_INTERVALS 2
#define CRIT_LAT_US 100000.0   /* p99 of 100 ms while saturated */
#define VICTIM_LAT_US 10000.0  /* a process whose p99 reached 10 ms */
#define HEAVY_BYTES (64 * MIB) /* moved in total... */
#define HEAVY_RATE (20 * MIB)  /* ...at this rate (bytes/s) in some interval */

/* A process's bytes (read + written) in [t0, t1], and its peak rate. */
static double proc_bytes(const struct recording *r, const char *pid, double t0, double t1,
			 double *peak, const struct series **big)
{
	static const char *const m[] = {"io.read_bytes", "io.write_bytes"};
	double sum = 0, best = -1, iv = fnd_interval(r);
	size_t k, i;

	*peak = 0;
	*big = NULL;
	for (k = 0; k < 2; k++) {
		const struct series *s = rec_find(r, ENT_PROC, pid, m[k]);
		double b;

		if (!s)
			continue;
		b = fnd_sum(s, t0, t1);
		sum += b;
		if (b > best) {
			best = b;
			*big = s;
		}
		for (i = 0; i < s->n; i++)
			if (s->t[i] >= t0 && s->t[i] <= t1 && s->v[i] / iv > *peak)
				*peak = s->v[i] / iv;
	}
	return sum;
}

/* Processes by bytes moved in [t0, t1], most first; n returned. */
static size_t movers(const struct recording *r, double t0, double t1, struct proc_total **out)
{
	struct proc_total *p = calloc(r->n ? r->n : 1, sizeof(*p));
	size_t i, n = 0;

	*out = p;
	if (!p)
		return 0;
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i], *big;

		if (s->kind != ENT_PROC || strcmp(s->metric, "io.write_bytes"))
			continue;
		p[n].a = proc_bytes(r, s->entity, t0, t1, &p[n].b, &big);
		p[n].s = big ? big : s;
		if (p[n].a > 0)
			n++;
	}
	/* processes that only read */
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i], *big;

		if (s->kind != ENT_PROC || strcmp(s->metric, "io.read_bytes") ||
		    rec_find(r, ENT_PROC, s->entity, "io.write_bytes"))
			continue;
		p[n].a = proc_bytes(r, s->entity, t0, t1, &p[n].b, &big);
		p[n].s = s;
		if (p[n].a > 0)
			n++;
	}
	fnd_proc_total_sort(p, n);
	return n;
}

static void lat_victims(const struct recording *r, struct finding *f, double t0, double t1)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];
		double worst = 0;
		size_t k;

		if (s->kind != ENT_PROC || strcmp(s->metric, "io.lat_p99_us"))
			continue;
		for (k = 0; k < s->n; k++)
			if (s->t[k] >= t0 && s->t[k] <= t1 && s->v[k] > worst)
				worst = s->v[k];
		if (worst >= VICTIM_LAT_US)
			fnd_victim(f, s, s->metric, worst, "us", NAN);
	}
}

static void name_list(const struct finding *f, char *buf, size_t len)
{
	size_t i, used;

	buf[0] = 0;
	for (i = 0; i < f->nculprits && i < 3; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s (pid %u)", i ? ", " : "",
			 f->culprits[i].comm, f->culprits[i].pid);
	}
}

static int add_movers(const struct recording *r, struct finding *f, double t0, double t1)
{
	struct proc_total *p;
	size_t i, n = movers(r, t0, t1, &p);

	if (!p)
		return -1;
	for (i = 0; i < n && i < 5; i++)
		fnd_culprit(f, p[i].s, "io.bytes", p[i].a, "bytes", NAN);
	free(p);
	return 0;
}

static int saturated_dev(const struct recording *r, const struct series *s, struct findings *fs)
{
	double iv = fnd_interval(r), t0 = INFINITY, t1 = -INFINITY, lat = 0;
	const struct series *ls = rec_find(r, ENT_DEV, s->entity, "dev.lat_p99_us");
	struct finding *f;
	char names[200], lats[48];
	size_t i, busy = 0;

	for (i = 0; i < s->n; i++) {
		if (s->v[i] < SAT_UTIL * iv * 1e9)
			continue;
		busy++;
		if (s->t[i] < t0)
			t0 = s->t[i];
		t1 = s->t[i];
		if (ls && i < ls->n && ls->v[i] > lat)
			lat = ls->v[i];
	}
	if (busy < SAT_MIN_INTERVALS)
		return 0;
	f = fnd_add(fs, "io_saturation", SEV_WARNING, RES_IO);
	if (!f || fnd_evidence(f, r, s, t0, t1) || add_movers(r, f, t0, t1))
		return -1;
	if (lat >= CRIT_LAT_US && busy * 2 >= s->n)
		f->severity = SEV_CRITICAL;
	lat_victims(r, f, t0, t1);
	name_list(f, names, sizeof(names));
	snprintf(lats, sizeof(lats), ", p99 latency up to %.1f ms", lat / 1000);
	fnd_summary(f, "disk %s was busy over %.0f%% of the time in %zu of %zu intervals%s%s%s",
		    s->entity, SAT_UTIL * 100, busy, s->n, lat > 0 ? lats : "",
		    names[0] ? "; moving the bytes: " : "", names);
	if (f->nculprits && f->culprits[0].cgroup[0] && strcmp(f->culprits[0].cgroup, "/"))
		fnd_rec_cgroup(f, f->culprits[0].cgroup, "io.weight", "default 50",
			       "give the heaviest IO user a lower IO weight (io.max caps it)");
	fnd_rec_manual(f, "spread the IO over more devices or a faster one; check that "
		       "the writers batch their IO (larger requests, fewer syncs)");
	return 0;
}

/* Processes that moved a lot of data, when no device was saturated. */
static int heavy(const struct recording *r, struct findings *fs)
{
	struct proc_total *p;
	struct finding *f;
	char name[64], tot[32], rate[32];
	size_t i, n = movers(r, 0, INFINITY, &p), k = 0;

	if (!p)
		return -1;
	for (i = 0; i < n; i++)
		if (p[i].a >= HEAVY_BYTES && p[i].b >= HEAVY_RATE)
			p[k++] = p[i];
	if (!k) {
		free(p);
		return 0;
	}
	f = fnd_add(fs, "heavy_io", SEV_INFO, RES_IO);
	if (!f || fnd_evidence(f, r, p[0].s, 0, INFINITY)) {
		free(p);
		return -1;
	}
	for (i = 0; i < k && i < 5; i++)
		fnd_culprit(f, p[i].s, "io.bytes", p[i].a, "bytes", NAN);
	lat_victims(r, f, 0, INFINITY);
	fnd_summary(f, "%s moved %s of block IO (up to %s/s)%s", fnd_party_name(p[0].s, name, sizeof(name)),
		    fnd_fmt_bytes(p[0].a, tot, sizeof(tot)), fnd_fmt_bytes(p[0].b, rate, sizeof(rate)),
		    k > 1 ? ", and others moved much too" : "");
	fnd_rec_manual(f, "if this IO competes with latency-sensitive work, give %s a lower "
		       "IO priority (ionice -c 3 -p %u) or an io.max limit", p[0].s->comm,
		       p[0].s->pid);
	free(p);
	return 0;
}

int analyze_io(const struct recording *r, const struct findings_env *env, struct findings *fs)
{
	size_t i, before = fs->n;

	(void)env;
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];

		if (s->kind == ENT_DEV && !strcmp(s->metric, "dev.busy_ns") &&
		    saturated_dev(r, s, fs))
			return -1;
	}
	return fs->n == before ? heavy(r, fs) : 0;
}
