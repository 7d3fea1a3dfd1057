// SPDX-License-Identifier: GPL-2.0
/* Apply, roll back and revert on fixture trees: the files on disk tell. */
#define _GNU_SOURCE
#include <math.h>
#include "tunefs.h"
#include "tune/change.h"

struct fx {
	char root[PATH_MAX];
	char state[PATH_MAX + 8];
	struct hostfs h;
	struct journal j;
	struct tune_config c;
	char err[512];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	tfs_mkroot(fx->root, sizeof(fx->root), "change");
	tfs_host(fx->root);
	tfs_put(fx->root, "var/run/netns/web/proc/sys/net/core/somaxconn", "4096\n");
	snprintf(fx->state, sizeof(fx->state), "%s/state", fx->root);
	assert_int_equal(hostfs_init(&fx->h, fx->root), 0);
	assert_int_equal(journal_load(&fx->j, fx->state, JOURNAL_LOCK, fx->err, sizeof(fx->err)),
			 0);
	config_defaults(&fx->c);
	fx->c.cooldown_s = 0;
	assert_int_equal(config_add_cgroup(&fx->c, "/sys/fs/cgroup", fx->err, sizeof(fx->err)), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	journal_free(&fx->j);
	config_free(&fx->c);
	tfs_rmroot(fx->root);
	free(fx);
	return 0;
}

static const char *file(struct fx *fx, const char *rel)
{
	const char *s = tfs_get(fx->root, rel);

	if (!s)
		fail_msg("%s is missing", rel);
	return s;
}

static int sysctl(struct fx *fx, const char *netns, const char *name, const char *value,
		  double now)
{
	struct change_request rq = {
		.target = {TUNE_SYSCTL, netns, NULL, name, 0, 0}, .value = value,
		.reason = "test", .finding = "listen_overflow", .tuner = NULL,
		.metric = "net.listen_overflows", .metric_before = 12, .now = now,
	};

	return change_apply(&fx->h, &fx->j, &fx->c, &rq, NULL, fx->err, sizeof(fx->err));
}

static int cgroup(struct fx *fx, const char *cg, const char *name, const char *value,
		  const char *tuner)
{
	struct change_request rq = {
		.target = {TUNE_CGROUP, NULL, cg, name, 0, 0}, .value = value,
		.reason = "test", .tuner = tuner, .metric_before = NAN,
	};

	return change_apply(&fx->h, &fx->j, &fx->c, &rq, NULL, fx->err, sizeof(fx->err));
}

#define APPLY_OK(call) do {                                                            \
		if ((call) != CHANGE_OK)                                               \
			fail_msg("%s: %s", #call, fx->err);                            \
	} while (0)

/* The journal file on disk, read again from scratch. */
static struct journal *reread(struct fx *fx)
{
	static struct journal j;

