// SPDX-License-Identifier: GPL-2.0
/* perfpilot daemon: the recording loop with its hooks, and what runs beside it. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/daemon.h"
#include "daemon/daemon_int.h"
#include "daemon/alerts_config.h"
#include "record/heap.h"
#include "daemon/log.h"
#include "record/profile.h"
#include "store/store_findings.h"
#include "version.h"

static volatile sig_atomic_t stop_flag, reload_flag;

static void start_analysis(struct daemon *d);

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reload_flag = 1;
}

/* ---- before anything runs: bad input is exit 2 ---- */

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage(const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "perfpilot: %s\n", msg);
	return 2;
}

/* The state directory: created when missing, and writable. */
static int check_state_dir(const char *dir)
{
	char probe[PATH_MAX + 64];
	struct stat st;
	int fd;

	if (stat(dir, &st) && errno == ENOENT && mkdir(dir, 0750) && errno != EEXIST)
		return usage("state directory %s: cannot create it: %s; choose another with "
			     "--state-dir", dir, strerror(errno));
	if (stat(dir, &st))
		return usage("state directory %s: %s; choose another with --state-dir", dir,
			     strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return usage("state directory %s is not a directory; choose another with "
			     "--state-dir", dir);
	snprintf(probe, sizeof(probe), "%s/.perfpilot-probe-%d", dir, (int)getpid());
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EROFS)
			return usage("state directory %s is on a read-only file system; choose "
				     "another with --state-dir", dir);
		return usage("state directory %s is not writable: %s; choose another with "
			     "--state-dir", dir, strerror(errno));
	}
	close(fd);
	unlink(probe);
	return 0;
}

static int check_inputs(struct daemon *d)
{
	const struct daemon_config *c = d->cfg;
	char err[600];
	int rc;

	rc = check_state_dir(c->state_dir);
	if (rc)
		return rc;
	snprintf(d->store, sizeof(d->store), "%s/perfpilot.db", c->state_dir);
	if (store_check_target(d->store, err, sizeof(err)))
		return usage("%s", err);
	if (c->token_file[0] &&
	    http_read_token_file(c->token_file, d->token, sizeof(d->token), err, sizeof(err)))
		return usage("%s", err);
	return 0;
}

/* ---- the recording's hooks (its thread) ---- */

static const char *const drop_names[PP_CNT_MAX] = {
	[PP_CNT_PROC_DROPPED] = "processes", [PP_CNT_THREAD_DROPPED] = "threads",
	[PP_CNT_MEM_DROPPED] = "mem", [PP_CNT_RSS_UNATTRIBUTED] = "rss_unattributed",
	[PP_CNT_IO_DROPPED] = "io", [PP_CNT_NET_DROPPED] = "net",
	[PP_CNT_NET_UNATTRIBUTED] = "net_unattributed",
	[PP_CNT_EXIT_TAIL_LATE] = "exit_tail_late",
};

static void prog_stat(void *arg, const char *prog, uint64_t runs, uint64_t run_ns)
{
	metrics_set_bpf_prog(arg, prog, runs, run_ns);
}

/* What the collector, the profiler and the caches dropped so far. */
static void drops(struct daemon *d, const struct record_tick *t)
{
	struct record_profile_stats ps;
	struct procmeta_stats ms = { 0 };
	unsigned long long dropped;
	size_t bytes, i;

	for (i = 0; i < PP_CNT_MAX; i++)
		if (drop_names[i])
			metrics_set_dropped(d->m, drop_names[i], t->ii->dropped[i]);
	if (t->w->meta) {
		procmeta_get_stats(t->w->meta, &ms);
		metrics_set_dropped(d->m, "process_names", ms.refused);
	}
	if (t->prof) {
		record_profile_get_stats(t->prof, &ps);
		metrics_set_dropped(d->m, "prof_counts", ps.lost_counts);
		metrics_set_dropped(d->m, "prof_stacks", ps.lost_stacks);
	}
	if (d->pw) {
		profwin_stats(d->pw, &dropped, &bytes);
		metrics_set_dropped(d->m, "profile_window", dropped);
	}
	collector_prog_stats(t->w->col, prog_stat, d->m);
}

