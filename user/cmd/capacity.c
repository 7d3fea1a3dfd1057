// SPDX-License-Identifier: GPL-2.0
/* perfpilot capacity: used, peak, growth, time to the limit and a
 * recommended limit per resource of the host and each cgroup. */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "capacity/capacity.h"
#include "capacity/cglimits.h"
#include "capacity/output.h"
#include "record/record.h"
#include "store/store.h"

#define LIVE_DEFAULT_S 30

struct capacity_opts {
	const char *path;
	bool live, json;
	struct cap_opts cap;
	struct watch_opts w;
};

static void help(void)
{
	printf("Usage: perfpilot capacity FILE.db [--json] [--horizon D]\n"
	       "       perfpilot capacity --live [-a | -c CGROUP] [-d SECONDS] [-i SECONDS]\n"
	       "                          [--json] [--horizon D]\n\n"
	       "Capacity planning: for the host, each cgroup and each disk of a recording\n"
	       "(perfpilot record), per resource (CPU in cores, memory in bytes, a disk's\n"
	       "busy share), what is used now, its peak and p95, how fast it grows (Theil-Sen\n"
	       "slope with its 99 %% interval, and whether the trend is significant), the\n"
	       "limit that applies (the cgroup's limit, else the host's CPUs or RAM), when\n"
	       "the trend reaches it (none when it is not growing), and a recommended limit:\n"
	       "CPU the p99 of demand, memory the peak, each plus 15 %% headroom. Every row\n"
	       "says what it was computed from.\n\n"
	       "A cgroup's limits come from the store: its memory limit and its CPU quota\n"
	       "(cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us: the smallest of it and\n"
	       "its parents) as recorded at the end of the window; none: the host's CPUs\n"
	       "or RAM. A store recorded before quotas were stored gives the host's CPUs\n"
	       "and says so in the row's evidence. --live also reads the memory limits\n"
	       "of the cgroups' parents after recording.\n\n"
	       "  --json            {\"meta\": {...}, \"rows\": [{scope, name, resource, unit,\n"
	       "                    used, limit, peak, p95, growth_per_s, exhaustion_s,\n"
	       "                    recommended_limit, evidence, ...}]}; unknown numbers and\n"
	       "                    exhaustion_s when not growing are null\n"
	       "  --horizon D       plan for D ahead (30m, 12h, or seconds): the\n"
	       "                    recommendation also covers the trend's growth over D\n"
	       "                    (default 0: what was seen)\n"
	       "  --live            record now (default -a for %d s), then plan\n"
	       "  -a, -c CGROUP     (--live) the host, or a cgroup (v2 path, or a v1 path\n"
	       "                    under /sys/fs/cgroup/CONTROLLER)\n"
	       "  -d, --duration S  (--live) how long to record (default %d s)\n"
	       "  -i, --interval S  (--live) sample interval (default 1 s)\n"
	       "  -h, --help        this help\n\n"
	       "A trend needs at least 8 samples; growth that is noise gives no time to the\n"
	       "limit. docs/capacity.md says how each figure is computed.\n"
	       "Examples: perfpilot capacity web.db --horizon 1h\n"
	       "          sudo perfpilot capacity --live -c /sys/fs/cgroup/memory/app -d 60 --json\n",
	       LIVE_DEFAULT_S, LIVE_DEFAULT_S);
}

static void parse(int argc, char **argv, struct capacity_opts *o)
{
	enum { OPT_JSON = 256, OPT_LIVE, OPT_HORIZON };
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"live", no_argument, NULL, OPT_LIVE},
		{"horizon", required_argument, NULL, OPT_HORIZON},
		{"all", no_argument, NULL, 'a'},
		{"pid", required_argument, NULL, 'p'},
		{"cgroup", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'd'},
		{"interval", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct target *t = &o->w.target;
	int c, nsel = 0;
	bool timing = false;

	memset(o, 0, sizeof(*o));
	cap_opts_default(&o->cap);
	t->mode = PP_FILTER_ALL;
	o->w.max_procs = PP_MAX_PROCS_DEFAULT;
	o->w.sched_source = SCHED_SOURCE_ITERATOR; /* as record's */
	o->w.duration_s = LIVE_DEFAULT_S;
	o->w.interval_s = 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ap:c:d:i:h", longopts, NULL)) != -1) {
		if (c == 'p')
			usage_error("capacity is per host and cgroup: use -a or -c CGROUP, not -p");
		if (target_option(c, optarg, t, &nsel) ||
		    live_timing_option(c, optarg, &o->w, 1, &timing))
			continue;
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_LIVE:
			o->live = true;
			break;
		case OPT_HORIZON:
			if (parse_seconds(optarg, &o->cap.horizon_s) || o->cap.horizon_s < 0)
				usage_error("bad horizon '%s': use a duration such as 3600, 30m, 12h",
					    optarg);
			break;
		case 'h':
			help();
			exit(0);
		default:
			option_error(c, "capacity", argv);
		}
	}
	file_or_live("capacity", argc, argv, &o->path, o->live, nsel, timing, "-a, -c",
		     "-a and -c");
}