	journal_free(&j);
	if (journal_load(&j, fx->state, 0, fx->err, sizeof(fx->err)))
		fail_msg("%s", fx->err);
	return &j;
}

/* One change of each kind, the file it writes and what that held before. */
static const struct kind {
	const char *netns, *cgroup, *tunable, *value, *tuner, *file, *original;
} kinds[] = {
	{NULL, NULL, "net.core.somaxconn", "8192", NULL, "proc/sys/net/core/somaxconn", "4096\n"},
	{NULL, NULL, "net.ipv4.tcp_rmem", "4096 131072 12582912", NULL,
	 "proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n"},
	{NULL, "/sys/fs/cgroup/app", "cpu.max", "150000 100000", "cpu_quota",
	 "sys/fs/cgroup/app/cpu.max", "max 100000\n"},
	{NULL, "/sys/fs/cgroup/cpu/app", "cpu.cfs_quota_us", "200000", "cpu_quota",
	 "sys/fs/cgroup/cpu/app/cpu.cfs_quota_us", "-1\n"},
	{NULL, "/sys/fs/cgroup/app", "memory.high", "1073741824", "memory_high",
	 "sys/fs/cgroup/app/memory.high", "max\n"},
	{"web", NULL, "net.core.somaxconn", "16384", NULL,
	 "var/run/netns/web/proc/sys/net/core/somaxconn", "4096\n"},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static void test_apply_revert_restores_exactly(void **state)
{
	struct fx *fx = *state;
	struct change_report rep = {0};
	struct journal *d;
	char want[128];
	size_t i;

	fx->c.tuner_on[TUNER_MEMORY_HIGH] = true;
	for (i = 0; i < NKINDS; i++) {
		if (kinds[i].cgroup)
			APPLY_OK(cgroup(fx, kinds[i].cgroup, kinds[i].tunable, kinds[i].value,
					kinds[i].tuner));
		else
			APPLY_OK(sysctl(fx, kinds[i].netns, kinds[i].tunable, kinds[i].value, 0));
		snprintf(want, sizeof(want), "%s\n", kinds[i].value);
		assert_string_equal(file(fx, kinds[i].file), want);
	}
	d = reread(fx);
	assert_int_equal(d->n, NKINDS);
	for (i = 0; i < d->n; i++)
		assert_int_equal(d->e[i].state, JS_APPLIED);
	assert_string_equal(d->e[1].old, "4096\t131072\t6291456");
	assert_string_equal(d->e[5].netns, "web");
	assert_dbl_eq(d->e[0].before, 12);
	assert_string_equal(d->e[0].metric, "net.listen_overflows");
	assert_string_equal(d->e[2].tuner, "cpu_quota");

	assert_int_equal(revert_all(&fx->h, &fx->j, &rep, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(rep.n, NKINDS);
	for (i = 0; i < rep.n; i++) {
		assert_int_equal(rep.r[i].id, NKINDS - i); /* newest first */
		assert_true(rep.r[i].restored);
		assert_int_equal(rep.r[i].state, JS_REVERTED);
		assert_string_equal(rep.r[i].reason, "");
		assert_string_equal(rep.r[i].found, kinds[NKINDS - 1 - i].value);
	}
	/* byte for byte what was there, tabs included */
	for (i = 0; i < NKINDS; i++)
		assert_string_equal(file(fx, kinds[i].file), kinds[i].original);
	d = reread(fx);
	for (i = 0; i < d->n; i++)
		assert_int_equal(d->e[i].state, JS_REVERTED);
	assert_int_equal(journal_open_count(d), 0);
	change_report_free(&rep);
	/* a second revert has nothing to do */
	assert_int_equal(revert_all(&fx->h, &fx->j, &rep, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(rep.n, 0);
	change_report_free(&rep);
	journal_free(reread(fx));
}

/* ---- the order: journal, write, journal ---- */

struct order_probe {
	struct fx *fx;
	int writes;
	char seen_state[4][32];  /* the entry's state on disk at each write */
	char seen_value[4][64];  /* the host file at each write */
};

static int order_hook(void *arg, const char *path, const char *value)
{
	struct order_probe *p = arg;
	struct journal j;
	char err[256];
	FILE *f;

	(void)value;
	assert_true(p->writes < 4);
	assert_int_equal(journal_load(&j, p->fx->state, 0, err, sizeof(err)), 0);
	assert_int_equal(j.n, 1);
	snprintf(p->seen_state[p->writes], 32, "%s", journal_state_name(j.e[0].state));
	assert_string_equal(j.e[0].new, "8192");
	journal_free(&j);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(p->seen_value[p->writes], 64, f));
	fclose(f);
	p->writes++;
	return 0;
}

static void test_journal_first(void **state)
{
	struct fx *fx = *state;
	struct order_probe p = {.fx = fx};
	struct change_report rep = {0};

	fx->h.write_hook = order_hook;
	fx->h.hook_arg = &p;
	APPLY_OK(sysctl(fx, NULL, "net.core.somaxconn", "8192", 0));
	assert_int_equal(p.writes, 1);
	/* when the value was written, the entry was on disk, pending, the host unchanged */
	assert_string_equal(p.seen_state[0], "pending");
	assert_string_equal(p.seen_value[0], "4096\n");
	assert_int_equal(reread(fx)->e[0].state, JS_APPLIED);
	/* reverting: written while the entry still says applied, then marked */
	assert_int_equal(revert_all(&fx->h, &fx->j, &rep, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(p.writes, 2);
	assert_string_equal(p.seen_state[1], "applied");
	assert_string_equal(p.seen_value[1], "8192\n");
	assert_int_equal(reread(fx)->e[0].state, JS_REVERTED);
	change_report_free(&rep);
	journal_free(reread(fx));
}

/* a journal that cannot be written: the host is not touched */
static void test_no_journal_no_change(void **state)
{
	struct fx *fx = *state;

	tfs_rmroot(fx->state);
	tfs_put(fx->root, "state", "a file where the state directory was\n");
	assert_int_equal(sysctl(fx, NULL, "net.core.somaxconn", "8192", 0), CHANGE_ERROR);
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "4096\n");
	assert_int_equal(fx->j.n, 0);
}

static void test_admin_change_respected(void **state)
{
	struct fx *fx = *state;
	struct change_report rep = {0};
	struct journal *d;

	APPLY_OK(sysctl(fx, NULL, "net.core.somaxconn", "8192", 0));
	APPLY_OK(sysctl(fx, NULL, "vm.watermark_scale_factor", "20", 0));
	/* the admin sets somaxconn by hand meanwhile */
	tfs_put(fx->root, "proc/sys/net/core/somaxconn", "1000\n");
	assert_int_equal(revert_all(&fx->h, &fx->j, &rep, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(rep.n, 2);
	assert_int_equal(rep.r[0].id, 2);
	assert_true(rep.r[0].restored);
	assert_int_equal(rep.r[1].id, 1);
	assert_false(rep.r[1].restored);
	assert_int_equal(rep.r[1].state, JS_ADMIN_CHANGED);
	assert_string_equal(rep.r[1].found, "1000");
	assert_string_equal(rep.r[1].reason, "changed since: now '1000', perfpilot wrote '8192'");
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "1000\n");
	assert_string_equal(file(fx, "proc/sys/vm/watermark_scale_factor"), "10\n");
	d = reread(fx);
	assert_int_equal(d->e[0].state, JS_ADMIN_CHANGED);
	assert_string_equal(d->e[0].note, "changed since: now '1000', perfpilot wrote '8192'");
	assert_int_equal(d->e[1].state, JS_REVERTED);
	/* and perfpilot leaves that tunable alone from now on */
	assert_int_equal(sysctl(fx, NULL, "net.core.somaxconn", "2000", 0), CHANGE_REFUSED);
	assert_string_equal(fx->err, "frozen: change 1 was changed by someone else");
	change_report_free(&rep);
	journal_free(reread(fx));
}

static void test_rollback(void **state)
{
	struct fx *fx = *state;
	struct change_result res;

	APPLY_OK(sysctl(fx, NULL, "vm.min_free_kbytes", "101376", 0));
	assert_int_equal(change_rollback(&fx->h, &fx->j, 1, &res, fx->err, sizeof(fx->err)),
			 CHANGE_OK);
	assert_true(res.restored);
	assert_int_equal(res.state, JS_ROLLED_BACK);
	assert_string_equal(res.found, "101376");
	assert_string_equal(file(fx, "proc/sys/vm/min_free_kbytes"), "67584\n");
	assert_int_equal(reread(fx)->e[0].state, JS_ROLLED_BACK);
	/* once only; and the target is frozen */
	assert_int_equal(change_rollback(&fx->h, &fx->j, 1, &res, fx->err, sizeof(fx->err)),
			 CHANGE_REFUSED);
	assert_string_equal(fx->err, "change 1 is rolled_back: nothing to roll back");
	assert_int_equal(sysctl(fx, NULL, "vm.min_free_kbytes", "101376", 0), CHANGE_REFUSED);
	assert_string_equal(fx->err, "frozen: change 1 was rolled back");
	assert_int_equal(change_rollback(&fx->h, &fx->j, 99, &res, fx->err, sizeof(fx->err)),
			 CHANGE_REFUSED);

	/* two open changes of one target: the newer goes first */
	APPLY_OK(sysctl(fx, NULL, "net.core.somaxconn", "8192", 0));
	assert_int_equal(journal_update(&fx->j, 2, JS_KEPT, NULL, fx->err, sizeof(fx->err)), 0);
	APPLY_OK(sysctl(fx, NULL, "net.core.somaxconn", "16384", 0));
	assert_int_equal(change_rollback(&fx->h, &fx->j, 2, &res, fx->err, sizeof(fx->err)),
			 CHANGE_REFUSED);
	assert_string_equal(fx->err, "change 3 of the same tunable is newer: roll that back first");
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "16384\n");
	assert_int_equal(change_rollback(&fx->h, &fx->j, 3, &res, fx->err, sizeof(fx->err)),
			 CHANGE_OK);
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "8192\n");
	/* the admin steps in before the older one is rolled back */
	tfs_put(fx->root, "proc/sys/net/core/somaxconn", "9000\n");
	assert_int_equal(change_rollback(&fx->h, &fx->j, 2, &res, fx->err, sizeof(fx->err)),
			 CHANGE_OK);
	assert_false(res.restored);
	assert_int_equal(res.state, JS_ADMIN_CHANGED);
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "9000\n");
	assert_int_equal(reread(fx)->e[1].state, JS_ADMIN_CHANGED);
	journal_free(reread(fx));
}

/* pending entries after a crash: before the write, after it, and overtaken */
static void test_pending_after_crash(void **state)
{
	struct fx *fx = *state;
	struct change_report rep = {0};
	struct journal_entry e;
	const char *names[] = {"vm.dirty_ratio", "vm.dirty_background_ratio", "net.core.somaxconn"};
	const char *olds[] = {"20", "10", "4096"}, *news[] = {"15", "5", "8192"};
	struct journal *d;
	int i;

	for (i = 0; i < 3; i++) {
		journal_entry_init(&e);
		e.scope = TUNE_SYSCTL;
		snprintf(e.tunable, sizeof(e.tunable), "%s", names[i]);
		snprintf(e.old, sizeof(e.old), "%s", olds[i]);
		snprintf(e.new, sizeof(e.new), "%s", news[i]);
		e.state = JS_PENDING;
		assert_int_equal(journal_add(&fx->j, &e, NULL, fx->err, sizeof(fx->err)), 0);
	}
	/* 1 crashed before its write (host: old), 2 after it (host: new),
	 * 3 was then changed by someone else */
	tfs_put(fx->root, "proc/sys/vm/dirty_background_ratio", "5\n");
	tfs_put(fx->root, "proc/sys/net/core/somaxconn", "512\n");
	journal_free(&fx->j);
	assert_int_equal(journal_load(&fx->j, fx->state, JOURNAL_LOCK, fx->err, sizeof(fx->err)),
			 0);
	assert_int_equal(journal_open_count(&fx->j), 3);
	assert_int_equal(revert_all(&fx->h, &fx->j, &rep, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(rep.n, 3);
	assert_int_equal(rep.r[0].id, 3);
	assert_false(rep.r[0].restored);
	assert_int_equal(rep.r[0].state, JS_ADMIN_CHANGED);
	assert_int_equal(rep.r[1].id, 2);
	assert_true(rep.r[1].restored);
	assert_int_equal(rep.r[1].state, JS_REVERTED);
	assert_int_equal(rep.r[2].id, 1);
	assert_true(rep.r[2].restored);
	assert_string_equal(rep.r[2].reason, "the write had not happened");
	assert_string_equal(file(fx, "proc/sys/vm/dirty_ratio"), "20\n");
	assert_string_equal(file(fx, "proc/sys/vm/dirty_background_ratio"), "10\n");
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "512\n");
	d = reread(fx);
	assert_int_equal(d->e[0].state, JS_REVERTED);
	assert_int_equal(d->e[1].state, JS_REVERTED);
	assert_int_equal(d->e[2].state, JS_ADMIN_CHANGED);
	change_report_free(&rep);
	journal_free(reread(fx));
}

/* Refused: nothing journaled, nothing written. */
static void expect_refused(struct fx *fx, int rc, const char *msg)
{
	assert_int_equal(rc, CHANGE_REFUSED);
	if (!strstr(fx->err, msg))
		fail_msg("'%s' lacks '%s'", fx->err, msg);
	assert_int_equal(fx->j.n, 0);
	assert_false(tfs_exists(fx->root, "state/" JOURNAL_FILE));
}

static void test_disallowed_refused(void **state)
{
	struct fx *fx = *state;
	char err[256];

	config_free(&fx->c);
	config_defaults(&fx->c);
	fx->c.cooldown_s = 0;
	fx->c.allowed[tunable_index(tunable_find("net.ipv4.tcp_rmem"))] = false;
	assert_int_equal(config_add_cgroup(&fx->c, "/sys/fs/cgroup/app", err, sizeof(err)), 0);
	expect_refused(fx, sysctl(fx, NULL, "net.ipv4.tcp_rmem", "4096 131072 12582912", 0),
		       "net.ipv4.tcp_rmem is not in the allowlist");
	expect_refused(fx, sysctl(fx, NULL, "kernel.panic", "1", 0),
		       "not a change perfpilot makes: sysctl kernel.panic");
	expect_refused(fx, cgroup(fx, "/sys/fs/cgroup/cpu/app", "cpu.shares", "2048", NULL),
		       "cgroup /sys/fs/cgroup/cpu/app may not be touched");
	expect_refused(fx, cgroup(fx, "/sys/fs/cgroup/app", "memory.high", "1073741824",
				  "memory_high"), "tuner memory_high is off");
	expect_refused(fx, cgroup(fx, "/sys/fs/cgroup/app", "cpu.weight", "200", "turbo"),
		       "tuner turbo is unknown");
	/* a sysctl name used as a cgroup file and the other way round */
	expect_refused(fx, cgroup(fx, "/sys/fs/cgroup/app", "net.core.somaxconn", "1", NULL),
		       "not a change perfpilot makes");
	expect_refused(fx, sysctl(fx, NULL, "cpu.max", "1 1", 0), "not a change perfpilot makes");
	assert_string_equal(file(fx, "proc/sys/net/ipv4/tcp_rmem"), "4096\t131072\t6291456\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/cpu/app/cpu.shares"), "1024\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/app/memory.high"), "max\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/app/cpu.weight"), "100\n");
}

static void test_out_of_bounds_refused(void **state)
{
	struct fx *fx = *state;

	fx->c.tuner_on[TUNER_MEMORY_HIGH] = true;
	expect_refused(fx, sysctl(fx, NULL, "net.core.somaxconn", "70000", 0),
		       "net.core.somaxconn: 70000 is outside its bounds [128, 65535]");
	expect_refused(fx, sysctl(fx, NULL, "net.core.somaxconn", "64", 0),
		       "net.core.somaxconn: 64 is outside its bounds [128, 65535]");
	expect_refused(fx, sysctl(fx, NULL, "net.ipv4.tcp_rmem", "4096 131072 134217728", 0),
		       "net.ipv4.tcp_rmem: 134217728 is outside its bounds [131072, 67108864]");
	expect_refused(fx, sysctl(fx, NULL, "net.ipv4.tcp_rmem", "8192 131072 12582912", 0),
		       "net.ipv4.tcp_rmem: only its key field may change");
	expect_refused(fx, sysctl(fx, NULL, "net.ipv4.tcp_rmem", "12582912", 0),
		       "'12582912' is not a value of net.ipv4.tcp_rmem");
	expect_refused(fx, cgroup(fx, "/sys/fs/cgroup/app", "cpu.max", "150000 50000", NULL),
		       "cpu.max: only its key field may change");
	expect_refused(fx, cgroup(fx, "/sys/fs/cgroup/app", "cpu.max", "500 100000", NULL),
		       "cpu.max: 500 is outside its bounds [1000, unlimited]");
	expect_refused(fx, cgroup(fx, "/sys/fs/cgroup/app", "memory.high", "1000000",
				  "memory_high"), "(aligned: '999424')");
	expect_refused(fx, cgroup(fx, "/sys/fs/cgroup/app", "cpu.weight", "lots", NULL),
		       "'lots' is not a value of cpu.weight");
	expect_refused(fx, sysctl(fx, NULL, "net.core.somaxconn", "4096", 0),
		       "net.core.somaxconn is already 4096");
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "4096\n");
	assert_string_equal(file(fx, "proc/sys/net/ipv4/tcp_rmem"), "4096\t131072\t6291456\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/app/cpu.max"), "max 100000\n");
}