/* The last analysis's findings into the store, between two intervals. */
static void store_pending(struct daemon *d, struct store *st)
{
	struct stored_findings p;
	struct store_finding *sf;
	double when[3];
	size_t i;

	pthread_mutex_lock(&d->pend_lock);
	p = d->pending;
	memcpy(when, d->pending_when, sizeof(when));
	memset(&d->pending, 0, sizeof(d->pending));
	pthread_mutex_unlock(&d->pend_lock);
	if (!p.present)
		return;
	sf = calloc(p.n + 1, sizeof(*sf));
	for (i = 0; sf && i < p.n; i++)
		sf[i] = (struct store_finding){ p.f[i].kind, p.f[i].severity, p.f[i].resource,
						p.f[i].summary, p.f[i].json };
	if (!sf || store_put_findings(st, when[0], when[1], when[2], sf, p.n))
		dlog(DLOG_WARNING, "keeping the findings in %s failed: %s", d->store,
		     sf ? store_error(st) : "out of memory");
	free(sf);
	stored_findings_free(&p);
}

static void eval_alerts(struct daemon *d, double now)
{
	struct alert_metric *v;
	size_t n;

	if (!d->alerts)
		return;
	n = metrics_alert_values(d->m, &v);
	alerts_eval_metrics(d->alerts, v, n, now);
	metrics_alert_values_free(v, n);
}

static void on_interval(void *arg, const struct record_tick *t)
{
	struct daemon *d = arg;

	d->intervals = t->intervals;
	metrics_add_interval(d->m, t->data);
	drops(d, t);
	metrics_set_store(d->m, store_bytes(t->st), t->intervals);
	metrics_set_store_writes(d->m, t->write_failures, t->pending, t->write_dropped);
	atomic_store(&d->ep.last_ms, (long long)(t->data->ts * 1000));
	/* (the first may come late and with others: the store failed) */
	if (t->intervals >= 1 && !d->analysing) {
		dlog(DLOG_INFO, "recording: the first interval is in %s", d->store);
		d->analysing = true;
		if (!stop_flag) /* stopping already (a signal while it loaded) */
			start_analysis(d);
	}
	if (t->pruned)
		dlog(DLOG_DEBUG, "retention: %lu intervals deleted from %s", t->pruned, d->store);
	if (t->rolled && (t->rolled->steps || t->rolled->took_s >= 0.05))
		dlog(DLOG_DEBUG, "rollup: %lu rows merged into %lu step%s (%lu samples into %lu) "
		     "in %.3f s%s", t->rolled->intervals, t->rolled->steps,
		     t->rolled->steps == 1 ? "" : "s", t->rolled->samples_in,
		     t->rolled->samples_out, t->rolled->took_s,
		     t->rolled->more ? ", more next time" : "");
	eval_alerts(d, t->data->ts);
	/* the findings wait while the store takes nothing (a full disk) */
	if (!t->store_failing)
		store_pending(d, t->st);
	if (reload_flag) {
		reload_flag = 0;
		daemon_reload(d);
	}
}

static void on_profile(void *arg, struct stackset *ss)
{
	struct daemon *d = arg;

	if (d->pw)
		profwin_add(d->pw, ss);
	else
		ss_free(ss);
	/* the interval's symbolizing freed its work space all over the heap:
	 * give them back soon, not at the next analysis (a minute), but not
	 * after every interval: the next one faults them in again (that was
	 * about a third of the daemon's CPU time, madvise and the faults) */
	heap_give_back(HEAP_SLACK_BYTES, HEAP_TRIM_GAP_S);
}

static void on_record_error(void *arg, const char *msg)
{
	(void)arg;
	dlog(DLOG_ERROR, "%s", msg);
}

static void on_record_note(void *arg, const char *msg)
{
	(void)arg;
	dlog(DLOG_WARNING, "%s", msg);
}

/* ---- the analysis's hook (its thread) ---- */

