// SPDX-License-Identifier: GPL-2.0
/* The daemon's HTTP server on libmicrohttpd (a stand-in, see http.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/http.h"

#define HTTP_TOKEN_MAX 512
#define HTTP_QUERY_MAX 2048

struct http_server {
	struct MHD_Daemon *d;
	char token[HTTP_TOKEN_MAX];
	size_t token_len;
	struct http_route *routes;
	size_t nroutes;
	atomic_ullong requests, unauthorized, not_found, errors;
};

int http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
		      size_t errlen)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(s, ':');
	char host[128], *end;
	unsigned long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (!colon || colon == s) {
		snprintf(err, errlen, "bad listen address '%s': use ADDRESS:PORT, such as "
			 "127.0.0.1:9464 or [::1]:9464", s);
		return -1;
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 1 || port > 65535) {
		snprintf(err, errlen, "bad port in '%s': a number from 1 to 65535", s);
		return -1;
	}
	hl = (size_t)(colon - s);
	if (hl >= sizeof(host)) {
		snprintf(err, errlen, "bad listen address '%s': too long", s);
		return -1;
	}
	memcpy(host, s, hl);
	host[hl] = 0;
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		host[hl - 1] = 0;
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) == 1) {
			in6->sin6_family = AF_INET6;
			in6->sin6_port = htons((uint16_t)port);
			*len = sizeof(*in6);
			return 0;
		}
	} else if (!strcmp(host, "localhost") || inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		if (!strcmp(host, "localhost"))
			in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return 0;
	}
	snprintf(err, errlen, "bad address in '%s': an IPv4 address (127.0.0.1, 0.0.0.0 for all) "
		 "or an IPv6 one in brackets ([::1])", s);
	return -1;
}

bool http_listen_is_loopback(const char *listen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];

	if (http_parse_listen(listen, &ss, &len, err, sizeof(err)))
		return false;
	if (ss.ss_family == AF_INET)
		return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr) ||
	       (IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&ss)->sin6_addr) &&
		((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr[12] == 127);
}

int http_read_token_file(const char *path, char *tok, size_t len, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "token file %s: cannot read it: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "token file %s: not a regular file", path);
		goto fail;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "token file %s: owned by uid %u; it must be owned by root "
			 "(or the user the daemon runs as)", path, (unsigned)st.st_uid);
		goto fail;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH)) {
		snprintf(err, errlen, "token file %s: readable by group or others (mode %03o); "
			 "'chmod 600 %s'", path, (unsigned)(st.st_mode & 0777), path);
		goto fail;
	}
	n = read(fd, tok, len - 1);
	if (n < 0) {
		snprintf(err, errlen, "token file %s: cannot read it: %s", path, strerror(errno));
		goto fail;
	}
	tok[n] = 0;
	tok[strcspn(tok, "\r\n")] = 0;
	n = (ssize_t)strlen(tok);
	while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
		tok[--n] = 0;
	if (!tok[0] || strpbrk(tok, " \t")) {
		snprintf(err, errlen, "token file %s: %s", path, tok[0] ? "the token holds a "
			 "blank; put the token alone on the first line" : "empty: put the token on "
			 "its first line");
		goto fail;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/* Constant time in the length of the expected token. */
static bool token_ok(const struct http_server *s, const char *auth)
{
	const char *given;
	size_t glen, i;
	unsigned char diff = 0;

	if (!auth || strncasecmp(auth, "Bearer ", 7))
		return false;
	given = auth + 7;
	glen = strlen(given);
	for (i = 0; i < s->token_len; i++)
		diff |= (unsigned char)(s->token[i] ^ (i < glen ? given[i] : 0));
	return !diff && glen == s->token_len;
}

struct query {
	char buf[HTTP_QUERY_MAX];
	size_t n;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct query *q = cls;
	int w;

	(void)kind;
	w = snprintf(q->buf + q->n, sizeof(q->buf) - q->n, "%s%s%s%s", q->n ? "&" : "", key,
		     value ? "=" : "", value ? value : "");
	if (w > 0 && (size_t)w < sizeof(q->buf) - q->n)
		q->n += (size_t)w;
	return MHD_YES;
}

