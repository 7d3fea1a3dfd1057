/* SPDX-License-Identifier: GPL-2.0 */
/* TCP connections and per-network-namespace listen queue counters. */
#ifndef PP_CONNS_H
#define PP_CONNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "collect/collector.h"

struct conn_sample {
	uint32_t pid, netns;
	char comm[PP_COMM_LEN];
	char saddr[48], daddr[48];
	uint16_t sport, dport;
	uint64_t tx_bytes, rx_bytes, retrans; /* in the interval */
	uint32_t srtt_us;
	bool closed;
	double age_s;
};

/*
 * Interval differences of two connection snapshots sorted by key, sorted
 * by bytes moved (busiest first). Idle open connections are skipped.
 */
size_t conn_diff(const struct conn_raw *prev, size_t nprev, const struct conn_raw *cur,
		 size_t ncur, uint64_t now_ns, struct conn_sample *out);

/* Sort snapshot entries by key (for conn_diff). */
void conn_sort_raw(struct conn_raw *v, size_t n);

/* "10.0.0.1" or "fe80::1" from a pp_sock address. */
void conn_addr(uint16_t family, const uint8_t *addr, char *buf, size_t len);

/* A value of /proc/PID/net/netstat ("TcpExt", "ListenOverflows"); -1 if absent. */
long long netstat_value(FILE *f, const char *group, const char *name);

struct listener {
	uint16_t port;
	uint32_t accept_queue; /* connections waiting for accept() now */
	uint32_t backlog;      /* the listen() backlog */
};

/* LISTEN sockets in /proc/PID/net/tcp or tcp6 content. Returns the count. */
size_t parse_listeners(FILE *f, struct listener *out, size_t max);

#define NETNS_MAX_LISTENERS 32

struct netns_listener {
	uint16_t port;
	uint32_t pid;          /* owner, 0 when unknown */
	uint32_t accept_queue, backlog;
};

struct netns_sample {
	uint32_t netns;
	long long listen_overflows, listen_drops; /* in the interval; -1 unknown */
	struct netns_listener l[NETNS_MAX_LISTENERS];
	size_t nl;
};

#define NETNS_MAX 64

/* Counters kept between intervals. */
struct netns_state {
	uint32_t netns[NETNS_MAX];
	uint32_t pid[NETNS_MAX];      /* a process inside, at the baseline */
	long long overflows[NETNS_MAX], drops[NETNS_MAX];
	size_t n;
	/* owners of listening sockets found through /proc/PID/fd */
	uint32_t inode[256], owner[256];
	size_t nowners;
};

/* Record every namespace's counters now, so intervals count from here. */
void netns_baseline(struct netns_state *st);

/*
 * For each network namespace that watched processes use (from their
 * connections and listeners, plus perfpilot's own when `host`), read the
 * kernel's ListenOverflows/ListenDrops through a process inside it and list
 * its listeners with their owners. Returns the number of namespaces.
 */
size_t netns_collect(struct netns_state *st, const struct conn_raw *conns, size_t nconns,
		     const struct listen_owner *lo, size_t nlo, bool host,
		     struct netns_sample *out, size_t max);

#endif
