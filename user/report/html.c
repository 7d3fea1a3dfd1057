// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML report: one self-contained page (inline CSS, SVG and script,
 * nothing fetched) with the findings, charts of the key series and the
 * profile as an interactive flame graph.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "analysis/forecast.h"
#include "findings/series.h"
#include "formats/flamegraph.h"
#include "formats/folded.h"
#include "report/report.h"
#include "report/svgchart.h"
#include "formats/xml.h"

#define TOP_N 5
#define CHART_W 560
#define CHART_H 220

static const char css[] =
	"body{font-family:sans-serif;margin:1.5em auto;max-width:1240px;color:#222}"
	"h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.5em}"
	".finding{border-left:6px solid #999;padding:.3em .8em;margin:.8em 0;background:#fafafa}"
	".critical{border-color:#c0392b}.warning{border-color:#e67e22}.info{border-color:#2980b9}"
	".sev{font-weight:bold;text-transform:uppercase;margin-right:.6em}"
	".critical .sev{color:#c0392b}.warning .sev{color:#e67e22}.info .sev{color:#2980b9}"
	"table{border-collapse:collapse;font-size:.9em}td,th{padding:2px 8px;text-align:left}"
	"th{background:#eee}code{background:#eee;padding:0 3px}"
	".charts{display:flex;flex-wrap:wrap;gap:12px}.chart{background:#fff;border:1px solid #ddd}"
	".flame{overflow-x:auto;border:1px solid #ddd}.none{color:#777;font-style:italic}";

struct ranked {
	const struct series *s;
	double score;
};

static int by_score(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	return a->score > b->score ? -1 : a->score < b->score;
}

/* Up to max series of kind/metric, largest sum (or max) first. */
static size_t top_series(const struct recording *r, char kind, const char *metric, bool use_max,
			 struct ranked *out, size_t max)
{
	struct ranked *all = calloc(r->n ? r->n : 1, sizeof(*all));
	size_t i, n = 0;

	if (!all)
		return 0;
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];

		if (s->kind != kind || strcmp(s->metric, metric) || !s->n)
			continue;
		all[n].s = s;
		all[n].score = use_max ? fnd_max(s) : fnd_sum(s, 0, INFINITY);
		if (all[n].score > 0)
			n++;
	}
	qsort(all, n, sizeof(*all), by_score);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

static void chart_of(FILE *out, const struct recording *r, const char *title, const char *unit,
		     double scale, char kind, const char *metric, bool use_max)
{
	struct ranked top[TOP_N];
	struct chart_line l[TOP_N];
	char labels[TOP_N][300];
	size_t i, n = top_series(r, kind, metric, use_max, top, TOP_N);

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		fnd_party_name(top[i].s, labels[i], sizeof(labels[i]));
		l[i] = (struct chart_line){labels[i], top[i].s->t, top[i].s->v, top[i].s->n};
	}
	svg_chart(out, title, unit, scale, l, n, r->start, r->end, CHART_W, CHART_H);
}

static void psi_chart(FILE *out, const struct recording *r, double iv)
{
	static const char *const res[] = {"cpu", "memory", "io"};
	struct chart_line l[3];
	char metric[3][48];
	size_t i, n = 0;

	for (i = 0; i < 3; i++) {
		const struct series *s;

		snprintf(metric[i], sizeof(metric[i]), "psi.%s.some_us", res[i]);
		s = rec_find(r, ENT_HOST, "host", metric[i]);
		if (s && s->n)
			l[n++] = (struct chart_line){res[i], s->t, s->v, s->n};
	}
	if (n)
		svg_chart(out, "Host pressure (some)", "% of time", iv * 1e4, l, n, r->start, r->end,
			  CHART_W, CHART_H);
}

