// SPDX-License-Identifier: GPL-2.0
/* The tuner's config file: defaults, a full file, each error with FILE:LINE. */
#define _GNU_SOURCE
#include "tunefs.h"
#include "tune/config.h"

struct fx {
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];
	char err[512];
	struct tune_config c;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	tfs_mkroot(fx->dir, sizeof(fx->dir), "config");
	snprintf(fx->path, sizeof(fx->path), "%s/tune.conf", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	config_free(&fx->c);
	tfs_rmroot(fx->dir);
	free(fx);
	return 0;
}

static int load(struct fx *fx, const char *text)
{
	tfs_put(fx->dir, "tune.conf", text);
	config_free(&fx->c);
	return config_load(&fx->c, fx->path, fx->err, sizeof(fx->err));
}

static void test_defaults(void **state)
{
	struct fx *fx = *state;
	const struct tunable_conf *t;
	const char *names[] = {"net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog",
			       "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", "vm.min_free_kbytes",
			       "vm.watermark_scale_factor", "vm.dirty_background_ratio",
			       "vm.dirty_ratio", "cpu.max", "cpu.cfs_quota_us", "cpu.weight",
			       "cpu.shares", "memory.high"};
	size_t i;

	config_defaults(&fx->c);
	for (i = 0; i < TUNER_COUNT; i++)
		assert_int_equal(fx->c.tuner_on[i], i != TUNER_MEMORY_HIGH);
	assert_int_equal(sizeof(names) / sizeof(names[0]), TUNABLE_COUNT);
	for (i = 0; i < TUNABLE_COUNT; i++)
		assert_true(config_allows(&fx->c, names[i]));
	assert_false(config_allows(&fx->c, "net.core.rmem_max"));
	assert_false(config_allows(&fx->c, "memory.max"));
	t = config_tunable(&fx->c, "net.core.somaxconn");
	assert_int_equal(t->min, 128);
	assert_int_equal(t->max, 65535);
	assert_true(t->step.factor);
	assert_dbl_eq(t->step.mul, 2);
	t = config_tunable(&fx->c, "vm.dirty_ratio");
	assert_false(t->step.factor);
	assert_int_equal(t->step.add, 5);
	assert_int_equal(config_tunable(&fx->c, "cpu.max")->max, TUNE_UNLIMITED);
	assert_dbl_eq(config_cooldown(&fx->c, "net.core.somaxconn"), 30);
	assert_dbl_eq(config_cooldown(&fx->c, "net.ipv4.tcp_rmem"), 3);
	assert_dbl_eq(config_verify_window(&fx->c, "net.ipv4.tcp_wmem"), 3);
	assert_dbl_eq(config_verify_window(&fx->c, "cpu.max"), 10);
	assert_dbl_eq(fx->c.min_improvement, 0.05);
	assert_int_equal(fx->c.on_unfinished, UNFINISHED_REPORT);
	assert_false(fx->c.revert_on_exit);
	assert_int_equal(fx->c.ncgroups, 0);
	assert_false(config_cgroup_allowed(&fx->c, "/sys/fs/cgroup"));
	assert_false(config_cgroup_allowed(&fx->c, "/sys/fs/cgroup/app"));
}

