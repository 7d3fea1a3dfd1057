// SPDX-License-Identifier: GPL-2.0
/* Capacity: the rows as text and JSON (output.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "analysis/forecast.h"
#include "capacity/output.h"

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static int set(json_t *o, const char *k, json_t *v)
{
	return json_object_set_new(o, k, v);
}

static json_t *row_json(const struct cap_row *r)
{
	json_t *o = json_object();
	const struct cap_trend *tr = &r->tr;
	int bad;

	if (!o)
		return NULL;
	bad = set(o, "scope", json_string(cap_scope_name(r->scope))) ||
	      set(o, "name", json_string(r->name)) ||
	      set(o, "resource", json_string(cap_resource_name(r->resource))) ||
	      set(o, "unit", json_string(cap_resource_unit(r->resource))) ||
	      set(o, "used", num(r->used)) || set(o, "limit", num(r->limit)) ||
	      set(o, "limit_source", json_string(r->limit_src)) ||
	      set(o, "peak", num(r->peak)) || set(o, "p95", num(r->p95)) ||
	      set(o, "growth_per_s", num(tr->rate)) ||
	      set(o, "growth_per_s_lo", num(tr->rate_lo)) ||
	      set(o, "growth_per_s_hi", num(tr->rate_hi)) ||
	      set(o, "growth_significant", json_boolean(tr->significant)) ||
	      set(o, "exhaustion_s", num(tr->exhaustion_s)) ||
	      set(o, "exhaustion_s_lo", num(tr->exh_lo)) ||
	      set(o, "exhaustion_s_hi", num(tr->exh_hi)) ||
	      set(o, "exhaustion_note", tr->why ? json_string(tr->why) : json_null()) ||
	      set(o, "recommended_limit", num(r->recommended)) ||
	      set(o, "samples", json_integer((json_int_t)r->n)) ||
	      set(o, "since", num(r->since)) || set(o, "until", num(r->until)) ||
	      set(o, "evidence", json_string(r->evidence));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *capacity_json(const struct cap_table *t, const char *source)
{
	json_t *j = json_object(), *meta = json_object(), *rows = json_array();
	size_t i;

	if (!j || !meta || !rows || set(meta, "since", num(t->since)) ||
	    set(meta, "until", num(t->until)) || set(meta, "horizon_s", num(t->horizon_s)) ||
	    set(meta, "source", json_string(source ? source : "")))
		goto fail;
	for (i = 0; i < t->n; i++)
		if (json_array_append_new(rows, row_json(&t->r[i])))
			goto fail;
	if (set(j, "meta", meta) || set(j, "rows", rows)) {
		json_decref(j);
		return NULL;
	}
	return j;
fail:
	json_decref(j);
	json_decref(meta);
	json_decref(rows);
	return NULL;
}

/* A value in the resource's unit, short. */
static const char *fmt(enum cap_resource res, double v, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (res == CAP_MEMORY)
		snprintf(buf, len, "%.1fM", v / (1024.0 * 1024.0));
	else if (res == CAP_CPU)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.0f%%", 100 * v);
	return buf;
}

static const char *fmt_rate(enum cap_resource res, double v, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (res == CAP_MEMORY)
		snprintf(buf, len, "%+.2fM/s", v / (1024.0 * 1024.0));
	else if (res == CAP_CPU)
		snprintf(buf, len, "%+.4f/s", v);
	else
		snprintf(buf, len, "%+.3f%%/s", 100 * v);
	return buf;
}

void capacity_text(FILE *f, const struct cap_table *t, const char *source)
{
	char u[32], l[32], pk[32], p95[32], g[32], gl[32], gh[32], ex[32], rc[32], lo[32], hi[32];
	size_t i;

	fprintf(f, "Capacity of %s over %.0f s%s (CPU in cores, memory in MiB, disks busy %%)\n\n",
		source ? source : "the recording", t->until - t->since,
		t->horizon_s > 0 ? ", recommendations for the horizon" : "");
	fprintf(f, "%-6s %-28s %-9s %9s %9s %9s %9s %12s %-10s %11s\n", "SCOPE", "NAME",
		"RESOURCE", "USED", "LIMIT", "PEAK", "P95", "GROWTH", "TO LIMIT", "RECOMMEND");
	for (i = 0; i < t->n; i++) {
		const struct cap_row *r = &t->r[i];
		const char *name = r->name;
		size_t nl = strlen(name);

		if (nl > 28)
			name += nl - 28;
		fprintf(f, "%-6s %-28s %-9s %9s %9s %9s %9s %12s %-10s %11s\n",
			cap_scope_name(r->scope), name, cap_resource_name(r->resource),
			fmt(r->resource, r->used, u, sizeof(u)),
			fmt(r->resource, r->limit, l, sizeof(l)),
			fmt(r->resource, r->peak, pk, sizeof(pk)),
			fmt(r->resource, r->p95, p95, sizeof(p95)),
			fmt_rate(r->resource, r->tr.significant ? r->tr.rate : NAN, g, sizeof(g)),
			isfinite(r->tr.exhaustion_s) ?
				forecast_fmt_duration(r->tr.exhaustion_s, ex, sizeof(ex)) : "none",
			fmt(r->resource, r->recommended, rc, sizeof(rc)));
	}
	fprintf(f, "\nEvidence:\n");
	for (i = 0; i < t->n; i++) {
		const struct cap_row *r = &t->r[i];
		const struct cap_trend *tr = &r->tr;

		fprintf(f, "  %s %s %s: %s.\n", cap_scope_name(r->scope), r->name,
			cap_resource_name(r->resource), r->evidence);
		if (tr->fitted)
			fprintf(f, "    growth %s (%s .. %s, %s)", fmt_rate(r->resource, tr->rate, g, sizeof(g)),
				fmt_rate(r->resource, tr->rate_lo, gl, sizeof(gl)),
				fmt_rate(r->resource, tr->rate_hi, gh, sizeof(gh)),
				tr->significant ? "a significant trend" : "not significant");
		else
			fprintf(f, "    growth: %s", tr->why ? tr->why : "unknown");
		if (isfinite(tr->exhaustion_s))
			fprintf(f, "; limit reached in %s (%s .. %s)\n",
				forecast_fmt_duration(tr->exhaustion_s, ex, sizeof(ex)),
				forecast_fmt_duration(tr->exh_lo, lo, sizeof(lo)),
				forecast_fmt_duration(tr->exh_hi, hi, sizeof(hi)));
		else
			fprintf(f, "; no time to limit%s%s\n", tr->why && tr->fitted ? ": " : "",
				tr->why && tr->fitted ? tr->why : "");
	}
}
