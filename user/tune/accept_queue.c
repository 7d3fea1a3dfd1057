// SPDX-License-Identifier: GPL-2.0
/*
 * The accept-queue tuner.
 *
 * Rule: in the network namespace of the run (--netns, else perfpilot's
 * own), when listen overflows (TcpExt ListenOverflows of the namespace's
 * /proc/net/netstat, read inside it) run at AQ_MIN_RATE per second or more
 * over an interval, and a listening socket's backlog is capped by
 * net.core.somaxconn (its backlog, sock_diag's idiag_wqueue of the LISTEN
 * socket, is at least somaxconn: listen() asked for somaxconn or more),
 * propose one step up of net.core.somaxconn (default x2 within [128, 65535],
 * per config), and of net.ipv4.tcp_max_syn_backlog when it is below the new
 * somaxconn. The proposal names the capped listeners, their owners (comm,
 * pid) and says that they must listen again: the kernel fixes a listener's
 * backlog when it calls listen().
 *
 * Verification: the metric is listen overflows per second (lower is
 * better). The change needs an action (needs_action): ready() is true once
 * a listener of the namespace has a backlog above the old somaxconn, i.e.
 * it listened again; until then the cycle waits and reports, and never
 * rolls back for lack of effect.
 *
 * Overflows with no capped listener (the application's own backlog is the
 * limit, or it accepts too slowly) give no proposal: somaxconn would not
 * help. In a fixture tree there are no sockets: the listeners are unknown,
 * and the overflows alone decide.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collect/conns.h"
#include "collect/listeners.h"
#include "tune/step.h"
#include "tune/tuner.h"

#define AQ_MIN_RATE 1.0 /* listen overflows per second that ask for a change */
#define AQ_MAX_LISTENERS 64
#define AQ_NETSTAT_MAX 16384

struct aq_listener {
	struct diag_listener d;
	char comm[20];
};

struct aq_state {
	long long prev;   /* ListenOverflows at the previous observe, -1 none */
	double rate;      /* overflows per second over the latest interval, NAN none */
	struct hostfs_value somaxconn, syn_backlog;
	struct aq_listener l[AQ_MAX_LISTENERS];
	size_t nl;
	int64_t proposed_from; /* somaxconn when the latest proposal was made */
	bool sockets;     /* listeners could be listed (not a fixture tree) */
};

static const char *ns_of(const struct tune_ctx *c)
{
	return c->netns && *c->netns ? c->netns : NULL;
}

static long long overflows(const struct tune_ctx *c, char *err, size_t errlen)
{
	static char buf[AQ_NETSTAT_MAX];
	long long v;
	FILE *f;

	if (hostfs_netns_read_text(c->h, ns_of(c), "/proc/net/netstat", buf, sizeof(buf), err,
				   errlen))
		return -1;
	f = fmemopen(buf, strlen(buf), "r");
	if (!f) {
		snprintf(err, errlen, "reading TcpExt ListenOverflows: %s", strerror(errno));
		return -1;
	}
	v = netstat_value(f, "TcpExt", "ListenOverflows");
	fclose(f);
	if (v < 0)
		snprintf(err, errlen, "no TcpExt ListenOverflows in /proc/net/netstat");
	return v;
}

static int make_diag_socket(void *arg)
{
	*(int *)arg = diag_socket();
	return 0;
}

/* The LISTEN sockets of the namespace with their owners; -1 on error. */
static int list_listeners(const struct tune_ctx *c, struct aq_state *s, char *err, size_t errlen)
{
	struct diag_listener d[AQ_MAX_LISTENERS];
	int fd = -1, n, i;

	s->nl = 0;
	s->sockets = !hostfs_is_fixture(c->h);
	if (!s->sockets)
		return 0;
	if (hostfs_netns_run(c->h, ns_of(c), make_diag_socket, &fd, err, errlen))
		return -1;
	if (fd < 0) {
		snprintf(err, errlen, "sock_diag socket: %s", strerror(errno));
		return -1;
	}
	n = diag_listeners_fd(fd, d, AQ_MAX_LISTENERS);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "listing the listening sockets (sock_diag): %s",
			 strerror(errno));
		return -1;
	}
	listener_owners(d, (size_t)n, c->pids, c->npids);
	for (i = 0; i < n; i++) {
		struct aq_listener *l = &s->l[s->nl++];
		char fn[64];
		FILE *f;

		l->d = d[i];
		snprintf(l->comm, sizeof(l->comm), "?");
		if (!l->d.pid)
			continue;
		snprintf(fn, sizeof(fn), "/proc/%u/comm", l->d.pid);
		f = fopen(fn, "r");
		if (f) {
			if (fgets(l->comm, sizeof(l->comm), f))
				l->comm[strcspn(l->comm, "\n")] = 0;
			fclose(f);
		}
	}
	return 0;
}

