// SPDX-License-Identifier: GPL-2.0
/* The table of tunables and the key field of their values (tunable.h). */
#include <stdio.h>
#include <string.h>
#include "tune/hostfs.h"
#include "tune/num.h"
#include "tune/tunable.h"

#define KiB 1024LL
#define MiB (1024 * KiB)
#define INT_MAX_ 2147483647LL

static const char *const tuner_names[TUNER_COUNT] = {
	[TUNER_ACCEPT_QUEUE] = "accept_queue",
	[TUNER_TCP_BUFFERS] = "tcp_buffers",
	[TUNER_CPU_QUOTA] = "cpu_quota",
	[TUNER_CPU_WEIGHT] = "cpu_weight",
	[TUNER_MEMORY_RECLAIM] = "memory_reclaim",
	[TUNER_DIRTY_PAGES] = "dirty_pages",
	[TUNER_MEMORY_HIGH] = "memory_high",
	[TUNER_PROTECT] = "protect",
	[TUNER_CPUSET_RULES] = "cpuset_rules",
};

const char *tuner_name(enum tuner_id id)
{
	return (unsigned)id < TUNER_COUNT ? tuner_names[id] : "?";
}

int tune_name_index(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return -1;
}

int tuner_find(const char *name)
{
	return tune_name_index(tuner_names, TUNER_COUNT, name);
}

#define X(m) {.factor = true, .mul = (m)}
#define PLUS(a) {.factor = false, .add = (a)}

/* docs/tuner.md lists the same numbers */
const struct tunable_info tunable_table[] = {
	{"net.core.somaxconn", TUNE_SYSCTL, TUNER_ACCEPT_QUEUE, +1, 1, 0, NULL,
	 1, 65535, 128, 65535, X(2), 1},
	{"net.ipv4.tcp_max_syn_backlog", TUNE_SYSCTL, TUNER_ACCEPT_QUEUE, +1, 1, 0, NULL,
	 1, INT_MAX_, 128, 65535, X(2), 1},
	{"net.ipv4.tcp_rmem", TUNE_SYSCTL, TUNER_TCP_BUFFERS, +1, 3, 2, NULL,
	 1, INT_MAX_, 128 * KiB, 64 * MiB, X(2), 1},
	{"net.ipv4.tcp_wmem", TUNE_SYSCTL, TUNER_TCP_BUFFERS, +1, 3, 2, NULL,
	 1, INT_MAX_, 128 * KiB, 64 * MiB, X(2), 1},
	{"vm.min_free_kbytes", TUNE_SYSCTL, TUNER_MEMORY_RECLAIM, +1, 1, 0, NULL,
	 0, INT_MAX_, 1024, 1024 * 1024, X(1.5), 1},
	{"vm.watermark_scale_factor", TUNE_SYSCTL, TUNER_MEMORY_RECLAIM, +1, 1, 0, NULL,
	 1, 3000, 10, 1000, X(2), 1},
	{"vm.dirty_background_ratio", TUNE_SYSCTL, TUNER_DIRTY_PAGES, -1, 1, 0, NULL,
	 0, 100, 1, 50, PLUS(5), 1},
	{"vm.dirty_ratio", TUNE_SYSCTL, TUNER_DIRTY_PAGES, -1, 1, 0, NULL,
	 0, 100, 5, 80, PLUS(5), 1},
	{"cpu.max", TUNE_CGROUP, TUNER_CPU_QUOTA, +1, 2, 0, "max",
	 1000, TUNE_UNLIMITED, 1000, TUNE_UNLIMITED, X(1.5), 1},
	{"cpu.cfs_quota_us", TUNE_CGROUP, TUNER_CPU_QUOTA, +1, 1, 0, "-1",
	 1000, TUNE_UNLIMITED, 1000, TUNE_UNLIMITED, X(1.5), 1},
	{"cpu.weight", TUNE_CGROUP, TUNER_CPU_WEIGHT, +1, 1, 0, NULL,
	 1, 10000, 25, 1000, X(2), 1},
	{"cpu.shares", TUNE_CGROUP, TUNER_CPU_WEIGHT, +1, 1, 0, NULL,
	 2, 262144, 256, 10240, X(2), 1},
	{"memory.high", TUNE_CGROUP, TUNER_MEMORY_HIGH, -1, 1, 0, "max",
	 0, TUNE_UNLIMITED, 64 * MiB, TUNE_UNLIMITED, X(2), 4096},
};
const size_t tunable_table_len = sizeof(tunable_table) / sizeof(tunable_table[0]);
_Static_assert(sizeof(tunable_table) / sizeof(tunable_table[0]) == TUNABLE_COUNT,
	       "TUNABLE_COUNT is the length of tunable_table");

