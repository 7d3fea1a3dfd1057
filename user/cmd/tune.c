// SPDX-License-Identifier: GPL-2.0
/* perfpilot tune: proposals, and with --apply verified, journaled, reversible changes. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "tune/change.h"
#include "tune/config.h"
#include "tune/cycle.h"
#include "tune/hostfs.h"
#include "tune/hostproc.h"
#include "tune/journal.h"
#include "tune/sched_watch.h"
#include "tune/quota_status.h"
#include "tune/scale.h"

#define TUNE_MAX_PIDS 64
#define TUNE_MAX_PROTECT 16

struct tune_opts {
	int nsel;
	struct target target;
	uint32_t pids[TUNE_MAX_PIDS];
	size_t npids;
	const char *cgroup, *netns, *config, *state_dir, *root;
	double duration_s, interval_s;
	bool apply, json, status, revert, revert_on_exit;
	const char *protect[TUNE_MAX_PROTECT]; /* --protect PID|CGROUP, as given */
	size_t nprotect;
	/* scaling of CPU quotas: set from the command line over the config */
	bool scaling_set, out_set, in_set, horizon_set;
	enum scale_mode scaling;
	double out_cooldown_s, in_cooldown_s, horizon_s;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void help(void)
{
	printf("Usage: perfpilot tune [-a | -p PID[,PID...] | -c CGROUP] [--netns NAME|PATH]\n"
	       "                      [-d DURATION] [--apply] [--revert-on-exit] [--config FILE]\n"
	       "                      [--scaling reactive|predictive] [--scale-out-cooldown D]\n"
	       "                      [--scale-in-cooldown D] [--horizon D] [--state-dir DIR] [--json]\n"
	       "       perfpilot tune --protect PID|CGROUP [--protect ...] [-c CGROUP] [--apply]\n"
	       "                      [-d DURATION] [--config FILE] [--state-dir DIR] [--json]\n"
	       "       perfpilot tune --status [--state-dir DIR] [--json]\n"
	       "       perfpilot tune --revert [--state-dir DIR] [--json]\n\n"
	       "Watches the host (or a network namespace, or a cgroup) and proposes changes of\n"
	       "sysctls and cgroup files, each with the finding behind it and its expected\n"
	       "effect. Advice is the default: nothing is changed. With --apply it changes one\n"
	       "step at a time, journals each change before making it, verifies that it helped\n"
	       "and rolls back those that did not, until -d ends or Ctrl-C; the kept changes\n"
	       "stay (undo them with --revert).\n\n"
	       "  -a, --all              the whole host (the default)\n"
	       "  -p, --pid PID[,PID]    the listeners and processes of these PIDs\n"
	       "  -c, --cgroup CGROUP    this cgroup (its directory; v1 or v2); its files may\n"
	       "                         be changed\n"
	       "  --protect PID|CGROUP   a latency-sensitive process or cgroup: watch its p99\n"
	       "                         run-queue wait and take the processes and cgroups that\n"
	       "                         delay it off its CPUs: lower their weight (nice 19,\n"
	       "                         cpu.weight/cpu.shares), then give it CPUs of its own\n"
	       "                         (their affinity, cpusets); each change verified on the\n"
	       "                         p99 and rolled back when it does not help (repeatable)\n"
	       "  --netns NAME|PATH      the sysctls of this network namespace (ip netns NAME,\n"
	       "                         or /proc/PID/ns/net) instead of the host's\n"
	       "  -d, --duration TIME    observe (and tune) this long (default 30 s)\n"
	       "  -i, --interval TIME    between two observations (default 1 s)\n"
	       "  --apply                change values, verify, keep or roll back\n"
	       "  --revert-on-exit       restore this run's changes when it ends\n"
	       "  --scaling MODE         CPU quotas follow the demand both ways (cpu_quota):\n"
	       "                         reactive raises one step once the cgroup is throttled;\n"
	       "                         predictive forecasts the demand (usage + throttled time)\n"
	       "                         over the horizon from its recent trend and raises to the\n"
	       "                         forecast's upper bound + 20 %% headroom before throttling\n"
	       "                         starts. Both lower it towards the recent peak demand +\n"
	       "                         headroom when demand falls, never below the quota before\n"
	       "                         perfpilot's first change; scaling changes are journaled\n"
	       "                         but not rolled back. Default: off (one verified step)\n"
	       "  --scale-out-cooldown D  at least D between two raises (default 5m)\n"
	       "  --scale-in-cooldown D   at least D from any change to a lowering, and the\n"
	       "                         window of its peak demand (default 10m); a lowering\n"
	       "                         must cut 20 %% or more, so a steady demand never flaps\n"
	       "  --horizon D            how far ahead predictive looks (default: the scale-out\n"
	       "                         cooldown, at least 10 intervals)\n"
	       "  --config FILE          tuners, allowlist, bounds, steps, cooldowns (default\n"
	       "                         " CONFIG_DEFAULT_PATH " when it exists; docs/tuner.md)\n"
	       "  --state-dir DIR        where the journal is (default " JOURNAL_DEFAULT_DIR ")\n"
	       "  --status               list the changes made, newest first, then per cgroup\n"
	       "                         whose quota perfpilot changed its slack ((quota -\n"
	       "                         usage) / quota over 1 s) and its throttled time since\n"
	       "                         perfpilot's first change in place\n"
	       "  --revert               restore every change nobody changed since\n"
	       "  --json                 one JSON object per proposal, change or result\n"
	       "  --root DIR             a fixture tree instead of the host (tests)\n"
	       "  -h, --help             this help\n\n"
	       "Exit status: 0 done, 1 a runtime error, 2 bad usage or configuration.\n"
	       "Examples: perfpilot tune --netns web -d 60 --apply\n"
	       "          perfpilot tune --protect 1234 -d 60 --apply\n"
	       "          perfpilot tune -c cpu/app --apply --scaling predictive -d 1h\n");
}