static int aq_init(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct aq_state *s = calloc(1, sizeof(*s));

	(void)c;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->prev = -1;
	s->rate = NAN;
	t->state = s;
	return 0;
}

static int aq_observe(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	struct aq_state *s = t->state;
	long long v = overflows(c, err, errlen);

	if (v < 0)
		return -1;
	if (s->prev >= 0 && c->dt > 0)
		s->rate = v >= s->prev ? (double)(v - s->prev) / c->dt : 0;
	s->prev = v;
	if (hostfs_sysctl_read(c->h, ns_of(c), "net.core.somaxconn", &s->somaxconn, err, errlen) ||
	    hostfs_sysctl_read(c->h, ns_of(c), "net.ipv4.tcp_max_syn_backlog", &s->syn_backlog,
			       err, errlen))
		return -1;
	return list_listeners(c, s, err, errlen);
}

/* One step up of a sysctl of the accept queue: 0 and the value in out, -1 when at its limit. */
static int step_up(const struct tune_ctx *c, const char *name, const char *cur, int64_t *key,
		   char *out, size_t len)
{
	const struct tunable_info *ti = tunable_find(name);
	const struct tunable_conf *tc = config_tunable(c->cfg, name);
	struct step_limits lim;
	int64_t k;

	if (!ti || !tc || !config_allows(c->cfg, name) || tunable_key(ti, cur, &k))
		return -1;
	step_limits_init(&lim, ti, tc);
	if (step_next(k, ti->dir, &tc->step, &lim, key) != STEP_MOVE)
		return -1;
	return tunable_with_key(ti, cur, *key, out, len);
}

/* The capped listeners ("on :8080 (listener pid 123)") and their owners for the note. */
static void describe(const struct aq_state *s, int64_t somaxconn, char *ev, size_t evlen,
		     char *who, size_t wholen)
{
	size_t i, used = 0, wused = 0, n = 0;

	ev[0] = who[0] = 0;
	for (i = 0; i < s->nl; i++) {
		const struct aq_listener *l = &s->l[i];
		int r;

		if ((int64_t)l->d.backlog < somaxconn)
			continue;
		if (n++ >= 4)
			break;
		r = snprintf(ev + used, evlen - used, "%s:%u (listener pid %u)", n > 1 ? ", " : "",
			     l->d.port, l->d.pid);
		if (r > 0 && (size_t)r < evlen - used)
			used += (size_t)r;
		r = snprintf(who + wused, wholen - wused, "%s:%u (%s, pid %u)", n > 1 ? ", " : "",
			     l->d.port, l->comm, l->d.pid);
		if (r > 0 && (size_t)r < wholen - wused)
			wused += (size_t)r;
	}
}

static void fill(struct proposal *p, const struct tune_ctx *c, const char *name,
		 const struct aq_state *s)
{
	memset(p, 0, sizeof(*p));
	p->tuner = TUNER_ACCEPT_QUEUE;
	snprintf(p->netns, sizeof(p->netns), "%s", ns_of(c) ? ns_of(c) : "");
	snprintf(p->tunable, sizeof(p->tunable), "%s", name);
	p->finding = "listen_overflow";
	snprintf(p->metric, sizeof(p->metric), "listen_overflows/s");
	p->metric_value = s->rate;
	p->lower_is_better = true;
	p->needs_action = true;
}

