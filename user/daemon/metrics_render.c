// SPDX-License-Identifier: GPL-2.0
/* /metrics: the exposition of the totals (prom.h), and the same values
 * for the alerts. docs/daemon.md lists the metrics. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/metrics_int.h"

enum ent { E_PROC, E_CG, E_HOST, E_DISK };

/* One series kind: consecutive rows of the same name are one family. */
struct row {
	const char *name;          /* the family, without "_total" */
	enum prom_type type;
	const char *unit;
	const char *help;
	enum ent ent;
	int idx;
	double div;                /* to the unit: ns -> s 1e9, us -> s 1e6 (a division
				    * gives the shortest decimals) */
	const char *k1, *v1, *k2, *v2; /* labels of the row, or NULL */
};

#define NOLABELS NULL, NULL, NULL, NULL
#define NS 1e9
#define US 1e6

static const struct row rows[] = {
	{ "perfpilot_process_cpu_seconds", PROM_COUNTER, "seconds",
	  "On-CPU time of the process since perfpilot first saw it (top N processes by recent "
	  "CPU).", E_PROC, P_CPU, NS, NOLABELS },
	{ "perfpilot_process_runqueue_wait_seconds", PROM_COUNTER, "seconds",
	  "Time the process's threads waited runnable for a CPU.", E_PROC, P_RUNQ, NS, NOLABELS },
	{ "perfpilot_process_resident_memory_bytes", PROM_GAUGE, "bytes",
	  "Resident set of the process at the end of the last interval.", E_PROC, P_RSS, 1, NOLABELS },
	{ "perfpilot_process_io_read_bytes", PROM_COUNTER, "bytes",
	  "Bytes the process read from block devices.", E_PROC, P_RD, 1, NOLABELS },
	{ "perfpilot_process_io_write_bytes", PROM_COUNTER, "bytes",
	  "Bytes the process wrote to block devices.", E_PROC, P_WR, 1, NOLABELS },
	{ "perfpilot_cgroup_cpu_seconds", PROM_COUNTER, "seconds",
	  "On-CPU time of the cgroup's processes (its own, not its children's).", E_CG, C_CPU,
	  NS, NOLABELS },
	{ "perfpilot_cgroup_runqueue_wait_seconds", PROM_COUNTER, "seconds",
	  "Time the cgroup's threads waited runnable for a CPU.", E_CG, C_RUNQ, NS, NOLABELS },
	{ "perfpilot_cgroup_context_switches", PROM_COUNTER, NULL,
	  "Context switches of the cgroup's threads.", E_CG, C_VCSW, 1, "kind", "voluntary", NULL, NULL },
	{ "perfpilot_cgroup_context_switches", PROM_COUNTER, NULL, NULL, E_CG, C_IVCSW, 1,
	  "kind", "involuntary", NULL, NULL },
	{ "perfpilot_cgroup_page_faults", PROM_COUNTER, NULL,
	  "Page faults of the cgroup's processes.", E_CG, C_MINFLT, 1, "kind", "minor", NULL, NULL },
	{ "perfpilot_cgroup_page_faults", PROM_COUNTER, NULL, NULL, E_CG, C_MAJFLT, 1, "kind",
	  "major", NULL, NULL },
	{ "perfpilot_cgroup_memory_bytes", PROM_GAUGE, "bytes",
	  "Memory charged to the cgroup (memory.current).", E_CG, C_MEM, 1, NOLABELS },
	{ "perfpilot_cgroup_memory_limit_bytes", PROM_GAUGE, "bytes",
	  "The cgroup's memory limit (memory.max), when it has one.", E_CG, C_LIMIT, 1, NOLABELS },
	{ "perfpilot_cgroup_io_read_bytes", PROM_COUNTER, "bytes",
	  "Bytes the cgroup's processes read from block devices.", E_CG, C_RD, 1, NOLABELS },
	{ "perfpilot_cgroup_io_write_bytes", PROM_COUNTER, "bytes",
	  "Bytes the cgroup's processes wrote to block devices.", E_CG, C_WR, 1, NOLABELS },
	{ "perfpilot_cgroup_tcp_sent_bytes", PROM_COUNTER, "bytes",
	  "TCP bytes the cgroup's processes sent.", E_CG, C_TX, 1, NOLABELS },
	{ "perfpilot_cgroup_tcp_received_bytes", PROM_COUNTER, "bytes",
	  "TCP bytes the cgroup's processes received.", E_CG, C_RX, 1, NOLABELS },
	{ "perfpilot_cgroup_tcp_retransmits", PROM_COUNTER, NULL,
	  "TCP segments the cgroup's processes retransmitted.", E_CG, C_RETRANS, 1, NOLABELS },
	{ "perfpilot_host_cpu_busy_seconds", PROM_COUNTER, "seconds",
	  "CPU time of the host not idle, all CPUs (/proc/stat).", E_HOST, H_BUSY, NS, NOLABELS },
	{ "perfpilot_host_memory_available_bytes", PROM_GAUGE, "bytes",
	  "MemAvailable of /proc/meminfo.", E_HOST, H_AVAIL, 1, NOLABELS },
	{ "perfpilot_host_pressure_stalled_seconds", PROM_COUNTER, "seconds",
	  "Time some or all tasks stalled on a resource (/proc/pressure).", E_HOST, H_CPU_SOME,
	  US, "resource", "cpu", "kind", "some" },
	{ "perfpilot_host_pressure_stalled_seconds", PROM_COUNTER, "seconds", NULL, E_HOST,
	  H_MEM_SOME, US, "resource", "memory", "kind", "some" },
	{ "perfpilot_host_pressure_stalled_seconds", PROM_COUNTER, "seconds", NULL, E_HOST,
	  H_MEM_FULL, US, "resource", "memory", "kind", "full" },
	{ "perfpilot_host_pressure_stalled_seconds", PROM_COUNTER, "seconds", NULL, E_HOST,
	  H_IO_SOME, US, "resource", "io", "kind", "some" },
	{ "perfpilot_host_pressure_stalled_seconds", PROM_COUNTER, "seconds", NULL, E_HOST,
	  H_IO_FULL, US, "resource", "io", "kind", "full" },
	{ "perfpilot_disk_read_bytes", PROM_COUNTER, "bytes",
	  "Bytes read from the disk.", E_DISK, D_RD, 1, NOLABELS },
	{ "perfpilot_disk_write_bytes", PROM_COUNTER, "bytes",
	  "Bytes written to the disk.", E_DISK, D_WR, 1, NOLABELS },
	{ "perfpilot_disk_operations", PROM_COUNTER, NULL,
	  "Read and write requests completed by the disk.", E_DISK, D_OPS, 1, NOLABELS },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* ---- the top N processes ---- */

static int by_score(const void *a, const void *b)
{
	const struct mproc *x = *(const struct mproc *const *)a, *y = *(const struct mproc *const *)b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->v[P_CPU] > y->v[P_CPU] ? -1 : x->v[P_CPU] < y->v[P_CPU];
}

/* The top m->top processes with CPU time, by recent CPU; malloc'd. */
static struct mproc **top_procs(struct metrics *m, size_t *n)
{
	struct mproc **t = calloc(m->nprocs + 1, sizeof(*t));
	size_t i, k = 0;

	*n = 0;
	if (!t)
		return NULL;
	for (i = 0; i < m->nprocs; i++)
		if (m->procs[i].v[P_CPU] > 0)
			t[k++] = &m->procs[i];
	qsort(t, k, sizeof(*t), by_score);
	*n = k < m->top ? k : m->top;
	return t;
}

/* ---- walking the series of the rows ---- */

/* One series: its labels (up to 4 pairs), value and per-second rate (NAN
 * for gauges). */
struct sample {
	const struct row *r;
	const char *lk[4], *lv[4];
	double value, rate;
};

typedef void (*visit_fn)(void *arg, const struct sample *s);

static void emit(const struct row *r, const char *k0, const char *v0, const char *k1,
		 const char *v1, double value, double last, double len, visit_fn fn, void *arg)
{
	struct sample s = { .r = r };
	int n = 0;

	if (isnan(value))
		return;
	if (k0)
		s.lk[n] = k0, s.lv[n++] = v0;
	if (k1)
		s.lk[n] = k1, s.lv[n++] = v1;
	if (r->k1)
		s.lk[n] = r->k1, s.lv[n++] = r->v1;
	if (r->k2)
		s.lk[n] = r->k2, s.lv[n++] = r->v2;
	s.value = value / r->div;
	s.rate = r->type == PROM_COUNTER ? (len > 0 ? last / r->div / len : 0) : NAN;
	fn(arg, &s);
}

static void walk_row(struct metrics *m, const struct row *r, struct mproc **top, size_t ntop,
		     visit_fn fn, void *arg)
{
	char pid[16];
	size_t i;

	switch (r->ent) {
	case E_PROC:
		for (i = 0; i < ntop; i++) {
			snprintf(pid, sizeof(pid), "%u", top[i]->pid);
			emit(r, "pid", pid, "comm", top[i]->comm, top[i]->v[r->idx],
			     top[i]->last[r->idx], m->last_len, fn, arg);
		}
		break;
	case E_CG:
		for (i = 0; i < m->ncgs; i++)
			emit(r, "cgroup", m->cgs[i].path, NULL, NULL, m->cgs[i].v[r->idx],
			     m->cgs[i].last[r->idx], m->last_len, fn, arg);
		break;
	case E_HOST:
		if (m->have_host)
			emit(r, NULL, NULL, NULL, NULL, m->host[r->idx], m->host_last[r->idx],
			     m->last_len, fn, arg);
		break;
	case E_DISK:
		for (i = 0; i < m->ndisks; i++)
			emit(r, "device", m->disks[i].name, NULL, NULL, m->disks[i].v[r->idx],
			     m->disks[i].last[r->idx], m->last_len, fn, arg);
		break;
	}
}

/* ---- the exposition ---- */

static void prom_visit(void *arg, const struct sample *s)
{
	prom_sample(arg, s->value, s->lk[0], s->lv[0], s->lk[1], s->lv[1], s->lk[2], s->lv[2],
		    s->lk[3], s->lv[3], (const char *)NULL);
}

/* Bucket edges of the run-queue histogram: every other slot edge, 4 us to
 * 4.2 s (edges of the kernel's log2 slots, so the counts are exact). */
#define RQ_FIRST 2
#define RQ_STEP 2
#define RQ_BUCKETS 11

static void runq_histograms(struct prom_buf *b, const struct metrics *m)
{
	double le[RQ_BUCKETS];
	unsigned long long cum[RQ_BUCKETS], total;
	size_t i, k, slot;

	prom_family(b, "perfpilot_cgroup_runqueue_latency_seconds", PROM_HISTOGRAM, "seconds",
		    "Run-queue latency of the cgroup's threads: each wait from wakeup (or "
		    "preemption) to running; sum is the run-queue wait time.");
	for (k = 0; k < RQ_BUCKETS; k++)
		le[k] = (double)(1ULL << (RQ_FIRST + RQ_STEP * k)) / 1e6;
	for (i = 0; i < m->ncgs; i++) {
		const struct mcg *c = &m->cgs[i];

		for (total = 0, slot = 0, k = 0; slot < PP_HIST_SLOTS; slot++) {
			total += c->hist[slot];
			/* slot s holds [2^(s-1), 2^s) us: edge 2^s closes it */
			if (k < RQ_BUCKETS && slot == RQ_FIRST + RQ_STEP * k)
				cum[k++] = total;
		}
		prom_histogram(b, le, cum, RQ_BUCKETS, c->v[C_RUNQ] / NS, total, "cgroup", c->path,
			       (const char *)NULL);
	}
}

static void named(struct prom_buf *b, const struct named_set *s, const char *ka,
		  const char *kb, bool y, double div)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (kb)
			prom_sample(b, (y ? s->e[i].y : s->e[i].x) / div, ka, s->e[i].a, kb,
				    s->e[i].b, (const char *)NULL);
		else
			prom_sample(b, (y ? s->e[i].y : s->e[i].x) / div, ka, s->e[i].a,
				    (const char *)NULL);
	}
}

