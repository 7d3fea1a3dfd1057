// SPDX-License-Identifier: GPL-2.0
/* The totals behind /metrics, added up interval by interval (bounded). */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/metrics_int.h"

struct metrics *metrics_new(unsigned int top_processes)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->procs = calloc(METRICS_MAX_PROCS, sizeof(*m->procs));
	m->cgs = calloc(METRICS_MAX_CGROUPS, sizeof(*m->cgs));
	m->caps = calloc(METRICS_MAX_CAPACITY, sizeof(*m->caps));
	if (!m->procs || !m->cgs || !m->caps || pthread_mutex_init(&m->lock, NULL)) {
		free(m->procs);
		free(m->cgs);
		free(m->caps);
		free(m);
		return NULL;
	}
	m->top = top_processes;
	for (int i = 0; i < H_N; i++)
		m->host[i] = NAN; /* until read: a host without PSI has none */
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->procs);
	free(m->cgs);
	free(m->caps);
	free(m);
}

void metrics_set_top(struct metrics *m, unsigned int n)
{
	pthread_mutex_lock(&m->lock);
	m->top = n;
	pthread_mutex_unlock(&m->lock);
}

struct mnamed *named_get(struct named_set *s, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->e[i].a, a) && !strcmp(s->e[i].b, b ? b : ""))
			return &s->e[i];
	if (s->n == METRICS_MAX_NAMED)
		return NULL;
	memset(&s->e[s->n], 0, sizeof(s->e[0]));
	snprintf(s->e[s->n].a, sizeof(s->e[0].a), "%s", a);
	snprintf(s->e[s->n].b, sizeof(s->e[0].b), "%s", b ? b : "");
	return &s->e[s->n++];
}

/* ---- processes: sorted by (pid, start) ---- */

static int proc_cmp(uint32_t pid, int64_t start, const struct mproc *p)
{
	if (pid != p->pid)
		return pid < p->pid ? -1 : 1;
	return start < p->start_ms ? -1 : start > p->start_ms;
}

/* Where (pid, start) is, or would go; *found says which. */
static size_t proc_find(const struct metrics *m, uint32_t pid, int64_t start, bool *found)
{
	size_t lo = 0, hi = m->nprocs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = proc_cmp(pid, start, &m->procs[mid]);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = false;
	return lo;
}

/* The entry with the least recent CPU, exited ones first. */
static size_t proc_victim(const struct metrics *m)
{
	size_t i, best = 0;

	for (i = 1; i < m->nprocs; i++) {
		const struct mproc *a = &m->procs[i], *b = &m->procs[best];

		if (a->exited != b->exited ? a->exited : a->score < b->score)
			best = i;
	}
	return best;
}

static struct mproc *proc_get(struct metrics *m, const struct proc_sample *s)
{
	bool found;
	size_t at = proc_find(m, s->pid, s->start_ms, &found);
	struct mproc *p;

	if (found)
		return &m->procs[at];
	if (m->nprocs == METRICS_MAX_PROCS) {
		size_t v = proc_victim(m);

		memmove(&m->procs[v], &m->procs[v + 1], (m->nprocs - v - 1) * sizeof(*p));
		m->nprocs--;
		m->evicted_procs++;
		at = proc_find(m, s->pid, s->start_ms, &found);
	}
	memmove(&m->procs[at + 1], &m->procs[at], (m->nprocs - at) * sizeof(*p));
	m->nprocs++;
	p = &m->procs[at];
	memset(p, 0, sizeof(*p));
	p->pid = s->pid;
	p->start_ms = s->start_ms;
	return p;
}

static void add(double *v, double *last, int i, double x)
{
	if (isnan(v[i]))
		v[i] = 0;
	v[i] += x;
	last[i] += x;
}

static void add_proc(struct metrics *m, const struct proc_sample *s, double now, double len)
{
	struct mproc *p;

	/* short-lived processes count in their cgroup; as processes only when busy */
	if (s->short_lived && (double)s->oncpu_ns < 0.1 * len * 1e9)
		return;
	p = proc_get(m, s);
	memcpy(p->comm, s->comm, sizeof(p->comm));
	add(p->v, p->last, P_CPU, (double)s->oncpu_ns);
	add(p->v, p->last, P_RUNQ, (double)s->runq_wait_ns);
	add(p->v, p->last, P_RD, (double)s->read_bytes);
	add(p->v, p->last, P_WR, (double)s->write_bytes);
	p->v[P_RSS] = s->has_mem ? (double)s->rss_bytes : NAN;
	p->score += (double)s->oncpu_ns / 1e9;
	p->seen = now;
	p->exited = s->exited;
}

/* ---- cgroups: sorted by path ---- */

