/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tuner may change: the fixed table of tunables (sysctls and cgroup
 * files) with the tuner that moves each, the range the kernel accepts, the
 * default bounds and step, and which field of a multi-field value the
 * bounds apply to ("the key"). Also the tuners' names and what identifies
 * one changed value on the host (struct tune_target).
 */
#ifndef PP_TUNE_TUNABLE_H
#define PP_TUNE_TUNABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tune_scope { TUNE_SYSCTL, TUNE_CGROUP, TUNE_PROCESS };

/*
 * One value on the host: a sysctl (in a network namespace), a cgroup file,
 * or a process's nice value or CPU affinity (lever.h).
 */
struct tune_target {
	enum tune_scope scope;
	const char *netns;   /* sysctl: a name or a path; NULL = perfpilot's own */
	const char *cgroup;  /* cgroup: its directory, e.g. /sys/fs/cgroup/app */
	const char *tunable; /* sysctl name (net.core.somaxconn), file (cpu.max), nice, affinity */
	int pid;             /* process: its PID, */
	uint64_t start;      /* and its start time (0: the one running now) */
};

/* "sysctl", "cgroup", "process"; tune_scope_parse returns the scope or -1. */
const char *tune_scope_name(enum tune_scope s);
int tune_scope_parse(const char *name);

enum tuner_id {
	TUNER_ACCEPT_QUEUE,
	TUNER_TCP_BUFFERS,
	TUNER_CPU_QUOTA,
	TUNER_CPU_WEIGHT,
	TUNER_MEMORY_RECLAIM,
	TUNER_DIRTY_PAGES,
	TUNER_MEMORY_HIGH,
	TUNER_PROTECT,          /* tune --protect (protect.c) */
	TUNER_CPUSET_RULES,     /* separate/together (cpuset_rules.c) */
	TUNER_COUNT
};

/* The index of name in names[0..n), or -1 (tuners, journal states). */
int tune_name_index(const char *const *names, int n, const char *name);

/* "accept_queue", ...; tuner_find returns the id or -1. */
const char *tuner_name(enum tuner_id id);
int tuner_find(const char *name);

/* How far one change moves a value: times/divided by mul, or plus/minus add. */
struct tune_step {
	bool factor;
	double mul;  /* factor: > 1 */
	int64_t add; /* absolute: > 0 */
};

/* The key value that means "no limit" ("max" in cpu.max, -1 in cfs_quota_us). */
#define TUNE_UNLIMITED INT64_MAX

struct tunable_info {
	const char *name;
	enum tune_scope scope;
	enum tuner_id tuner;
	int dir;               /* +1: its tuner raises it, -1: lowers it */
	int nfields;           /* whitespace-separated fields of its value */
	int key_field;         /* the field bounds and steps apply to */
	const char *unlimited; /* how "no limit" is written in the key field, or NULL */
	int64_t hard_min, hard_max; /* what the kernel accepts in the key field */
	int64_t min, max;      /* default bounds */
	struct tune_step step; /* default step */
	int64_t align;         /* written keys are multiples of this (1: any) */
};

/* The table, in a fixed order; tunable_find by name, NULL if unknown. */
#define TUNABLE_COUNT 13
extern const struct tunable_info tunable_table[];
extern const size_t tunable_table_len;
const struct tunable_info *tunable_find(const char *name);
size_t tunable_index(const struct tunable_info *t);

/*
 * The key of a value as read or to be written: its key field as a number,
 * the unlimited word as TUNE_UNLIMITED. -1 when the value does not have the
 * tunable's shape (field count, numbers).
 */
int tunable_key(const struct tunable_info *t, const char *value, int64_t *key);

/*
 * `cur` with its key field set to `key` (rounded down to align; TUNE_UNLIMITED
 * written as the unlimited word), the other fields kept: the value to write.
 * -1 when cur does not have the tunable's shape or the result does not fit.
 */
int tunable_with_key(const struct tunable_info *t, const char *cur, int64_t key, char *out,
		     size_t len);

/* A key for messages: "4096", or "unlimited". */
const char *tunable_key_str(int64_t key, char *buf, size_t len);

/* Same value and container (netns or cgroup) and tunable. */
bool tune_target_equal(const struct tune_target *a, const struct tune_target *b);

#endif