/* A cooldown: seconds as parse_seconds takes them, or 0 ("0", "0s", ...). */
static int parse_cooldown(const char *s, double *out)
{
	char *end;
	double v;

	if (!parse_seconds(s, out))
		return 0;
	v = strtod(s, &end);
	if (end == s || v != 0 || strchr(s, '-') ||
	    (*end && strcmp(end, "s") && strcmp(end, "ms") && strcmp(end, "m") && strcmp(end, "h")))
		return -1;
	*out = 0;
	return 0;
}

static void parse(int argc, char **argv, struct tune_opts *o)
{
	enum { OPT_NETNS = 256, OPT_APPLY, OPT_CONFIG, OPT_STATE, OPT_JSON, OPT_STATUS,
	       OPT_REVERT, OPT_REVERT_EXIT, OPT_ROOT, OPT_PROTECT, OPT_SCALING, OPT_OUT, OPT_IN, OPT_HORIZON };
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"pid", required_argument, NULL, 'p'},
		{"cgroup", required_argument, NULL, 'c'},
		{"netns", required_argument, NULL, OPT_NETNS},
		{"duration", required_argument, NULL, 'd'},
		{"interval", required_argument, NULL, 'i'},
		{"apply", no_argument, NULL, OPT_APPLY},
		{"revert-on-exit", no_argument, NULL, OPT_REVERT_EXIT},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"state-dir", required_argument, NULL, OPT_STATE},
		{"json", no_argument, NULL, OPT_JSON},
		{"status", no_argument, NULL, OPT_STATUS},
		{"revert", no_argument, NULL, OPT_REVERT},
		{"root", required_argument, NULL, OPT_ROOT},
		{"protect", required_argument, NULL, OPT_PROTECT},
		{"scaling", required_argument, NULL, OPT_SCALING},
		{"scale-out-cooldown", required_argument, NULL, OPT_OUT},
		{"scale-in-cooldown", required_argument, NULL, OPT_IN},
		{"horizon", required_argument, NULL, OPT_HORIZON},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	char err[256];
	int c;

	memset(o, 0, sizeof(*o));
	o->duration_s = 30;
	o->interval_s = 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":ap:c:d:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->nsel++;
			break;
		case 'p':
			o->nsel++;
			if (parse_pid_list(optarg, o->pids, TUNE_MAX_PIDS, &o->npids, err, sizeof(err)))
				usage_error("%s", err);
			break;
		case 'c':
			o->nsel++;
			o->cgroup = optarg;
			break;
		case OPT_NETNS:
			o->netns = optarg;
			break;
		case 'd':
			if (parse_seconds(optarg, &o->duration_s))
				usage_error("bad duration '%s': use seconds such as 30, 1.5, 500ms, 2m",
					    optarg);
			break;
		case 'i':
			if (parse_seconds(optarg, &o->interval_s) || o->interval_s < 0.1)
				usage_error("bad interval '%s': use seconds, at least 0.1", optarg);
			break;
		case OPT_APPLY:
			o->apply = true;
			break;
		case OPT_REVERT_EXIT:
			o->revert_on_exit = true;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_STATE:
			o->state_dir = optarg;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_STATUS:
			o->status = true;
			break;
		case OPT_REVERT:
			o->revert = true;
			break;
		case OPT_ROOT:
			o->root = optarg;
			break;
		case OPT_PROTECT:
			if (o->nprotect == TUNE_MAX_PROTECT)
				usage_error("at most %d --protect", TUNE_MAX_PROTECT);
			o->protect[o->nprotect++] = optarg;
			break;
		case OPT_SCALING:
			if (scale_mode_parse(optarg, &o->scaling))
				usage_error("bad --scaling '%s': use reactive or predictive (or off)",
					    optarg);
			o->scaling_set = true;
			break;
		case OPT_OUT:
		case OPT_IN:
			if (parse_cooldown(optarg, c == OPT_OUT ? &o->out_cooldown_s :
					   &o->in_cooldown_s))
				usage_error("bad --scale-%s-cooldown '%s': use seconds, 0 or more, such "
					    "as %s", c == OPT_OUT ? "out" : "in", optarg,
					    c == OPT_OUT ? "300, 5m" : "600, 10m");
			*(c == OPT_OUT ? &o->out_set : &o->in_set) = true;
			break;
		case OPT_HORIZON:
			if (parse_seconds(optarg, &o->horizon_s))
				usage_error("bad --horizon '%s': use seconds above 0, such as 60, 5m",
					    optarg);
			o->horizon_set = true;
			break;
		case 'h':
			help();
			exit(0);
		default:
			option_error(c, "tune", argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'; see 'perfpilot tune --help'", argv[optind]);
	if (o->nsel > 1)
		usage_error("give one of -a, -p and -c");
	if (o->status + o->revert + o->apply > 1)
		usage_error("--status, --revert and --apply do not go together");
	if ((o->status || o->revert) &&
	    (o->nsel || o->netns || o->config || o->revert_on_exit || o->nprotect || o->scaling_set ||
	     o->out_set || o->in_set || o->horizon_set))
		usage_error("--%s takes only --state-dir and --json",
			    o->status ? "status" : "revert");
	if (o->revert_on_exit && !o->apply)
		usage_error("--revert-on-exit needs --apply");
}

