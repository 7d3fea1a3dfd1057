// SPDX-License-Identifier: GPL-2.0
/*
 * The tcp_buffers tuner: raise net.ipv4.tcp_rmem's or tcp_wmem's max (their
 * third field) in the network namespace of --netns when connections there
 * are limited by it, in steps sized from what they need.
 *
 * Signals, each interval, from the namespace's TCP connections (tcpinfo.h:
 * sock_diag with tcp_info and skmeminfo):
 *  - receive side: a connection whose receive buffer has reached the max
 *    (TB_FULL x max <= rcvbuf <= max; a larger rcvbuf was set by the
 *    application with SO_RCVBUF, which tcp_rmem does not govern) while it
 *    receives at least TB_RATE_FLOOR bytes/s;
 *  - send side: a connection whose send buffer has reached tcp_wmem's max,
 *    that sends (bytes acked) at least TB_RATE_FLOOR bytes/s and spent at
 *    least TB_SNDBUF_SHARE of its busy time limited by the send buffer
 *    (tcpi_sndbuf_limited / tcpi_busy_time).
 * The step: the need of the neediest limited connection, its bytes in
 * flight times TB_OVERHEAD (the kernel's autotuning keeps twice the window,
 * and a buffer holds about twice its payload in skb overhead). Bytes in
 * flight are the larger of throughput x RTT and what the kernel measured
 * itself (receive: tcpi_rcv_space, bytes received per RTT; send: cwnd x
 * mss). The new max is that need, rounded up to 4 KiB, but at least one
 * configured step (x2 by default) and at most TB_STEP_MAX times the
 * current max; then within the tunable's bounds and the caps:
 *  - memory: MemTotal / TB_MEM_DIV, and half of tcp_mem's pressure
 *    threshold shared by the limited connections;
 *  - net.core.rmem_max / wmem_max, but never below the max of perfpilot's
 *    own namespace: tcp_rmem's max is not limited by rmem_max in the
 *    kernel (rmem_max caps SO_RCVBUF), so it only bounds how far beyond
 *    the host's own setting a namespace is taken. Not applied to
 *    perfpilot's own namespace.
 * Nothing is proposed under memory pressure: PSI memory "some" avg10 at
 * TB_PSI_LIMIT % or more, or the TCP memory in use (/proc/net/sockstat
 * "TCP: ... mem") at TB_TCPMEM_SHARE of tcp_mem's pressure threshold.
 *
 * Verification: the metric is the namespace's throughput, bytes received
 * per second (tcp_rmem) or bytes acked per second (tcp_wmem) over all its
 * connections, averaged over the verify window and only over intervals
 * that ran entirely at the current max. The cycle keeps a change when it
 * rose by at least the config's min_improvement, else rolls it back, which
 * freezes the tunable there: the tuner stops once throughput stops rising.
 * It rolls back too when memory pressure appeared or grew since the change
 * (other_worse).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tune/num.h"
#include "tune/step.h"
#include "tune/tcp_buffers.h"

enum { RX, TX, NDIR };
static const char *const tunable_of[NDIR] = {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"};
static const char *const core_of[NDIR] = {"net.core.rmem_max", "net.core.wmem_max"};
static const char *const metric_of[NDIR] = {"tcp.rx_bytes_per_s", "tcp.tx_bytes_per_s"};
static const char *const finding_of[NDIR] = {"tcp_rcvbuf_limited", "tcp_sndbuf_limited"};

#define HIST 256
#define KB4 4096

struct hist {
	double t, dt;
	double rate[NDIR]; /* bytes/s of the namespace over the interval */
	int64_t max[NDIR]; /* the max at the end of the interval */
	int64_t max_start[NDIR]; /* and at its start */
};

/* what one direction saw in the latest interval */
struct dir {
	char value[HOSTFS_VALUE_MAX]; /* the sysctl as read */
	int64_t max;
	size_t nlimited;
	double need; /* bytes, of the neediest limited connection */
	struct tcp_conn who;
	double who_rate, who_share;
	double psi_at, tcpmem_at; /* memory when it last proposed */
};