static void http_requests(struct prom_buf *b, const struct http_stats *h)
{
	unsigned long long other = h->unauthorized + h->not_found + h->errors;

	prom_family(b, "perfpilot_http_requests", PROM_COUNTER, NULL,
		    "HTTP requests answered, by status: 200, 401 (no or wrong token), 404, and "
		    "error (any other 4xx or 5xx).");
	prom_sample(b, (double)(h->requests > other ? h->requests - other : 0), "code", "200",
		    (const char *)NULL);
	prom_sample(b, (double)h->unauthorized, "code", "401", (const char *)NULL);
	prom_sample(b, (double)h->not_found, "code", "404", (const char *)NULL);
	prom_sample(b, (double)h->errors, "code", "error", (const char *)NULL);
}

/* The capacity rows of the last analysis: a series only where the value
 * is known (no exhaustion series: the resource is not running out). */
static void capacity(struct prom_buf *b, const struct metrics *m)
{
	size_t i;

	prom_family(b, "perfpilot_capacity_exhaustion_seconds", PROM_GAUGE, "seconds",
		    "Time until the resource reaches its limit at its current trend (perfpilot "
		    "capacity), by scope (host, cgroup, disk), name and resource; no series when "
		    "it is not growing towards the limit.");
	for (i = 0; i < m->ncaps; i++)
		if (isfinite(m->caps[i].exhaustion_s))
			prom_sample(b, m->caps[i].exhaustion_s, "scope", m->caps[i].scope, "name",
				    m->caps[i].name, "resource", m->caps[i].resource,
				    (const char *)NULL);
	prom_family(b, "perfpilot_capacity_recommended_limit", PROM_GAUGE, NULL,
		    "Recommended limit of the resource (perfpilot capacity): cpu in cores (a high "
		    "percentile of demand plus headroom), memory in bytes (the peak plus "
		    "headroom).");
	for (i = 0; i < m->ncaps; i++)
		if (isfinite(m->caps[i].recommended))
			prom_sample(b, m->caps[i].recommended, "scope", m->caps[i].scope, "name",
				    m->caps[i].name, "resource", m->caps[i].resource,
				    (const char *)NULL);
}

