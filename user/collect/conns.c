// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <dirent.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "collect/conns.h"
#include "collect/listeners.h"

#define PP_AF_INET 2

/* a connection is its socket address and the time it was first seen */
static int cmp_key(const void *a, const void *b)
{
	const struct conn_raw *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->s.start_ns < y->s.start_ns ? -1 : x->s.start_ns > y->s.start_ns;
}

void conn_sort_raw(struct conn_raw *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_key);
}

void conn_addr(uint16_t family, const uint8_t *addr, char *buf, size_t len)
{
	if (!inet_ntop(family == PP_AF_INET ? AF_INET : AF_INET6, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static uint64_t delta(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : 0;
}

static int cmp_busy(const void *a, const void *b)
{
	const struct conn_sample *x = a, *y = b;
	uint64_t bx = x->tx_bytes + x->rx_bytes, by = y->tx_bytes + y->rx_bytes;

	if (bx != by)
		return bx < by ? 1 : -1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void read_comm(uint32_t pid, char *comm, size_t len)
{
	char fn[64], buf[64] = "";
	FILE *f;

	snprintf(comm, len, "?");
	snprintf(fn, sizeof(fn), "/proc/%u/comm", pid);
	f = fopen(fn, "r");
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = 0;
		snprintf(comm, len, "%.15s", buf);
	}
	fclose(f);
}

size_t conn_diff(const struct conn_raw *prev, size_t nprev, const struct conn_raw *cur,
		 size_t ncur, uint64_t now_ns, struct conn_sample *out)
{
	static const struct pp_sock zero;
	size_t i, j = 0, n = 0;

	for (i = 0; i < ncur; i++) {
		const struct pp_sock *a = &cur[i].s, *b = &zero;
		struct conn_sample *c = &out[n];
		uint64_t end;

		while (j < nprev && cmp_key(&prev[j], &cur[i]) < 0)
			j++;
		if (j < nprev && !cmp_key(&prev[j], &cur[i]))
			b = &prev[j].s;
		memset(c, 0, sizeof(*c));
		c->pid = a->tgid;
		c->netns = a->netns;
		c->sport = a->sport;
		c->dport = a->dport;
		c->tx_bytes = delta(a->tx_bytes, b->tx_bytes);
		c->rx_bytes = delta(a->rx_bytes, b->rx_bytes);
		c->retrans = delta(a->retrans, b->retrans);
		c->srtt_us = a->srtt_us;
		c->closed = a->flags & PP_SOCK_CLOSED;
		end = c->closed && a->close_ns ? a->close_ns : now_ns;
		c->age_s = end > a->start_ns ? (double)(end - a->start_ns) / 1e9 : 0;
		if (!c->tx_bytes && !c->rx_bytes && !c->retrans && !c->closed && b != &zero)
			continue;
		conn_addr(a->family, a->saddr, c->saddr, sizeof(c->saddr));
		conn_addr(a->family, a->daddr, c->daddr, sizeof(c->daddr));
		if (a->comm[0])
			snprintf(c->comm, sizeof(c->comm), "%.15s", a->comm);
		else if (c->pid)
			read_comm(c->pid, c->comm, sizeof(c->comm));
		n++;
	}
	qsort(out, n, sizeof(*out), cmp_busy);
	return n;
}

long long netstat_value(FILE *f, const char *group, const char *name)
{
	char names[4096], values[4096], prefix[64];
	size_t plen;

	snprintf(prefix, sizeof(prefix), "%s:", group);
	plen = strlen(prefix);
	while (fgets(names, sizeof(names), f)) {
		char *ns = NULL, *vs = NULL, *n, *v;

		if (strncmp(names, prefix, plen))
			continue;
		if (!fgets(values, sizeof(values), f) || strncmp(values, prefix, plen))
			return -1;
		n = strtok_r(names + plen, " \n", &ns);
		v = strtok_r(values + plen, " \n", &vs);
		while (n && v) {
			if (!strcmp(n, name))
				return strtoll(v, NULL, 10);
			n = strtok_r(NULL, " \n", &ns);
			v = strtok_r(NULL, " \n", &vs);
		}
		return -1;
	}
	return -1;
}

size_t parse_listeners(FILE *f, struct listener *out, size_t max)
{
	char line[512];
	size_t n = 0;

	while (n < max && fgets(line, sizeof(line), f)) {
		char local[64], remote[64];
		unsigned int st, txq, rxq, port;
		char *colon;

		if (sscanf(line, " %*u: %63s %63s %x %x:%x", local, remote, &st, &txq, &rxq) != 5)
			continue; /* the header, or a malformed line */
		if (st != 0x0A)
			continue; /* not LISTEN */
		colon = strrchr(local, ':');
		if (!colon || sscanf(colon + 1, "%x", &port) != 1)
			continue;
		out[n].port = (uint16_t)port;
		out[n].accept_queue = rxq; /* sk_ack_backlog for listeners */
		(void)txq;
		n++;
	}
	return n;
}

static uint32_t netns_of(uint32_t pid)
{
	char fn[64];
	struct stat sb;

	if (pid)
		snprintf(fn, sizeof(fn), "/proc/%u/ns/net", pid);
	else
		snprintf(fn, sizeof(fn), "/proc/self/ns/net");
	return stat(fn, &sb) ? 0 : (uint32_t)sb.st_ino;
}

/* Remember (netns, a pid inside it), first one wins. */
static void add_ns(uint32_t *ns, uint32_t *pid, size_t *n, size_t max, uint32_t netns, uint32_t p)
{
	size_t i;

	if (!netns || !p)
		return;
	for (i = 0; i < *n; i++)
		if (ns[i] == netns)
			return;
	if (*n < max && netns_of(p) == netns) {
		ns[*n] = netns;
		pid[*n] = p;
		(*n)++;
	}
}

static long long read_netstat(uint32_t pid, const char *name)
{
	char fn[64];
	long long v;
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%u/net/netstat", pid);
	f = fopen(fn, "r");
	if (!f)
		return -1;
	v = netstat_value(f, "TcpExt", name);
	fclose(f);
	return v;
}

void netns_baseline(struct netns_state *st)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	memset(st, 0, sizeof(*st));
	if (!d)
		return;
	while ((e = readdir(d)) != NULL && st->n < NETNS_MAX) {
		uint32_t pid = (uint32_t)strtoul(e->d_name, NULL, 10), ns;
		size_t i;
		bool seen = false;

		if (!pid)
			continue;
		ns = netns_of(pid);
		for (i = 0; i < st->n; i++)
			seen |= st->netns[i] == ns;
		if (!ns || seen)
			continue;
		st->netns[st->n] = ns;
		st->pid[st->n] = pid;
		st->overflows[st->n] = read_netstat(pid, "ListenOverflows");
		st->drops[st->n] = read_netstat(pid, "ListenDrops");
		st->n++;
	}
	closedir(d);
}

static long long since(struct netns_state *st, uint32_t netns, long long now, bool overflows)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		if (st->netns[i] == netns) {
			long long *prev = overflows ? &st->overflows[i] : &st->drops[i];
			long long d = *prev >= 0 && now >= *prev ? now - *prev : 0;

			*prev = now;
			return d;
		}
	}
	/* a namespace made after start: everything it counted is new */
	if (st->n < NETNS_MAX) {
		st->netns[st->n] = netns;
		st->overflows[st->n] = overflows ? now : 0;
		st->drops[st->n] = overflows ? 0 : now;
		st->n++;
	}
	return now;
}