static void test_missing_files(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(config_load(&fx->c, fx->path, fx->err, sizeof(fx->err)), CONFIG_IO);
	assert_non_null(strstr(fx->err, fx->path));
	assert_non_null(strstr(fx->err, "No such file"));
	if (access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		skip();
	/* no --config and no /etc/perfpilot/tune.conf: the defaults */
	assert_int_equal(config_load(&fx->c, NULL, fx->err, sizeof(fx->err)), CONFIG_OK);
	assert_dbl_eq(fx->c.cooldown_s, 30);
}

static void test_full_file(void **state)
{
	struct fx *fx = *state;
	const struct tunable_conf *t;

	assert_int_equal(load(fx,
		"# perfpilot tune\n"
		"on_unfinished_journal = restore\n"
		"revert_on_exit = true   # put everything back on exit\n"
		"cooldown = 600\n"
		"verify_window = 120.5\n"
		"min_improvement = 0.1\n"
		"allow = net.core.somaxconn, net.ipv4.tcp_max_syn_backlog\n"
		"allow = cpu.max cpu.cfs_quota_us memory.high\n"
		"cgroup = /sys/fs/cgroup/app\n"
		"cgroup = /sys/fs/cgroup/cpu,cpuacct/batch/\n"
		"\n"
		"[tuner memory_high]\n"
		"enabled = yes\n"
		"[tuner dirty_pages]\n"
		"  enabled = off\n"
		"[ tunable net.core.somaxconn ]\n"
		"min = 256\n"
		"max = 16384\n"
		"step = x4\n"
		"cooldown = 30\n"
		"[tunable cpu.max]\n"
		"max = unlimited\n"
		"step = x1.25\n"
		"verify_window = 10\n"
		"[tunable vm.dirty_ratio]\n"
		"step = +2\n"), CONFIG_OK);
	assert_string_equal(fx->c.file, fx->path);
	assert_int_equal(fx->c.on_unfinished, UNFINISHED_RESTORE);
	assert_true(fx->c.revert_on_exit);
	assert_dbl_eq(fx->c.cooldown_s, 600);
	assert_dbl_eq(fx->c.verify_s, 120.5);
	assert_dbl_eq(fx->c.min_improvement, 0.1);
	/* the file's allow lines replace the default list */
	assert_true(config_allows(&fx->c, "net.core.somaxconn"));
	assert_true(config_allows(&fx->c, "net.ipv4.tcp_max_syn_backlog"));
	assert_true(config_allows(&fx->c, "cpu.max"));
	assert_true(config_allows(&fx->c, "memory.high"));
	assert_false(config_allows(&fx->c, "net.ipv4.tcp_rmem"));
	assert_false(config_allows(&fx->c, "cpu.weight"));
	assert_int_equal(fx->c.ncgroups, 2);
	assert_true(config_cgroup_allowed(&fx->c, "/sys/fs/cgroup/app"));
	assert_true(config_cgroup_allowed(&fx->c, "/sys/fs/cgroup/app/worker/1"));
	assert_false(config_cgroup_allowed(&fx->c, "/sys/fs/cgroup/apple"));
	assert_false(config_cgroup_allowed(&fx->c, "/sys/fs/cgroup"));
	assert_false(config_cgroup_allowed(&fx->c, "/sys/fs/cgroup/app/../other"));
	assert_true(config_cgroup_allowed(&fx->c, "/sys/fs/cgroup/cpu,cpuacct/batch"));
	assert_true(fx->c.tuner_on[TUNER_MEMORY_HIGH]);
	assert_false(fx->c.tuner_on[TUNER_DIRTY_PAGES]);
	assert_true(fx->c.tuner_on[TUNER_ACCEPT_QUEUE]);
	t = config_tunable(&fx->c, "net.core.somaxconn");
	assert_int_equal(t->min, 256);
	assert_int_equal(t->max, 16384);
	assert_dbl_eq(t->step.mul, 4);
	assert_dbl_eq(config_cooldown(&fx->c, "net.core.somaxconn"), 30);
	assert_dbl_eq(config_cooldown(&fx->c, "cpu.max"), 600);
	assert_dbl_eq(config_verify_window(&fx->c, "cpu.max"), 10);
	assert_dbl_eq(config_verify_window(&fx->c, "net.core.somaxconn"), 120.5);
	t = config_tunable(&fx->c, "cpu.max");
	assert_int_equal(t->max, TUNE_UNLIMITED);
	assert_dbl_eq(t->step.mul, 1.25);
	t = config_tunable(&fx->c, "vm.dirty_ratio");
	assert_false(t->step.factor);
	assert_int_equal(t->step.add, 2);
	/* -c adds its cgroup */
	assert_int_equal(config_add_cgroup(&fx->c, "/sys/fs/cgroup/web", fx->err,
					   sizeof(fx->err)), CONFIG_OK);
	assert_true(config_cgroup_allowed(&fx->c, "/sys/fs/cgroup/web/a"));
	assert_int_equal(config_add_cgroup(&fx->c, "web", fx->err, sizeof(fx->err)),
			 CONFIG_INVALID);
}

/* Each mistake: CONFIG_INVALID and exactly "FILE:LINE: message". */
static void expect_error(struct fx *fx, const char *text, int line, const char *msg)
{
	char want[PATH_MAX + 1024];

	snprintf(want, sizeof(want), "%s:%d: %s", fx->path, line, msg);
	if (load(fx, text) != CONFIG_INVALID)
		fail_msg("accepted: %s", text);
	if (strcmp(fx->err, want))
		fail_msg("for %s\n got: %s\nwant: %s", text, fx->err, want);
	/* and the config is the defaults again */
	assert_dbl_eq(fx->c.cooldown_s, 30);
	assert_int_equal(fx->c.ncgroups, 0);
	assert_true(config_allows(&fx->c, "cpu.weight"));
}

/* Each mistake: the text, the line at fault, the message after "FILE:LINE: ". */
static const struct bad_config {
	const char *text;
	int line;
	const char *msg;
} bad_configs[] = {
	/* malformed lines and sections */
	{"cooldown = 5\ncgroup = /a\ncooldown 300\n", 3,
	  "expected KEY = VALUE or [SECTION], got 'cooldown 300'"},
	{"[tuner accept_queue\n", 1,
	  "malformed section header '[tuner accept_queue'"},
	{"[tuner cpu_quota] x\n", 1,
	  "malformed section header '[tuner cpu_quota] x'"},
	{"[global]\n", 1,
	  "unknown section '[global]' (expected [tuner NAME] or [tunable NAME])"},
	{"= 5\n", 1,
	  "a value without a key"},
	{"cooldown =   # none\n", 1,
	  "cooldown has no value"},
	/* unknown keys, tuners, tunables */
	{"enabled = true\n", 1,
	  "unknown key 'enabled' (before any section: on_unfinished_journal, "
	  "revert_on_exit, cooldown, verify_window, min_improvement, allow, cgroup, "
	  "process, culprits, numa, separate, together)"},
	{"[tuner cpu_quota]\nmax = 5\n", 2,
	  "unknown key 'max' in [tuner cpu_quota] (enabled, scaling, scale_out_cooldown, "
	  "scale_in_cooldown, horizon, headroom)"},
	{"[tuner cpu_weight]\nscaling = predictive\n", 2,
	  "unknown key 'scaling' in [tuner cpu_weight] (enabled)"},
	/* scaling */
	{"[tuner cpu_quota]\nscaling = proactive\n", 2,
	  "scaling: 'proactive' is not reactive, predictive or off"},
	{"[tuner cpu_quota]\nscale_in_cooldown = -5\n", 2,
	  "scale_in_cooldown: -5 seconds is out of range (0 up to a year)"},
	{"[tuner cpu_quota]\nscale_out_cooldown = soon\n", 2,
	  "scale_out_cooldown: 'soon' is not a number of seconds"},
	{"[tuner cpu_quota]\nhorizon = 0\n", 2,
	  "horizon: 0 seconds is out of range (above 0 up to a year)"},
	{"[tuner cpu_quota]\nheadroom = -0.1\n", 2,
	  "headroom: '-0.1' is not a fraction from 0 to 10 (0.2 is 20 %)"},
	{"[tunable cpu.weight]\nenabled = true\n", 2,
	  "unknown key 'enabled' in [tunable cpu.weight] (min, max, step, cooldown, "
	  "verify_window)"},
	{"[tuner turbo]\n", 1,
	  "unknown tuner 'turbo' (accept_queue, tcp_buffers, cpu_quota, cpu_weight, "
	  "memory_reclaim, dirty_pages, memory_high, protect, cpuset_rules)"},
	{"\n\n[tunable net.core.rmem_max]\n", 3,
	  "unknown tunable 'net.core.rmem_max'"},
	{"allow = net.core.somaxconn kernel.panic\n", 1,
	  "allow: unknown tunable 'kernel.panic'"},
	/* numbers */
	{"cooldown = soon\n", 1,
	  "cooldown: 'soon' is not a number of seconds"},
	{"verify_window = 0\n", 1,
	  "verify_window: 0 seconds is out of range (above 0 up to a year)"},
	{"cooldown = -1\n", 1,
	  "cooldown: -1 seconds is out of range (0 up to a year)"},
	{"min_improvement = 1.5\n", 1,
	  "min_improvement: '1.5' is not a fraction from 0 to below 1"},
	{"[tunable vm.dirty_ratio]\nmin = five\n", 2,
	  "min: 'five' is not an integer"},
	{"[tunable vm.dirty_ratio]\nmin = 5.5\n", 2,
	  "min: '5.5' is not an integer"},
	{"[tunable memory.high]\nmax = 99999999999999999999\n", 2,
	  "max: '99999999999999999999' is out of range"},
	/* bounds */
	{"[tunable net.core.somaxconn]\nmin = 0\n", 2,
	  "min 0 of net.core.somaxconn is below 1, the lowest value the kernel accepts"},
	{"[tunable net.core.somaxconn]\nmax = 70000\n", 2,
	  "max 70000 of net.core.somaxconn is above 65535, the highest value the "
	  "kernel accepts"},
	{"[tunable vm.dirty_ratio]\nmax = 30\n# then\nmin = 40\n", 4,
	  "min 40 of vm.dirty_ratio is above its max 30"},
	{"[tunable vm.watermark_scale_factor]\nmin = 2000\n", 2,
	  "min 2000 of vm.watermark_scale_factor is above its max 1000 (the default)"},
	{"[tunable net.core.somaxconn]\nmax = unlimited\n", 2,
	  "max of net.core.somaxconn cannot be unlimited"},
	/* steps, booleans, choices, paths */
	{"[tunable cpu.weight]\nstep = 2\n", 2,
	  "step '2' is neither a factor (x2) nor an amount (+5)"},
	{"[tunable cpu.weight]\nstep = x1\n", 2,
	  "step 'x1': a factor is x and a number above 1, at most 16 (x2)"},
	{"[tunable cpu.weight]\nstep = +0\n", 2,
	  "step '+0': an amount is + and an integer above 0 (+5)"},
	{"[tunable cpu.weight]\nstep = +-3\n", 2,
	  "step '+-3': an amount is + and an integer above 0 (+5)"},
	{"[tuner cpu_quota]\nenabled = maybe\n", 2,
	  "'maybe' is not true or false"},
	{"on_unfinished_journal = panic\n", 1,
	  "on_unfinished_journal: 'panic' is neither restore nor report"},
	{"cgroup = sys/fs/cgroup/app\n", 1,
	  "cgroup 'sys/fs/cgroup/app' is not a clean absolute path"},
	{"cgroup = /sys/fs/cgroup/../etc\n", 1,
	  "cgroup '/sys/fs/cgroup/../etc' is not a clean absolute path"},
};

/* the levers of --protect and the processes they may change */
static void test_levers_and_processes(void **state)
{
	struct fx *fx = *state;
	char err[128];

	config_defaults(&fx->c);
	assert_true(config_lever_allows(&fx->c, "nice"));
	assert_true(config_lever_allows(&fx->c, "cpuset.mems"));
	assert_false(config_lever_allows(&fx->c, "net.core.somaxconn"));
	assert_int_equal(fx->c.culprits, CULPRITS_USERS);
	/* ordinary users' processes by default, root's only when named or in a cgroup */
	assert_true(config_process_allowed(&fx->c, 500, "hog", 1000, "/sys/fs/cgroup/cpu/x"));
	assert_false(config_process_allowed(&fx->c, 500, "hog", 0, "/sys/fs/cgroup/cpu/x"));
	assert_false(config_process_allowed(&fx->c, 500, "hog", 999, ""));
	assert_int_equal(load(fx, "allow = nice, net.core.somaxconn\nprocess = hog  batch\n"
			      "process = ffmpeg\nculprits = listed\ncgroup = /sys/fs/cgroup/cpu/b\n"),
			 CONFIG_OK);
	assert_true(config_lever_allows(&fx->c, "nice"));
	assert_false(config_lever_allows(&fx->c, "affinity"));
	assert_false(config_allows(&fx->c, "cpu.shares"));
	assert_true(config_allows(&fx->c, "net.core.somaxconn"));
	assert_int_equal(fx->c.nprocs, 3);
	assert_int_equal(fx->c.culprits, CULPRITS_LISTED);
	assert_true(config_process_allowed(&fx->c, 500, "ffmpeg", 0, ""));
	assert_true(config_process_allowed(&fx->c, 500, "x", 0, "/sys/fs/cgroup/cpu/b/c"));
	assert_false(config_process_allowed(&fx->c, 500, "x", 1000, "/sys/fs/cgroup/cpu/a"));
	assert_int_equal(config_add_pid(&fx->c, 500, err, sizeof(err)), CONFIG_OK);
	assert_true(config_process_allowed(&fx->c, 500, "x", 0, ""));
	assert_int_equal(load(fx, "culprits = some\n"), CONFIG_INVALID);
	assert_string_equal(strstr(fx->err, ":1:") + 4,
			    "culprits: 'some' is neither users nor listed");
	assert_int_equal(load(fx, "\nprocess = a_name_of_sixteen\n"), CONFIG_INVALID);
	assert_non_null(strstr(fx->err, ":2: process: 'a_name_of_sixteen' is longer than a "
			       "process name (15 characters)"));
	assert_int_equal(load(fx, "allow = nice renice\n"), CONFIG_INVALID);
	assert_non_null(strstr(fx->err, "allow: unknown tunable 'renice'"));
}

static void test_errors(void **state)
{
	struct fx *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(bad_configs) / sizeof(bad_configs[0]); i++)
		expect_error(fx, bad_configs[i].text, bad_configs[i].line, bad_configs[i].msg);
}