static void test_gate_in_apply(void **state)
{
	struct fx *fx = *state;

	fx->c.cooldown_s = 300;
	APPLY_OK(sysctl(fx, NULL, "net.core.somaxconn", "8192", 1000));
	assert_int_equal(sysctl(fx, NULL, "net.core.somaxconn", "16384", 1100), CHANGE_REFUSED);
	assert_string_equal(fx->err, "change 1 is not verified yet");
	assert_int_equal(journal_update(&fx->j, 1, JS_KEPT, NULL, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(sysctl(fx, NULL, "net.core.somaxconn", "16384", 1100), CHANGE_REFUSED);
	assert_string_equal(fx->err, "cooling down: changed 100 s ago, cooldown 300 s");
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "8192\n");
	/* another target is free meanwhile */
	APPLY_OK(sysctl(fx, "web", "net.core.somaxconn", "8192", 1100));
	APPLY_OK(sysctl(fx, NULL, "net.core.somaxconn", "16384", 1300));
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "16384\n");
	assert_int_equal(fx->j.n, 3);
}

static int refusing_hook(void *arg, const char *path, const char *value)
{
	(void)arg;
	(void)path;
	if (!strcmp(value, "65535")) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static void test_write_refused_marks_failed(void **state)
{
	struct fx *fx = *state;

	fx->h.write_hook = refusing_hook;
	assert_int_equal(sysctl(fx, NULL, "net.core.somaxconn", "65535", 0), CHANGE_FAILED);
	assert_non_null(strstr(fx->err, "Invalid argument"));
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "4096\n");
	assert_int_equal(reread(fx)->e[0].state, JS_FAILED);
	assert_non_null(strstr(reread(fx)->e[0].note, "writing '65535'"));
	assert_int_equal(journal_open_count(&fx->j), 0);
	journal_free(reread(fx));
}

