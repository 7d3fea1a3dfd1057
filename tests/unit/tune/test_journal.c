// SPDX-License-Identifier: GPL-2.0
/* The tune journal: durable adds and updates, crash states, corrupt files, order. */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include "tunefs.h"
#include "tune/journal.h"

struct fx {
	char dir[PATH_MAX];
	char path[PATH_MAX + 32];
	char err[512];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	tfs_mkroot(fx->dir, sizeof(fx->dir), "journal");
	snprintf(fx->path, sizeof(fx->path), "%s/" JOURNAL_FILE, fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	tfs_rmroot(fx->dir);
	free(fx);
	return 0;
}

static void entry(struct journal_entry *e, const char *tunable, const char *old,
		  const char *new)
{
	journal_entry_init(e);
	e->scope = TUNE_SYSCTL;
	snprintf(e->tunable, sizeof(e->tunable), "%s", tunable);
	snprintf(e->old, sizeof(e->old), "%s", old);
	snprintf(e->new, sizeof(e->new), "%s", new);
	snprintf(e->reason, sizeof(e->reason), "listen queue overflowed 12/s");
	snprintf(e->finding, sizeof(e->finding), "listen_overflow");
	snprintf(e->tuner, sizeof(e->tuner), "accept_queue");
	e->state = JS_PENDING;
}

/* The journal file as JSON, loaded from disk by jansson, not by the journal. */
static json_t *on_disk(const struct fx *fx)
{
	json_error_t je;
	json_t *j = json_load_file(fx->path, 0, &je);

	if (!j)
		fail_msg("%s: %s", fx->path, je.text);
	return j;
}

static const char *disk_entry_str(json_t *root, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(root, "entries"),
								 i), key));
}

static size_t disk_entries(json_t *root)
{
	return json_array_size(json_object_get(root, "entries"));
}

static void test_missing_is_empty(void **state)
{
	struct fx *fx = *state;
	struct journal j;
	char sub[PATH_MAX + 8];

	assert_int_equal(journal_load(&j, fx->dir, 0, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(j.n, 0);
	assert_int_equal(j.next_id, 1);
	assert_null(journal_newest(&j, 0));
	assert_false(tfs_exists(fx->dir, JOURNAL_FILE));
	journal_free(&j);
	/* a state directory that does not exist yet: empty, made on the first save */
	snprintf(sub, sizeof(sub), "%s/state", fx->dir);
	assert_int_equal(journal_load(&j, sub, 0, fx->err, sizeof(fx->err)), 0);
	assert_false(tfs_exists(fx->dir, "state"));
	assert_int_equal(journal_save(&j, fx->err, sizeof(fx->err)), 0);
	assert_true(tfs_exists(fx->dir, "state/" JOURNAL_FILE));
	journal_free(&j);
}

/* every add and update is on disk when the call returns */
static void test_add_update_are_durable(void **state)
{
	struct fx *fx = *state;
	struct journal j;
	struct journal_entry e;
	int64_t id;
	json_t *d;

	assert_int_equal(journal_load(&j, fx->dir, JOURNAL_LOCK, fx->err, sizeof(fx->err)), 0);
	entry(&e, "net.core.somaxconn", "4096", "8192");
	assert_int_equal(journal_add(&j, &e, &id, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(id, 1);
	d = on_disk(fx);
	assert_int_equal(disk_entries(d), 1);
	assert_string_equal(disk_entry_str(d, 0, "state"), "pending");
	assert_string_equal(disk_entry_str(d, 0, "old"), "4096");
	assert_string_equal(disk_entry_str(d, 0, "new"), "8192");
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(d, "entries"), 0),
						 "netns")));
	assert_true(json_real_value(json_object_get(json_array_get(json_object_get(d, "entries"),
								   0), "time")) > 1.6e9);
	json_decref(d);
	assert_int_equal(journal_update(&j, id, JS_APPLIED, NULL, fx->err, sizeof(fx->err)), 0);
	d = on_disk(fx);
	assert_string_equal(disk_entry_str(d, 0, "state"), "applied");
	json_decref(d);
	assert_int_equal(journal_set_effect(&j, id, "net.listen_overflows", 12.5, 0, fx->err,
					    sizeof(fx->err)), 0);
	d = on_disk(fx);
	assert_dbl_eq(json_number_value(json_object_get(
			      json_object_get(json_array_get(json_object_get(d, "entries"), 0),
					      "effect"), "before")), 12.5);
	json_decref(d);
	journal_free(&j);
}

