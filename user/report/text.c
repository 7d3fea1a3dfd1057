// SPDX-License-Identifier: GPL-2.0
/* Findings for people: most severe first, with sparklines of the evidence. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "analysis/forecast.h"
#include "analysis/sparkline.h"
#include "findings/series.h"
#include "report/report.h"

#define WIDTH 80
#define INDENT 12
#define SPARK 24

const char *report_value(double v, const char *unit, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (!strcmp(unit, "ns"))
		snprintf(buf, len, "%.2f s", v / 1e9);
	else if (!strcmp(unit, "us"))
		snprintf(buf, len, "%.1f ms", v / 1e3);
	else if (!strcmp(unit, "bytes"))
		fnd_fmt_bytes(v, buf, len);
	else if (!strcmp(unit, "bytes/s")) {
		fnd_fmt_bytes(v, buf, len);
		strncat(buf, "/s", len - strlen(buf) - 1);
	} else
		snprintf(buf, len, "%.4g%s%s", v, unit[0] ? " " : "", unit);
	return buf;
}

/* Display columns of the first n bytes of p (UTF-8 continuation bytes take
 * none). */
static size_t cols(const char *p, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n && p[i]; i++)
		c += ((unsigned char)p[i] & 0xc0) != 0x80;
	return c;
}

/* Print text from column `col` on, wrapped at WIDTH with `indent` spaces. */
static void wrap_at(FILE *out, const char *text, size_t col, int indent)
{
	const char *p = text;

	while (*p) {
		size_t room = WIDTH - col, n = strlen(p), cut = 0, i;

		if (cols(p, n) <= room) {
			fprintf(out, "%s\n", p);
			return;
		}
		/* the last space that leaves at most `room` columns before it */
		for (i = 0; p[i] && cols(p, i) <= room; i++)
			if (p[i] == ' ')
				cut = i;
		if (!cut)
			for (cut = i; p[cut] && p[cut] != ' '; cut++)
				;
		fprintf(out, "%.*s\n%*s", (int)cut, p, indent, "");
		p += cut;
		while (*p == ' ')
			p++;
		col = (size_t)indent;
	}
	fputc('\n', out);
}

/* Print text from column `col` on, wrapped at WIDTH with INDENT spaces. */
static void wrap(FILE *out, const char *text, size_t col)
{
	wrap_at(out, text, col, INDENT);
}

static void line(FILE *out, const char *label, const char *text)
{
	fprintf(out, "  %-*s", INDENT - 2, label);
	wrap(out, text, INDENT);
}

static const char *clock_of(double t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

static void evidence(FILE *out, const struct finding *f)
{
	const struct evidence *e = &f->ev;
	char spark[3 * SPARK + 1] = "", lo[32], hi[32], text[512];
	const char *unit = fnd_metric_unit(e->metric);
	double mn = INFINITY, mx = -INFINITY;
	size_t i;

	if (!e->n)
		return;
	for (i = 0; i < e->n; i++) {
		mn = fmin(mn, e->v[i]);
		mx = fmax(mx, e->v[i]);
	}
	if (e->n >= 3 && sparkline(e->v, e->n, SPARK, spark, sizeof(spark)) < 0)
		spark[0] = 0;
	snprintf(text, sizeof(text), "%s of %s %s%s%s, %s .. %s over %.0fs", e->metric,
		 e->kind == ENT_PROC ? "pid" : e->kind == ENT_CGROUP ? "cgroup" :
		 e->kind == ENT_DEV ? "disk" : e->kind == ENT_NETNS ? "netns" :
		 e->kind == ENT_GROUP ? "group" : "the", e->entity,
		 spark[0] ? "  " : "", spark, report_value(mn, unit, lo, sizeof(lo)),
		 report_value(mx, unit, hi, sizeof(hi)), e->end - e->start);
	line(out, "evidence", text);
}

static void parties(FILE *out, const char *label, const struct party *p, size_t n)
{
	char text[1024] = "", v[32];
	size_t i, used;

	for (i = 0; i < n; i++) {
		used = strlen(text);
		if (p[i].kind == ENT_PROC)
			snprintf(text + used, sizeof(text) - used, "%s%s (pid %u) %s %s", i ? "; " : "",
				 p[i].comm, p[i].pid, p[i].metric,
				 report_value(p[i].value, p[i].unit, v, sizeof(v)));
		else
			snprintf(text + used, sizeof(text) - used, "%scgroup %s %s %s", i ? "; " : "",
				 p[i].cgroup, p[i].metric,
				 report_value(p[i].value, p[i].unit, v, sizeof(v)));
		used = strlen(text);
		if (isfinite(p[i].share) && !strcmp(p[i].metric, "sched.runq_wait_ns"))
			snprintf(text + used, sizeof(text) - used, " (%.0f%% waiting)",
				 p[i].share * 100);
		else if (isfinite(p[i].share) && !strcmp(p[i].metric, "cpu.oncpu_ns"))
			snprintf(text + used, sizeof(text) - used, " (%.2f CPUs)", p[i].share);
	}
	if (n)
		line(out, label, text);
}

static void forecast(FILE *out, const struct finding *f)
{
	char text[256], eta[32], lo[32], hi[32], lim[32];

	if (!f->has_forecast)
		return;
	snprintf(text, sizeof(text), "%s (%s) in %s, between %s and %s (line fit r2 %.2f)",
		 f->fc_limit_name, fnd_fmt_bytes(f->fc_limit, lim, sizeof(lim)),
		 forecast_fmt_duration(f->fc.eta, eta, sizeof(eta)), forecast_fmt_duration(f->fc.eta_lo, lo, sizeof(lo)),
		 forecast_fmt_duration(f->fc.eta_hi, hi, sizeof(hi)), f->fc.r2);
	line(out, "reaches", text);
}

static void finding(FILE *out, const struct finding *f)
{
	static const char *const sev[] = {"INFO", "WARNING", "CRITICAL"};
	size_t i;

	fprintf(out, "%-9s %-8s %s\n", sev[f->severity], resource_name(f->resource), f->kind);
	line(out, "", f->summary);
	evidence(out, f);
	parties(out, "victims", f->victims, f->nvictims);
	parties(out, "culprits", f->culprits, f->nculprits);
	forecast(out, f);
	for (i = 0; i < f->nrecs; i++)
		line(out, i ? "" : "do", f->recs[i].text);
	fputc('\n', out);
}

/* Sparklines of the host's CPU use and available memory, when recorded. */
static void overview(FILE *out, const struct recording *r)
{
	static const struct { const char *metric, *label; double scale; } rows[] = {
		{"host.cpu_busy_ns", "CPUs busy", 1e9},
		{"host.runnable", "runnable", 1},
		{"host.mem_available_bytes", "GiB free", 1073741824.0},
	};
	char spark[3 * 40 + 1];
	size_t i, k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct series *s = rec_find(r, ENT_HOST, "host", rows[i].metric);
		double mn = INFINITY, mx = -INFINITY, sc = rows[i].scale;

		if (!s || s->n < 3 || sparkline(s->v, s->n, 40, spark, sizeof(spark)) < 0)
			continue;
		if (!strcmp(rows[i].metric, "host.cpu_busy_ns"))
			sc *= r->interval_s > 0 ? r->interval_s : 1;
		for (k = 0; k < s->n; k++) {
			mn = fmin(mn, s->v[k] / sc);
			mx = fmax(mx, s->v[k] / sc);
		}
		/* small values (an idle host's CPUs) need another digit */
		fprintf(out, "  %-10s%s  %.*f .. %.*f\n", rows[i].label, spark, mx < 1 ? 2 : 1, mn,
			mx < 1 ? 2 : 1, mx);
	}
}

