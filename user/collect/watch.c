// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "collect/watch.h"
#include "collect/listeners.h"

double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Does the -a/-p/-c target select this process? (user-space check) */
static bool selects(const struct watch_opts *o, uint32_t pid)
{
	char path[PP_CGROUP_PATH_MAX];
	struct cg_view v = {0};
	size_t i;

	switch (o->target.mode) {
	case PP_FILTER_ALL:
		return true;
	case PP_FILTER_PID:
		for (i = 0; i < o->target.npids; i++)
			if (o->target.pids[i] == pid)
				return true;
		return false;
	case PP_FILTER_CGROUP:
	case PP_FILTER_CGROUPS:
		v.hier = o->cg.hier;
		snprintf(v.controller, sizeof(v.controller), "%s", o->cg.controller);
		cg_path_of_pid(&v, pid, path, sizeof(path));
		return target_has_cgroup(&o->target, path);
	}
	return false;
}

/*
 * Listeners opened before perfpilot started: the BPF side never saw their
 * listen(), so tell it their owners, for accepts to be charged to them.
 */
static void seed_listeners(struct collector *c, struct watch *w, const struct watch_opts *o)
{
	struct diag_listener l[256];
	size_t i;
	int j, n;

	for (i = 0; i < w->netns.n; i++) {
		n = diag_listeners(w->netns.pid[i], l, sizeof(l) / sizeof(l[0]));
		if (n <= 0)
			continue;
		listener_owners(l, (size_t)n, o->target.mode == PP_FILTER_PID ? o->target.pids : NULL,
				o->target.mode == PP_FILTER_PID ? o->target.npids : 0);
		for (j = 0; j < n; j++)
			if (l[j].pid && selects(o, l[j].pid))
				collector_add_listener(c, w->netns.netns[i], l[j].port, l[j].pid,
						       l[j].backlog);
	}
}

struct before_attach {
	struct watch *w;
	const struct watch_opts *o;
};

/*
 * Before the programs are attached, not after: a workload started once the
 * programs are in place (a script that waits for them) has its accepts
 * charged to a listener opened earlier, and the namespaces' counters count
 * from before its first connection.
 */
static void before_attach(struct collector *c, void *arg)
{
	struct before_attach *b = arg;

	if (!collector_has_net(c))
		return;
	netns_baseline(&b->w->netns);
	seed_listeners(c, b->w, b->o);
}

void watch_start(struct watch *w, const struct watch_opts *o)
{
	struct before_attach ba = {w, o};
	struct collector_opts co = {
		.target = &o->target,
		.cgroup = o->target.mode == PP_FILTER_CGROUP ? &o->cg : NULL,
		.max_procs = (unsigned int)o->max_procs,
		.max_threads = (unsigned int)o->max_threads,
		.tick_hz = 10,
		.attach = o->attach,
		.sched_source = o->sched_source,
		.bpf_stats = o->bpf_stats,
		.verbose = o->verbose,
		.before_attach = before_attach,
		.before_attach_arg = &ba,
	};
	struct cg_view view;
	char err[512];

	memset(w, 0, sizeof(*w));
	if (o->target.mode == PP_FILTER_CGROUP && o->cg.hier == PP_CGROUP_V1) {
		/* report cgroups in the hierarchy the user chose */
		memset(&view, 0, sizeof(view));
		view.hier = PP_CGROUP_V1;
		snprintf(view.controller, sizeof(view.controller), "%s", o->cg.controller);
		snprintf(view.mount, sizeof(view.mount), "%s", o->cg.mount);
	} else {
		cg_view_default(&view);
	}
	w->meta = procmeta_new(&view);
	if (!w->meta) {
		fprintf(stderr, "perfpilot: out of memory\n");
		exit(1);
	}
	if (collector_open(&w->col, &co, err, sizeof(err))) {
		fprintf(stderr, "perfpilot: %s\n", err);
		exit(1);
	}
	/* once more: a listen() between that seeding and the attach of the
	 * TCP programs was seen by neither (BPF_NOEXIST: what they saw wins) */
	if (collector_has_net(w->col))
		seed_listeners(w->col, w, o);
	w->keep_idle = o->target.mode == PP_FILTER_PID;
	w->short_life_s = o->short_life_s;
	w->target = &o->target;
	w->host = o->target.mode == PP_FILTER_ALL;
	w->last_mono = mono_now();
}

/*
 * RSS comes from rss_stat events; a process whose RSS has not changed since
 * perfpilot attached has had none, so read the same counters from statm.
 */
static void rss_from_statm(struct proc_sample *s)
{
	unsigned long long size, resident;
	char fn[64];
	FILE *f;

	if (s->has_mem || s->exited)
		return;
	snprintf(fn, sizeof(fn), "/proc/%u/statm", s->pid);
	f = fopen(fn, "r");
	if (!f)
		return;
	if (fscanf(f, "%llu %llu", &size, &resident) == 2 && size) {
		s->rss_bytes = (int64_t)(resident * (unsigned long long)sysconf(_SC_PAGESIZE));
		s->rss_peak_bytes = s->rss_bytes;
		s->has_mem = true;
	}
	fclose(f);
}

