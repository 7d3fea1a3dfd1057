// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("perfpilot: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

bool target_option(int c, const char *arg, struct target *t, int *nsel)
{
	char err[256];

	switch (c) {
	case 'a':
		t->mode = PP_FILTER_ALL;
		break;
	case 'p':
		t->mode = PP_FILTER_PID;
		if (parse_pid_list(arg, t->pids, PP_MAX_PIDS, &t->npids, err, sizeof(err)))
			usage_error("%s", err);
		break;
	case 'c':
		if (t->ncgroups == PP_MAX_CGROUPS)
			usage_error("more than %d cgroups (-c)", PP_MAX_CGROUPS);
		t->mode = PP_FILTER_CGROUP;
		t->cgroups[t->ncgroups++] = arg;
		if (t->ncgroups > 1)
			return true; /* -c again: more cgroups, not another choice */
		break;
	default:
		return false;
	}
	(*nsel)++;
	return true;
}

void sched_source_option(const char *arg, struct watch_opts *w)
{
	if (sched_source_parse(arg, &w->sched_source))
		usage_error("bad --sched-source '%s': use switch or iterator", arg);
}

void option_error(int c, const char *cmd, char **argv)
{
	if (c == ':')
		usage_error("option '%s' needs a value; see 'perfpilot %s --help'", argv[optind - 1],
			    cmd);
	usage_error("unknown option '%s'; see 'perfpilot %s --help'", argv[optind - 1], cmd);
}

static const char *const sort_names[SORT_KEYS] = {
	[SORT_CPU] = "cpu", [SORT_RUNQ] = "runq", [SORT_RQP99] = "p99", [SORT_VCSW] = "vcsw",
	[SORT_IVCSW] = "ivcsw", [SORT_MINFLT] = "minflt", [SORT_MAJFLT] = "majflt",
	[SORT_RSS] = "rss", [SORT_PID] = "pid", [SORT_IO] = "io", [SORT_NET] = "net",
};

int sort_key_by_name(const char *name)
{
	int i;

	for (i = 0; i < SORT_KEYS; i++)
		if (sort_names[i] && !strcmp(name, sort_names[i]))
			return i;
	return -1;
}

static void help(const char *cmd, bool is_top)
{
	if (is_top)
		printf("Usage: perfpilot top [-a | -p PID[,PID...] | -c CGROUP...] [-i SECONDS] [options]\n\n"
		       "A live, refreshing per-process view: scheduler and memory, block IO, TCP.\n"
		       "Keys: q quit, v next view (1 sched, 2 io, 3 net, 4 disks), < > sort column,\n"
		       "c cpu, r run-queue wait, f faults, m rss, p pid, space refresh now,\n"
		       "arrows/PgUp/PgDn/Home/End scroll, h or ? key help.\n"
		       "All active processes are listed unless -n is given.\n\n");
	else
		printf("Usage: perfpilot stat [-a | -p PID[,PID...] | -c CGROUP...] [-d SECONDS] [-i SECONDS]\n"
		       "                      [--children] [--json] [options]\n\n"
		       "Per-process scheduler, memory, block IO and TCP statistics, aggregated in\n"
		       "the kernel.\n"
		       "Without -i, one summary at the end (after -d, or on Ctrl-C).\n\n");
	printf("What to watch (filtered in the kernel):\n"
	       "  -a, --all              the whole host (default)\n"
	       "  -p, --pid PID[,PID]    only these processes (all their threads)\n"
	       "      --children         with -p, also processes they fork from now on\n"
	       "  -c, --cgroup PATH      processes in this cgroup and its descendants: a cgroup v2\n"
	       "                         path (/sys/fs/cgroup/x, or x relative to the cgroup2 mount)\n"
	       "                         or a v1 path under a controller (/sys/fs/cgroup/cpu/x);\n"
	       "                         repeat it for several (up to 64, of one hierarchy)\n"
	       "When and how:\n"
	       "  -d, --duration SECONDS stop after this long (10, 1.5, 500ms, 2m, 1h)\n"
	       "  -i, --interval SECONDS report every interval%s\n"
	       "      --json             one JSON object per process per interval (stat)\n"
	       "      --per-cgroup       also totals per cgroup (stat; JSON type \"cgroup\")\n"
	       "      --view VIEW        table columns: sched (CPU, run queue, memory), io or net\n"
	       "      --devices          per-disk block IO instead of processes (stat)\n"
	       "      --connections      busiest TCP connections and listen queues (stat)\n"
	       "  -n, --rows N           table rows to show (default 20 for -a, 0 = all)\n"
	       "  -s, --sort COLUMN      cpu, runq, p99, vcsw, ivcsw, minflt, majflt, rss, io, net,\n"
	       "                         pid\n"
	       "      --max-procs N      process table size in the kernel (default %d)\n"
	       "      --max-threads N    thread slots in the kernel (default: 4 x threads now)\n"
	       "      --attach MODE      auto (tp_btf, else raw_tp) or raw_tp\n"
	       SCHED_SOURCE_HELP
	       "      --bpf-stats        print each BPF program's run count and mean cost at exit\n"
	       "  -v, --verbose          say which attach type each tracepoint uses\n"
	       "  -h, --help             this help\n\n"
	       "Examples:\n"
	       "  perfpilot %s -a -d 10              whole host, one 10 s summary\n"
	       "  perfpilot %s -p 1234 -i 1          one process, every second\n"
	       "  perfpilot %s -c system.slice -d 30 a cgroup and its children\n"
	       "  perfpilot stat -a -d 5 --json | jq 'select(.type==\"process\") | .cpu.oncpu_ns'\n"
	       "  perfpilot stat -a -d 10 --view io     who does the block IO\n"
	       "  perfpilot stat --connections -d 10    busiest TCP connections, listen queues\n",
	       is_top ? " (default 1)" : "", PP_MAX_PROCS_DEFAULT, cmd, cmd, cmd);
}

