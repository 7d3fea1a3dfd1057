// SPDX-License-Identifier: GPL-2.0
/* procmeta.c: comm and cgroup names, cached by pid. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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
		cmocka_unit_test(test_cgroup_from_id_for_gone_process),
	};

	return cmocka_run_group_tests_name("procmeta", tests, NULL, NULL);
}
