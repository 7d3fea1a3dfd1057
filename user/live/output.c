// SPDX-License-Identifier: GPL-2.0
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include "live/output.h"

/*
 * JSON strings must be UTF-8; a comm cut at 15 bytes by the kernel can end
 * in half a character. Copy `in`, replacing invalid bytes with '?'
 * (control characters are valid: the JSON writer escapes them).
 */
void utf8_clean(char *out, size_t len, const char *in)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t w = 0;

	while (*p && w + 1 < len) {
		int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
		      : (*p & 0xf8) == 0xf0 ? 4 : 0;
		int i;

		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				n = 0;
		if (n == 0 || (n == 2 && *p < 0xc2) || w + (size_t)n >= len) {
			out[w++] = '?'; /* invalid, overlong or no room */
			p++;
			continue;
		}
		memcpy(out + w, p, (size_t)n);
		w += (size_t)n;
		p += n;
	}
	out[w] = 0;
}

json_t *hist_json(const struct hist_summary *h)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f}", "count", (json_int_t)h->count,
			 "p50", round(h->p50 * 10) / 10, "p90", round(h->p90 * 10) / 10,
			 "p99", round(h->p99 * 10) / 10, "max", round(h->max * 10) / 10);
}

static json_t *cpu_json(const struct proc_sample *s)
{
	return json_pack("{s:I, s:I, s:o, s:I, s:I, s:I}",
			 "oncpu_ns", (json_int_t)s->oncpu_ns,
			 "runq_wait_ns", (json_int_t)s->runq_wait_ns,
			 "runq_lat_us", hist_json(&s->runq_lat_us),
			 "nvcsw", (json_int_t)s->nvcsw,
			 "nivcsw", (json_int_t)s->nivcsw,
			 "migrations", (json_int_t)s->migrations);
}

static json_t *mem_json(const struct proc_sample *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "minflt", (json_int_t)s->minflt,
			 "majflt", (json_int_t)s->majflt,
			 "rss_bytes", (json_int_t)s->rss_bytes,
			 "rss_peak_bytes", (json_int_t)s->rss_peak_bytes,
			 "reclaim_stall_ns", (json_int_t)s->reclaim_stall_ns,
			 "reclaim_count", (json_int_t)s->reclaim_count,
			 "oom_kills", (json_int_t)s->oom_kills);
}

static json_t *io_json(const struct proc_sample *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}",
			 "read_bytes", (json_int_t)s->read_bytes,
			 "write_bytes", (json_int_t)s->write_bytes,
			 "read_ops", (json_int_t)s->read_ops,
			 "write_ops", (json_int_t)s->write_ops,
			 "lat_us", hist_json(&s->io_lat_us),
			 "queue_us", hist_json(&s->io_queue_us));
}

static json_t *net_json(const struct proc_sample *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			 "tx_bytes", (json_int_t)s->tx_bytes,
			 "rx_bytes", (json_int_t)s->rx_bytes,
			 "retrans", (json_int_t)s->retrans,
			 "resets", (json_int_t)s->resets,
			 "connects", (json_int_t)s->connects,
			 "accepts", (json_int_t)s->accepts,
			 "closes", (json_int_t)s->closes,
			 "rtt_us", hist_json(&s->rtt_us));
}

char *json_line(json_t *o)
{
	char *out;

	if (!o)
		return NULL;
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(o);
	return out;
}

char *sample_json(const struct proc_sample *s, const struct interval_info *ii)
{
	char comm[PP_COMM_LEN * 2], cgroup[PP_CGROUP_PATH_MAX];

	utf8_clean(comm, sizeof(comm), s->comm);
	utf8_clean(cgroup, sizeof(cgroup), s->cgroup);
	return json_line(json_pack("{s:s, s:f, s:f, s:I, s:s, s:s, s:b, s:b, s:o, s:o, s:o, s:o}",
			      "type", "process",
			      "ts", round(ii->ts * 1000) / 1000,
			      "interval_s", round(ii->interval_s * 1000) / 1000,
			      "pid", (json_int_t)s->pid,
			      "comm", comm,
			      "cgroup", cgroup,
			      "exited", s->exited,
			      "kthread", s->kthread,
			      "cpu", cpu_json(s), "mem", mem_json(s), "io", io_json(s),
			      "net", net_json(s)));
}

