/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `record` reads besides the BPF maps, each interval: host PSI, CPU
 * and memory, disk busy time, the cgroups' own files, TCP retransmits per
 * network namespace. Cumulative counters become interval increases here.
 */
#ifndef PP_RECORD_COLLECT_H
#define PP_RECORD_COLLECT_H

#include "collect/cgroup.h"
#include "collect/watch.h"
#include "collect/hostmetrics.h"
#include "record/write.h"

#define RC_MAX_DISKS 64
#define RC_MAX_CGROUPS 512
#define RC_MAX_QUOTAS 1024

struct psi_prev {
	bool ok[3];
	struct psi_totals t[3];     /* cpu, memory, io */
};

struct rc_cgroup {
	char path[PP_CGROUP_PATH_MAX];
	struct psi_prev psi;
};

/* A cgroup directory's own CPU quota, read once an interval (a parent
 * shared by many cgroups is read once): k as cap_parse_cpu_max returns,
 * -1 also when its files cannot be read. */
struct rc_quota {
	char path[PP_CGROUP_PATH_MAX];
	int k;
	double cores;
};

struct record_collect {
	char cg_mount[PATH_MAX];    /* where the reported cgroup paths live */
	bool cg_v1;                 /* v1: memory files under mem_mount, CPU
				     * quotas under cpu_mount */
	char mem_mount[PATH_MAX];
	char cpu_mount[PATH_MAX];   /* v1: the cpu controller's mount ("": none);
				     * v2: cg_mount */
	bool have_host;
	struct psi_prev host_psi;
	bool has_busy;
	uint64_t busy_ticks;
	struct disk_stat disks[RC_MAX_DISKS];
	size_t ndisks;
	struct rc_cgroup *cgs;
	size_t ncgs;
	struct rc_quota *quotas;    /* this interval's, RC_MAX_QUOTAS at most */
	size_t nquotas, capquotas;
	uint32_t dev[RC_MAX_DISKS];         /* block IO collector's devices */
	int64_t dev_peak[RC_MAX_DISKS];     /* their all-time in-flight peaks */
	size_t ndev;
	uint32_t ns[NETNS_MAX];
	long long ns_retrans[NETNS_MAX];
	size_t nns;
	/* this interval's results */
	struct host_values host;
	struct disk_busy busy[RC_MAX_DISKS];
	size_t nbusy;
	struct cg_values *cgv;
	size_t ncgv;
	struct netns_values nsv[NETNS_MAX];
	size_t nnsv;
};

/* Set up for a target (v1 -c: memory files from the v1 memory hierarchy);
 * takes the baselines. -1 on no memory. */
int record_collect_init(struct record_collect *rc, const struct watch_opts *o);

/* Interval increases of PSI totals (0 when a total went backwards). */
void psi_delta_of(const struct psi_prev *prev, const struct psi_prev *cur, struct psi_delta *out);

/* Read host files and diskstats into rc->host and rc->busy. */
void record_collect_host(struct record_collect *rc);

/* Read the cgroups' own files for the processes' cgroups (and those of the
 * -c targets, when not NULL) into rc->cgv: memory use and limit, PSI (v2),
 * and the CPU limit (record_collect_cpu_limit). */
void record_collect_cgroups(struct record_collect *rc, const struct proc_sample *s, size_t n,
			    const struct target *targets);

/*
 * The CPU limit of the cgroup at path (under rc->cpu_mount; v2 unless
 * rc->cg_v1), in cores: the smallest quota / period of the cgroup and its
 * parents (cpu.max; v1 cpu.cfs_quota_us and cpu.cfs_period_us), 0 when none
 * of them has a quota ("max", -1). -1 when the cgroup's own files cannot
 * be read (no cpu controller there): the limit is not known. Directories
 * are read once an interval (record_collect_cgroups starts it anew).
 */
int record_collect_cpu_limit(struct record_collect *rc, const char *path, double *cores);

/*
 * The collector keeps each disk's in-flight peak since it started; turn it
 * into the interval's: the peak when it grew in the interval (exact), else
 * the requests in flight at the end (a lower bound). In place.
 */
void record_collect_dev_peaks(struct record_collect *rc, struct dev_sample *d, size_t n);

/* RetransSegs increases of the namespaces in ns, through w's processes. */
void record_collect_netns(struct record_collect *rc, const struct watch *w,
			  const struct netns_sample *ns, size_t nns);

void record_collect_free(struct record_collect *rc);

#endif
