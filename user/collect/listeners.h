/* SPDX-License-Identifier: GPL-2.0 */
/* TCP listening sockets of a network namespace, their backlogs and owners. */
#ifndef PP_LISTENERS_H
#define PP_LISTENERS_H

#include <stddef.h>
#include <stdint.h>

struct diag_listener {
	uint16_t port;
	uint32_t inode;
	uint32_t accept_queue; /* connections waiting for accept() */
	uint32_t backlog;      /* the listen() backlog */
	uint32_t pid;          /* owner, 0 when unknown */
};

/*
 * LISTEN sockets (IPv4 and IPv6) of the network namespace `pid` lives in,
 * from the kernel's sock_diag interface. Returns the count, -1 on error.
 */
int diag_listeners(uint32_t pid, struct diag_listener *out, size_t max);

/*
 * The same over a sock_diag socket made by diag_socket() in the namespace
 * to look at (a netlink socket stays in the namespace it was made in).
 */
int diag_socket(void);

/* Ask a sock_diag socket for a dump of the TCP sockets of one address family
 * in the given states (a mask of 1 << TCP_*), with the INET_DIAG_* extensions
 * of ext (a mask of 1 << (INET_DIAG_X - 1)). 0, or -1 with errno. */
int diag_request_tcp(int fd, int family, unsigned int states, unsigned int ext);
int diag_listeners_fd(int fd, struct diag_listener *out, size_t max);

/*
 * Fill in the owner of each listener whose pid is 0 from the socket inodes
 * in /proc/PID/fd (the first process holding it). `pids` limits the search
 * to those processes when npids > 0.
 */
void listener_owners(struct diag_listener *l, size_t n, const uint32_t *pids, size_t npids);

#endif
