/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's HTTP endpoint, on libmicrohttpd: GET and HEAD on a few exact
 * paths, each answered by a handler, optionally behind a bearer token.
 *
 * Every request that libmicrohttpd parses is counted (one it refuses itself
 * as malformed, with 400, is not); then, in this order:
 *   - with a token, a request without "Authorization: Bearer TOKEN" (the
 *     scheme in any case; the token compared in constant time) gets 401
 *     with "WWW-Authenticate: Bearer realm="perfpilot"" (and
 *     error="invalid_token" when a wrong token was sent), whatever its
 *     path or method: nothing tells an unauthenticated client which paths
 *     exist;
 *   - a method other than GET or HEAD gets 405 with "Allow: GET, HEAD";
 *   - a path that is no route's (exact match, no trailing slash added)
 *     gets 404;
 *   - else the route's handler fills the response. HEAD runs the handler
 *     as GET does; libmicrohttpd sends the headers only.
 * A handler's status outside 100-599 becomes 500; 5xx answers count as
 * errors. A body the handler gzip-compressed (content_encoding "gzip") goes
 * out as it is to a client whose Accept-Encoding takes gzip, and is
 * decompressed by the server for one that does not (curl without
 * --compressed), with "Vary: Accept-Encoding".
 *
 * Threads: one per connection (libmicrohttpd's thread-per-connection
 * mode), so a handler that takes 30 s (a pprof profile) blocks only its own
 * connection; at most HTTP_MAX_CONNECTIONS at once (more are closed as
 * they come), and a connection idle for HTTP_IDLE_TIMEOUT_S is closed (a
 * handler that runs longer is not cut off). Handlers run on these threads,
 * several at once: what they share must be locked. http_stop waits for the
 * handlers that run: a long one should watch the daemon's stop flag.
 */
#ifndef PP_DAEMON_HTTP_H
#define PP_DAEMON_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define HTTP_DEFAULT_LISTEN "127.0.0.1:9464"
#define HTTP_MAX_CONNECTIONS 16
/* above Prometheus' default scrape interval (1 min): a kept-alive scraper's
 * next request does not race the close */
#define HTTP_IDLE_TIMEOUT_S 120
#define HTTP_TOKEN_MAX 512 /* bytes of a token, without the NUL */

struct http_request {
	const char *method;
	const char *path;            /* percent-decoded, without the query */
	const char *query;           /* raw query string (after '?', still encoded) or NULL */
	const char *accept;          /* Accept header or "" */
	const char *accept_encoding; /* Accept-Encoding header or "" */
};

struct http_response {
	int status;                   /* set to 200 before the handler runs */
	const char *content_type;     /* "text/plain; charset=utf-8" before the handler runs */
	char *body;                   /* malloc'd; the server frees it (NULL: empty) */
	size_t len;
	const char *content_encoding; /* NULL or "gzip" (the body is gzip data) */
};

typedef void (*http_handler)(const struct http_request *rq, struct http_response *rs, void *arg);

struct http_route {
	const char *path;
	http_handler fn;
	void *arg;
};

struct http_opts {
	const char *listen;               /* ADDR:PORT (http_parse_listen) */
	const char *token;                /* NULL or "": no auth */
	const struct http_route *routes;  /* copied by http_start */
	size_t nroutes;
};

struct http_server;

/*
 * Listen on o->listen and serve. NULL and a one-line error in err when the
 * address does not parse or cannot be bound, e.g. "127.0.0.1:9464: address
 * already in use: is another perfpilot daemon running? choose another with
 * --listen".
 */
struct http_server *http_start(const struct http_opts *o, char *err, size_t errlen);

/* Stop listening, wait for the handlers that run, free s (NULL is fine). */
void http_stop(struct http_server *s);

/* The port s listens on (the one the system chose when listen's is 0). */
uint16_t http_port(const struct http_server *s);

/*
 * Parse ADDR:PORT: an IPv4 address ("127.0.0.1:9464", "0.0.0.0:9464" for
 * every interface), an IPv6 address in brackets ("[::1]:9464", "[::]:9464",
 * "[fe80::1%eth0]:9464"), or "localhost" (taken as 127.0.0.1: no other name
 * is resolved, so what is bound never depends on DNS or /etc/hosts); the
 * port from 0 to 65535 (0: any free port). No address (":9464") is refused
 * rather than taken as every interface. Returns 0, or -1 with a one-line
 * error in err.
 */
int http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t errlen);

/* Whether listen parses to a loopback address (127.0.0.0/8, ::1, or
 * ::ffff:127.x.y.z): reachable from this host only. */
bool http_listen_is_loopback(const char *listen);

/*
 * Read a bearer token from the file at path into tok (len bytes): a regular
 * file owned by root or by the user running this, that group and others
 * cannot read or write (mode 600 or 400); one line of printable ASCII
 * without spaces (a trailing newline, or CRLF, is dropped), not empty, at
 * most HTTP_TOKEN_MAX bytes and shorter than len. Returns 0, or -1 with a
 * one-line error in err saying what to do (e.g. "FILE: mode 0644 lets group
 * or others read it: chmod 600 FILE").
 */
int http_read_token_file(const char *path, char *tok, size_t len, char *err, size_t errlen);

struct http_stats {
	unsigned long long requests, unauthorized, not_found, errors;
};

void http_get_stats(struct http_server *s, struct http_stats *st);

/* The statuses answered so far with their counts, in ascending order of
 * status (at most max of them): for perfpilot_http_requests_total{code}.
 * Returns how many were filled. */
size_t http_get_codes(struct http_server *s, int *code, unsigned long long *count, size_t max);

/*
 * The value of key in a raw query string ("seconds=5&pid=42"), percent- and
 * '+'-decoded into val (len bytes): its length, or -1 when query (NULL too)
 * has no such key or the value does not fit. A key without '=' has the
 * value "".
 */
int http_query_get(const char *query, const char *key, char *val, size_t len);

#endif