void watch_parse(int argc, char **argv, struct stat_opts *o, bool is_top)
{
	enum { OPT_CHILDREN = 256, OPT_JSON, OPT_MAX_PROCS, OPT_ATTACH, OPT_BPF_STATS, OPT_PER_CGROUP, OPT_MAX_THREADS, OPT_DEVICES, OPT_VIEW, OPT_CONNECTIONS, OPT_SCHED_SOURCE };
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"pid", required_argument, NULL, 'p'},
		{"cgroup", required_argument, NULL, 'c'},
		{"children", no_argument, NULL, OPT_CHILDREN},
		{"duration", required_argument, NULL, 'd'},
		{"interval", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, OPT_JSON},
		{"per-cgroup", no_argument, NULL, OPT_PER_CGROUP},
		{"devices", no_argument, NULL, OPT_DEVICES},
		{"connections", no_argument, NULL, OPT_CONNECTIONS},
		{"view", required_argument, NULL, OPT_VIEW},
		{"rows", required_argument, NULL, 'n'},
		{"sort", required_argument, NULL, 's'},
		{"max-procs", required_argument, NULL, OPT_MAX_PROCS},
		{"max-threads", required_argument, NULL, OPT_MAX_THREADS},
		{"attach", required_argument, NULL, OPT_ATTACH},
		{"sched-source", required_argument, NULL, OPT_SCHED_SOURCE},
		{"bpf-stats", no_argument, NULL, OPT_BPF_STATS},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const char *cmd = argv[0];
	bool rows_set = false, sort_set = false;
	int c, k, nsel = 0;
	unsigned long v;

	memset(o, 0, sizeof(*o));
	o->w.max_procs = PP_MAX_PROCS_DEFAULT;
	o->w.target.mode = PP_FILTER_ALL;
	o->w.sched_source = SCHED_SOURCE_ITERATOR; /* nothing per context switch */
	if (is_top)
		o->w.interval_s = 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ap:c:d:i:n:s:vh", longopts, NULL)) != -1) {
		if (target_option(c, optarg, &o->w.target, &nsel))
			continue;
		switch (c) {
		case OPT_CHILDREN:
			o->w.target.children = true;
			break;
		case 'd':
			if (parse_seconds(optarg, &o->w.duration_s))
				usage_error("bad duration '%s': use seconds such as 10, 1.5, 500ms, 2m", optarg);
			break;
		case 'i':
			if (parse_seconds(optarg, &o->w.interval_s) || o->w.interval_s < 0.1)
				usage_error("bad interval '%s': use seconds, at least 0.1", optarg);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_PER_CGROUP:
			o->per_cgroup = true;
			break;
		case OPT_DEVICES:
			o->devices = true;
			break;
		case OPT_CONNECTIONS:
			o->connections = true;
			break;
		case OPT_VIEW:
			if (!strcmp(optarg, "sched"))
				o->view = VIEW_SCHED;
			else if (!strcmp(optarg, "io"))
				o->view = VIEW_IO;
			else if (!strcmp(optarg, "net"))
				o->view = VIEW_NET;
			else
				usage_error("unknown view '%s': use sched, io or net", optarg);
			break;
		case 'n':
			if (parse_uint(optarg, 0, 100000, &v))
				usage_error("bad row count '%s'", optarg);
			o->rows = (unsigned int)v;
			rows_set = true;
			break;
		case 's':
			k = sort_key_by_name(optarg);
			if (k < 0)
				usage_error("unknown sort column '%s': use cpu, runq, p99, vcsw, ivcsw, "
					    "minflt, majflt, rss, io, net or pid", optarg);
			o->sort = (enum sample_key)k;
			sort_set = true;
			break;
		case OPT_MAX_PROCS:
			if (parse_uint(optarg, 64, 1u << 22, &o->w.max_procs))
				usage_error("bad --max-procs '%s': a number from 64 to 4194304", optarg);
			break;
		case OPT_MAX_THREADS:
			if (parse_uint(optarg, 64, 1u << 22, &o->w.max_threads))
				usage_error("bad --max-threads '%s': a number from 64 to 4194304", optarg);
			break;
		case OPT_ATTACH:
			if (!strcmp(optarg, "auto"))
				o->w.attach = ATTACH_AUTO;
			else if (!strcmp(optarg, "raw_tp"))
				o->w.attach = ATTACH_RAW_TP;
			else
				usage_error("bad --attach '%s': use auto or raw_tp", optarg);
			break;
		case OPT_SCHED_SOURCE:
			sched_source_option(optarg, &o->w);
			break;
		case OPT_BPF_STATS:
			o->w.bpf_stats = true;
			break;
		case 'v':
			o->w.verbose = true;
			break;
		case 'h':
			help(cmd, is_top);
			exit(0);
		default:
			option_error(c, cmd, argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'; see 'perfpilot %s --help'", argv[optind], cmd);
	if (nsel > 1)
		usage_error("choose one of -a, -p and -c");
	if (o->w.target.children && o->w.target.mode != PP_FILTER_PID)
		usage_error("--children needs -p");
	if (is_top && o->devices)
		usage_error("--devices is a stat option; in top press d");
	if ((o->devices + o->per_cgroup + o->connections) > 1)
		usage_error("choose one of --devices, --connections and --per-cgroup");
	if (is_top && o->connections)
		usage_error("--connections is a stat option; in top press n");
	if (o->view == VIEW_IO && !sort_set)
		o->sort = SORT_IO;
	if (o->view == VIEW_NET && !sort_set)
		o->sort = SORT_NET;
	if (is_top && o->per_cgroup)
		usage_error("--per-cgroup is a stat option");
	if (is_top && o->json)
		usage_error("top is interactive; use 'perfpilot stat --json' for machine output");
	if (o->w.interval_s && o->w.duration_s && o->w.interval_s > o->w.duration_s)
		o->w.interval_s = o->w.duration_s;
	if (!rows_set) /* top scrolls through everything */
		o->rows = (o->w.target.mode == PP_FILTER_ALL && !is_top) ? 20 : 0;
}

static const char *hier_name(const struct cg_target *c)
{
	return c->hier == PP_CGROUP_V2 ? "cgroup v2" : c->controller;
}

int watch_resolve_cgroups(struct watch_opts *o, char *err, size_t errlen)
{
	struct target *t = &o->target;
	unsigned int levels[PP_MAX_CGROUP_LEVELS], nlevels = 0, k;
	struct cg_target c;
	size_t i, j, n = 0;

	for (i = 0; i < t->ncgroups; i++) {
		if (cg_resolve(t->cgroups[i], &c, err, errlen))
			return -1;
		if (!n)
			o->cg = c;
		else if (c.hier != o->cg.hier || (c.hier == PP_CGROUP_V1 && c.ssid != o->cg.ssid)) {
			snprintf(err, errlen, "-c %s is in the %s hierarchy, -c %s in the %s one: give "
				 "cgroups of one hierarchy", t->cgroups[0], hier_name(&o->cg),
				 t->cgroups[i], hier_name(&c));
			return -1;
		}
		if (strlen(c.rel) >= sizeof(t->cg[0].rel)) {
			snprintf(err, errlen, "-c %s: its path is longer than %zu characters",
				 t->cgroups[i], sizeof(t->cg[0].rel) - 1);
			return -1;
		}
		for (j = 0; j < n && t->cg[j].id != c.id; j++)
			;
		if (j < n)
			continue; /* the same cgroup twice */
		for (k = 0; k < nlevels && levels[k] != c.level; k++)
			;
		if (k == nlevels) {
			if (nlevels == PP_MAX_CGROUP_LEVELS) {
				snprintf(err, errlen, "the -c cgroups lie at more than %d depths of "
					 "the hierarchy: give at most %d distinct depths",
					 PP_MAX_CGROUP_LEVELS, PP_MAX_CGROUP_LEVELS);
				return -1;
			}
			levels[nlevels++] = c.level;
		}
		t->cgroups[n] = t->cgroups[i];
		t->cg[n].id = c.id;
		t->cg[n].level = c.level;
		memcpy(t->cg[n].rel, c.rel, strlen(c.rel) + 1);
		n++;
	}
	t->ncgroups = n;
	return 0;
}

uint32_t tgid_of(uint32_t pid)
{
	char fn[64], line[128];
	unsigned int tgid = 0;
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%u/status", pid);
	f = fopen(fn, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %u", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* The kernel's initial pid namespace has this inode number (PROC_PID_INIT_INO,
 * the same since 3.8). */
#define HOST_PIDNS_INO 0xEFFFFFFCUL

int in_host_pidns(void)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st))
		return -1; /* cannot tell (no /proc, or a kernel before 3.8) */
	return st.st_ino == HOST_PIDNS_INO;
}