static void charts(FILE *out, const struct recording *r)
{
	double iv = fnd_interval(r);

	fputs("<h2>Key series</h2>\n<div class=\"charts\">\n", out);
	chart_of(out, r, "Host CPU busy", "CPUs", iv * 1e9, ENT_HOST, "host.cpu_busy_ns", false);
	chart_of(out, r, "Host runnable tasks", "tasks", 1, ENT_HOST, "host.runnable", true);
	chart_of(out, r, "Host memory available", "GiB", 1073741824.0, ENT_HOST,
		 "host.mem_available_bytes", true);
	psi_chart(out, r, iv);
	chart_of(out, r, "CPU of the top processes", "CPUs", iv * 1e9, ENT_PROC, "cpu.oncpu_ns",
		 false);
	chart_of(out, r, "Run-queue wait of the top processes", "CPUs waiting", iv * 1e9,
		 ENT_PROC, "sched.runq_wait_ns", false);
	chart_of(out, r, "Resident memory of the top processes", "MiB", MIB, ENT_PROC,
		 "mem.rss_bytes", true);
	chart_of(out, r, "Block writes of the top processes", "MiB/s", MIB * iv, ENT_PROC,
		 "io.write_bytes", false);
	chart_of(out, r, "Block reads of the top processes", "MiB/s", MIB * iv, ENT_PROC,
		 "io.read_bytes", false);
	chart_of(out, r, "Disk busy", "% of time", iv * 1e7, ENT_DEV, "dev.busy_ns", false);
	fputs("</div>\n", out);
}