char *cgroup_json(const struct proc_sample *g, const struct interval_info *ii)
{
	char cgroup[PP_CGROUP_PATH_MAX];

	utf8_clean(cgroup, sizeof(cgroup), g->cgroup);
	return json_line(json_pack("{s:s, s:f, s:f, s:s, s:I, s:o, s:o, s:o, s:o}",
			      "type", "cgroup",
			      "ts", round(ii->ts * 1000) / 1000,
			      "interval_s", round(ii->interval_s * 1000) / 1000,
			      "cgroup", cgroup,
			      "processes", (json_int_t)g->pid,
			      "cpu", cpu_json(g), "mem", mem_json(g), "io", io_json(g),
			      "net", net_json(g)));
}

char *interval_json(const struct interval_info *ii, const char *attach)
{
	return json_line(json_pack("{s:s, s:f, s:f, s:i, s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
			      "type", "interval",
			      "ts", round(ii->ts * 1000) / 1000,
			      "interval_s", round(ii->interval_s * 1000) / 1000,
			      "processes", ii->nprocs,
			      "attach", attach ? attach : "",
			      "dropped",
			      "processes", (json_int_t)ii->dropped[PP_CNT_PROC_DROPPED],
			      "threads", (json_int_t)ii->dropped[PP_CNT_THREAD_DROPPED],
			      "mem", (json_int_t)ii->dropped[PP_CNT_MEM_DROPPED],
			      "rss_unattributed", (json_int_t)ii->dropped[PP_CNT_RSS_UNATTRIBUTED],
			      "io", (json_int_t)ii->dropped[PP_CNT_IO_DROPPED],
			      "net", (json_int_t)ii->dropped[PP_CNT_NET_DROPPED],
			      "net_unattributed", (json_int_t)ii->dropped[PP_CNT_NET_UNATTRIBUTED],
			      "exit_tail_late", (json_int_t)ii->dropped[PP_CNT_EXIT_TAIL_LATE]));
}

void fmt_count(char *buf, size_t len, uint64_t v)
{
	static const char unit[] = "kMGTPE";
	double d = (double)v;
	int u = -1;

	if (v < 10000) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return;
	}
	while (d >= 999.5 && u < 5) { /* %.0f would print 1000 */
		d /= 1000;
		u++;
	}
	snprintf(buf, len, d < 9.995 ? "%.2f%c" : d < 99.95 ? "%.1f%c" : "%.0f%c", d, unit[u]);
}

void fmt_num(char *buf, size_t len, double v, int width)
{
	static const char unit[] = "kMGTPE";
	int u = -1;

	if (!(v >= 0))
		v = 0;
	snprintf(buf, len, "%.1f", v);
	if ((int)strlen(buf) <= width)
		return;
	snprintf(buf, len, "%.0f", v);
	while ((int)strlen(buf) > width && u < 5) {
		v /= 1000;
		u++;
		snprintf(buf, len, "%.0f%c", v, unit[u]);
	}
}

void fmt_mib(char *buf, size_t len, int64_t bytes)
{
	double m = (double)bytes / (1024.0 * 1024.0);

	if (bytes < 0)
		snprintf(buf, len, "-");
	else if (m < 99999.5)
		snprintf(buf, len, m < 1000 ? "%.1f" : "%.0f", m);
	else
		snprintf(buf, len, "%.0fG", m / 1024);
}

/* PID(7) COMM(14) CPU%(6) RUNQms(7) RQp99us(7) VCSW(6) IVCSW(6) MINFLT(6) MAJF(5) RSSMiB(6): 79 */
#define ROW_FMT "%7s %-14.14s %6s %7s %7s %6s %6s %6s %5s %6s\n"

void table_title(FILE *f, const struct interval_info *ii, size_t shown, size_t total)
{
	char when[32] = "";
	time_t t = (time_t)ii->ts;
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(f, "%s  interval %.1f s  %zu processes active%s\n", when, ii->interval_s, total,
		shown < total ? " (top rows shown)" : "");
}

void table_header(FILE *f)
{
	fprintf(f, ROW_FMT, "PID", "COMM", "CPU%", "RUNQms", "RQp99us", "VCSW", "IVCSW", "MINFLT",
		"MAJF", "RSSMiB");
}