static void own(struct prom_buf *b, struct metrics *m, const struct metrics_now *now)
{
	struct named_set *d = &m->dropped;
	struct mnamed *e;
	int s;

	prom_family(b, "perfpilot_findings", PROM_GAUGE, NULL,
		    "Findings of the last analysis, by kind and severity (docs/findings.md).");
	named(b, &m->findings, "kind", "severity", false, 1);
	capacity(b, m);
	prom_family(b, "perfpilot_tuner_changes", PROM_COUNTER, NULL,
		    "The tuner's proposals and changes, by tunable and outcome.");
	named(b, &m->tuner, "tunable", "outcome", false, 1);
	prom_family(b, "perfpilot_self_cpu_seconds", PROM_COUNTER, "seconds",
		    "CPU time of the perfpilot daemon (user and system).");
	prom_sample(b, now->self_cpu_s, (const char *)NULL);
	prom_family(b, "perfpilot_self_resident_memory_bytes", PROM_GAUGE, "bytes",
		    "Resident memory of the perfpilot daemon.");
	prom_sample(b, now->self_rss_bytes, (const char *)NULL);
	prom_family(b, "perfpilot_bpf_program_run_seconds", PROM_COUNTER, "seconds",
		    "Time perfpilot's BPF programs ran (the kernel's BPF statistics).");
	named(b, &m->progs, "program", NULL, true, NS);
	prom_family(b, "perfpilot_bpf_program_runs", PROM_COUNTER, NULL,
		    "Runs of perfpilot's BPF programs.");
	named(b, &m->progs, "program", NULL, false, 1);
	if ((e = named_get(d, "process_series", NULL)))
		e->x = (double)m->evicted_procs;
	if ((e = named_get(d, "cgroup_series", NULL)))
		e->x = (double)m->evicted_cgroups;
	if ((e = named_get(d, "disk_series", NULL)))
		e->x = (double)m->evicted_disks;
	prom_family(b, "perfpilot_events_dropped", PROM_COUNTER, NULL,
		    "Events and entries dropped because a BPF map or a cache was full, by map.");
	named(b, d, "map", NULL, false, 1);
	prom_family(b, "perfpilot_store_bytes", PROM_GAUGE, "bytes",
		    "Bytes the store's data take (pages in use).");
	prom_sample(b, m->store_bytes, (const char *)NULL);
	prom_family(b, "perfpilot_store_intervals", PROM_COUNTER, NULL,
		    "Intervals written to the store since the daemon started.");
	prom_sample(b, (double)m->store_intervals, (const char *)NULL);
	prom_family(b, "perfpilot_store_write_failures", PROM_COUNTER, NULL,
		    "Attempts to write an interval to the store that failed (a full disk).");
	prom_sample(b, (double)m->store_write_failures, (const char *)NULL);
	prom_family(b, "perfpilot_store_pending_intervals", PROM_GAUGE, NULL,
		    "Intervals kept in memory because the store takes no writes now.");
	prom_sample(b, (double)m->store_pending, (const char *)NULL);
	prom_family(b, "perfpilot_store_dropped_intervals", PROM_COUNTER, NULL,
		    "Intervals kept in memory while the store took no writes and dropped "
		    "for the memory bound (never written).");
	prom_sample(b, (double)m->store_write_dropped, (const char *)NULL);
	prom_family(b, "perfpilot_alerts_firing", PROM_GAUGE, NULL, "Alerts firing now.");
	prom_sample(b, now->alerts.firing, (const char *)NULL);
	prom_family(b, "perfpilot_notifications", PROM_COUNTER, NULL,
		    "Alert notifications, by sink (its kind: one webhook and one "
		    "Alertmanager at most) and outcome.");
	for (s = 0; s < ALERTS_NSINKS; s++) {
		const char *sink = alerts_sink_name((enum alerts_sink)s);
		const struct alerts_stats *st = &now->sink[s];

		if (!now->sink_on[s])
			continue;
		prom_sample(b, (double)st->sent, "sink", sink, "outcome", "sent",
			    (const char *)NULL);
		prom_sample(b, (double)st->failed, "sink", sink, "outcome", "failed",
			    (const char *)NULL);
		prom_sample(b, (double)st->dropped, "sink", sink, "outcome", "dropped",
			    (const char *)NULL);
	}
	http_requests(b, &now->http);
}

