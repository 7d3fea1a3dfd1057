/* SPDX-License-Identifier: GPL-2.0 */
/* Hand-built recordings for the findings and diff tests (not a test itself). */
#ifndef PP_FINDINGS_FIXTURE_H
#define PP_FINDINGS_FIXTURE_H

#include <stdio.h>
#include <string.h>
#include "store/recording.h"

#define FX_T0 1764590400.0 /* 2025-12-01 12:00:00 UTC */
#define FX_MAX 512

static inline void fx_init(struct recording *r, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->schema_version = 2;
	r->interval_s = 1;
	r->start = FX_T0;
	r->end = FX_T0 + (double)n;
	r->ncpus = 2;
	r->mem_total_bytes = 8.0 * 1024 * 1024 * 1024;
	snprintf(r->hostname, sizeof(r->hostname), "testhost");
	snprintf(r->kernel, sizeof(r->kernel), "6.18.0");
	snprintf(r->target, sizeof(r->target), "-a");
}

/* A series of n samples at FX_T0 + 1 .. FX_T0 + n. */
static inline struct series *fx_series(struct recording *r, char kind, const char *entity,
				       const char *metric, const double *v, size_t n)
{
	double t[FX_MAX];
	size_t i;

	for (i = 0; i < n && i < FX_MAX; i++)
		t[i] = FX_T0 + 1 + (double)i;
	return rec_add(r, kind, entity, metric, t, v, n);
}

/* A process series: pid, comm and cgroup set. */
static inline struct series *fx_proc(struct recording *r, unsigned int pid, const char *comm,
				     const char *cgroup, const char *metric, const double *v,
				     size_t n)
{
	char ent[16];
	struct series *s;

	snprintf(ent, sizeof(ent), "%u", pid);
	s = fx_series(r, 'p', ent, metric, v, n);
	if (s) {
		s->pid = pid;
		if (rec_set_names(r, s, comm, cgroup, NULL))
			return NULL;
	}
	return s;
}

/* n copies of x, times (1 + noise * u) with u uniform in [-1, 1). */
static inline void fx_fill(double *v, size_t n, double x, double noise, uint64_t *seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = x * (1 + noise * (2 * unit_rand01(seed) - 1));
}

#endif