void table_row(FILE *f, const struct proc_sample *s, double interval_s)
{
	char pid[16], cpu[16], rq[16], p99[16], v[16], iv[16], mn[16], mj[16], rss[16];
	char comm[PP_COMM_LEN + 2];

	snprintf(pid, sizeof(pid), "%u", s->pid);
	snprintf(comm, sizeof(comm), "%s%s", s->comm, s->exited ? "*" : "");
	fmt_num(cpu, sizeof(cpu), interval_s > 0 ? (double)s->oncpu_ns / (interval_s * 1e7) : 0.0, 6);
	fmt_num(rq, sizeof(rq), (double)s->runq_wait_ns / 1e6, 7);
	fmt_count(p99, sizeof(p99), (uint64_t)llround(s->runq_lat_us.p99));
	fmt_count(v, sizeof(v), s->nvcsw);
	fmt_count(iv, sizeof(iv), s->nivcsw);
	fmt_count(mn, sizeof(mn), s->minflt);
	fmt_count(mj, sizeof(mj), s->majflt);
	if (s->has_mem)
		fmt_num(rss, sizeof(rss), s->rss_bytes > 0 ? (double)s->rss_bytes / 1048576.0 : 0, 6);
	else
		snprintf(rss, sizeof(rss), "-");
	fprintf(f, ROW_FMT, pid, comm, cpu, rq, p99, v, iv, mn, mj, rss);
}

void table_footer(FILE *f, const struct interval_info *ii)
{
	const uint64_t *d = ii->dropped;

	if (d[PP_CNT_PROC_DROPPED] || d[PP_CNT_THREAD_DROPPED] || d[PP_CNT_MEM_DROPPED] ||
	    d[PP_CNT_IO_DROPPED] || d[PP_CNT_NET_DROPPED])
		fprintf(f, "dropped (tables full): procs %llu threads %llu mem %llu io %llu net %llu\n",
			(unsigned long long)d[PP_CNT_PROC_DROPPED],
			(unsigned long long)d[PP_CNT_THREAD_DROPPED],
			(unsigned long long)d[PP_CNT_MEM_DROPPED],
			(unsigned long long)d[PP_CNT_IO_DROPPED],
			(unsigned long long)d[PP_CNT_NET_DROPPED]);
}

/* CGROUP(30) PROCS(5) CPU%(6) RUNQms(7) RQp99us(7) IVCSW(6) MINFLT(6) RSSMiB(6): 80 */
#define CG_ROW_FMT "%-30.30s %5s %6s %7s %7s %6s %6s %6s\n"

void cgroup_table_header(FILE *f)
{
	fprintf(f, CG_ROW_FMT, "CGROUP", "PROCS", "CPU%", "RUNQms", "RQp99us", "IVCSW", "MINFLT",
		"RSSMiB");
}

void cgroup_table_row(FILE *f, const struct proc_sample *g, double interval_s)
{
	char procs[16], cpu[16], rq[16], p99[16], iv[16], mn[16], rss[16], name[40];
	size_t len = strlen(g->cgroup);

	/* keep the informative end of long paths */
	if (len > 30)
		snprintf(name, sizeof(name), "...%s", g->cgroup + len - 27);
	else
		snprintf(name, sizeof(name), "%.30s", g->cgroup);
	fmt_count(procs, sizeof(procs), g->pid);
	fmt_num(cpu, sizeof(cpu), interval_s > 0 ? (double)g->oncpu_ns / (interval_s * 1e7) : 0.0, 6);
	fmt_num(rq, sizeof(rq), (double)g->runq_wait_ns / 1e6, 7);
	fmt_count(p99, sizeof(p99), (uint64_t)llround(g->runq_lat_us.p99));
	fmt_count(iv, sizeof(iv), g->nivcsw);
	fmt_count(mn, sizeof(mn), g->minflt);
	fmt_num(rss, sizeof(rss), g->rss_bytes > 0 ? (double)g->rss_bytes / 1048576.0 : 0, 6);
	fprintf(f, CG_ROW_FMT, name, procs, cpu, rq, p99, iv, mn, rss);
}

/* PID(7) COMM(14) RD_MiB(7) WR_MiB(7) RD_OPS(6) WR_OPS(6) LATp50us(8) LATp99us(8) QUEp99us(8) */
#define IO_ROW_FMT "%7s %-14.14s %7s %7s %6s %6s %8s %8s %8s\n"

void table_header_io(FILE *f)
{
	fprintf(f, IO_ROW_FMT, "PID", "COMM", "RD_MiB", "WR_MiB", "RD_OPS", "WR_OPS", "LATp50us",
		"LATp99us", "QUEp99us");
}

