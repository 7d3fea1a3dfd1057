// SPDX-License-Identifier: GPL-2.0
/* perfpilot stat: per-process scheduler and memory statistics. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "live/output.h"
#include "collect/watch.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_line(char *line)
{
	if (line) {
		puts(line);
		free(line);
	}
}

static void emit_cgroups(const struct stat_opts *o, const struct proc_sample *s, size_t n,
			 const struct interval_info *ii)
{
	struct proc_sample *g = calloc(n ? n : 1, sizeof(*g));
	size_t k, i;

	if (!g)
		return;
	k = sample_by_cgroup(s, n, g);
	sample_sort(g, k, o->sort == SORT_PID ? SORT_CPU : o->sort);
	if (!o->json)
		cgroup_table_header(stdout);
	for (i = 0; i < k; i++) {
		if (o->json)
			print_line(cgroup_json(&g[i], ii));
		else
			cgroup_table_row(stdout, &g[i], ii->interval_s);
	}
	free(g);
}

static void emit(const struct stat_opts *o, struct watch *w, struct proc_sample *s, size_t n,
		 const struct interval_info *ii)
{
	size_t i, shown;
	bool any_exited = false;

	sample_sort(s, n, o->sort);
	if (o->per_cgroup && !o->json) {
		emit_cgroups(o, s, n, ii);
		putchar('\n');
	}
	if (o->json) {
		if (o->per_cgroup)
			emit_cgroups(o, s, n, ii);
		for (i = 0; i < n; i++)
			print_line(sample_json(&s[i], ii));
		print_line(interval_json(ii, collector_attach_kind(w->col)));
		fflush(stdout);
		return;
	}
	/* the io and net views list only processes that did IO or TCP */
	if (o->view != VIEW_SCHED) {
		size_t k = 0;

		for (i = 0; i < n; i++) {
			bool io = s[i].read_ops || s[i].write_ops;
			bool net = s[i].tx_bytes || s[i].rx_bytes || s[i].retrans || s[i].resets ||
				   s[i].connects || s[i].accepts || s[i].closes;

			if (o->view == VIEW_IO ? io : net)
				s[k++] = s[i];
		}
		n = k;
	}
	shown = o->rows && o->rows < n ? o->rows : n;
	table_title(stdout, ii, shown, n);
	if (o->view == VIEW_IO)
		table_header_io(stdout);
	else if (o->view == VIEW_NET)
		table_header_net(stdout);
	else
		table_header(stdout);
	for (i = 0; i < shown; i++) {
		if (o->view == VIEW_IO)
			table_row_io(stdout, &s[i]);
		else if (o->view == VIEW_NET)
			table_row_net(stdout, &s[i]);
		else
			table_row(stdout, &s[i], ii->interval_s);
		any_exited |= s[i].exited;
	}
	table_footer(stdout, ii);
	if (any_exited)
		printf("* exited during the interval\n");
	putchar('\n');
	fflush(stdout);
}

static int emit_conns(const struct stat_opts *o, struct watch *w, const struct interval_info *ii)
{
	struct netns_sample *ns;
	struct conn_sample *c;
	size_t n, nns, i, shown;

	if (watch_conns(w, &c, &n, &ns, &nns))
		return -1;
	shown = o->rows && o->rows < n ? o->rows : n;
	if (!o->json) {
		printf("%zu TCP connections active%s\n", n, shown < n ? " (busiest shown)" : "");
		conn_table_header(stdout);
	}
	for (i = 0; i < shown; i++) {
		if (o->json)
			print_line(conn_json(&c[i], ii->ts, ii->interval_s));
		else
			conn_table_row(stdout, &c[i]);
	}
	for (i = 0; i < nns; i++) {
		if (o->json)
			print_line(netns_json(&ns[i], ii->ts, ii->interval_s));
		else
			netns_print(stdout, &ns[i]);
	}
	if (!o->json)
		putchar('\n');
	fflush(stdout);
	free(c);
	free(ns);
	return 0;
}

static void emit_devices_baseline(struct watch *w)
{
	struct dev_sample *d;
	size_t n;

	if (!watch_devices(w, &d, &n))
		free(d);
}

