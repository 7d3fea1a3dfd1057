/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Changing the host: apply one value, roll one back, revert everything,
 * each through hostfs (the only writer) and the journal (written before the
 * host is touched and after, durably).
 *
 * change_apply: the tuner that asks must be on in the config (every kind
 * of change: a sysctl, a cgroup file, a process's nice or affinity, a
 * cpuset; a request without a tuner counts as the tunable's own, a lever
 * needs one), the target allowed (allowlist, cgroup prefixes), open (step_gate: not frozen, verifying or cooling down), the
 * new value of the tunable's shape with only its key field changed and the
 * key within the configured bounds. Then: read the current value, journal
 * the entry as pending, write, read back, mark applied. A refused write, or
 * one that does not read back, puts the old value back and marks the entry
 * failed.
 *
 * Restoring (change_rollback, revert_all) writes a value back only while
 * the host still holds what perfpilot wrote: an entry whose value was
 * changed since, whose cgroup or network namespace is gone (or replaced by
 * a new one of the same name) is marked admin_changed and left alone, with
 * the reason in its result. A pending entry (a crash between journal and
 * write) is restored when the host holds its new or its old value. An
 * applied entry whose host value is already the old one is only marked.
 */
#ifndef PP_TUNE_CHANGE_H
#define PP_TUNE_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tune/config.h"
#include "tune/hostfs.h"
#include "tune/journal.h"
#include "tune/tunable.h"

struct change_request {
	struct tune_target target;
	const char *value;     /* the whole new value (tunable_with_key) */
	const char *reason;    /* one sentence for the journal */
	const char *finding;   /* the finding kind, or NULL */
	const char *tuner;     /* the tuner that asks (it must be on); NULL: the
				* tunable's own (a lever is refused) */
	const char *metric;    /* the metric the change should improve, or NULL */
	double metric_before;  /* its value before, NAN if none */
	double now;            /* unix seconds; 0: the clock */
};

enum change_rc {
	CHANGE_OK = 0,
	CHANGE_ERROR = -1,   /* could not read the host or save the journal */
	CHANGE_REFUSED = -2, /* policy said no: nothing journaled, nothing written */
	CHANGE_FAILED = -3,  /* journaled, the write failed: old value kept, entry failed */
};

/*
 * The levers of lever.h (a process's nice or affinity, a cgroup's
 * cpuset.cpus or cpuset.mems) go through the same steps with their own
 * policy: the lever allowed, the cgroup allowed or the process in scope
 * (config_process_allowed; never PID 1, a kernel thread or perfpilot; a
 * target.start that is not the PID's start time now is refused), the
 * target open, the value valid (lever_value: never an empty list) and
 * new. A process or cgroup (of a lever or a tunable) that is gone is
 * CHANGE_REFUSED, not an error of the run.
 * A process entry keeps the PID and its start time: a restore never
 * touches a PID that belongs to another process since.
 */

/* Apply one change; its journal id in *id (when journaled). Reason in err. */
int change_apply(const struct hostfs *h, struct journal *j, const struct tune_config *cfg,
		 const struct change_request *rq, int64_t *id, char *err, size_t errlen);

/* What happened to one entry when restoring. */
struct change_result {
	int64_t id;
	bool restored;                /* the old value was written back (or was there) */
	enum journal_state state;     /* the entry's state now */
	char found[HOSTFS_VALUE_MAX]; /* the host's value before, "" if unread */
	char reason[256];             /* skipped: why; restored: "" or a remark */
};

struct change_report {
	struct change_result *r;
	size_t n, cap;
};

void change_report_free(struct change_report *rep);

/* The value a target holds on the host now (sysctl, cgroup file, process value). */
int change_target_read(const struct hostfs *h, const struct tune_target *t,
		       struct hostfs_value *v, char *err, size_t errlen);

/*
 * Roll back an applied or kept change that did not help (state
 * rolled_back). CHANGE_REFUSED when the entry is not open, or a newer open
 * change of the same target must go first; else CHANGE_OK with *res saying
 * whether it was restored or skipped, CHANGE_ERROR on a journal failure.
 */
int change_rollback(const struct hostfs *h, struct journal *j, int64_t id,
		    struct change_result *res, char *err, size_t errlen);

/*
 * Restore every open entry (pending, applied, kept), newest first, marking
 * them reverted; one result each in rep (appended). -1 when the journal
 * cannot be saved (it stops there: the results so far are in rep).
 */
int revert_all(const struct hostfs *h, struct journal *j, struct change_report *rep, char *err,
	       size_t errlen);

#endif
