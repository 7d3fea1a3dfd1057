/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A real HTTP server for the tests of the notifications (libmicrohttpd on
 * 127.0.0.1, an ephemeral port): it keeps every request (method, path,
 * body) and answers the statuses of a script in order, then 200. Also a
 * dead address (nothing listens) and a silent one (accepts, never answers).
 */
#ifndef PP_TEST_POST_SINK_H
#define PP_TEST_POST_SINK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>
#include <jansson.h>
#include <microhttpd.h>
#include "unit.h"

#define SINK_MAX_REQ 512
#define SINK_MAX_SCRIPT 16

struct sink_req {
	char method[16];
	char path[256];
	char ctype[64];
	char *body;
};

struct post_sink {
	struct MHD_Daemon *d;
	unsigned short port;
	char url[64];              /* http://127.0.0.1:PORT */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sink_req req[SINK_MAX_REQ];
	size_t n;
	int script[SINK_MAX_SCRIPT];
	size_t nscript, next;
};

struct sink_upload {
	char *data;
	size_t len;
};

static enum MHD_Result sink_handler(void *cls, struct MHD_Connection *c, const char *url,
				    const char *method, const char *version,
				    const char *upload, size_t *upload_size, void **con_cls)
{
	struct post_sink *s = cls;
	struct sink_upload *u = *con_cls;
	struct MHD_Response *resp;
	const char *ct;
	enum MHD_Result ret;
	int status = 200;

	(void)version;
	if (!u) {
		*con_cls = calloc(1, sizeof(struct sink_upload));
		return *con_cls ? MHD_YES : MHD_NO;
	}
	if (*upload_size) {
		char *d = realloc(u->data, u->len + *upload_size + 1);

		if (!d)
			return MHD_NO;
		memcpy(d + u->len, upload, *upload_size);
		u->len += *upload_size;
		d[u->len] = 0;
		u->data = d;
		*upload_size = 0;
		return MHD_YES;
	}
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	pthread_mutex_lock(&s->lock);
	if (s->next < s->nscript)
		status = s->script[s->next++];
	if (s->n < SINK_MAX_REQ) {
		struct sink_req *r = &s->req[s->n++];

		snprintf(r->method, sizeof(r->method), "%s", method);
		snprintf(r->path, sizeof(r->path), "%s", url);
		snprintf(r->ctype, sizeof(r->ctype), "%s", ct ? ct : "");
		r->body = u->data ? u->data : strdup("");
		u->data = NULL;
	}
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	resp = MHD_create_response_from_buffer(3, (void *)"ok\n", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void sink_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct sink_upload *u = *con_cls;

	(void)cls, (void)c, (void)toe;
	if (u) {
		free(u->data);
		free(u);
		*con_cls = NULL;
	}
}

/* Start a sink answering script[0..n-1] first, then 200. */
static inline void sink_start(struct post_sink *s, const int *script, size_t n)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const union MHD_DaemonInfo *info;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	assert_true(n <= SINK_MAX_SCRIPT);
	if (n)
		memcpy(s->script, script, n * sizeof(*script));
	s->nscript = n;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
				0, NULL, NULL, sink_handler, s, MHD_OPTION_SOCK_ADDR, &sin,
				MHD_OPTION_NOTIFY_COMPLETED, sink_completed, s, MHD_OPTION_END);
	assert_non_null(s->d);
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	s->port = info->port;
	assert_true(s->port > 0);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u", s->port);
}

/* Wait until the sink has had at least n requests (false after timeout_s). */
static inline bool sink_wait(struct post_sink *s, size_t n, double timeout_s)
{
	struct timespec ts;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)timeout_s;
	ts.tv_nsec += (long)((timeout_s - (double)(time_t)timeout_s) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	while (s->n < n && pthread_cond_timedwait(&s->cond, &s->lock, &ts) == 0)
		;
	ok = s->n >= n;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static inline size_t sink_count(struct post_sink *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->n;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Request i's body as JSON (the test fails when it is not JSON). */
static inline json_t *sink_json(struct post_sink *s, size_t i)
{
	json_error_t e;
	json_t *j;

	pthread_mutex_lock(&s->lock);
	assert_true(i < s->n);
	j = json_loads(s->req[i].body, 0, &e);
	if (!j)
		fail_msg("request %zu: not JSON (%s): %s", i, e.text, s->req[i].body);
	pthread_mutex_unlock(&s->lock);
	return j;
}

static inline void sink_stop(struct post_sink *s)
{
	size_t i;

	MHD_stop_daemon(s->d);
	for (i = 0; i < s->n; i++)
		free(s->req[i].body);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
}

/* An http:// URL on 127.0.0.1 where nothing listens (connection refused). */
static inline void sink_dead_url(char *buf, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	close(fd);
	snprintf(buf, len, "http://127.0.0.1:%u/hook", ntohs(sin.sin_port));
}

/* A socket that listens but never reads nor answers: connections succeed
 * (the kernel completes them) and requests hang. Its fd; URL in buf. */
static inline int sink_silent(char *buf, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	snprintf(buf, len, "http://127.0.0.1:%u/hook", ntohs(sin.sin_port));
	return fd;
}

/* CLOCK_MONOTONIC seconds */
static inline double sink_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