/* [tuner cpu_quota]'s scaling: defaults, keys, and the quota's cooldown. */
static void test_scaling(void **state)
{
	struct fx *fx = *state;

	config_defaults(&fx->c);
	assert_int_equal(fx->c.scale.mode, SCALE_OFF);
	assert_dbl_eq(fx->c.scale.out_cooldown_s, 300);
	assert_dbl_eq(fx->c.scale.in_cooldown_s, 600);
	assert_dbl_eq(fx->c.scale.horizon_s, 0);
	assert_dbl_eq(fx->c.scale.headroom, 0.2);
	assert_dbl_eq(config_cooldown(&fx->c, "cpu.max"), 30);
	assert_int_equal(load(fx, "[tuner cpu_quota]\nscaling = predictive\n"
			      "scale_out_cooldown = 2\nscale_in_cooldown = 10\nhorizon = 45\n"
			      "headroom = 0.5\n[tunable cpu.max]\ncooldown = 99\n"), CONFIG_OK);
	assert_int_equal(fx->c.scale.mode, SCALE_PREDICTIVE);
	assert_dbl_eq(fx->c.scale.out_cooldown_s, 2);
	assert_dbl_eq(fx->c.scale.in_cooldown_s, 10);
	assert_dbl_eq(fx->c.scale.horizon_s, 45);
	assert_dbl_eq(fx->c.scale.headroom, 0.5);
	/* the scaler keeps its own cooldowns: the quota files' gate has none */
	assert_dbl_eq(config_cooldown(&fx->c, "cpu.max"), 0);
	assert_dbl_eq(config_cooldown(&fx->c, "cpu.cfs_quota_us"), 0);
	assert_dbl_eq(config_cooldown(&fx->c, "cpu.weight"), 30);
	assert_int_equal(load(fx, "[tuner cpu_quota]\nscaling = off\n[tunable cpu.max]\n"
			      "cooldown = 99\n"), CONFIG_OK);
	assert_dbl_eq(config_cooldown(&fx->c, "cpu.max"), 99);
}

