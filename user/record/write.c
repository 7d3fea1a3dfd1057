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

static int put_procs(struct store *st, const struct interval_data *d)
{
	struct proc_sample *g;
	char name[16];
	size_t i, k;
	int rc = 0;

	for (i = 0; i < d->nprocs; i++) {
		const struct proc_sample *s = &d->procs[i];
		struct store_entity e = { .kind = ENT_PROC, .name = name, .pid = s->pid,
					  .comm = s->comm, .cgroup = s->cgroup };

		snprintf(name, sizeof(name), "%u", s->pid);
		if (put_proc_metrics(st, &e, s))
			return -1;
	}
	if (!d->nprocs)
		return 0;
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
