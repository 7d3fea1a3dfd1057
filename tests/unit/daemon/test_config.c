// SPDX-License-Identifier: GPL-2.0
/* The daemon's config file: defaults, every key, durations and sizes, each
 * mistake as FILE:LINE, the command line on top, and a reload that keeps
 * the config in force when the new file is wrong. */
#define _GNU_SOURCE
#include "unit.h"
#include "daemon/config.h"
#include "daemon/log.h"

struct fx {
	char path[128];
	char err[600];
	struct daemon_config c, next;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	unit_tmp_file(fx->path, sizeof(fx->path), "dconf");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	daemon_config_free(&fx->c);
	daemon_config_free(&fx->next);
	unlink(fx->path);
	free(fx);
	return 0;
}

static void put(struct fx *fx, const char *text)
{
	FILE *f = fopen(fx->path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Parse text over the defaults: 0 or -1 (fx->err). */
static int parse(struct fx *fx, const char *text)
{
	FILE *f = unit_text(text);
	int rc;

	daemon_config_free(&fx->c);
	assert_int_equal(daemon_config_defaults(&fx->c), 0);
	fx->err[0] = 0;
	rc = daemon_config_parse(&fx->c, f, "d.conf", fx->err, sizeof(fx->err));
	fclose(f);
	return rc;
}

static void test_defaults(void **state)
{
	struct fx *fx = *state;
	struct daemon_config *c = &fx->c;

	assert_int_equal(parse(fx, ""), 0);
	assert_int_equal(c->ncgroups, 0);
	assert_dbl_eq(c->interval_s, 5);
	assert_string_equal(c->state_dir, "/var/lib/perfpilot");
	assert_int_equal(c->profile_hz, 19);
	assert_false(c->profile_inlines);
	assert_int_equal(c->profile_unwind_mb, 4);
	assert_int_equal(c->log_level, DLOG_INFO);
	assert_int_equal(c->sched_source, SCHED_SOURCE_ITERATOR);
	assert_dbl_eq(c->max_age_s, 7 * 86400);
	assert_dbl_eq(c->max_size_bytes, 512.0 * 1024 * 1024);
	assert_int_equal(c->rollup.ntiers, 2);
	assert_dbl_eq(c->rollup.age_s[0], 6 * 3600);
	assert_dbl_eq(c->rollup.age_s[1], 86400);
	assert_dbl_eq(c->rollup.step_s[0], 10);
	assert_dbl_eq(c->rollup.step_s[1], 60);
	assert_dbl_eq(c->every_s, 60);
	assert_dbl_eq(c->window_s, 3600);
	assert_string_equal(c->listen, "127.0.0.1:9464");
	assert_string_equal(c->token_file, "");
	assert_int_equal(c->top_processes, 20);
	assert_false(c->tune_enabled);
	assert_false(c->tune_apply);
	assert_string_equal(c->tune_config, "/etc/perfpilot/tune.conf");
	assert_string_equal(c->file, "");
}

/* Every key of the spec's example, with other values than the defaults. */
static const char *const full =
	"# perfpilot daemon\n"
	"[daemon]\n"
	"target = /sys/fs/cgroup/app  system.slice   # two cgroups\n"
	"interval = 2\n"
	"state_dir = /srv/pp\n"
	"profile_hz = 0\n"
	"profile_inlines = true\n"
	"profile_unwind_mb = 32\n"
	"log_level = debug\n"
	"sched_source = switch\n"
	"\n"
	"[retention]\n"
	"max_age = 12h\n"
	"max_size = 2G\n"
	"rollup = 30m, 2h\n"
	"[analysis]\n"
	"every = 5m\n"
	"window = 2h\n"
	"[http]\n"
	"listen = [::1]:9500\n"
	"token_file = /etc/perfpilot/token\n"
	"top_processes = 5\n"
	"[tune]\n"
	"enabled = yes\n"
	"apply = true\n"
	"config = /srv/tune.conf\n"
	"[notify]\n"
	"webhook = http://127.0.0.1:8080/hook#frag\n"
	"timeout = 5s\n"
	"[alert memory]\n"
	"finding = memory_growth\n"
	"severity = warning\n"
	"cooldown = 10m\n"
	"[alert cpu]\n"
	"metric = perfpilot_cgroup_cpu_seconds_total\n"
	"match = cgroup=/app\n"
	"above = 0.9\n"
	"for = 5m\n";

static void test_every_key(void **state)
{
	struct fx *fx = *state;
	struct daemon_config *c = &fx->c;

	assert_int_equal(parse(fx, full), 0);
	assert_int_equal(c->ncgroups, 2);
	assert_string_equal(c->cgroups[0], "/sys/fs/cgroup/app");
	assert_string_equal(c->cgroups[1], "system.slice");
	assert_dbl_eq(c->interval_s, 2);
	assert_string_equal(c->state_dir, "/srv/pp");
	assert_int_equal(c->profile_hz, 0);
	assert_true(c->profile_inlines);
	assert_int_equal(c->profile_unwind_mb, 32);
	assert_int_equal(c->log_level, DLOG_DEBUG);
	assert_int_equal(c->sched_source, SCHED_SOURCE_SWITCH);
	assert_dbl_eq(c->max_age_s, 12 * 3600);
	assert_dbl_eq(c->max_size_bytes, 2.0 * 1024 * 1024 * 1024);
	assert_int_equal(c->rollup.ntiers, 2);
	assert_dbl_eq(c->rollup.age_s[0], 1800);
	assert_dbl_eq(c->rollup.age_s[1], 7200);
	assert_dbl_eq(c->every_s, 300);
	assert_dbl_eq(c->window_s, 7200);
	assert_string_equal(c->listen, "[::1]:9500");
	assert_string_equal(c->token_file, "/etc/perfpilot/token");
	assert_int_equal(c->top_processes, 5);
	assert_true(c->tune_enabled);
	assert_true(c->tune_apply);
	assert_string_equal(c->tune_config, "/srv/tune.conf");
	/* target = all after cgroups: the whole host again; an empty token file */
	assert_int_equal(parse(fx, "[daemon]\ntarget = all\n[http]\ntoken_file =   # none\n"), 0);
	assert_int_equal(c->ncgroups, 0);
	assert_string_equal(c->token_file, "");
}

/* rollup = off: the store keeps every interval as recorded */
static void test_rollup_off(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(parse(fx, "[retention]\nrollup = off\n"), 0);
	assert_int_equal(fx->c.rollup.ntiers, 0);
}

static void test_durations(void **state)
{
	static const struct { const char *s; double v; } ok[] = {
		{ "30", 30 }, { "1.5", 1.5 }, { "30s", 30 }, { "5m", 300 }, { "1h", 3600 },
		{ "7d", 604800 }, { "0.5h", 1800 }, { "0", 0 },
	};
	static const char *const bad[] = { "", "-1", "5x", "5 m", "m", "1e400", "5ms", " 5",
					   "nan", "inf", "+3" };
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = -1;
		if (daemon_parse_duration(ok[i].s, &v))
			fail_msg("'%s' refused", ok[i].s);
		assert_dbl_eq(v, ok[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!daemon_parse_duration(bad[i], &v))
			fail_msg("'%s' accepted as %g", bad[i], v);
}

static void test_sizes(void **state)
{
	static const struct { const char *s; double v; } ok[] = {
		{ "1048576", 1048576 }, { "512K", 524288 }, { "512M", 536870912 },
		{ "2G", 2147483648.0 }, { "1.5M", 1572864 }, { "0", 0 }, { "4k", 4096 },
	};
	static const char *const bad[] = { "", "-1M", "12T", "5MB", "M", "1 M", "x" };
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = -1;
		if (daemon_parse_size(ok[i].s, &v))
			fail_msg("'%s' refused", ok[i].s);
		assert_dbl_eq(v, ok[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!daemon_parse_size(bad[i], &v))
			fail_msg("'%s' accepted as %g", bad[i], v);
}

/* Each mistake: the whole message, with the file and line. */
static void test_errors(void **state)
{
	static const struct { const char *text, *err; } cases[] = {
		{ "interval = 5\n", "d.conf:1: interval = ... before any section: put it under "
		  "[daemon], [retention], [analysis], [http] or [tune]" },
		{ "[daemon]\n[bogus]\n", "d.conf:2: unknown section [bogus]: use [daemon], "
		  "[retention], [analysis], [http], [tune], [notify] or [alert NAME]" },
		{ "[daemon]\nintervall = 5\n", "d.conf:2: unknown key 'intervall' in [daemon]: use "
		  "target, interval, state_dir, profile_hz, profile_inlines, profile_unwind_mb, "
		  "log_level, sched_source" },
		{ "[daemon]\ninterval 5\n", "d.conf:2: expected KEY = VALUE or [SECTION], got "
		  "'interval 5'" },
		{ "[daemon]\n = 5\n", "d.conf:2: a key is missing before '='" },
		{ "[daemon\n", "d.conf:1: a section is [NAME] alone on its line, got '[daemon'" },
		{ "[daemon]\n\n\ninterval = 5x\n", "d.conf:4: interval = '5x': use seconds between "
		  "intervals, from 0.1 to 3600 (5, 30s, 1m)" },
		{ "[daemon]\ninterval = 0\n", "d.conf:2: interval = '0': use seconds between "
		  "intervals, from 0.1 to 3600 (5, 30s, 1m)" },
		{ "[daemon]\nprofile_hz = -3\n", "d.conf:2: profile_hz = '-3': use samples a second "
		  "per CPU, from 0 (no profile) to 1000" },
		{ "[daemon]\nprofile_hz = 1001\n", "d.conf:2: profile_hz = '1001': use samples a "
		  "second per CPU, from 0 (no profile) to 1000" },
		{ "[daemon]\nprofile_unwind_mb = 0\n", "d.conf:2: profile_unwind_mb = '0': use MiB "
		  "for the unwind tables of the profiled binaries, from 1 to 4096" },
		{ "[daemon]\nlog_level = loud\n", "d.conf:2: log_level = 'loud': use debug, info, "
		  "warning or error" },
		{ "[daemon]\nsched_source = tick\n", "d.conf:2: sched_source = 'tick': use "
		  "iterator (the default: nothing per context switch) or switch (exact run-queue "
		  "waits)" },
		{ "[daemon]\nsched_source = Iterator\n", "d.conf:2: sched_source = 'Iterator': use "
		  "iterator (the default: nothing per context switch) or switch (exact run-queue "
		  "waits)" },
		{ "[daemon]\nstate_dir =\n", "d.conf:2: state_dir is empty: use a directory" },
		{ "[daemon]\ntarget = all /x\n", "d.conf:2: target: all goes alone, not with "
		  "cgroups" },
		{ "[daemon]\ntarget =\n", "d.conf:2: target is empty: all, or cgroup paths "
		  "separated by spaces" },
		{ "[daemon]\ninterval = 5\ninterval = 6\n", "d.conf:3: interval set again in "
		  "[daemon] (first at line 2)" },
		{ "[retention]\nmax_size = 12T\n", "d.conf:2: max_size = '12T': use a size such as "
		  "512M, 2G (0: no limit)" },
		{ "[retention]\nmax_age = forever\n", "d.conf:2: max_age = 'forever': use a "
		  "duration such as 7d, 12h (0: no limit)" },
		{ "[retention]\nrollup = 6h\n", "d.conf:2: rollup = '6h': use two ages such as "
		  "6h,1d (10 s steps after the first, 1 min steps after the second), or off" },
		{ "[retention]\nrollup = 6h,often\n", "d.conf:2: rollup = '6h,often': use two "
		  "ages such as 6h,1d" },
		{ "[retention]\nrollup = 1d,6h\n", "d.conf:2: rollup = '1d,6h': the first age must "
		  "be above 0 and the second above it: 10 s steps after the first, 1 min steps after "
		  "the second (such as 6h,1d)" },
		{ "[retention]\nrollup = 0,1h\n", "d.conf:2: rollup = '0,1h': the first age must "
		  "be above 0" },
		{ "[analysis]\nevery = 0.5\n", "d.conf:2: every = '0.5': use seconds between "
		  "analyses, from 1 to 1d (60, 5m)" },
		{ "[http]\nlisten = 9464\n", "d.conf:2: 9464: no port: give ADDR:PORT, e.g. "
		  "127.0.0.1:9464" },
		{ "[http]\nlisten = 127.0.0.1:70000\n", "d.conf:2: 127.0.0.1:70000: the port must be "
		  "a number from 0 to 65535" },
		{ "[http]\nlisten = myhost:80\n", "d.conf:2: myhost:80: " },
		{ "[http]\ntop_processes = many\n", "d.conf:2: top_processes = 'many': use how "
		  "many processes get series, from 0 to 10000" },
		{ "[tune]\nenabled = maybe\n", "d.conf:2: enabled = 'maybe': use true or false" },
		{ "[alert]\n", "d.conf:1: [alert] needs a name: [alert NAME]" },
		{ "[alert a b]\n", "d.conf:1: [alert a b]: a name of at most 63 letters, digits, "
		  "'_', '.' or '-'" },
		{ "[alert x]\nfinding = *\n[alert x]\n", "d.conf:3: [alert x] again (first at "
		  "line 1)" },
		{ "[alert x]\nseverity = huge\n", "d.conf:2: [alert x]: severity 'huge' is not "
		  "info, warning or critical" },
		{ "[notify]\nwebhook = ftp://x\n", "d.conf:2: [notify]: webhook 'ftp://x' is not an "
		  "http:// or https:// URL" },
		/* the whole, once read */
		{ "[alert x]\nseverity = info\n", "d.conf: [alert x]: neither finding nor metric: "
		  "an alert needs finding = KIND (or *) or metric = NAME" },
		{ "[daemon]\ninterval = 60\n[analysis]\nwindow = 90\n", "d.conf: [analysis] window "
		  "= 90 s is shorter than two intervals (interval = 60 s)" },
		{ "[tune]\napply = true\n", "d.conf: [tune] apply = true needs enabled = true" },
	};
	struct fx *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!parse(fx, cases[i].text))
			fail_msg("accepted: %s", cases[i].text);
		if (strncmp(fx->err, cases[i].err, strlen(cases[i].err)))
			fail_msg("for '%s':\n  got      '%s'\n  expected '%s'", cases[i].text,
				 fx->err, cases[i].err);
		assert_null(strchr(fx->err, '\n'));
	}
}

static void test_load_and_overrides(void **state)
{
	struct fx *fx = *state;
	struct daemon_overrides ov = { .listen = "127.0.0.1:9999", .state_dir = "/tmp/st",
				       .interval_s = 1, .log_level = DLOG_ERROR, .all = true };

	put(fx, "[daemon]\ntarget = /a /b\ninterval = 10\n[http]\nlisten = 127.0.0.1:1234\n");
	assert_int_equal(daemon_config_load(&fx->c, fx->path, NULL, fx->err, sizeof(fx->err)),
			 DCONFIG_OK);
	assert_string_equal(fx->c.file, fx->path);
	assert_int_equal(fx->c.ncgroups, 2);
	assert_dbl_eq(fx->c.interval_s, 10);
	daemon_config_free(&fx->c);
	assert_int_equal(daemon_config_load(&fx->c, fx->path, &ov, fx->err, sizeof(fx->err)),
			 DCONFIG_OK);
	assert_int_equal(fx->c.ncgroups, 0);
	assert_dbl_eq(fx->c.interval_s, 1);
	assert_string_equal(fx->c.listen, "127.0.0.1:9999");
	assert_string_equal(fx->c.state_dir, "/tmp/st");
	assert_int_equal(fx->c.log_level, DLOG_ERROR);
	daemon_config_free(&fx->c);
	/* -c on the command line replaces the file's target */
	ov = (struct daemon_overrides){ .cgroups = { "/c" }, .ncgroups = 1, .log_level = -1 };
	assert_int_equal(daemon_config_load(&fx->c, fx->path, &ov, fx->err, sizeof(fx->err)),
			 DCONFIG_OK);
	assert_int_equal(fx->c.ncgroups, 1);
	assert_string_equal(fx->c.cgroups[0], "/c");
	assert_int_equal(fx->c.log_level, DLOG_INFO);
	daemon_config_free(&fx->c);
	/* a file given but missing: one line, nothing to free */
	assert_int_equal(daemon_config_load(&fx->c, "/nonexistent/pp.conf", NULL, fx->err,
					    sizeof(fx->err)), DCONFIG_BAD);
	assert_string_equal(fx->err, "/nonexistent/pp.conf: cannot read it: No such file or "
			    "directory");
	assert_null(fx->c.alerts);
	/* the overrides are checked with the file: -i 60 against a 90 s window */
	put(fx, "[analysis]\nwindow = 90\n");
	ov = (struct daemon_overrides){ .interval_s = 60, .log_level = -1 };
	assert_int_equal(daemon_config_load(&fx->c, fx->path, &ov, fx->err, sizeof(fx->err)),
			 DCONFIG_BAD);
	assert_non_null(strstr(fx->err, "window = 90 s is shorter than two intervals"));
}

/* SIGHUP: a broken file leaves the config in force and says where it is
 * broken; a good one gives the new values. */
static void test_reload(void **state)
{
	struct fx *fx = *state;
	struct daemon_overrides ov = { .interval_s = 1, .log_level = -1 };

	put(fx, "[daemon]\ninterval = 10\n[http]\ntop_processes = 7\n");
	assert_int_equal(daemon_config_load(&fx->c, fx->path, &ov, fx->err, sizeof(fx->err)),
			 DCONFIG_OK);
	put(fx, "[http]\ntop_processes = 8\n[retention]\nmax_size = lots\n");
	assert_int_equal(daemon_config_reload(&fx->c, &fx->next, NULL, &ov, fx->err,
					      sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, ":4: max_size = 'lots'"));
	assert_int_equal(strncmp(fx->err, fx->path, strlen(fx->path)), 0);
	assert_null(fx->next.alerts);
	assert_int_equal(fx->c.top_processes, 7);
	assert_dbl_eq(fx->c.interval_s, 1); /* the command line's, still */
	put(fx, "[http]\ntop_processes = 8\n[retention]\nmax_size = 1G\n");
	assert_int_equal(daemon_config_reload(&fx->c, &fx->next, NULL, &ov, fx->err,
					      sizeof(fx->err)), 0);
	assert_int_equal(fx->next.top_processes, 8);
	assert_dbl_eq(fx->next.max_size_bytes, 1024.0 * 1024 * 1024);
	assert_dbl_eq(fx->next.interval_s, 1);
	assert_int_equal(fx->c.top_processes, 7);
	/* a file that went away: refused, the old config stays */
	unlink(fx->path);
	daemon_config_free(&fx->next);
	assert_int_equal(daemon_config_reload(&fx->c, &fx->next, NULL, &ov, fx->err,
					      sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "cannot read it"));
	assert_int_equal(fx->c.top_processes, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollup_off, setup, teardown),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_and_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
