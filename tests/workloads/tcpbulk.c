/*
 * tcpbulk: one bulk TCP transfer for a bounded time, with the receiver's
 * throughput second by second as JSON lines (the ground truth of the TCP
 * buffer tests and of tools/bench/tune).
 *
 *   tcpbulk serve [-w] PORT SECONDS
 *       listen on PORT, accept one connection and read it for SECONDS (or
 *       to EOF); every second one line {"t":N,"bytes_per_s":B,"cpu":C}
 *       (C: the CPU time it used in that second, s: how much CPU the host
 *       gave it), at the end
 *       {"pid":P,"rx_bytes":B,"seconds":S}
 *   tcpbulk send [-w] ADDR PORT SECONDS
 *       connect to ADDR PORT and send as fast as it can for SECONDS, then
 *       close; at the end {"pid":P,"tx_bytes":B}
 *
 *   -w  wait for SIGUSR1 before starting (so a tracer can attach by pid)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "workload.h"

static void die(const char *what)
{
	fprintf(stderr, "tcpbulk: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct sockaddr_in addr_of(const char *ip, const char *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};

	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "tcpbulk: bad address %s\n", ip);
		exit(2);
	}
	return a;
}

static int serve(const char *port, double seconds)
{
	struct sockaddr_in a = addr_of("0.0.0.0", port);
	unsigned long long rx = 0, rx_mark = 0;
	static char buf[1 << 18];
	double t0, mark, now, cpu_mark;
	int one = 1, s, c, tick = 0;

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4))
		die("bind/listen");
	printf("{\"listening\":%d}\n", getpid());
	fflush(stdout);
	c = accept(s, NULL, NULL);
	if (c < 0)
		die("accept");
	t0 = mark = now_seconds();
	cpu_mark = cpu_seconds();
	for (;;) {
		struct pollfd p = {.fd = c, .events = POLLIN};
		ssize_t n = 0;

		now = now_seconds();
		if (now - t0 >= seconds)
			break;
		if (now - mark >= 1.0) {
			double cpu = cpu_seconds();

			printf("{\"t\":%d,\"bytes_per_s\":%.0f,\"cpu\":%.3f}\n", ++tick,
			       (double)(rx - rx_mark) / (now - mark), (cpu - cpu_mark) / (now - mark));
			fflush(stdout);
			rx_mark = rx;
			mark = now;
			cpu_mark = cpu;
		}
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			die("poll");
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(c, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			die("recv");
		if (n == 0)
			break;
		rx += (unsigned long long)n;
	}
	close(c);
	close(s);
	printf("{\"pid\":%d,\"rx_bytes\":%llu,\"seconds\":%.3f}\n", getpid(), rx,
	       now_seconds() - t0);
	return 0;
}

static int send_for(const char *ip, const char *port, double seconds)
{
	struct sockaddr_in a = addr_of(ip, port);
	unsigned long long sent = 0;
	static char buf[1 << 16];
	double t0;
	int s;

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	if (connect(s, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	memset(buf, 'x', sizeof(buf));
	t0 = now_seconds();
	while (now_seconds() - t0 < seconds) {
		ssize_t n = send(s, buf, sizeof(buf), MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			break; /* the receiver's time is up */
		if (n < 0)
			die("send");
		sent += (unsigned long long)n;
	}
	close(s);
	printf("{\"pid\":%d,\"tx_bytes\":%llu}\n", getpid(), sent);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int wait, first;

	first = parse_wait_option(argc - 1, argv + 1, &wait);
	if (first < 0)
		goto usage;
	argv += 1 + first;
	argc -= 1 + first;
	if (wait_for_start(wait))
		die("sigwait");
	if (!strcmp(mode, "serve") && argc == 2 && atof(argv[1]) > 0)
		return serve(argv[0], atof(argv[1]));
	if (!strcmp(mode, "send") && argc == 3 && atof(argv[2]) > 0)
		return send_for(argv[0], argv[1], atof(argv[2]));
usage:
	fprintf(stderr, "usage: tcpbulk serve [-w] PORT SECONDS | send [-w] ADDR PORT SECONDS\n");
	return 2;
}