static void test_check_current(void **state)
{
	struct fx *fx = *state;
	char want[PATH_MAX + 1024];

	config_defaults(&fx->c);
	assert_int_equal(config_check_current(&fx->c, "net.core.somaxconn", "4096", fx->err,
					      sizeof(fx->err)), CONFIG_OK);
	assert_int_equal(config_check_current(&fx->c, "net.ipv4.tcp_rmem",
					      "4096\t131072\t6291456", fx->err, sizeof(fx->err)),
			 CONFIG_OK);
	assert_int_equal(config_check_current(&fx->c, "memory.high", "max", fx->err,
					      sizeof(fx->err)), CONFIG_OK);
	assert_int_equal(config_check_current(&fx->c, "cpu.max", "max 100000", fx->err,
					      sizeof(fx->err)), CONFIG_OK);
	/* below the min of a tunable its tuner raises: the first step brings it
	 * up to the min (the namespace with somaxconn 8, a 64 KiB
	 * tcp_rmem max); above the max of one it lowers: likewise */
	assert_int_equal(config_check_current(&fx->c, "net.core.somaxconn", "8", fx->err,
					      sizeof(fx->err)), CONFIG_OK);
	assert_int_equal(config_check_current(&fx->c, "net.ipv4.tcp_rmem", "4096 16384 65536",
					      fx->err, sizeof(fx->err)), CONFIG_OK);
	assert_int_equal(config_check_current(&fx->c, "vm.dirty_ratio", "95", fx->err,
					      sizeof(fx->err)), CONFIG_OK);
	/* a default bound below the host's value */
	assert_int_equal(config_check_current(&fx->c, "net.ipv4.tcp_rmem",
					      "4096 131072 134217728", fx->err, sizeof(fx->err)),
			 CONFIG_INVALID);
	assert_string_equal(fx->err, "net.ipv4.tcp_rmem: its current value 134217728 is above the "
			    "default max 67108864; set max in a [tunable net.ipv4.tcp_rmem] section");
	assert_int_equal(config_check_current(&fx->c, "net.core.somaxconn", "many", fx->err,
					      sizeof(fx->err)), CONFIG_INVALID);
	assert_string_equal(fx->err, "net.core.somaxconn: its current value 'many' is not understood");
	/* a bound from the file: its line */
	assert_int_equal(load(fx, "[tunable net.core.somaxconn]\nmax = 1024\n"
			      "[tunable vm.dirty_ratio]\nmin = 30\n"), CONFIG_OK);
	assert_int_equal(config_check_current(&fx->c, "net.core.somaxconn", "4096", fx->err,
					      sizeof(fx->err)), CONFIG_INVALID);
	snprintf(want, sizeof(want),
		 "%s:2: max 1024 of net.core.somaxconn is below its current value 4096", fx->path);
	assert_string_equal(fx->err, want);
	assert_int_equal(config_check_current(&fx->c, "vm.dirty_ratio", "20", fx->err,
					      sizeof(fx->err)), CONFIG_INVALID);
	snprintf(want, sizeof(want), "%s:4: min 30 of vm.dirty_ratio is above its current value 20",
		 fx->path);
	assert_string_equal(fx->err, want);
	assert_int_equal(config_check_current(&fx->c, "vm.dirty_ratio", "40", fx->err,
					      sizeof(fx->err)), CONFIG_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_levers_and_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_current, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scaling, setup, teardown),
	};

	return cmocka_run_group_tests_name("tune_config", tests, NULL, NULL);
}
