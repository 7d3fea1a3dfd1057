// SPDX-License-Identifier: GPL-2.0
/* The daemon's parts that a SIGHUP may change: the HTTP server, the tuner,
 * and the reload itself. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "daemon/daemon_int.h"
#include "daemon/log.h"
#include "tune/config.h"

struct http_server *daemon_http_start(struct daemon *d, const struct daemon_config *c,
				      const char *token, const struct http_route *routes,
				      char *err, size_t errlen)
{
	struct http_opts ho = { c->listen, token, routes, ENDPOINTS_N };

	(void)d;
	return http_start(&ho, err, errlen);
}

/* Say where it listens, and what that exposes. */
void daemon_say_listening(const struct daemon_config *c, const char *token)
{
	dlog(DLOG_INFO, "listening on %s (%s)", c->listen,
	     token[0] ? "a bearer token is needed" : "no token");
	if (!token[0] && !http_listen_is_loopback(c->listen))
		dlog(DLOG_WARNING, "%s is not a loopback address and there is no token: whoever "
		     "reaches it reads the metrics, findings and profiles; set [http] token_file",
		     c->listen);
}

static long long mtime_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

int daemon_tune_start(struct daemon *d, const struct daemon_config *c)
{
	/* the target cgroups in force: a new target waits for a restart */
	struct tuning_where w = { NULL, d->cfg->cgroups, d->cfg->ncgroups };
	bool running = d->intervals > 0;
	struct tuning *t;
	char err[600];
	int rc;

	rc = tuning_start(&t, c, &w, d->m, err, sizeof(err));
	if (rc == TUNING_OK) {
		d->tune = t;
		d->tune_conf_mtime = mtime_of(c->tune_config);
		if (running)
			tuning_say(t);
	} else if (rc == TUNING_CONFIG && !running) {
		fprintf(stderr, "perfpilot: %s\n", err);
	} else {
		dlog(rc == TUNING_BUSY ? DLOG_WARNING : DLOG_ERROR,
		     "tune: %s; the tuner is off until the next reload", err);
	}
	return rc;
}

static bool tune_changed(const struct daemon *d, const struct daemon_config *a,
			 const struct daemon_config *b)
{
	return a->tune_enabled != b->tune_enabled || a->tune_apply != b->tune_apply ||
	       strcmp(a->tune_config, b->tune_config) || a->every_s != b->every_s ||
	       (b->tune_enabled && mtime_of(b->tune_config) != d->tune_conf_mtime);
}

/* The tuner's config of b, read to refuse the reload when it is wrong. */
static int tune_config_ok(const struct daemon_config *b, char *err, size_t errlen)
{
	struct tune_config tc;
	const char *path = strcmp(b->tune_config, CONFIG_DEFAULT_PATH) ? b->tune_config : NULL;
	int rc = config_load(&tc, path, err, errlen);

	config_free(&tc);
	return rc == CONFIG_OK ? 0 : -1;
}

/* What only a restart changes. */
static void needs_restart(const struct daemon_config *a, const struct daemon_config *b)
{
	bool target = a->ncgroups != b->ncgroups;
	size_t i;

	for (i = 0; !target && i < a->ncgroups; i++)
		target = strcmp(a->cgroups[i], b->cgroups[i]) != 0;
	if (target)
		dlog(DLOG_WARNING, "[daemon] target changed: it takes effect when the daemon "
		     "restarts");
	if (a->interval_s != b->interval_s)
		dlog(DLOG_WARNING, "[daemon] interval changed (%g s -> %g s): it takes effect when "
		     "the daemon restarts", a->interval_s, b->interval_s);
	if (strcmp(a->state_dir, b->state_dir))
		dlog(DLOG_WARNING, "[daemon] state_dir changed (%s -> %s): it takes effect when "
		     "the daemon restarts", a->state_dir, b->state_dir);
	if (a->profile_hz != b->profile_hz)
		dlog(DLOG_WARNING, "[daemon] profile_hz changed (%u -> %u): it takes effect when "
		     "the daemon restarts", a->profile_hz, b->profile_hz);
	if (a->profile_unwind_mb != b->profile_unwind_mb)
		dlog(DLOG_WARNING, "[daemon] profile_unwind_mb changed (%u -> %u): it takes effect "
		     "when the daemon restarts", a->profile_unwind_mb, b->profile_unwind_mb);
	if (a->sched_source != b->sched_source)
		dlog(DLOG_WARNING, "[daemon] sched_source changed (%s -> %s): it takes effect when "
		     "the daemon restarts", sched_source_name(a->sched_source),
		     sched_source_name(b->sched_source));
	if (a->profile_inlines != b->profile_inlines)
		dlog(DLOG_WARNING, "[daemon] profile_inlines changed (%s -> %s): it takes effect "
		     "when the daemon restarts", a->profile_inlines ? "true" : "false",
		     b->profile_inlines ? "true" : "false");
}