/* --live: the limits of the recording's cgroups as the host has them now. */
static size_t host_limits(const struct capacity_opts *o, const struct recording *r,
			  struct cap_limit **out)
{
	char cpu[PATH_MAX], mem[PATH_MAX], err[PATH_MAX * 2 + 64];
	struct cap_limit *l;
	struct cap_hier h;
	size_t i, n = 0;

	*out = NULL;
	if (cap_host_hier(o->w.target.ncgroups && o->w.cg.hier == PP_CGROUP_V1, &h, cpu, mem))
		return 0;
	l = calloc(r->n ? r->n : 1, sizeof(*l));
	if (!l)
		return 0;
	for (i = 0; i < r->n; i++) {
		const struct series *s = &r->s[i];

		if (s->kind != ENT_CGROUP || (n && !strcmp(l[n - 1].path, s->entity)))
			continue;
		if (!cap_read_limits(&h, s->entity, &l[n], err, sizeof(err)))
			n++;
	}
	*out = l;
	return n;
}

static int output(const struct capacity_opts *o, const struct cap_table *t, const char *source)
{
	if (o->json) {
		json_t *j = capacity_json(t, source);

		if (!j || json_dumpf(j, stdout, JSON_INDENT(2)) || fputc('\n', stdout) == EOF) {
			json_decref(j);
			fprintf(stderr, "perfpilot: cannot write the JSON output\n");
			return 1;
		}
		json_decref(j);
	} else {
		capacity_text(stdout, t, source);
	}
	return fflush(stdout) ? 1 : 0;
}

int cmd_capacity(int argc, char **argv)
{
	struct capacity_opts o;
	struct cap_limit *limits = NULL;
	struct cap_table t;
	struct recording r;
	char live[4096], err[512], source[4096 + 32];
	const char *path;
	size_t nlimits = 0;
	int rc;

	parse(argc, argv, &o);
	path = o.path;
	if (o.live) {
		watch_validate(&o.w);
		rc = record_live(&o.w, o.w.duration_s, live, sizeof(live));
		if (rc)
			return rc;
		path = live;
	}
	memset(&r, 0, sizeof(r));
	rc = store_load_flags(path, 0, INFINITY, STORE_LOAD_NO_PROFILE, &r, err, sizeof(err));
	if (o.live)
		record_live_remove(live);
	if (rc) {
		fprintf(stderr, "perfpilot: %s: %s\n", o.live ? "the live recording" : path, err);
		return 1;
	}
	if (!r.n) {
		fprintf(stderr, "perfpilot: %s has no samples; record for longer "
			"(perfpilot record -d SECONDS)\n", o.live ? "the live recording" : path);
		recording_free(&r);
		return 1;
	}
	if (o.live)
		nlimits = host_limits(&o, &r, &limits);
	if (capacity_analyze(&r, &o.cap, limits, nlimits, &t)) {
		fprintf(stderr, "perfpilot: out of memory while planning %s\n", path);
		free(limits);
		recording_free(&r);
		return 1;
	}
	if (o.live)
		snprintf(source, sizeof(source), "a live recording of %s",
			 o.w.target.ncgroups ? o.w.target.cgroups[0] : "the host");
	else
		snprintf(source, sizeof(source), "%s", path);
	rc = output(&o, &t, source);
	cap_table_free(&t);
	free(limits);
	recording_free(&r);
	return rc;
}