char *metrics_render(struct metrics *m, enum prom_fmt f, const struct metrics_now *now,
		     size_t *len)
{
	struct prom_buf *b = prom_new(f);
	struct mproc **top;
	size_t i, ntop;
	char *text;

	if (!b)
		return NULL;
	pthread_mutex_lock(&m->lock);
	top = top_procs(m, &ntop);
	prom_family(b, "perfpilot_build_info", PROM_GAUGE, NULL, "The perfpilot version, as a "
		    "label; always 1.");
	prom_sample(b, 1, "version", now->version, (const char *)NULL);
	for (i = 0; i < NROWS; i++) {
		if (!i || strcmp(rows[i].name, rows[i - 1].name))
			prom_family(b, rows[i].name, rows[i].type, rows[i].unit, rows[i].help);
		walk_row(m, &rows[i], top, ntop, prom_visit, b);
		if (!strcmp(rows[i].name, "perfpilot_cgroup_runqueue_wait_seconds"))
			runq_histograms(b, m);
	}
	own(b, m, now);
	pthread_mutex_unlock(&m->lock);
	free(top);
	text = prom_finish(b, len);
	return text;
}

/* ---- the values for the alerts ---- */

struct collect {
	struct alert_metric *v;
	size_t n, cap;
	bool failed;
};

