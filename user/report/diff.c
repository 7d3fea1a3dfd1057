// SPDX-License-Identifier: GPL-2.0
/* perfpilot diff output: text for people, JSON for machines. */
#include <math.h>
#include <string.h>
#include "findings/series.h"
#include "report/diff.h"
#include "report/report.h"

static json_t *change_json(const struct metric_change *m)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:b, s:b, s:b}",
			 "entity_kind", report_kind_name(m->kind), "entity", m->entity,
			 "metric", m->metric, "per", m->rate ? "second" : "sample",
			 "baseline", report_json_num(m->base),
			 "current", report_json_num(m->cur),
			 "change_pct", report_json_num(m->change_pct),
			 "p", report_json_num(m->p), "n_baseline",
			 (json_int_t)m->nbase, "n_current", (json_int_t)m->ncur, "significant",
			 m->significant, "changed", m->changed, "regression", m->regression);
}

static json_t *names_json(const struct name_list *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->name[i]));
	return a;
}

json_t *diff_json(const struct recording *base, const struct recording *cur,
		  const struct comparison *c, const struct profile_diff *pd)
{
	json_t *m = json_array(), *prof = json_null();
	size_t i, reg = 0;

	for (i = 0; i < c->n; i++) {
		json_array_append_new(m, change_json(&c->m[i]));
		reg += c->m[i].regression;
	}
	if (pd && pd->folded)
		prof = json_pack("{s:s, s:o, s:o}", "folded_diff", pd->folded,
				 "baseline_samples", report_json_num(pd->base_total),
				 "current_samples", report_json_num(pd->cur_total));
	return json_pack("{s:o, s:o, s:o, s:f, s:I, s:o, s:{s:o, s:o}, s:o}", "baseline",
			 report_meta_json(base), "current", report_meta_json(cur), "threshold_pct",
			 report_json_num(c->threshold_pct), "alpha", COMPARE_ALPHA,
			 "regressions", (json_int_t)reg,
			 "metrics", m, "processes", "only_baseline", names_json(&c->only_base),
			 "only_current", names_json(&c->only_cur), "profile", prof);
}

/* A mean for people: CPUs for CPU time, bytes, ms for microseconds. */
static const char *human(const struct metric_change *m, double v, char *buf, size_t len)
{
	size_t n = strlen(m->metric);

	if (!isfinite(v))
		return snprintf(buf, len, "-"), buf;
	if (n > 3 && !strcmp(m->metric + n - 3, "_ns") && m->rate)
		snprintf(buf, len, "%.3f CPUs", v / 1e9);
	else if (n > 3 && !strcmp(m->metric + n - 3, "_us") && !m->rate)
		snprintf(buf, len, "%.2f ms", v / 1e3);
	else if (n > 3 && !strcmp(m->metric + n - 3, "_us"))
		snprintf(buf, len, "%.1f ms/s", v / 1e3);
	else if (n > 6 && !strcmp(m->metric + n - 6, "_bytes")) {
		fnd_fmt_bytes(v, buf, len);
		if (m->rate)
			strncat(buf, "/s", len - strlen(buf) - 1);
	} else
		snprintf(buf, len, m->rate ? "%.4g/s" : "%.4g", v);
	return buf;
}

static void row(FILE *out, const struct metric_change *m)
{
	char who[40], a[32], b[32], pct[16];

	if (m->kind == ENT_HOST)
		snprintf(who, sizeof(who), "host");
	else
		snprintf(who, sizeof(who), "%.7s %.24s", report_kind_name(m->kind), m->entity);
	if (isfinite(m->change_pct))
		snprintf(pct, sizeof(pct), "%+.0f%%", m->change_pct);
	else
		snprintf(pct, sizeof(pct), "new");
	fprintf(out, "  %-22.22s %-20.20s %12s -> %-12s %6s p=%.3f\n", who, m->metric,
		human(m, m->base, a, sizeof(a)), human(m, m->cur, b, sizeof(b)), pct, m->p);
}

static void names(FILE *out, const char *label, const struct name_list *l)
{
	size_t i, col;

	if (!l->n)
		return;
	col = (size_t)fprintf(out, "%s:", label);
	for (i = 0; i < l->n; i++) {
		if (col + strlen(l->name[i]) + 1 > 78) {
			fputs("\n   ", out);
			col = 3;
		}
		col += (size_t)fprintf(out, " %s", l->name[i]);
	}
	fputc('\n', out);
}

void diff_text(FILE *out, const struct recording *base, const struct recording *cur,
	       const struct comparison *c, const struct profile_diff *pd)
{
	size_t i, nreg = 0, nchg = 0;

	fprintf(out, "Baseline: %s on %s, %.0f s; current: %s on %s, %.0f s\n",
		base->target[0] ? base->target : "-a", base->hostname, base->end - base->start,
		cur->target[0] ? cur->target : "-a", cur->hostname, cur->end - cur->start);
	if (base->merged > 1 || cur->merged > 1)
		fprintf(out, "Compared in steps of %g s (baseline) and %g s (current): a long "
			"recording is read\nin steps of several intervals.\n", base->interval_s,
			cur->interval_s);
	fprintf(out, "Means per second (counters) or per sample (gauges); changes of at least "
		"%.0f%%\nwith p < %.2f (Mann-Whitney) count.\n\n", c->threshold_pct, COMPARE_ALPHA);
	for (i = 0; i < c->n; i++) {
		nreg += c->m[i].regression;
		nchg += c->m[i].changed && !c->m[i].regression;
	}
	fprintf(out, "Regressions: %zu\n", nreg);
	for (i = 0; i < c->n; i++)
		if (c->m[i].regression)
			row(out, &c->m[i]);
	if (nchg) {
		fprintf(out, "\nOther changes: %zu\n", nchg);
		for (i = 0; i < c->n; i++)
			if (c->m[i].changed && !c->m[i].regression)
				row(out, &c->m[i]);
	}
	if (c->only_base.n || c->only_cur.n)
		fputc('\n', out);
	names(out, "Processes only in the baseline", &c->only_base);
	names(out, "Processes only in the current", &c->only_cur);
	if (pd && pd->folded)
		fprintf(out, "\nProfiles: %.0f samples in the baseline, %.0f in the current; "
			"--folded FILE writes\nthe folded diff, --svg FILE the differential flame "
			"graph.\n", pd->base_total, pd->cur_total);
}