static enum MHD_Result reply(struct MHD_Connection *c, struct http_response *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (rs->body)
		r = MHD_create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_MUST_FREE);
	else
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(rs->body);
		return MHD_NO;
	}
	if (rs->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
	if (rs->content_encoding)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, rs->content_encoding);
	if (rs->status == 401)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"perfpilot\"");
	if (rs->status == 405)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, (unsigned int)rs->status, r);
	MHD_destroy_response(r);
	return ret;
}

static void plain(struct http_response *rs, int status, const char *text)
{
	rs->status = status;
	rs->content_type = "text/plain; charset=utf-8";
	rs->body = strdup(text);
	rs->len = rs->body ? strlen(rs->body) : 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	static int first;
	struct http_server *s = cls;
	struct http_response rs = { .status = 200, .content_type = "text/plain; charset=utf-8" };
	struct http_request rq = { .method = method, .path = url };
	const struct http_route *route = NULL;
	struct query q = { .n = 0 };
	const char *accept;
	size_t i;

	(void)version;
	(void)upload_data;
	if (!*con_cls) { /* the headers: the call with the body (none) comes next */
		*con_cls = &first;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	atomic_fetch_add(&s->requests, 1);
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		atomic_fetch_add(&s->errors, 1);
		plain(&rs, 405, "only GET and HEAD\n");
		return reply(c, &rs);
	}
	if (s->token_len &&
	    !token_ok(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"))) {
		atomic_fetch_add(&s->unauthorized, 1);
		plain(&rs, 401, "a bearer token is needed: Authorization: Bearer TOKEN\n");
		return reply(c, &rs);
	}
	for (i = 0; i < s->nroutes && !route; i++)
		if (!strcmp(s->routes[i].path, url))
			route = &s->routes[i];
	if (!route) {
		atomic_fetch_add(&s->not_found, 1);
		plain(&rs, 404, "not found\n");
		return reply(c, &rs);
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &q);
	rq.query = q.n ? q.buf : NULL;
	accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	rq.accept = accept ? accept : "";
	route->fn(&rq, &rs, route->arg);
	if (rs.status >= 400)
		atomic_fetch_add(&s->errors, 1);
	return reply(c, &rs);
}

static int bind_listen(const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	if (http_parse_listen(addr, &ss, &len, err, errlen))
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open a socket: %s", addr, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
		if (errno == EADDRINUSE)
			snprintf(err, errlen, "%s: address already in use: is another perfpilot "
				 "daemon running? choose another with --listen", addr);
		else if (errno == EADDRNOTAVAIL)
			snprintf(err, errlen, "%s: no such address on this host: choose another "
				 "with --listen", addr);
		else
			snprintf(err, errlen, "%s: cannot listen: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct http_server *http_start(const struct http_opts *o, char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof(*s));
	size_t i;
	int fd;

	if (!s || (o->nroutes && !(s->routes = calloc(o->nroutes, sizeof(*s->routes))))) {
		snprintf(err, errlen, "out of memory");
		free(s);
		return NULL;
	}
	for (i = 0; i < o->nroutes; i++)
		s->routes[i] = o->routes[i];
	s->nroutes = o->nroutes;
	if (o->token && o->token[0]) {
		s->token_len = strlen(o->token);
		if (s->token_len >= sizeof(s->token)) {
			snprintf(err, errlen, "the token is too long (at most %d bytes)",
				 HTTP_TOKEN_MAX - 1);
			goto fail;
		}
		memcpy(s->token, o->token, s->token_len);
	}
	fd = bind_listen(o->listen, err, errlen);
	if (fd < 0)
		goto fail;
	/* poll(), not select(): the BPF programs' descriptors push the
	 * connections' beyond FD_SETSIZE on hosts with many CPUs */
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
				MHD_USE_POLL,
				0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)32,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "%s: the HTTP server did not start", o->listen);
		close(fd);
		goto fail;
	}
	return s;
fail:
	free(s->routes);
	free(s);
	return NULL;
}

void http_stop(struct http_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d); /* closes the listening socket */
	free(s->routes);
	free(s);
}

void http_get_stats(struct http_server *s, struct http_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!s)
		return;
	st->requests = atomic_load(&s->requests);
	st->unauthorized = atomic_load(&s->unauthorized);
	st->not_found = atomic_load(&s->not_found);
	st->errors = atomic_load(&s->errors);
}
