// SPDX-License-Identifier: GPL-2.0
/*
 * The cycle with a fake tuner on a fixture tree: apply then keep, roll back
 * and freeze, wait for a needs_action change, cooldown, advice writes
 * nothing, revert on exit. The fake tuner proposes net.core.somaxconn x2
 * while `want` is set; its metric is whatever the test says.
 */
#define _GNU_SOURCE
#include <math.h>
#include "tunefs.h"
#include "tune/cycle.h"

struct fake {
	bool want, needs_action, ready, scaled;
	double metric;
	int observed;
};

static struct fake F;

static int f_observe(struct tuner *t, const struct tune_ctx *c, char *err, size_t errlen)
{
	(void)t, (void)c, (void)err, (void)errlen;
	F.observed++;
	return 0;
}

static size_t f_propose(struct tuner *t, const struct tune_ctx *c, struct proposal *out,
			size_t max)
{
	struct hostfs_value v;
	char err[256];

	(void)t;
	if (!F.want || !max || hostfs_sysctl_read(c->h, NULL, "net.core.somaxconn", &v, err,
						  sizeof(err)))
		return 0;
	memset(out, 0, sizeof(*out));
	out->tuner = TUNER_ACCEPT_QUEUE;
	snprintf(out->tunable, sizeof(out->tunable), "net.core.somaxconn");
	snprintf(out->current, sizeof(out->current), "%s", v.str);
	snprintf(out->proposed, sizeof(out->proposed), "%lld", atoll(v.str) * 2);
	out->finding = "listen_overflow";
	out->priority = 1;
	snprintf(out->evidence, sizeof(out->evidence), "%.0f overflows/s", F.metric);
	snprintf(out->effect, sizeof(out->effect), "fewer overflows");
	snprintf(out->metric, sizeof(out->metric), "listen_overflows/s");
	out->metric_value = F.metric;
	out->lower_is_better = true;
	out->needs_action = F.needs_action;
	out->scaled = F.scaled;
	return 1;
}

static double f_measure(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	(void)t, (void)c, (void)p;
	return F.metric;
}

static bool f_ready(struct tuner *t, const struct tune_ctx *c, const struct proposal *p)
{
	(void)t, (void)c, (void)p;
	return F.ready;
}

struct fx {
	char root[PATH_MAX];
	char state[PATH_MAX + 8];
	struct hostfs h;
	struct journal j;
	struct tune_config cfg;
	struct tune_ctx ctx;
	struct tuner t;
	struct cycle c;
	struct cycle_opts o;
	char *log;
	size_t loglen;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char err[512];

	tfs_mkroot(fx->root, sizeof(fx->root), "cycle");
	tfs_host(fx->root);
	snprintf(fx->state, sizeof(fx->state), "%s/state", fx->root);
	assert_int_equal(hostfs_init(&fx->h, fx->root), 0);
	assert_int_equal(journal_load(&fx->j, fx->state, JOURNAL_LOCK, err, sizeof(err)), 0);
	config_defaults(&fx->cfg);
	fx->cfg.verify_s = 5;
	fx->cfg.cooldown_s = 100;
	fx->ctx.h = &fx->h;
	fx->ctx.cfg = &fx->cfg;
	fx->ctx.j = &fx->j;
	fx->t = (struct tuner){.id = TUNER_ACCEPT_QUEUE, .observe = f_observe,
			       .propose = f_propose, .measure = f_measure, .ready = f_ready};
	fx->o.apply = true;
	fx->o.interval_s = 1;
	fx->o.out = open_memstream(&fx->log, &fx->loglen);
	cycle_init(&fx->c, &fx->ctx, &fx->j, &fx->t, 1);
	memset(&F, 0, sizeof(F));
	F.want = true;
	F.metric = 400;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	cycle_free(&fx->c);
	fclose(fx->o.out);
	free(fx->log);
	journal_free(&fx->j);
	config_free(&fx->cfg);
	tfs_rmroot(fx->root);
	free(fx);
	return 0;
}

static const char *somaxconn(struct fx *fx)
{
	return tfs_get(fx->root, "proc/sys/net/core/somaxconn");
}

static const char *log_text(struct fx *fx)
{
	fflush(fx->o.out);
	return fx->log ? fx->log : "";
}

static void tick(struct fx *fx, double now)
{
	assert_int_equal(cycle_tick(&fx->c, &fx->o, now, now > 1000 ? 1 : 0), 0);
}

#define T0 1000.0

