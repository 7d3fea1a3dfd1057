// SPDX-License-Identifier: GPL-2.0
/*
 * The host's available memory falling steadily: when it runs out at this
 * rate, and which processes grew meanwhile.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/forecast.h"
#include "analysis/trend.h"
#include "findings/internal.h"

#define DECLINE_ALPHA 0.01
#define DECLINE_MIN_BYTES (64 * MIB)
#define DECLINE_MIN_REL 0.02      /* of the host's RAM */
#define DECLINE_MIN_SAMPLES 8
#define GREW_MIN_BYTES (16 * MIB) /* a culprit grew at least this much */
#define HORIZON_FACTOR 360

/* A significant fall, large enough, still going on in the second half. */
static bool falling(const struct recording *r, const struct series *s, struct trend *tr)
{
	struct trend late;
	size_t h = s->n / 2;
	double fall;

	if (s->n < DECLINE_MIN_SAMPLES || trend_fit(s->t, s->v, s->n, DECLINE_ALPHA, tr))
		return false;
	if (!tr->significant || !(tr->slope < 0))
		return false;
	fall = -tr->slope * (s->t[s->n - 1] - s->t[0]);
	if (fall < DECLINE_MIN_BYTES || (r->mem_total_bytes > 0 &&
					 fall < DECLINE_MIN_REL * r->mem_total_bytes))
		return false;
	if (trend_fit(s->t + h, s->v + h, s->n - h, DECLINE_ALPHA, &late))
		return false;
	return late.slope <= 0.5 * tr->slope;
}

/* How much a resident set grew from its first to last sample. */
static bool growth_score(const struct recording *r, const struct series *s, const void *ctx,
			 double *value, double *share)
{
	(void)r;
	(void)ctx;
	if (s->n < 2)
		return false;
	*value = s->v[s->n - 1] - s->v[0];
	*share = NAN;
	return *value >= GREW_MIN_BYTES;
}

/* Processes whose resident set grew most from their first to last sample. */
static void growers(const struct recording *r, struct finding *f)
{
	fnd_top_procs(r, f, FND_CULPRIT, "mem.rss_bytes", "bytes", 5, growth_score, NULL);
}

int analyze_hostmem(const struct recording *r, const struct findings_env *env,
		    struct findings *fs)
{
	const struct series *s = rec_find(r, ENT_HOST, "host", "host.mem_available_bytes");
	char rate[32], from[32], to[32], eta[32], lo[32], hi[32];
	double span;
	struct finding *f;
	struct trend tr;

	(void)env;
	if (!s || !falling(r, s, &tr))
		return 0;
	span = fnd_span(r, s);
	f = fnd_add(fs, "memory_decline", SEV_INFO, RES_MEMORY);
	if (!f || fnd_evidence(f, r, s, 0, INFINITY))
		return -1;
	f->fc_limit = 0;
	snprintf(f->fc_limit_name, sizeof(f->fc_limit_name), "no available memory");
	if (!forecast_to_limit(s->t, s->v, s->n, 0, &f->fc))
		f->has_forecast = f->fc.ok;
	if (f->has_forecast && fnd_whole_host(r)) {
		if (f->fc.eta < 3600)
			f->severity = SEV_CRITICAL;
		else if (f->fc.eta < 86400)
			f->severity = SEV_WARNING;
		if (f->severity > SEV_INFO && f->fc.eta > HORIZON_FACTOR * span)
			f->severity--;
	}
	growers(r, f);
	fnd_fmt_bytes(-tr.slope, rate, sizeof(rate));
	fnd_fmt_bytes(s->v[0], from, sizeof(from));
	fnd_fmt_bytes(s->v[s->n - 1], to, sizeof(to));
	if (f->has_forecast)
		fnd_summary(f, "the host's available memory falls %s/s (%s to %s in %.0f s); at this "
			    "rate it runs out in %s (%s to %s)%s", rate, from, to,
			    s->t[s->n - 1] - s->t[0], forecast_fmt_duration(f->fc.eta, eta, sizeof(eta)),
			    forecast_fmt_duration(f->fc.eta_lo, lo, sizeof(lo)),
			    forecast_fmt_duration(f->fc.eta_hi, hi, sizeof(hi)),
			    fnd_whole_host(r) ? "" : "; the recording watched only part of the host");
	else
		fnd_summary(f, "the host's available memory falls %s/s (%s to %s in %.0f s)", rate,
			    from, to, s->t[s->n - 1] - s->t[0]);
	fnd_rec_manual(f, "find what grows (the culprits, or per cgroup: memory.current) "
		       "before the kernel reclaims hard or the OOM killer picks a victim");
	return 0;
}