const struct tunable_info *tunable_find(const char *name)
{
	size_t i;

	for (i = 0; i < tunable_table_len; i++)
		if (!strcmp(tunable_table[i].name, name))
			return &tunable_table[i];
	return NULL;
}

size_t tunable_index(const struct tunable_info *t)
{
	return (size_t)(t - tunable_table);
}

/* Is field i of v the unlimited word? */
static bool is_unlimited(const struct tunable_info *t, const struct hostfs_value *v, int i)
{
	char num[24];
	size_t n;

	if (!t->unlimited)
		return false;
	if (v->num[i]) {
		snprintf(num, sizeof(num), "%lld", (long long)v->f[i]);
		return !strcmp(num, t->unlimited);
	}
	/* a word only stands first (cpu.max "max 100000", memory.high "max") */
	n = strlen(t->unlimited);
	return i == 0 && !strncmp(v->str, t->unlimited, n) &&
	       (v->str[n] == 0 || v->str[n] == ' ' || v->str[n] == '\t');
}

/* v has the tunable's shape: its field count, numbers but the unlimited word */
static int parse_shaped(const struct tunable_info *t, const char *value, struct hostfs_value *v)
{
	int i;

	if (hostfs_parse_value(value, v) || v->ntok != t->nfields)
		return -1;
	for (i = 0; i < v->ntok; i++)
		if (!v->num[i] && !is_unlimited(t, v, i))
			return -1;
	return 0;
}

int tunable_key(const struct tunable_info *t, const char *value, int64_t *key)
{
	struct hostfs_value v;

	if (parse_shaped(t, value, &v))
		return -1;
	*key = is_unlimited(t, &v, t->key_field) ? TUNE_UNLIMITED : v.f[t->key_field];
	return 0;
}

int tunable_with_key(const struct tunable_info *t, const char *cur, int64_t key, char *out,
		     size_t len)
{
	struct hostfs_value v;
	size_t used = 0;
	int i, n;

	if (parse_shaped(t, cur, &v) || (key == TUNE_UNLIMITED && !t->unlimited))
		return -1;
	if (key != TUNE_UNLIMITED && t->align > 1)
		key -= key % t->align;
	for (i = 0; i < v.ntok; i++) {
		if (i == t->key_field && key == TUNE_UNLIMITED)
			n = snprintf(out + used, len - used, "%s%s", i ? " " : "", t->unlimited);
		else if (i == t->key_field || v.num[i])
			n = snprintf(out + used, len - used, "%s%lld", i ? " " : "",
				     (long long)(i == t->key_field ? key : v.f[i]));
		else
			n = snprintf(out + used, len - used, "%s%s", i ? " " : "", t->unlimited);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

const char *tunable_key_str(int64_t key, char *buf, size_t len)
{
	if (key == TUNE_UNLIMITED)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%lld", (long long)key);
	return buf;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool tune_target_equal(const struct tune_target *a, const struct tune_target *b)
{
	if (a->scope != b->scope || !str_eq(a->tunable, b->tunable))
		return false;
	if (a->scope == TUNE_PROCESS) /* a start of 0 is the PID's process now */
		return a->pid == b->pid && (!a->start || !b->start || a->start == b->start);
	return a->scope == TUNE_SYSCTL ? str_eq(a->netns, b->netns) : str_eq(a->cgroup, b->cgroup);
}

static const char *const scope_names[] = {
	[TUNE_SYSCTL] = "sysctl",
	[TUNE_CGROUP] = "cgroup",
	[TUNE_PROCESS] = "process",
};

const char *tune_scope_name(enum tune_scope s)
{
	return (unsigned)s <= TUNE_PROCESS ? scope_names[s] : "?";
}

int tune_scope_parse(const char *name)
{
	return tune_name_index(scope_names, TUNE_PROCESS + 1, name);
}
