// SPDX-License-Identifier: GPL-2.0
/* The daemon's HTTP handlers. */
#define _GNU_SOURCE
#include <math.h>
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

/* ---- /debug/pprof/profile ---- */

#define PPROF_CACHE 4096 /* pids whose verdict a request remembers */

/* One profile request's filter: a process, or a cgroup and its descendants
 * (the processes' cgroups read when their stacks arrive, once each). */
struct pprof_filter {
	uint32_t pid;                  /* 0: any */
	char cgroup[PP_CGROUP_PATH_MAX]; /* "": any */
	const struct cg_view *view;
	struct { uint32_t pid; bool keep; } cache[PPROF_CACHE];
};

static bool pprof_keep(void *arg, uint32_t pid)
{
	struct pprof_filter *f = arg;
	char path[PP_CGROUP_PATH_MAX];
	size_t len = strlen(f->cgroup);
	unsigned slot = pid % PPROF_CACHE;

	if (f->pid)
		return pid == f->pid;
	if (!f->cgroup[0])
		return true;
	if (f->cache[slot].pid == pid && pid)
		return f->cache[slot].keep;
	cg_path_of_pid(f->view, pid, path, sizeof(path));
	f->cache[slot].pid = pid;
	f->cache[slot].keep = !strcmp(f->cgroup, "/") ||
			      (!strncmp(path, f->cgroup, len) && (!path[len] || path[len] == '/'));
	return f->cache[slot].keep;
}

/* The query of a profile request: 0, or -1 with the answer (400) given. */
static int pprof_query(struct endpoints *e, const struct http_request *rq,
		       struct http_response *rs, double *seconds, struct pprof_filter *f)
{
	char v[PP_CGROUP_PATH_MAX + 8], *end;
	size_t ml = strlen(e->view.mount);
	double max = (double)atomic_load(&e->pprof_max_ms) / 1000;
	unsigned long pid;

	*seconds = PPROF_DEFAULT_S;
	if (http_query_get(rq->query, "seconds", v, sizeof(v)) >= 0) {
		*seconds = strtod(v, &end);
		if (end == v || *end || !(*seconds >= 1) || *seconds > max) {
			text(rs, 400, "seconds=%s: a number of seconds from 1 to %g (the profile of "
			     "the next N seconds; the limit is [http] pprof_max_seconds)\n", v, max);
			return -1;
		}
	}
	if (http_query_get(rq->query, "pid", v, sizeof(v)) >= 0) {
		pid = strtoul(v, &end, 10);
		if (end == v || *end || !pid || pid > 4194304) {
			text(rs, 400, "pid=%s: a process id\n", v);
			return -1;
		}
		f->pid = (uint32_t)pid;
	}
	if (http_query_get(rq->query, "cgroup", v, sizeof(v)) >= 0) {
		if (f->pid) {
			text(rs, 400, "pid= and cgroup=: ask for one of them\n");
			return -1;
		}
		/* a path under the hierarchy's mount, or the path in it as
		 * /metrics labels it */
		if (ml > 1 && !strncmp(v, e->view.mount, ml) && (!v[ml] || v[ml] == '/'))
			memmove(v, v + ml, strlen(v + ml) + 1);
		if (!v[0])
			snprintf(v, sizeof(v), "/");
		while (strlen(v) > 1 && v[strlen(v) - 1] == '/')
			v[strlen(v) - 1] = 0;
		if (v[0] != '/' || strlen(v) >= sizeof(f->cgroup)) {
			text(rs, 400, "cgroup=%.64s: a cgroup path as /metrics labels it (/a/b), or "
			     "under %s\n", v, e->view.mount);
			return -1;
		}
		memcpy(f->cgroup, v, strlen(v) + 1); /* it fits: checked above */
	}
	return 0;
}

/*
 * Go's semantics: the profile of the NEXT N seconds. The request takes
 * the intervals the recording drains from now on (none that started
 * before it came: what ran before is not in it) until one ends N seconds
 * from now or later: the profile spans about N seconds, cut at interval
 * boundaries, and the request waits N seconds and up to one interval more
 * (at most 0.4 N, or one interval and a second when that is longer: then
 * the answer is the intervals taken so far).
 * It waits on its own connection's thread: collection and other requests
 * go on.
 */
static void on_pprof(const struct http_request *rq, struct http_response *rs, void *arg)
{
	struct endpoints *e = arg;
	struct pprof_filter *f;
	double seconds, from, until, deadline, taken = 0;
	struct stackset ss;
	bool complete = false, bad;
	FILE *mem;
	int rc = 0;

	if (!e->pw) {
		text(rs, 404, "no profile: the daemon samples none (profile_hz = 0)\n");
		return;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		text(rs, 500, "out of memory\n");
		return;
	}
	f->view = &e->view;
	if (pprof_query(e, rq, rs, &seconds, f)) {
		free(f);
		return;
	}
	if (atomic_fetch_add(&e->pprof_busy, 1) >= PPROF_MAX_REQUESTS) {
		atomic_fetch_sub(&e->pprof_busy, 1);
		free(f);
		text(rs, 503, "%d profile requests are under way already; try again later\n",
		     PPROF_MAX_REQUESTS);
		return;
	}
	from = wall();
	until = from + seconds;
	/* the interval that ends after `until` is waited for, not forever: go
	 * tool pprof gives up after 1.5 N s; past the deadline the answer is
	 * what was taken (its duration says how much) */
	deadline = until + fmax(0.4 * seconds, e->interval_s + 1);
	ss_init(&ss, SS_ONCPU, 1);
	while (!rc && !complete && !profwin_wait(e->pw, taken, deadline))
		rc = profwin_take(e->pw, from, until, &taken, pprof_keep, f, &ss, &complete);
	atomic_fetch_sub(&e->pprof_busy, 1);
	free(f);
	if (rc) {
		ss_free(&ss);
		text(rs, 500, "out of memory\n");
		return;
	}
	if (!ss.start_unix) {
		ss_free(&ss);
		text(rs, 503, "no profile: no interval was recorded in the %g s asked for (the "
		     "daemon stops, or its recording stalls)\n", seconds);
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

void endpoints_view(struct endpoints *e, const struct watch_opts *w)
{
	if (w->target.mode == PP_FILTER_CGROUP && w->cg.hier == PP_CGROUP_V1) {
		memset(&e->view, 0, sizeof(e->view));
		e->view.hier = PP_CGROUP_V1;
		snprintf(e->view.controller, sizeof(e->view.controller), "%s", w->cg.controller);
		snprintf(e->view.mount, sizeof(e->view.mount), "%s", w->cg.mount);
	} else {
		cg_view_default(&e->view);
	}
}

size_t endpoints_routes(struct endpoints *e, struct http_route *out)
{
	out[0] = (struct http_route){ "/metrics", on_metrics, e };
	out[1] = (struct http_route){ "/api/findings", on_findings, e };
	out[2] = (struct http_route){ "/healthz", on_health, e };
	out[3] = (struct http_route){ "/debug/pprof/profile", on_pprof, e };
	return ENDPOINTS_N;
}
