// SPDX-License-Identifier: GPL-2.0
/* Host, disk, cgroup-file and namespace counters for `record`. */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collect/cgroup.h"
#include "capacity/cglimits.h"
#include "record/collect.h"

static const char *const psi_names[3] = { "cpu", "memory", "io" };

static void read_psi(const char *dir, struct psi_prev *out)
{
	char fn[PATH_MAX + 32];
	FILE *f;
	int i;

	for (i = 0; i < 3; i++) {
		if (dir)
			snprintf(fn, sizeof(fn), "%s/%s.pressure", dir, psi_names[i]);
		else
			snprintf(fn, sizeof(fn), "/proc/pressure/%s", psi_names[i]);
		f = fopen(fn, "r");
		out->ok[i] = f && !psi_parse(f, &out->t[i]);
		if (f)
			fclose(f);
	}
}

void psi_delta_of(const struct psi_prev *prev, const struct psi_prev *cur, struct psi_delta *out)
{
	memset(out, 0, sizeof(*out));
	if (prev->ok[0] && cur->ok[0] && cur->t[0].has_some) {
		out->cpu = true;
		out->cpu_some_us = (double)counter_delta(cur->t[0].some_us, prev->t[0].some_us);
	}
	if (prev->ok[1] && cur->ok[1]) {
		out->mem = cur->t[1].has_some;
		out->mem_full = cur->t[1].has_full;
		out->mem_some_us = (double)counter_delta(cur->t[1].some_us, prev->t[1].some_us);
		out->mem_full_us = (double)counter_delta(cur->t[1].full_us, prev->t[1].full_us);
	}
	if (prev->ok[2] && cur->ok[2]) {
		out->io = cur->t[2].has_some;
		out->io_full = cur->t[2].has_full;
		out->io_some_us = (double)counter_delta(cur->t[2].some_us, prev->t[2].some_us);
		out->io_full_us = (double)counter_delta(cur->t[2].full_us, prev->t[2].full_us);
	}
}

/* The mount of a v1 controller ("memory", "cpu") into out, "" when none. */
static void find_v1_mount(const char *ctrl, char *out, size_t len)
{
	struct cg_mounts m;
	FILE *f = fopen("/proc/self/mountinfo", "r");
	size_t i, n = strlen(ctrl);

	out[0] = '\0';
	if (!f)
		return;
	if (!cg_parse_mountinfo(f, &m))
		for (i = 0; i < m.n && !out[0]; i++) {
			const char *c = m.m[i].controllers;

			for (; !m.m[i].v2 && (c = strstr(c, ctrl)); c += n)
				if ((c == m.m[i].controllers || c[-1] == ',') && (!c[n] || c[n] == ',')) {
					snprintf(out, len, "%s", m.m[i].path);
					break;
				}
		}
	fclose(f);
}

int record_collect_init(struct record_collect *rc, const struct watch_opts *o)
{
	struct cg_view v;

	memset(rc, 0, sizeof(*rc));
	rc->cgv = calloc(RC_MAX_CGROUPS, sizeof(*rc->cgv));
	if (!rc->cgv)
		return -1;
	if (o->target.mode == PP_FILTER_CGROUP && o->cg.hier == PP_CGROUP_V1) {
		rc->cg_v1 = true;
		snprintf(rc->cg_mount, sizeof(rc->cg_mount), "%s", o->cg.mount);
		find_v1_mount("memory", rc->mem_mount, sizeof(rc->mem_mount));
		find_v1_mount("cpu", rc->cpu_mount, sizeof(rc->cpu_mount));
	} else {
		cg_view_default(&v);
		snprintf(rc->cg_mount, sizeof(rc->cg_mount), "%s", v.mount);
		snprintf(rc->cpu_mount, sizeof(rc->cpu_mount), "%s", v.mount);
	}
	record_collect_host(rc); /* the baseline */
	return 0;
}

