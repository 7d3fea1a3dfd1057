/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tuner's configuration file (docs/tuner.md): which tuners run, which
 * tunables they may touch (the allowlist), each tunable's bounds, step,
 * cooldown and verify window, which cgroups may be touched, and what to do
 * with a journal left open by an earlier run. An INI-like text:
 *
 *   # comment
 *   cooldown = 300
 *   allow = net.core.somaxconn net.ipv4.tcp_max_syn_backlog
 *   cgroup = /sys/fs/cgroup/app
 *   [tuner memory_high]
 *   enabled = true
 *   [tuner cpu_quota]
 *   scaling = predictive        # reactive | predictive | off (scale.h)
 *   scale_out_cooldown = 300
 *   [tunable net.core.somaxconn]
 *   max = 16384
 *   step = x2
 *
 * Every mistake is one line "FILE:LINE: what is wrong" and CONFIG_INVALID,
 * which the CLI turns into exit status 2.
 */
#ifndef PP_TUNE_CONFIG_H
#define PP_TUNE_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "tune/lever.h"
#include "tune/scale.h"
#include "tune/tunable.h"

#define CONFIG_DEFAULT_PATH "/etc/perfpilot/tune.conf"

enum config_rc {
	CONFIG_OK = 0,
	CONFIG_IO = -1,      /* the file cannot be read */
	CONFIG_INVALID = -2, /* its content is wrong: exit 2 */
};

enum unfinished_policy { UNFINISHED_REPORT, UNFINISHED_RESTORE };

/* Which processes --protect may change besides those named (culprits = ...). */
enum culprit_scope {
	CULPRITS_USERS,  /* ordinary users' processes (uid >= CONFIG_USER_UID_MIN) */
	CULPRITS_LISTED, /* only those listed (process =) or in a configured cgroup */
};
#define CONFIG_USER_UID_MIN 1000

/* separate = A B, together = A B (rules.h): two cgroups' cpusets */
enum rule_kind { RULE_SEPARATE, RULE_TOGETHER };
struct cpuset_rule {
	enum rule_kind kind;
	char *a, *b;             /* cgroup directories (cpuset controller or v2) */
	int line;
};

struct tunable_conf {
	int64_t min, max;        /* bounds of the key (TUNE_UNLIMITED: none) */
	struct tune_step step;
	double cooldown_s;       /* < 0: the global cooldown */
	double verify_s;         /* < 0: the global verify_window */
	int min_line, max_line;  /* where min and max were set, 0: defaults */
};

struct tune_config {
	char file[PATH_MAX];     /* "" while only defaults */
	bool tuner_on[TUNER_COUNT];
	bool allowed[TUNABLE_COUNT];
	struct tunable_conf t[TUNABLE_COUNT]; /* in tunable_table's order */
	double cooldown_s;       /* between two changes of one target */
	double verify_s;         /* from a change to its verdict */
	double min_improvement;  /* relative, for verify_decide */
	char **cgroups;          /* prefixes of the cgroups that may be touched */
	size_t ncgroups;
	enum unfinished_policy on_unfinished;
	bool revert_on_exit;
	bool allow_given;        /* the file's first allow replaced the defaults */
	/* --protect's levers (lever.h) and the processes they may change */
	bool lever_allowed[LEVER_COUNT];
	int *pids;               /* named: --protect, -p */
	size_t npids;
	char **procs;            /* process = COMM ...: by name */
	size_t nprocs;
	enum culprit_scope culprits;
	bool numa_apply;         /* numa = apply: --protect moves to the advised node */
	struct cpuset_rule *rules;
	size_t nrules;
	struct scale_conf scale; /* [tuner cpu_quota]: scaling, its cooldowns, horizon */
};

/* The defaults (docs/tuner.md); no cgroup may be touched. */
void config_defaults(struct tune_config *c);

/*
 * Defaults, then the file: `path`, or CONFIG_DEFAULT_PATH when NULL (then
 * a missing file is fine). CONFIG_OK, CONFIG_IO or CONFIG_INVALID with one
 * line in err. On error c holds the defaults.
 */
int config_load(struct tune_config *c, const char *path, char *err, size_t errlen);

/* Parse a config text on top of what c holds; `name` for messages. */
int config_parse(struct tune_config *c, FILE *f, const char *name, char *err, size_t errlen);

void config_free(struct tune_config *c);

/* Let the tuner touch a cgroup (and those below it): -c adds its target. */
int config_add_cgroup(struct tune_config *c, const char *cgroup, char *err, size_t errlen);

/* Let the tuner touch a process by PID (--protect, -p). */
int config_add_pid(struct tune_config *c, int pid, char *err, size_t errlen);

/* A lever (lever.h) in the allowlist: all by default, else those `allow` names. */
bool config_lever_allows(const struct tune_config *c, const char *name);

/*
 * May a process's nice or affinity be changed? Named by PID, its comm
 * listed (process =), its cgroup (of the cpu controller) allowed, or with
 * culprits = users (the default) an ordinary user's (uid >= 1000). PID 1,
 * kernel threads and perfpilot itself are refused before this (change.c).
 */
bool config_process_allowed(const struct tune_config *c, int pid, const char *comm, int64_t uid,
			    const char *cgroup);

/* Is the cgroup named by a separate or together rule (its cpuset may change)? */
bool config_rule_cgroup(const struct tune_config *c, const char *cgroup);

/* Is the cgroup one of the prefixes or below one? */
bool config_cgroup_allowed(const struct tune_config *c, const char *cgroup);

/* A known tunable's settings, and whether it is allowed; NULL / false if unknown. */
const struct tunable_conf *config_tunable(const struct tune_config *c, const char *name);
bool config_allows(const struct tune_config *c, const char *name);
/* A tunable's cooldown; 0 for the CPU quota files while scaling is on (the
 * scaler keeps its own scale-out and scale-in cooldowns, scale.h). */
double config_cooldown(const struct tune_config *c, const char *name);
double config_verify_window(const struct tune_config *c, const char *name);

/*
 * Refuse bounds that exclude a tunable's current value (a max below it or a
 * min above it): CONFIG_INVALID with "FILE:LINE: ..." (or the default
 * named), else CONFIG_OK. The CLI calls it for each tunable it may touch.
 */
int config_check_current(const struct tune_config *c, const char *name, const char *current,
			 char *err, size_t errlen);

#endif