struct state {
	tcpinfo_reader_fn read;
	void *arg;
	struct tcpinfo_set prev, cur;
	bool have_prev;
	double prev_t;
	int64_t prev_max[NDIR];
	struct dir d[NDIR];
	struct hist h[HIST];
	size_t nh;
	/* memory */
	bool has_psi;
	double psi;             /* PSI memory some avg10 */
	int64_t tcpmem;         /* pages of TCP memory in use, -1 unknown */
	int64_t tcpmem_pressure; /* tcp_mem's 2nd field, pages, -1 unknown */
	int64_t memtotal;       /* bytes, -1 unknown */
};

static int dir_of(const char *tunable)
{
	return !strcmp(tunable, tunable_of[TX]) ? TX : RX;
}

static int default_reader(void *arg, const struct hostfs *h, const char *netns,
			  struct tcpinfo_set *s, char *err, size_t errlen)
{
	(void)arg;
	return tcpinfo_read(h, netns, s, err, errlen);
}

void tcp_buffers_set_reader(struct tuner *t, tcpinfo_reader_fn fn, void *arg)
{
	struct state *s = t->state;

	s->read = fn;
	s->arg = arg;
}

/* ---- memory ---- */

/* A small file of the host (below hostfs' root) into buf; -1 if unreadable. */
static int read_host_file(const struct hostfs *h, const char *path, char *buf, size_t len)
{
	char full[PATH_MAX + 64];
	size_t n;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", h->root, path);
	f = fopen(full, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
	return 0;
}

/* the number after `key` in text, or -1 */
static double number_after(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtod(p + strlen(key), NULL) : -1;
}

static void read_memory(struct state *s, const struct hostfs *h)
{
	struct hostfs_value v;
	char buf[4096], err[256];
	const char *tcp;
	double x;

	s->has_psi = false;
	s->tcpmem = s->tcpmem_pressure = s->memtotal = -1;
	if (!read_host_file(h, "/proc/pressure/memory", buf, sizeof(buf)) &&
	    !strncmp(buf, "some ", 5) && (x = number_after(buf, "avg10=")) >= 0) {
		s->has_psi = true;
		s->psi = x;
	}
	if (!read_host_file(h, "/proc/net/sockstat", buf, sizeof(buf)) &&
	    (tcp = strstr(buf, "TCP:")) && (x = number_after(tcp, " mem ")) >= 0)
		s->tcpmem = (int64_t)x;
	if (!hostfs_sysctl_read(h, NULL, "net.ipv4.tcp_mem", &v, err, sizeof(err)) &&
	    v.ntok == 3 && v.num[1])
		s->tcpmem_pressure = v.f[1];
	if (!read_host_file(h, "/proc/meminfo", buf, sizeof(buf)) &&
	    (x = number_after(buf, "MemTotal:")) > 0)
		s->memtotal = (int64_t)x * 1024;
}

static bool tcpmem_high(const struct state *s)
{
	return s->tcpmem >= 0 && s->tcpmem_pressure > 0 &&
	       (double)s->tcpmem >= TB_TCPMEM_SHARE * (double)s->tcpmem_pressure;
}

static bool memory_pressure(const struct state *s)
{
	return (s->has_psi && s->psi >= TB_PSI_LIMIT) || tcpmem_high(s);
}

/* ---- observe ---- */

static void look_at(struct state *s, const struct tcp_conn *c, double dt, double total[NDIR])
{
	const struct tcp_conn *p = s->have_prev ? tcpinfo_set_find(&s->prev, c->cookie) : NULL;
	double rate[NDIR], need, inflight, rtt, share = 0;
	uint64_t d;
	int k;

	if (!c->has_info || !s->have_prev)
		return;
	/* a connection new since the previous look moved all its bytes since */
	d = p && p->bytes_received <= c->bytes_received ? c->bytes_received - p->bytes_received
		: p ? 0 : c->bytes_received;
	rate[RX] = (double)d / dt;
	d = p && p->bytes_acked <= c->bytes_acked ? c->bytes_acked - p->bytes_acked
		: p ? 0 : c->bytes_acked;
	rate[TX] = (double)d / dt;
	total[RX] += rate[RX];
	total[TX] += rate[TX];
	if (!c->has_mem)
		return;
	for (k = 0; k < NDIR; k++) {
		int64_t max = s->d[k].max;
		uint32_t buf = k == RX ? c->rcvbuf : c->sndbuf;

		if (max <= 0 || buf < TB_FULL * (double)max || buf > max || rate[k] < TB_RATE_FLOOR)
			continue;
		if (k == TX) {
			uint64_t busy = p ? c->busy_us - p->busy_us : c->busy_us;
			uint64_t lim = p ? c->sndbuf_limited_us - p->sndbuf_limited_us
					 : c->sndbuf_limited_us;

			share = busy ? (double)lim / (double)busy : 0;
			if (share < TB_SNDBUF_SHARE)
				continue;
		}
		rtt = (k == RX && c->rcv_rtt_us > c->rtt_us ? c->rcv_rtt_us : c->rtt_us) / 1e6;
		inflight = rate[k] * rtt;
		if (k == RX && c->rcv_space > inflight)
			inflight = c->rcv_space;
		if (k == TX && (double)c->snd_cwnd * c->snd_mss > inflight)
			inflight = (double)c->snd_cwnd * c->snd_mss;
		need = inflight * TB_OVERHEAD;
		s->d[k].nlimited++;
		if (need > s->d[k].need) {
			s->d[k].need = need;
			s->d[k].who = *c;
			s->d[k].who_rate = rate[k];
			s->d[k].who_share = share;
		}
	}
}

static int tb_observe(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct state *s = t->state;
	struct tcpinfo_set tmp;
	struct hostfs_value v;
	double total[NDIR] = {0, 0}, dt;
	struct hist *e;
	size_t i;
	int k;

	for (k = 0; k < NDIR; k++) {
		struct dir *d = &s->d[k];

		if (hostfs_sysctl_read(c->h, c->netns, tunable_of[k], &v, err, errlen))
			return -1;
		snprintf(d->value, sizeof(d->value), "%s", v.str);
		d->max = v.ntok == 3 && v.num[2] ? v.f[2] : -1;
		d->nlimited = 0;
		d->need = 0;
	}
	if (s->read(s->arg, c->h, c->netns, &s->cur, err, errlen))
		return -1;
	read_memory(s, c->h);
	dt = s->have_prev ? c->now - s->prev_t : 0;
	if (s->have_prev && !(dt > 0))
		dt = c->dt;
	if (s->have_prev && dt > 0) {
		for (i = 0; i < s->cur.n; i++)
			look_at(s, &s->cur.c[i], dt, total);
		e = &s->h[s->nh++ % HIST];
		e->t = c->now;
		e->dt = dt;
		for (k = 0; k < NDIR; k++) {
			e->rate[k] = total[k];
			e->max[k] = s->d[k].max;
			e->max_start[k] = s->prev_max[k];
		}
	}
	for (k = 0; k < NDIR; k++)
		s->prev_max[k] = s->d[k].max;
	tmp = s->prev;
	s->prev = s->cur;
	s->cur = tmp;
	s->have_prev = true;
	s->prev_t = c->now;
	return 0;
}

/*
 * The namespace's throughput in direction k: the mean over the intervals
 * within the last `window` seconds that ran entirely at the current max
 * (the interval in which it changed is left out); NAN when there is none.
 */
static double mean_rate(const struct state *s, int k, double window)
{
	const struct hist *newest, *e;
	double sum = 0, span = 0;
	size_t i;

	if (!s->nh)
		return NAN;
	newest = &s->h[(s->nh - 1) % HIST];
	for (i = s->nh; i-- > 0 && s->nh - i <= HIST;) {
		e = &s->h[i % HIST];
		if (e->max[k] != newest->max[k] || e->max_start[k] != newest->max[k] ||
		    e->t - e->dt < newest->t - window - 0.25 * e->dt)
			break;
		sum += e->rate[k] * e->dt;
		span += e->dt;
	}
	return span > 0 ? sum / span : NAN;
}

/* ---- propose ---- */

/* The caps of the max beside the configured bounds (see the file's header). */
static void caps(const struct state *s, const struct tune_ctx *c, int k, struct step_limits *l)
{
	struct hostfs_value v;
	int64_t core = 0, own, mem = -1, share;
	char err[256];

	if (c->netns && !hostfs_sysctl_read(c->h, NULL, core_of[k], &v, err, sizeof(err)) &&
	    v.ntok == 1 && v.num[0]) {
		core = v.f[0];
		if (!hostfs_sysctl_read(c->h, NULL, tunable_of[k], &v, err, sizeof(err)) &&
		    v.ntok == 3 && v.num[2]) {
			own = v.f[2];
			if (own > core)
				core = own;
		}
	}
	if (s->memtotal > 0)
		mem = s->memtotal / TB_MEM_DIV;
	if (s->tcpmem_pressure > 0) {
		share = num_sat_mul(s->tcpmem_pressure, KB4) / 2 /
			(int64_t)(s->d[k].nlimited ? s->d[k].nlimited : 1);
		if (mem <= 0 || share < mem)
			mem = share;
	}
	step_limit_cap(l, step_cap_tcp_buf(core, mem));
}

/* The next max: the need, at least one configured step, at most x TB_STEP_MAX. */
static bool next_max(const struct dir *d, const struct tunable_conf *tc,
		     const struct step_limits *l, int64_t *next)
{
	int64_t lo, hi, most, want;

	if (step_next(d->max, +1, &tc->step, l, &lo) != STEP_MOVE)
		return false;
	hi = l->max < l->cap ? l->max : l->cap;
	most = num_sat_scale(d->max, TB_STEP_MAX);
	want = d->need >= 9e18 ? INT64_MAX : (int64_t)ceil(d->need / KB4) * KB4;
	if (want > most)
		want = most;
	if (want < lo)
		want = lo;
	*next = want > hi ? hi : want;
	return true;
}

static const char *mbps(double bytes_per_s, char *buf, size_t len)
{
	snprintf(buf, len, "%.0f MB/s", bytes_per_s / 1e6);
	return buf;
}

static size_t tb_propose(struct tuner *t, const struct tune_ctx *c, struct proposal *out,
			 size_t max)
{
	struct state *s = t->state;
	const struct tunable_info *info;
	const struct tunable_conf *tc;
	struct step_limits l;
	struct tune_target tgt;
	char why[160], r1[32], r2[32];
	size_t n = 0;
	int64_t next;
	double before;
	int k;

	if (memory_pressure(s))
		return 0;
	for (k = 0; k < NDIR && n < max; k++) {
		struct dir *d = &s->d[k];
		struct proposal *p = &out[n];

		info = tunable_find(tunable_of[k]);
		tc = config_tunable(c->cfg, tunable_of[k]);
		if (!d->nlimited || !info || !tc || !config_allows(c->cfg, tunable_of[k]))
			continue;
		tgt = (struct tune_target){TUNE_SYSCTL, c->netns, NULL, tunable_of[k], 0, 0};
		if (c->j && step_gate(c->j, &tgt, c->now, config_cooldown(c->cfg, tunable_of[k]),
				      why, sizeof(why)) != GATE_OPEN)
			continue;
		before = mean_rate(s, k, config_verify_window(c->cfg, tunable_of[k]));
		if (!isfinite(before))
			continue; /* not one whole interval at this max yet */
		step_limits_init(&l, info, tc);
		caps(s, c, k, &l);
		if (!next_max(d, tc, &l, &next))
			continue;
		memset(p, 0, sizeof(*p));
		p->tuner = TUNER_TCP_BUFFERS;
		snprintf(p->netns, sizeof(p->netns), "%s", c->netns ? c->netns : "");
		snprintf(p->tunable, sizeof(p->tunable), "%s", tunable_of[k]);
		snprintf(p->current, sizeof(p->current), "%s", d->value);
		if (tunable_with_key(info, d->value, next, p->proposed, sizeof(p->proposed)))
			continue;
		p->finding = finding_of[k];
		p->priority = 2;
		if (k == RX)
			snprintf(p->evidence, sizeof(p->evidence),
				 "%zu connection(s) at the receive buffer max %lld B, e.g. %s<-%s: "
				 "rcvbuf %u B, %s, rtt %u us, %u B per RTT; needs ~%.0f B",
				 d->nlimited, (long long)d->max, d->who.local, d->who.remote,
				 d->who.rcvbuf, mbps(d->who_rate, r1, sizeof(r1)), d->who.rtt_us,
				 d->who.rcv_space, d->need);
		else
			snprintf(p->evidence, sizeof(p->evidence),
				 "%zu connection(s) at the send buffer max %lld B, e.g. %s->%s: "
				 "sndbuf %u B, %s, %.0f%% of busy time sndbuf-limited, rtt %u us, "
				 "cwnd %u; needs ~%.0f B",
				 d->nlimited, (long long)d->max, d->who.local, d->who.remote,
				 d->who.sndbuf, mbps(d->who_rate, r1, sizeof(r1)),
				 100 * d->who_share, d->who.rtt_us, d->who.snd_cwnd, d->need);
		snprintf(p->effect, sizeof(p->effect),
			 "buffers may grow to %lld B: more %s throughput (%s, now %s); kept if it "
			 "rises by %.0f%%, else rolled back",
			 (long long)next, k == RX ? "receive" : "send", metric_of[k],
			 mbps(before, r2, sizeof(r2)), 100 * c->cfg->min_improvement);
		snprintf(p->metric, sizeof(p->metric), "%s", metric_of[k]);
		p->metric_value = before;
		p->lower_is_better = false;
		d->psi_at = s->has_psi ? s->psi : 0;
		d->tcpmem_at = (double)s->tcpmem;
		n++;
	}
	return n;
}

/* ---- verify ---- */

static double tb_measure(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	return mean_rate(t->state, dir_of(p->tunable), config_verify_window(c->cfg, p->tunable));
}

static bool tb_ready(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	(void)t;
	(void)c;
	(void)p;
	return true; /* buffers apply to running connections at once */
}

/* Memory pressure there now that grew since the proposal. */
static bool tb_other_worse(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	const struct state *s = t->state;
	const struct dir *d = &s->d[dir_of(p->tunable)];

	(void)c;
	if (s->has_psi && s->psi >= TB_PSI_LIMIT && s->psi > d->psi_at)
		return true;
	return tcpmem_high(s) && (double)s->tcpmem > d->tcpmem_at;
}

/* ---- life ---- */

static int tb_init(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct state *s = calloc(1, sizeof(*s));

	(void)c;
	if (!s) {
		snprintf(err, errlen, "tcp_buffers: out of memory");
		return -1;
	}
	s->read = default_reader;
	t->state = s;
	return 0;
}

static void tb_fini(struct tuner *t)
{
	struct state *s = t->state;

	if (!s)
		return;
	tcpinfo_set_free(&s->prev);
	tcpinfo_set_free(&s->cur);
	free(s);
	t->state = NULL;
}

void tuner_tcp_buffers(struct tuner *t)
{
	memset(t, 0, sizeof(*t));
	t->id = TUNER_TCP_BUFFERS;
	t->init = tb_init;
	t->observe = tb_observe;
	t->propose = tb_propose;
	t->measure = tb_measure;
	t->ready = tb_ready;
	t->other_worse = tb_other_worse;
	t->fini = tb_fini;
}
