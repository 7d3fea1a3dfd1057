/*
 * tcpxfer: TCP server and client with their own byte and connection counts,
 * printed as one JSON line at exit (the ground truth for the TCP tests).
 *
 *   tcpxfer serve [-w] [-b BACKLOG] [-n CONNS] [-q SECONDS] PORT
 *       listen on PORT; accept CONNS connections (default 1), read each to
 *       EOF; with -q, do not accept at all: sleep SECONDS with a full queue
 *   tcpxfer send [-w] [-r] ADDR PORT BYTES
 *       connect and send BYTES, then close; with -r, read the smoothed RTT
 *       after each send (TCP_INFO tcpi_rtt: a system call per send) and
 *       report its maximum, its median, its 90th percentile and the last
 *       one, in microseconds
 *   tcpxfer connect [-w] ADDR PORT COUNT
 *       open and close COUNT connections one after the other
 *   tcpxfer flood ADDR PORT COUNT
 *       start COUNT non-blocking connects at once, hold them 2 s
 *   tcpxfer many ADDR PORT COUNT BYTES
 *       open COUNT connections at once (all live together), then send
 *       BYTES on each and close it, one after the other
 *   tcpxfer handoff ADDR PORT BYTES COUNT
 *       COUNT connections one after the other, BYTES sent on each; on the
 *       last, a child sends BYTES more (1.2 s after the fork) and exits,
 *       then the parent sends BYTES more before it closes: the bytes of one
 *       connection shared by two processes, at different times
 *
 *   -w  wait for SIGUSR1 before starting (so a tracer can attach by pid)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "tcpxfer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void wait_start(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigwait(&set, &sig))
		die("sigwait");
}

static struct sockaddr_in addr_of(const char *ip, const char *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};

	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "tcpxfer: bad address %s\n", ip);
		exit(2);
	}
	return a;
}

static int serve(int backlog, long conns, int quiet_s, const char *port)
{
	struct sockaddr_in a = addr_of("0.0.0.0", port);
	unsigned long long rx = 0;
	static char buf[65536];
	long accepted = 0;
	int one = 1, s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, backlog))
		die("bind/listen");
	printf("{\"listening\":%d}\n", getpid());
	fflush(stdout);
	if (quiet_s) {
		sleep((unsigned int)quiet_s);
	} else {
		while (accepted < conns) {
			int c = accept(s, NULL, NULL);
			ssize_t n;

			if (c < 0)
				die("accept");
			accepted++;
			while ((n = read(c, buf, sizeof(buf))) > 0)
				rx += (unsigned long long)n;
			close(c);
		}
	}
	close(s);
	printf("{\"pid\":%d,\"rx_bytes\":%llu,\"accepts\":%ld}\n", getpid(), rx, accepted);
	return 0;
}

static int connect_to(struct sockaddr_in *a)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		die("socket");
	if (connect(s, (struct sockaddr *)a, sizeof(*a)))
		die("connect");
	return s;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* the readings of tcpi_rtt after each send (the first 65,536) */
static unsigned int rtt_seen[65536];

static int send_bytes(const char *ip, const char *port, unsigned long long total, int rtt)
{
	struct sockaddr_in a = addr_of(ip, port);
	unsigned long long sent = 0;
	static char buf[65536];
	int s = connect_to(&a);

	unsigned int rtt_max = 0, rtt_last = 0, rtt_n = 0;

	memset(buf, 'x', sizeof(buf));
	while (sent < total) {
		size_t want = total - sent < sizeof(buf) ? (size_t)(total - sent) : sizeof(buf);
		ssize_t n = send(s, buf, want, 0);
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("send");
		}
		sent += (unsigned long long)n;
		if (rtt && !getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &tl) && ti.tcpi_rtt) {
			rtt_last = ti.tcpi_rtt;
			if (rtt_last > rtt_max)
				rtt_max = rtt_last;
			if (rtt_n < sizeof(rtt_seen) / sizeof(rtt_seen[0]))
				rtt_seen[rtt_n++] = rtt_last;
		}
	}
	close(s);
	if (rtt) {
		qsort(rtt_seen, rtt_n, sizeof(rtt_seen[0]), cmp_uint);
		printf("{\"pid\":%d,\"tx_bytes\":%llu,\"rtt_max_us\":%u,\"rtt_last_us\":%u,"
		       "\"rtt_p50_us\":%u,\"rtt_p90_us\":%u,\"rtt_reads\":%u}\n",
		       getpid(), sent, rtt_max, rtt_last, rtt_n ? rtt_seen[rtt_n / 2] : 0,
		       rtt_n ? rtt_seen[rtt_n * 9 / 10] : 0, rtt_n);
	} else
		printf("{\"pid\":%d,\"tx_bytes\":%llu}\n", getpid(), sent);
	return 0;
}

