// SPDX-License-Identifier: GPL-2.0
/* The daemon's analysis thread: the store's last window, as report does. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "capacity/capacity.h"
#include "capacity/output.h"
#include "daemon/analyse.h"
#include "daemon/log.h"
#include "findings/findings.h"
#include "record/findings.h"
#include "report/report.h"
#include "report/window.h"
#include "store/store.h"

struct analyser {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	char path[4096];
	double every_s, window_s, first_s;
	analysis_hook hook;
	void *arg;
	char *json;            /* the last analysis's report --json */
	size_t json_len;
	double json_when;
	unsigned long failures;
};

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The findings as the store keeps them (strings of their own). */
static int rows_of(const struct findings *fs, struct stored_findings *rows)
{
	size_t i;

	memset(rows, 0, sizeof(*rows));
	rows->present = true;
	rows->f = calloc(fs->n + 1, sizeof(*rows->f));
	if (!rows->f)
		return -1;
	for (i = 0; i < fs->n; i++) {
		const struct finding *f = &fs->f[i];
		struct stored_finding *r = &rows->f[i];
		json_t *j = finding_json(f);

		snprintf(r->kind, sizeof(r->kind), "%s", f->kind);
		snprintf(r->severity, sizeof(r->severity), "%s", severity_name(f->severity));
		snprintf(r->resource, sizeof(r->resource), "%s", resource_name(f->resource));
		r->summary = strdup(f->summary);
		r->json = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		rows->n++;
		if (!r->summary || !r->json)
			return -1;
	}
	return 0;
}

/* The capacity rows of the window (capacity --json's "rows"), or NULL on
 * no memory: the daemon exports them (perfpilot_capacity_*). */
static json_t *capacity_rows(const struct recording *r)
{
	struct cap_table t;
	struct cap_opts o;
	json_t *j, *rows;

	cap_opts_default(&o);
	if (capacity_analyze(r, &o, NULL, 0, &t))
		return NULL;
	j = capacity_json(&t, NULL);
	cap_table_free(&t);
	rows = json_incref(json_object_get(j, "rows"));
	json_decref(j);
	return rows;
}

