// SPDX-License-Identifier: GPL-2.0
/*
 * Which tuners exist: one constructor each (tuner_<name> in
 * user/tune/<name>.c), run when the config turns the tuner on. A tuner
 * without callbacks is left out. init returns
 * 0 to run, > 0 when it has nothing to do for this target (left out
 * silently: the CPU quota tuner without a cgroup), -1 with a reason.
 * A set picks the tuners of sysctls or those of cgroup files (the
 * daemon runs the latter once per target cgroup).
 */
#include <stdio.h>
#include <string.h>
#include "tune/cycle.h"

static void (*const ctors[TUNER_COUNT])(struct tuner *) = {
	[TUNER_ACCEPT_QUEUE] = tuner_accept_queue,
	[TUNER_TCP_BUFFERS] = tuner_tcp_buffers,
	[TUNER_CPU_QUOTA] = tuner_cpu_quota,
	[TUNER_CPU_WEIGHT] = tuner_cpu_weight,
	[TUNER_MEMORY_RECLAIM] = tuner_memory_reclaim,
	[TUNER_DIRTY_PAGES] = tuner_dirty_pages,
	[TUNER_MEMORY_HIGH] = tuner_memory_high,
	[TUNER_PROTECT] = tuner_protect,
	[TUNER_CPUSET_RULES] = tuner_cpuset_rules,
};

bool tuner_of_cgroup(enum tuner_id id)
{
	size_t i;

	for (i = 0; i < tunable_table_len; i++)
		if (tunable_table[i].tuner == id && tunable_table[i].scope == TUNE_CGROUP)
			return true;
	return false;
}

size_t tuners_make(const struct tune_ctx *ctx, enum tuner_set set, struct tuner *out,
		   FILE *warn)
{
	char err[512];
	size_t n = 0;
	int id, rc;

	for (id = 0; id < TUNER_COUNT; id++) {
		struct tuner t;

		if (!ctx->cfg->tuner_on[id] || !ctors[id])
			continue;
		if (set != TUNERS_ALL && tuner_of_cgroup((enum tuner_id)id) != (set == TUNERS_CGROUP))
			continue;
		memset(&t, 0, sizeof(t));
		ctors[id](&t);
		t.id = (enum tuner_id)id;
		if (!t.observe && !t.propose)
			continue;
		err[0] = 0;
		rc = t.init ? t.init(&t, ctx, err, sizeof(err)) : 0;
		if (rc < 0 && warn)
			fprintf(warn, "perfpilot: tune: %s is off: %s\n", tuner_name(t.id),
				err[0] ? err : "it could not start");
		if (rc)
			continue;
		out[n++] = t;
	}
	return n;
}

void tuners_free(struct tuner *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].fini)
			t[i].fini(&t[i]);
}
