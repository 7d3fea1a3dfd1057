// SPDX-License-Identifier: GPL-2.0
/* procmeta.c: comm and cgroup names, cached by pid. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "unit.h"
#include "collect/procmeta.h"

/* pids above the kernel's limit (4194304): never a live process */
#define FAKE_PID 5000000u

static struct proc_sample live(uint32_t pid, const char *comm)
{
	struct proc_sample s;

	memset(&s, 0, sizeof(s));
	s.pid = pid;
	snprintf(s.comm, sizeof(s.comm), "%s", comm);
	return s;
}

static struct procmeta *new_default(struct cg_view *v)
{
	struct procmeta *m;

	cg_view_default(v);
	m = procmeta_new(v);
	assert_non_null(m);
	return m;
}

static void test_self_comm_and_cgroup(void **state)
{
	struct cg_view v;
	struct procmeta *m = new_default(&v);
	struct proc_sample s = live((uint32_t)getpid(), "");
	char want_cg[PP_CGROUP_PATH_MAX];

	(void)state;
	assert_int_equal(prctl(PR_SET_NAME, "pp-meta-one", 0, 0, 0), 0);
	cg_path_of_pid(&v, (uint32_t)getpid(), want_cg, sizeof(want_cg));
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "pp-meta-one");
	assert_string_equal(s.cgroup, want_cg);
	/* the kernel's comm is replaced by the live one */
	s = live((uint32_t)getpid(), "stale-name");
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "pp-meta-one");
	/* a rename (exec, prctl) shows up on the next fill */
	assert_int_equal(prctl(PR_SET_NAME, "pp-meta-two", 0, 0, 0), 0);
	s = live((uint32_t)getpid(), "");
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "pp-meta-two");
	assert_string_equal(s.cgroup, want_cg);
	/* a 15-character name (the kernel's limit) is kept whole */
	assert_int_equal(prctl(PR_SET_NAME, "abcdefghijklmno", 0, 0, 0), 0);
	s = live((uint32_t)getpid(), "");
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "abcdefghijklmno");
	procmeta_free(m);
}

static void test_gone_process_keeps_kernel_comm(void **state)
{
	struct cg_view v;
	struct procmeta *m = new_default(&v);
	struct proc_sample s;

	(void)state;
	/* exited, never seen: the kernel's comm stays, no cgroup id: "?" */
	s = live(FAKE_PID + 1, "shortlived");
	s.exited = true;
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "shortlived");
	assert_string_equal(s.cgroup, "?");
	/* nothing known at all */
	s = live(FAKE_PID + 2, "");
	s.exited = true;
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "?");
	assert_string_equal(s.cgroup, "?");
	/* live but unreadable in /proc: the kernel's comm is used */
	s = live(FAKE_PID + 3, "kname");
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "kname");
	assert_string_equal(s.cgroup, "?");
	procmeta_free(m);
}

static void test_cache_hits_and_forget(void **state)
{
	struct cg_view v;
	struct procmeta *m = new_default(&v);
	struct proc_sample s;

	(void)state;
	s = live(FAKE_PID + 10, "first");
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "first");
	/* a later sample without a comm gets the cached one */
	s = live(FAKE_PID + 10, "");
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "first");
	/* the process exits: the name cached while it lived is used ... */
	s = live(FAKE_PID + 10, "");
	s.exited = true;
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "first");
	/* ... unless the kernel recorded its own (last) name */
	s = live(FAKE_PID + 10, "lastname");
	s.exited = true;
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "lastname");
	/* forgotten: a new process with the same pid starts afresh */
	procmeta_forget(m, FAKE_PID + 10);
	s = live(FAKE_PID + 10, "");
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "?");
	s = live(FAKE_PID + 11, "");
	procmeta_forget(m, FAKE_PID + 11); /* never seen: no-op */
	procmeta_free(m);
	procmeta_free(NULL);
}

static void test_many_pids_grow_and_tombstones(void **state)
{
	enum { NPIDS = 5000 };
	struct cg_view v;
	struct procmeta *m = new_default(&v);
	struct proc_sample s;
	char name[PP_COMM_LEN];
	uint32_t i;

	(void)state;
	/* more than the initial 1024 slots: the table grows */
	for (i = 0; i < NPIDS; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		s = live(FAKE_PID + i * 7, name);
		procmeta_fill(m, &s, 0);
		assert_string_equal(s.comm, name);
	}
	for (i = 0; i < NPIDS; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		s = live(FAKE_PID + i * 7, "");
		procmeta_fill(m, &s, 0);
		if (strcmp(s.comm, name))
			fail_msg("pid %u: comm '%s', expected cached '%s'", FAKE_PID + i * 7, s.comm, name);
	}
	/* forget every other one: the rest stay reachable past the tombstones */
	for (i = 0; i < NPIDS; i += 2)
		procmeta_forget(m, FAKE_PID + i * 7);
	for (i = 0; i < NPIDS; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		s = live(FAKE_PID + i * 7, "");
		s.exited = true; /* do not re-insert the forgotten ones */
		procmeta_fill(m, &s, 0);
		if (i % 2 == 0)
			assert_string_equal(s.comm, "?");
		else if (strcmp(s.comm, name))
			fail_msg("pid %u: comm '%s', expected cached '%s'", FAKE_PID + i * 7, s.comm, name);
	}
	/* churn: insert and forget many times, the table stays usable */
	for (i = 0; i < 20 * NPIDS; i++) {
		s = live(FAKE_PID + 1000000 + i, "churn");
		procmeta_fill(m, &s, 0);
		procmeta_forget(m, FAKE_PID + 1000000 + i);
	}
	s = live(FAKE_PID + 7, "");
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "p1");
	procmeta_free(m);
}

