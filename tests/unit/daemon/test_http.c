// SPDX-License-Identifier: GPL-2.0
/* http.c, http_listen.c, http_token.c: a real server on 127.0.0.1 with a
 * port the system chose, asked by libcurl and by plain sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>
#include <curl/curl.h>
#include <zlib.h>
#include "unit.h"
#include "daemon/http.h"

/* ---- the client ---- */

struct reply {
	long status;
	char body[16384];
	size_t len;
	char headers[4096];
	size_t hlen;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t k = size * n;

	if (r->len + k >= sizeof(r->body))
		return 0;
	memcpy(r->body + r->len, p, k);
	r->len += k;
	r->body[r->len] = '\0';
	return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t k = size * n;

	if (r->hlen + k < sizeof(r->headers)) {
		memcpy(r->headers + r->hlen, p, k);
		r->hlen += k;
		r->headers[r->hlen] = '\0';
	}
	return k;
}

/*
 * method (GET, HEAD, POST...) on http://HOST:port/path with the extra
 * request headers (NULL-terminated, may be none); the status in r->status
 * (0 when the request failed: refused, reset, timed out). Returns curl's
 * code. curl decodes nothing: Accept-Encoding is only what is given.
 */
static CURLcode request(const char *host, uint16_t port, const char *method, const char *path, struct reply *r,
			long timeout_ms, ...)
{
	struct curl_slist *hdrs = NULL;
	char url[512];
	const char *h;
	CURLcode rc;
	va_list ap;
	CURL *c;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "http://%s:%u%s", host, port, path);
	va_start(ap, timeout_ms);
	while ((h = va_arg(ap, const char *)))
		hdrs = curl_slist_append(hdrs, h);
	va_end(ap);
	c = curl_easy_init();
	assert_non_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "POST"))
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "a=b");
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	return rc;
}

#define GET(port, path, r, ...) request("127.0.0.1", port, "GET", path, r, 10000, ##__VA_ARGS__, NULL)

/* Whether the reply has this header line (name case-insensitive, value
 * exact) */
static bool has_header(const struct reply *r, const char *name, const char *value)
{
	char copy[sizeof(r->headers)], *line, *save = NULL;
	size_t n = strlen(name);

	memcpy(copy, r->headers, sizeof(copy));
	for (line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save))
		if (!strncasecmp(line, name, n) && line[n] == ':' && !strcmp(line + n + 1 + strspn(line + n + 1, " "), value))
			return true;
	return false;
}

/* ---- the handlers ---- */

static void reply_text(struct http_response *rs, const char *t)
{
	rs->body = strdup(t);
	assert_non_null(rs->body);
	rs->len = strlen(t);
}

static void h_metrics(const struct http_request *rq, struct http_response *rs, void *arg)
{
	(void)rq;
	(void)arg;
	rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
	reply_text(rs, "perfpilot_up 1\n");
}

/* what the handler saw, as text */
static void h_echo(const struct http_request *rq, struct http_response *rs, void *arg)
{
	char buf[1024], seconds[32] = "-";

	(void)arg;
	http_query_get(rq->query, "seconds", seconds, sizeof(seconds));
	snprintf(buf, sizeof(buf), "method=%s path=%s query=%s accept=%s accept_encoding=%s seconds=%s\n",
		 rq->method, rq->path, rq->query ? rq->query : "(null)", rq->accept, rq->accept_encoding, seconds);
	reply_text(rs, buf);
}

static void h_bad_status(const struct http_request *rq, struct http_response *rs, void *arg)
{
	(void)rq;
	(void)arg;
	rs->status = 42;
	reply_text(rs, "never sent\n");
}

static void h_unavailable(const struct http_request *rq, struct http_response *rs, void *arg)
{
	(void)rq;
	(void)arg;
	rs->status = 503;
	reply_text(rs, "no profile yet\n");
}

static void h_empty(const struct http_request *rq, struct http_response *rs, void *arg)
{
	(void)rq;
	(void)arg;
	rs->status = 204;
}

#define GZ_TEXT "perfpilot_cgroup_cpu_seconds_total{cgroup=\"/\"} 1.5\n"

static unsigned char gz_body[256];
static size_t gz_len;

static void make_gz(void)
{
	z_stream z = { 0 };

	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)GZ_TEXT;
	z.avail_in = strlen(GZ_TEXT);
	z.next_out = gz_body;
	z.avail_out = sizeof(gz_body);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	gz_len = sizeof(gz_body) - z.avail_out;
	deflateEnd(&z);
}