static void test_cgroup_gone(void **state)
{
	struct fx *fx = *state;
	struct change_report rep = {0};
	char from[PATH_MAX + 64], to[PATH_MAX + 64];

	APPLY_OK(cgroup(fx, "/sys/fs/cgroup/app", "cpu.weight", "200", "cpu_weight"));
	APPLY_OK(cgroup(fx, "/sys/fs/cgroup/cpu/app", "cpu.shares", "2048", "cpu_weight"));
	APPLY_OK(sysctl(fx, "web", "net.core.somaxconn", "8192", 0));
	/* app (v2) is removed; the v1 app is replaced by a new cgroup of the same
	 * name with the same value; the namespace web is deleted */
	tfs_rmroot(strcat(strcpy(from, fx->root), "/sys/fs/cgroup/app"));
	snprintf(from, sizeof(from), "%s/sys/fs/cgroup/cpu/app", fx->root);
	snprintf(to, sizeof(to), "%s/sys/fs/cgroup/cpu/app.old", fx->root);
	assert_int_equal(rename(from, to), 0);
	tfs_put(fx->root, "sys/fs/cgroup/cpu/app/cpu.shares", "2048\n");
	tfs_rmroot(to);
	tfs_rmroot(strcat(strcpy(from, fx->root), "/var/run/netns/web"));
	assert_int_equal(revert_all(&fx->h, &fx->j, &rep, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(rep.n, 3);
	assert_string_equal(rep.r[0].reason, "network namespace gone");
	assert_string_equal(rep.r[1].reason, "cgroup gone");
	assert_string_equal(rep.r[2].reason, "cgroup gone");
	assert_false(rep.r[0].restored || rep.r[1].restored || rep.r[2].restored);
	assert_int_equal(rep.r[2].state, JS_ADMIN_CHANGED);
	/* the new cgroup is not touched, nothing is created */
	assert_string_equal(file(fx, "sys/fs/cgroup/cpu/app/cpu.shares"), "2048\n");
	assert_false(tfs_exists(fx->root, "sys/fs/cgroup/app"));
	assert_false(tfs_exists(fx->root, "var/run/netns/web"));
	assert_string_equal(reread(fx)->e[0].note, "cgroup gone");
	assert_int_equal(journal_open_count(reread(fx)), 0);
	change_report_free(&rep);
	journal_free(reread(fx));
}

/* ---- levers: a process's nice and affinity, a cgroup's cpuset ---- */

#define HOG 4000
#define HOG_START 123456ULL

static void lever_host(struct fx *fx)
{
	tfs_put(fx->root, "sys/fs/cgroup/cpuset/app/cpuset.cpus", "0-1\n");
	tfs_put(fx->root, "sys/fs/cgroup/cpuset/app/cpuset.mems", "0-1\n");
	tfs_put(fx->root, "sys/fs/cgroup/app/cpuset.cpus", "\n"); /* v2: its parent's */
	tfs_put(fx->root, "sys/fs/cgroup/app/cpuset.mems", "\n");
	tfs_proc(fx->root, HOG, "hog", HOG_START, 0x400000, 0, 3, "0", "0-1", "/app");
}

static int lever(struct fx *fx, int pid, unsigned long long start, const char *cg,
		 const char *name, const char *value)
{
	struct change_request rq = {
		.target = {.scope = pid ? TUNE_PROCESS : TUNE_CGROUP, .cgroup = cg,
			   .tunable = name, .pid = pid, .start = start},
		.value = value, .reason = "test", .tuner = "protect", .metric_before = NAN,
	};

	return change_apply(&fx->h, &fx->j, &fx->c, &rq, NULL, fx->err, sizeof(fx->err));
}

static void test_levers_revert_exactly(void **state)
{
	struct fx *fx = *state;
	struct change_report rep = {0};
	struct journal *d;
	size_t i;

	lever_host(fx);
	APPLY_OK(lever(fx, HOG, HOG_START, NULL, "nice", "19"));
	APPLY_OK(lever(fx, HOG, 0, NULL, "affinity", "1"));
	APPLY_OK(lever(fx, 0, 0, "/sys/fs/cgroup/cpuset/app", "cpuset.cpus", "1"));
	APPLY_OK(lever(fx, 0, 0, "/sys/fs/cgroup/cpuset/app", "cpuset.mems", "1"));
	APPLY_OK(lever(fx, 0, 0, "/sys/fs/cgroup/app", "cpuset.cpus", "1,0"));
	assert_string_equal(file(fx, "proc/4000/task/4002/nice"), "19\n");
	assert_string_equal(file(fx, "proc/4000/task/4001/affinity"), "1\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/cpuset/app/cpuset.cpus"), "1\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/cpuset/app/cpuset.mems"), "1\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/app/cpuset.cpus"), "0-1\n"); /* canonical */
	d = reread(fx);
	assert_int_equal(d->n, 5);
	assert_int_equal(d->e[0].scope, TUNE_PROCESS);
	assert_int_equal(d->e[0].pid, HOG);
	assert_int_equal(d->e[0].start, HOG_START);
	assert_int_equal(d->e[1].start, HOG_START); /* found when not given */
	assert_string_equal(d->e[0].old, "0");
	assert_string_equal(d->e[1].old, "0-1");
	assert_string_equal(d->e[0].cgroup, "");
	assert_int_equal(d->e[2].pid, 0);
	assert_string_equal(d->e[4].old, "");
	assert_string_equal(d->e[4].new, "0-1");
	for (i = 0; i < d->n; i++)
		assert_int_equal(d->e[i].state, JS_APPLIED);

	assert_int_equal(revert_all(&fx->h, &fx->j, &rep, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(rep.n, 5);
	for (i = 0; i < rep.n; i++) {
		if (!rep.r[i].restored)
			fail_msg("change %lld: %s", (long long)rep.r[i].id, rep.r[i].reason);
		assert_int_equal(rep.r[i].state, JS_REVERTED);
	}
	for (i = 0; i < 3; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "proc/4000/task/%zu/nice", HOG + i);
		assert_string_equal(file(fx, rel), "0\n");
		snprintf(rel, sizeof(rel), "proc/4000/task/%zu/affinity", HOG + i);
		assert_string_equal(file(fx, rel), "0-1\n");
	}
	assert_string_equal(file(fx, "sys/fs/cgroup/cpuset/app/cpuset.cpus"), "0-1\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/cpuset/app/cpuset.mems"), "0-1\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/app/cpuset.cpus"), "\n"); /* empty again */
	assert_int_equal(journal_open_count(reread(fx)), 0);
	change_report_free(&rep);
	journal_free(reread(fx));
}

