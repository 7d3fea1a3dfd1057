// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "sample.h"

static uint64_t delta(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : 0; /* a thread folded while being read */
}

/* Largest wait in this interval: exact when the cumulative maximum grew,
 * otherwise bounded by the top edge of the highest non-empty slot. */
static double interval_max_us(const uint32_t *h, uint64_t cur_max_ns, uint64_t prev_max_ns)
{
	double lo, hi, cum = (double)cur_max_ns / 1000.0;
	int i;

	if (cur_max_ns > prev_max_ns)
		return cum;
	for (i = PP_HIST_SLOTS - 1; i >= 0 && !h[i]; i--)
		;
	if (i < 0)
		return 0;
	hist_slot_range((unsigned int)i, &lo, &hi);
	return hi < cum ? hi : cum;
}

static void fill(struct proc_sample *s, const struct proc_raw *c, const struct proc_raw *p)
{
	static const struct proc_raw zero;
	uint32_t h[PP_HIST_SLOTS];
	int i;

	if (!p)
		p = &zero;
	memset(s, 0, sizeof(*s));
	s->pid = c->pid;
	s->has_mem = c->has_mem;
	if (c->has_sched) {
		const struct pp_sched_stats *a = &c->sched, *b = &p->sched;

		memcpy(s->comm, a->comm, sizeof(s->comm));
		s->comm[PP_COMM_LEN - 1] = 0;
		s->exited = a->flags & PP_PROC_EXITED;
		s->cgroup_id = a->cgroup_id;
		s->oncpu_ns = delta(a->oncpu_ns, b->oncpu_ns);
		s->runq_wait_ns = delta(a->runq_wait_ns, b->runq_wait_ns);
		s->nvcsw = delta(a->nvcsw, b->nvcsw);
		s->nivcsw = delta(a->nivcsw, b->nivcsw);
		s->migrations = delta(a->migrations, b->migrations);
		for (i = 0; i < PP_HIST_SLOTS; i++)
			h[i] = a->runq_hist[i] >= b->runq_hist[i] ? a->runq_hist[i] - b->runq_hist[i]
								  : a->runq_hist[i];
		memcpy(s->runq_hist, h, sizeof(h));
		hist_summarize(h, PP_HIST_SLOTS,
			       interval_max_us(h, a->runq_max_ns, p->has_sched ? b->runq_max_ns : 0),
			       &s->runq_lat_us);
	}
	if (c->has_mem) {
		const struct pp_mem_stats *a = &c->mem, *b = &p->mem;

		s->minflt = delta(a->minflt, b->minflt);
		s->majflt = delta(a->majflt, b->majflt);
		s->rss_bytes = a->rss_bytes;
		s->rss_peak_bytes = a->rss_peak_bytes;
		s->reclaim_stall_ns = delta(a->reclaim_stall_ns, b->reclaim_stall_ns);
		s->reclaim_count = delta(a->reclaim_count, b->reclaim_count);
		s->oom_kills = delta(a->oom_kills, b->oom_kills);
	}
}

bool sample_active(const struct proc_sample *s)
{
	return s->exited || s->oncpu_ns || s->runq_wait_ns || s->nvcsw || s->nivcsw ||
	       s->migrations || s->minflt || s->majflt || s->reclaim_stall_ns || s->oom_kills;
}

size_t sample_diff(const struct proc_raw *prev, size_t nprev,
		   const struct proc_raw *cur, size_t ncur,
		   bool keep_idle, struct proc_sample *out)
{
	size_t i, j = 0, n = 0;

	for (i = 0; i < ncur; i++) {
		const struct proc_raw *p = NULL;

		while (j < nprev && prev[j].pid < cur[i].pid)
			j++;
		if (j < nprev && prev[j].pid == cur[i].pid)
			p = &prev[j];
		fill(&out[n], &cur[i], p);
		if (keep_idle || sample_active(&out[n]))
			n++;
	}
	return n;
}

static enum sample_key sort_key;

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_sample(const void *pa, const void *pb)
{
	const struct proc_sample *a = pa, *b = pb;
	int r = 0;

	switch (sort_key) {
	case SORT_CPU: r = cmp_u64_desc(a->oncpu_ns, b->oncpu_ns); break;
	case SORT_RUNQ: r = cmp_u64_desc(a->runq_wait_ns, b->runq_wait_ns); break;
	case SORT_RQP99: r = a->runq_lat_us.p99 < b->runq_lat_us.p99 ? 1 :
			     a->runq_lat_us.p99 > b->runq_lat_us.p99 ? -1 : 0; break;
	case SORT_VCSW: r = cmp_u64_desc(a->nvcsw, b->nvcsw); break;
	case SORT_IVCSW: r = cmp_u64_desc(a->nivcsw, b->nivcsw); break;
	case SORT_MINFLT: r = cmp_u64_desc(a->minflt, b->minflt); break;
	case SORT_MAJFLT: r = cmp_u64_desc(a->majflt, b->majflt); break;
	case SORT_RSS: r = cmp_u64_desc((uint64_t)a->rss_bytes, (uint64_t)b->rss_bytes); break;
	case SORT_PID: case SORT_KEYS: break;
	}
	if (!r)
		r = a->pid < b->pid ? -1 : a->pid > b->pid;
	return r;
}

void sample_sort(struct proc_sample *s, size_t n, enum sample_key key)
{
	sort_key = key;
	qsort(s, n, sizeof(*s), cmp_sample);
}

size_t sample_by_cgroup(const struct proc_sample *s, size_t n, struct proc_sample *out)
{
	size_t i, j, k = 0;
	int b;

	for (i = 0; i < n; i++) {
		struct proc_sample *g = NULL;

		for (j = 0; j < k; j++)
			if (!strcmp(out[j].cgroup, s[i].cgroup))
				g = &out[j];
		if (!g) {
			g = &out[k++];
			memset(g, 0, sizeof(*g));
			memcpy(g->cgroup, s[i].cgroup, sizeof(g->cgroup));
		}
		g->pid++;
		g->has_mem |= s[i].has_mem;
		g->oncpu_ns += s[i].oncpu_ns;
		g->runq_wait_ns += s[i].runq_wait_ns;
		g->nvcsw += s[i].nvcsw;
		g->nivcsw += s[i].nivcsw;
		g->migrations += s[i].migrations;
		for (b = 0; b < PP_HIST_SLOTS; b++)
			g->runq_hist[b] += s[i].runq_hist[b];
		if (s[i].runq_lat_us.max > g->runq_lat_us.max)
			g->runq_lat_us.max = s[i].runq_lat_us.max;
		g->minflt += s[i].minflt;
		g->majflt += s[i].majflt;
		if (!s[i].exited) {
			g->rss_bytes += s[i].rss_bytes;
			g->rss_peak_bytes += s[i].rss_peak_bytes;
		}
		g->reclaim_stall_ns += s[i].reclaim_stall_ns;
		g->reclaim_count += s[i].reclaim_count;
		g->oom_kills += s[i].oom_kills;
	}
	for (j = 0; j < k; j++)
		hist_summarize(out[j].runq_hist, PP_HIST_SLOTS, out[j].runq_lat_us.max, &out[j].runq_lat_us);
	return k;
}