static void on_analysis(void *arg, struct analysis *a)
{
	struct daemon *d = arg;
	json_t *fs = json_object_get(a->report, "findings");
	size_t n = json_array_size(fs);

	metrics_set_findings(d->m, fs);
	if (a->capacity)
		metrics_set_capacity(d->m, a->capacity);
	if (d->alerts)
		alerts_eval_findings(d->alerts, fs, a->analysed);
	dlog(n != d->last_nfindings ? DLOG_INFO : DLOG_DEBUG,
	     "analysis: %zu finding%s over the last %.0f s", n, n == 1 ? "" : "s",
	     a->until - a->since);
	d->last_nfindings = n;
	pthread_mutex_lock(&d->pend_lock);
	stored_findings_free(&d->pending);
	d->pending = a->rows;
	d->pending_when[0] = a->analysed;
	d->pending_when[1] = a->since;
	d->pending_when[2] = a->until;
	memset(&a->rows, 0, sizeof(a->rows));
	pthread_mutex_unlock(&d->pend_lock);
	pthread_mutex_lock(&d->tune_lock);
	tuning_tick(d->tune, a->analysed);
	pthread_mutex_unlock(&d->tune_lock);
}

/* ---- start and stop ---- */

/* Once the store has its first interval: the first analysis comes soon
 * (within 10 s, or `every`), then one every `every`. */
static void start_analysis(struct daemon *d)
{
	const struct daemon_config *c = d->cfg;
	double first = fmin(c->every_s, fmax(2 * c->interval_s, 10));
	char err[600];

	atomic_store(&d->ep.an, analyser_start(d->store, c->every_s, c->window_s, first,
					       on_analysis, d, err, sizeof(err)));
	if (!atomic_load(&d->ep.an))
		dlog(DLOG_ERROR, "analysis: %s; there will be no findings", err);
}

static void signals(sigset_t *blocked)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* the threads started from here on leave the signals to this one */
	sigemptyset(blocked);
	sigaddset(blocked, SIGINT);
	sigaddset(blocked, SIGTERM);
	sigaddset(blocked, SIGHUP);
	pthread_sigmask(SIG_BLOCK, blocked, NULL);
}

static void describe(const struct daemon *d)
{
	const struct daemon_config *c = d->cfg;
	char target[DAEMON_CGROUP_MAX + 64] = "the host", prof[48] = "no profile";
	char age[48] = "no age limit", size[48] = "no size limit", r1[24], r2[24];
	char rollup[80] = "no rollups";

	if (d->o->config_defaulted)
		dlog(DLOG_INFO, "no config file at %s: the built-in defaults",
		     DAEMON_CONFIG_DEFAULT);
	else
		dlog(DLOG_INFO, "config: %s", c->file);
	if (c->ncgroups == 1)
		snprintf(target, sizeof(target), "cgroup %s", c->cgroups[0]);
	else if (c->ncgroups)
		snprintf(target, sizeof(target), "%zu cgroups (%s, ...)", c->ncgroups, c->cgroups[0]);
	if (c->profile_hz)
		snprintf(prof, sizeof(prof), "on-CPU profile at %u Hz", c->profile_hz);
	if (c->max_age_s > 0)
		alerts_format_duration(c->max_age_s, age, sizeof(age));
	if (c->max_size_bytes > 0)
		snprintf(size, sizeof(size), "%.0f MiB", c->max_size_bytes / (1 << 20));
	if (c->rollup.ntiers) {
		alerts_format_duration(c->rollup.age_s[0], r1, sizeof(r1));
		alerts_format_duration(c->rollup.age_s[1], r2, sizeof(r2));
		snprintf(rollup, sizeof(rollup), "rolled up after %s and %s", r1, r2);
	}
	dlog(DLOG_INFO, "perfpilot daemon %s: recording %s every %g s into %s (kept %s or %s, %s), "
	     "%s, analysis every %g s over the last %g s", PERFPILOT_VERSION, target,
	     c->interval_s, d->store, age, size, rollup, prof, c->every_s, c->window_s);
	dlog(DLOG_INFO, "scheduler statistics: sched_source = %s (%s)",
	     sched_source_name(c->sched_source),
	     c->sched_source == SCHED_SOURCE_ITERATOR
		     ? "a task iterator every interval, no program per context switch"
		     : "programs on every context switch");
}