static int analyse_once(struct analyser *an, double window_s, struct analysis *a, char *err,
			size_t errlen)
{
	struct store_load_opts lo = {
		.flags = STORE_LOAD_NO_CHECK | STORE_LOAD_NO_PROFILE | STORE_LOAD_NO_SELF,
		.max_points = ANALYSE_MAX_POINTS, .max_procs = ANALYSE_MAX_PROCS,
		.group_metrics = findings_group_metrics,
	};
	struct recording r;
	struct findings fs;
	struct findings_env env;
	double t0 = wall();

	memset(a, 0, sizeof(*a));
	a->analysed = t0;
	/* in steps of at most ANALYSE_MAX_POINTS: an hour recorded every
	 * second would otherwise be 3,600 points of every series in memory at
	 * once (62 MB at the peak for 400 processes, against 21 between
	 * passes); at most ANALYSE_MAX_PROCS processes on their own; of the
	 * groups of short-lived processes only what the findings read (each
	 * group's series spans its first to its last interval: on a busy
	 * host's hour 8 of a 10-MB peak were groups' zeros) */
	if (store_load_window(an->path, t0 - window_s, INFINITY, &lo, &r, err, errlen))
		return -1;
	report_trim(&r, t0 - window_s, INFINITY);
	record_findings_env(&r, &env);
	if (findings_analyze(&r, &env, &fs)) {
		recording_free(&r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->since = r.start;
	a->until = r.end;
	a->report = report_json(&r, &fs);
	a->capacity = capacity_rows(&r);
	if (!a->report || rows_of(&fs, &a->rows)) {
		json_decref(a->report);
		json_decref(a->capacity);
		a->report = NULL;
		a->capacity = NULL;
		stored_findings_free(&a->rows);
		snprintf(err, errlen, "out of memory");
	}
	findings_free(&fs);
	recording_free(&r);
	malloc_trim(0); /* the window's recording was the largest allocation of the pass */
	a->seconds = wall() - t0;
	return a->report ? 0 : -1;
}

static void keep_json(struct analyser *an, const struct analysis *a)
{
	char *s = json_dumps(a->report, JSON_COMPACT);

	if (!s)
		return;
	pthread_mutex_lock(&an->lock);
	free(an->json);
	an->json = s;
	an->json_len = strlen(s);
	an->json_when = a->analysed;
	pthread_mutex_unlock(&an->lock);
}

/* Sleep until `deadline` (CLOCK_MONOTONIC) or the stop; true when stopped. */
static bool nap(struct analyser *an, const struct timespec *deadline)
{
	bool stop;

	pthread_mutex_lock(&an->lock);
	while (!an->stop && pthread_cond_timedwait(&an->wake, &an->lock, deadline) != ETIMEDOUT)
		;
	stop = an->stop;
	pthread_mutex_unlock(&an->lock);
	return stop;
}

static void add_s(struct timespec *t, double s)
{
	double whole = floor(s);

	t->tv_sec += (time_t)whole;
	t->tv_nsec += (long)((s - whole) * 1e9);
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static void *run(void *arg)
{
	struct analyser *an = arg;
	struct timespec next;
	struct analysis a;
	double every, window;
	char err[600];

	/* the minute's analysis of the window is the daemon's biggest periodic
	 * step (0.1-0.2 s of CPU on an hour-old store): named for top -H, and
	 * at nice 19 so that it waits for the host's own work, not the reverse */
	pthread_setname_np(pthread_self(), "pp-analysis");
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), 19))
		dlog(DLOG_DEBUG, "analysis thread: cannot lower its priority: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &next);
	add_s(&next, an->first_s);
	while (!nap(an, &next)) {
		pthread_mutex_lock(&an->lock);
		every = an->every_s;
		window = an->window_s;
		pthread_mutex_unlock(&an->lock);
		if (analyse_once(an, window, &a, err, sizeof(err))) {
			dlog(an->failures++ ? DLOG_DEBUG : DLOG_WARNING,
			     "analysis of %s failed: %s (tried again in %.0f s)", an->path, err,
			     every);
		} else {
			an->failures = 0;
			keep_json(an, &a);
			dlog(DLOG_DEBUG, "analysis: %zu findings over the last %.0f s, in %.2f s",
			     a.rows.n, a.until - a.since, a.seconds);
			an->hook(an->arg, &a);
		}
		json_decref(a.report);
		json_decref(a.capacity);
		stored_findings_free(&a.rows);
		malloc_trim(0); /* give what the analysis held back to the system */
		clock_gettime(CLOCK_MONOTONIC, &next);
		add_s(&next, every);
	}
	return NULL;
}

struct analyser *analyser_start(const char *store_path, double every_s, double window_s,
				double first_s, analysis_hook hook, void *arg, char *err,
				size_t errlen)
{
	struct analyser *an = calloc(1, sizeof(*an));
	pthread_condattr_t ca;
	int rc;

	if (!an) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(an->path, sizeof(an->path), "%s", store_path);
	an->every_s = every_s;
	an->window_s = window_s;
	an->first_s = first_s;
	an->hook = hook;
	an->arg = arg;
	pthread_mutex_init(&an->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&an->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&an->thread, NULL, run, an);
	if (rc) {
		snprintf(err, errlen, "cannot start the analysis thread: %s", strerror(rc));
		pthread_cond_destroy(&an->wake);
		pthread_mutex_destroy(&an->lock);
		free(an);
		return NULL;
	}
	return an;
}

void analyser_set(struct analyser *a, double every_s, double window_s)
{
	pthread_mutex_lock(&a->lock);
	a->every_s = every_s;
	a->window_s = window_s;
	pthread_mutex_unlock(&a->lock);
}

char *analyser_json(struct analyser *a, size_t *len, double *when)
{
	char *s = NULL;

	pthread_mutex_lock(&a->lock);
	if (a->json && (s = malloc(a->json_len + 1))) {
		memcpy(s, a->json, a->json_len + 1);
		*len = a->json_len;
		*when = a->json_when;
	}
	pthread_mutex_unlock(&a->lock);
	return s;
}

void analyser_stop(struct analyser *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	free(a->json);
	free(a);
}
