// SPDX-License-Identifier: GPL-2.0
/* perfpilot report: findings from a recording (a store, or --live). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "findings/findings.h"
#include "report/report.h"
#include "report/window.h"
#include "record/record.h"
#include "record/findings.h"
#include "store/store_findings.h"
#include "store/store.h"

#define LIVE_DEFAULT_S 10

struct report_opts {
	const char *path;
	bool live, json, stored;
	const char *html;
	struct time_arg since, until;
	struct watch_opts w;
	bool target_set;
};

static void help(void)
{
	printf("Usage: perfpilot report FILE.db [--json] [--since T] [--until T] [--html FILE]\n"
	       "       perfpilot report FILE.db --stored [--json]\n"
	       "       perfpilot report --live [-a | -p PID[,PID...] | -c CGROUP...] [-d SECONDS]\n"
	       "                        [-i SECONDS] [--json] [--html FILE]\n\n"
	       "Reads a recording (perfpilot record) and says what was wrong, most severe\n"
	       "first: who waited for which resource (victims), who used it (culprits), what\n"
	       "grows and when it reaches its limit, what changed, and what to do about it.\n"
	       "Each finding names its evidence: the metric, its values and the window.\n"
	       "--live records the target to a temporary store first (default -a for %d s)\n"
	       "and deletes it after the report.\n\n"
	       "The findings are computed afresh each time, with this perfpilot's thresholds.\n"
	       "perfpilot record also keeps those of the whole recording, as they were when it\n"
	       "ended, in the store's finding table (for other tools: docs/store.md).\n\n"
	       "  --json            findings as JSON: {\"meta\": {...}, \"findings\": [{kind,\n"
	       "                    severity, resource, summary, evidence, victims, culprits,\n"
	       "                    forecast, recommendations}, ...]}\n"
	       "  --since T         only samples at or after T: unix seconds, ISO-8601\n"
	       "                    (2026-12-01T12:00:00Z), -10m (before the recording's end)\n"
	       "                    or +30s (after its start)\n"
	       "  --until T         only samples at or before T (the same forms)\n"
	       "  --html FILE       also write a self-contained page with charts and the\n"
	       "                    flame graph (when the recording has a profile)\n"
	       "  --stored          print the findings record stored instead of analysing:\n"
	       "                    one line each (severity, kind, resource, summary), or\n"
	       "                    with --json {\"analysed\", \"since\", \"until\", \"findings\"}\n"
	       "  --live            record now, then report\n"
	       "  -a, -p, -c        (--live) what to record: see 'perfpilot stat --help'\n"
	       "  -d, --duration S  (--live) how long to record (default %d s)\n"
	       "  -i, --interval S  (--live) sample interval (default 1 s)\n"
	       "  -h, --help        this help\n\n"
	       "Thresholds and finding kinds: docs/findings.md.\n"
	       "Examples: perfpilot report web.db --since -10m\n"
	       "          sudo perfpilot report --live -d 10\n", LIVE_DEFAULT_S, LIVE_DEFAULT_S);
}

static void parse_time(const char *opt, const char *s, struct time_arg *t)
{
	if (time_arg_parse(s, t))
		usage_error("bad %s '%s': use unix seconds, ISO-8601 (2026-12-01T12:00:00Z), "
			    "-10m or +30s", opt, s);
}

static void parse(int argc, char **argv, struct report_opts *o)
{
	enum { OPT_JSON = 256, OPT_SINCE, OPT_UNTIL, OPT_HTML, OPT_LIVE, OPT_STORED };
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"html", required_argument, NULL, OPT_HTML},
		{"live", no_argument, NULL, OPT_LIVE},
		{"stored", no_argument, NULL, OPT_STORED},
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
	t->mode = PP_FILTER_ALL;
	o->w.max_procs = PP_MAX_PROCS_DEFAULT;
	o->w.sched_source = SCHED_SOURCE_ITERATOR; /* as record's */
	o->w.duration_s = LIVE_DEFAULT_S;
	o->w.interval_s = 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ap:c:d:i:h", longopts, NULL)) != -1) {
		if (target_option(c, optarg, t, &nsel) ||
		    live_timing_option(c, optarg, &o->w, 0, &timing))
			continue;
		switch (c) {
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_SINCE:
			parse_time("--since", optarg, &o->since);
			break;
		case OPT_UNTIL:
			parse_time("--until", optarg, &o->until);
			break;
		case OPT_HTML:
			o->html = optarg;
			break;
		case OPT_LIVE:
			o->live = true;
			break;
		case OPT_STORED:
			o->stored = true;
			break;
		case 'h':
			help();
			exit(0);
		default:
			option_error(c, "report", argv);
		}
	}
	file_or_live("report", argc, argv, &o->path, o->live, nsel, timing, "-a, -p, -c",
		     "-a, -p and -c");
	if (o->since.set && o->until.set && !o->since.rel && !o->until.rel &&
	    time_arg_resolve(&o->since, 0, 0, 0) > time_arg_resolve(&o->until, 0, 0, 0))
		usage_error("--since is after --until; swap them");
	if (o->stored && (o->live || o->since.set || o->until.set || o->html))
		usage_error("--stored prints the stored findings of a FILE as they are; it does not "
			    "go with --live, --since, --until or --html");
}

