// SPDX-License-Identifier: GPL-2.0
/* Writing one recorded interval under the metric names of recording.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "record/write.h"

struct metric_val {
	const char *name;
	double v;
};

static int put_all(struct store *st, const struct store_entity *e, const struct metric_val *m,
		   size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (store_put(st, e, m[i].name, m[i].v))
			return -1;
	return 0;
}

/* The process metrics; also the cgroup sums (same names). */
static int put_proc_metrics(struct store *st, const struct store_entity *e,
			    const struct proc_sample *s)
{
	const struct metric_val m[] = {
		{"cpu.oncpu_ns", (double)s->oncpu_ns},
		{"sched.runq_wait_ns", (double)s->runq_wait_ns},
		{"sched.runq_p99_us", s->runq_lat_us.p99},
		{"sched.nvcsw", (double)s->nvcsw},
		{"sched.nivcsw", (double)s->nivcsw},
		{"mem.minflt", (double)s->minflt},
		{"mem.majflt", (double)s->majflt},
		{"mem.reclaim_stall_ns", (double)s->reclaim_stall_ns},
		{"mem.oom_kills", (double)s->oom_kills},
		{"io.read_bytes", (double)s->read_bytes},
		{"io.write_bytes", (double)s->write_bytes},
		{"io.read_ops", (double)s->read_ops},
		{"io.write_ops", (double)s->write_ops},
		{"io.lat_p99_us", s->io_lat_us.p99},
		{"io.queue_p99_us", s->io_queue_us.p99},
		{"net.tx_bytes", (double)s->tx_bytes},
		{"net.rx_bytes", (double)s->rx_bytes},
		{"net.retrans", (double)s->retrans},
		{"net.resets", (double)s->resets},
		{"net.rtt_p99_us", s->rtt_us.p99},
	};

	if (put_all(st, e, m, sizeof(m) / sizeof(m[0])))
		return -1;
	/* an exited process has no RSS left to report */
	if (s->has_mem && !s->exited)
		return store_put(st, e, "mem.rss_bytes", (double)s->rss_bytes);
	return 0;
}

static int put_psi(struct store *st, const struct store_entity *e, const struct psi_delta *p)
{
	if (p->cpu && store_put(st, e, "psi.cpu.some_us", p->cpu_some_us))
		return -1;
	if (p->mem && store_put(st, e, "psi.memory.some_us", p->mem_some_us))
		return -1;
	if (p->mem_full && store_put(st, e, "psi.memory.full_us", p->mem_full_us))
		return -1;
	if (p->io && store_put(st, e, "psi.io.some_us", p->io_some_us))
		return -1;
	if (p->io_full && store_put(st, e, "psi.io.full_us", p->io_full_us))
		return -1;
	return 0;
}

/* A process's entity: its pid, start and parent; gone once it exited. */
static struct store_entity proc_entity(const struct proc_sample *s, char *name, size_t len)
{
	snprintf(name, len, "%u", s->pid);
	return (struct store_entity){ .kind = ENT_PROC, .name = name, .pid = s->pid,
				      .comm = s->comm, .cgroup = s->cgroup,
				      .start_ms = s->start_ms, .ppid = s->ppid,
				      .pcomm = s->pcomm[0] ? s->pcomm : NULL, .gone = s->exited };
}

/* Short-lived processes of one command, parent command and cgroup. */
struct proc_group {
	const struct proc_sample *first;  /* names the group */
	uint32_t ppid;                    /* its latest parent */
	struct proc_sample sum;
	double *life_us;
	size_t n;
	double rss_peak;
};

