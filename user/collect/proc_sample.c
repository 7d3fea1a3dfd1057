// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "collect/proc_sample.h"

static uint64_t delta(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : 0; /* a thread folded while being read */
}

static void keep_max(__u64 *cur, __u64 prev)
{
	if (prev > *cur)
		*cur = prev;
}

void proc_raw_ratchet(struct proc_raw *cur, const struct proc_raw *prev)
{
	int i;

	if (!prev || prev->pid != cur->pid || !cur->has_sched || !prev->has_sched ||
	    !cur->sched.start_boot_ns || cur->sched.start_boot_ns != prev->sched.start_boot_ns)
		return; /* not known to be the same process */
	keep_max(&cur->sched.oncpu_ns, prev->sched.oncpu_ns);
	keep_max(&cur->sched.runq_wait_ns, prev->sched.runq_wait_ns);
	keep_max(&cur->sched.nvcsw, prev->sched.nvcsw);
	keep_max(&cur->sched.nivcsw, prev->sched.nivcsw);
	keep_max(&cur->sched.migrations, prev->sched.migrations);
	for (i = 0; i < PP_HIST_SLOTS; i++)
		if (prev->sched.runq_hist[i] > cur->sched.runq_hist[i])
			cur->sched.runq_hist[i] = prev->sched.runq_hist[i];
	if (cur->has_mem && prev->has_mem) {
		keep_max(&cur->mem.minflt, prev->mem.minflt);
		keep_max(&cur->mem.majflt, prev->mem.majflt);
	}
}

/* Largest wait in this interval: exact when the cumulative maximum grew,
 * otherwise bounded by the top edge of the highest non-empty slot. */
double interval_max_us(const uint32_t *h, uint64_t cur_max_ns, uint64_t prev_max_ns)
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

void hist_delta(const uint32_t *cur, const uint32_t *prev, uint32_t *out)
{
	int i;

	for (i = 0; i < PP_HIST_SLOTS; i++)
		out[i] = cur[i] >= prev[i] ? cur[i] - prev[i] : 0;
}

void io_stats_add(struct pp_io_stats *sum, const struct pp_io_stats *add)
{
	int i;

	sum->read_bytes += add->read_bytes;
	sum->write_bytes += add->write_bytes;
	sum->read_ops += add->read_ops;
	sum->write_ops += add->write_ops;
	if (add->lat_max_ns > sum->lat_max_ns)
		sum->lat_max_ns = add->lat_max_ns;
	if (add->queue_max_ns > sum->queue_max_ns)
		sum->queue_max_ns = add->queue_max_ns;
	for (i = 0; i < PP_HIST_SLOTS; i++) {
		sum->lat_hist[i] += add->lat_hist[i];
		sum->queue_hist[i] += add->queue_hist[i];
	}
}

static void fill_io(struct proc_sample *s, const struct pp_io_stats *a, const struct pp_io_stats *b,
		    bool had_prev)
{
	s->read_bytes = delta(a->read_bytes, b->read_bytes);
	s->write_bytes = delta(a->write_bytes, b->write_bytes);
	s->read_ops = delta(a->read_ops, b->read_ops);
	s->write_ops = delta(a->write_ops, b->write_ops);
	hist_delta(a->lat_hist, b->lat_hist, s->io_lat_hist);
	hist_delta(a->queue_hist, b->queue_hist, s->io_queue_hist);
	hist_summarize(s->io_lat_hist, PP_HIST_SLOTS,
		       interval_max_us(s->io_lat_hist, a->lat_max_ns, had_prev ? b->lat_max_ns : 0),
		       &s->io_lat_us);
	hist_summarize(s->io_queue_hist, PP_HIST_SLOTS,
		       interval_max_us(s->io_queue_hist, a->queue_max_ns, had_prev ? b->queue_max_ns : 0),
		       &s->io_queue_us);
}

static void fill_net(struct proc_sample *s, const struct pp_net_stats *a,
		     const struct pp_net_stats *b, bool had_prev)
{
	s->tx_bytes = delta(a->tx_bytes, b->tx_bytes);
	s->rx_bytes = delta(a->rx_bytes, b->rx_bytes);
	s->retrans = delta(a->retrans, b->retrans);
	s->resets = delta(a->resets, b->resets);
	s->connects = delta(a->connects, b->connects);
	s->accepts = delta(a->accepts, b->accepts);
	s->closes = delta(a->closes, b->closes);
	hist_delta(a->rtt_hist, b->rtt_hist, s->rtt_hist);
	/* RTT maxima are in microseconds already */
	hist_summarize(s->rtt_hist, PP_HIST_SLOTS,
		       interval_max_us(s->rtt_hist, a->rtt_max_us * 1000,
				       had_prev ? b->rtt_max_us * 1000 : 0),
		       &s->rtt_us);
}