/* With -p, every named process gets a row, even before its first event. */
static struct proc_sample *add_idle_targets(struct watch *w, struct proc_sample *s, size_t *ns)
{
	size_t i, j, extra = 0;
	struct proc_sample *n;

	if (!w->target || w->target->mode != PP_FILTER_PID)
		return s;
	n = realloc(s, (*ns + w->target->npids) * sizeof(*s));
	if (!n)
		return s;
	for (i = 0; i < w->target->npids; i++) {
		uint32_t pid = w->target->pids[i];
		bool found = false;
		char fn[64];

		for (j = 0; j < *ns + extra && !found; j++)
			found = n[j].pid == pid;
		snprintf(fn, sizeof(fn), "/proc/%u", pid);
		if (found || access(fn, F_OK))
			continue;
		memset(&n[*ns + extra], 0, sizeof(*n));
		n[*ns + extra].pid = pid;
		procmeta_fill(w->meta, &n[*ns + extra], 0);
		extra++;
	}
	*ns += extra;
	return n;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct proc_raw *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/*
 * Short-lived processes (watch.h): mark in held[] the processes of cur not
 * reported yet and younger than short_life_s, alive (held back) and, in
 * short[], those that exited that young. Counts them.
 */
static void young_ones(struct watch *w, const struct proc_raw *cur, size_t ncur, bool *held,
		       bool *shortl)
{
	uint64_t now_ns = (uint64_t)(mono_now() * 1e9), life = (uint64_t)(w->short_life_s * 1e9);
	size_t i;

	for (i = 0; i < ncur; i++) {
		const struct pp_sched_stats *a = &cur[i].sched;
		const struct proc_raw *p;

		held[i] = shortl[i] = false;
		if (!cur[i].has_sched || !a->start_ns || (a->flags & PP_PROC_KTHREAD))
			continue;
		p = w->nprev ? bsearch(&cur[i], w->prev, w->nprev, sizeof(cur[i]), cmp_pid) : NULL;
		if (p && (!p->sched.start_boot_ns || p->sched.start_boot_ns == a->start_boot_ns))
			continue; /* reported already */
		if (p)
			w->stats.reused++; /* the pid of another, earlier process */
		if (a->flags & PP_PROC_EXITED) {
			if (a->exit_ns >= a->start_ns && a->exit_ns - a->start_ns < life) {
				shortl[i] = true;
				w->stats.short_lived++;
			}
		} else if (now_ns > a->start_ns && now_ns - a->start_ns < life) {
			held[i] = true;
			w->stats.held++;
		}
	}
}

/*
 * Reported for the last time: an exited process, or an entry without the
 * scheduler's whose process is gone, such as one an IO completion made
 * after its process exited and was removed (it would stay in the maps).
 * The pids are the host's: watch_validate refuses another pid namespace.
 */
static bool row_gone(const struct proc_raw *r)
{
	if (r->has_sched)
		return r->sched.flags & PP_PROC_EXITED;
	return r->pid && kill((pid_t)r->pid, 0) && errno == ESRCH;
}

int watch_tick(struct watch *w, struct proc_sample **out, size_t *n, struct interval_info *ii)
{
	struct proc_raw *cur, *next;
	struct proc_sample *s;
	size_t ncur, i, j, k, ns;
	double now = mono_now();
	bool *held = NULL, *shortl = NULL, *gone;

	memset(ii, 0, sizeof(*ii));
	if (collector_read(w->col, &cur, &ncur))
		return -1;
	/* room for the next base (the processes still alive; fewer once the
	 * young ones are held back), before anything is counted */
	for (i = 0, j = 0; i < ncur; i++)
		j += !(cur[i].has_sched && (cur[i].sched.flags & PP_PROC_EXITED));
	next = malloc((j ? j : 1) * sizeof(*next));
	s = calloc(ncur ? ncur : 1, sizeof(*s));
	gone = calloc(ncur ? ncur : 1, sizeof(*gone));
	if (w->short_life_s > 0) {
		held = calloc(ncur ? ncur : 1, sizeof(*held));
		shortl = calloc(ncur ? ncur : 1, sizeof(*shortl));
	}
	if (!next || !s || !gone || (w->short_life_s > 0 && (!held || !shortl))) {
		free(next);
		free(s);
		free(gone);
		free(held);
		free(shortl);
		return -1;
	}
	if (held) {
		young_ones(w, cur, ncur, held, shortl);
		/* held back: out of this interval's samples and of the next
		 * snapshot, so that they count from their start when reported */
		for (i = 0, j = 0; i < ncur; i++) {
			if (held[i])
				continue;
			shortl[j] = shortl[i];
			cur[j++] = cur[i];
		}
		ncur = j;
	}
	/* reported now for the last time (removed below); an entry without
	 * the scheduler's whose process is gone not at all: its process's exit
	 * was reported already, this came after it */
	for (i = 0; i < ncur; i++)
		gone[i] = row_gone(&cur[i]);
	ns = sample_diff(w->prev, w->nprev, cur, ncur, w->keep_idle, s);
	for (i = 0, j = 0, k = 0; i < ns; i++) {
		/* samples are in cur's order, some skipped as idle */
		while (j < ncur && cur[j].pid != s[i].pid)
			j++;
		if (j < ncur && gone[j] && !cur[j].has_sched) {
			w->stats.late++;
			continue;
		}
		if (shortl)
			s[i].short_lived = j < ncur && shortl[j];
		if (k != i)
			s[k] = s[i];
		k++;
	}
	ns = k;
	free(held);
	free(shortl);
	for (i = 0; i < ns; i++)
		procmeta_fill(w->meta, &s[i], s[i].cgroup_id);
	/* exited processes: reported now, then removed from kernel and memory;
	 * the others, copied out of the collector's rows, are the next base */
	collector_forget(w->col, cur, gone, ncur);
	for (i = 0, j = 0; i < ncur; i++) {
		if (gone[i]) {
			procmeta_forget(w->meta, cur[i].pid);
			continue;
		}
		next[j++] = cur[i];
	}
	for (i = 0; i < j; i++)
		proc_raw_ratchet(&next[i], w->nprev ? bsearch(&next[i], w->prev, w->nprev,
							      sizeof(next[i]), cmp_pid) : NULL);
	free(gone);
	free(w->prev);
	w->prev = next;
	w->nprev = j;
	s = add_idle_targets(w, s, &ns);
	for (i = 0; i < ns; i++)
		rss_from_statm(&s[i]);
	ii->ts = wall_now();
	ii->interval_s = now - w->last_mono;
	ii->nprocs = (unsigned int)ns;
	w->last_mono = now;
	collector_counters(w->col, ii->dropped);
	*out = s;
	*n = ns;
	return 0;
}

int watch_devices(struct watch *w, struct dev_sample **out, size_t *n)
{
	struct dev_raw *cur;
	size_t ncur;

	*out = NULL;
	*n = 0;
	if (collector_read_devices(w->col, &cur, &ncur))
		return -1;
	*out = calloc(ncur ? ncur : 1, sizeof(**out));
	if (!*out) {
		free(cur);
		return -1;
	}
	*n = dev_diff(w->prev_dev, w->nprev_dev, cur, ncur, *out);
	free(w->prev_dev);
	w->prev_dev = cur;
	w->nprev_dev = ncur;
	return 0;
}

int watch_conns(struct watch *w, struct conn_sample **out, size_t *n, struct netns_sample **ns,
		size_t *nns)
{
	struct listen_owner lo[256];
	struct conn_raw *cur;
	struct timespec now;
	size_t ncur, nlo, i, j;

	*out = NULL;
	*ns = NULL;
	*n = *nns = 0;
	if (collector_read_conns(w->col, &cur, &ncur))
		return -1;
	conn_sort_raw(cur, ncur);
	*out = calloc(ncur ? ncur : 1, sizeof(**out));
	*ns = calloc(NETNS_MAX, sizeof(**ns));
	if (!*out || !*ns) {
		free(cur);
		free(*out);
		free(*ns);
		*out = NULL;
		*ns = NULL;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	*n = conn_diff(w->prev_conn, w->nprev_conn, cur, ncur,
		       (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec, *out);
	nlo = collector_read_listeners(w->col, lo, sizeof(lo) / sizeof(lo[0]));
	*nns = netns_collect(&w->netns, cur, ncur, lo, nlo, w->host, *ns, NETNS_MAX);
	/* closed connections were reported now and are gone from the kernel */
	for (i = 0, j = 0; i < ncur; i++)
		if (!(cur[i].s.flags & PP_SOCK_CLOSED))
			cur[j++] = cur[i];
	free(w->prev_conn);
	w->prev_conn = cur;
	w->nprev_conn = j;
	return 0;
}

void watch_stop(struct watch *w, bool print_prog_stats)
{
	if (print_prog_stats)
		collector_print_prog_stats(w->col, stderr);
	collector_close(w->col);
	procmeta_free(w->meta);
	free(w->prev);
	free(w->prev_dev);
	free(w->prev_conn);
	memset(w, 0, sizeof(*w));
}

void watch_sleep_until(double deadline, const struct target *t, volatile sig_atomic_t *stop,
		       const struct watch_nap *n)
{
	const double most = 0.5;

	while (!*stop) {
		double now = mono_now(), left = deadline - now, nap;
		struct timespec ts;

		if (n && n->show)
			n->show(now, left, n->arg);
		if (left <= 0)
			break;
		if (t->mode == PP_FILTER_PID && !t->children && !any_alive(t)) {
			*stop = 1;
			break;
		}
		nap = left < most ? left : most;
		if (n && n->wait) {
			n->wait((int)(nap * 1000) + 1, n->arg);
			continue;
		}
		ts.tv_sec = (time_t)nap;
		ts.tv_nsec = (long)((nap - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}
