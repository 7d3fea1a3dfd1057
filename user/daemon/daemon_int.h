/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's state, shared by daemon.c (the loop) and reload.c (the
 * HTTP server, the tuner and SIGHUP). Private to those two files. */
#ifndef PP_DAEMON_INT_H
#define PP_DAEMON_INT_H

#include <pthread.h>
#include "daemon/alerts.h"
#include "daemon/analyse.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/endpoints.h"
#include "daemon/http.h"
#include "daemon/metrics.h"
#include "daemon/profwin.h"
#include "daemon/tuning.h"
#include "record/record.h"
#include "store/store_findings.h"

#define DAEMON_PROFILE_FLUSH_S 60   /* the store gets one profile a minute */
#define DAEMON_ALERTS_DRAIN_S 5     /* at the end, to send what is queued */
#define DAEMON_TOKEN_MAX 512

struct daemon {
	struct daemon_config *cfg;      /* in force */
	const struct daemon_opts *o;
	char store[PATH_MAX + 16];
	char token[DAEMON_TOKEN_MAX];
	struct record_opts ro;
	struct record_hooks hooks;
	struct metrics *m;
	struct profwin *pw;
	struct endpoints ep;
	struct http_route routes[ENDPOINTS_N];
	struct http_server *srv;
	struct alerts *alerts;
	pthread_mutex_t tune_lock;      /* the tuner: ticked by the analysis, swapped by a reload */
	struct tuning *tune;
	long tune_conf_mtime;           /* of the tuner's config when it started */
	pthread_mutex_t pend_lock;      /* the analysis's findings, for the store */
	struct stored_findings pending;
	double pending_when[3];         /* analysed, since, until */
	size_t last_nfindings;
	unsigned long intervals;
	bool analysing;                 /* the analysis was started */
};

/* Start the HTTP server on c->listen with the token (or ""). */
struct http_server *daemon_http_start(struct daemon *d, const struct daemon_config *c,
				      const char *token, const struct http_route *routes,
				      char *err, size_t errlen);

/* Log where it listens, and warn when that is open to others without a token. */
void daemon_say_listening(const struct daemon_config *c, const char *token);

/* Start the tuner of c into d->tune (logging why not): TUNING_OK, or
 * TUNING_CONFIG (said in one "perfpilot: ..." line) or TUNING_BUSY. */
int daemon_tune_start(struct daemon *d, const struct daemon_config *c);

/* SIGHUP: read the config again; a bad one is refused with a log line and
 * the one in force stays. On the recording's thread. */
void daemon_reload(struct daemon *d);

#endif
