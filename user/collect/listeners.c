// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "collect/listeners.h"

#define TCP_LISTEN_STATE 10

/* A sock_diag socket inside the network namespace of `pid`. */
static int diag_socket_in(uint32_t pid)
{
	char fn[64];
	int self, target, fd;

	snprintf(fn, sizeof(fn), "/proc/%u/ns/net", pid);
	target = open(fn, O_RDONLY | O_CLOEXEC);
	if (target < 0)
		return -1;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || setns(target, CLONE_NEWNET)) {
		close(target);
		if (self >= 0)
			close(self);
		return -1;
	}
	/* a netlink socket stays in the namespace it was made in */
	fd = diag_socket();
	if (setns(self, CLONE_NEWNET)) {
		/* cannot get back: better to stop than to run in the wrong namespace */
		perror("perfpilot: setns back to our own network namespace");
		exit(1);
	}
	close(self);
	close(target);
	return fd;
}

int diag_request_tcp(int fd, int family, unsigned int states, unsigned int ext)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {.nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
		.r = {.sdiag_family = (__u8)family, .sdiag_protocol = IPPROTO_TCP,
		      .idiag_ext = (__u8)ext, .idiag_states = states},
	};
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

	return sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -1 : 0;
}

static int dump_family(int fd, int family, struct diag_listener *out, size_t max, size_t *n)
{
	static char buf[32768];

	if (diag_request_tcp(fd, family, 1u << TCP_LISTEN_STATE, 0))
		return -1;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			struct inet_diag_msg *m;

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			m = NLMSG_DATA(h);
			if (*n >= max || m->idiag_state != TCP_LISTEN_STATE)
				continue;
			out[*n].port = ntohs(m->id.idiag_sport);
			out[*n].inode = m->idiag_inode;
			out[*n].accept_queue = m->idiag_rqueue;
			out[*n].backlog = m->idiag_wqueue;
			out[*n].pid = 0;
			(*n)++;
		}
	}
}

int diag_listeners_fd(int fd, struct diag_listener *out, size_t max)
{
	size_t n = 0;

	if (dump_family(fd, AF_INET, out, max, &n) || dump_family(fd, AF_INET6, out, max, &n))
		return n ? (int)n : -1;
	return (int)n;
}

int diag_socket(void)
{
	return socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

int diag_listeners(uint32_t pid, struct diag_listener *out, size_t max)
{
	int fd = diag_socket_in(pid), n;

	if (fd < 0)
		return -1;
	n = diag_listeners_fd(fd, out, max);
	close(fd);
	return n;
}

static void scan_fds(uint32_t pid, struct diag_listener *l, size_t n)
{
	char dir[32], link[64], target[64];
	struct dirent *e;
	DIR *d;
	size_t i;

	snprintf(dir, sizeof(dir), "/proc/%u/fd", pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		unsigned long inode;
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%.20s", dir, e->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = 0;
		if (sscanf(target, "socket:[%lu]", &inode) != 1)
			continue;
		for (i = 0; i < n; i++)
			if (!l[i].pid && l[i].inode == inode)
				l[i].pid = pid;
	}
	closedir(d);
}

static bool all_known(const struct diag_listener *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!l[i].pid)
			return false;
	return true;
}

void listener_owners(struct diag_listener *l, size_t n, const uint32_t *pids, size_t npids)
{
	struct dirent *e;
	size_t i;
	DIR *d;

	if (all_known(l, n))
		return;
	if (npids) {
		for (i = 0; i < npids && !all_known(l, n); i++)
			scan_fds(pids[i], l, n);
		return;
	}
	d = opendir("/proc");
	if (!d)
		return;
	while ((e = readdir(d)) != NULL && !all_known(l, n)) {
		uint32_t pid = (uint32_t)strtoul(e->d_name, NULL, 10);

		if (pid)
			scan_fds(pid, l, n);
	}
	closedir(d);
}