/* Owner of a listening socket inode: cached, else found in /proc/PID/fd. */
static uint32_t owner_of_inode(struct netns_state *st, struct diag_listener *l)
{
	size_t i;

	for (i = 0; i < st->nowners; i++)
		if (st->inode[i] == l->inode)
			return st->owner[i];
	listener_owners(l, 1, NULL, 0);
	if (st->nowners < sizeof(st->inode) / sizeof(st->inode[0])) {
		st->inode[st->nowners] = l->inode;
		st->owner[st->nowners++] = l->pid;
	}
	return l->pid;
}

/* The namespace's listeners: queues and backlogs from sock_diag, owners
 * from the BPF table (listen() seen) or the processes' file descriptors. */
static void fill_listeners(struct netns_state *st, struct netns_sample *o, uint32_t pid,
			   const struct listen_owner *lo, size_t nlo)
{
	struct diag_listener l[NETNS_MAX_LISTENERS];
	int n = diag_listeners(pid, l, NETNS_MAX_LISTENERS), j;
	size_t m;

	for (j = 0; j < n && o->nl < NETNS_MAX_LISTENERS; j++) {
		struct netns_listener *x = &o->l[o->nl++];

		x->port = l[j].port;
		x->accept_queue = l[j].accept_queue;
		x->backlog = l[j].backlog;
		for (m = 0; m < nlo; m++)
			if (lo[m].netns == o->netns && lo[m].port == l[j].port)
				x->pid = lo[m].pid;
		if (!x->pid)
			x->pid = owner_of_inode(st, &l[j]);
	}
}

size_t netns_collect(struct netns_state *st, const struct conn_raw *conns, size_t nconns,
		     const struct listen_owner *lo, size_t nlo, bool host,
		     struct netns_sample *out, size_t max)
{
	uint32_t ns[NETNS_MAX], pid[NETNS_MAX];
	size_t n = 0, i;

	if (host)
		add_ns(ns, pid, &n, NETNS_MAX, netns_of(0), (uint32_t)getpid());
	for (i = 0; i < nlo; i++)
		add_ns(ns, pid, &n, NETNS_MAX, lo[i].netns, lo[i].pid);
	for (i = 0; i < nconns; i++)
		add_ns(ns, pid, &n, NETNS_MAX, conns[i].s.netns, conns[i].s.tgid);
	for (i = 0; i < n && i < max; i++) {
		struct netns_sample *o = &out[i];
		long long v;

		memset(o, 0, sizeof(*o));
		o->netns = ns[i];
		v = read_netstat(pid[i], "ListenOverflows");
		o->listen_overflows = v < 0 ? -1 : since(st, ns[i], v, true);
		v = read_netstat(pid[i], "ListenDrops");
		o->listen_drops = v < 0 ? -1 : since(st, ns[i], v, false);
		fill_listeners(st, o, pid[i], lo, nlo);
	}
	return n < max ? n : max;
}