/* the baseline tick and one more: the change is made and journaled */
static void start(struct fx *fx)
{
	tick(fx, T0);
	assert_string_equal(somaxconn(fx), "4096\n"); /* a baseline proposes nothing */
	tick(fx, T0 + 1);
	assert_string_equal(somaxconn(fx), "8192\n");
	assert_int_equal(fx->j.n, 1);
	assert_int_equal(fx->j.e[0].state, JS_APPLIED);
	assert_non_null(strstr(log_text(fx), "perfpilot: tune: net.core.somaxconn 4096 -> 8192 on "
				"the host (listen_overflow: 400 overflows/s)\n"));
}

static void test_keep(void **state)
{
	struct fx *fx = *state;

	start(fx);
	F.metric = 0;
	tick(fx, T0 + 3); /* within the window: nothing yet */
	assert_int_equal(fx->j.e[0].state, JS_APPLIED);
	tick(fx, T0 + 6);
	assert_int_equal(fx->j.e[0].state, JS_KEPT);
	assert_true(fx->j.e[0].before == 400 && fx->j.e[0].after == 0);
	assert_string_equal(somaxconn(fx), "8192\n");
	assert_non_null(strstr(log_text(fx), "kept net.core.somaxconn 8192 on the host: "
				"listen_overflows/s 400 -> 0"));
	assert_int_equal(cycle_end(&fx->c, &fx->o, false), 0);
	assert_non_null(strstr(log_text(fx), "stays changed: net.core.somaxconn 8192 on the host "
				"(was 4096; kept: it helped)"));
	assert_string_equal(somaxconn(fx), "8192\n");
}

static void test_rollback_freezes(void **state)
{
	struct fx *fx = *state;
	double now;

	start(fx);
	F.metric = 399; /* below min_improvement (5 %) */
	tick(fx, T0 + 6);
	assert_int_equal(fx->j.e[0].state, JS_ROLLED_BACK);
	assert_string_equal(somaxconn(fx), "4096\n");
	assert_non_null(strstr(log_text(fx), "rolled back net.core.somaxconn 8192 -> 4096 on the "
				"host: no improvement"));
	/* frozen: never again, even long after the cooldown */
	for (now = T0 + 7; now < T0 + 400; now += 50)
		tick(fx, now);
	assert_int_equal(fx->j.n, 1);
	assert_string_equal(somaxconn(fx), "4096\n");
}

static void test_needs_action_waits(void **state)
{
	struct fx *fx = *state;
	double now;

	F.needs_action = true;
	start(fx);
	/* no effect and no action for 10 windows: waits, says so, no rollback */
	for (now = T0 + 2; now <= T0 + 51; now += 1)
		tick(fx, now);
	assert_int_equal(fx->j.e[0].state, JS_APPLIED);
	assert_string_equal(somaxconn(fx), "8192\n");
	assert_non_null(strstr(log_text(fx), "net.core.somaxconn 8192 on the host: waiting, not "
				"verified"));
	/* the workload acts: the window starts there */
	F.ready = true;
	tick(fx, T0 + 52);
	assert_non_null(strstr(log_text(fx), "the workload acted on it"));
	F.metric = 0;
	tick(fx, T0 + 55);
	assert_int_equal(fx->j.e[0].state, JS_APPLIED);
	tick(fx, T0 + 57);
	assert_int_equal(fx->j.e[0].state, JS_KEPT);
}

static void test_cooldown(void **state)
{
	struct fx *fx = *state;

	start(fx);
	F.metric = 100;
	tick(fx, T0 + 6);
	assert_int_equal(fx->j.e[0].state, JS_KEPT);
	tick(fx, T0 + 50); /* cooling down: 100 s from the change at T0 + 1 */
	assert_int_equal(fx->j.n, 1);
	assert_string_equal(somaxconn(fx), "8192\n");
	tick(fx, T0 + 102);
	assert_int_equal(fx->j.n, 2);
	assert_string_equal(somaxconn(fx), "16384\n");
}

