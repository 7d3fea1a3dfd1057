/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the findings analysers (cpu.c, memory.c, io.c, ...). */
#ifndef PP_FINDINGS_INTERNAL_H
#define PP_FINDINGS_INTERNAL_H

#include <stdarg.h>
#include "findings/findings.h"
#include "findings/series.h"

/* Each analyser adds its findings to fs; -1 on no memory. */
int analyze_cpu(const struct recording *r, const struct findings_env *env, struct findings *fs);
int analyze_memory(const struct recording *r, const struct findings_env *env, struct findings *fs);
int analyze_runq(const struct recording *r, const struct findings_env *env, struct findings *fs);
int analyze_hostmem(const struct recording *r, const struct findings_env *env, struct findings *fs);
int analyze_io(const struct recording *r, const struct findings_env *env, struct findings *fs);
int analyze_net(const struct recording *r, const struct findings_env *env, struct findings *fs);
int analyze_pressure(const struct recording *r, const struct findings_env *env, struct findings *fs);
int analyze_changes(const struct recording *r, const struct findings_env *env, struct findings *fs);
int analyze_churn(const struct recording *r, const struct findings_env *env, struct findings *fs);


/* Seconds a series covers: n intervals. */
double fnd_span(const struct recording *r, const struct series *s);




/* Did the recording watch the whole host (-a)? */
bool fnd_whole_host(const struct recording *r);

/* Append a zeroed finding; NULL on no memory. */
struct finding *fnd_add(struct findings *fs, const char *kind, enum severity sev,
			enum resource res);

void fnd_summary(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Evidence: the samples of s with t0 <= t <= t1 (window start: t0 less one
 * interval, so that the window covers the first interval). -1 on no memory. */
int fnd_evidence(struct finding *f, const struct recording *r, const struct series *s,
		 double t0, double t1);

/* Add a victim or culprit from a series' entity. Ignored when full. */
void fnd_victim(struct finding *f, const struct series *s, const char *metric, double value,
		const char *unit, double share);
void fnd_culprit(struct finding *f, const struct series *s, const char *metric, double value,
		 const char *unit, double share);

/* Recommendations (ignored when full). */
void fnd_rec_manual(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fnd_rec_sysctl(struct finding *f, const char *key, long from, long to, const char *why);
void fnd_rec_cgroup(struct finding *f, const char *path, const char *file, const char *value,
		    const char *why);
void fnd_rec_renice(struct finding *f, uint32_t pid, int nice, const char *why);



/* One process's totals, used to rank parties. */
struct proc_total {
	const struct series *s; /* a series of the process, for its names */
	double a, b;            /* two totals, as the analyser wants */
};

/* Sort proc_total by a, largest first. */
void fnd_proc_total_sort(struct proc_total *p, size_t n);

/* Scores one process's series for fnd_top_procs: false leaves it out, else
 * *value ranks it (largest first) and *share goes with it (NAN for none). */
typedef bool (*fnd_score_fn)(const struct recording *r, const struct series *s,
			     const void *ctx, double *value, double *share);

enum fnd_role { FND_CULPRIT, FND_VICTIM };

/* Add to f, as culprits or victims, the top processes by their series of
 * metric: each scored by score (with ctx), at most top of them, the
 * largest value first. Nothing is added on no memory. */
void fnd_top_procs(const struct recording *r, struct finding *f, enum fnd_role role,
		   const char *metric, const char *unit, size_t top, fnd_score_fn score,
		   const void *ctx);

#endif