static int load(const struct report_opts *o, const char *path, struct recording *r)
{
	bool rel = (o->since.set && o->since.rel) || (o->until.set && o->until.rel);
	double since = rel ? 0 : time_arg_resolve(&o->since, 0, 0, 0);
	double until = rel ? INFINITY : time_arg_resolve(&o->until, 0, 0, INFINITY);
	char err[512];

	memset(r, 0, sizeof(*r));
	/* the profile only for the page's flame graph */
	if (store_load_flags(path, since, until, o->html ? 0 : STORE_LOAD_NO_PROFILE, r, err,
			     sizeof(err))) {
		fprintf(stderr, "perfpilot: %s: %s\n", path, err);
		return 1;
	}
	if (rel) {
		since = time_arg_resolve(&o->since, r->start, r->end, 0);
		until = time_arg_resolve(&o->until, r->start, r->end, INFINITY);
	}
	/* also for absolute times: start and end follow the window */
	if (o->since.set || o->until.set) {
		double start = r->start, end = r->end;
		size_t i, n = 0;

		report_trim(r, since, until);
		for (i = 0; i < r->n; i++)
			n += r->s[i].n;
		if (!n) {
			fprintf(stderr, "perfpilot: %s has no samples in that window; it covers "
				"%.0f to %.0f (unix seconds)\n", path, start, end);
			recording_free(r);
			return 1;
		}
	}
	return 0;
}

static int write_html(const char *file, const struct recording *r, const struct findings *fs)
{
	FILE *f = fopen(file, "w");

	if (!f) {
		fprintf(stderr, "perfpilot: cannot write %s: %s\n", file, strerror(errno));
		return 1;
	}
	report_html(f, r, fs);
	if (fclose(f)) {
		fprintf(stderr, "perfpilot: cannot write %s: %s\n", file, strerror(errno));
		return 1;
	}
	return 0;
}

static int output(const struct report_opts *o, const struct recording *r, const struct findings *fs)
{
	if (o->json) {
		json_t *j = report_json(r, fs);

		if (!j || json_dumpf(j, stdout, JSON_INDENT(2)) || fputc('\n', stdout) == EOF) {
			json_decref(j);
			fprintf(stderr, "perfpilot: cannot write the JSON report\n");
			return 1;
		}
		json_decref(j);
	} else {
		report_text(stdout, r, fs);
	}
	if (o->html && write_html(o->html, r, fs))
		return 1;
	return fflush(stdout) ? 1 : 0;
}

static int stored_json(const struct stored_findings *sf)
{
	json_t *j = json_pack("{s:f, s:f, s:f, s:[]}", "analysed", sf->analysed, "since",
			      sf->since, "until", sf->until, "findings");
	json_t *arr = json_object_get(j, "findings");
	size_t i;
	int rc = 0;

	for (i = 0; j && i < sf->n; i++) {
		json_t *f = json_loads(sf->f[i].json, 0, NULL);

		/* a row another tool wrote badly: keep its columns */
		if (!f)
			f = json_pack("{s:s, s:s, s:s, s:s}", "kind", sf->f[i].kind, "severity",
				      sf->f[i].severity, "resource", sf->f[i].resource,
				      "summary", sf->f[i].summary);
		json_array_append_new(arr, f);
	}
	if (!j || json_dumpf(j, stdout, JSON_INDENT(2)) || fputc('\n', stdout) == EOF) {
		fprintf(stderr, "perfpilot: cannot write the JSON report\n");
		rc = 1;
	}
	json_decref(j);
	return rc;
}

static void iso_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&s, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%.0f", t);
}

static void stored_text(const struct stored_findings *sf)
{
	char at[32], from[32];
	size_t i;

	iso_time(sf->analysed, at, sizeof(at));
	iso_time(sf->since, from, sizeof(from));
	printf("%zu finding%s stored at %s, over the %.0f s from %s\n",
	       sf->n, sf->n == 1 ? "" : "s", at, sf->until - sf->since, from);
	for (i = 0; i < sf->n; i++)
		printf("%-8s %-16s %-7s %s\n", sf->f[i].severity, sf->f[i].kind, sf->f[i].resource,
		       sf->f[i].summary);
}

/* report --stored: what record stored, without analysing again. */
static int report_stored(const struct report_opts *o)
{
	struct stored_findings sf;
	char err[512];
	int rc = 0;

	if (store_findings_load(o->path, &sf, err, sizeof(err))) {
		fprintf(stderr, "perfpilot: %s: %s\n", o->path, err);
		return 1;
	}
	if (!sf.present) {
		fprintf(stderr, "perfpilot: %s has no stored findings (written before perfpilot "
			"record stored them, or its analysis failed); 'perfpilot report %s' "
			"analyses it now\n", o->path, o->path);
		return 1;
	}
	if (o->json)
		rc = stored_json(&sf);
	else
		stored_text(&sf);
	stored_findings_free(&sf);
	return rc || fflush(stdout) ? 1 : 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct recording r;
	struct findings fs;
	struct findings_env env;
	char live[4096];
	const char *path;
	int rc;

	parse(argc, argv, &o);
	if (o.stored)
		return report_stored(&o);
	path = o.path;
	if (o.live) {
		watch_validate(&o.w);
		rc = record_live(&o.w, o.w.duration_s, live, sizeof(live));
		if (rc)
			return rc;
		path = live;
	}
	rc = load(&o, path, &r);
	if (o.live)
		record_live_remove(live);
	if (rc)
		return rc;
	record_findings_env(&r, &env);
	if (findings_analyze(&r, &env, &fs)) {
		recording_free(&r);
		fprintf(stderr, "perfpilot: out of memory while analysing %s\n", path);
		return 1;
	}
	rc = output(&o, &r, &fs);
	findings_free(&fs);
	recording_free(&r);
	return rc;
}
