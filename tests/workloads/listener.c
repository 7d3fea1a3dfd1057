/*
 * listener: a TCP listener that accepts slowly or never, and a bounded
 * connect flooder: the accept-queue tuner's workload.
 *
 *   listener serve [-b BACKLOG] [-i SECONDS] PORT
 *       listen on 127.0.0.1:PORT with BACKLOG (default 1024; the kernel caps
 *       it by net.core.somaxconn); every SECONDS (default 0: never) accept
 *       every connection waiting; SIGHUP: close the socket and listen again
 *       (so a raised somaxconn takes effect); SIGTERM/SIGINT: stop. One JSON
 *       line per listen() ({"event":"listen",...}) and one at exit.
 *   listener flood [-n PER_BURST] [-t SECONDS] ADDR PORT
 *       every second start PER_BURST (default 12) non-blocking connects at
 *       once, closing those of the burst before; stops after SECONDS
 *       (default 10; at most 3600). One JSON line at exit.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "workload.h"

static volatile sig_atomic_t relisten, stop;

static void on_hup(int sig)
{
	(void)sig;
	relisten = 1;
}

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "listener: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_on(int port, int backlog)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("bind");
	if (listen(fd, backlog))
		die("listen");
	return fd;
}

static void pause_for(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9)};

	nanosleep(&ts, NULL); /* a signal ends it early: the loop looks at the flags */
}

static int serve(int argc, char **argv)
{
	struct sigaction sa = {0};
	double every = 0, next;
	int backlog = 1024, port, fd, c, listens = 1;
	long accepted = 0;

	while ((c = getopt(argc, argv, "b:i:")) != -1) {
		if (c == 'b')
			backlog = atoi(optarg);
		else if (c == 'i')
			every = atof(optarg);
		else
			return 2;
	}
	if (optind != argc - 1 || backlog < 1 || every < 0)
		return 2;
	port = atoi(argv[optind]);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = listen_on(port, backlog);
	printf("{\"event\":\"listen\",\"pid\":%d,\"port\":%d,\"backlog\":%d}\n", getpid(), port,
	       backlog);
	fflush(stdout);
	next = now_seconds() + every;
	while (!stop) {
		if (relisten) {
			relisten = 0;
			close(fd);
			fd = listen_on(port, backlog);
			listens++;
			printf("{\"event\":\"listen\",\"pid\":%d,\"port\":%d,\"backlog\":%d}\n",
			       getpid(), port, backlog);
			fflush(stdout);
		}
		if (every > 0 && now_seconds() >= next) {
			int cfd;

			while ((cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
				close(cfd);
				accepted++;
			}
			next += every;
		}
		pause_for(0.05);
	}
	close(fd);
	printf("{\"event\":\"exit\",\"pid\":%d,\"accepted\":%ld,\"listens\":%d}\n", getpid(),
	       accepted, listens);
	return 0;
}

static int flood(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int per = 12, c, i, fds[256], n = 0;
	double seconds = 10, end;
	long attempts = 0, refused = 0;

	while ((c = getopt(argc, argv, "n:t:")) != -1) {
		if (c == 'n')
			per = atoi(optarg);
		else if (c == 't')
			seconds = atof(optarg);
		else
			return 2;
	}
	if (optind != argc - 2 || per < 1 || per > 256 || seconds <= 0 || seconds > 3600 ||
	    inet_pton(AF_INET, argv[optind], &a.sin_addr) != 1)
		return 2;
	a.sin_port = htons((uint16_t)atoi(argv[optind + 1]));
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	end = now_seconds() + seconds;
	while (!stop && now_seconds() < end) {
		for (i = 0; i < n; i++)
			close(fds[i]);
		n = 0;
		for (i = 0; i < per; i++) {
			int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

			if (fd < 0)
				die("socket");
			attempts++;
			if (connect(fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS)
				refused++;
			fds[n++] = fd;
		}
		pause_for(1);
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	printf("{\"event\":\"flood\",\"pid\":%d,\"attempts\":%ld,\"refused\":%ld}\n", getpid(),
	       attempts, refused);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "serve"))
		return serve(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "flood"))
		return flood(argc - 1, argv + 1);
	fprintf(stderr, "usage: listener serve [-b BACKLOG] [-i SECONDS] PORT | "
		"listener flood [-n PER_BURST] [-t SECONDS] ADDR PORT\n");
	return 2;
}
