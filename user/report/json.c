// SPDX-License-Identifier: GPL-2.0
/* Findings as JSON: one object per finding with a fixed set of keys. */
#include <math.h>
#include <string.h>
#include "report/report.h"

json_t *report_json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

const char *report_kind_name(char k)
{
	switch (k) {
	case ENT_HOST: return "host";
	case ENT_PROC: return "process";
	case ENT_CGROUP: return "cgroup";
	case ENT_DEV: return "device";
	case ENT_NETNS: return "netns";
	case ENT_GROUP: return "group";
	default: return "?";
	}
}

/* perfpilot's own cost while it recorded, or null (an older store). */
static json_t *self_json(const struct recording *r)
{
	double span = r->end - r->start;

	if (!r->self_pid)
		return json_null();
	return json_pack("{s:I, s:o, s:o, s:o}", "pid", (json_int_t)r->self_pid,
			 "cpu_s", report_json_num(r->self_cpu_s),
			 "cpus", report_json_num(span > 0 ? r->self_cpu_s / span : NAN),
			 "rss_peak_bytes", report_json_num(r->self_rss_peak_bytes));
}

/* The processes store_load folded into groups, or null (none). */
static json_t *folded_json(const struct recording *r)
{
	if (!r->procs_folded)
		return json_null();
	return json_pack("{s:I, s:I, s:I, s:o}", "processes", (json_int_t)r->procs_folded,
			 "of", (json_int_t)r->procs, "groups", (json_int_t)r->fold_groups,
			 "max_life_s", report_json_num(r->fold_life_s));
}

json_t *report_meta_json(const struct recording *r)
{
	json_t *j = json_pack("{s:i, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:o, s:I, s:b, s:o}",
			 "schema_version", r->schema_version, "hostname", r->hostname,
			 "kernel", r->kernel, "target", r->target,
			 "start", report_json_num(r->start),
			 "end", report_json_num(r->end),
			 "duration_s", report_json_num(r->end - r->start),
			 "interval_s", report_json_num(r->interval_s), "ncpus", r->ncpus,
			 "mem_total_bytes", report_json_num(r->mem_total_bytes),
			 "series", (json_int_t)r->n, "has_profile", r->has_profile,
			 "self", self_json(r));

	if (j)
		json_object_set_new(j, "folded", folded_json(r));
	/* a long window read in steps (store.h): interval_s is the step */
	if (j && r->merged > 1)
		json_object_set_new(j, "merged_intervals", json_integer(r->merged));
	return j;
}

static json_t *evidence_json(const struct evidence *e)
{
	json_t *t = json_array(), *v = json_array();
	size_t i;

	for (i = 0; i < e->n; i++) {
		json_array_append_new(t, report_json_num(e->t[i]));
		json_array_append_new(v, report_json_num(e->v[i]));
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "metric", e->metric,
			 "entity_kind", report_kind_name(e->kind), "entity", e->entity,
			 "start", report_json_num(e->start), "end", report_json_num(e->end),
			 "t", t, "values", v);
}

static json_t *party_json(const struct party *p)
{
	json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:o}", "kind", report_kind_name(p->kind),
			      "metric", p->metric, "value", report_json_num(p->value),
			      "unit", p->unit, "share", report_json_num(p->share));

	if (p->kind == ENT_PROC) {
		json_object_set_new(o, "pid", json_integer(p->pid));
		json_object_set_new(o, "comm", json_string(p->comm));
		/* with the pid, the process's identity (null: not known) */
		json_object_set_new(o, "process_start",
				    p->start > 0 ? json_real(p->start) : json_null());
	}
	json_object_set_new(o, "cgroup", json_string(p->cgroup));
	return o;
}

static json_t *parties_json(const struct party *p, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, party_json(&p[i]));
	return a;
}

static json_t *forecast_json(const struct finding *f)
{
	if (!f->has_forecast)
		return json_null();
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "limit_name", f->fc_limit_name,
			 "limit", report_json_num(f->fc_limit),
			 "rate_per_s", report_json_num(f->fc.rate),
			 "eta_s", report_json_num(f->fc.eta),
			 "eta_lo_s", report_json_num(f->fc.eta_lo),
			 "eta_hi_s", report_json_num(f->fc.eta_hi),
			 "r2", report_json_num(f->fc.r2));
}

static json_t *rec_json(const struct recommendation *r)
{
	json_t *o = json_pack("{s:s, s:s}", "action", r->action, "text", r->text);

	if (!strcmp(r->action, "sysctl")) {
		json_object_set_new(o, "key", json_string(r->key));
		json_object_set_new(o, "from", r->from[0] ? json_string(r->from) : json_null());
		json_object_set_new(o, "to", json_string(r->to));
	} else if (!strcmp(r->action, "cgroup")) {
		json_object_set_new(o, "path", json_string(r->path));
		json_object_set_new(o, "file", json_string(r->file));
		json_object_set_new(o, "value", json_string(r->to));
	} else if (!strcmp(r->action, "renice")) {
		json_object_set_new(o, "pid", json_integer(r->pid));
		json_object_set_new(o, "value", json_string(r->to));
	}
	return o;
}

json_t *finding_json(const struct finding *f)
{
	json_t *recs = json_array();
	size_t i;

	for (i = 0; i < f->nrecs; i++)
		json_array_append_new(recs, rec_json(&f->recs[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "kind", f->kind,
			 "severity", severity_name(f->severity), "resource",
			 resource_name(f->resource), "summary", f->summary, "evidence",
			 evidence_json(&f->ev), "victims", parties_json(f->victims, f->nvictims),
			 "culprits", parties_json(f->culprits, f->nculprits), "forecast",
			 forecast_json(f), "recommendations", recs);
}

json_t *report_json(const struct recording *r, const struct findings *fs)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < fs->n; i++)
		json_array_append_new(a, finding_json(&fs->f[i]));
	return json_pack("{s:o, s:o}", "meta", report_meta_json(r), "findings", a);
}