static void h_gzip(const struct http_request *rq, struct http_response *rs, void *arg)
{
	(void)rq;
	rs->body = malloc(gz_len);
	assert_non_null(rs->body);
	memcpy(rs->body, gz_body, gz_len);
	rs->len = gz_len;
	if (arg) /* truncated: not gzip a decoder can finish */
		rs->len = gz_len / 2;
	rs->content_encoding = "gzip";
}

/* /slow waits until the test lets it go */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool entered, release, done;
} slow = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false, false };

/* Wait (at most 10 s) until *flag is true; whether it is */
static bool wait_for(bool *flag)
{
	struct timespec t;
	bool v;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 10;
	pthread_mutex_lock(&slow.lock);
	while (!*flag && pthread_cond_timedwait(&slow.cond, &slow.lock, &t) == 0)
		;
	v = *flag;
	pthread_mutex_unlock(&slow.lock);
	return v;
}

static void set_flag(bool *flag)
{
	pthread_mutex_lock(&slow.lock);
	*flag = true;
	pthread_cond_broadcast(&slow.cond);
	pthread_mutex_unlock(&slow.lock);
}

static void h_slow(const struct http_request *rq, struct http_response *rs, void *arg)
{
	(void)rq;
	(void)arg;
	set_flag(&slow.entered);
	wait_for(&slow.release);
	reply_text(rs, "slow\n");
}

static const struct http_route routes[] = {
	{ "/metrics", h_metrics, NULL },
	{ "/echo", h_echo, NULL },
	{ "/bad-status", h_bad_status, NULL },
	{ "/unavailable", h_unavailable, NULL },
	{ "/empty", h_empty, NULL },
	{ "/gzip", h_gzip, NULL },
	{ "/gzip-broken", h_gzip, (void *)1 },
	{ "/slow", h_slow, NULL },
};

static struct http_server *start(const char *listen, const char *token)
{
	struct http_opts o = {
		.listen = listen, .token = token, .routes = routes, .nroutes = sizeof(routes) / sizeof(routes[0]),
	};
	char err[256] = "";
	struct http_server *s = http_start(&o, err, sizeof(err));

	if (!s)
		fail_msg("http_start(%s): %s", listen, err);
	assert_int_not_equal(http_port(s), 0);
	return s;
}

/* ---- listen addresses ---- */

static void assert_listen(const char *s, int family, const char *addr, unsigned port)
{
	struct sockaddr_storage ss;
	char err[256] = "", text[INET6_ADDRSTRLEN];
	socklen_t len;

	if (http_parse_listen(s, &ss, &len, err, sizeof(err)))
		fail_msg("%s: %s", s, err);
	assert_int_equal(ss.ss_family, family);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		assert_int_equal(len, sizeof(*in));
		assert_string_equal(inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)), addr);
		assert_int_equal(ntohs(in->sin_port), port);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		assert_int_equal(len, sizeof(*in6));
		assert_string_equal(inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text)), addr);
		assert_int_equal(ntohs(in6->sin6_port), port);
	}
}

static void assert_listen_error(const char *s, const char *want)
{
	struct sockaddr_storage ss;
	char err[256] = "";
	socklen_t len;

	if (!http_parse_listen(s, &ss, &len, err, sizeof(err)))
		fail_msg("%s: taken", s);
	if (strcmp(err, want))
		fail_msg("%s: \"%s\", expected \"%s\"", s, err, want);
	assert_null(strchr(err, '\n'));
}

#define EXAMPLES "e.g. 127.0.0.1:9464 (this host only), 0.0.0.0:9464 (every interface) or [::1]:9464"

