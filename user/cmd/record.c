// SPDX-License-Identifier: GPL-2.0
/* perfpilot record: write a target's series to a store file. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "record/record.h"
#include "record/profile.h"
#include "store/store.h"

static void help(void)
{
	printf("Usage: perfpilot record [-a | -p PID[,PID...] | -c CGROUP...] [-d DURATION] [-i SECONDS]\n"
	       "                        [--profile] [--max-age DURATION] [--max-size MB]\n"
	       "                        [--rollup AGE,AGE | --rollup off] -o FILE.db\n\n"
	       "Records the statistics of `perfpilot stat` every interval into an SQLite store\n"
	       "for `perfpilot report` and `perfpilot diff`: per process and per cgroup (CPU,\n"
	       "run queue, memory, block IO, TCP), the cgroups' memory and pressure files, the\n"
	       "host (PSI, CPU busy time, runnable tasks, available memory), each disk (bytes,\n"
	       "operations, latency, busy time) and each network namespace (retransmits, listen\n"
	       "queue overflows). Each interval is one transaction: Ctrl-C finishes the current\n"
	       "interval and closes the file; a crash loses at most the interval in progress.\n"
	       "An existing store is appended to. The schema is in docs/store.md.\n"
	       "When the recording ends (the duration, Ctrl-C, or the -p processes gone), the\n"
	       "whole store is analysed as `perfpilot report` does and the findings are kept\n"
	       "in it, replacing those of an earlier session ('perfpilot report FILE --stored').\n\n"
	       "What to watch (as for stat):\n"
	       "  -a, --all              the whole host (default)\n"
	       "  -p, --pid PID[,PID]    only these processes; stops when all have exited\n"
	       "      --children         with -p, also processes they fork from now on\n"
	       "  -c, --cgroup PATH      processes in this cgroup and its descendants (repeat\n"
	       "                         it for several, up to 64, of one hierarchy)\n"
	       "When and where:\n"
	       "  -d, --duration TIME    stop after this long (30, 500ms, 10m, 2h; default: Ctrl-C)\n"
	       "  -i, --interval SECONDS one sample per interval (default 1 s when -d is at most\n"
	       "                         60 s, else 5 s)\n"
	       "  -o, --output FILE      the store to create or append to (required)\n"
	       "      --profile          also sample on-CPU stacks (%d Hz), stored as folded stacks\n"
	       "      --profile-every TIME  store the stacks in parts of this long (default 60 s):\n"
	       "                         what record holds is one part's stacks\n"
	       "      --unwind HOW       how --profile walks user stacks: dwarf (with unwind\n"
	       "                         tables from .eh_frame), fp (frame pointers) or auto\n"
	       "                         (the default; see perfpilot profile --help)\n"
	       "      --max-age TIME     retention: drop intervals older than this (e.g. 7d, 12h)\n"
	       "      --max-size MB      retention: drop the oldest intervals to stay under this\n"
	       "      --rollup AGE1,AGE2 keep aged intervals at coarser steps: 10 s steps once\n"
	       "                         older than AGE1, 1 min steps once older than AGE2,\n"
	       "                         with each step's min, max and mean beside its values\n"
	       "                         (default 6h,1d; off: keep every interval as recorded)\n"
	       "      --short-lived TIME processes that live less are counted per command, parent\n"
	       "                         and cgroup instead of one by one (default: one interval;\n"
	       "                         0: keep every process)\n"
	       SCHED_SOURCE_HELP
	       "  -q, --quiet            no progress line (there is none when stderr is not a\n"
	       "                         terminal)\n"
	       "  -h, --help             this help\n\n"
	       "Examples:\n"
	       "  perfpilot record -a -d 10m -o host.db          ten minutes of the host, every 5 s\n"
	       "  perfpilot record -p 1234 -i 1 --profile -o app.db   until Ctrl-C or the process exits\n"
	       "  perfpilot record -c system.slice --max-age 1d --max-size 200 -o slice.db\n"
	       "  perfpilot record -a --max-age 7d --max-size 512 -o week.db   a week, rolled up\n"
	       "  sqlite3 app.db 'SELECT * FROM meta'            the store is plain SQLite\n",
	       RECORDING_PROFILE_HZ);
}

/* "7d", "12h", "30m", "90s", "90" -> seconds (days added to parse_seconds). */
static int parse_age(const char *s, double *out);

/* --rollup AGE1,AGE2 or off. */
static void parse_rollup(const char *arg, struct rollup_policy *p)
{
	char a[64], err[200];
	const char *comma = strchr(arg, ',');
	double age1, age2;

	if (!strcmp(arg, "off")) {
		memset(p, 0, sizeof(*p));
		return;
	}
	if (!comma || (size_t)(comma - arg) >= sizeof(a))
		usage_error("bad --rollup '%s': give two ages such as 6h,1d, or off", arg);
	snprintf(a, sizeof(a), "%.*s", (int)(comma - arg), arg);
	if (parse_age(a, &age1) || parse_age(comma + 1, &age2))
		usage_error("bad --rollup '%s': give two ages such as 6h,1d, or off", arg);
	if (rollup_policy_ages(p, age1, age2, err, sizeof(err)))
		usage_error("bad --rollup '%s': %s", arg, err);
}