/* Churn does not grow the table: it grows with the live processes only. */
static void test_churn_bounded(void **state)
{
	struct cg_view v;
	struct procmeta *m = new_default(&v);
	struct procmeta_stats st;
	struct proc_sample s;
	uint32_t i;

	(void)state;
	for (i = 0; i < 100; i++) {
		s = live(FAKE_PID + i, "resident");
		procmeta_fill(m, &s, 0);
	}
	for (i = 0; i < 200000; i++) {
		s = live(FAKE_PID + 1000 + i, "true");
		procmeta_fill(m, &s, 0);
		procmeta_forget(m, FAKE_PID + 1000 + i);
	}
	procmeta_get_stats(m, &st);
	assert_int_equal(st.live, 100);
	assert_int_equal(st.slots, 1024);
	assert_int_equal(st.inserted, 200100);
	assert_int_equal(st.evicted, 200000);
	assert_int_equal(st.refused, 0);
	procmeta_free(m);
}

/* A pid reused by another process (another start) is not the cached one. */
static void test_reused_pid(void **state)
{
	struct cg_view v;
	struct procmeta *m = new_default(&v);
	struct procmeta_stats st;
	struct proc_sample s;

	(void)state;
	s = live(FAKE_PID + 3, "old");
	s.start_boot_ns = 5000000000ull;
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "old");
	assert_true(s.start_ms > 0);
	/* same pid, started later, exited before its name was read */
	s = live(FAKE_PID + 3, "");
	s.start_boot_ns = 9000000000ull;
	s.exited = true;
	procmeta_fill(m, &s, 0);
	assert_string_equal(s.comm, "?");
	procmeta_get_stats(m, &st);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.live, 0);
	procmeta_free(m);
}

/* Both sources of a start agree: the collector's ns since boot and the
 * ticks of /proc/PID/stat; and this process's own start is plausible. */
static void test_start_ms(void **state)
{
	const char *stat = "123 (a (b) c) S 77 123 123 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
			   "4567 1000 10";
	unsigned long long ticks;
	uint32_t ppid;
	struct cg_view v;
	struct procmeta *m = new_default(&v);
	struct proc_sample s = live((uint32_t)getpid(), "");
	struct timespec now;

	(void)state;
	assert_int_equal(procmeta_parse_stat(stat, &ppid, &ticks), 0);
	assert_int_equal(ppid, 77);
	assert_int_equal(ticks, 4567);
	assert_int_equal(procmeta_parse_stat("1 (x) S 2", &ppid, &ticks), -1);
	assert_int_equal(procmeta_parse_stat("no parenthesis", &ppid, &ticks), -1);
	/* 4567 ticks of 10 ms = 45.67 s; any ns within that tick gives the same */
	assert_int_equal(procmeta_start_ms(1000000, 100, 45670000000ull), 1000000 + 45670);
	assert_int_equal(procmeta_start_ms(1000000, 100, 45679999999ull), 1000000 + 45670);
	assert_int_equal(procmeta_start_ms(1000000, 100, 0), 0);
	assert_int_equal(procmeta_start_ms(0, 100, 1), 0);
	procmeta_fill(m, &s, 0);
	clock_gettime(CLOCK_REALTIME, &now);
	assert_true(s.start_ms > 1000000000000ll);
	assert_true(s.start_ms <= (int64_t)now.tv_sec * 1000 + 1000);
	assert_int_equal(s.ppid, (uint32_t)getppid());
	procmeta_free(m);
}

static void test_cgroup_from_id_for_gone_process(void **state)
{
	char tmpl[] = "/tmp/pp-metatest-XXXXXX", dir[256];
	struct cg_view v;
	struct procmeta *m;
	struct proc_sample s;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(dir, sizeof(dir), "%s/batch.slice", tmpl);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(stat(dir, &st), 0);
	memset(&v, 0, sizeof(v));
	v.hier = PP_CGROUP_V2;
	snprintf(v.mount, sizeof(v.mount), "%s", tmpl);
	m = procmeta_new(&v);
	assert_non_null(m);
	/* gone before it could be looked up in /proc: named from its cgroup id */
	s = live(FAKE_PID + 20, "job");
	s.exited = true;
	procmeta_fill(m, &s, st.st_ino);
	assert_string_equal(s.comm, "job");
	assert_string_equal(s.cgroup, "/batch.slice");
	/* live but unreadable: "?" from /proc, then the id */
	s = live(FAKE_PID + 21, "job2");
	procmeta_fill(m, &s, st.st_ino);
	assert_string_equal(s.cgroup, "/batch.slice");
	/* an unknown id */
	s = live(FAKE_PID + 22, "job3");
	s.exited = true;
	procmeta_fill(m, &s, 0xfffffffffffffffULL);
	assert_string_equal(s.cgroup, "?");
	procmeta_free(m);
	rmdir(dir);
	rmdir(tmpl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_comm_and_cgroup),
		cmocka_unit_test(test_gone_process_keeps_kernel_comm),
		cmocka_unit_test(test_cache_hits_and_forget),
		cmocka_unit_test(test_many_pids_grow_and_tombstones),
		cmocka_unit_test(test_churn_bounded),
		cmocka_unit_test(test_reused_pid),
		cmocka_unit_test(test_start_ms),
		cmocka_unit_test(test_cgroup_from_id_for_gone_process),
	};

	return cmocka_run_group_tests_name("procmeta", tests, NULL, NULL);
}
