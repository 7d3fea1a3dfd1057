/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TCP connections of a network namespace as the kernel sees them: one
 * NETLINK_SOCK_DIAG dump per address family (IPv4, IPv6) of the sockets
 * that can move data (established, closing), each with its struct tcp_info
 * (INET_DIAG_INFO) and its memory (INET_DIAG_SKMEMINFO: rcvbuf, sndbuf).
 *
 * The netlink socket is made inside the namespace (hostfs_netns_run: the
 * calling thread enters it with setns and returns whatever happened; a
 * netlink socket answers for the namespace it was made in). The parsing of
 * the kernel's answer is a pure function (tcpinfo_parse) so the tests feed
 * it hand-built messages.
 */
#ifndef PP_TUNE_TCPINFO_H
#define PP_TUNE_TCPINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tune/hostfs.h"

/* One connection: what the tcp_buffers tuner reads of it. */
struct tcp_conn {
	uint64_t cookie;          /* the socket's identity across dumps */
	uint8_t state;            /* TCP_ESTABLISHED, ... */
	char local[48], remote[48]; /* "10.0.0.2:5001", "[::1]:22" */
	bool has_info;            /* tcp_info was in the answer */
	uint64_t bytes_received;  /* tcpi_bytes_received */
	uint64_t bytes_acked;     /* tcpi_bytes_acked */
	uint64_t busy_us;         /* tcpi_busy_time: time sending data */
	uint64_t rwnd_limited_us; /* ... limited by the peer's receive window */
	uint64_t sndbuf_limited_us; /* ... limited by the send buffer */
	uint32_t rtt_us, rcv_rtt_us, min_rtt_us;
	uint32_t rcv_space;       /* the kernel's estimate of bytes received per RTT */
	uint32_t snd_cwnd, snd_mss, advmss;
	bool has_mem;             /* skmeminfo was in the answer */
	uint32_t rcvbuf, sndbuf;  /* sk_rcvbuf, sk_sndbuf (bytes) */
	uint32_t rmem_alloc, wmem_queued;
};

struct tcpinfo_set {
	struct tcp_conn *c;
	size_t n, cap;
};

void tcpinfo_set_clear(struct tcpinfo_set *s);
void tcpinfo_set_free(struct tcpinfo_set *s);
/* By cookie; then tcpinfo_set_find gives the connection of one, or NULL. */
void tcpinfo_set_sort(struct tcpinfo_set *s);
const struct tcp_conn *tcpinfo_set_find(const struct tcpinfo_set *s, uint64_t cookie);

/*
 * One buffer of a sock_diag dump's answer: appends its connections to s.
 * 1 when the dump ended in it (NLMSG_DONE), 0 when more is to come, -1 with
 * one line in err on an NLMSG_ERROR, a truncated message or no memory.
 */
int tcpinfo_parse(const void *buf, size_t len, struct tcpinfo_set *s, char *err, size_t errlen);

/*
 * The TCP connections of netns (NULL: our own) into s (cleared first), the
 * sock_diag socket made inside it by hostfs_netns_run. -1 with err.
 */
int tcpinfo_read(const struct hostfs *h, const char *netns, struct tcpinfo_set *s, char *err,
		 size_t errlen);

/* How a tuner gets the connections: tcpinfo_read, or a test's samples. */
typedef int (*tcpinfo_reader_fn)(void *arg, const struct hostfs *h, const char *netns,
				 struct tcpinfo_set *s, char *err, size_t errlen);

#endif
