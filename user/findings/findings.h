/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Findings: what a recording says is wrong, who suffers, who causes it,
 * where it is heading and what to change. Pure: a recording in, a list of
 * findings out (docs/findings.md lists every kind and its thresholds).
 */
#ifndef PP_FINDINGS_H
#define PP_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "analysis/forecast.h"
#include "store/recording.h"

enum severity { SEV_INFO = 0, SEV_WARNING, SEV_CRITICAL };
enum resource { RES_CPU = 0, RES_MEMORY, RES_IO, RES_NETWORK };

#define FND_MAX_PARTIES 8
#define FND_MAX_RECS 4

/* A victim (who waits) or a culprit (who consumes): a process or a cgroup,
 * with the metric that makes it one, totalled over the finding's window. */
struct party {
	char kind;           /* ENT_PROC or ENT_CGROUP */
	uint32_t pid;
	double start;        /* a process's start (unix seconds; 0: unknown) */
	char comm[16];
	char cgroup[256];
	char metric[48];
	double value;        /* the metric's total (or rate, see unit) */
	char unit[16];       /* "ns", "bytes", "bytes/s", "share", ... */
	double share;        /* a derived ratio worth showing (wait share, ...), or NAN */
};

/* The series a finding rests on, restricted to its window (owned copy). */
struct evidence {
	char metric[48];
	char kind;           /* enum ent_kind */
	char entity[256];    /* a process: its pid (series.entity has its start too) */
	double start, end;   /* the window, unix seconds */
	size_t n;
	double *t, *v;
};

/*
 * A next step. action is "manual" (text only), "sysctl" (key, from, to),
 * "cgroup" (path, file, value) or "renice" (pid, value).
 */
struct recommendation {
	char action[16];
	char text[256];
	char key[128];       /* sysctl key */
	char path[256];      /* cgroup path */
	char file[32];       /* cgroup file */
	char from[32];       /* sysctl: current value, "" when unknown */
	char to[32];         /* sysctl: new value; cgroup/renice: the value */
	uint32_t pid;        /* renice */
};

struct finding {
	char kind[32];
	enum severity severity;
	enum resource resource;
	char summary[320];
	struct evidence ev;
	struct party victims[FND_MAX_PARTIES];
	size_t nvictims;
	struct party culprits[FND_MAX_PARTIES];
	size_t nculprits;
	bool has_forecast;
	struct forecast fc;  /* eta in seconds */
	double fc_limit;     /* the limit forecast against */
	char fc_limit_name[48]; /* "host RAM", "cgroup memory.max", ... */
	struct recommendation recs[FND_MAX_RECS];
	size_t nrecs;
};

struct findings {
	struct finding *f;
	size_t n, cap;
};

/*
 * What the analysis may know of the host beyond the recording (the current
 * sysctls, read by the caller when the recording was made on this host);
 * -1 = unknown.
 */
struct findings_env {
	long somaxconn;
	long tcp_max_syn_backlog;
};

/* Analyse r into out (sorted by severity, most severe first). env may be
 * NULL. Returns 0, or -1 on no memory. */
int findings_analyze(const struct recording *r, const struct findings_env *env,
		     struct findings *out);

void findings_free(struct findings *fs);

/* The metrics of groups of short-lived processes (kind 'g') that the
 * findings read, NULL-terminated: a reader that loads only these for
 * groups (store_load_opts.group_metrics) gets the same findings. */
extern const char *const findings_group_metrics[];

const char *severity_name(enum severity s);
const char *resource_name(enum resource r);

#endif