static const char *entry_where(const struct journal_entry *e, char *buf, size_t len)
{
	if (e->scope == TUNE_PROCESS) {
		snprintf(buf, len, "process %d", e->pid);
		return buf;
	}
	return tune_scope_str(e->scope == TUNE_SYSCTL ? e->netns : NULL,
			      e->scope == TUNE_CGROUP ? e->cgroup : NULL, buf, len);
}

static const char *fmt_num(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%g", v);
	return buf;
}

static int load_journal(struct journal *j, const struct tune_opts *o, int flags)
{
	char err[512];

	if (journal_load(j, o->state_dir, flags, err, sizeof(err))) {
		fprintf(stderr, "perfpilot: %s\n", err);
		return -1;
	}
	return 0;
}

static double status_clock(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void status_sleep(void *arg, double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	(void)arg;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Per cgroup whose quota perfpilot changed: its slack and throttled time. */
static void status_quotas(const struct tune_opts *o, const struct journal *j)
{
	struct quota_status *r = calloc(QUOTA_STATUS_MAX, sizeof(*r));
	char when[32], a[32], b[32], u[32];
	struct hostfs h;
	size_t i, n;

	if (!r || hostfs_init(&h, o->root)) {
		free(r);
		return;
	}
	n = quota_status_read(&h, j, 1.0, status_clock, status_sleep, NULL, r, QUOTA_STATUS_MAX);
	for (i = 0; i < n; i++) {
		time_t t = (time_t)r[i].since;
		struct tm tm;
		json_t *obj;

		if (o->json) {
			obj = json_pack("{s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:f, s:I}",
					"cgroup", r[i].cgroup, "tunable", r[i].tunable, "gone", r[i].gone,
					"quota_cpus", num_or_null(r[i].quota),
					"usage_cpus", num_or_null(r[i].usage),
					"slack", num_or_null(r[i].slack),
					"throttled_s", num_or_null(r[i].throttled_s),
					"since", r[i].since, "changes", (json_int_t)r[i].changes);
			if (obj) {
				json_dumpf(obj, stdout, JSON_COMPACT);
				fputc('\n', stdout);
				json_decref(obj);
			}
			continue;
		}
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		if (!i)
			printf("\n");
		if (r[i].gone) {
			printf("cgroup %s: gone (%zu change%s of %s in place since %s)\n", r[i].cgroup,
			       r[i].changes, r[i].changes == 1 ? "" : "s", r[i].tunable, when);
			continue;
		}
		if (isfinite(r[i].slack))
			snprintf(a, sizeof(a), "%.0f%%", r[i].slack * 100);
		else
			snprintf(a, sizeof(a), "unknown");
		if (isfinite(r[i].throttled_s))
			snprintf(b, sizeof(b), "%.2f s", r[i].throttled_s);
		else
			snprintf(b, sizeof(b), "unknown (not recorded)");
		if (isfinite(r[i].usage))
			snprintf(u, sizeof(u), "%.2f", r[i].usage);
		else
			snprintf(u, sizeof(u), "unknown");
		if (isfinite(r[i].quota))
			printf("cgroup %s: quota %.2f CPU, using %s: slack %s; ", r[i].cgroup,
			       r[i].quota, u, a);
		else
			printf("cgroup %s: quota unlimited, using %s; ", r[i].cgroup, u);
		printf("throttled %s since %s (%zu change%s of %s in place)\n", b, when,
		       r[i].changes, r[i].changes == 1 ? "" : "s", r[i].tunable);
	}
	free(r);
}

static int do_status(const struct tune_opts *o)
{
	struct journal j;
	struct journal_entry *e;
	char when[32], where[PATH_MAX + 16];
	size_t i;

	if (load_journal(&j, o, 0))
		return 1;
	if (!j.n && !o->json)
		printf("perfpilot: tune: no changes recorded in %s\n", j.path);
	for (i = 0; (e = journal_newest(&j, i)) != NULL; i++) {
		time_t t = (time_t)e->time;
		struct tm tm;

		if (o->json) {
			journal_entry_write_line(e, stdout);
			continue;
		}
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("%-4lld %s  %-13s %s %s: %s -> %s\n", (long long)e->id, when,
		       journal_state_name(e->state), e->tunable,
		       entry_where(e, where, sizeof(where)), e->old, e->new);
		printf("     reason: %s%s%s\n", e->finding[0] ? e->finding : "", e->finding[0] ? ": " : "",
		       e->reason);
		if (e->metric[0])
			printf("     effect: %s %s -> %s\n", e->metric, fmt_num(e->before, when, sizeof(when)),
			       fmt_num(e->after, where, sizeof(where)));
		if (e->note[0])
			printf("     note: %s\n", e->note);
	}
	status_quotas(o, &j);
	journal_free(&j);
	return 0;
}

/* One line (or JSON object) per restored or skipped entry. */
static void print_results(struct journal *j, const struct change_report *rep, FILE *f, bool json,
			  const char *verb)
{
	char where[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < rep->n; i++) {
		const struct change_result *r = &rep->r[i];
		const struct journal_entry *e = journal_get(j, r->id);
		json_t *obj;

		if (!e)
			continue;
		if (json) {
			obj = json_pack("{s:I, s:s, s:o, s:o, s:o, s:s, s:s, s:b, s:s, s:s, s:s}",
					"id", (json_int_t)r->id, "tunable", e->tunable,
					"pid", e->pid ? json_integer(e->pid) : json_null(),
					"netns", e->netns[0] ? json_string(e->netns) : json_null(),
					"cgroup", e->cgroup[0] ? json_string(e->cgroup) : json_null(),
					"old", e->old, "new", e->new, "restored", r->restored,
					"state", journal_state_name(r->state), "found", r->found,
					"reason", r->reason);
			if (obj) {
				json_dumpf(obj, f, JSON_COMPACT);
				fputc('\n', f);
				json_decref(obj);
			}
			continue;
		}
		entry_where(e, where, sizeof(where));
		if (r->restored)
			fprintf(f, "perfpilot: tune: %s %s in %s: %s (was %s)%s%s\n", verb, e->tunable,
				where, e->old, e->new, r->reason[0] ? "; " : "", r->reason);
		else
			fprintf(f, "perfpilot: tune: left %s in %s: %s\n", e->tunable, where,
				r->reason[0] ? r->reason : "not restored");
	}
}

static int restore_all(const struct hostfs *h, struct journal *j, FILE *f, bool json,
		       const char *verb)
{
	struct change_report rep = {0};
	char err[512];
	int rc;

	rc = revert_all(h, j, &rep, err, sizeof(err));
	print_results(j, &rep, f, json, verb);
	change_report_free(&rep);
	if (rc)
		fprintf(stderr, "perfpilot: %s\n", err);
	return rc;
}

static int do_revert(const struct tune_opts *o)
{
	struct journal j;
	size_t open, i, restored = 0, left = 0;
	struct change_report rep = {0};
	struct hostfs h;
	char err[512];
	int rc;

	if (load_journal(&j, o, JOURNAL_LOCK))
		return 1;
	hostfs_init(&h, o->root);
	open = journal_open_count(&j);
	if (!open) {
		if (!o->json)
			printf("perfpilot: tune: nothing to revert (%zu changes in %s, none in place)\n",
			       j.n, j.path);
		journal_free(&j);
		return 0;
	}
	rc = revert_all(&h, &j, &rep, err, sizeof(err));
	print_results(&j, &rep, stdout, o->json, "restored");
	for (i = 0; i < rep.n; i++)
		rep.r[i].restored ? restored++ : left++;
	if (!o->json)
		printf("perfpilot: tune: %zu restored, %zu left as they are\n", restored, left);
	change_report_free(&rep);
	journal_free(&j);
	if (rc) {
		fprintf(stderr, "perfpilot: %s\n", err);
		return 1;
	}
	return 0;
}

/* Bounds that exclude a current value, for what the tuners on may touch: exit 2. */
static void check_current(const struct tune_ctx *ctx)
{
	const struct tune_config *cfg = ctx->cfg;
	struct hostfs_value v;
	char err[512];
	size_t i;

	for (i = 0; i < tunable_table_len; i++) {
		const struct tunable_info *t = &tunable_table[i];
		const char *cg;
		int rc;

		if (!cfg->tuner_on[t->tuner] || !config_allows(cfg, t->name))
			continue;
		if (t->scope == TUNE_SYSCTL) {
			rc = hostfs_sysctl_read(ctx->h, !strncmp(t->name, "net.", 4) ? ctx->netns : NULL,
						t->name, &v, err, sizeof(err));
		} else {
			cg = !strncmp(t->name, "memory.", 7) ? ctx->cg_memory : ctx->cg_cpu;
			if (!cg[0] || !hostfs_cgroup_has(ctx->h, cg, t->name))
				continue;
			rc = hostfs_cgroup_read(ctx->h, cg, t->name, &v, err, sizeof(err));
		}
		if (rc)
			continue; /* not on this host: no tuner will touch it */
		if (config_check_current(cfg, t->name, v.str, err, sizeof(err)))
			usage_error("%s", err);
	}
}

/*
 * --protect: a running process's PID or a cgroup directory (absolute, or
 * below /sys/fs/cgroup), in scope of the levers (config_add_pid,
 * config_add_cgroup); exit 2 for one that does not exist.
 */
static void protect_targets(const struct tune_opts *o, struct tune_ctx *ctx,
			    struct tune_config *cfg, char (*cg)[PATH_MAX])
{
	char err[512];
	struct hostproc p;
	uint64_t id;
	size_t i;
	long pid;
	char *end;

	for (i = 0; i < o->nprotect; i++) {
		const char *a = o->protect[i];

		pid = strtol(a, &end, 10);
		if (*a && !*end) {
			if (pid <= 0 || pid > INT32_MAX)
				usage_error("--protect %s: not a PID", a);
			if (hostproc_get(ctx->h, (int)pid, &p, err, sizeof(err)))
				usage_error("--protect %s: no such process (is it still running?); "
					    "give a running process's PID or a cgroup directory", a);
			if (p.kthread || pid == 1 || pid == getpid())
				usage_error("--protect %s: %s is not protected this way", a,
					    p.kthread ? "a kernel thread" : pid == 1 ? "PID 1" :
					    "perfpilot itself");
			if (config_add_pid(cfg, (int)pid, err, sizeof(err)))
				usage_error("%s", err);
			snprintf(cg[i], PATH_MAX, "%ld", pid);
			continue;
		}
		if (a[0] == '/')
			snprintf(cg[i], PATH_MAX, "%s", a);
		else
			snprintf(cg[i], PATH_MAX, "/sys/fs/cgroup/%s", a);
		if (!hostfs_clean_path(cg[i]) || hostfs_cgroup_id(ctx->h, cg[i], &id, err, sizeof(err)))
			usage_error("--protect %s: no such cgroup (give its directory, such as "
				    "/sys/fs/cgroup/cpu/app on v1 or /sys/fs/cgroup/app on v2)", a);
		if (config_add_cgroup(cfg, cg[i], err, sizeof(err)))
			usage_error("%s", err);
	}
}

/* The cgroups of separate and together rules exist and have a cpuset: else exit 2. */
static void check_rules(const struct tune_ctx *ctx)
{
	const struct tune_config *cfg = ctx->cfg;
	char err[512];
	uint64_t id;
	size_t i, k;

	for (i = 0; i < cfg->nrules; i++)
		for (k = 0; k < 2; k++) {
			const char *cg = k ? cfg->rules[i].b : cfg->rules[i].a;

			if (hostfs_cgroup_id(ctx->h, cg, &id, err, sizeof(err)))
				usage_error("%s:%d: the rule names cgroup %s, which does not exist; "
					    "give a cgroup directory of the cpuset controller (v1) or "
					    "of v2", cfg->file, cfg->rules[i].line, cg);
			if (!hostfs_cgroup_has(ctx->h, cg, "cpuset.cpus"))
				usage_error("%s:%d: cgroup %s has no cpuset.cpus (v1: give its "
					    "directory below /sys/fs/cgroup/cpuset; v2: enable +cpuset)",
					    cfg->file, cfg->rules[i].line, cg);
		}
}

/* A read-only /proc/sys (a container, a read-only mount): --apply cannot work. */
static void check_writable(const struct hostfs *h)
{
	char path[PATH_MAX + 16];
	struct statvfs st;

	snprintf(path, sizeof(path), "%s/proc/sys", h->root);
	if (statvfs(path, &st) == 0 && (st.f_flag & ST_RDONLY)) {
		fprintf(stderr, "perfpilot: %s is read-only here (a container or a read-only "
			"mount): --apply cannot change sysctls; run without --apply for advice\n",
			path);
		exit(1);
	}
}

/* Open entries of an earlier run: restore them or say so, per config. */
static int unfinished(const struct hostfs *h, struct journal *j, const struct tune_config *cfg,
		      FILE *log, bool json)
{
	struct journal_entry *e;
	char where[PATH_MAX + 16];
	size_t i, n = journal_open_count(j);

	if (!n)
		return 0;
	if (cfg->on_unfinished == UNFINISHED_RESTORE) {
		fprintf(log, "perfpilot: tune: %zu change%s of an earlier run still open in %s; "
			"restoring (on_unfinished_journal = restore)\n", n, n == 1 ? "" : "s",
			j->path);
		return restore_all(h, j, log, json && log == stdout, "restored") ? -1 : 0;
	}
	fprintf(log, "perfpilot: tune: %zu change%s of an earlier run still open in %s (left "
		"as they are; 'perfpilot tune --revert' restores them):\n", n, n == 1 ? "" : "s",
		j->path);
	for (i = 0; (e = journal_newest(j, i)) != NULL; i++)
		if (journal_state_open(e->state))
			fprintf(log, "perfpilot: tune:   #%lld %s %s in %s (was %s; %s%s)\n",
				(long long)e->id, e->tunable, e->new,
				entry_where(e, where, sizeof(where)), e->old,
				journal_state_name(e->state),
				e->state == JS_PENDING ? ": perfpilot stopped before it was written "
				"or verified" : "");
	return 0;
}

/* --scaling and its cooldowns over the config's [tuner cpu_quota]. */
static void scaling_options(const struct tune_opts *o, struct tune_config *cfg)
{
	if (o->scaling_set)
		cfg->scale.mode = o->scaling;
	if (o->out_set)
		cfg->scale.out_cooldown_s = o->out_cooldown_s;
	if (o->in_set)
		cfg->scale.in_cooldown_s = o->in_cooldown_s;
	if (o->horizon_set)
		cfg->scale.horizon_s = o->horizon_s;
	if ((o->out_set || o->in_set || o->horizon_set) && cfg->scale.mode == SCALE_OFF)
		usage_error("--scale-out-cooldown, --scale-in-cooldown and --horizon need --scaling "
			    "reactive or predictive (or scaling = ... in [tuner cpu_quota])");
	if (cfg->scale.mode != SCALE_OFF && !cfg->tuner_on[TUNER_CPU_QUOTA])
		usage_error("scaling needs the cpu_quota tuner, which the config turns off: set "
			    "enabled = true in [tuner cpu_quota]");
}

static int run(const struct tune_opts *o)
{
	struct tune_config cfg;
	struct tune_ctx ctx;
	struct journal j;
	struct hostfs h;
	struct tuner tuners[TUNER_COUNT];
	struct cycle cy;
	struct cycle_opts co;
	struct sigaction sa;
	struct sched_watch sw = {0};
	char protect_cg[TUNE_MAX_PROTECT][PATH_MAX];
	const char *protect[TUNE_MAX_PROTECT];
	FILE *log = o->json ? stderr : stdout;
	char err[512];
	uint64_t id;
	size_t nt;
	int rc = 0;

	if (hostfs_init(&h, o->root))
		usage_error("--root: path too long");
	switch (config_load(&cfg, o->config, err, sizeof(err))) {
	case CONFIG_OK:
		break;
	default:
		usage_error("%s", err);
	}
	scaling_options(o, &cfg);
	memset(&ctx, 0, sizeof(ctx));
	ctx.h = &h;
	ctx.cfg = &cfg;
	ctx.ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	ctx.pids = o->npids ? o->pids : NULL;
	ctx.npids = o->npids;
	if (o->netns) {
		if (hostfs_netns_id(&h, o->netns, &id, err, sizeof(err)))
			usage_error("%s; list them with 'ip netns'", err);
		ctx.netns = o->netns;
	}
	if (o->cgroup) {
		if (tune_ctx_cgroup(&ctx, o->cgroup, err, sizeof(err)))
			usage_error("%s", err);
		if (config_add_cgroup(&cfg, ctx.cg_cpu, err, sizeof(err)) ||
		    config_add_cgroup(&cfg, ctx.cg_memory, err, sizeof(err)))
			usage_error("%s", err);
	}
	if (o->nprotect) {
		size_t i;

		protect_targets(o, &ctx, &cfg, protect_cg);
		for (i = 0; i < o->nprotect; i++)
			protect[i] = protect_cg[i];
		ctx.protect = protect;
		ctx.nprotect = o->nprotect;
		if (!o->root && geteuid() != 0)
			usage_error("--protect needs root to load the scheduler collector (CAP_BPF, "
				    "CAP_PERFMON): run it with sudo");
		if (!o->root && !in_host_pidns())
			usage_error("--protect runs in the host's pid namespace only (its BPF programs "
				    "see the host's pids): start it there (docker run --pid=host, "
				    "Kubernetes hostPID: true)");
	}
	check_rules(&ctx);
	check_current(&ctx);
	if (o->apply)
		check_writable(&h);
	if (load_journal(&j, o, JOURNAL_LOCK)) {
		config_free(&cfg);
		return 1;
	}
	ctx.j = &j;
	if (unfinished(&h, &j, &cfg, log, o->json)) {
		rc = 1;
		goto out;
	}
	if (o->nprotect && !o->root) {
		sched_watch_start(&sw, o->interval_s);
		ctx.sched = &sw.src;
	}
	nt = tuners_make(&ctx, TUNERS_ALL, tuners, stderr);
	if (!nt) {
		fprintf(stderr, "perfpilot: no tuner is on for this target; see [tuner NAME] "
			"enabled = true in docs/tuner.md\n");
		rc = 2;
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a signal ends the sleep */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	memset(&co, 0, sizeof(co));
	co.apply = o->apply;
	co.duration_s = o->duration_s;
	co.interval_s = o->interval_s;
	co.out = log;
	co.progress = stderr;
	co.stop = &stop_flag;
	cycle_init(&cy, &ctx, &j, tuners, nt);
	fprintf(stderr, "perfpilot: tune: %s for %.0f s%s%s (Ctrl-C ends)\n",
		o->apply ? "tuning" : "observing", o->duration_s, ctx.netns ? " in netns " : "",
		ctx.netns ? ctx.netns : "");
	if (cycle_run(&cy, &co)) {
		fprintf(stderr, "perfpilot: %s\n", cy.err);
		rc = 1;
	}
	if (o->apply) {
		if (cycle_end(&cy, &co, cfg.revert_on_exit || o->revert_on_exit))
			rc = 1;
	} else if (!cy.nadvice) {
		fprintf(log, "perfpilot: tune: no proposal: nothing to tune was found%s\n",
			stop_flag ? " (stopped early)" : "");
	} else {
		cycle_print_advice(&cy, stdout, o->json);
	}
	cycle_free(&cy);
	tuners_free(tuners, nt);
out:
	sched_watch_stop(&sw);
	journal_free(&j);
	config_free(&cfg);
	return rc;
}

int cmd_tune(int argc, char **argv)
{
	struct tune_opts o;

	parse(argc, argv, &o);
	/* one line per change, as it happens, also into a file or a pipe */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.status)
		return do_status(&o);
	if (o.revert)
		return do_revert(&o);
	return run(&o);
}