static int parse_age(const char *s, double *out)
{
	size_t n = strlen(s);
	char buf[64];

	if (n && n < sizeof(buf) && s[n - 1] == 'd') {
		snprintf(buf, sizeof(buf), "%.*s", (int)n - 1, s);
		if (parse_seconds(buf, out))
			return -1;
		*out *= 86400;
		return 0;
	}
	return parse_seconds(s, out);
}

static void parse(int argc, char **argv, struct record_opts *o)
{
	enum { OPT_CHILDREN = 256, OPT_PROFILE, OPT_MAX_AGE, OPT_MAX_SIZE, OPT_SHORT_LIVED,
	       OPT_PROFILE_EVERY,
	       OPT_ROLLUP, OPT_UNWIND, OPT_SCHED_SOURCE };
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"pid", required_argument, NULL, 'p'},
		{"cgroup", required_argument, NULL, 'c'},
		{"children", no_argument, NULL, OPT_CHILDREN},
		{"duration", required_argument, NULL, 'd'},
		{"interval", required_argument, NULL, 'i'},
		{"output", required_argument, NULL, 'o'},
		{"profile", no_argument, NULL, OPT_PROFILE},
		{"profile-every", required_argument, NULL, OPT_PROFILE_EVERY},
		{"unwind", required_argument, NULL, OPT_UNWIND},
		{"max-age", required_argument, NULL, OPT_MAX_AGE},
		{"max-size", required_argument, NULL, OPT_MAX_SIZE},
		{"short-lived", required_argument, NULL, OPT_SHORT_LIVED},
		{"rollup", required_argument, NULL, OPT_ROLLUP},
		{"sched-source", required_argument, NULL, OPT_SCHED_SOURCE},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct target *t = &o->w.target;
	unsigned long mb;
	bool unwind_set = false;
	int c, nsel = 0;

	memset(o, 0, sizeof(*o));
	o->short_life_s = -1;
	rollup_policy_default(&o->rollup);
	o->w.max_procs = PP_MAX_PROCS_DEFAULT;
	o->w.sched_source = SCHED_SOURCE_ITERATOR; /* nothing per context switch */
	t->mode = PP_FILTER_ALL;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ap:c:d:i:o:qh", longopts, NULL)) != -1) {
		if (target_option(c, optarg, t, &nsel))
			continue;
		switch (c) {
		case OPT_CHILDREN:
			t->children = true;
			break;
		case 'd':
			if (parse_age(optarg, &o->w.duration_s))
				usage_error("bad duration '%s': use seconds such as 30, 500ms, 10m, 2h", optarg);
			break;
		case 'i':
			if (parse_seconds(optarg, &o->w.interval_s) || o->w.interval_s < 0.1)
				usage_error("bad interval '%s': use seconds, at least 0.1", optarg);
			break;
		case 'o':
			o->path = optarg;
			break;
		case OPT_PROFILE:
			o->profile = true;
			break;
		case OPT_PROFILE_EVERY:
			if (parse_age(optarg, &o->profile_flush_s) || o->profile_flush_s < 1)
				usage_error("bad --profile-every '%s': use a time of at least 1 s, such as 60, 10m",
					    optarg);
			o->profile = true;
			break;
		case OPT_UNWIND:
			if (ustack_mode_parse(optarg, &o->unwind.mode))
				usage_error("unknown --unwind '%s': use fp, dwarf or auto", optarg);
			unwind_set = true;
			break;
		case OPT_MAX_AGE:
			if (parse_age(optarg, &o->max_age_s))
				usage_error("bad --max-age '%s': use a duration such as 7d, 12h, 30m", optarg);
			break;
		case OPT_MAX_SIZE:
			if (parse_uint(optarg, 1, 1ul << 30, &mb))
				usage_error("bad --max-size '%s': a number of megabytes, at least 1", optarg);
			o->max_size_bytes = (double)mb * 1024 * 1024;
			break;
		case OPT_SHORT_LIVED:
			if (!strcmp(optarg, "0"))
				o->short_life_s = 0;
			else if (parse_seconds(optarg, &o->short_life_s) || o->short_life_s < 0)
				usage_error("bad --short-lived '%s': use a time such as 1, 500ms, 0", optarg);
			break;
		case OPT_ROLLUP:
			parse_rollup(optarg, &o->rollup);
			break;
		case OPT_SCHED_SOURCE:
			sched_source_option(optarg, &o->w);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			help();
			exit(0);
		default:
			option_error(c, "record", argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'; see 'perfpilot record --help'", argv[optind]);
	if (nsel > 1)
		usage_error("choose one of -a, -p and -c");
	if (t->children && t->mode != PP_FILTER_PID)
		usage_error("--children needs -p");
	if (!o->path)
		usage_error("record needs a store file: -o FILE.db");
	if (unwind_set && !o->profile)
		usage_error("--unwind needs --profile");
	if (o->w.interval_s && o->w.duration_s && o->w.interval_s > o->w.duration_s)
		o->w.interval_s = o->w.duration_s;
	if (!o->w.interval_s)
		o->w.interval_s = record_default_interval(o->w.duration_s);
	/* the profile in parts: what record holds is one part's stacks */
	if (o->profile && !o->profile_flush_s)
		o->profile_flush_s = RECORD_PROFILE_PART_S;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o;
	char err[600];

	parse(argc, argv, &o);
	if (store_check_target(o.path, err, sizeof(err)))
		usage_error("%s", err);
	watch_validate(&o.w);
	return record_run(&o);
}