static void test_levers_refused(void **state)
{
	struct fx *fx = *state;
	char err[256];

	lever_host(fx);
	tfs_proc(fx->root, 1, "init", 1, 0x400100, 0, 1, "0", "0-1", "/");
	tfs_proc(fx->root, 2, "kthreadd", 1, 0x208040, 0, 1, "0", "0-1", "/");
	tfs_proc(fx->root, getpid(), "perfpilot", 77, 0x400000, 0, 1, "0", "0-1", "/app");
	tfs_proc(fx->root, 5000, "mixed", 500, 0x400000, 1000, 2, "0", "0-1", "/");
	tfs_put(fx->root, "proc/5000/task/5001/nice", "3\n");
	expect_refused(fx, lever(fx, 1, 0, NULL, "nice", "19"), "PID 1 is never changed");
	expect_refused(fx, lever(fx, 2, 0, NULL, "nice", "19"),
		       "2 (kthreadd) is a kernel thread: never changed");
	expect_refused(fx, lever(fx, getpid(), 0, NULL, "affinity", "1"),
		       "perfpilot does not change itself");
	expect_refused(fx, lever(fx, HOG, 99, NULL, "nice", "19"),
		       "PID 4000 is another process now: not touched");
	expect_refused(fx, lever(fx, 4999, 0, NULL, "nice", "19"), "process 4999 does not exist");
	expect_refused(fx, lever(fx, HOG, 0, NULL, "nice", "20"), "'20' is not a nice value");
	expect_refused(fx, lever(fx, HOG, 0, NULL, "affinity", ""),
		       "affinity would be left empty: refused");
	expect_refused(fx, lever(fx, HOG, 0, NULL, "affinity", "0-"), "is not a CPU list");
	expect_refused(fx, lever(fx, 0, 0, "/sys/fs/cgroup/cpuset/app", "cpuset.cpus", " "),
		       "cpuset.cpus would be left empty: refused");
	expect_refused(fx, lever(fx, 0, 0, "/sys/fs/cgroup/cpuset/app", "cpuset.mems", ""),
		       "cpuset.mems would be left empty: refused (nothing is left with no memory "
		       "node)");
	expect_refused(fx, lever(fx, HOG, 0, NULL, "affinity", "1,0"), "affinity is already 0-1");
	expect_refused(fx, lever(fx, 5000, 0, NULL, "nice", "19"), "its threads differ");
	expect_refused(fx, lever(fx, HOG, 0, "/sys/fs/cgroup/app", "nice", "19"),
		       "not a change perfpilot makes: process nice");
	expect_refused(fx, lever(fx, 0, 0, "/sys/fs/cgroup/app", "affinity", "1"),
		       "not a change perfpilot makes");
	/* a cgroup that vanished before the change: refused, not an error of the run */
	expect_refused(fx, lever(fx, 0, 0, "/sys/fs/cgroup/cpuset/gone", "cpuset.cpus", "1"),
		       "cgroup /sys/fs/cgroup/cpuset/gone");
	expect_refused(fx, cgroup(fx, "/sys/fs/cgroup/cpu/gone", "cpu.shares", "256", "protect"),
		       "cgroup /sys/fs/cgroup/cpu/gone");
	/* scope: a root process outside the configured cgroups, then the config's rules */
	config_free(&fx->c);
	config_defaults(&fx->c);
	fx->c.cooldown_s = 0;
	expect_refused(fx, lever(fx, HOG, 0, NULL, "nice", "19"),
		       "process 4000 (hog, uid 0) is not in scope");
	expect_refused(fx, lever(fx, 0, 0, "/sys/fs/cgroup/cpuset/app", "cpuset.cpus", "1"),
		       "cgroup /sys/fs/cgroup/cpuset/app may not be touched");
	tfs_proc(fx->root, HOG, "hog", HOG_START, 0x400000, 1000, 3, "0", "0-1", "/app");
	fx->c.culprits = CULPRITS_LISTED;
	expect_refused(fx, lever(fx, HOG, 0, NULL, "nice", "19"), "is not in scope");
	fx->c.lever_allowed[LEVER_NICE] = false;
	assert_int_equal(config_add_pid(&fx->c, HOG, err, sizeof(err)), 0);
	expect_refused(fx, lever(fx, HOG, 0, NULL, "nice", "19"), "nice is not in the allowlist");
	assert_string_equal(file(fx, "proc/4000/task/4000/nice"), "0\n");
	assert_string_equal(file(fx, "proc/4000/task/4000/affinity"), "0-1\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/cpuset/app/cpuset.cpus"), "0-1\n");
	/* the ordinary user's process is in scope by default, and a named one */
	fx->c.lever_allowed[LEVER_NICE] = true;
	APPLY_OK(lever(fx, HOG, 0, NULL, "nice", "10"));
	config_free(&fx->c);
	config_defaults(&fx->c);
	fx->c.cooldown_s = 0;
	tfs_proc(fx->root, HOG, "hog", HOG_START, 0x400000, 1000, 3, "10", "0-1", "/app");
	APPLY_OK(lever(fx, HOG, 0, NULL, "affinity", "0"));
}