static void test_round_trip_and_newest_first(void **state)
{
	struct fx *fx = *state;
	struct journal j, k;
	struct journal_entry e, *p;
	size_t i;

	assert_int_equal(journal_load(&j, fx->dir, 0, fx->err, sizeof(fx->err)), 0);
	entry(&e, "net.core.somaxconn", "4096", "8192");
	e.time = 1700000000.25;
	assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), 0);
	entry(&e, "net.ipv4.tcp_rmem", "4096\t131072\t6291456", "4096 131072 12582912");
	snprintf(e.netns, sizeof(e.netns), "web");
	e.ino = 4026532281ULL;
	assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), 0);
	entry(&e, "cpu.max", "max 100000", "150000 100000");
	e.scope = TUNE_CGROUP;
	snprintf(e.cgroup, sizeof(e.cgroup), "/sys/fs/cgroup/app");
	snprintf(e.tuner, sizeof(e.tuner), "cpu_quota");
	e.finding[0] = 0;
	assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(journal_update(&j, 3, JS_ADMIN_CHANGED, "now 50000 100000", fx->err,
					sizeof(fx->err)), 0);
	journal_free(&j);

	if (journal_load(&k, fx->dir, 0, fx->err, sizeof(fx->err)))
		fail_msg("%s", fx->err);
	assert_int_equal(k.n, 3);
	assert_int_equal(k.next_id, 4);
	for (i = 0; i < 3; i++)
		assert_int_equal(journal_newest(&k, i)->id, 3 - (int64_t)i);
	assert_null(journal_newest(&k, 3));
	p = journal_get(&k, 1);
	assert_dbl_eq(p->time, 1700000000.25);
	assert_string_equal(p->netns, "");
	assert_true(isnan(p->before) && isnan(p->after));
	p = journal_get(&k, 2);
	assert_string_equal(p->old, "4096\t131072\t6291456");
	assert_string_equal(p->netns, "web");
	assert_true(p->ino == 4026532281ULL);
	p = journal_get(&k, 3);
	assert_int_equal(p->scope, TUNE_CGROUP);
	assert_string_equal(p->cgroup, "/sys/fs/cgroup/app");
	assert_int_equal(p->state, JS_ADMIN_CHANGED);
	assert_string_equal(p->note, "now 50000 100000");
	assert_string_equal(p->finding, "");
	assert_int_equal(journal_open_count(&k), 2);
	assert_null(journal_get(&k, 4));
	journal_free(&k);
}

/* a crash after the pending entry was written: it is there on the next start */
static void test_crash_leaves_pending(void **state)
{
	struct fx *fx = *state;
	struct journal j;
	struct journal_entry e;

	assert_int_equal(journal_load(&j, fx->dir, JOURNAL_LOCK, fx->err, sizeof(fx->err)), 0);
	entry(&e, "vm.dirty_ratio", "20", "15");
	assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), 0);
	/* the process dies here: no update, the lock goes with it */
	journal_free(&j);
	assert_int_equal(journal_load(&j, fx->dir, JOURNAL_LOCK, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(j.n, 1);
	assert_int_equal(j.e[0].state, JS_PENDING);
	assert_int_equal(journal_open_count(&j), 1);
	/* the next entry does not reuse the id */
	entry(&e, "vm.dirty_background_ratio", "10", "5");
	assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(j.e[1].id, 2);
	journal_free(&j);
}

static void expect_corrupt(struct fx *fx, const char *content, const char *why)
{
	struct journal j;
	struct journal_entry e;

	tfs_put(fx->dir, JOURNAL_FILE, content);
	assert_int_equal(journal_load(&j, fx->dir, 0, fx->err, sizeof(fx->err)), -1);
	if (!strstr(fx->err, fx->path) || !strstr(fx->err, why) ||
	    !strstr(fx->err, "left as it is"))
		fail_msg("for %s: '%s' lacks '%s'", content, fx->err, why);
	/* nothing can be saved over it */
	assert_int_equal(journal_save(&j, fx->err, sizeof(fx->err)), -1);
	entry(&e, "vm.dirty_ratio", "20", "15");
	assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), -1);
	assert_string_equal(tfs_get(fx->dir, JOURNAL_FILE), content);
	journal_free(&j);
}

#define HEAD "{\"format\": \"perfpilot-tune-journal\", \"version\": 1, \"next_id\": 2, "
#define GOOD_ENTRY "{\"id\": 1, \"time\": 1.5, \"scope\": \"sysctl\", \"netns\": null, " \
	"\"cgroup\": null, \"ino\": null, \"tunable\": \"vm.dirty_ratio\", \"old\": \"20\", " \
	"\"new\": \"15\", \"reason\": \"r\", \"finding\": null, \"state\": \"%s\", " \
	"\"note\": null, \"effect\": {\"metric\": null, \"before\": null, \"after\": null}, " \
	"\"tuner\": \"dirty_pages\"}"

