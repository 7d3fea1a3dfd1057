/*
 * webhook_sink: a tiny HTTP server that keeps what is POSTed to it, for the
 * end-to-end tests of the daemon's alerts (a webhook, or an Alertmanager
 * stand-in).
 *
 *   webhook_sink [-p PORT] [-s STATUS] FILE
 *       listen on 127.0.0.1:PORT (default 0: a free port) and print the
 *       port as one line on stdout once listening; append the body of each
 *       POST as one line to FILE (newlines in it become blanks) and answer
 *       STATUS (default 200); other methods get 405. Bodies need a
 *       Content-Length (libcurl sends one); Expect: 100-continue and
 *       keep-alive are understood. SIGTERM/SIGINT: stop.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_HEAD 16384
#define MAX_BODY (16 << 20)

static int out_fd, status = 200;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what)
{
	fprintf(stderr, "webhook_sink: %s: %s\n", what, strerror(errno));
	exit(1);
}

static bool send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static bool respond(int fd, int code, bool close_after)
{
	char buf[160];
	int n = snprintf(buf, sizeof(buf),
			 "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: %s\r\n\r\n", code,
			 reason(code), close_after ? "close" : "keep-alive");

	return send_all(fd, buf, (size_t)n);
}

/* The value of header name in the head (lines after the first), or NULL. */
static const char *header(const char *head, const char *name, char *val, size_t len)
{
	size_t n = strlen(name), i;
	const char *p = strstr(head, "\r\n");

	while (p && p[2] != '\r' && p[2]) {
		p += 2;
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			p += n + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			for (i = 0; i + 1 < len && p[i] && p[i] != '\r'; i++)
				val[i] = p[i];
			val[i] = 0;
			return val;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

/* Append body as one line to the output file (one write: lines never mix). */
static void keep(char *body, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (body[i] == '\n' || body[i] == '\r')
			body[i] = ' ';
	body[n] = '\n';
	pthread_mutex_lock(&out_lock);
	if (write(out_fd, body, n + 1) != (ssize_t)(n + 1))
		fprintf(stderr, "webhook_sink: write: %s\n", strerror(errno));
	pthread_mutex_unlock(&out_lock);
}

/* Requests on one connection until it closes. */
static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	char *buf = malloc(MAX_HEAD + 1), *end, val[64];
	size_t have = 0, head_len, want;
	bool close_after, is_post;
	char *body;
	ssize_t r;

	if (!buf)
		goto out;
	for (;;) {
		/* the head */
		buf[have] = 0;
		while (!(end = strstr(buf, "\r\n\r\n"))) {
			if (have == MAX_HEAD)
				goto out;
			r = recv(fd, buf + have, MAX_HEAD - have, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				goto out;
			have += (size_t)r;
			buf[have] = 0;
		}
		head_len = (size_t)(end - buf) + 4;
		end[2] = 0;       /* the head ends at its last header line's \r\n */
		is_post = !strncmp(buf, "POST ", 5);
		close_after = strstr(buf, "HTTP/1.0\r\n") ||
			      (header(buf, "Connection", val, sizeof(val)) &&
			       !strcasecmp(val, "close"));
		want = header(buf, "Content-Length", val, sizeof(val)) ? strtoul(val, NULL, 10) : 0;
		if (is_post && !header(buf, "Content-Length", val, sizeof(val))) {
			respond(fd, 411, true);
			goto out;
		}
		if (want > MAX_BODY) {
			respond(fd, 413, true);
			goto out;
		}
		if (header(buf, "Expect", val, sizeof(val)) && !strcasecmp(val, "100-continue") &&
		    !send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25))
			goto out;
		/* the body: what came with the head, then the rest */
		body = malloc(want + 1);
		if (!body)
			goto out;
		r = (ssize_t)(have - head_len < want ? have - head_len : want);
		memcpy(body, buf + head_len, (size_t)r);
		for (size_t got = (size_t)r; got < want; got += (size_t)r) {
			r = recv(fd, body + got, want - got, 0);
			if (r < 0 && errno == EINTR) {
				r = 0;
				continue;
			}
			if (r <= 0) {
				free(body);
				goto out;
			}
		}
		if (is_post)
			keep(body, want);
		free(body);
		/* what follows belongs to the next request */
		if (have - head_len > want) {
			memmove(buf, buf + head_len + want, have - head_len - want);
			have -= head_len + want;
		} else {
			have = 0;
		}
		if (!respond(fd, is_post ? status : 405, close_after) || close_after)
			goto out;
	}
out:
	free(buf);
	close(fd);
	return NULL;
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sigaction sa = { .sa_handler = on_stop };
	struct timeval tv = { .tv_sec = 30 };
	socklen_t sl = sizeof(sin);
	pthread_attr_t attr;
	pthread_t t;
	int opt, port = 0, lfd, fd, one = 1;

	while ((opt = getopt(argc, argv, "p:s:")) != -1) {
		if (opt == 'p')
			port = atoi(optarg);
		else if (opt == 's')
			status = atoi(optarg);
		else
			goto usage;
	}
	if (optind != argc - 1 || port < 0 || port > 65535 || status < 200 || status > 599)
		goto usage;
	out_fd = open(argv[optind], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out_fd < 0)
		die(argv[optind]);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)port);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 64))
		die("bind");
	if (getsockname(lfd, (struct sockaddr *)&sin, &sl))
		die("getsockname");
	printf("%u\n", ntohs(sin.sin_port));
	fflush(stdout);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (!stop) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (pthread_create(&t, &attr, serve, (void *)(long)fd))
			close(fd);
	}
	close(lfd);
	pthread_mutex_lock(&out_lock);   /* no line cut in half */
	close(out_fd);
	return 0;
usage:
	fprintf(stderr, "usage: webhook_sink [-p PORT] [-s STATUS] FILE\n");
	return 2;
}