static void test_levers_pid_reused_or_gone(void **state)
{
	struct fx *fx = *state;
	struct change_report rep = {0};
	char dir[PATH_MAX + 32];

	lever_host(fx);
	tfs_proc(fx->root, 4100, "gone", 700, 0x400000, 1000, 1, "0", "0-1", "/");
	APPLY_OK(lever(fx, HOG, 0, NULL, "nice", "19"));
	APPLY_OK(lever(fx, 4100, 0, NULL, "nice", "19"));
	/* 4000 exits and its PID goes to a new process, at nice 19 too; 4100 exits */
	tfs_proc(fx->root, HOG, "other", 999999, 0x400000, 1000, 1, "19", "0-1", "/");
	snprintf(dir, sizeof(dir), "%s/proc/4100", fx->root);
	tfs_rmroot(dir);
	assert_int_equal(revert_all(&fx->h, &fx->j, &rep, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(rep.n, 2);
	assert_false(rep.r[0].restored || rep.r[1].restored);
	assert_string_equal(rep.r[0].reason, "process gone (or its PID reused)");
	assert_string_equal(rep.r[1].reason, "process gone (or its PID reused)");
	assert_int_equal(rep.r[1].state, JS_ADMIN_CHANGED);
	assert_string_equal(file(fx, "proc/4000/task/4000/nice"), "19\n"); /* not touched */
	assert_int_equal(journal_open_count(reread(fx)), 0);
	change_report_free(&rep);
	journal_free(reread(fx));
}

static void test_levers_admin_changed(void **state)
{
	struct fx *fx = *state;
	struct change_report rep = {0};
	struct change_result res;

	lever_host(fx);
	APPLY_OK(lever(fx, HOG, 0, NULL, "affinity", "1"));
	APPLY_OK(lever(fx, HOG, 0, NULL, "nice", "19"));
	APPLY_OK(lever(fx, 0, 0, "/sys/fs/cgroup/cpuset/app", "cpuset.cpus", "1"));
	/* the admin: one thread back to nice 0, the cpuset to CPU 0; the
	 * affinity is still perfpilot's */
	tfs_put(fx->root, "proc/4000/task/4001/nice", "0\n");
	tfs_put(fx->root, "sys/fs/cgroup/cpuset/app/cpuset.cpus", "0\n");
	assert_int_equal(revert_all(&fx->h, &fx->j, &rep, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(rep.n, 3);
	assert_false(rep.r[0].restored);
	assert_string_equal(rep.r[0].reason, "changed since: now '0', perfpilot wrote '1'");
	assert_false(rep.r[1].restored);
	assert_string_equal(rep.r[1].reason, "changed since: now 'mixed: thread 4000 19, thread "
			    "4001 0', perfpilot wrote '19'");
	assert_true(rep.r[2].restored);
	assert_string_equal(file(fx, "proc/4000/task/4000/affinity"), "0-1\n");
	assert_string_equal(file(fx, "proc/4000/task/4000/nice"), "19\n");
	assert_string_equal(file(fx, "sys/fs/cgroup/cpuset/app/cpuset.cpus"), "0\n");
	/* frozen from now on */
	assert_int_equal(lever(fx, 0, 0, "/sys/fs/cgroup/cpuset/app", "cpuset.cpus", "1"),
			 CHANGE_REFUSED);
	assert_string_equal(fx->err, "frozen: change 3 was changed by someone else");
	change_report_free(&rep);
	/* a rollback of one that did not help */
	tfs_proc(fx->root, 4200, "hog2", 800, 0x400000, 1000, 2, "0", "0-1", "/");
	APPLY_OK(lever(fx, 4200, 0, NULL, "nice", "19"));
	assert_int_equal(change_rollback(&fx->h, &fx->j, 4, &res, fx->err, sizeof(fx->err)),
			 CHANGE_OK);
	assert_true(res.restored);
	assert_string_equal(file(fx, "proc/4200/task/4201/nice"), "0\n");
	journal_free(reread(fx));
}

/* A thread's write refused: the value put back on every thread, the entry failed. */
static int refuse_4001(void *arg, const char *path, const char *value)
{
	(void)arg;
	if (strstr(path, "/task/4001/affinity") && !strcmp(value, "1")) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static void test_levers_write_refused(void **state)
{
	struct fx *fx = *state;

	lever_host(fx);
	fx->h.write_hook = refuse_4001;
	assert_int_equal(lever(fx, HOG, 0, NULL, "affinity", "1"), CHANGE_FAILED);
	assert_string_equal(file(fx, "proc/4000/task/4000/affinity"), "0-1\n");
	assert_string_equal(file(fx, "proc/4000/task/4001/affinity"), "0-1\n");
	assert_int_equal(reread(fx)->e[0].state, JS_FAILED);
	journal_free(reread(fx));
}

/* Every kind of change goes through the same check: the tuner that asks
 * must be on. One of each kind with its tuner off: refused with the reason,
 * nothing journaled, the host's file as it was; then the same with the
 * tuner on goes through. */
static void test_tuner_off_each_kind(void **state)
{
	static const struct off {
		enum tune_scope scope;
		const char *netns, *cgroup, *tunable, *value, *tuner, *file, *original;
	} offs[] = {
		{TUNE_SYSCTL, NULL, NULL, "net.core.somaxconn", "8192", "accept_queue",
		 "proc/sys/net/core/somaxconn", "4096\n"},
		{TUNE_SYSCTL, "web", NULL, "net.core.somaxconn", "8192", "accept_queue",
		 "var/run/netns/web/proc/sys/net/core/somaxconn", "4096\n"},
		{TUNE_CGROUP, NULL, "/sys/fs/cgroup/app", "cpu.max", "150000 100000", "cpu_quota",
		 "sys/fs/cgroup/app/cpu.max", "max 100000\n"},
		{TUNE_CGROUP, NULL, "/sys/fs/cgroup/cpu/app", "cpu.shares", "256", "protect",
		 "sys/fs/cgroup/cpu/app/cpu.shares", "1024\n"},
		{TUNE_PROCESS, NULL, NULL, "nice", "19", "protect", "proc/4000/task/4002/nice", "0\n"},
		{TUNE_PROCESS, NULL, NULL, "affinity", "1", "protect",
		 "proc/4000/task/4001/affinity", "0-1\n"},
		{TUNE_CGROUP, NULL, "/sys/fs/cgroup/cpuset/app", "cpuset.cpus", "1", "cpuset_rules",
		 "sys/fs/cgroup/cpuset/app/cpuset.cpus", "0-1\n"},
		{TUNE_CGROUP, NULL, "/sys/fs/cgroup/cpuset/app", "cpuset.mems", "1", "protect",
		 "sys/fs/cgroup/cpuset/app/cpuset.mems", "0-1\n"},
		{TUNE_CGROUP, NULL, "/sys/fs/cgroup/app", "cpuset.cpus", "1", "cpuset_rules",
		 "sys/fs/cgroup/app/cpuset.cpus", "\n"},
	};
	struct fx *fx = *state;
	struct change_report rep = {0};
	char want[128];
	size_t i;
	int id;

	lever_host(fx);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		const struct off *o = &offs[i];
		struct change_request rq = {
			.target = {o->scope, o->netns, o->cgroup, o->tunable,
				   o->scope == TUNE_PROCESS ? HOG : 0, 0},
			.value = o->value, .reason = "test", .tuner = o->tuner, .metric_before = NAN,
		};

		id = tuner_find(o->tuner);
		assert_true(id >= 0);
		fx->c.tuner_on[id] = false;
		snprintf(want, sizeof(want), "tuner %s is off: its %s change is refused", o->tuner,
			 o->tunable);
		expect_refused(fx, change_apply(&fx->h, &fx->j, &fx->c, &rq, NULL, fx->err,
						sizeof(fx->err)), want);
		assert_non_null(strstr(fx->err, "enabled = on"));
		assert_string_equal(file(fx, o->file), o->original);
		fx->c.tuner_on[id] = true;
	}
	/* a lever no tuner asks for */
	{
		struct change_request rq = {
			.target = {.scope = TUNE_PROCESS, .tunable = "nice", .pid = HOG},
			.value = "19", .reason = "test", .metric_before = NAN,
		};

		expect_refused(fx, change_apply(&fx->h, &fx->j, &fx->c, &rq, NULL, fx->err,
						sizeof(fx->err)), "nice is set only for a tuner");
	}
	/* a sysctl no tuner asks for counts as its own tuner's */
	fx->c.tuner_on[TUNER_ACCEPT_QUEUE] = false;
	expect_refused(fx, sysctl(fx, NULL, "net.core.somaxconn", "8192", 0),
		       "tuner accept_queue is off");
	fx->c.tuner_on[TUNER_ACCEPT_QUEUE] = true;
	assert_string_equal(file(fx, "proc/sys/net/core/somaxconn"), "4096\n");
	/* the tuners on: each kind goes through */
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		const struct off *o = &offs[i];
		struct change_request rq = {
			.target = {o->scope, o->netns, o->cgroup, o->tunable,
				   o->scope == TUNE_PROCESS ? HOG : 0, 0},
			.value = o->value, .reason = "test", .tuner = o->tuner, .metric_before = NAN,
		};

		APPLY_OK(change_apply(&fx->h, &fx->j, &fx->c, &rq, NULL, fx->err, sizeof(fx->err)));
	}
	assert_string_equal(file(fx, "proc/4000/task/4002/nice"), "19\n");
	assert_int_equal(revert_all(&fx->h, &fx->j, &rep, fx->err, sizeof(fx->err)), 0);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		assert_string_equal(file(fx, offs[i].file), offs[i].original);
	change_report_free(&rep);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_apply_revert_restores_exactly),
		T(test_journal_first),
		T(test_no_journal_no_change),
		T(test_admin_change_respected),
		T(test_rollback),
		T(test_pending_after_crash),
		T(test_disallowed_refused),
		T(test_out_of_bounds_refused),
		T(test_gate_in_apply),
		T(test_write_refused_marks_failed),
		T(test_cgroup_gone),
		T(test_levers_revert_exactly),
		T(test_levers_refused),
		T(test_levers_pid_reused_or_gone),
		T(test_levers_admin_changed),
		T(test_levers_write_refused),
		T(test_tuner_off_each_kind),
	};

	return cmocka_run_group_tests_name("tune_change", tests, NULL, NULL);
}
