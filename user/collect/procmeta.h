/* SPDX-License-Identifier: GPL-2.0 */
/* Names of processes (comm, cgroup path), looked up once and cached by pid. */
#ifndef PP_PROCMETA_H
#define PP_PROCMETA_H

#include "collect/cgroup.h"
#include "collect/proc_sample.h"

struct procmeta;

/* Live processes cached at most (a bound; beyond it /proc is read each time). */
#define PROCMETA_MAX 65536

/* What the cache holds and has dropped (it forgets a process when it exits). */
struct procmeta_stats {
	unsigned long long inserted, evicted, refused;
	size_t live, slots;
};

struct procmeta *procmeta_new(const struct cg_view *view);
void procmeta_free(struct procmeta *m);

/*
 * Fill s->comm and s->cgroup. Live processes are read from /proc the first
 * time they are seen; for processes already gone the kernel's comm is kept
 * and the cgroup comes from its id. `cgroup_id` is the BPF-recorded id.
 */
void procmeta_fill(struct procmeta *m, struct proc_sample *s, uint64_t cgroup_id);

/* Drop a pid (its process exited and was reported). */
void procmeta_forget(struct procmeta *m, uint32_t pid);

void procmeta_get_stats(const struct procmeta *m, struct procmeta_stats *out);

/* A process's start in unix ms from the boot time (unix ms), USER_HZ and its
 * start since boot in ns, in whole ticks as /proc/PID/stat gives it; 0 when
 * any is unknown. */
int64_t procmeta_start_ms(long long btime_ms, long hz, uint64_t start_boot_ns);

/* ppid (field 4) and starttime (field 22, ticks since boot) of the text of
 * /proc/PID/stat; -1 when malformed. */
int procmeta_parse_stat(const char *buf, uint32_t *ppid, unsigned long long *starttime);

#endif