void table_row_io(FILE *f, const struct proc_sample *s)
{
	char pid[16], rd[16], wr[16], ro[16], wo[16], p50[16], p99[16], q99[16];
	char comm[PP_COMM_LEN + 2];

	snprintf(pid, sizeof(pid), "%u", s->pid);
	snprintf(comm, sizeof(comm), "%s%s", s->comm, s->exited ? "*" : "");
	fmt_num(rd, sizeof(rd), (double)s->read_bytes / 1048576.0, 7);
	fmt_num(wr, sizeof(wr), (double)s->write_bytes / 1048576.0, 7);
	fmt_count(ro, sizeof(ro), s->read_ops);
	fmt_count(wo, sizeof(wo), s->write_ops);
	fmt_count(p50, sizeof(p50), (uint64_t)llround(s->io_lat_us.p50));
	fmt_count(p99, sizeof(p99), (uint64_t)llround(s->io_lat_us.p99));
	fmt_count(q99, sizeof(q99), (uint64_t)llround(s->io_queue_us.p99));
	fprintf(f, IO_ROW_FMT, pid, comm, rd, wr, ro, wo, p50, p99, q99);
}

/* PID(7) COMM(14) TX_MiB(7) RX_MiB(7) RETR(5) RST(4) CONN(5) ACC(5) RTTp50us(8) RTTp99us(8) */
#define NET_ROW_FMT "%7s %-14.14s %7s %7s %5s %4s %5s %5s %8s %8s\n"

void table_header_net(FILE *f)
{
	fprintf(f, NET_ROW_FMT, "PID", "COMM", "TX_MiB", "RX_MiB", "RETR", "RST", "CONN", "ACC",
		"RTTp50us", "RTTp99us");
}

void table_row_net(FILE *f, const struct proc_sample *s)
{
	char pid[16], tx[16], rx[16], re[16], rs[16], cn[16], ac[16], p50[16], p99[16];
	char comm[PP_COMM_LEN + 2];

	snprintf(pid, sizeof(pid), "%u", s->pid);
	snprintf(comm, sizeof(comm), "%s%s", s->comm, s->exited ? "*" : "");
	fmt_num(tx, sizeof(tx), (double)s->tx_bytes / 1048576.0, 7);
	fmt_num(rx, sizeof(rx), (double)s->rx_bytes / 1048576.0, 7);
	fmt_count(re, sizeof(re), s->retrans);
	fmt_count(rs, sizeof(rs), s->resets);
	fmt_count(cn, sizeof(cn), s->connects);
	fmt_count(ac, sizeof(ac), s->accepts);
	fmt_count(p50, sizeof(p50), (uint64_t)llround(s->rtt_us.p50));
	fmt_count(p99, sizeof(p99), (uint64_t)llround(s->rtt_us.p99));
	fprintf(f, NET_ROW_FMT, pid, comm, tx, rx, re, rs, cn, ac, p50, p99);
}

char *dev_json(const struct dev_sample *d, double ts, double interval_s)
{
	char devno[32];

	snprintf(devno, sizeof(devno), "%u:%u", DEV_MAJOR(d->dev), DEV_MINOR(d->dev));
	return json_line(json_pack("{s:s, s:f, s:f, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:I}",
		      "type", "device", "ts", round(ts * 1000) / 1000,
		      "interval_s", round(interval_s * 1000) / 1000,
		      "device", d->name, "dev", devno,
		      "read_bytes", (json_int_t)d->read_bytes, "write_bytes", (json_int_t)d->write_bytes,
		      "read_ops", (json_int_t)d->read_ops, "write_ops", (json_int_t)d->write_ops,
		      "lat_us", hist_json(&d->lat_us), "queue_us", hist_json(&d->queue_us),
		      "inflight", (json_int_t)d->inflight, "inflight_peak", (json_int_t)d->inflight_peak));
}

/* DEVICE(12) RD_MB/s(8) WR_MB/s(8) R/s(7) W/s(7) LATp50(8) LATp99(8) QUEp99(8) INFL(5) PEAK(5) */
#define DEV_FMT "%-12.12s %8s %8s %7s %7s %8s %8s %8s %4s %4s\n"

void dev_table_header(FILE *f)
{
	fprintf(f, DEV_FMT, "DEVICE", "RD_MB/s", "WR_MB/s", "R/s", "W/s", "LATp50us", "LATp99us",
		"QUEp99us", "INFL", "PEAK");
}