static void test_corrupt_refused(void **state)
{
	struct fx *fx = *state;
	char buf[1024];
	struct journal j;

	expect_corrupt(fx, "{\"format\": \"perfpilot-tune-jour", "corrupt tune journal (line 1");
	expect_corrupt(fx, "", "corrupt tune journal");
	expect_corrupt(fx, "[1, 2]", "not a perfpilot tune journal");
	expect_corrupt(fx, "{\"format\": \"perfpilot-tune-journal\", \"version\": 9, "
			   "\"next_id\": 1, \"entries\": []}", "written by a newer perfpilot");
	expect_corrupt(fx, HEAD "\"entries\": [{\"id\": 1}]}", "entry 1: \"time\" is not a number");
	snprintf(buf, sizeof(buf), HEAD "\"entries\": [" GOOD_ENTRY "]}", "halfway");
	expect_corrupt(fx, buf, "entry 1: \"state\" is not a known state");
	snprintf(buf, sizeof(buf), HEAD "\"entries\": [" GOOD_ENTRY ", " GOOD_ENTRY "]}",
		 "applied", "applied");
	expect_corrupt(fx, buf, "entry 2: id 1 out of order");
	/* the same entry, well-formed, loads */
	snprintf(buf, sizeof(buf), HEAD "\"entries\": [" GOOD_ENTRY "]}", "kept");
	tfs_put(fx->dir, JOURNAL_FILE, buf);
	assert_int_equal(journal_load(&j, fx->dir, 0, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(j.e[0].state, JS_KEPT);
	assert_string_equal(j.e[0].tuner, "dirty_pages");
	journal_free(&j);
}

/* version 2: a process's entry keeps its PID and start time; version 1 still loads */
static void test_process_entries(void **state)
{
	struct fx *fx = *state;
	struct journal j;
	struct journal_entry e;
	struct tune_target t;
	char buf[1024];
	json_t *root;

	assert_int_equal(journal_load(&j, fx->dir, JOURNAL_LOCK, fx->err, sizeof(fx->err)), 0);
	entry(&e, "nice", "0", "19");
	e.scope = TUNE_PROCESS;
	e.pid = 4242;
	e.start = 987654321;
	assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), 0);
	entry(&e, "cpuset.cpus", "", "1");
	e.scope = TUNE_CGROUP;
	snprintf(e.cgroup, sizeof(e.cgroup), "/sys/fs/cgroup/cpuset/batch");
	e.ino = 7;
	assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), 0);
	journal_free(&j);
	root = on_disk(fx);
	assert_int_equal(json_integer_value(json_object_get(root, "version")), 2);
	assert_string_equal(disk_entry_str(root, 0, "scope"), "process");
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(json_object_get(root, "entries"), 0), "pid")), 4242);
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(json_object_get(root, "entries"), 0), "start")), 987654321);
	assert_true(json_is_null(json_object_get(
		json_array_get(json_object_get(root, "entries"), 1), "pid")));
	json_decref(root);
	assert_int_equal(journal_load(&j, fx->dir, 0, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(j.e[0].scope, TUNE_PROCESS);
	assert_int_equal(j.e[0].pid, 4242);
	assert_int_equal(j.e[0].start, 987654321);
	assert_string_equal(j.e[1].old, "");
	journal_entry_target(&j.e[0], &t);
	assert_int_equal(t.pid, 4242);
	assert_int_equal(t.start, 987654321);
	journal_free(&j);
	/* malformed: a process entry without its PID, a sysctl with one */
	snprintf(buf, sizeof(buf), "{\"format\": \"perfpilot-tune-journal\", \"version\": 2, "
		 "\"next_id\": 2, \"entries\": [{\"id\": 1, \"time\": 1.5, \"scope\": "
		 "\"process\", \"netns\": null, \"cgroup\": null, \"ino\": null, \"pid\": null, "
		 "\"start\": null, \"tunable\": \"nice\", \"old\": \"0\", \"new\": \"19\", "
		 "\"reason\": \"r\", \"finding\": null, \"state\": \"applied\", \"note\": null, "
		 "\"effect\": {\"metric\": null, \"before\": null, \"after\": null}, "
		 "\"tuner\": null}]}");
	expect_corrupt(fx, buf, "entry 1: \"pid\" is not a PID");
	snprintf(buf, sizeof(buf), HEAD "\"entries\": [" GOOD_ENTRY "]}", "kept");
	{
		char *at = strstr(buf, "{\"id\"") + 1;
		const char *ins = "\"pid\": 7, ";

		memmove(at + strlen(ins), at, strlen(at) + 1);
		memcpy(at, ins, strlen(ins));
	}
	expect_corrupt(fx, buf, "entry 1: \"pid\" is not null outside a process entry");
}

static void test_lock_one_tuner(void **state)
{
	struct fx *fx = *state;
	struct journal a, b;

	assert_int_equal(journal_load(&a, fx->dir, JOURNAL_LOCK, fx->err, sizeof(fx->err)), 0);
	assert_int_equal(journal_load(&b, fx->dir, JOURNAL_LOCK, fx->err, sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "another perfpilot tune is running"));
	/* reading (--status) needs no lock */
	assert_int_equal(journal_load(&b, fx->dir, 0, fx->err, sizeof(fx->err)), 0);
	journal_free(&b);
	journal_free(&a);
	assert_int_equal(journal_load(&b, fx->dir, JOURNAL_LOCK, fx->err, sizeof(fx->err)), 0);
	journal_free(&b);
}

/* only the journal and its lock in the directory: no temp file left; 0600 */
static void test_no_temp_files_private(void **state)
{
	struct fx *fx = *state;
	struct journal j;
	struct journal_entry e;
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int i, others = 0;

	assert_int_equal(journal_load(&j, fx->dir, JOURNAL_LOCK, fx->err, sizeof(fx->err)), 0);
	for (i = 0; i < 5; i++) {
		entry(&e, "vm.dirty_ratio", "20", "15");
		assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), 0);
		assert_int_equal(journal_update(&j, e.id, JS_REVERTED, NULL, fx->err,
						sizeof(fx->err)), 0);
	}
	journal_free(&j);
	dir = opendir(fx->dir);
	assert_non_null(dir);
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
		    strcmp(d->d_name, JOURNAL_FILE) && strcmp(d->d_name, JOURNAL_LOCK_FILE))
			others++;
	closedir(dir);
	assert_int_equal(others, 0);
	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* a save that fails leaves the journal in memory as it was */
