// SPDX-License-Identifier: GPL-2.0
/* perfpilot daemon: record, analyse, tune and serve, until stopped. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "daemon/config.h"
#include "daemon/daemon.h"
#include "daemon/http.h"
#include "daemon/log.h"

static void help(void)
{
	printf("Usage: perfpilot daemon [-a | -c CGROUP...] [--listen ADDR:PORT] [--state-dir DIR]\n"
	       "                        [--config FILE] [-i SECONDS] [--log-level LEVEL]\n\n"
	       "Runs until SIGTERM or Ctrl-C: records what 'perfpilot record --profile' records\n"
	       "into STATE_DIR/perfpilot.db (deleting what is older or bigger than the\n"
	       "retention), analyses the last window every minute as 'perfpilot report' does,\n"
	       "runs the tuner when the config turns it on (advice unless it says apply), and\n"
	       "serves over HTTP: /metrics (Prometheus), /api/findings (report --json),\n"
	       "/healthz and /debug/pprof/profile?seconds=N (for go tool pprof). SIGHUP reads\n"
	       "the config again (a bad one is refused, the old one stays). One log line per\n"
	       "event on stderr: LEVEL: message. docs/daemon.md has the config and metrics.\n"
	       "Scheduler statistics come from a task iterator run once per interval\n"
	       "(config [daemon] sched_source = iterator, the default): no program runs per\n"
	       "context switch, and a thread's run-queue waits within one interval go into\n"
	       "the histogram and maximum at their mean. sched_source = switch traces every\n"
	       "context switch instead (exact waits, more overhead on switch-heavy hosts).\n\n"
	       "  -a, --all              the whole host (default)\n"
	       "  -c, --cgroup PATH      only the processes of this cgroup and its descendants;\n"
	       "                         repeat it for several (up to 64, of one hierarchy)\n"
	       "      --listen ADDR:PORT where to serve (default " DAEMON_LISTEN_DEFAULT "; any\n"
	       "                         other address only when asked, such as 0.0.0.0:9464)\n"
	       "      --state-dir DIR    the store and the tuner's journal (default\n"
	       "                         " DAEMON_STATE_DIR_DEFAULT ")\n"
	       "      --config FILE      the config (default " DAEMON_CONFIG_DEFAULT " when\n"
	       "                         it exists, else built-in defaults)\n"
	       "  -i, --interval SECONDS between two intervals (default 5)\n"
	       "      --log-level LEVEL  debug, info (default), warning or error\n"
	       "  -h, --help             this help\n\n"
	       "The command line overrides the config file. Exit status: 0 stopped, 1 a\n"
	       "runtime failure, 2 bad usage, config or input (a port in use, an unreadable\n"
	       "token file, a state directory that cannot be written).\n"
	       "Examples:\n"
	       "  perfpilot daemon\n"
	       "  perfpilot daemon -c system.slice --listen 127.0.0.1:9500 -i 10\n"
	       "  curl -s 127.0.0.1:9464/metrics | grep perfpilot_cgroup_cpu\n"
	       "  go tool pprof -top 'http://127.0.0.1:9464/debug/pprof/profile?seconds=30'\n");
}

static void parse(int argc, char **argv, struct daemon_opts *o)
{
	enum { OPT_LISTEN = 256, OPT_STATE, OPT_CONFIG, OPT_LEVEL };
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"cgroup", required_argument, NULL, 'c'},
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"state-dir", required_argument, NULL, OPT_STATE},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"interval", required_argument, NULL, 'i'},
		{"log-level", required_argument, NULL, OPT_LEVEL},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct daemon_overrides *ov = &o->ov;
	struct sockaddr_storage ss;
	socklen_t len;
	char err[300];
	int c;

	memset(o, 0, sizeof(*o));
	ov->log_level = -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ac:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			ov->all = true;
			break;
		case 'c':
			if (ov->ncgroups == DAEMON_MAX_CGROUPS)
				usage_error("more than %d cgroups (-c)", DAEMON_MAX_CGROUPS);
			ov->cgroups[ov->ncgroups++] = optarg;
			break;
		case OPT_LISTEN:
			if (http_parse_listen(optarg, &ss, &len, err, sizeof(err)))
				usage_error("--listen: %s", err);
			ov->listen = optarg;
			break;
		case OPT_STATE:
			if (!*optarg)
				usage_error("--state-dir is empty: give a directory");
			ov->state_dir = optarg;
			break;
		case OPT_CONFIG:
			o->config_path = optarg;
			break;
		case 'i':
			if (parse_seconds(optarg, &ov->interval_s) || ov->interval_s < 0.1 ||
			    ov->interval_s > 3600)
				usage_error("bad interval '%s': use seconds from 0.1 to 3600", optarg);
			break;
		case OPT_LEVEL:
			ov->log_level = dlog_level_parse(optarg);
			if (ov->log_level < 0)
				usage_error("bad --log-level '%s': use debug, info, warning or error",
					    optarg);
			break;
		case 'h':
			help();
			exit(0);
		default:
			option_error(c, "daemon", argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'; see 'perfpilot daemon --help'", argv[optind]);
	if (ov->all && ov->ncgroups)
		usage_error("choose one of -a and -c");
}

/* The target of the config: the host, or its cgroups. */
static void target(const struct daemon_config *c, struct watch_opts *w)
{
	static char cgroups[DAEMON_MAX_CGROUPS][DAEMON_CGROUP_MAX];
	size_t i;

	w->target.mode = PP_FILTER_ALL;
	w->max_procs = PP_MAX_PROCS_DEFAULT;
	if (!c->ncgroups)
		return;
	w->target.mode = PP_FILTER_CGROUP;
	for (i = 0; i < c->ncgroups; i++) {
		snprintf(cgroups[i], sizeof(cgroups[i]), "%s", c->cgroups[i]);
		w->target.cgroups[i] = cgroups[i];
	}
	w->target.ncgroups = c->ncgroups;
}

int cmd_daemon(int argc, char **argv)
{
	static struct daemon_opts o;
	struct daemon_config *cfg = calloc(1, sizeof(*cfg));
	char err[800];
	int rc;

	if (!cfg)
		usage_error("out of memory");
	parse(argc, argv, &o);
	rc = daemon_config_load(cfg, o.config_path, &o.ov, err, sizeof(err));
	if (rc == DCONFIG_BAD)
		usage_error("%s", err);
	o.config_defaulted = rc == DCONFIG_DEFAULTS;
	target(cfg, &o.w);
	watch_validate(&o.w);
	return daemon_run(cfg, &o);
}
