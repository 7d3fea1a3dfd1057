// SPDX-License-Identifier: GPL-2.0
/* sock_diag answers built by hand: connections, states, errors, short structs. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include "../unit.h"
#include "tune/tcpinfo.h"

static char buf[16384] __attribute__((aligned(8)));
static size_t used;

static void *put(size_t len)
{
	void *p = buf + used;

	used += NLMSG_ALIGN(len);
	assert_true(used <= sizeof(buf));
	return p;
}

static void attr(struct nlmsghdr *h, int type, const void *data, size_t len)
{
	struct rtattr *a = put(RTA_LENGTH(len));

	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = (uint32_t)((char *)buf + used - (char *)h);
}

/* one socket; info_len 0: no tcp_info, mem false: no skmeminfo */
static void sock(int family, int state, uint64_t cookie, const struct tcp_info *ti,
		 size_t info_len, bool mem, uint32_t rcvbuf, uint32_t sndbuf)
{
	struct nlmsghdr *h = put(NLMSG_LENGTH(sizeof(struct inet_diag_msg)));
	struct inet_diag_msg *m = NLMSG_DATA(h);
	uint32_t meminfo[SK_MEMINFO_VARS] = {0};

	memset(h, 0, NLMSG_LENGTH(sizeof(*m)));
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*m));
	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	m->id.idiag_cookie[0] = (uint32_t)cookie;
	m->id.idiag_cookie[1] = (uint32_t)(cookie >> 32);
	m->id.idiag_sport = htons(5001);
	m->id.idiag_dport = htons(40000);
	if (family == AF_INET) {
		inet_pton(AF_INET, "10.0.0.2", m->id.idiag_src);
		inet_pton(AF_INET, "10.0.0.1", m->id.idiag_dst);
	} else {
		inet_pton(AF_INET6, "::1", m->id.idiag_src);
		inet_pton(AF_INET6, "fe80::1", m->id.idiag_dst);
	}
	if (info_len)
		attr(h, INET_DIAG_INFO, ti, info_len);
	if (mem) {
		meminfo[SK_MEMINFO_RCVBUF] = rcvbuf;
		meminfo[SK_MEMINFO_SNDBUF] = sndbuf;
		meminfo[SK_MEMINFO_RMEM_ALLOC] = 1000;
		attr(h, INET_DIAG_SKMEMINFO, meminfo, sizeof(meminfo));
	}
}

static void done(void)
{
	struct nlmsghdr *h = put(NLMSG_LENGTH(sizeof(int)));

	memset(h, 0, NLMSG_LENGTH(sizeof(int)));
	h->nlmsg_type = NLMSG_DONE;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(int));
}

static struct tcp_info info(void)
{
	struct tcp_info ti;

	memset(&ti, 0, sizeof(ti));
	ti.tcpi_bytes_received = 5000000000ULL;
	ti.tcpi_bytes_acked = 7;
	ti.tcpi_rtt = 84;
	ti.tcpi_rcv_rtt = 13;
	ti.tcpi_rcv_space = 148384;
	ti.tcpi_busy_time = 900;
	ti.tcpi_sndbuf_limited = 450;
	ti.tcpi_rwnd_limited = 30;
	ti.tcpi_snd_cwnd = 10;
	ti.tcpi_snd_mss = 1448;
	return ti;
}

static void test_two_connections(void **state)
{
	struct tcpinfo_set s = {0};
	struct tcp_info ti = info();
	const struct tcp_conn *c;
	char err[256] = "";

	(void)state;
	used = 0;
	sock(AF_INET, 1, 0x100000002ULL, &ti, sizeof(ti), true, 65536, 87040);
	ti.tcpi_bytes_received = 42;
	sock(AF_INET6, 8, 7, &ti, sizeof(ti), true, 131072, 16384);
	done();
	assert_int_equal(tcpinfo_parse(buf, used, &s, err, sizeof(err)), 1);
	assert_int_equal(s.n, 2);
	tcpinfo_set_sort(&s);
	c = tcpinfo_set_find(&s, 0x100000002ULL);
	assert_non_null(c);
	assert_true(c->has_info && c->has_mem);
	assert_int_equal(c->state, 1);
	assert_string_equal(c->local, "10.0.0.2:5001");
	assert_string_equal(c->remote, "10.0.0.1:40000");
	assert_true(c->bytes_received == 5000000000ULL);
	assert_int_equal(c->rtt_us, 84);
	assert_int_equal(c->rcv_rtt_us, 13);
	assert_int_equal(c->rcv_space, 148384);
	assert_int_equal(c->busy_us, 900);
	assert_int_equal(c->sndbuf_limited_us, 450);
	assert_int_equal(c->rwnd_limited_us, 30);
	assert_int_equal(c->snd_cwnd, 10);
	assert_int_equal(c->rcvbuf, 65536);
	assert_int_equal(c->sndbuf, 87040);
	c = tcpinfo_set_find(&s, 7);
	assert_non_null(c);
	assert_string_equal(c->local, "[::1]:5001");
	assert_int_equal(c->bytes_received, 42);
	assert_int_equal(c->rcvbuf, 131072);
	assert_null(tcpinfo_set_find(&s, 8));
	tcpinfo_set_free(&s);
}