static void fill(struct proc_sample *s, const struct proc_raw *c, const struct proc_raw *p)
{
	static const struct proc_raw zero;
	uint32_t h[PP_HIST_SLOTS];

	if (!p)
		p = &zero;
	memset(s, 0, sizeof(*s));
	s->pid = c->pid;
	s->has_mem = c->has_mem;
	if (c->has_sched) {
		const struct pp_sched_stats *a = &c->sched, *b = &p->sched;

		memcpy(s->comm, a->comm, sizeof(s->comm));
		s->comm[PP_COMM_LEN - 1] = 0;
		memcpy(s->pcomm, a->pcomm, sizeof(s->pcomm));
		s->pcomm[PP_COMM_LEN - 1] = 0;
		s->ppid = a->ppid;
		s->start_boot_ns = a->start_boot_ns;
		s->start_ns = a->start_ns;
		s->exit_ns = a->exit_ns;
		s->exited = a->flags & PP_PROC_EXITED;
		s->kthread = a->flags & PP_PROC_KTHREAD;
		s->cgroup_id = a->cgroup_id;
		s->oncpu_ns = delta(a->oncpu_ns, b->oncpu_ns);
		s->runq_wait_ns = delta(a->runq_wait_ns, b->runq_wait_ns);
		s->nvcsw = delta(a->nvcsw, b->nvcsw);
		s->nivcsw = delta(a->nivcsw, b->nivcsw);
		s->migrations = delta(a->migrations, b->migrations);
		hist_delta(a->runq_hist, b->runq_hist, h);
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
	if (c->has_io)
		fill_io(s, &c->io, &p->io, p->has_io);
	if (c->has_net)
		fill_net(s, &c->net, &p->net, p->has_net);
}

bool sample_active(const struct proc_sample *s)
{
	return s->exited || s->oncpu_ns || s->runq_wait_ns || s->nvcsw || s->nivcsw ||
	       s->migrations || s->minflt || s->majflt || s->reclaim_stall_ns || s->oom_kills ||
	       s->read_ops || s->write_ops || s->tx_bytes || s->rx_bytes || s->retrans ||
	       s->resets || s->connects || s->accepts || s->closes;
}

/* Not a reused pid: both starts known and equal, or one unknown. */
static bool same_process(const struct proc_raw *a, const struct proc_raw *b)
{
	if (!a->has_sched || !b->has_sched || !a->sched.start_boot_ns || !b->sched.start_boot_ns)
		return true;
	return a->sched.start_boot_ns == b->sched.start_boot_ns;
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
		if (j < nprev && prev[j].pid == cur[i].pid &&
		    same_process(&prev[j], &cur[i]))
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
	case SORT_IO: r = cmp_u64_desc(a->read_bytes + a->write_bytes, b->read_bytes + b->write_bytes); break;
	case SORT_NET: r = cmp_u64_desc(a->tx_bytes + a->rx_bytes, b->tx_bytes + b->rx_bytes); break;
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

void sample_accumulate(struct proc_sample *g, const struct proc_sample *s)
{
	int b;

	g->has_mem |= s->has_mem;
	g->oncpu_ns += s->oncpu_ns;
	g->runq_wait_ns += s->runq_wait_ns;
	g->nvcsw += s->nvcsw;
	g->nivcsw += s->nivcsw;
	g->migrations += s->migrations;
	for (b = 0; b < PP_HIST_SLOTS; b++)
		g->runq_hist[b] += s->runq_hist[b];
	if (s->runq_lat_us.max > g->runq_lat_us.max)
		g->runq_lat_us.max = s->runq_lat_us.max;
	g->minflt += s->minflt;
	g->majflt += s->majflt;
	if (!s->exited) {
		g->rss_bytes += s->rss_bytes;
		g->rss_peak_bytes += s->rss_peak_bytes;
	}
	g->reclaim_stall_ns += s->reclaim_stall_ns;
	g->reclaim_count += s->reclaim_count;
	g->oom_kills += s->oom_kills;
	g->read_bytes += s->read_bytes;
	g->write_bytes += s->write_bytes;
	g->read_ops += s->read_ops;
	g->write_ops += s->write_ops;
	for (b = 0; b < PP_HIST_SLOTS; b++) {
		g->io_lat_hist[b] += s->io_lat_hist[b];
		g->io_queue_hist[b] += s->io_queue_hist[b];
	}
	if (s->io_lat_us.max > g->io_lat_us.max)
		g->io_lat_us.max = s->io_lat_us.max;
	if (s->io_queue_us.max > g->io_queue_us.max)
		g->io_queue_us.max = s->io_queue_us.max;
	g->tx_bytes += s->tx_bytes;
	g->rx_bytes += s->rx_bytes;
	g->retrans += s->retrans;
	g->resets += s->resets;
	g->connects += s->connects;
	g->accepts += s->accepts;
	g->closes += s->closes;
	for (b = 0; b < PP_HIST_SLOTS; b++)
		g->rtt_hist[b] += s->rtt_hist[b];
	if (s->rtt_us.max > g->rtt_us.max)
		g->rtt_us.max = s->rtt_us.max;
}

void sample_finish(struct proc_sample *g)
{
	hist_summarize(g->runq_hist, PP_HIST_SLOTS, g->runq_lat_us.max, &g->runq_lat_us);
	hist_summarize(g->io_lat_hist, PP_HIST_SLOTS, g->io_lat_us.max, &g->io_lat_us);
	hist_summarize(g->io_queue_hist, PP_HIST_SLOTS, g->io_queue_us.max, &g->io_queue_us);
	hist_summarize(g->rtt_hist, PP_HIST_SLOTS, g->rtt_us.max, &g->rtt_us);
}

size_t sample_by_cgroup(const struct proc_sample *s, size_t n, struct proc_sample *out)
{
	size_t i, j, k = 0;

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
		sample_accumulate(g, &s[i]);
	}
	for (j = 0; j < k; j++)
		sample_finish(&out[j]);
	return k;
}