static struct mcg *cg_get(struct metrics *m, const char *path)
{
	size_t lo = 0, hi = m->ncgs, i, v;
	struct mcg *c;
	int cmp;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		cmp = strcmp(path, m->cgs[mid].path);
		if (!cmp)
			return &m->cgs[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (m->ncgs == METRICS_MAX_CGROUPS) {
		for (v = 0, i = 1; i < m->ncgs; i++)
			if (m->cgs[i].score < m->cgs[v].score)
				v = i;
		memmove(&m->cgs[v], &m->cgs[v + 1], (m->ncgs - v - 1) * sizeof(*c));
		m->ncgs--;
		m->evicted_cgroups++;
		if (v < lo)
			lo--;
	}
	memmove(&m->cgs[lo + 1], &m->cgs[lo], (m->ncgs - lo) * sizeof(*c));
	m->ncgs++;
	c = &m->cgs[lo];
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->v[C_MEM] = c->v[C_LIMIT] = NAN;
	return c;
}

static void add_cg_procs(struct metrics *m, const struct proc_sample *s, double now)
{
	struct mcg *c = cg_get(m, s->cgroup);
	size_t i;

	add(c->v, c->last, C_CPU, (double)s->oncpu_ns);
	add(c->v, c->last, C_RUNQ, (double)s->runq_wait_ns);
	add(c->v, c->last, C_VCSW, (double)s->nvcsw);
	add(c->v, c->last, C_IVCSW, (double)s->nivcsw);
	add(c->v, c->last, C_MINFLT, (double)s->minflt);
	add(c->v, c->last, C_MAJFLT, (double)s->majflt);
	add(c->v, c->last, C_RD, (double)s->read_bytes);
	add(c->v, c->last, C_WR, (double)s->write_bytes);
	add(c->v, c->last, C_TX, (double)s->tx_bytes);
	add(c->v, c->last, C_RX, (double)s->rx_bytes);
	add(c->v, c->last, C_RETRANS, (double)s->retrans);
	for (i = 0; i < PP_HIST_SLOTS; i++)
		c->hist[i] += s->runq_hist[i];
	c->score += (double)s->oncpu_ns / 1e9;
	c->seen = now;
}

static void add_cg_files(struct metrics *m, const struct cg_values *v, double now)
{
	struct mcg *c = cg_get(m, v->path);

	c->v[C_MEM] = v->has_memory ? v->memory_bytes : NAN;
	c->v[C_LIMIT] = v->has_limit ? v->memory_limit_bytes : NAN;
	c->seen = now;
}

/* ---- host and disks ---- */

static void add_psi(struct metrics *m, int i, bool has, double us)
{
	if (has)
		add(m->host, m->host_last, i, us);
}

static void add_host(struct metrics *m, const struct host_values *h)
{
	m->have_host = true;
	if (h->has_busy)
		add(m->host, m->host_last, H_BUSY, h->cpu_busy_ns);
	add_psi(m, H_CPU_SOME, h->psi.cpu, h->psi.cpu_some_us);
	add_psi(m, H_MEM_SOME, h->psi.mem, h->psi.mem_some_us);
	add_psi(m, H_MEM_FULL, h->psi.mem_full, h->psi.mem_full_us);
	add_psi(m, H_IO_SOME, h->psi.io, h->psi.io_some_us);
	add_psi(m, H_IO_FULL, h->psi.io_full, h->psi.io_full_us);
	m->host[H_AVAIL] = h->has_available ? h->mem_available_bytes : NAN;
}

static void add_disk(struct metrics *m, const struct dev_sample *s, double now)
{
	struct mdisk *d = NULL;
	size_t i, v;

	for (i = 0; i < m->ndisks && !d; i++)
		if (!strcmp(m->disks[i].name, s->name))
			d = &m->disks[i];
	if (!d) {
		if (m->ndisks == METRICS_MAX_DISKS) {
			for (v = 0, i = 1; i < m->ndisks; i++)
				if (m->disks[i].seen < m->disks[v].seen)
					v = i;
			m->disks[v] = m->disks[--m->ndisks];
			m->evicted_disks++;
		}
		d = &m->disks[m->ndisks++];
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", s->name);
	}
	add(d->v, d->last, D_RD, (double)s->read_bytes);
	add(d->v, d->last, D_WR, (double)s->write_bytes);
	add(d->v, d->last, D_OPS, (double)(s->read_ops + s->write_ops));
	d->seen = now;
}

/* Decay the scores, clear the last interval's increases, forget what
 * exited or went idle long enough. */
static void age(struct metrics *m, double now, double len)
{
	double decay = exp(-len / METRICS_SCORE_TAU_S);
	size_t i, k;

	for (i = k = 0; i < m->nprocs; i++) {
		struct mproc *p = &m->procs[i];

		if ((p->exited && now - p->seen > METRICS_EXITED_KEEP_S) ||
		    now - p->seen > METRICS_IDLE_S)
			continue;
		p->score *= decay;
		memset(p->last, 0, sizeof(p->last));
		m->procs[k++] = *p;
	}
	m->nprocs = k;
	for (i = k = 0; i < m->ncgs; i++) {
		struct mcg *c = &m->cgs[i];

		if (now - c->seen > METRICS_IDLE_S)
			continue;
		c->score *= decay;
		memset(c->last, 0, sizeof(c->last));
		m->cgs[k++] = *c;
	}
	m->ncgs = k;
	for (i = k = 0; i < m->ndisks; i++) {
		if (now - m->disks[i].seen > METRICS_IDLE_S)
			continue;
		memset(m->disks[i].last, 0, sizeof(m->disks[i].last));
		m->disks[k++] = m->disks[i];
	}
	m->ndisks = k;
	memset(m->host_last, 0, sizeof(m->host_last));
}

void metrics_add_interval(struct metrics *m, const struct interval_data *d)
{
	size_t i;

	pthread_mutex_lock(&m->lock);
	age(m, d->ts, d->length_s);
	m->last_len = d->length_s;
	for (i = 0; i < d->nprocs; i++) {
		add_proc(m, &d->procs[i], d->ts, d->length_s);
		if (d->procs[i].cgroup[0]) /* "": its cgroup could not be named */
			add_cg_procs(m, &d->procs[i], d->ts);
	}
	for (i = 0; i < d->ncgs; i++)
		add_cg_files(m, &d->cgs[i], d->ts);
	if (d->host)
		add_host(m, d->host);
	for (i = 0; i < d->ndevs; i++)
		add_disk(m, &d->devs[i], d->ts);
	pthread_mutex_unlock(&m->lock);
}

void metrics_set_findings(struct metrics *m, const json_t *findings)
{
	struct mnamed *e;
	json_t *f;
	size_t i;

	pthread_mutex_lock(&m->lock);
	m->findings.n = 0;
	json_array_foreach(findings, i, f) {
		const char *kind = json_string_value(json_object_get(f, "kind"));
		const char *sev = json_string_value(json_object_get(f, "severity"));

		if (kind && sev && (e = named_get(&m->findings, kind, sev)))
			e->x++;
	}
	pthread_mutex_unlock(&m->lock);
}

static double num_or_nan(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

void metrics_set_capacity(struct metrics *m, const json_t *rows)
{
	json_t *r;
	size_t i;

	pthread_mutex_lock(&m->lock);
	m->ncaps = 0;
	json_array_foreach(rows, i, r) {
		const char *scope = json_string_value(json_object_get(r, "scope"));
		const char *name = json_string_value(json_object_get(r, "name"));
		const char *res = json_string_value(json_object_get(r, "resource"));
		struct mcap *c;

		if (!scope || !name || !res || m->ncaps == METRICS_MAX_CAPACITY)
			continue;
		c = &m->caps[m->ncaps++];
		snprintf(c->scope, sizeof(c->scope), "%s", scope);
		snprintf(c->name, sizeof(c->name), "%s", name);
		snprintf(c->resource, sizeof(c->resource), "%s", res);
		c->exhaustion_s = num_or_nan(json_object_get(r, "exhaustion_s"));
		c->recommended = num_or_nan(json_object_get(r, "recommended_limit"));
	}
	pthread_mutex_unlock(&m->lock);
}

void metrics_tuner_count(struct metrics *m, const char *tunable, const char *outcome)
{
	struct mnamed *e;

	pthread_mutex_lock(&m->lock);
	if ((e = named_get(&m->tuner, tunable, outcome)))
		e->x++;
	pthread_mutex_unlock(&m->lock);
}

void metrics_set_dropped(struct metrics *m, const char *map, unsigned long long n)
{
	struct mnamed *e;

	pthread_mutex_lock(&m->lock);
	if ((e = named_get(&m->dropped, map, NULL)))
		e->x = (double)n;
	pthread_mutex_unlock(&m->lock);
}

void metrics_set_bpf_prog(struct metrics *m, const char *prog, unsigned long long runs,
			  unsigned long long run_ns)
{
	struct mnamed *e;

	pthread_mutex_lock(&m->lock);
	if ((e = named_get(&m->progs, prog, NULL))) {
		e->x = (double)runs;
		e->y = (double)run_ns;
	}
	pthread_mutex_unlock(&m->lock);
}

void metrics_set_store(struct metrics *m, double bytes, unsigned long long intervals)
{
	pthread_mutex_lock(&m->lock);
	m->store_bytes = bytes;
	m->store_intervals = intervals;
	pthread_mutex_unlock(&m->lock);
}

void metrics_set_store_writes(struct metrics *m, unsigned long long failures,
			      unsigned long long pending, unsigned long long dropped)
{
	pthread_mutex_lock(&m->lock);
	m->store_write_failures = failures;
	m->store_pending = pending;
	m->store_write_dropped = dropped;
	pthread_mutex_unlock(&m->lock);
}
