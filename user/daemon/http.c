// SPDX-License-Identifier: GPL-2.0
/* The daemon's HTTP endpoint on libmicrohttpd (see http.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <zlib.h>
#include "daemon/http.h"

#define GUNZIP_MAX (256u << 20) /* a handler's body decompressed, at most */

struct http_server {
	struct MHD_Daemon *mhd;
	char *token;  /* NULL: no auth */
	size_t toklen;
	struct http_route *routes;
	size_t nroutes;
	uint16_t port;
	/* counters, updated atomically by the connection threads */
	unsigned long long requests, unauthorized, not_found, errors;
	unsigned long long codes[600]; /* by status */
};

/* What a request keeps from libmicrohttpd's URI callback to its end */
struct req {
	bool answered;
	char uri[]; /* as sent: path?query */
};

static void count(unsigned long long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static unsigned long long read_count(const unsigned long long *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	size_t n = strlen(uri);
	struct req *r = malloc(sizeof(*r) + n + 1);

	(void)cls;
	(void)c;
	if (r) {
		r->answered = false;
		memcpy(r->uri, uri, n + 1);
	}
	return r;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode how)
{
	(void)cls;
	(void)c;
	(void)how;
	free(*con_cls);
	*con_cls = NULL;
}

/* Whether an Authorization header value carries the server's token:
 * compared in a time that depends on the token's length only */
static bool authorized(const struct http_server *s, const char *h)
{
	volatile unsigned char d = 0;
	const char *p;
	size_t n, i;

	if (!h || strncasecmp(h, "Bearer", 6) || (h[6] != ' ' && h[6] != '\t'))
		return false;
	for (p = h + 7; *p == ' ' || *p == '\t'; p++)
		;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	d |= n != s->toklen;
	for (i = 0; i < s->toklen; i++)
		d |= (unsigned char)s->token[i] ^ (unsigned char)(i < n ? p[i] : 0);
	return !d;
}

/* Whether an Accept-Encoding header takes gzip (RFC 9110: gzip, x-gzip or
 * "*" with a q-value above 0) */
static bool accepts_gzip(const char *h)
{
	double q, q_gzip = -1, q_any = -1;
	char name[32];
	const char *p = h, *semi;
	size_t n;

	while (p && *p) {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t;,");
		snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), p);
		p += n;
		q = 1;
		n = strcspn(p, ",");
		semi = memchr(p, ';', n);
		if (semi) {
			semi += strspn(semi + 1, " \t") + 1;
			if ((*semi == 'q' || *semi == 'Q') && semi[1] == '=')
				q = strtod(semi + 2, NULL);
		}
		p += n;
		if (!strcasecmp(name, "gzip") || !strcasecmp(name, "x-gzip"))
			q_gzip = q > q_gzip ? q : q_gzip;
		else if (!strcmp(name, "*"))
			q_any = q;
	}
	return q_gzip >= 0 ? q_gzip > 0 : q_any > 0;
}

/* The gzip data in[0..n) decompressed into *out (malloc'd); 0 or -1 */
static int gunzip(const char *in, size_t n, char **out, size_t *outlen)
{
	z_stream z = { 0 };
	size_t cap = n * 4 + 4096, used = 0;
	char *buf = malloc(cap), *p;
	uInt room;
	int rc;

	if (!buf || n > UINT_MAX || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return -1;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	do {
		if (used == cap) {
			p = cap < GUNZIP_MAX ? realloc(buf, cap * 2) : NULL;
			if (!p) {
				rc = Z_MEM_ERROR;
				break;
			}
			buf = p;
			cap *= 2;
		}
		room = cap - used > UINT_MAX ? UINT_MAX : (uInt)(cap - used);
		z.next_out = (Bytef *)buf + used;
		z.avail_out = room;
		rc = inflate(&z, Z_NO_FLUSH);
		used += room - z.avail_out;
	} while (rc == Z_OK);
	inflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = used;
	return 0;
}

/* Queue r with status and count it; the connection is closed when r is
 * NULL (no memory) */
static enum MHD_Result answer(struct http_server *s, struct MHD_Connection *c, unsigned status,
			      struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (!r) {
		count(&s->errors);
		return MHD_NO;
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	if (status < 600)
		count(&s->codes[status]);
	if (status == MHD_HTTP_UNAUTHORIZED)
		count(&s->unauthorized);
	else if (status == MHD_HTTP_NOT_FOUND)
		count(&s->not_found);
	else if (status >= 500)
		count(&s->errors);
	return ret;
}

/* A short text/plain response: text copied */
static struct MHD_Response *text(const char *t)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(t), (void *)t, MHD_RESPMEM_MUST_COPY);

	if (r)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	return r;
}

static enum MHD_Result unauthorized(struct http_server *s, struct MHD_Connection *c, bool sent)
{
	struct MHD_Response *r = text("unauthorized: send the daemon's token as \"Authorization: Bearer TOKEN\"\n");

	if (r)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					sent ? "Bearer realm=\"perfpilot\", error=\"invalid_token\"" :
					       "Bearer realm=\"perfpilot\"");
	return answer(s, c, MHD_HTTP_UNAUTHORIZED, r);
}

static enum MHD_Result not_found(struct http_server *s, struct MHD_Connection *c, const char *path)
{
	char msg[1024];
	size_t n, i;

	n = (size_t)snprintf(msg, sizeof(msg), "not found: %.256s; the paths here:", path);
	for (i = 0; i < s->nroutes && n < sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, " %s", s->routes[i].path);
	if (n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, "\n");
	return answer(s, c, MHD_HTTP_NOT_FOUND, text(msg));
}

/* The handler's response sent: its body as it is, or decompressed for a
 * client that does not take gzip */