static void test_parse_listen(void **state)
{
	(void)state;
	assert_listen("127.0.0.1:9464", AF_INET, "127.0.0.1", 9464);
	assert_listen("0.0.0.0:9464", AF_INET, "0.0.0.0", 9464);
	assert_listen("10.1.2.3:80", AF_INET, "10.1.2.3", 80);
	assert_listen("localhost:9464", AF_INET, "127.0.0.1", 9464);
	assert_listen("LocalHost:1", AF_INET, "127.0.0.1", 1);
	assert_listen("127.0.0.1:0", AF_INET, "127.0.0.1", 0);
	assert_listen("127.0.0.1:65535", AF_INET, "127.0.0.1", 65535);
	assert_listen("[::1]:9464", AF_INET6, "::1", 9464);
	assert_listen("[::]:9464", AF_INET6, "::", 9464);
	assert_listen("[fe80::1%lo]:9464", AF_INET6, "fe80::1", 9464);
	assert_listen("[::ffff:127.0.0.1]:9464", AF_INET6, "::ffff:127.0.0.1", 9464);

	assert_listen_error(NULL, "no listen address: give ADDR:PORT, " EXAMPLES);
	assert_listen_error("", "no listen address: give ADDR:PORT, " EXAMPLES);
	assert_listen_error("127.0.0.1", "127.0.0.1: no port: give ADDR:PORT, " EXAMPLES);
	assert_listen_error(":9464", ":9464: no address before the port: " EXAMPLES);
	assert_listen_error("[]:9464", "[]:9464: no address before the port: " EXAMPLES);
	assert_listen_error("127.0.0.1:", "127.0.0.1:: the port must be a number from 0 to 65535");
	assert_listen_error("127.0.0.1:65536", "127.0.0.1:65536: the port must be a number from 0 to 65535");
	assert_listen_error("127.0.0.1:-1", "127.0.0.1:-1: the port must be a number from 0 to 65535");
	assert_listen_error("127.0.0.1:94x", "127.0.0.1:94x: the port must be a number from 0 to 65535");
	assert_listen_error("127.0.0.1:009464", "127.0.0.1:009464: the port must be a number from 0 to 65535");
	assert_listen_error("127.0.0.1:http", "127.0.0.1:http: the port must be a number from 0 to 65535");
	assert_listen_error("example.com:9464", "example.com:9464: example.com is not an IPv4 address "
			    "(no host name but localhost is resolved): " EXAMPLES);
	assert_listen_error("127.1:9464", "127.1:9464: 127.1 is not an IPv4 address "
			    "(no host name but localhost is resolved): " EXAMPLES);
	assert_listen_error("256.0.0.1:9464", "256.0.0.1:9464: 256.0.0.1 is not an IPv4 address "
			    "(no host name but localhost is resolved): " EXAMPLES);
	assert_listen_error("::1:9464", "::1:9464: an IPv6 address goes in brackets, e.g. [::1]:9464");
	assert_listen_error("[::1]9464", "[::1]9464: no port after the address: e.g. [::1]:9464");
	assert_listen_error("[::1:9464", "[::1:9464: no ']' after the IPv6 address: e.g. [::1]:9464");
	assert_listen_error("[localhost]:9464", "[localhost]:9464: localhost is not an IPv6 address: e.g. [::1]:9464");
	assert_listen_error("[127.0.0.1]:9464", "[127.0.0.1]:9464: 127.0.0.1 is not an IPv6 address: e.g. [::1]:9464");
}

static void test_loopback(void **state)
{
	(void)state;
	assert_true(http_listen_is_loopback("127.0.0.1:9464"));
	assert_true(http_listen_is_loopback("127.3.4.5:9464"));
	assert_true(http_listen_is_loopback("localhost:9464"));
	assert_true(http_listen_is_loopback("[::1]:9464"));
	assert_true(http_listen_is_loopback("[::ffff:127.0.0.1]:9464"));
	assert_true(http_listen_is_loopback(HTTP_DEFAULT_LISTEN));
	assert_false(http_listen_is_loopback("0.0.0.0:9464"));
	assert_false(http_listen_is_loopback("[::]:9464"));
	assert_false(http_listen_is_loopback("10.0.0.1:9464"));
	assert_false(http_listen_is_loopback("128.0.0.1:9464"));
	assert_false(http_listen_is_loopback("[::ffff:10.0.0.1]:9464"));
	assert_false(http_listen_is_loopback("[fe80::1%lo]:9464"));
	assert_false(http_listen_is_loopback(":9464"));
	assert_false(http_listen_is_loopback("127.0.0.1"));
	assert_false(http_listen_is_loopback(NULL));
}

/* ---- token files ---- */