static bool same_group(const struct proc_sample *a, const struct proc_sample *b)
{
	return !strcmp(a->comm, b->comm) && !strcmp(a->pcomm, b->pcomm) &&
	       !strcmp(a->cgroup, b->cgroup);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* What makes a process worth keeping on its own although it lived briefly:
 * being among the interval's top WRITE_TOP_N by a resource, and above a
 * floor (a tenth of a CPU, 1 MiB of IO or TCP, 64 MiB resident). */
static double resource(const struct proc_sample *s, int r, double length_s)
{
	switch (r) {
	case 0: return (double)s->oncpu_ns >= length_s * 1e8 ? (double)s->oncpu_ns : 0;
	case 1: {
		double b = (double)(s->read_bytes + s->write_bytes);
		return b >= 1048576 ? b : 0;
	}
	case 2: {
		double b = (double)(s->tx_bytes + s->rx_bytes);
		return b >= 1048576 ? b : 0;
	}
	default:
		return s->has_mem && s->rss_peak_bytes >= 64ll << 20 ? (double)s->rss_peak_bytes : 0;
	}
}

void record_keep_top(const struct proc_sample *s, size_t n, double length_s, bool *keep)
{
	size_t top[WRITE_TOP_N], i, k, j;
	int r;

	for (i = 0; i < n; i++)
		keep[i] = !s[i].short_lived;
	for (r = 0; r < 4; r++) {
		size_t nt = 0;

		for (i = 0; i < n; i++) {
			double v = resource(&s[i], r, length_s);

			if (v <= 0)
				continue;
			/* insertion into the sorted top list */
			for (k = 0; k < nt && resource(&s[top[k]], r, length_s) >= v; k++)
				;
			if (k == WRITE_TOP_N)
				continue;
			if (nt < WRITE_TOP_N)
				nt++;
			for (j = nt - 1; j > k; j--)
				top[j] = top[j - 1];
			top[k] = i;
		}
		for (k = 0; k < nt; k++)
			keep[top[k]] = true;
	}
}

static int put_group(struct store *st, struct proc_group *g)
{
	char name[PP_COMM_LEN * 2 + PP_CGROUP_PATH_MAX + 4];
	const struct proc_sample *f = g->first;
	struct store_entity e = { .kind = ENT_GROUP, .name = name, .pid = g->ppid,
				  .comm = f->comm, .cgroup = f->cgroup, .ppid = g->ppid,
				  .pcomm = f->pcomm };

	snprintf(name, sizeof(name), "%s|%s|%s", f->comm, f->pcomm, f->cgroup);
	qsort(g->life_us, g->n, sizeof(double), cmp_double);
	g->sum.exited = true; /* no resident set left to write */
	sample_finish(&g->sum);
	return put_proc_metrics(st, &e, &g->sum) ||
	       store_put(st, &e, "group.started", (double)g->n) ||
	       store_put(st, &e, "group.exited", (double)g->n) ||
	       store_put(st, &e, "group.life_p50_us", g->life_us[(g->n - 1) / 2]) ||
	       store_put(st, &e, "group.life_max_us", g->life_us[g->n - 1]) ||
	       store_put(st, &e, "mem.rss_peak_bytes", g->rss_peak);
}

/* The short-lived processes not kept on their own, summed per group. */
static int put_groups(struct store *st, const struct interval_data *d, const bool *keep)
{
	struct proc_group *g = NULL;
	double *life = NULL;
	size_t i, k, ng = 0, nl = 0;
	int rc = 0;

	for (i = 0; i < d->nprocs; i++)
		nl += !keep[i];
	if (!nl)
		return 0;
	g = calloc(nl, sizeof(*g));
	life = calloc(nl, sizeof(*life));
	if (!g || !life) {
		rc = -1;
		goto out;
	}
	/* each group's lifetimes lie side by side in life[], in group order */
	for (i = 0; i < d->nprocs; i++) {
		const struct proc_sample *s = &d->procs[i];

		if (keep[i])
			continue;
		for (k = 0; k < ng && !same_group(g[k].first, s); k++)
			;
		if (k == ng)
			g[ng++].first = s;
		g[k].n++;
	}
	for (k = 0, nl = 0; k < ng; k++) {
		g[k].life_us = life + nl;
		nl += g[k].n;
		g[k].n = 0;
	}
	for (i = 0; i < d->nprocs; i++) {
		const struct proc_sample *s = &d->procs[i];

		if (keep[i])
			continue;
		for (k = 0; !same_group(g[k].first, s); k++)
			;
		sample_accumulate(&g[k].sum, s);
		g[k].life_us[g[k].n++] = s->exit_ns > s->start_ns ?
					 (double)(s->exit_ns - s->start_ns) / 1000.0 : 0;
		if (s->ppid)
			g[k].ppid = s->ppid;
		if (s->has_mem && (double)s->rss_peak_bytes > g[k].rss_peak)
			g[k].rss_peak = (double)s->rss_peak_bytes;
	}
	for (k = 0; k < ng && !rc; k++)
		rc = put_group(st, &g[k]);
out:
	free(g);
	free(life);
	return rc;
}

static int put_procs(struct store *st, const struct interval_data *d)
{
	struct proc_sample *g;
	char name[16];
	bool *keep;
	size_t i, k;
	int rc = 0;

	if (!d->nprocs)
		return 0;
	keep = calloc(d->nprocs, sizeof(*keep));
	if (!keep)
		return -1;
	record_keep_top(d->procs, d->nprocs, d->length_s, keep);
	for (i = 0; i < d->nprocs && !rc; i++) {
		struct store_entity e = proc_entity(&d->procs[i], name, sizeof(name));

		if (keep[i])
			rc = put_proc_metrics(st, &e, &d->procs[i]);
	}
	if (!rc)
		rc = put_groups(st, d, keep);
	free(keep);
	if (rc)
		return -1;
	g = calloc(d->nprocs, sizeof(*g));
	if (!g)
		return -1;
	k = sample_by_cgroup(d->procs, d->nprocs, g);
	for (i = 0; i < k && !rc; i++) {
		struct store_entity e = { .kind = ENT_CGROUP, .name = g[i].cgroup };

		/* processes whose cgroup could not be read are not summed */
		if (g[i].cgroup[0] != '/')
			continue;
		rc = put_proc_metrics(st, &e, &g[i]);
	}
	free(g);
	return rc;
}

static int put_cgroup_files(struct store *st, const struct interval_data *d)
{
	size_t i;

	for (i = 0; i < d->ncgs; i++) {
		const struct cg_values *c = &d->cgs[i];
		struct store_entity e = { .kind = ENT_CGROUP, .name = c->path };

		if (c->has_memory && store_put(st, &e, "cg.memory_bytes", c->memory_bytes))
			return -1;
		if (c->has_limit && store_put(st, &e, "cg.memory_limit_bytes", c->memory_limit_bytes))
			return -1;
		if (c->has_cpu_limit && store_put(st, &e, "cg.cpu_limit_cores", c->cpu_limit_cores))
			return -1;
		if (put_psi(st, &e, &c->psi))
			return -1;
	}
	return 0;
}

static int put_host(struct store *st, const struct host_values *h)
{
	struct store_entity e = { .kind = ENT_HOST, .name = "host" };

	if (put_psi(st, &e, &h->psi))
		return -1;
	if (h->has_busy && store_put(st, &e, "host.cpu_busy_ns", h->cpu_busy_ns))
		return -1;
	if (h->has_available && store_put(st, &e, "host.mem_available_bytes",
					  h->mem_available_bytes))
		return -1;
	if (h->has_runnable && store_put(st, &e, "host.runnable", h->runnable))
		return -1;
	return 0;
}

static int put_disks(struct store *st, const struct interval_data *d)
{
	size_t i;

	for (i = 0; i < d->ndevs; i++) {
		const struct dev_sample *s = &d->devs[i];
		struct store_entity e = { .kind = ENT_DEV, .name = s->name };
		const struct metric_val m[] = {
			{"dev.read_bytes", (double)s->read_bytes},
			{"dev.write_bytes", (double)s->write_bytes},
			{"dev.ops", (double)(s->read_ops + s->write_ops)},
			{"dev.lat_p99_us", s->lat_us.p99},
			{"dev.inflight_max", (double)(s->inflight_peak > 0 ? s->inflight_peak : 0)},
		};

		if (put_all(st, &e, m, sizeof(m) / sizeof(m[0])))
			return -1;
	}
	for (i = 0; i < d->nbusy; i++) {
		struct store_entity e = { .kind = ENT_DEV, .name = d->busy[i].name };

		if (store_put(st, &e, "dev.busy_ns", d->busy[i].busy_ns))
			return -1;
	}
	return 0;
}

static int put_netns(struct store *st, const struct interval_data *d)
{
	char name[16];
	size_t i;

	for (i = 0; i < d->nns; i++) {
		const struct netns_sample *n = &d->ns[i];
		struct store_entity e = { .kind = ENT_NETNS, .name = name };

		snprintf(name, sizeof(name), "%u", n->netns);
		if (n->listen_overflows >= 0 &&
		    store_put(st, &e, "net.listen_overflows", (double)n->listen_overflows))
			return -1;
		if (n->listen_drops >= 0 &&
		    store_put(st, &e, "net.listen_drops", (double)n->listen_drops))
			return -1;
	}
	for (i = 0; i < d->nnsv; i++) {
		struct store_entity e = { .kind = ENT_NETNS, .name = name };

		snprintf(name, sizeof(name), "%u", d->nsv[i].netns);
		if (d->nsv[i].has_retrans &&
		    store_put(st, &e, "net.retrans_segs", d->nsv[i].retrans_segs))
			return -1;
	}
	return 0;
}

int record_write_interval(struct store *st, const struct interval_data *d)
{
	if (store_interval_begin(st, d->ts, d->length_s))
		return -1;
	if (put_procs(st, d) || put_cgroup_files(st, d) || (d->host && put_host(st, d->host)) ||
	    put_disks(st, d) || put_netns(st, d) || (d->self && store_put_self(st, d->self))) {
		store_interval_abort(st);
		return -1;
	}
	return store_interval_end(st);
}
