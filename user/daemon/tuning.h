/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tuner inside the daemon ([tune] enabled = true): the cycle of
 * `perfpilot tune` (tune/cycle.h), one tick per analysis, through the same
 * journal in the state directory. Without target cgroups it runs on the
 * host as `perfpilot tune` does; with them (-c A -c B, target = A B) the
 * host's cycle keeps the sysctl tuners and each target cgroup gets a cycle
 * of its own with the cgroup tuners (cpu_quota, cpu_weight, memory_high),
 * the cgroup in the allowlist as `perfpilot tune -c` puts it. Advice only
 * unless [tune] apply = true: each new proposal is logged once and counted
 * (perfpilot_tuner_changes_total{outcome="proposed"}); with apply, changes
 * are made, verified and kept or rolled back as by `perfpilot tune
 * --apply`, and counted as applied, kept or reverted.
 */
#ifndef PP_DAEMON_TUNING_H
#define PP_DAEMON_TUNING_H

#include <stddef.h>
#include "daemon/config.h"
#include "daemon/metrics.h"

struct tuning;

enum tuning_rc {
	TUNING_OK = 0,
	TUNING_CONFIG = -1,   /* the tuner's config is wrong: err */
	TUNING_BUSY = -2,     /* the journal cannot be taken (another tuner): err */
};

/* Where: the target cgroups in force (a new target takes effect when the
 * daemon restarts), the host's root. A target cgroup that is not there is
 * left out with a warning. */
struct tuning_where {
	const char *root;           /* a fixture tree (tests), NULL: the host */
	const char (*cgroups)[DAEMON_CGROUP_MAX];
	size_t ncgroups;
};

/* Set up from the daemon's config (c->tune_enabled must be true). */
int tuning_start(struct tuning **out, const struct daemon_config *c,
		 const struct tuning_where *w, struct metrics *m, char *err, size_t errlen);

/* Log what runs: the tuners on, advice or apply, the journal. */
void tuning_say(const struct tuning *t);

/* The tuners on and where: "memory_reclaim on the host; cpu_quota,
 * memory_high on /sys/fs/cgroup/a; ..." in buf. */
const char *tuning_describe(const struct tuning *t, char *buf, size_t len);

/* One tick of the cycle at `now` (unix seconds). After an error of the
 * journal or the host the tuner stops (said once). */
void tuning_tick(struct tuning *t, double now);

/* The end: with apply, the changes stay (or are restored when the tuner's
 * config says revert_on_exit), as at the end of `perfpilot tune`. */
void tuning_stop(struct tuning *t);

#endif