/* `k="v",...` as the exposition writes them */
static char *canonical(const struct sample *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *p;
	int i;

	if (!f)
		return NULL;
	for (i = 0; i < 4 && s->lk[i]; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "", s->lk[i]);
		for (p = s->lv[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputs(*p == '\n' ? "\\n" : (char[]){ *p, 0 }, f);
		}
		fputc('"', f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void alert_visit(void *arg, const struct sample *s)
{
	struct collect *c = arg;
	struct alert_metric *a;
	char *name, *labels;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		struct alert_metric *v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			c->failed = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	if (asprintf(&name, "%s%s", s->r->name, s->r->type == PROM_COUNTER ? "_total" : "") < 0) {
		c->failed = true;
		return;
	}
	labels = canonical(s);
	if (!labels) {
		free(name);
		c->failed = true;
		return;
	}
	a = &c->v[c->n++];
	a->name = name;
	a->labels = labels;
	a->value = s->r->type == PROM_COUNTER ? s->rate : s->value;
}

/* The capacity gauges, for metric rules as on /metrics (capacity()). */
static void capacity_alert_values(const struct metrics *m, struct collect *c)
{
	static const struct row exh = { .name = "perfpilot_capacity_exhaustion_seconds",
					 .type = PROM_GAUGE };
	static const struct row rec = { .name = "perfpilot_capacity_recommended_limit",
					 .type = PROM_GAUGE };
	size_t i;

	for (i = 0; i < m->ncaps; i++) {
		const struct mcap *p = &m->caps[i];
		struct sample s = { .lk = { "scope", "name", "resource" },
				    .lv = { p->scope, p->name, p->resource } };

		s.r = &exh;
		s.value = p->exhaustion_s;
		if (isfinite(s.value))
			alert_visit(c, &s);
		s.r = &rec;
		s.value = p->recommended;
		if (isfinite(s.value))
			alert_visit(c, &s);
	}
}

size_t metrics_alert_values(struct metrics *m, struct alert_metric **out)
{
	struct collect c = { 0 };
	struct mproc **top;
	size_t i, ntop;

	pthread_mutex_lock(&m->lock);
	top = top_procs(m, &ntop);
	for (i = 0; i < NROWS; i++)
		walk_row(m, &rows[i], top, ntop, alert_visit, &c);
	capacity_alert_values(m, &c);
	pthread_mutex_unlock(&m->lock);
	free(top);
	*out = c.v;
	return c.n;
}

void metrics_alert_values_free(struct alert_metric *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)v[i].name);
		free((char *)v[i].labels);
	}
	free(v);
}