void record_collect_host(struct record_collect *rc)
{
	struct disk_stat cur[RC_MAX_DISKS];
	struct psi_prev psi;
	struct cpu_stat cs;
	struct mem_info mi;
	size_t n = 0, i, j;
	FILE *f;
	bool ok;

	memset(&rc->host, 0, sizeof(rc->host));
	rc->nbusy = 0;
	read_psi(NULL, &psi);
	if (rc->have_host)
		psi_delta_of(&rc->host_psi, &psi, &rc->host.psi);
	rc->host_psi = psi;
	f = fopen("/proc/stat", "r");
	ok = f && !cpu_stat_parse(f, &cs);
	if (f)
		fclose(f);
	if (ok) {
		if (rc->have_host && rc->has_busy) {
			rc->host.has_busy = true;
			rc->host.cpu_busy_ns = (double)counter_delta(cs.busy_ticks, rc->busy_ticks) *
					       1e9 / (double)sysconf(_SC_CLK_TCK);
		}
		rc->busy_ticks = cs.busy_ticks;
		rc->has_busy = true;
		rc->host.has_runnable = cs.has_running;
		rc->host.runnable = (double)cs.procs_running;
	}
	f = fopen("/proc/meminfo", "r");
	if (f && !meminfo_parse(f, &mi) && mi.has_available) {
		rc->host.has_available = true;
		rc->host.mem_available_bytes = (double)mi.available_bytes;
	}
	if (f)
		fclose(f);
	f = fopen("/proc/diskstats", "r");
	if (f) {
		n = diskstats_parse(f, cur, RC_MAX_DISKS);
		fclose(f);
	}
	/* whole disks only (partitions are in /sys/block/DISK/PART) */
	for (i = 0; i < n && rc->have_host; i++) {
		char fn[64];

		snprintf(fn, sizeof(fn), "/sys/block/%.31s", cur[i].name);
		if (access(fn, F_OK))
			continue;
		for (j = 0; j < rc->ndisks; j++)
			if (!strcmp(rc->disks[j].name, cur[i].name))
				break;
		if (j == rc->ndisks)
			continue;
		memcpy(rc->busy[rc->nbusy].name, cur[i].name, sizeof(cur[i].name));
		rc->busy[rc->nbusy++].busy_ns =
			(double)counter_delta(cur[i].io_ticks_ms, rc->disks[j].io_ticks_ms) * 1e6;
	}
	memcpy(rc->disks, cur, n * sizeof(*cur));
	rc->ndisks = n;
	rc->have_host = true;
}

static int read_value(const char *dir, const char *file, uint64_t *v)
{
	char fn[2 * PATH_MAX + 64];
	FILE *f;
	int rc;

	snprintf(fn, sizeof(fn), "%s/%s", dir, file);
	f = fopen(fn, "r");
	if (!f)
		return -1;
	rc = cg_value_parse(f, v);
	fclose(f);
	return rc;
}

static struct rc_cgroup *cg_state(struct record_collect *rc, const char *path)
{
	struct rc_cgroup *g;
	size_t i;

	for (i = 0; i < rc->ncgs; i++)
		if (!strcmp(rc->cgs[i].path, path))
			return &rc->cgs[i];
	if (rc->ncgs >= RC_MAX_CGROUPS * 4)
		return NULL;
	g = realloc(rc->cgs, (rc->ncgs + 1) * sizeof(*g));
	if (!g)
		return NULL;
	rc->cgs = g;
	g = &rc->cgs[rc->ncgs++];
	memset(g, 0, sizeof(*g));
	snprintf(g->path, sizeof(g->path), "%s", path);
	return g;
}

/* The quota of the directory at path alone (struct rc_quota's k). */
static int own_quota(struct record_collect *rc, const char *path, double *cores)
{
	char dir[PATH_MAX + PP_CGROUP_PATH_MAX], a[64], b[64];
	struct rc_quota *q;
	size_t i;
	int k;

	for (i = 0; i < rc->nquotas; i++)
		if (!strcmp(rc->quotas[i].path, path)) {
			*cores = rc->quotas[i].cores;
			return rc->quotas[i].k;
		}
	*cores = 0;
	snprintf(dir, sizeof(dir), "%s%s", rc->cpu_mount, strcmp(path, "/") ? path : "");
	if (!rc->cg_v1)
		k = cg_read_line(dir, "cpu.max", a, sizeof(a)) ? -1 : cap_parse_cpu_max(a, cores);
	else
		k = cg_read_line(dir, "cpu.cfs_quota_us", a, sizeof(a)) ||
		    cg_read_line(dir, "cpu.cfs_period_us", b, sizeof(b)) ? -1 :
		    cap_parse_cfs(a, b, cores);
	if (rc->nquotas == rc->capquotas && rc->capquotas < RC_MAX_QUOTAS) {
		size_t cap = rc->capquotas ? 2 * rc->capquotas : 32;

		q = realloc(rc->quotas, cap * sizeof(*q));
		if (q) {
			rc->quotas = q;
			rc->capquotas = cap;
		}
	}
	if (rc->nquotas < rc->capquotas) {
		q = &rc->quotas[rc->nquotas++];
		snprintf(q->path, sizeof(q->path), "%s", path);
		q->k = k;
		q->cores = *cores;
	}
	return k;
}

int record_collect_cpu_limit(struct record_collect *rc, const char *path, double *cores)
{
	char at[PP_CGROUP_PATH_MAX], *s;
	double best = INFINITY, c;
	int k;

	*cores = 0;
	if (!rc->cpu_mount[0] || path[0] != '/')
		return -1;
	snprintf(at, sizeof(at), "%s", path);
	k = own_quota(rc, at, &c);
	if (k < 0)
		return -1;
	for (;;) {
		if (k == 1 && c < best)
			best = c;
		s = strrchr(at, '/');
		if (!s || !strcmp(at, "/"))
			break;
		if (s == at)
			s[1] = '\0';
		else
			*s = '\0';
		k = own_quota(rc, at, &c); /* a parent's unreadable files: no quota there */
	}
	*cores = isfinite(best) ? best : 0;
	return 0;
}

