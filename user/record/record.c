// SPDX-License-Identifier: GPL-2.0
/* perfpilot record: collect every interval and write it to the store. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "collect/watch.h"
#include "collect/hostmetrics.h"
#include "record/record.h"
#include "record/collect.h"
#include "record/findings.h"
#include "record/profile.h"
#include "record/retry.h"
#include "record/write.h"
#include "store/store.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

double record_default_interval(double duration_s)
{
	return duration_s > 0 && duration_s <= 60 ? 1 : 5;
}

struct recorder {
	const struct record_opts *o;
	struct watch_opts wo;
	struct watch w;
	struct store *st;
	struct record_collect rc;
	struct record_profile *prof;
	double start_mono, end_mono, start_wall;
	double drained, flushed;    /* profile_flush_s: last drain and store */
	unsigned long intervals;
	double last_ts;      /* the end of the newest interval written */
	bool progress;
	bool line_open;             /* the progress line is on the terminal */
	volatile sig_atomic_t *stop;
	/* the store could not take an interval: with retry_writes, intervals
	 * kept in memory until it can (failing), else the recording ends
	 * (broken) */
	bool failing, broken, said_drop;
	unsigned int failed;        /* attempts failed in a row */
	unsigned long failures;     /* attempts failed in all */
	unsigned long dropped_all;  /* intervals kept and dropped, in all */
	double retry_at;            /* monotonic time of the next attempt */
	struct retry_queue pend;
};

static void vsay(const struct recorder *r, bool note, const char *fmt, va_list ap)
{
	const struct record_hooks *h = r->o->hooks;
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (h && note && h->note)
		h->note(h->arg, msg);
	else if (h && h->error)
		h->error(h->arg, msg);
	else
		fprintf(stderr, "%sperfpilot: %s\n", r->line_open ? "\n" : "", msg);
}

/* One message of the recording: to the caller's hook, or on stderr (after
 * the progress line, when there is one). */
static void say(const struct recorder *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct recorder *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(r, false, fmt, ap);
	va_end(ap);
}