const char *report_intervals(const struct recording *r, char *buf, size_t len)
{
	if (r->merged > 1)
		snprintf(buf, len, "%.3g s intervals, read in %.3g s steps",
			 r->interval_s / r->merged, r->interval_s);
	else
		snprintf(buf, len, "%.3g s intervals", r->interval_s);
	return buf;
}

const char *report_folded(const struct recording *r, char *buf, size_t len)
{
	char n[32], of[32], life[32];

	if (!r->procs_folded) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	snprintf(buf, len, "%s of %s processes (each seen %s or less, none among the top by a "
		 "resource) folded into %zu group%s by command, parent and cgroup",
		 fnd_fmt_count((double)r->procs_folded, n, sizeof(n)),
		 fnd_fmt_count((double)r->procs, of, sizeof(of)),
		 forecast_fmt_duration(r->fold_life_s, life, sizeof(life)), r->fold_groups,
		 r->fold_groups == 1 ? "" : "s");
	return buf;
}

const char *report_self_cost(const struct recording *r, char *buf, size_t len)
{
	double span = r->end - r->start;
	char rss[32];

	if (!r->self_pid) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	snprintf(buf, len, "perfpilot itself (pid %u): %.2f s of CPU (%.3f CPUs), peak RSS %s; "
		 "left out of victims and culprits", r->self_pid, r->self_cpu_s,
		 span > 0 ? r->self_cpu_s / span : 0.0,
		 fnd_fmt_bytes(r->self_rss_peak_bytes, rss, sizeof(rss)));
	return buf;
}

void report_text(FILE *out, const struct recording *r, const struct findings *fs)
{
	char a[32], b[32], self[192], iv[64], folded[256];
	size_t i, nsev[3] = {0};

	for (i = 0; i < fs->n; i++)
		nsev[fs->f[i].severity]++;
	fprintf(out, "Recording of %s on %s (kernel %s, %d CPUs)\n",
		r->target[0] ? r->target : "-a", r->hostname[0] ? r->hostname : "?",
		r->kernel[0] ? r->kernel : "?", r->ncpus);
	fprintf(out, "from %s to %s UTC (%.0f s, %s)\n",
		clock_of(r->start, a, sizeof(a)), clock_of(r->end, b, sizeof(b)), r->end - r->start,
		report_intervals(r, iv, sizeof(iv)));
	if (*report_self_cost(r, self, sizeof(self)))
		fprintf(out, "%s\n", self);
	if (*report_folded(r, folded, sizeof(folded)))
		wrap_at(out, folded, 0, 0);
	overview(out, r);
	fprintf(out, "\n%zu critical, %zu warning, %zu info\n\n", nsev[SEV_CRITICAL],
		nsev[SEV_WARNING], nsev[SEV_INFO]);
	if (!fs->n)
		fprintf(out, "Nothing waited, grew or overflowed beyond the thresholds.\n");
	for (i = 0; i < fs->n; i++)
		finding(out, &fs->f[i]);
}