/* A new token on the same address: the server starts again (and with the
 * old settings when the new ones fail). */
static void restart_http(struct daemon *d, const struct daemon_config *next, const char *token)
{
	struct http_server *s;
	char err[600];
	bool fresh;

	atomic_store(&d->ep.srv, NULL);
	http_stop(d->srv);
	d->srv = NULL;
	s = daemon_http_start(d, next, token, d->routes, err, sizeof(err));
	fresh = s != NULL;
	if (s) {
		snprintf(d->token, sizeof(d->token), "%s", token);
	} else {
		dlog(DLOG_ERROR, "the HTTP server did not start again: %s; back to the settings "
		     "in force", err);
		s = daemon_http_start(d, d->cfg, d->token, d->routes, err, sizeof(err));
		if (!s)
			dlog(DLOG_ERROR, "no HTTP server until the next reload: %s", err);
	}
	d->srv = s;
	atomic_store(&d->ep.srv, s);
	if (s)
		daemon_say_listening(fresh ? next : d->cfg, d->token);
}

void daemon_reload(struct daemon *d)
{
	struct daemon_config *old = d->cfg, *next = calloc(1, sizeof(*next));
	struct http_server *moved = NULL;
	char err[600] = "out of memory", token[DAEMON_TOKEN_MAX] = "";
	bool http, tune;

	dlog(DLOG_INFO, "SIGHUP: reading %s again", d->o->config_path ? d->o->config_path :
	     old->file[0] ? old->file : DAEMON_CONFIG_DEFAULT);
	if (!next || daemon_config_reload(old, next, d->o->config_path, &d->o->ov, err,
					  sizeof(err)))
		goto refuse;
	if (next->token_file[0] &&
	    http_read_token_file(next->token_file, token, sizeof(token), err, sizeof(err)))
		goto refuse;
	tune = tune_changed(d, old, next);
	if (tune && next->tune_enabled && tune_config_ok(next, err, sizeof(err)))
		goto refuse;
	http = strcmp(old->listen, next->listen) || strcmp(d->token, token);
	if (http && strcmp(old->listen, next->listen) &&
	    !(moved = daemon_http_start(d, next, token, d->routes, err, sizeof(err))))
		goto refuse;
	/* nothing is refused from here on */
	needs_restart(old, next);
	dlog_set_level(next->log_level);
	d->ro.max_age_s = next->max_age_s;
	d->ro.max_size_bytes = next->max_size_bytes;
	d->ro.rollup = next->rollup;
	metrics_set_top(d->m, next->top_processes);
	atomic_store(&d->ep.pprof_max_ms, (long long)(next->pprof_max_s * 1000));
	if (atomic_load(&d->ep.an))
		analyser_set(atomic_load(&d->ep.an), next->every_s, next->window_s);
	if (d->alerts && alerts_reload(d->alerts, next->alerts))
		dlog(DLOG_ERROR, "alerts: the new rules were not taken; the old ones stay");
	if (moved) {
		atomic_store(&d->ep.srv, moved);
		http_stop(d->srv);
		d->srv = moved;
		snprintf(d->token, sizeof(d->token), "%s", token);
		daemon_say_listening(next, d->token);
	} else if (http) {
		restart_http(d, next, token);
	}
	if (tune) {
		pthread_mutex_lock(&d->tune_lock);
		tuning_stop(d->tune);
		d->tune = NULL;
		if (next->tune_enabled)
			daemon_tune_start(d, next);
		pthread_mutex_unlock(&d->tune_lock);
	}
	d->cfg = next;
	daemon_config_free(old);
	free(old);
	dlog(DLOG_INFO, "config reloaded%s%s", next->file[0] ? " from " : " (built-in defaults)",
	     next->file);
	return;
refuse:
	dlog(DLOG_ERROR, "reload refused: %s; the config in force stays", err);
	if (next)
		daemon_config_free(next);
	free(next);
}