static void record_setup(struct daemon *d, const struct daemon_opts *o)
{
	const struct daemon_config *c = d->cfg;

	d->hooks = (struct record_hooks){ .interval = on_interval, .profile = on_profile,
					  .error = on_record_error, .note = on_record_note,
					  .arg = d };
	d->ro.w = o->w;
	d->ro.w.interval_s = c->interval_s;
	d->ro.w.duration_s = 0;
	d->ro.w.bpf_stats = true;
	d->ro.w.sched_source = c->sched_source;
	if (!d->ro.w.max_procs)
		d->ro.w.max_procs = PP_MAX_PROCS_DEFAULT;
	d->ro.profile = c->profile_hz > 0;
	d->ro.profile_hz = c->profile_hz;
	d->ro.profile_no_inlines = !c->profile_inlines;
	d->ro.unwind.memory_mb = c->profile_unwind_mb;
	d->ro.profile_flush_s = DAEMON_PROFILE_FLUSH_S;
	d->ro.path = d->store;
	d->ro.quiet = true;
	d->ro.max_age_s = c->max_age_s;
	d->ro.max_size_bytes = c->max_size_bytes;
	d->ro.rollup = c->rollup;
	d->ro.no_findings = true;
	d->ro.short_life_s = -1;
	d->ro.stop = &stop_flag;
	d->ro.hooks = &d->hooks;
	d->ro.retry_writes = true; /* a full disk: keep collecting, write later */
}

static void teardown(struct daemon *d)
{
	/* first the server: no handler runs after it stopped (a profile
	 * request waiting for intervals is woken: it answers what it has) */
	profwin_close(d->pw);
	http_stop(d->srv);
	d->srv = NULL;
	analyser_stop(atomic_load(&d->ep.an));
	atomic_store(&d->ep.an, NULL);
	pthread_mutex_lock(&d->tune_lock);
	tuning_stop(d->tune);
	d->tune = NULL;
	pthread_mutex_unlock(&d->tune_lock);
	if (d->alerts)
		alerts_stop(d->alerts, DAEMON_ALERTS_DRAIN_S);
	metrics_free(d->m);
	profwin_free(d->pw);
	stored_findings_free(&d->pending);
	pthread_mutex_destroy(&d->pend_lock);
	pthread_mutex_destroy(&d->tune_lock);
	daemon_config_free(d->cfg);
	free(d->cfg);
}

int daemon_run(struct daemon_config *cfg, const struct daemon_opts *o)
{
	struct daemon *d = calloc(1, sizeof(*d));
	sigset_t blocked;
	char err[600];
	int rc;

	if (!d) {
		fprintf(stderr, "perfpilot: out of memory\n");
		return 1;
	}
	d->cfg = cfg;
	d->o = o;
	pthread_mutex_init(&d->pend_lock, NULL);
	pthread_mutex_init(&d->tune_lock, NULL);
	dlog_set_level(cfg->log_level);
	signals(&blocked);
	rc = check_inputs(d);
	if (!rc && !(d->m = metrics_new(cfg->top_processes)))
		rc = usage("out of memory");
	if (!rc && cfg->profile_hz && !(d->pw = profwin_new()))
		rc = usage("out of memory");
	d->ep = (struct endpoints){ .m = d->m, .pw = d->pw, .interval_s = cfg->interval_s };
	atomic_store(&d->ep.pprof_max_ms, (long long)(cfg->pprof_max_s * 1000));
	endpoints_view(&d->ep, &o->w);
	endpoints_routes(&d->ep, d->routes);
	if (!rc && !(d->srv = daemon_http_start(d, cfg, d->token, d->routes, err, sizeof(err))))
		rc = usage("%s", err);
	if (!rc && cfg->tune_enabled)
		rc = daemon_tune_start(d, cfg) == TUNING_CONFIG ? 2 : 0;
	if (rc) {
		teardown(d);
		free(d);
		return rc;
	}
	describe(d);
	daemon_say_listening(cfg, d->token);
	if (d->tune)
		tuning_say(d->tune);
	atomic_store(&d->ep.srv, d->srv);
	d->alerts = alerts_start(cfg->alerts, err, sizeof(err));
	if (d->alerts)
		alerts_set_logger(d->alerts, dlog);
	else
		dlog(DLOG_ERROR, "alerts: %s; none will be sent", err);
	d->ep.alerts = d->alerts;
	record_setup(d, o);
	pthread_sigmask(SIG_UNBLOCK, &blocked, NULL);
	rc = record_run(&d->ro);
	dlog(rc ? DLOG_ERROR : DLOG_INFO, "%s: %lu intervals written to %s",
	     rc ? "stopped after a failure" : "stopped", d->intervals, d->store);
	teardown(d);
	free(d);
	return rc;
}