static void test_failed_save_changes_nothing(void **state)
{
	struct fx *fx = *state;
	struct journal j;
	struct journal_entry e;
	char sub[PATH_MAX + 8];

	snprintf(sub, sizeof(sub), "%s/s", fx->dir);
	assert_int_equal(journal_load(&j, sub, 0, fx->err, sizeof(fx->err)), 0);
	entry(&e, "vm.dirty_ratio", "20", "15");
	assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), 0);
	/* the state directory becomes unwritable: a file where it was */
	tfs_rmroot(sub);
	tfs_put(fx->dir, "s", "not a directory\n");
	assert_int_equal(journal_update(&j, 1, JS_APPLIED, NULL, fx->err, sizeof(fx->err)), -1);
	assert_int_equal(j.e[0].state, JS_PENDING);
	entry(&e, "vm.dirty_ratio", "15", "10");
	assert_int_equal(journal_add(&j, &e, NULL, fx->err, sizeof(fx->err)), -1);
	assert_int_equal(j.n, 1);
	assert_int_equal(j.next_id, 2);
	journal_free(&j);
}

static void test_json_line(void **state)
{
	struct journal_entry e;
	char *buf = NULL;
	size_t len = 0;
	json_error_t je;
	json_t *o;
	FILE *f;

	(void)state;
	entry(&e, "net.ipv4.tcp_rmem", "4096\t131072\t6291456", "4096 131072 12582912");
	e.id = 7;
	e.time = 1700000000.5;
	e.state = JS_KEPT;
	snprintf(e.metric, sizeof(e.metric), "net.retrans_segs");
	e.before = 40;
	e.after = 4;
	f = open_memstream(&buf, &len);
	assert_int_equal(journal_entry_write_line(&e, f), 0);
	fclose(f);
	assert_non_null(strchr(buf, '\n'));
	assert_int_equal(strchr(buf, '\n') - buf, (long)len - 1);
	o = json_loads(buf, 0, &je);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "id")), 7);
	assert_string_equal(json_string_value(json_object_get(o, "state")), "kept");
	assert_string_equal(json_string_value(json_object_get(o, "scope")), "sysctl");
	assert_string_equal(json_string_value(json_object_get(o, "old")), "4096\t131072\t6291456");
	assert_true(json_is_null(json_object_get(o, "cgroup")));
	assert_dbl_eq(json_number_value(json_object_get(json_object_get(o, "effect"), "after")), 4);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "effect"),
							      "metric")), "net.retrans_segs");
	json_decref(o);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_update_are_durable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_and_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_leaves_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_process_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_one_tuner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_temp_files_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_save_changes_nothing, setup, teardown),
		cmocka_unit_test(test_json_line),
	};

	return cmocka_run_group_tests_name("tune_journal", tests, NULL, NULL);
}
