/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's HTTP paths (docs/daemon.md):
 *   /metrics                  the exposition (text, or OpenMetrics when asked)
 *   /api/findings             the last analysis, as report --json
 *   /healthz                  ok, starting, or stalled (503)
 *   /debug/pprof/profile      ?seconds=N (default 30) [&pid=P]: the on-CPU
 *                             profile of the last N seconds, gzip'd pprof
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

#define ENDPOINTS_N 4
#define PPROF_DEFAULT_S 30

struct endpoints {
	struct metrics *m;
	struct analyser *_Atomic an;     /* NULL until the analysis runs */
	struct profwin *pw;              /* NULL: no profile (profile_hz = 0) */
	struct http_server *_Atomic srv; /* for its request counts */
	struct alerts *alerts;
	double interval_s;
	atomic_llong last_ms;            /* when the last interval was written */
};

/* The routes (ENDPOINTS_N) into out. */
size_t endpoints_routes(struct endpoints *e, struct http_route *out);

#endif