static int connect_many(const char *ip, const char *port, long count)
{
	struct sockaddr_in a = addr_of(ip, port);
	long i;

	for (i = 0; i < count; i++)
		close(connect_to(&a));
	printf("{\"pid\":%d,\"connects\":%ld}\n", getpid(), count);
	return 0;
}

static unsigned long long send_all(int s, unsigned long long total)
{
	static char buf[65536];
	unsigned long long sent = 0;

	memset(buf, 'x', sizeof(buf));
	while (sent < total) {
		size_t want = total - sent < sizeof(buf) ? (size_t)(total - sent) : sizeof(buf);
		ssize_t n = send(s, buf, want, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("send");
		sent += (unsigned long long)n;
	}
	return sent;
}

static int many(const char *ip, const char *port, long count, unsigned long long bytes)
{
	struct sockaddr_in a = addr_of(ip, port);
	struct rlimit rl = {.rlim_cur = (rlim_t)count + 64, .rlim_max = (rlim_t)count + 64};
	unsigned long long sent = 0;
	int *s = calloc((size_t)count, sizeof(*s));
	long i;

	if (!s)
		die("calloc");
	if (count + 64 > 1024 && setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	for (i = 0; i < count; i++)
		s[i] = connect_to(&a);
	for (i = 0; i < count; i++) {
		sent += send_all(s[i], bytes);
		close(s[i]);
	}
	free(s);
	printf("{\"pid\":%d,\"tx_bytes\":%llu,\"connections\":%ld}\n", getpid(), sent, count);
	return 0;
}

static int handoff(const char *ip, const char *port, unsigned long long bytes, long count)
{
	struct sockaddr_in a = addr_of(ip, port);
	unsigned long long sent = 0;
	int s = -1, st;
	pid_t child;
	long i;

	for (i = 0; i < count; i++) {
		s = connect_to(&a);
		sent += send_all(s, bytes);
		if (i + 1 < count)
			close(s);
	}
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		usleep(1200000);
		send_all(s, bytes);
		_exit(0);
	}
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st))
		die("child");
	sent += send_all(s, bytes);
	close(s);
	printf("{\"pid\":%d,\"tx_bytes\":%llu,\"child\":%d,\"child_tx_bytes\":%llu}\n", getpid(),
	       sent, (int)child, bytes);
	return 0;
}

static int flood(const char *ip, const char *port, long count)
{
	struct sockaddr_in a = addr_of(ip, port);
	long i, started = 0;

	for (i = 0; i < count; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (s < 0)
			die("socket");
		if (!connect(s, (struct sockaddr *)&a, sizeof(a)) || errno == EINPROGRESS)
			started++;
	}
	sleep(2);
	printf("{\"pid\":%d,\"started\":%ld}\n", getpid(), started);
	return 0;
}

int main(int argc, char **argv)
{
	int c, wait = 0, backlog = 16, quiet = 0, rtt = 0;
	long conns = 1;
	const char *mode = argc > 1 ? argv[1] : "";
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	optind = 2;
	while ((c = getopt(argc, argv, "wrb:n:q:")) != -1) {
		switch (c) {
		case 'w': wait = 1; break;
		case 'r': rtt = 1; break;
		case 'b': backlog = atoi(optarg); break;
		case 'n': conns = atol(optarg); break;
		case 'q': quiet = atoi(optarg); break;
		default: return 2;
		}
	}
	argv += optind;
	argc -= optind;
	if (wait)
		wait_start();
	if (!strcmp(mode, "serve") && argc == 1)
		return serve(backlog, conns, quiet, argv[0]);
	if (!strcmp(mode, "send") && argc == 3)
		return send_bytes(argv[0], argv[1], strtoull(argv[2], NULL, 10), rtt);
	if (!strcmp(mode, "connect") && argc == 3)
		return connect_many(argv[0], argv[1], atol(argv[2]));
	if (!strcmp(mode, "flood") && argc == 3)
		return flood(argv[0], argv[1], atol(argv[2]));
	if (!strcmp(mode, "many") && argc == 4)
		return many(argv[0], argv[1], atol(argv[2]), strtoull(argv[3], NULL, 10));
	if (!strcmp(mode, "handoff") && argc == 4)
		return handoff(argv[0], argv[1], strtoull(argv[2], NULL, 10), atol(argv[3]));
	fprintf(stderr, "usage: tcpxfer serve|send|connect|flood|many|handoff ... (see the source)\n");
	return 2;
}
