// SPDX-License-Identifier: GPL-2.0
/* The TCP connections of a network namespace, from sock_diag (tcpinfo.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "collect/listeners.h"
#include "tune/hostfs.h"
#include "tune/tcpinfo.h"

/* the states of struct tcp_info's tcpi_state (include/net/tcp_states.h) */
enum {
	ST_ESTABLISHED = 1,
	ST_FIN_WAIT1 = 4,
	ST_FIN_WAIT2 = 5,
	ST_CLOSE_WAIT = 8,
	ST_LAST_ACK = 9,
	ST_CLOSING = 11,
};
#define MOVING_STATES                                                                    \
	((1u << ST_ESTABLISHED) | (1u << ST_FIN_WAIT1) | (1u << ST_FIN_WAIT2) |            \
	 (1u << ST_CLOSE_WAIT) | (1u << ST_LAST_ACK) | (1u << ST_CLOSING))

void tcpinfo_set_clear(struct tcpinfo_set *s)
{
	s->n = 0;
}

void tcpinfo_set_free(struct tcpinfo_set *s)
{
	free(s->c);
	memset(s, 0, sizeof(*s));
}

static int by_cookie(const void *a, const void *b)
{
	uint64_t x = ((const struct tcp_conn *)a)->cookie, y = ((const struct tcp_conn *)b)->cookie;

	return x < y ? -1 : x > y;
}

void tcpinfo_set_sort(struct tcpinfo_set *s)
{
	if (s->n > 1)
		qsort(s->c, s->n, sizeof(s->c[0]), by_cookie);
}

const struct tcp_conn *tcpinfo_set_find(const struct tcpinfo_set *s, uint64_t cookie)
{
	struct tcp_conn key = {.cookie = cookie};

	if (!s->n)
		return NULL;
	return bsearch(&key, s->c, s->n, sizeof(s->c[0]), by_cookie);
}

static struct tcp_conn *set_add(struct tcpinfo_set *s)
{
	struct tcp_conn *c;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap ? 2 * s->cap : 64;
		c = realloc(s->c, cap * sizeof(*c));
		if (!c)
			return NULL;
		s->c = c;
		s->cap = cap;
	}
	c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

static void addr_str(int family, const __be32 *a, __be16 port, char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, a, ip, sizeof(ip));
	snprintf(out, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, ntohs(port));
}

static void take_info(struct tcp_conn *c, const void *data, size_t len)
{
	struct tcp_info ti;

	/* an older kernel sends a shorter struct: the rest stays 0 */
	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, data, len < sizeof(ti) ? len : sizeof(ti));
	c->has_info = true;
	c->bytes_received = ti.tcpi_bytes_received;
	c->bytes_acked = ti.tcpi_bytes_acked;
	c->busy_us = ti.tcpi_busy_time;
	c->rwnd_limited_us = ti.tcpi_rwnd_limited;
	c->sndbuf_limited_us = ti.tcpi_sndbuf_limited;
	c->rtt_us = ti.tcpi_rtt;
	c->rcv_rtt_us = ti.tcpi_rcv_rtt;
	c->min_rtt_us = ti.tcpi_min_rtt;
	c->rcv_space = ti.tcpi_rcv_space;
	c->snd_cwnd = ti.tcpi_snd_cwnd;
	c->snd_mss = ti.tcpi_snd_mss;
	c->advmss = ti.tcpi_advmss;
}

static void take_mem(struct tcp_conn *c, const void *data, size_t len)
{
	uint32_t m[SK_MEMINFO_VARS];

	memset(m, 0, sizeof(m));
	memcpy(m, data, len < sizeof(m) ? len : sizeof(m));
	c->has_mem = len >= (SK_MEMINFO_SNDBUF + 1) * sizeof(uint32_t);
	c->rmem_alloc = m[SK_MEMINFO_RMEM_ALLOC];
	c->rcvbuf = m[SK_MEMINFO_RCVBUF];
	c->sndbuf = m[SK_MEMINFO_SNDBUF];
	c->wmem_queued = m[SK_MEMINFO_WMEM_QUEUED];
}