void watch_validate(struct watch_opts *o)
{
	char err[PATH_MAX + 256];
	size_t i;

	if (geteuid() != 0)
		usage_error("needs root to load BPF programs (CAP_BPF, CAP_PERFMON): run it with sudo");
	/* the programs report the host's pids, which /proc and kill() here
	 * would take for others */
	if (!in_host_pidns())
		usage_error("runs in the host's pid namespace only (its BPF programs see the host's "
			    "pids): start it there (docker run --pid=host, Kubernetes hostPID: true)");
	for (i = 0; i < o->target.npids; i++) {
		uint32_t pid = o->target.pids[i], tgid;

		if (kill((pid_t)pid, 0) && errno == ESRCH)
			usage_error("no process with PID %u (is it still running?)", pid);
		tgid = tgid_of(pid);
		if (tgid && tgid != pid) {
			fprintf(stderr, "perfpilot: %u is a thread of process %u; watching the process\n",
				pid, tgid);
			o->target.pids[i] = tgid;
		}
	}
	if (o->target.mode == PP_FILTER_CGROUP && watch_resolve_cgroups(o, err, sizeof(err)))
		usage_error("%s", err);
}

bool live_timing_option(int c, const char *arg, struct watch_opts *w, double min_duration_s,
			bool *timing)
{
	switch (c) {
	case 'd':
		if (parse_seconds(arg, &w->duration_s) || w->duration_s < min_duration_s) {
			if (min_duration_s > 0)
				usage_error("bad duration '%s': use seconds, at least %g, such as "
					    "30, 1.5, 2m", arg, min_duration_s);
			usage_error("bad duration '%s': use seconds such as 10, 1.5, 500ms, 2m",
				    arg);
		}
		break;
	case 'i':
		if (parse_seconds(arg, &w->interval_s) || w->interval_s < 0.1)
			usage_error("bad interval '%s': use seconds, at least 0.1", arg);
		break;
	default:
		return false;
	}
	*timing = true;
	return true;
}

void file_or_live(const char *cmd, int argc, char **argv, const char **path, bool live,
		  int nsel, bool timing, const char *targets, const char *choice)
{
	if (optind < argc)
		*path = argv[optind++];
	if (optind < argc)
		usage_error("unexpected argument '%s'; see 'perfpilot %s --help'", argv[optind], cmd);
	if (live && *path)
		usage_error("give either a recording FILE or --live, not both");
	if (!live && !*path)
		usage_error("which recording? give FILE.db (from 'perfpilot record') or --live");
	if (!live && (nsel || timing))
		usage_error("%s, -d and -i go with --live; a recording already has its target",
			    targets);
	if (nsel > 1)
		usage_error("choose one of %s", choice);
}