/* listeners and time-wait sockets are not connections that move data */
static void test_states_and_parts(void **state)
{
	struct tcpinfo_set s = {0};
	struct tcp_info ti = info();
	char err[256];

	(void)state;
	used = 0;
	sock(AF_INET, 10, 1, &ti, sizeof(ti), true, 1, 1);  /* LISTEN */
	sock(AF_INET, 6, 2, NULL, 0, false, 0, 0);          /* TIME_WAIT */
	sock(AF_INET, 1, 3, NULL, 0, false, 0, 0);          /* no extensions */
	sock(AF_INET, 1, 4, &ti, 104, true, 9, 9);          /* an older, shorter tcp_info */
	/* no DONE: more is to come */
	assert_int_equal(tcpinfo_parse(buf, used, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.c[0].cookie, 3);
	assert_false(s.c[0].has_info);
	assert_false(s.c[0].has_mem);
	assert_int_equal(s.c[1].cookie, 4);
	assert_true(s.c[1].has_info);
	assert_int_equal(s.c[1].rtt_us, 84);           /* within the first 104 bytes */
	assert_int_equal(s.c[1].bytes_received, 0);    /* beyond them */
	tcpinfo_set_free(&s);
}

static void test_errors(void **state)
{
	struct tcpinfo_set s = {0};
	struct tcp_info ti = info();
	struct nlmsghdr *h;
	struct nlmsgerr *e;
	char err[256];

	(void)state;
	used = 0;
	h = put(NLMSG_LENGTH(sizeof(*e)));
	memset(h, 0, NLMSG_LENGTH(sizeof(*e)));
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
	e = NLMSG_DATA(h);
	e->error = -EPERM;
	assert_int_equal(tcpinfo_parse(buf, used, &s, err, sizeof(err)), -1);
	assert_int_equal(errno, EPERM);
	assert_string_equal(err, "sock_diag: Operation not permitted");

	/* a message cut short */
	used = 0;
	sock(AF_INET, 1, 3, &ti, sizeof(ti), true, 1, 1);
	assert_int_equal(tcpinfo_parse(buf, used - 40, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	/* a header that claims less than a diag message */
	used = 0;
	sock(AF_INET, 1, 3, NULL, 0, false, 0, 0);
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_LENGTH(8);
	assert_int_equal(tcpinfo_parse(buf, used, &s, err, sizeof(err)), -1);
	assert_int_equal(s.n, 0);
	tcpinfo_set_free(&s);
}

static void test_netns_errors(void **state)
{
	struct tcpinfo_set s = {0};
	struct hostfs h;
	char err[256];

	(void)state;
	hostfs_init(&h, NULL);
	assert_int_equal(tcpinfo_read(&h, "../x", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad network namespace"));
	assert_int_equal(tcpinfo_read(&h, "pp-no-such-ns", &s, err, sizeof(err)), -1);
	assert_string_equal(err, "network namespace pp-no-such-ns: No such file or directory");
	tcpinfo_set_free(&s);
}

/* our own namespace, as root: a listening and a connected pair */
static void test_read_own(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	struct tcpinfo_set s = {0};
	struct hostfs h;
	int l, c, x;
	size_t i, mine = 0;
	char err[256];

	(void)state;
	l = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	x = accept(l, NULL, NULL);
	assert_true(x >= 0);
	assert_int_equal(write(c, "hello", 5), 5);
	usleep(20000);
	hostfs_init(&h, NULL);
	if (tcpinfo_read(&h, NULL, &s, err, sizeof(err)))
		fail_msg("%s", err);
	for (i = 0; i < s.n; i++)
		if (strstr(s.c[i].local, ":") && s.c[i].has_info && s.c[i].has_mem &&
		    (atoi(strrchr(s.c[i].local, ':') + 1) == ntohs(a.sin_port) ||
		     atoi(strrchr(s.c[i].remote, ':') + 1) == ntohs(a.sin_port))) {
			mine++;
			assert_true(s.c[i].rcvbuf > 0);
			if (atoi(strrchr(s.c[i].local, ':') + 1) == ntohs(a.sin_port))
				assert_int_equal(s.c[i].bytes_received, 5);
		}
	assert_int_equal(mine, 2); /* not the listener */
	tcpinfo_set_free(&s);
	close(x);
	close(c);
	close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_connections),
		cmocka_unit_test(test_states_and_parts),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_netns_errors),
		cmocka_unit_test(test_read_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