static void one_cgroup(struct record_collect *rc, const char *path)
{
	char dir[PATH_MAX + PP_CGROUP_PATH_MAX];
	struct cg_values *v;
	struct rc_cgroup *g;
	struct psi_prev psi;
	uint64_t x;
	size_t i;
	int k;
	double c;

	if (path[0] != '/' || rc->ncgv >= RC_MAX_CGROUPS)
		return;
	for (i = 0; i < rc->ncgv; i++)
		if (!strcmp(rc->cgv[i].path, path))
			return;
	v = &rc->cgv[rc->ncgv];
	memset(v, 0, sizeof(*v));
	snprintf(v->path, sizeof(v->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s%s", rc->cg_v1 ? rc->mem_mount : rc->cg_mount,
		 strcmp(path, "/") ? path : "");
	if (rc->cg_v1) {
		if (rc->mem_mount[0] && read_value(dir, "memory.usage_in_bytes", &x) == 1) {
			v->has_memory = true;
			v->memory_bytes = (double)x;
		}
		if (rc->mem_mount[0] && read_value(dir, "memory.limit_in_bytes", &x) == 1) {
			v->has_limit = true;
			v->memory_limit_bytes = (double)x;
		}
	} else {
		if (read_value(dir, "memory.current", &x) == 1) {
			v->has_memory = true;
			v->memory_bytes = (double)x;
		}
		k = read_value(dir, "memory.max", &x);
		if (k == 1) {
			v->has_limit = true;
			v->memory_limit_bytes = (double)x;
		}
		g = cg_state(rc, path);
		read_psi(dir, &psi);
		if (g) {
			psi_delta_of(&g->psi, &psi, &v->psi);
			g->psi = psi;
		}
	}
	if (!record_collect_cpu_limit(rc, path, &c)) {
		v->has_cpu_limit = true;
		v->cpu_limit_cores = c;
	}
	rc->ncgv++;
}

void record_collect_cgroups(struct record_collect *rc, const struct proc_sample *s, size_t n,
			    const struct target *targets)
{
	size_t i;

	rc->ncgv = 0;
	rc->nquotas = 0;
	for (i = 0; targets && i < targets->ncgroups; i++)
		one_cgroup(rc, targets->cg[i].rel);
	for (i = 0; i < n; i++)
		one_cgroup(rc, s[i].cgroup);
}

void record_collect_netns(struct record_collect *rc, const struct watch *w,
			  const struct netns_sample *ns, size_t nns)
{
	size_t i, j, k;

	rc->nnsv = 0;
	for (i = 0; i < nns && rc->nnsv < NETNS_MAX; i++) {
		char fn[64];
		long long v;
		FILE *f;

		for (j = 0; j < w->netns.n; j++)
			if (w->netns.netns[j] == ns[i].netns)
				break;
		if (j == w->netns.n)
			continue;
		snprintf(fn, sizeof(fn), "/proc/%u/net/snmp", w->netns.pid[j]);
		f = fopen(fn, "r");
		if (!f)
			continue;
		v = netstat_value(f, "Tcp", "RetransSegs");
		fclose(f);
		if (v < 0)
			continue;
		for (k = 0; k < rc->nns; k++)
			if (rc->ns[k] == ns[i].netns)
				break;
		if (k < rc->nns) {
			struct netns_values *o = &rc->nsv[rc->nnsv++];

			o->netns = ns[i].netns;
			o->has_retrans = true;
			o->retrans_segs = (double)(v >= rc->ns_retrans[k] ? v - rc->ns_retrans[k] : 0);
		} else if (rc->nns < NETNS_MAX) {
			k = rc->nns++;
			rc->ns[k] = ns[i].netns;
		} else {
			continue;
		}
		rc->ns_retrans[k] = v;
	}
}

void record_collect_dev_peaks(struct record_collect *rc, struct dev_sample *d, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < rc->ndev; j++)
			if (rc->dev[j] == d[i].dev)
				break;
		if (j == rc->ndev) {
			if (rc->ndev == RC_MAX_DISKS)
				continue;
			rc->dev[rc->ndev] = d[i].dev;
			rc->dev_peak[rc->ndev++] = 0;
		}
		if (d[i].inflight_peak > rc->dev_peak[j]) {
			rc->dev_peak[j] = d[i].inflight_peak;
		} else {
			d[i].inflight_peak = d[i].inflight;
		}
	}
}

void record_collect_free(struct record_collect *rc)
{
	free(rc->cgs);
	free(rc->cgv);
	free(rc->quotas);
	memset(rc, 0, sizeof(*rc));
}
