/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostfs for processes: who a process is (its PID with its start time, so
 * that a PID the kernel gave to a new process is never taken for the old
 * one), and the two values of a process the tuner changes, for all its
 * threads: its nice value and its CPU affinity.
 *
 * A value is read from every thread of the process (/proc/PID/task): "5"
 * or "0-1" when they all agree, "mixed: ..." when they do not (a value
 * perfpilot never writes, so a restore sees it as changed by someone
 * else). A write sets every thread, then reads them all again, and goes
 * over the threads again while one was started with the old value (a new
 * thread inherits its creator's nice and affinity), at most a few times.
 *
 * On the real host through getpriority/setpriority and
 * sched_getaffinity/sched_setaffinity per thread. In a fixture tree
 * (hostfs root not empty) each thread's values are the text files
 * ROOT/proc/PID/task/TID/nice and ROOT/proc/PID/task/TID/affinity (a CPU
 * list), and ROOT/proc/PID/stat and status are read as on the host.
 *
 * Errors: -1 with one line in err; errno ENOENT when the process is gone.
 */
#ifndef PP_TUNE_HOSTPROC_H
#define PP_TUNE_HOSTPROC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tune/hostfs.h"

struct hostproc {
	int pid;
	uint64_t start;  /* clock ticks after boot (stat field 22): with the PID, the process */
	bool kthread;    /* a kernel thread (PF_KTHREAD in stat's flags) */
	int64_t uid;     /* real uid (status Uid:), -1 when unknown */
	int ppid;
	char comm[32];
};

/*
 * The text of /proc/PID/stat into p's comm (between the first '(' and the
 * last ')': a comm may hold both), ppid, kthread and start. 0, or -1 with
 * what is missing in *what. The other fields of p are left as they are.
 */
int hostproc_parse_stat(const char *text, struct hostproc *p, const char **what);

/* The real uid of /proc/PID/status text (its Uid: line), -1 when none. */
int64_t hostproc_parse_uid(const char *status);

/* What /proc/PID/stat and status say of a process; -1 (errno ENOENT) when it is gone. */
int hostproc_get(const struct hostfs *h, int pid, struct hostproc *p, char *err, size_t errlen);

/* The process is still the one it was: 0 yes, 1 gone or its PID reused, -1 cannot tell. */
int hostproc_same(const struct hostfs *h, int pid, uint64_t start, char *err, size_t errlen);

/*
 * The directory of the process's cgroup of a v1 controller ("cpu",
 * "cpuset") as hostfs names cgroups (/sys/fs/cgroup/cpu/app), or of its v2
 * cgroup when that controller is not on v1 (/sys/fs/cgroup/app, or below
 * /sys/fs/cgroup/unified on a hybrid host).
 */
int hostproc_cgroup(const struct hostfs *h, int pid, const char *controller, char *out,
		    size_t len, char *err, size_t errlen);

/* "nice" or "affinity": the process's value (all threads), or set it on all of them. */
int hostproc_read(const struct hostfs *h, int pid, const char *what, struct hostfs_value *v,
		  char *err, size_t errlen);
int hostproc_write(const struct hostfs *h, int pid, const char *what, const char *value,
		   char *err, size_t errlen);

/* The PIDs of /proc (ROOT/proc), ascending; how many in out (at most max). */
size_t hostproc_list(const struct hostfs *h, int *out, size_t max);

#endif
