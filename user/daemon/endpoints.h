/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's HTTP paths (docs/daemon.md):
 *   /metrics                  the exposition (text, or OpenMetrics when asked)
 *   /api/findings             the last analysis, as report --json
 *   /healthz                  ok, starting, or stalled (503)
 *   /debug/pprof/profile      ?seconds=N (default 30, at most
 *                             pprof_max_seconds) [&pid=P | &cgroup=PATH]: the
 *                             on-CPU profile of the NEXT N seconds (the
 *                             request waits), gzip'd pprof
 * Handlers run on the server's threads and read what the daemon shares.
 */
#ifndef PP_DAEMON_ENDPOINTS_H
#define PP_DAEMON_ENDPOINTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include "daemon/alerts.h"
#include "daemon/analyse.h"
#include "daemon/http.h"
#include "daemon/metrics.h"
#include "daemon/profwin.h"
#include "collect/cgroup.h"
#include "collect/proc_sample.h"
#include "collect/watch.h"

#define ENDPOINTS_N 4
#define PPROF_DEFAULT_S 30
#define PPROF_MAX_REQUESTS 4  /* profile requests waiting at once */

struct endpoints {
	struct metrics *m;
	struct analyser *_Atomic an;     /* NULL until the analysis runs */
	struct profwin *pw;              /* NULL: no profile (profile_hz = 0) */
	struct http_server *_Atomic srv; /* for its request counts */
	struct alerts *alerts;
	struct cg_view view;             /* the cgroups of /metrics, for cgroup= */
	atomic_llong pprof_max_ms;       /* the longest profile asked for */
	atomic_int pprof_busy;           /* profile requests waiting now */
	double interval_s;
	atomic_llong last_ms;            /* when the last interval was written */
};

/* The cgroup hierarchy whose paths cgroup= takes: the recording's (a v1
 * controller's when its -c is a v1 cgroup, else the v2 one). */
void endpoints_view(struct endpoints *e, const struct watch_opts *w);

/* The routes (ENDPOINTS_N) into out. */
size_t endpoints_routes(struct endpoints *e, struct http_route *out);

#endif