static enum MHD_Result send_response(struct http_server *s, struct MHD_Connection *c, const struct http_request *rq,
				     struct http_response *rs)
{
	bool gz = rs->content_encoding && !strcasecmp(rs->content_encoding, "gzip");
	const char *encoding = rs->content_encoding;
	struct MHD_Response *r;
	size_t len = rs->body ? rs->len : 0;
	char *body = rs->body, *plain;

	if (rs->status < 100 || rs->status > 599) {
		free(body);
		return answer(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, text("internal error: no valid status\n"));
	}
	if (gz && !accepts_gzip(rq->accept_encoding)) {
		if (gunzip(body ? body : "", len, &plain, &len)) {
			free(body);
			return answer(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				      text("internal error: the response is not valid gzip data\n"));
		}
		free(body);
		body = plain;
		encoding = NULL;
	}
	r = body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE) :
		   MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(body);
		return answer(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL);
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				rs->content_type ? rs->content_type : "application/octet-stream");
	if (encoding)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, encoding);
	if (gz)
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	return answer(s, c, (unsigned)rs->status, r);
}

static const char *header(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	return v ? v : "";
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;
	const struct http_route *route = NULL;
	struct http_response rs = { .status = 200, .content_type = "text/plain; charset=utf-8" };
	struct http_request rq;
	const char *auth, *q;
	size_t i;

	(void)version;
	(void)upload_data;
	if (r && r->answered) { /* a body after the answer: dropped */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r)
		r->answered = true;
	count(&s->requests);
	if (s->token) {
		auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		if (!authorized(s, auth))
			return unauthorized(s, c, auth != NULL);
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		struct MHD_Response *resp = text("method not allowed: only GET and HEAD\n");

		if (resp)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		return answer(s, c, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
	}
	for (i = 0; i < s->nroutes && !route; i++)
		if (!strcmp(s->routes[i].path, url))
			route = &s->routes[i];
	if (!route)
		return not_found(s, c, url);
	q = r ? strchr(r->uri, '?') : NULL;
	rq = (struct http_request){
		.method = method,
		.path = url,
		.query = q ? q + 1 : NULL,
		.accept = header(c, MHD_HTTP_HEADER_ACCEPT),
		.accept_encoding = header(c, MHD_HTTP_HEADER_ACCEPT_ENCODING),
	};
	route->fn(&rq, &rs, route->arg);
	return send_response(s, c, &rq, &rs);
}

/* A listening socket on listen, its port in *port; -1 with a one-line
 * error */
static int listen_socket(const char *listen_addr, uint16_t *port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, e;

	if (http_parse_listen(listen_addr, &ss, &len, err, errlen))
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a socket: %s%s", listen_addr, strerror(errno),
			 ss.ss_family == AF_INET6 ? " (is IPv6 off on this host?)" : "");
		return -1;
	}
	/* a restart binds again while connections of the last run linger in
	 * TIME_WAIT; a socket that listens still refuses the bind */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 32)) {
		e = errno;
		close(fd);
		if (e == EADDRINUSE)
			snprintf(err, errlen, "%s: address already in use: is another perfpilot daemon running? "
				 "choose another with --listen", listen_addr);
		else if (e == EADDRNOTAVAIL)
			snprintf(err, errlen, "%s: no interface of this host has this address: choose one it has "
				 "(or 0.0.0.0 for every interface) with --listen", listen_addr);
		else if (e == EACCES)
			snprintf(err, errlen, "%s: permission denied: a port below 1024 needs CAP_NET_BIND_SERVICE; "
				 "choose another with --listen", listen_addr);
		else
			snprintf(err, errlen, "%s: cannot listen: %s", listen_addr, strerror(e));
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
						((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

struct http_server *http_start(const struct http_opts *o, char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof(*s));
	size_t i;
	int fd;

	if (!s || (o->nroutes && !(s->routes = calloc(o->nroutes, sizeof(*s->routes)))) ||
	    (o->token && *o->token && !(s->token = strdup(o->token)))) {
		snprintf(err, errlen, "%s: out of memory", o->listen ? o->listen : "");
		goto fail;
	}
	for (i = 0; i < o->nroutes; i++)
		s->routes[i] = o->routes[i];
	s->nroutes = o->nroutes;
	s->toklen = s->token ? strlen(s->token) : 0;
	fd = listen_socket(o->listen, &s->port, err, errlen);
	if (fd < 0)
		goto fail;
	s->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL,
				  0, NULL, NULL, on_request, s,
				  MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
				  MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
				  MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
				  MHD_OPTION_END);
	if (!s->mhd) {
		close(fd);
		snprintf(err, errlen, "%s: cannot start the HTTP server (libmicrohttpd)", o->listen);
		goto fail;
	}
	return s;
fail:
	http_stop(s);
	return NULL;
}

void http_stop(struct http_server *s)
{
	if (!s)
		return;
	if (s->mhd)
		MHD_stop_daemon(s->mhd); /* closes the listening socket too */
	if (s->token)
		explicit_bzero(s->token, s->toklen);
	free(s->token);
	free(s->routes);
	free(s);
}

uint16_t http_port(const struct http_server *s)
{
	return s ? s->port : 0;
}

void http_get_stats(struct http_server *s, struct http_stats *st)
{
	st->requests = read_count(&s->requests);
	st->unauthorized = read_count(&s->unauthorized);
	st->not_found = read_count(&s->not_found);
	st->errors = read_count(&s->errors);
}

size_t http_get_codes(struct http_server *s, int *code, unsigned long long *n, size_t max)
{
	unsigned long long v;
	size_t i, got = 0;

	for (i = 100; i < 600 && got < max; i++) {
		v = read_count(&s->codes[i]);
		if (!v)
			continue;
		code[got] = (int)i;
		n[got++] = v;
	}
	return got;
}