static int parse_one(const struct nlmsghdr *h, struct tcpinfo_set *s, char *err, size_t errlen)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a;
	struct tcp_conn *c;
	int alen;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m))) {
		snprintf(err, errlen, "sock_diag: truncated answer (%u bytes)", h->nlmsg_len);
		return -1;
	}
	if (!(MOVING_STATES & (1u << (m->idiag_state & 31))))
		return 0;
	c = set_add(s);
	if (!c) {
		snprintf(err, errlen, "sock_diag: out of memory");
		return -1;
	}
	c->cookie = (uint64_t)m->id.idiag_cookie[0] | (uint64_t)m->id.idiag_cookie[1] << 32;
	c->state = m->idiag_state;
	addr_str(m->idiag_family, m->id.idiag_src, m->id.idiag_sport, c->local, sizeof(c->local));
	addr_str(m->idiag_family, m->id.idiag_dst, m->id.idiag_dport, c->remote,
		 sizeof(c->remote));
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type == INET_DIAG_INFO)
			take_info(c, RTA_DATA(a), RTA_PAYLOAD(a));
		else if (a->rta_type == INET_DIAG_SKMEMINFO)
			take_mem(c, RTA_DATA(a), RTA_PAYLOAD(a));
	}
	return 0;
}

/* NLMSG_OK, without its comparison of the unsigned nlmsg_len with the int
 * left (which clang's -Wsign-compare refuses): left stays an int so that
 * NLMSG_NEXT past the end makes it negative rather than wrap. */
static bool msg_ok(const struct nlmsghdr *h, int left)
{
	return left >= (int)sizeof(*h) && h->nlmsg_len >= sizeof(*h) &&
	       h->nlmsg_len <= (unsigned int)left;
}

int tcpinfo_parse(const void *buf, size_t len, struct tcpinfo_set *s, char *err, size_t errlen)
{
	const struct nlmsghdr *h = buf;
	int left = (int)len;

	for (; msg_ok(h, left); h = NLMSG_NEXT(h, left)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			int code = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? -e->error : EIO;

			snprintf(err, errlen, "sock_diag: %s", strerror(code));
			errno = code;
			return -1;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		if (parse_one(h, s, err, errlen))
			return -1;
	}
	if (left > 0) {
		snprintf(err, errlen, "sock_diag: truncated answer (%d bytes left over)", left);
		return -1;
	}
	return 0;
}

static int make_diag_socket(void *arg)
{
	int *fd = arg;

	*fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	return *fd < 0 ? -1 : 0;
}

static int dump_family(int fd, int family, struct tcpinfo_set *s, char *err, size_t errlen)
{
	static __thread char buf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t len;
	int rc;

	if (diag_request_tcp(fd, family, MOVING_STATES,
			     (1u << (INET_DIAG_INFO - 1)) | (1u << (INET_DIAG_SKMEMINFO - 1)))) {
		snprintf(err, errlen, "sock_diag request: %s", strerror(errno));
		return -1;
	}
	do {
		do
			len = recv(fd, buf, sizeof(buf), 0);
		while (len < 0 && errno == EINTR);
		if (len <= 0) {
			snprintf(err, errlen, "sock_diag answer: %s",
				 len < 0 ? strerror(errno) : "connection closed");
			return -1;
		}
		rc = tcpinfo_parse(buf, (size_t)len, s, err, errlen);
	} while (rc == 0);
	return rc < 0 ? -1 : 0;
}

int tcpinfo_read(const struct hostfs *h, const char *netns, struct tcpinfo_set *s, char *err,
		 size_t errlen)
{
	int fd = -1, rc;

	tcpinfo_set_clear(s);
	rc = hostfs_netns_run(h, netns, make_diag_socket, &fd, err, errlen);
	if (rc && fd < 0 && !*err)
		snprintf(err, errlen, "sock_diag socket%s%s: %s", netns ? " in network namespace " : "",
			 netns ? netns : "", strerror(errno));
	if (rc)
		return -1;
	rc = dump_family(fd, AF_INET, s, err, errlen);
	/* a kernel without IPv6 answers ENOENT for it: that is no error */
	if (!rc && dump_family(fd, AF_INET6, s, err, errlen) && errno != ENOENT)
		rc = -1;
	close(fd);
	if (!rc)
		tcpinfo_set_sort(s);
	return rc;
}
