/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's config file (docs/daemon.md), INI-like as the tuner's
 * tune.conf:
 *
 *   # comment
 *   [daemon]
 *   interval = 5
 *   [retention]
 *   max_age = 7d
 *   [alert memory]
 *   finding = memory_growth
 *
 * Sections [daemon], [retention], [analysis], [http], [tune], [notify] and
 * [alert NAME] (the last two go to the alerts, alerts.h). Durations are
 * seconds or a number with s, m, h or d (30s, 5m, 1h, 7d); sizes bytes or
 * a number with K, M or G (binary: 512M = 512 MiB). Every mistake is one
 * line "FILE:LINE: what is wrong".
 */
#ifndef PP_DAEMON_CONFIG_H
#define PP_DAEMON_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "collect/collector.h"
#include "daemon/alerts.h"
#include "perfpilot.h"
#include "store/rollup.h"

#define DAEMON_CONFIG_DEFAULT "/etc/perfpilot/perfpilot.conf"
#define DAEMON_STATE_DIR_DEFAULT "/var/lib/perfpilot"
#define DAEMON_LISTEN_DEFAULT "127.0.0.1:9464"
#define DAEMON_TUNE_CONFIG_DEFAULT "/etc/perfpilot/tune.conf"
#define DAEMON_UNWIND_MB_DEFAULT 4 /* the unwind tables (profile: 16) */
#define DAEMON_MAX_CGROUPS PP_MAX_CGROUPS /* as the in-kernel filter holds */
#define DAEMON_CGROUP_MAX 512

struct daemon_config {
	char file[PATH_MAX];       /* the file read, "" for the built-in defaults */
	/* [daemon] */
	char cgroups[DAEMON_MAX_CGROUPS][DAEMON_CGROUP_MAX]; /* target = CGROUP...; none: all */
	size_t ncgroups;
	double interval_s;
	char state_dir[PATH_MAX];
	unsigned int profile_hz;   /* 0: no profile */
	bool profile_inlines;      /* name inlined functions (DWARF kept in memory) */
	unsigned int profile_unwind_mb; /* MiB for the unwind tables' rows */
	int log_level;             /* enum dlog_level */
	enum sched_source sched_source; /* default iterator: nothing per context switch */
	/* [retention] */
	double max_age_s;          /* 0: no limit */
	double max_size_bytes;     /* 0: no limit */
	struct rollup_policy rollup; /* ntiers 0: off */
	/* [analysis] */
	double every_s, window_s;
	/* [http] */
	char listen[128];
	char token_file[PATH_MAX]; /* "": no token */
	unsigned int top_processes;
	double pprof_max_s;        /* the longest profile a request may ask for */
	/* [tune] */
	bool tune_enabled, tune_apply;
	char tune_config[PATH_MAX];
	/* [notify] and [alert NAME] */
	struct alerts_config *alerts;
};

/* What the command line sets; it overrides the file (NULL, 0, -1: not set). */
struct daemon_overrides {
	const char *cgroups[DAEMON_MAX_CGROUPS];
	size_t ncgroups;
	bool all;                  /* -a */
	const char *listen, *state_dir;
	double interval_s;
	int log_level;
};

/* The built-in defaults (docs/daemon.md). -1 on no memory. */
int daemon_config_defaults(struct daemon_config *c);

/* Parse the text of f (named name in messages) on top of c; checks the
 * whole. 0, or -1 with "NAME:LINE: what is wrong" in err. */
int daemon_config_parse(struct daemon_config *c, FILE *f, const char *name, char *err,
			size_t errlen);

enum daemon_config_rc {
	DCONFIG_OK = 0,
	DCONFIG_DEFAULTS = 1,      /* no path given and the default file is missing */
	DCONFIG_BAD = -1,          /* unreadable or invalid: one line in err */
};

/*
 * Defaults, then the file (path, or DAEMON_CONFIG_DEFAULT when NULL: then a
 * missing file gives the defaults), then the overrides (may be NULL). On
 * DCONFIG_BAD c is left empty (nothing to free).
 */
int daemon_config_load(struct daemon_config *c, const char *path,
		       const struct daemon_overrides *ov, char *err, size_t errlen);

/*
 * SIGHUP: load the file again (the one `cur` was read from, or the
 * default path) with the same overrides into `next`. 0, or -1 with one line
 * in err; then `next` is left empty and `cur` stays in force.
 */
int daemon_config_reload(const struct daemon_config *cur, struct daemon_config *next,
			 const char *path, const struct daemon_overrides *ov, char *err,
			 size_t errlen);

void daemon_config_free(struct daemon_config *c);

/* "30", "1.5", "30s", "5m", "1h", "7d" -> seconds (>= 0). -1 when not. */
int daemon_parse_duration(const char *s, double *out);

/* "1048576", "512K", "512M", "2G" -> bytes (binary units). -1 when not. */
int daemon_parse_size(const char *s, double *out);

#endif