/* The same for news that is no error (the hooks' note). */
static void say_note(const struct recorder *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say_note(const struct recorder *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(r, true, fmt, ap);
	va_end(ap);
}

static void describe_target(const struct watch_opts *w, char *buf, size_t len)
{
	size_t i, off;

	switch (w->target.mode) {
	case PP_FILTER_PID:
		off = (size_t)snprintf(buf, len, "-p ");
		for (i = 0; i < w->target.npids && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%s%u", i ? "," : "",
						w->target.pids[i]);
		if (w->target.children && off < len)
			snprintf(buf + off, len - off, " --children");
		break;
	case PP_FILTER_CGROUP:
		for (i = 0, off = 0; i < w->target.ncgroups && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%s-c %s", i ? " " : "",
						w->target.cgroups[i]);
		break;
	default:
		snprintf(buf, len, "-a");
	}
}

static int write_meta(struct recorder *r)
{
	char target[2048];
	struct utsname u;
	struct mem_info mi = {0};
	struct store_meta m = {0};
	FILE *f = fopen("/proc/meminfo", "r");

	if (f) {
		meminfo_parse(f, &mi);
		fclose(f);
	}
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	describe_target(&r->wo, target, sizeof(target));
	m.hostname = u.nodename;
	m.kernel = u.release;
	m.target = target;
	m.ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	m.mem_total_bytes = (double)mi.total_bytes;
	m.interval_s = r->wo.interval_s;
	m.start = r->start_wall;
	if (r->o->profile)
		m.profile_hz = r->o->profile_hz ? r->o->profile_hz : RECORDING_PROFILE_HZ;
	return store_set_meta(r->st, &m);
}

static void show_progress(struct recorder *r, double now)
{
	double used = store_bytes(r->st);

	fprintf(stderr, "\rperfpilot: recording to %s: %.0f s", r->o->path, floor(now - r->start_mono));
	if (r->end_mono)
		fprintf(stderr, ", %.0f s left", ceil(r->end_mono - now > 0 ? r->end_mono - now : 0));
	else
		fprintf(stderr, " (Ctrl-C stops)");
	fprintf(stderr, ", %lu intervals, %.0f KiB\033[K", r->intervals, used / 1024);
	r->line_open = true;
}

static void on_nap(double now, double left, void *arg)
{
	(void)left;
	show_progress(arg, now);
}

/* With --profile: wait for newly sampled processes and read their symbols. */
static void on_wait(int ms, void *arg)
{
	record_profile_wait(((struct recorder *)arg)->prof, ms);
}

/* Sleep until `deadline` (monotonic); with -p, stop once every process is gone. */
static void wait_until(struct recorder *r, double deadline)
{
	struct watch_nap nap = { r->progress ? on_nap : NULL, r->prof ? on_wait : NULL, r };

	watch_sleep_until(deadline, &r->wo.target, r->stop, &nap);
}

/* What recording has cost perfpilot's own process so far. */
static void self_cost(struct store_self *self)
{
	struct rusage ru;

	memset(self, 0, sizeof(*self));
	self->pid = (uint32_t)getpid();
	if (getrusage(RUSAGE_SELF, &ru))
		return;
	self->cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	self->rss_peak_bytes = (double)ru.ru_maxrss * 1024;
}

/*
 * Give the memory freed since the last call back to the system: after the
 * start-up, each profile part and each rollup. The work that allocates and
 * frees the most leaves the heap full of free chunks under live ones, which
 * glibc keeps: resident memory would then follow the largest burst, not
 * what is in use (32 of 99 MB, measured on `record -a --profile` after its
 * first minute). Not every interval: the pages given back are faulted in
 * again by the next interval's work (a tenth of record's CPU time when
 * tried every second).
 */
static void give_back(void)
{
	malloc_trim(0);
}

/* Merge what has aged into longer steps (docs/store.md), a bounded amount
 * of work at a time; `now` is the end of the newest interval. true: rs
 * says what was done (maybe nothing). */
static bool roll_up(struct recorder *r, double now, struct rollup_stats *rs)
{
	memset(rs, 0, sizeof(*rs));
	if (!r->o->rollup.ntiers)
		return false;
	if (store_rollup(r->st, &r->o->rollup, now, RECORD_ROLLUP_BUDGET_S, rs)) {
		say(r, "%s: %s", r->o->path, store_error(r->st));
		return false;
	}
	return true;
}

/* Keep an interval in memory while the store takes none. */
static void keep(struct recorder *r, const struct interval_data *d)
{
	if (retry_push(&r->pend, d))
		r->pend.dropped++; /* out of memory: lost, counted with the dropped */
	if (r->pend.dropped && !r->said_drop) {
		say(r, "%s: more intervals than %u MiB of memory hold are waiting to be written: "
		    "dropping the oldest", r->o->path, RETRY_MAX_BYTES >> 20);
		r->said_drop = true;
	}
}

/*
 * Write this interval, after those kept in memory. 0: written (all of
 * them); 1: kept for later (retry_writes: the store takes none now, the
 * message said so once when it started failing); -1: the store failed and
 * the recording ends (the message said which file and what it holds).
 * `force`: the last interval, try the kept ones whatever the backoff.
 */
static int write_interval(struct recorder *r, const struct interval_data *d, bool force)
{
	const struct interval_data *k;
	double now = mono_now(), wait;
	unsigned long n = 0;

	if (!r->failing) {
		if (!record_write_interval(r->st, d)) {
			r->intervals++;
			return 0;
		}
		if (!r->o->retry_writes) {
			say(r, "writing to %s failed after %lu intervals (%.0f KiB): %s; the "
			    "intervals written before are kept", r->o->path, r->intervals,
			    store_bytes(r->st) / 1024, store_error(r->st));
			r->broken = true;
			return -1;
		}
		r->failing = true;
		r->failed = 1;
		r->failures++;
		r->said_drop = false;
		r->dropped_all += r->pend.dropped; /* the last outage's */
		r->pend.dropped = 0;
		wait = retry_backoff_s(1, RETRY_FIRST_S, RETRY_MAX_S);
		r->retry_at = now + wait;
		say(r, "writing to %s failed after %lu intervals: %s; keeping the intervals in "
		    "memory and trying again, first in %.0f s, then less often", r->o->path,
		    r->intervals, store_error(r->st), wait);
		keep(r, d);
		return 1;
	}
	keep(r, d);
	if (now < r->retry_at && !force)
		return 1;
	while ((k = retry_front(&r->pend))) {
		if (record_write_interval(r->st, k)) {
			r->failed++;
			r->failures++;
			r->retry_at = now + retry_backoff_s(r->failed, RETRY_FIRST_S, RETRY_MAX_S);
			return 1;
		}
		r->intervals++;
		n++;
		retry_pop(&r->pend);
	}
	r->failing = false;
	if (r->pend.dropped)
		say_note(r, "writing to %s again, after %u failed attempt%s: %lu intervals kept in "
			 "memory written, the %lu oldest were dropped (not written)", r->o->path,
			 r->failed, r->failed == 1 ? "" : "s", n, r->pend.dropped);
	else
		say_note(r, "writing to %s again, after %u failed attempt%s: %lu intervals kept in "
			 "memory written", r->o->path, r->failed, r->failed == 1 ? "" : "s", n);
	return 0;
}

/* Collect one interval and write it (or keep it, while the store cannot
 * take it). 0, or -1 after printing why. */
static int one_interval(struct recorder *r, bool last)
{
	struct interval_info ii;
	struct proc_sample *s = NULL;
	struct dev_sample *d = NULL;
	struct conn_sample *c = NULL;
	struct netns_sample *ns = NULL;
	size_t n = 0, nd = 0, nc = 0, nns = 0;
	struct interval_data data = {0};
	struct store_self self;
	unsigned long dropped, before;
	struct rollup_stats rs;
	bool rolled = false;
	int rc = -1, written;

	if (watch_tick(&r->w, &s, &n, &ii)) {
		say(r, "reading the BPF maps failed: %s", strerror(errno));
		return -1;
	}
	if (collector_has_io(r->w.col) && !watch_devices(&r->w, &d, &nd))
		record_collect_dev_peaks(&r->rc, d, nd);
	if (collector_has_net(r->w.col) && !watch_conns(&r->w, &c, &nc, &ns, &nns))
		record_collect_netns(&r->rc, &r->w, ns, nns);
	record_collect_host(&r->rc);
	record_collect_cgroups(&r->rc, s, n, r->wo.target.mode == PP_FILTER_CGROUP ?
				     &r->wo.target : NULL);
	self_cost(&self);
	data = (struct interval_data){
		.ts = ii.ts, .length_s = ii.interval_s, .procs = s, .nprocs = n,
		.cgs = r->rc.cgv, .ncgs = r->rc.ncgv, .host = &r->rc.host,
		.devs = d, .ndevs = nd, .busy = r->rc.busy, .nbusy = r->rc.nbusy,
		.ns = ns, .nns = nns, .nsv = r->rc.nsv, .nnsv = r->rc.nnsv, .self = &self,
	};
	before = r->intervals;
	written = write_interval(r, &data, last);
	if (written < 0)
		goto out;
	dropped = 0;
	if (!written) {
		r->last_ts = ii.ts;
		/* (the intervals kept while the store failed may be many) */
		if (r->intervals / RECORD_ROLLUP_EVERY != before / RECORD_ROLLUP_EVERY) {
			rolled = roll_up(r, ii.ts, &rs);
			give_back();
		} else if (r->intervals == 1) {
			give_back(); /* what the start-up read and freed (BPF objects, kallsyms) */
		}
		if ((r->o->max_age_s > 0 || r->o->max_size_bytes > 0) &&
		    store_prune(r->st, r->o->max_age_s, r->o->max_size_bytes, ii.ts, &dropped))
			say(r, "pruning %s failed: %s", r->o->path, store_error(r->st));
	}
	if (r->o->hooks && r->o->hooks->interval) {
		struct record_tick t = { &data, &ii, r->st, &r->w, r->prof, r->intervals, dropped,
					 r->failing, r->failures, r->pend.n,
					 r->dropped_all + r->pend.dropped,
					 rolled ? &rs : NULL };

		r->o->hooks->interval(r->o->hooks->arg, &t);
	}
	rc = 0;
out:
	free(s);
	free(d);
	free(c);
	free(ns);
	return rc;
}

/* Baselines, so that the first interval counts from the start. */
static void baselines(struct recorder *r)
{
	struct dev_sample *d;
	struct conn_sample *c;
	struct netns_sample *ns;
	size_t n, nns;

	if (collector_has_io(r->w.col) && !watch_devices(&r->w, &d, &n)) {
		record_collect_dev_peaks(&r->rc, d, n);
		free(d);
	}
	if (collector_has_net(r->w.col) && !watch_conns(&r->w, &c, &n, &ns, &nns)) {
		record_collect_netns(&r->rc, &r->w, ns, nns);
		free(c);
		free(ns);
	}
}

/* With profile_flush_s: what was sampled over the interval to the hook,
 * and every period (and at the end) the stacks kept into the store. */
static void drain_profile(struct recorder *r, bool last)
{
	const struct record_hooks *h = r->o->hooks;
	struct stackset ss;
	double now = wall_now();
	char *folded = NULL;

	if (record_profile_drain(r->prof, &ss) || record_profile_keep(r->prof, &ss))
		say(r, "reading the profile failed (out of memory); its samples are lost");
	ss.start_unix = r->drained;
	ss.duration_s = now - r->drained;
	r->drained = now;
	if (h && h->profile)
		h->profile(h->arg, &ss);
	else
		ss_free(&ss);
	/* while the store fails, the stacks wait in memory for the next part */
	if (!last && (r->failing || now - r->flushed < r->o->profile_flush_s))
		return;
	if (record_profile_flush(r->prof, &folded))
		say(r, "folding the profile failed (out of memory); its samples are lost");
	else if (folded[0] && store_put_profile(r->st, r->flushed, now, folded))
		say(r, "writing the profile failed: %s", store_error(r->st));
	free(folded);
	r->flushed = now;
	give_back();
}

static int finish_profile(struct recorder *r)
{
	unsigned long long samples = 0;
	char *folded = NULL;
	int rc = 0;

	if (!r->prof)
		return 0;
	if (r->broken || r->failing) { /* the store takes nothing: said already */
		record_profile_free(r->prof);
		r->prof = NULL;
		return 0;
	}
	if (r->o->profile_flush_s > 0) {
		drain_profile(r, true);
	} else if (record_profile_finish(r->prof, &folded, &samples)) {
		say(r, "reading the profile failed; the series are kept");
		rc = 1;
	} else if (store_put_profile(r->st, r->start_wall, wall_now(), folded)) {
		say(r, "writing the profile failed: %s", store_error(r->st));
		rc = 1;
	}
	free(folded);
	record_profile_free(r->prof);
	r->prof = NULL;
	return rc;
}

/* The analysis of the whole store, kept in it; the series stay either way. */
static void store_findings(struct recorder *r)
{
	char err[600];
	size_t n;

	if (record_findings(r->st, r->o->path, &n, err, sizeof(err)))
		say(r, "analysing %s failed (%s); the series are kept", r->o->path, err);
	else if (r->progress)
		fprintf(stderr, "perfpilot: %zu findings stored in %s\n", n, r->o->path);
}

static int run_loop(struct recorder *r)
{
	double next, interval = r->wo.interval_s;

	next = r->start_mono + interval;
	for (;;) {
		bool last;

		wait_until(r, r->end_mono && next > r->end_mono ? r->end_mono : next);
		last = *r->stop || (r->end_mono && mono_now() >= r->end_mono - 1e-3);
		if (one_interval(r, last))
			return 1;
		if (r->prof && r->o->profile_flush_s > 0 && !last)
			drain_profile(r, false);
		if (last && r->failing) {
			say(r, "%s: stopped while writing failed: %zu intervals kept in memory%s are "
			    "lost (%s)", r->o->path, r->pend.n, r->prof ? " and the profile's last part" :
			    "", store_error(r->st));
			return 1;
		}
		if (last)
			return 0;
		next += interval;
		while (next < mono_now()) /* a slow interval: skip ahead, keep the phase */
			next += interval;
	}
}

int record_run(const struct record_opts *o)
{
	struct recorder r = { .o = o, .wo = o->w, .stop = o->stop ? o->stop : &stop };
	struct sigaction sa = { .sa_handler = on_signal };
	struct rollup_stats rs;
	char err[600];
	bool ended;
	int rc;

	if (r.wo.interval_s <= 0)
		r.wo.interval_s = record_default_interval(r.wo.duration_s);
	r.wo.short_life_s = o->short_life_s < 0 ? r.wo.interval_s : o->short_life_s;
	if (r.wo.target.mode == PP_FILTER_PID && !r.wo.target.children)
		r.wo.short_life_s = 0; /* only the named processes: each is wanted */
	/* before loading the BPF programs, so that a Ctrl-C while they load
	 * still ends the run normally (and removes record_live's temporary store) */
	stop = 0;
	if (!o->stop) {
		/* SIGHUP too (the terminal closed): the run ends as with Ctrl-C,
		 * the store complete, rather than killed mid-interval */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	watch_start(&r.w, &r.wo);
	if (o->profile &&
	    record_profile_start(&r.prof, &r.wo, o->profile_hz, &o->unwind, !o->profile_no_inlines,
				 err, sizeof(err))) {
		say(&r, "--profile: %s", err);
		watch_stop(&r.w, false);
		return 1;
	}
	if (r.prof && *record_profile_notice(r.prof))
		say(&r, "--profile: %s", record_profile_notice(r.prof));
	if (store_open(&r.st, o->path, err, sizeof(err)) || record_collect_init(&r.rc, &r.wo)) {
		say(&r, "%s: %s", o->path, r.st ? "out of memory" : err);
		record_profile_free(r.prof);
		store_close(r.st);
		watch_stop(&r.w, false);
		return 1;
	}
	baselines(&r);
	r.progress = !o->quiet && isatty(STDERR_FILENO);
	r.start_wall = wall_now();
	r.start_mono = mono_now();
	r.drained = r.flushed = r.start_wall;
	r.end_mono = r.wo.duration_s ? r.start_mono + r.wo.duration_s : 0;
	if (write_meta(&r)) {
		say(&r, "%s: %s", o->path, store_error(r.st));
		rc = 1;
	} else {
		rc = run_loop(&r);
	}
	if (r.progress)
		fprintf(stderr, "\r\033[K");
	r.line_open = false;
	ended = !rc; /* the series are complete even if the profile is lost */
	if (ended && r.intervals)
		roll_up(&r, r.last_ts, &rs);
	if (finish_profile(&r))
		rc = 1;
	if (ended && !o->no_findings)
		store_findings(&r);
	if (r.progress) {
		struct procmeta_stats ms = {0};
		unsigned long long evicted = 0;
		size_t cached = 0;

		if (r.w.meta)
			procmeta_get_stats(r.w.meta, &ms);
		store_cache_stats(r.st, &cached, &evicted);
		/* what the bounded caches dropped: exited processes, and names
		 * not cached because the bound was reached (read again then) */
		fprintf(stderr, "perfpilot: %lu intervals written to %s (%.0f KiB); %zu entities "
			"in memory at the end, %llu dropped once they ended%s\n", r.intervals,
			o->path, store_bytes(r.st) / 1024, cached, evicted,
			ms.refused ? " (some names not cached: more live processes than the "
				     "cache holds)" : "");
	}
	if (store_close(r.st)) {
		say(&r, "closing %s failed", o->path);
		rc = 1;
	}
	retry_free(&r.pend);
	record_collect_free(&r.rc);
	watch_stop(&r.w, false);
	return rc;
}

void record_live_remove(const char *path)
{
	char fn[4200];

	unlink(path);
	snprintf(fn, sizeof(fn), "%s-wal", path);
	unlink(fn);
	snprintf(fn, sizeof(fn), "%s-shm", path);
	unlink(fn);
}

/* The temporary store of record_live, removed if perfpilot exits early. */
static char live_path[4096];

static void remove_live_at_exit(void)
{
	if (live_path[0])
		record_live_remove(live_path);
}

int record_live(const struct watch_opts *w, double duration_s, char *path_out, size_t len)
{
	/* the caller analyses the store itself */
	struct record_opts o = { .w = *w, .path = path_out, .no_findings = true,
				 .short_life_s = -1 };
	const char *dir = getenv("TMPDIR");
	int fd, rc;

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(path_out, len, "%s/perfpilot-live-XXXXXX", dir) >= len) {
		fprintf(stderr, "perfpilot: temporary directory name too long: %s\n", dir);
		return 1;
	}
	fd = mkstemp(path_out);
	if (fd < 0) {
		fprintf(stderr, "perfpilot: cannot create a temporary store in %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	close(fd);
	snprintf(live_path, sizeof(live_path), "%s", path_out);
	atexit(remove_live_at_exit);
	o.w.duration_s = duration_s;
	if (o.w.interval_s <= 0)
		o.w.interval_s = 1;
	rc = record_run(&o);
	if (rc)
		record_live_remove(path_out);
	live_path[0] = 0; /* the caller's now */
	return rc;
}
