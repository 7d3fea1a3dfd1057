/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's HTTP server (libmicrohttpd): GET and HEAD of a few paths,
 * each answered by a handler on a server thread, with an optional bearer
 * token on every path.
 *
 * A stand-in with the interface of the shared daemon spec
 * (/work/notes/daemon-spec.md), written so that the daemon builds and is
 * tested before the daemon-http branch, whose http.c replaces this one.
 */
#ifndef PP_DAEMON_HTTP_H
#define PP_DAEMON_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct http_request {
	const char *method;
	const char *path;
	const char *query;   /* raw query string or NULL */
	const char *accept;  /* Accept header or "" */
};

struct http_response {
	int status;
	const char *content_type;
	char *body;          /* malloc'd; the server frees it */
	size_t len;
	const char *content_encoding; /* NULL or "gzip" */
};

typedef void (*http_handler)(const struct http_request *rq, struct http_response *rs, void *arg);

struct http_route {
	const char *path;
	http_handler fn;
	void *arg;
};

struct http_opts {
	const char *listen;
	const char *token;   /* NULL or "": no auth */
	const struct http_route *routes;
	size_t nroutes;
};

struct http_server;

/* NULL + one-line err, e.g. "127.0.0.1:9464: address already in use: is
 * another perfpilot daemon running? choose another with --listen" */
struct http_server *http_start(const struct http_opts *o, char *err, size_t errlen);
void http_stop(struct http_server *s);

int http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
		      size_t errlen);
bool http_listen_is_loopback(const char *listen);

/* refuses a file readable by group/other or not owned by root (or the
 * current user) */
int http_read_token_file(const char *path, char *tok, size_t len, char *err, size_t errlen);

struct http_stats {
	unsigned long long requests, unauthorized, not_found, errors;
};
void http_get_stats(struct http_server *s, struct http_stats *st);

/* Handlers run on server threads (several at once: a 30 s pprof request
 * must not block /metrics); the server answers 401 for a missing/wrong
 * token (constant-time compare), 404 for unknown paths, 405 for methods
 * other than GET/HEAD. */

#endif