static int emit_devices(const struct stat_opts *o, struct watch *w, const struct interval_info *ii)
{
	struct dev_sample *d;
	size_t n, i;

	if (watch_devices(w, &d, &n))
		return -1;
	if (!o->json) {
		char when[32] = "";
		time_t t = (time_t)ii->ts;
		struct tm tm;

		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%H:%M:%S", &tm);
		printf("%s  interval %.1f s  %zu devices\n", when, ii->interval_s, n);
		dev_table_header(stdout);
	}
	for (i = 0; i < n; i++) {
		if (o->json)
			print_line(dev_json(&d[i], ii->ts, ii->interval_s));
		else
			dev_table_row(stdout, &d[i], ii->interval_s);
	}
	if (!o->json) {
		if (!n)
			printf("(no block IO)\n");
		putchar('\n');
	}
	fflush(stdout);
	free(d);
	return 0;
}

/* The time left until `*end`, before each nap. */
static void on_nap(double now, double left, void *arg)
{
	const double *end = arg;

	if (left > 0)
		fprintf(stderr, "\rperfpilot: collecting, %.0f s left  ", ceil(*end - now));
}

/*
 * Sleep until `deadline` (monotonic), showing the time left on a terminal.
 * With -p (and no --children), stop once every watched process is gone.
 */
static void wait_until(double deadline, bool progress, double end, const struct target *t)
{
	struct watch_nap nap = { progress && end > 0 ? on_nap : NULL, NULL, &end };

	watch_sleep_until(deadline, t, &stop, &nap);
	if (progress && end > 0)
		fprintf(stderr, "\r%40s\r", "");
}

int cmd_stat(int argc, char **argv)
{
	struct stat_opts o;
	struct watch w;
	struct sigaction sa = {.sa_handler = on_signal};
	double start, end, next, sync_s;
	bool progress;

	watch_parse(argc, argv, &o, false);
	watch_validate(&o.w);
	watch_start(&w, &o.w);
	if (o.devices && !collector_has_io(w.col)) {
		fprintf(stderr, "perfpilot: --devices needs the block IO collector, which did not load\n");
		watch_stop(&w, false);
		return 1;
	}
	if (o.devices) /* a baseline, so the first interval counts from now */
		emit_devices_baseline(&w);
	if (o.connections && !collector_has_net(w.col)) {
		fprintf(stderr, "perfpilot: --connections needs the TCP collector, which did not load\n");
		watch_stop(&w, false);
		return 1;
	}
	if (o.connections) { /* a baseline for the namespaces' counters */
		struct netns_sample *ns;
		struct conn_sample *c;
		size_t n, nns;

		if (!watch_conns(&w, &c, &n, &ns, &nns)) {
			free(c);
			free(ns);
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	progress = isatty(STDERR_FILENO) && !o.w.interval_s;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "perfpilot: attached (%s)%s; Ctrl-C to stop\n",
			collector_attach_kind(w.col), o.w.duration_s ? "" : ", until Ctrl-C");
	start = mono_now();
	end = o.w.duration_s ? start + o.w.duration_s : 0;
	/* the task iterator without -i: the threads brought up to date every
	 * second all the same, so that a thread's run-queue waits enter the
	 * histogram at their mean over a second, not over the whole run */
	sync_s = !o.w.interval_s && collector_sched_source(w.col) == SCHED_SOURCE_ITERATOR ? 1.0 : 0;
	next = o.w.interval_s ? start + o.w.interval_s
	       : sync_s       ? start + sync_s
	       : end          ? end
			      : 1e300;
	for (;;) {
		struct interval_info ii;
		struct proc_sample *s;
		size_t n;
		bool last;

		wait_until(end && next > end ? end : next, progress, end, &o.w.target);
		last = stop || (end && mono_now() >= end - 1e-3);
		if (!o.w.interval_s && !last) {
			if (sync_s) {
				collector_sync(w.col);
				next = mono_now() + sync_s;
			}
			continue;
		}
		if (watch_tick(&w, &s, &n, &ii)) {
			fprintf(stderr, "perfpilot: reading the BPF maps failed: %s\n", strerror(errno));
			watch_stop(&w, false);
			return 1;
		}
		if (o.devices)
			emit_devices(&o, &w, &ii);
		else if (o.connections)
			emit_conns(&o, &w, &ii);
		else
			emit(&o, &w, s, n, &ii);
		free(s);
		if (last)
			break;
		next += o.w.interval_s;
	}
	watch_stop(&w, o.w.bpf_stats);
	return 0;
}