static void test_advice_writes_nothing(void **state)
{
	struct fx *fx = *state;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	fx->o.apply = false;
	tick(fx, T0);
	tick(fx, T0 + 1);
	tick(fx, T0 + 2);
	assert_string_equal(somaxconn(fx), "4096\n");
	assert_int_equal(fx->j.n, 0);
	assert_false(tfs_exists(fx->root, "state/tune-journal.json"));
	assert_int_equal(fx->c.nadvice, 1);
	f = open_memstream(&out, &len);
	cycle_print_advice(&fx->c, f, false);
	fclose(f);
	assert_non_null(strstr(out, "net.core.somaxconn\n  scope:     host\n  change:    4096 -> 8192\n"
			       "  finding:   listen_overflow: 400 overflows/s\n"));
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	cycle_print_advice(&fx->c, f, true);
	fclose(f);
	assert_non_null(strstr(out, "\"tunable\":\"net.core.somaxconn\""));
	assert_non_null(strstr(out, "\"proposed\":\"8192\""));
	free(out);
	assert_int_equal(cycle_end(&fx->c, &fx->o, true), 0);
	assert_string_equal(somaxconn(fx), "4096\n");
}

static void test_revert_on_exit(void **state)
{
	struct fx *fx = *state;

	start(fx);
	assert_int_equal(cycle_end(&fx->c, &fx->o, true), 0);
	assert_string_equal(somaxconn(fx), "4096\n");
	assert_int_equal(fx->j.e[0].state, JS_REVERTED);
	assert_non_null(strstr(log_text(fx), "restored net.core.somaxconn 4096 on the host (was "
				"8192)"));
}

/* someone else changed the value while it was verified: left alone, frozen */
static void test_admin_change(void **state)
{
	struct fx *fx = *state;

	start(fx);
	tfs_put(fx->root, "proc/sys/net/core/somaxconn", "1000\n");
	tick(fx, T0 + 2);
	assert_int_equal(fx->j.e[0].state, JS_ADMIN_CHANGED);
	tick(fx, T0 + 300);
	assert_int_equal(fx->j.n, 1);
	assert_int_equal(cycle_end(&fx->c, &fx->o, true), 0);
	assert_string_equal(somaxconn(fx), "1000\n");
}

/*
 * Scaling changes: kept at once without a verdict (no rollback though the
 * metric never moves), each superseding the one before; the end lists the
 * chain once; revert on exit unwinds it to the first value.
 */
static void test_scaled(void **state)
{
	struct fx *fx = *state;

	F.scaled = true;
	fx->cfg.cooldown_s = 0;
	tick(fx, T0);
	tick(fx, T0 + 1);
	assert_int_equal(fx->j.n, 1);
	assert_int_equal(fx->j.e[0].state, JS_KEPT);
	assert_string_equal(somaxconn(fx), "8192\n");
	tick(fx, T0 + 2);
	tick(fx, T0 + 9); /* long after the verify window: still no verdict */
	assert_int_equal(fx->j.n, 3);
	assert_int_equal(fx->j.e[0].state, JS_KEPT);
	assert_int_equal(fx->j.e[2].state, JS_KEPT);
	assert_string_equal(somaxconn(fx), "32768\n");
	assert_null(strstr(log_text(fx), "rolled back"));
	F.want = false;
	assert_int_equal(cycle_end(&fx->c, &fx->o, false), 0);
	assert_non_null(strstr(log_text(fx), "stays changed: net.core.somaxconn 32768 on the host "
				"(was 4096; scaled, 3 changes this run)\n"));
	assert_null(strstr(log_text(fx), "stays changed: net.core.somaxconn 8192"));
	assert_non_null(strstr(log_text(fx), "3 changes stay in place"));
	assert_int_equal(cycle_end(&fx->c, &fx->o, true), 0);
	assert_string_equal(somaxconn(fx), "4096\n");
	assert_int_equal(fx->j.e[0].state, JS_REVERTED);
	assert_int_equal(fx->j.e[2].state, JS_REVERTED);
}

/* Someone else changes a scaled value: its newest change is marked, the target frozen. */
static void test_scaled_admin(void **state)
{
	struct fx *fx = *state;

	F.scaled = true;
	fx->cfg.cooldown_s = 0;
	tick(fx, T0);
	tick(fx, T0 + 1);
	tick(fx, T0 + 2);
	assert_int_equal(fx->j.n, 2);
	tfs_put(fx->root, "proc/sys/net/core/somaxconn", "1000\n");
	tick(fx, T0 + 3);
	assert_int_equal(fx->j.e[1].state, JS_ADMIN_CHANGED);
	assert_int_equal(fx->j.e[0].state, JS_KEPT);
	tick(fx, T0 + 4);
	tick(fx, T0 + 5);
	assert_int_equal(fx->j.n, 2);
	assert_string_equal(somaxconn(fx), "1000\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_freezes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_action_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cooldown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_advice_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revert_on_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scaled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scaled_admin, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
