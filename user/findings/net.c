// SPDX-License-Identifier: GPL-2.0
/*
 * Network: listen queues that overflow (connection attempts dropped),
 * retransmitted segments, connection resets.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings/internal.h"

#define RETRANS_INFO 1.0   /* segments per second in a namespace */
#define RETRANS_WARN 10.0
#define OVERFLOW_CRIT 10.0 /* overflows per second */
#define RESETS_INFO 10     /* resets by one process in the recording */

/* A process's count over the recording; those with none are left out. */
static bool count_score(const struct recording *r, const struct series *s, const void *ctx,
			double *value, double *share)
{
	(void)r;
	(void)ctx;
	*value = fnd_sum(s, 0, INFINITY);
	*share = NAN;
	return *value > 0;
}

static void proc_victims(const struct recording *r, struct finding *f, const char *metric)
{
	fnd_top_procs(r, f, FND_VICTIM, metric, "count", 5, count_score, NULL);
}

static int overflow(const struct recording *r, const struct findings_env *env,
		    const struct series *s, struct findings *fs)
{
	double total = fnd_sum(s, 0, INFINITY), rate = total / fnd_span(r, s);
	const struct series *drops = rec_find(r, ENT_NETNS, s->entity, "net.listen_drops");
	long from = env->somaxconn, to;
	struct finding *f;

	if (total < 1)
		return 0;
	f = fnd_add(fs, "listen_overflow", rate >= OVERFLOW_CRIT ? SEV_CRITICAL : SEV_WARNING,
		    RES_NETWORK);
	if (!f || fnd_evidence(f, r, s, 0, INFINITY))
		return -1;
	fnd_summary(f, "listen queues overflowed %.0f times (%.1f/s, %.0f SYNs dropped) in network "
		    "namespace %s: clients' connection attempts were dropped and retried", total,
		    rate, drops ? fnd_sum(drops, 0, INFINITY) : 0, s->entity);
	to = from > 0 ? from * 2 : 8192;
	if (to < 8192)
		to = 8192;
	fnd_rec_sysctl(f, "net.core.somaxconn", from, to,
		       "the longest accept queue listen() may ask for");
	if (env->tcp_max_syn_backlog > 0)
		fnd_rec_sysctl(f, "net.ipv4.tcp_max_syn_backlog", env->tcp_max_syn_backlog,
			       env->tcp_max_syn_backlog * 2, "more half-open connections");
	fnd_rec_manual(f, "make the server pass a larger backlog to listen() (it is capped at "
		       "somaxconn) and accept() faster: more acceptor threads or a shorter path");
	return 0;
}

static int retransmits(const struct recording *r, const struct series *s, struct findings *fs)
{
	double total = fnd_sum(s, 0, INFINITY), rate = total / fnd_span(r, s);
	struct finding *f;

	if (rate < RETRANS_INFO)
		return 0;
	f = fnd_add(fs, "network_retransmits", rate >= RETRANS_WARN ? SEV_WARNING : SEV_INFO,
		    RES_NETWORK);
	if (!f || fnd_evidence(f, r, s, 0, INFINITY))
		return -1;
	proc_victims(r, f, "net.retrans");
	fnd_summary(f, "TCP retransmitted %.0f segments (%.1f/s) in network namespace %s%s%s",
		    total, rate, s->entity, f->nvictims ? "; most for " : "",
		    f->nvictims ? f->victims[0].comm : "");
	fnd_rec_manual(f, "look for loss on the path: ss -ti (retrans, rtt), ip -s link "
		       "(drops, errors), and the peer's receive window");
	return 0;
}

static int resets(const struct recording *r, struct findings *fs)
{
	struct finding *f;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];
		double n;
		char name[64];

		if (s->kind != ENT_PROC || strcmp(s->metric, "net.resets"))
			continue;
		n = fnd_sum(s, 0, INFINITY);
		if (n < RESETS_INFO)
			continue;
		f = fnd_add(fs, "connection_resets", SEV_INFO, RES_NETWORK);
		if (!f || fnd_evidence(f, r, s, 0, INFINITY))
			return -1;
		fnd_victim(f, s, s->metric, n, "count", NAN);
		fnd_summary(f, "%s saw %.0f TCP connection resets", fnd_party_name(s, name, sizeof(name)), n);
		fnd_rec_manual(f, "resets mean a peer refused or aborted: check the peer's logs, "
			       "its listen queue and idle timeouts on the path");
	}
	return 0;
}

int analyze_net(const struct recording *r, const struct findings_env *env, struct findings *fs)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];

		if (s->kind != ENT_NETNS)
			continue;
		if (!strcmp(s->metric, "net.listen_overflows") && overflow(r, env, s, fs))
			return -1;
		if (!strcmp(s->metric, "net.retrans_segs") && retransmits(r, s, fs))
			return -1;
	}
	return resets(r, fs);
}
