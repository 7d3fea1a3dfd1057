// SPDX-License-Identifier: GPL-2.0
/* The daemon's HTTP handlers. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "daemon/endpoints.h"
#include "formats/pprof.h"
#include "version.h"

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void text(struct http_response *rs, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void text(struct http_response *rs, int status, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&rs->body, fmt, ap);
	va_end(ap);
	rs->status = status;
	rs->content_type = "text/plain; charset=utf-8";
	if (n < 0) {
		rs->body = NULL;
		rs->status = 500;
	}
	rs->len = n < 0 ? 0 : (size_t)n;
}

static void self_cost(double *cpu_s, double *rss)
{
	struct rusage ru;
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	*cpu_s = 0;
	if (!getrusage(RUSAGE_SELF, &ru))
		*cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	if (f && fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = 0;
	if (f)
		fclose(f);
	*rss = (double)resident * (double)sysconf(_SC_PAGESIZE);
}

static void on_metrics(const struct http_request *rq, struct http_response *rs, void *arg)
{
	struct endpoints *e = arg;
	struct metrics_now now = { .version = PERFPILOT_VERSION };
	enum prom_fmt f = prom_negotiate(rq->accept);
	int s;

	self_cost(&now.self_cpu_s, &now.self_rss_bytes);
	http_get_stats(atomic_load(&e->srv), &now.http);
	if (e->alerts) {
		alerts_get_stats(e->alerts, &now.alerts);
		for (s = 0; s < ALERTS_NSINKS; s++)
			now.sink_on[s] = alerts_get_sink_stats(e->alerts, (enum alerts_sink)s,
							       &now.sink[s]);
	}
	rs->body = metrics_render(e->m, f, &now, &rs->len);
	if (!rs->body) {
		text(rs, 500, "out of memory\n");
		return;
	}
	rs->status = 200;
	rs->content_type = prom_content_type(f);
}

static void on_findings(const struct http_request *rq, struct http_response *rs, void *arg)
{
	struct endpoints *e = arg;
	struct analyser *an = atomic_load(&e->an);
	double when = 0;

	(void)rq;
	if (!an || !(rs->body = analyser_json(an, &rs->len, &when))) {
		text(rs, 503, "{\"error\":\"no analysis yet: the first runs soon after the "
		     "start\"}\n");
		rs->content_type = "application/json";
		return;
	}
	rs->status = 200;
	rs->content_type = "application/json";
}

static void on_health(const struct http_request *rq, struct http_response *rs, void *arg)
{
	struct endpoints *e = arg;
	long long last = atomic_load(&e->last_ms);
	double age = wall() - (double)last / 1000, limit = 3 * e->interval_s;

	(void)rq;
	if (limit < e->interval_s + 30)
		limit = e->interval_s + 30;
	if (!last)
		text(rs, 200, "starting\n");
	else if (age > limit)
		text(rs, 503, "stalled: the last interval was written %.0f s ago\n", age);
	else
		text(rs, 200, "ok\n");
}

/* KEY=VALUE of a query string: 1 with the value in buf, 0 when absent. */
static int query_get(const char *q, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);
	const char *p = q;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			p += kl + 1;
			snprintf(buf, len, "%.*s", (int)strcspn(p, "&"), p);
			return 1;
		}
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return 0;
}

static void on_pprof(const struct http_request *rq, struct http_response *rs, void *arg)
{
	struct endpoints *e = arg;
	double seconds = PPROF_DEFAULT_S;
	unsigned long pid = 0;
	struct stackset ss;
	char v[64], *end;
	FILE *mem;
	bool bad;

	if (!e->pw) {
		text(rs, 404, "no profile: the daemon samples none (profile_hz = 0)\n");
		return;
	}
	if (query_get(rq->query, "seconds", v, sizeof(v))) {
		seconds = strtod(v, &end);
		if (end == v || *end || !(seconds > 0) || seconds > PROFWIN_MAX_S) {
			text(rs, 400, "seconds=%s: a number of seconds from 1 to %d\n", v,
			     PROFWIN_MAX_S);
			return;
		}
	}
	if (query_get(rq->query, "pid", v, sizeof(v))) {
		pid = strtoul(v, &end, 10);
		if (end == v || *end || !pid || pid > 4194304) {
			text(rs, 400, "pid=%s: a process id\n", v);
			return;
		}
	}
	if (query_get(rq->query, "cgroup", v, sizeof(v))) {
		text(rs, 400, "cgroup=: not supported; ask for the host, or pid=PID\n");
		return;
	}
	if (profwin_get(e->pw, seconds, wall(), (uint32_t)pid, &ss)) {
		ss_free(&ss);
		text(rs, 500, "out of memory\n");
		return;
	}
	mem = open_memstream(&rs->body, &rs->len);
	bad = !mem || pprof_write(&ss, mem);
	if (mem && fclose(mem))
		bad = true;
	if (bad) {
		ss_free(&ss);
		free(rs->body);
		rs->body = NULL;
		text(rs, 500, "writing the profile failed\n");
		return;
	}
	ss_free(&ss);
	rs->status = 200;
	rs->content_type = "application/octet-stream";
}

size_t endpoints_routes(struct endpoints *e, struct http_route *out)
{
	out[0] = (struct http_route){ "/metrics", on_metrics, e };
	out[1] = (struct http_route){ "/api/findings", on_findings, e };
	out[2] = (struct http_route){ "/healthz", on_health, e };
	out[3] = (struct http_route){ "/debug/pprof/profile", on_pprof, e };
	return ENDPOINTS_N;
}
