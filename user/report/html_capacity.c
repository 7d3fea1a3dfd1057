// SPDX-License-Identifier: GPL-2.0
/* The HTML report's capacity section (report.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "analysis/forecast.h"
#include "capacity/capacity.h"
#include "capacity/output.h"
#include "formats/xml.h"
#include "report/report.h"
#include "report/svgchart.h"

#define CHART_W 560
#define CHART_H 220
#define MIB (1024.0 * 1024.0)

static double unit_scale(enum cap_resource res, const char **unit)
{
	*unit = res == CAP_MEMORY ? "MiB" : res == CAP_CPU ? "CPUs" : "busy (1 = always)";
	return res == CAP_MEMORY ? MIB : 1;
}

static void cell(FILE *out, enum cap_resource res, double v)
{
	const char *unit;
	double s = unit_scale(res, &unit);

	if (isfinite(v))
		fprintf(out, "<td>%.*f</td>", res == CAP_MEMORY ? 1 : 2, v / s);
	else
		fputs("<td>-</td>", out);
}

/* The use, the limit and the trend's line up to it (the chart runs until
 * the limit is reached, or 4 times the window when that is later). */
static void chart(FILE *out, const struct cap_row *row)
{
	const struct series *s = row->src;
	double *v = malloc(s->n * sizeof(*v)), lt[2], lv[2], tt[2], tv[2], end, span, eta;
	struct chart_line l[3];
	char title[400], d[32];
	const char *unit;
	double scale = unit_scale(row->resource, &unit);
	size_t i;

	if (!v)
		return;
	for (i = 0; i < s->n; i++)
		v[i] = cap_row_value(row, i);
	span = fmax(row->until - row->since, 1);
	eta = row->tr.exhaustion_s;
	end = row->until + fmin(eta, 4 * span);
	lt[0] = row->since;
	lt[1] = end;
	lv[0] = lv[1] = row->limit;
	tt[0] = row->until;
	tt[1] = end;
	/* the line at the last sample, by the figure's own arithmetic */
	tv[1] = row->limit - row->tr.rate * (eta - (end - row->until));
	tv[0] = row->limit - row->tr.rate * eta;
	l[0] = (struct chart_line){ cap_resource_name(row->resource), s->t, v, s->n };
	l[1] = (struct chart_line){ "limit", lt, lv, 2 };
	l[2] = (struct chart_line){ "trend", tt, tv, 2 };
	snprintf(title, sizeof(title), "%s %s %s: limit in %s", cap_scope_name(row->scope),
		 row->name, cap_resource_name(row->resource),
		 forecast_fmt_duration(eta, d, sizeof(d)));
	svg_chart(out, title, unit, scale, l, 3, row->since, end, CHART_W, CHART_H);
	free(v);
}

void report_html_capacity(FILE *out, const struct recording *r)
{
	struct cap_table t;
	struct cap_opts o;
	char d[32];
	size_t i, nout = 0;

	cap_opts_default(&o);
	if (capacity_analyze(r, &o, NULL, 0, &t) || !t.n) {
		cap_table_free(&t);
		return;
	}
	fputs("<h2>Capacity</h2>\n<p>Per resource: used at the end, limit, peak, p95, "
	      "growth (when significant), time until the limit at the trend, and the "
	      "recommended limit (CPU: p99 of demand, memory: the peak, each plus 15 % "
	      "headroom; docs/capacity.md). CPU in CPUs, memory in MiB, disks busy "
	      "(1 = always).</p>\n<table><tr><th>scope</th><th>name</th><th>resource</th>"
	      "<th>used</th><th>limit</th><th>peak</th><th>p95</th><th>growth /s</th>"
	      "<th>to limit</th><th>recommended</th></tr>\n", out);
	for (i = 0; i < t.n; i++) {
		const struct cap_row *row = &t.r[i];

		fprintf(out, "<tr><td>%s</td><td>", cap_scope_name(row->scope));
		xml_escape(out, row->name);
		fprintf(out, "</td><td>%s</td>", cap_resource_name(row->resource));
		cell(out, row->resource, row->used);
		cell(out, row->resource, row->limit);
		cell(out, row->resource, row->peak);
		cell(out, row->resource, row->p95);
		cell(out, row->resource, row->tr.significant ? row->tr.rate : NAN);
		fprintf(out, "<td>%s</td>", isfinite(row->tr.exhaustion_s) ?
			forecast_fmt_duration(row->tr.exhaustion_s, d, sizeof(d)) : "none");
		cell(out, row->resource, row->recommended);
		fputs("</tr>\n", out);
		nout += isfinite(row->tr.exhaustion_s) && row->tr.exhaustion_s > 0;
	}
	fputs("</table>\n", out);
	if (nout) {
		fputs("<div class=\"charts\">\n", out);
		for (i = 0; i < t.n; i++)
			if (isfinite(t.r[i].tr.exhaustion_s) && t.r[i].tr.exhaustion_s > 0)
				chart(out, &t.r[i]);
		fputs("</div>\n", out);
	} else {
		fputs("<p class=\"none\">No resource is growing towards its limit.</p>\n", out);
	}
	cap_table_free(&t);
}