void dev_table_row(FILE *f, const struct dev_sample *d, double interval_s)
{
	char rb[16], wb[16], r[16], w[16], p50[16], p99[16], q99[16], in[16], pk[16];
	double sec = interval_s > 0 ? interval_s : 1;

	fmt_num(rb, sizeof(rb), (double)d->read_bytes / 1e6 / sec, 8);
	fmt_num(wb, sizeof(wb), (double)d->write_bytes / 1e6 / sec, 8);
	fmt_count(r, sizeof(r), (uint64_t)llround((double)d->read_ops / sec));
	fmt_count(w, sizeof(w), (uint64_t)llround((double)d->write_ops / sec));
	fmt_count(p50, sizeof(p50), (uint64_t)llround(d->lat_us.p50));
	fmt_count(p99, sizeof(p99), (uint64_t)llround(d->lat_us.p99));
	fmt_count(q99, sizeof(q99), (uint64_t)llround(d->queue_us.p99));
	fmt_count(in, sizeof(in), (uint64_t)d->inflight);
	fmt_count(pk, sizeof(pk), (uint64_t)d->inflight_peak);
	fprintf(f, DEV_FMT, d->name, rb, wb, r, w, p50, p99, q99, in, pk);
}

char *conn_json(const struct conn_sample *c, double ts, double interval_s)
{

	char comm[PP_COMM_LEN * 2];

	utf8_clean(comm, sizeof(comm), c->comm);
	return json_line(json_pack("{s:s, s:f, s:f, s:I, s:s, s:I, s:s, s:i, s:s, s:i, s:I, s:I, s:I, s:I, s:b, s:f}",
		      "type", "connection", "ts", round(ts * 1000) / 1000,
		      "interval_s", round(interval_s * 1000) / 1000,
		      "pid", (json_int_t)c->pid, "comm", comm, "netns", (json_int_t)c->netns,
		      "saddr", c->saddr, "sport", c->sport, "daddr", c->daddr, "dport", c->dport,
		      "tx_bytes", (json_int_t)c->tx_bytes, "rx_bytes", (json_int_t)c->rx_bytes,
		      "retrans", (json_int_t)c->retrans, "srtt_us", (json_int_t)c->srtt_us,
		      "closed", c->closed, "age_s", round(c->age_s * 1000) / 1000));
}

/* PID(7) COMM(10) LOCAL(21) REMOTE(21) TX_MiB(6) RX_MiB(6) RETR(4): 81 - 1 */
#define CONN_FMT "%7s %-9.9s %-21.21s %-21.21s %6s %6s %4s\n"

void conn_table_header(FILE *f)
{
	fprintf(f, CONN_FMT, "PID", "COMM", "LOCAL", "REMOTE", "TX_MiB", "RX_MiB", "RETR");
}

void conn_table_row(FILE *f, const struct conn_sample *c)
{
	char pid[16], l[64], r[64], tx[16], rx[16], re[16];

	snprintf(pid, sizeof(pid), "%u", c->pid);
	snprintf(l, sizeof(l), "%s:%u", c->saddr, c->sport);
	snprintf(r, sizeof(r), "%s:%u%s", c->daddr, c->dport, c->closed ? "*" : "");
	fmt_num(tx, sizeof(tx), (double)c->tx_bytes / 1048576.0, 6);
	fmt_num(rx, sizeof(rx), (double)c->rx_bytes / 1048576.0, 6);
	fmt_count(re, sizeof(re), c->retrans);
	fprintf(f, CONN_FMT, pid, c->comm, l, r, tx, rx, re);
}

char *netns_json(const struct netns_sample *n, double ts, double interval_s)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n->nl; i++)
		json_array_append_new(arr, json_pack("{s:i, s:I, s:I, s:I, s:b}", "port", n->l[i].port,
						     "pid", (json_int_t)n->l[i].pid,
						     "accept_queue", (json_int_t)n->l[i].accept_queue,
						     "backlog", (json_int_t)n->l[i].backlog,
						     "full", n->l[i].backlog &&
							     n->l[i].accept_queue >= n->l[i].backlog));
	return json_line(json_pack("{s:s, s:f, s:f, s:I, s:I, s:I, s:o}", "type", "netns",
		      "ts", round(ts * 1000) / 1000, "interval_s", round(interval_s * 1000) / 1000,
		      "netns", (json_int_t)n->netns, "listen_overflows", (json_int_t)n->listen_overflows,
		      "listen_drops", (json_int_t)n->listen_drops, "listeners", arr));
}

void netns_print(FILE *f, const struct netns_sample *n)
{
	size_t i;

	fprintf(f, "netns %u: listen overflows %lld, drops %lld\n", n->netns, n->listen_overflows,
		n->listen_drops);
	for (i = 0; i < n->nl; i++)
		fprintf(f, "  listener :%u pid %u accept queue %u/%u%s\n", n->l[i].port, n->l[i].pid,
			n->l[i].accept_queue, n->l[i].backlog,
			n->l[i].backlog && n->l[i].accept_queue >= n->l[i].backlog ? " FULL" : "");
}