/* A token file with this content and mode; its name in path */
static void token_file(char *path, size_t len, const char *content, mode_t mode)
{
	FILE *f;

	unit_tmp_file(path, len, "token");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void assert_token(const char *content, mode_t mode, const char *want)
{
	char path[64], tok[HTTP_TOKEN_MAX + 1], err[512] = "";

	token_file(path, sizeof(path), content, mode);
	if (http_read_token_file(path, tok, sizeof(tok), err, sizeof(err)))
		fail_msg("\"%s\" mode %o: %s", content, (unsigned)mode, err);
	assert_string_equal(tok, want);
	unlink(path);
}

/* The error for a token file, "FILE" in want standing for its name */
static void assert_token_error(const char *content, mode_t mode, size_t toklen, const char *want)
{
	char path[64], tok[HTTP_TOKEN_MAX + 1], err[512] = "", expect[1024], *p, *o = expect;
	const char *w;

	token_file(path, sizeof(path), content, mode);
	assert_true(toklen <= sizeof(tok));
	if (!http_read_token_file(path, tok, toklen, err, sizeof(err)))
		fail_msg("\"%s\" mode %o: taken", content, (unsigned)mode);
	for (w = want; (p = strstr(w, "FILE")); w = p + 4)
		o += sprintf(o, "%.*s%s", (int)(p - w), w, path);
	strcpy(o, w);
	assert_string_equal(err, expect);
	unlink(path);
}

static void test_token_file(void **state)
{
	char path[64], tok[HTTP_TOKEN_MAX + 1], err[512], big[HTTP_TOKEN_MAX + 8], want[256];

	(void)state;
	assert_token("s3cret-Token/+=\n", 0600, "s3cret-Token/+=");
	assert_token("abc", 0400, "abc");
	assert_token("abc\r\n", 0600, "abc");
	assert_token("abc\n\n", 0600, "abc");
	/* the longest token */
	memset(big, 'x', HTTP_TOKEN_MAX);
	strcpy(big + HTTP_TOKEN_MAX, "\r\n");
	memset(tok, 'x', HTTP_TOKEN_MAX);
	tok[HTTP_TOKEN_MAX] = '\0';
	assert_token(big, 0600, tok);

	assert_token_error("abc\n", 0640, sizeof(tok), "FILE: mode 0640 lets group or others read or change it: chmod 600 FILE");
	assert_token_error("abc\n", 0604, sizeof(tok), "FILE: mode 0604 lets group or others read or change it: chmod 600 FILE");
	assert_token_error("abc\n", 0620, sizeof(tok), "FILE: mode 0620 lets group or others read or change it: chmod 600 FILE");
	assert_token_error("abc\n", 0644, sizeof(tok), "FILE: mode 0644 lets group or others read or change it: chmod 600 FILE");
	assert_token_error("", 0600, sizeof(tok),
			   "FILE: empty: write a token into it (e.g. head -c 32 /dev/urandom | base64 > FILE)");
	assert_token_error("\n", 0600, sizeof(tok),
			   "FILE: empty: write a token into it (e.g. head -c 32 /dev/urandom | base64 > FILE)");
	assert_token_error("two words\n", 0600, sizeof(tok), "FILE: byte 4 of the token is a space, a line break, a "
			   "control character or not ASCII: a token is one line of printable ASCII (e.g. from head -c 32 "
			   "/dev/urandom | base64)");
	assert_token_error("line1\nline2\n", 0600, sizeof(tok), "FILE: byte 6 of the token is a space, a line break, "
			   "a control character or not ASCII: a token is one line of printable ASCII (e.g. from head -c "
			   "32 /dev/urandom | base64)");
	assert_token_error("caf\xc3\xa9\n", 0600, sizeof(tok), "FILE: byte 4 of the token is a space, a line break, a "
			   "control character or not ASCII: a token is one line of printable ASCII (e.g. from head -c 32 "
			   "/dev/urandom | base64)");
	assert_token_error("abcdefgh\n", 0600, 8, "FILE: the token is longer than 7 bytes");
	big[HTTP_TOKEN_MAX] = 'x';
	big[HTTP_TOKEN_MAX + 1] = '\0';
	assert_token_error(big, 0600, sizeof(tok), "FILE: the token is longer than 512 bytes");

	assert_int_equal(http_read_token_file("/nonexistent/pp-token", tok, sizeof(tok), err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/pp-token: no such token file: write a token into it (e.g. umask 077; "
			    "head -c 32 /dev/urandom | base64 > /nonexistent/pp-token)");
	assert_int_equal(http_read_token_file("/tmp", tok, sizeof(tok), err, sizeof(err)), -1);
	assert_string_equal(err, "/tmp: not a regular file: give the file that holds the token");

	/* owned by someone else (root can make such a file) */
	if (geteuid() == 0) {
		token_file(path, sizeof(path), "abc\n", 0600);
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(http_read_token_file(path, tok, sizeof(tok), err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: owned by uid 65534, neither root nor the user the daemon runs as "
			 "(uid 0): chown root %s", path, path);
		assert_string_equal(err, want);
		unlink(path);
	} else {
		print_message("not root: the owner check is not tried\n");
	}
}

/* ---- the server ---- */

static void test_routes(void **state)
{
	struct http_server *s = start("127.0.0.1:0", NULL);
	uint16_t port = http_port(s);
	struct http_stats st;
	struct reply r;
	int codes[8];
	unsigned long long counts[8];

	(void)state;
	assert_int_equal(GET(port, "/metrics", &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "perfpilot_up 1\n");
	assert_true(has_header(&r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8"));
	/* what a handler is given */
	assert_int_equal(GET(port, "/echo?seconds=5&pid=42&x=a%20b+c", &r, "Accept: application/openmetrics-text",
			     "Accept-Encoding: gzip"), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "method=GET path=/echo query=seconds=5&pid=42&x=a%20b+c "
			    "accept=application/openmetrics-text accept_encoding=gzip seconds=5\n");
	assert_int_equal(GET(port, "/echo", &r), CURLE_OK);
	assert_string_equal(r.body, "method=GET path=/echo query=(null) accept=*/* accept_encoding= seconds=-\n");
	/* HEAD: the handler's headers, no body */
	assert_int_equal(request("127.0.0.1", port, "HEAD", "/metrics", &r, 10000, NULL), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	assert_true(has_header(&r, "Content-Length", "15"));
	/* other methods */
	assert_int_equal(request("127.0.0.1", port, "POST", "/metrics", &r, 10000, NULL), CURLE_OK);
	assert_int_equal(r.status, 405);
	assert_true(has_header(&r, "Allow", "GET, HEAD"));
	assert_int_equal(request("127.0.0.1", port, "DELETE", "/metrics", &r, 10000, NULL), CURLE_OK);
	assert_int_equal(r.status, 405);
	/* unknown paths: exact match only */
	assert_int_equal(GET(port, "/", &r), CURLE_OK);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body, "not found: /; the paths here: /metrics /echo"));
	assert_int_equal(GET(port, "/metrics/", &r), CURLE_OK);
	assert_int_equal(r.status, 404);
	assert_int_equal(GET(port, "/METRICS", &r), CURLE_OK);
	assert_int_equal(r.status, 404);
	/* a handler's status: kept when valid, 500 when not */
	assert_int_equal(GET(port, "/unavailable", &r), CURLE_OK);
	assert_int_equal(r.status, 503);
	assert_string_equal(r.body, "no profile yet\n");
	assert_int_equal(GET(port, "/bad-status", &r), CURLE_OK);
	assert_int_equal(r.status, 500);
	assert_int_equal(GET(port, "/empty", &r), CURLE_OK);
	assert_int_equal(r.status, 204);
	assert_int_equal(r.len, 0);

	http_get_stats(s, &st);
	assert_int_equal(st.requests, 12);
	assert_int_equal(st.unauthorized, 0);
	assert_int_equal(st.not_found, 3);
	assert_int_equal(st.errors, 2);
	assert_int_equal(http_get_codes(s, codes, counts, 8), 6);
	assert_int_equal(codes[0], 200);
	assert_int_equal(counts[0], 4);
	assert_int_equal(codes[1], 204);
	assert_int_equal(counts[1], 1);
	assert_int_equal(codes[2], 404);
	assert_int_equal(counts[2], 3);
	assert_int_equal(codes[3], 405);
	assert_int_equal(counts[3], 2);
	assert_int_equal(codes[4], 500);
	assert_int_equal(counts[4], 1);
	assert_int_equal(codes[5], 503);
	assert_int_equal(counts[5], 1);
	assert_int_equal(http_get_codes(s, codes, counts, 2), 2);
	assert_int_equal(codes[1], 204);
	http_stop(s);
}

#define TOKEN "Zm9vYmFyLXNlY3JldC10b2tlbg=="

static void test_token_required(void **state)
{
	struct http_server *s = start("127.0.0.1:0", TOKEN);
	uint16_t port = http_port(s);
	struct http_stats st;
	struct reply r;

	(void)state;
	/* no token, a wrong one, one cut short or too long, another scheme */
	assert_int_equal(GET(port, "/metrics", &r), CURLE_OK);
	assert_int_equal(r.status, 401);
	assert_true(has_header(&r, "WWW-Authenticate", "Bearer realm=\"perfpilot\""));
	assert_null(strstr(r.body, "perfpilot_up"));
	assert_int_equal(GET(port, "/metrics", &r, "Authorization: Bearer wrong"), CURLE_OK);
	assert_int_equal(r.status, 401);
	assert_true(has_header(&r, "WWW-Authenticate", "Bearer realm=\"perfpilot\", error=\"invalid_token\""));
	assert_int_equal(GET(port, "/metrics", &r, "Authorization: Bearer Zm9vYmFyLXNlY3JldC10b2tlbg="), CURLE_OK);
	assert_int_equal(r.status, 401);
	assert_int_equal(GET(port, "/metrics", &r, "Authorization: Bearer " TOKEN "x"), CURLE_OK);
	assert_int_equal(r.status, 401);
	assert_int_equal(GET(port, "/metrics", &r, "Authorization: Basic " TOKEN), CURLE_OK);
	assert_int_equal(r.status, 401);
	assert_int_equal(GET(port, "/metrics", &r, "Authorization: Bearer"), CURLE_OK);
	assert_int_equal(r.status, 401);
	assert_int_equal(GET(port, "/metrics", &r, "Authorization: " TOKEN), CURLE_OK);
	assert_int_equal(r.status, 401);
	/* nothing says which paths or methods exist without the token */
	assert_int_equal(GET(port, "/nonexistent", &r), CURLE_OK);
	assert_int_equal(r.status, 401);
	assert_int_equal(request("127.0.0.1", port, "POST", "/metrics", &r, 10000, NULL), CURLE_OK);
	assert_int_equal(r.status, 401);
	/* the right token, the scheme in any case */
	assert_int_equal(GET(port, "/metrics", &r, "Authorization: Bearer " TOKEN), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "perfpilot_up 1\n");
	assert_int_equal(GET(port, "/metrics", &r, "Authorization: bearer   " TOKEN), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(GET(port, "/nonexistent", &r, "Authorization: Bearer " TOKEN), CURLE_OK);
	assert_int_equal(r.status, 404);
	http_get_stats(s, &st);
	assert_int_equal(st.requests, 12);
	assert_int_equal(st.unauthorized, 9);
	assert_int_equal(st.not_found, 1);
	http_stop(s);

	/* an empty token is no token */
	s = start("127.0.0.1:0", "");
	assert_int_equal(GET(http_port(s), "/metrics", &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	http_stop(s);
}

static uint16_t slow_port;
static long slow_status;

static void *slow_client(void *arg)
{
	struct reply *r = malloc(sizeof(*r));

	(void)arg;
	if (r && request("127.0.0.1", slow_port, "GET", "/slow", r, 30000, NULL) == CURLE_OK)
		slow_status = r->status;
	free(r);
	set_flag(&slow.done);
	return NULL;
}

/* A handler that does not return (a 30 s profile) blocks only its own
 * connection: /metrics is answered meanwhile. */
static void test_slow_handler_does_not_block(void **state)
{
	struct http_server *s = start("127.0.0.1:0", NULL);
	struct reply r;
	pthread_t t;
	int i;

	(void)state;
	slow_port = http_port(s);
	assert_int_equal(pthread_create(&t, NULL, slow_client, NULL), 0);
	assert_true(wait_for(&slow.entered));
	for (i = 0; i < 3; i++) {
		assert_int_equal(request("127.0.0.1", slow_port, "GET", "/metrics", &r, 5000, NULL), CURLE_OK);
		assert_int_equal(r.status, 200);
	}
	pthread_mutex_lock(&slow.lock);
	assert_false(slow.done); /* still in the slow handler */
	pthread_mutex_unlock(&slow.lock);
	set_flag(&slow.release);
	assert_true(wait_for(&slow.done));
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(slow_status, 200);
	http_stop(s);
}

/* A socket listening on 127.0.0.1 at a port the system chose */
static int listening(uint16_t *port)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(in);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&in, &len), 0);
	*port = ntohs(in.sin_port);
	return fd;
}

static void test_port_in_use(void **state)
{
	struct http_opts o = { .routes = routes, .nroutes = 1 };
	char listen_addr[64], err[256], want[256];
	struct http_server *s, *again;
	uint16_t port;
	int fd;

	(void)state;
	/* taken by another program */
	fd = listening(&port);
	snprintf(listen_addr, sizeof(listen_addr), "127.0.0.1:%u", port);
	o.listen = listen_addr;
	assert_null(http_start(&o, err, sizeof(err)));
	snprintf(want, sizeof(want), "127.0.0.1:%u: address already in use: is another perfpilot daemon running? "
		 "choose another with --listen", port);
	assert_string_equal(err, want);
	close(fd);
	/* by a server of ours; free again once it stopped */
	s = start("127.0.0.1:0", NULL);
	snprintf(listen_addr, sizeof(listen_addr), "127.0.0.1:%u", http_port(s));
	assert_null(http_start(&o, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: address already in use: is another perfpilot daemon running? "
		 "choose another with --listen", listen_addr);
	assert_string_equal(err, want);
	http_stop(s);
	again = http_start(&o, err, sizeof(err));
	if (!again)
		fail_msg("%s after http_stop: %s", listen_addr, err);
	http_stop(again);
}

static void test_bad_listen(void **state)
{
	struct http_opts o = { .routes = routes, .nroutes = 1 };
	char err[256];

	(void)state;
	o.listen = "192.0.2.1:0"; /* TEST-NET-1: no host has it */
	assert_null(http_start(&o, err, sizeof(err)));
	assert_string_equal(err, "192.0.2.1:0: no interface of this host has this address: choose one it has "
			    "(or 0.0.0.0 for every interface) with --listen");
	o.listen = "localhost";
	assert_null(http_start(&o, err, sizeof(err)));
	assert_string_equal(err, "localhost: no port: give ADDR:PORT, " EXAMPLES);
	o.listen = NULL;
	assert_null(http_start(&o, err, sizeof(err)));
	assert_string_equal(err, "no listen address: give ADDR:PORT, " EXAMPLES);
}

static void test_ipv6(void **state)
{
	struct http_server *s;
	struct http_opts o = { .listen = "[::1]:0", .routes = routes, .nroutes = 1 };
	struct reply r;
	char err[256];

	(void)state;
	s = http_start(&o, err, sizeof(err));
	if (!s) {
		print_message("no IPv6 loopback here (%s): skipped\n", err);
		skip();
	}
	assert_int_equal(request("[::1]", http_port(s), "GET", "/metrics", &r, 10000, NULL), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "perfpilot_up 1\n");
	http_stop(s);
}

/* gzip from the handler: as it is to a client that takes gzip, decoded
 * for one that does not; 500 when it is not gzip */
static void test_gzip(void **state)
{
	struct http_server *s = start("127.0.0.1:0", NULL);
	uint16_t port = http_port(s);
	struct reply r;

	(void)state;
	make_gz();
	assert_int_equal(GET(port, "/gzip", &r, "Accept-Encoding: gzip"), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_true(has_header(&r, "Content-Encoding", "gzip"));
	assert_true(has_header(&r, "Vary", "Accept-Encoding"));
	assert_int_equal(r.len, gz_len);
	assert_memory_equal(r.body, gz_body, gz_len);
	assert_int_equal(GET(port, "/gzip", &r, "Accept-Encoding: deflate, gzip;q=0.5"), CURLE_OK);
	assert_int_equal(r.len, gz_len);
	assert_int_equal(GET(port, "/gzip", &r, "Accept-Encoding: *"), CURLE_OK);
	assert_int_equal(r.len, gz_len);
	/* no Accept-Encoding, gzip refused, only others */
	assert_int_equal(GET(port, "/gzip", &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_false(has_header(&r, "Content-Encoding", "gzip"));
	assert_true(has_header(&r, "Vary", "Accept-Encoding"));
	assert_string_equal(r.body, GZ_TEXT);
	assert_int_equal(GET(port, "/gzip", &r, "Accept-Encoding: gzip;q=0, *"), CURLE_OK);
	assert_string_equal(r.body, GZ_TEXT);
	assert_int_equal(GET(port, "/gzip", &r, "Accept-Encoding: br, deflate"), CURLE_OK);
	assert_string_equal(r.body, GZ_TEXT);
	assert_int_equal(GET(port, "/gzip-broken", &r), CURLE_OK);
	assert_int_equal(r.status, 500);
	/* a handler that does not compress gets no Vary */
	assert_int_equal(GET(port, "/metrics", &r, "Accept-Encoding: gzip"), CURLE_OK);
	assert_null(strstr(r.headers, "Vary"));
	assert_null(strstr(r.headers, "Content-Encoding"));
	http_stop(s);
}

/* At most HTTP_MAX_CONNECTIONS at once: one more is refused while they
 * are open, and served once they closed. */
static void test_connection_limit(void **state)
{
	struct http_server *s = start("127.0.0.1:0", NULL);
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fds[HTTP_MAX_CONNECTIONS], i, tries;
	struct reply r;

	(void)state;
	in.sin_port = htons(http_port(s));
	for (i = 0; i < HTTP_MAX_CONNECTIONS; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fds[i] >= 0);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&in, sizeof(in)), 0);
	}
	/* the server may take a moment to accept them all */
	for (tries = 0; tries < 50; tries++) {
		if (request("127.0.0.1", http_port(s), "GET", "/metrics", &r, 3000, NULL) != CURLE_OK)
			break;
		usleep(100000);
	}
	assert_int_equal(r.status, 0);
	for (i = 0; i < HTTP_MAX_CONNECTIONS; i++)
		close(fds[i]);
	for (tries = 0; tries < 50; tries++) {
		if (GET(http_port(s), "/metrics", &r) == CURLE_OK)
			break;
		usleep(100000);
	}
	assert_int_equal(r.status, 200);
	http_stop(s);
}

/* http_stop does not wait for an idle connection (a scraper's kept-alive
 * one) to time out */
static void test_stop_with_idle_connection(void **state)
{
	struct http_server *s = start("127.0.0.1:0", NULL);
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timespec t0, t1;
	struct reply r;
	char buf[16];
	int fd;

	(void)state;
	in.sin_port = htons(http_port(s));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&in, sizeof(in)), 0);
	/* served after fd was accepted: its thread waits for a request */
	assert_int_equal(GET(http_port(s), "/metrics", &r), CURLE_OK);
	assert_int_equal(r.status, 200);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	http_stop(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 10);
	assert_int_equal(read(fd, buf, sizeof(buf)), 0); /* closed by the server */
	close(fd);
}

static void test_query_get(void **state)
{
	char v[16];

	(void)state;
	assert_int_equal(http_query_get("seconds=5&pid=42", "seconds", v, sizeof(v)), 1);
	assert_string_equal(v, "5");
	assert_int_equal(http_query_get("seconds=5&pid=42", "pid", v, sizeof(v)), 2);
	assert_string_equal(v, "42");
	assert_int_equal(http_query_get("cgroup=%2Fsys%2Ffs%2Fcgroup%2Fa+b", "cgroup", v, sizeof(v)), -1);
	assert_int_equal(http_query_get("c=%2Fa+b%zz%4", "c", v, sizeof(v)), 9);
	assert_string_equal(v, "/a b%zz%4");
	assert_int_equal(http_query_get("debug&x=1", "debug", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(http_query_get("a=1&&b=2&", "b", v, sizeof(v)), 1);
	assert_string_equal(v, "2");
	assert_int_equal(http_query_get("%73econds=7", "seconds", v, sizeof(v)), 1);
	assert_string_equal(v, "7");
	assert_int_equal(http_query_get("x=1", "seconds", v, sizeof(v)), -1);
	assert_int_equal(http_query_get("", "seconds", v, sizeof(v)), -1);
	assert_int_equal(http_query_get(NULL, "seconds", v, sizeof(v)), -1);
	assert_int_equal(http_query_get("x=a%00b", "x", v, sizeof(v)), -1);
	assert_int_equal(http_query_get("x=0123456789abcdef", "x", v, sizeof(v)), -1);
	assert_int_equal(http_query_get("x=0123456789abcde", "x", v, sizeof(v)), 15);
}

static int setup(void **state)
{
	(void)state;
	return curl_global_init(CURL_GLOBAL_DEFAULT) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_listen),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_token_required),
		cmocka_unit_test(test_slow_handler_does_not_block),
		cmocka_unit_test(test_port_in_use),
		cmocka_unit_test(test_bad_listen),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_connection_limit),
		cmocka_unit_test(test_stop_with_idle_connection),
		cmocka_unit_test(test_query_get),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