static size_t aq_propose(struct tuner *t, const struct tune_ctx *c, struct proposal *out,
			 size_t max)
{
	struct aq_state *s = t->state;
	char ev[160], who[160], val[HOSTFS_VALUE_MAX];
	int64_t cur, next = 0, syn_next;
	struct proposal *p;
	size_t n = 0;

	if (max < 2 || isnan(s->rate) || s->rate < AQ_MIN_RATE ||
	    tunable_key(tunable_find("net.core.somaxconn"), s->somaxconn.str, &cur))
		return 0;
	s->proposed_from = cur;
	describe(s, cur, ev, sizeof(ev), who, sizeof(who));
	if (s->sockets && !ev[0])
		return 0; /* no listener capped by somaxconn: raising it would not help */
	if (step_up(c, "net.core.somaxconn", s->somaxconn.str, &next, val, sizeof(val)) == 0) {
		p = &out[n++];
		fill(p, c, "net.core.somaxconn", s);
		snprintf(p->current, sizeof(p->current), "%s", s->somaxconn.str);
		snprintf(p->proposed, sizeof(p->proposed), "%s", val);
		p->priority = 1;
		snprintf(p->evidence, sizeof(p->evidence), "%.0f overflows/s%s%s", s->rate,
			 ev[0] ? " on " : "", ev);
		snprintf(p->effect, sizeof(p->effect),
			 "listen backlogs up to %lld instead of %lld: fewer dropped connection "
			 "attempts (listen overflows/s should fall to 0)", (long long)next,
			 (long long)cur);
		if (who[0])
			snprintf(p->note, sizeof(p->note), "the listener %s must listen again "
				 "(restart it) to get the larger backlog", who);
		else
			snprintf(p->note, sizeof(p->note), "the listeners must listen again (restart "
				 "them) to get the larger backlog");
	}
	if (!next || tunable_key(tunable_find("net.ipv4.tcp_max_syn_backlog"),
				 s->syn_backlog.str, &cur) || cur >= next)
		return n;
	if (step_up(c, "net.ipv4.tcp_max_syn_backlog", s->syn_backlog.str, &syn_next, val,
		    sizeof(val)) == 0) {
		p = &out[n++];
		fill(p, c, "net.ipv4.tcp_max_syn_backlog", s);
		snprintf(p->current, sizeof(p->current), "%s", s->syn_backlog.str);
		snprintf(p->proposed, sizeof(p->proposed), "%s", val);
		p->priority = 2;
		snprintf(p->evidence, sizeof(p->evidence), "%.0f overflows/s; the SYN queue max %lld "
			 "is below the proposed somaxconn %lld", s->rate, (long long)cur,
			 (long long)next);
		snprintf(p->effect, sizeof(p->effect), "half-open connections up to %lld instead of "
			 "%lld, so the larger accept queue can fill", (long long)syn_next,
			 (long long)cur);
		snprintf(p->note, sizeof(p->note), "%s", n > 1 ? out[0].note : "");
	}
	return n;
}

static double aq_measure(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	(void)c;
	(void)p;
	return ((struct aq_state *)t->state)->rate;
}

/* A listener's backlog is now above the old somaxconn: it listened again. */
static bool aq_ready(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	struct aq_state *s = t->state;
	int64_t old = s->proposed_from;
	size_t i;

	(void)c;
	if (!strcmp(p->tunable, "net.core.somaxconn") &&
	    tunable_key(tunable_find(p->tunable), p->current, &old))
		return false;
	if (!s->sockets)
		return false;
	for (i = 0; i < s->nl; i++)
		if ((int64_t)s->l[i].d.backlog > old)
			return true;
	return false;
}

static void aq_fini(struct tuner *t)
{
	free(t->state);
	t->state = NULL;
}

void tuner_accept_queue(struct tuner *t)
{
	*t = (struct tuner){
		.id = TUNER_ACCEPT_QUEUE,
		.init = aq_init,
		.observe = aq_observe,
		.propose = aq_propose,
		.measure = aq_measure,
		.ready = aq_ready,
		.fini = aq_fini,
	};
}