static void parties(FILE *out, const char *label, const struct party *p, size_t n)
{
	char v[32];
	size_t i;

	if (!n)
		return;
	fprintf(out, "<p><b>%s</b></p><table><tr><th>process / cgroup</th><th>metric</th>"
		"<th>value</th><th>share</th></tr>\n", label);
	for (i = 0; i < n; i++) {
		fputs("<tr><td>", out);
		if (p[i].kind == ENT_PROC) {
			xml_escape(out, p[i].comm);
			fprintf(out, " (pid %u)", p[i].pid);
		} else {
			xml_escape(out, p[i].cgroup);
		}
		fprintf(out, "</td><td>%s</td><td>", p[i].metric);
		xml_escape(out, report_value(p[i].value, p[i].unit, v, sizeof(v)));
		if (isfinite(p[i].share))
			fprintf(out, "</td><td>%.2f</td></tr>\n", p[i].share);
		else
			fputs("</td><td></td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void finding(FILE *out, const struct recording *r, const struct finding *f)
{
	const struct evidence *e = &f->ev;
	struct chart_line l = {e->metric, e->t, e->v, e->n};
	char title[400], eta[32];
	size_t i;

	fprintf(out, "<div class=\"finding %s\"><p><span class=\"sev\">%s</span>%s &middot; "
		"<code>%s</code></p>\n<p>", severity_name(f->severity), severity_name(f->severity),
		resource_name(f->resource), f->kind);
	xml_escape(out, f->summary);
	fputs("</p>\n", out);
	if (e->n >= 2) {
		const char *unit = fnd_metric_unit(e->metric);
		double scale = 1;

		if (!strcmp(unit, "bytes")) {
			unit = "MiB";
			scale = MIB;
		} else if (!strcmp(unit, "ns")) {
			unit = "ms";
			scale = 1e6;
		} else if (!strcmp(unit, "us")) {
			unit = "ms";
			scale = 1e3;
		} else {
			unit = "count";
		}
		snprintf(title, sizeof(title), "%s of %s", e->metric, e->entity);
		svg_chart(out, title, unit, scale, &l, 1, e->start, e->end, CHART_W, 160);
	}
	parties(out, "Victims (who waited)", f->victims, f->nvictims);
	parties(out, "Culprits (who used the resource)", f->culprits, f->nculprits);
	if (f->has_forecast)
		fprintf(out, "<p><b>Forecast:</b> reaches %s in %s (r&sup2; %.2f)</p>\n",
			f->fc_limit_name, forecast_fmt_duration(f->fc.eta, eta, sizeof(eta)), f->fc.r2);
	fputs("<ul>\n", out);
	for (i = 0; i < f->nrecs; i++) {
		fputs("<li>", out);
		xml_escape(out, f->recs[i].text);
		fputs("</li>\n", out);
	}
	fputs("</ul></div>\n", out);
	(void)r;
}

/* The recording's profile as the interactive flame graph, inline. */
static void flame_graph(FILE *out, const struct recording *r, const struct folded *f, size_t bad)
{
	const unsigned int hz = r->profile_hz ? r->profile_hz : RECORDING_PROFILE_HZ;
	const struct flamegraph_meta m = {
		.kind = SS_ONCPU, .hz = hz,
		.period_ns = 1000000000ull / hz,
		.start_unix = r->start, .duration_s = r->end - r->start,
	};
	const struct flamegraph_opts o = { .host = r->hostname, .embedded = true, .id = "profile" };
	struct flametree t;

	if (ft_init(&t) || ft_from_folded(&t, f, NULL)) {
		fputs("<p class=\"none\">The profile could not be read (out of memory).</p>\n", out);
	} else {
		fprintf(out, "<p>%" PRIu64 " samples. Hover a frame for its name and share, click it "
			"to zoom, Search (or / over the graph) to highlight frames by name.</p>\n",
			t.n[0].value);
		if (bad)
			fprintf(out, "<p class=\"none\">%zu malformed line%s of the stored profile "
				"skipped.</p>\n", bad, bad == 1 ? "" : "s");
		fputs("<div class=\"flame\">\n", out);
		flamegraph_svg(&t, &m, &o, out);
		fputs("</div>\n", out);
	}
	ft_free(&t);
}

static void flame(FILE *out, const struct recording *r)
{
	struct folded f;
	size_t bad = 0;

	fputs("<h2>On-CPU profile</h2>\n", out);
	if (!r->folded || !r->folded[0]) {
		fputs("<p class=\"none\">No profile was recorded (record with --profile to get a "
		      "flame graph here).</p>\n", out);
		return;
	}
	if (folded_parse(r->folded, &f, &bad)) {
		fputs("<p class=\"none\">The profile could not be read (out of memory).</p>\n", out);
		return;
	}
	flame_graph(out, r, &f, bad);
	folded_free(&f);
}

void report_html(FILE *out, const struct recording *r, const struct findings *fs)
{
	char a[32], b[32], self[192], iv[64], folded[256];
	time_t t0 = (time_t)r->start, t1 = (time_t)r->end;
	struct tm tm;
	size_t i;

	gmtime_r(&t0, &tm);
	strftime(a, sizeof(a), "%Y-%m-%d %H:%M:%S", &tm);
	gmtime_r(&t1, &tm);
	strftime(b, sizeof(b), "%H:%M:%S", &tm);
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>perfpilot report: ");
	xml_escape(out, r->hostname);
	fprintf(out, "</title>\n<style>%s</style></head><body>\n<h1>perfpilot report: ", css);
	xml_escape(out, r->hostname);
	fprintf(out, "</h1>\n<p>Target <code>");
	xml_escape(out, r->target[0] ? r->target : "-a");
	fprintf(out, "</code>, %s to %s UTC (%.0f s, %s), %d CPUs, kernel ", a, b,
		r->end - r->start, report_intervals(r, iv, sizeof(iv)), r->ncpus);
	xml_escape(out, r->kernel);
	if (*report_self_cost(r, self, sizeof(self))) {
		fputs("</p>\n<p class=\"self\">", out);
		xml_escape(out, self);
	}
	if (*report_folded(r, folded, sizeof(folded))) {
		fputs("</p>\n<p class=\"self\">", out);
		xml_escape(out, folded);
	}
	fputs("</p>\n<h2>Findings</h2>\n", out);
	if (!fs->n)
		fputs("<p class=\"none\">Nothing waited, grew or overflowed beyond the "
		      "thresholds.</p>\n", out);
	for (i = 0; i < fs->n; i++)
		finding(out, r, &fs->f[i]);
	charts(out, r);
	report_html_capacity(out, r);
	flame(out, r);
	fputs("</body></html>\n", out);
}
