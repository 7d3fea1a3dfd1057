// SPDX-License-Identifier: GPL-2.0
/* A process's identity, cgroup, nice and affinity on fixture trees: all threads. */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/resource.h>
#include "tunefs.h"
#include "tune/hostproc.h"

struct fx {
	char root[PATH_MAX];
	struct hostfs h;
	char err[512];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	tfs_mkroot(fx->root, sizeof(fx->root), "hostproc");
	tfs_mkdir(fx->root, "sys/fs/cgroup/cpu,cpuacct/batch");
	tfs_mkdir(fx->root, "sys/fs/cgroup/cpuset/batch");
	tfs_mkdir(fx->root, "sys/fs/cgroup/unified/batch");
	tfs_proc(fx->root, 4000, "hog (x) y", 123456, 0x400000, 1000, 3, "0", "0-1", "/batch");
	tfs_proc(fx->root, 2, "kthreadd", 1, 0x00208040, 0, 1, "0", "0-1", "/");
	assert_int_equal(hostfs_init(&fx->h, fx->root), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	tfs_rmroot(fx->root);
	free(fx);
	return 0;
}

static void test_identity(void **state)
{
	struct fx *fx = *state;
	struct hostproc p;

	assert_int_equal(hostproc_get(&fx->h, 4000, &p, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(p.comm, "hog (x) y"); /* parentheses in a name */
	assert_int_equal(p.start, 123456);
	assert_int_equal(p.ppid, 1);
	assert_int_equal(p.uid, 1000);
	assert_false(p.kthread);
	assert_int_equal(hostproc_get(&fx->h, 2, &p, fx->err, sizeof(fx->err)), 0);
	assert_true(p.kthread);
	assert_int_equal(hostproc_get(&fx->h, 4001, &p, fx->err, sizeof(fx->err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(fx->err, "process 4001 does not exist");
	assert_int_equal(hostproc_same(&fx->h, 4000, 123456, fx->err, sizeof(fx->err)), 0);
	/* the PID given to a new process */
	assert_int_equal(hostproc_same(&fx->h, 4000, 999999, fx->err, sizeof(fx->err)), 1);
	assert_int_equal(hostproc_same(&fx->h, 4001, 123456, fx->err, sizeof(fx->err)), 1);
}

static void test_cgroup(void **state)
{
	struct fx *fx = *state;
	char cg[PATH_MAX];

	/* v1: the mount named by its controllers, or by the one */
	assert_int_equal(hostproc_cgroup(&fx->h, 4000, "cpu", cg, sizeof(cg), fx->err,
					 sizeof(fx->err)), 0);
	assert_string_equal(cg, "/sys/fs/cgroup/cpu,cpuacct/batch");
	assert_int_equal(hostproc_cgroup(&fx->h, 4000, "cpuset", cg, sizeof(cg), fx->err,
					 sizeof(fx->err)), 0);
	assert_string_equal(cg, "/sys/fs/cgroup/cpuset/batch");
	/* a controller that is not on v1: the v2 group (hybrid: below unified) */
	assert_int_equal(hostproc_cgroup(&fx->h, 4000, "memory", cg, sizeof(cg), fx->err,
					 sizeof(fx->err)), 0);
	assert_string_equal(cg, "/sys/fs/cgroup/unified/batch");
	/* pure v2 */
	tfs_put(fx->root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu memory\n");
	tfs_mkdir(fx->root, "sys/fs/cgroup/batch");
	tfs_put(fx->root, "proc/4000/cgroup", "0::/batch\n");
	assert_int_equal(hostproc_cgroup(&fx->h, 4000, "cpuset", cg, sizeof(cg), fx->err,
					 sizeof(fx->err)), 0);
	assert_string_equal(cg, "/sys/fs/cgroup/batch");
	assert_int_equal(hostproc_cgroup(&fx->h, 4001, "cpu", cg, sizeof(cg), fx->err,
					 sizeof(fx->err)), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_all_threads(void **state)
{
	struct fx *fx = *state;
	struct hostfs_value v;

	assert_int_equal(hostproc_read(&fx->h, 4000, "nice", &v, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(v.str, "0");
	assert_int_equal(hostproc_read(&fx->h, 4000, "affinity", &v, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(v.str, "0-1");
	assert_int_equal(hostproc_write(&fx->h, 4000, "nice", "19", fx->err, sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "proc/4000/task/4000/nice"), "19\n");
	assert_string_equal(tfs_get(fx->root, "proc/4000/task/4001/nice"), "19\n");
	assert_string_equal(tfs_get(fx->root, "proc/4000/task/4002/nice"), "19\n");
	assert_int_equal(hostproc_write(&fx->h, 4000, "affinity", "1", fx->err, sizeof(fx->err)),
			 0);
	assert_string_equal(tfs_get(fx->root, "proc/4000/task/4002/affinity"), "1\n");
	/* threads that disagree read as mixed, which is no value perfpilot writes */
	tfs_put(fx->root, "proc/4000/task/4001/nice", "5\n");
	assert_int_equal(hostproc_read(&fx->h, 4000, "nice", &v, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(v.str, "mixed: thread 4000 19, thread 4001 5");
	/* the same set however written */
	tfs_put(fx->root, "proc/4000/task/4001/affinity", "1\n");
	tfs_put(fx->root, "proc/4000/task/4000/affinity", "0,1\n");
	tfs_put(fx->root, "proc/4000/task/4001/affinity", "0-1\n");
	tfs_put(fx->root, "proc/4000/task/4002/affinity", "0-1\n");
	assert_int_equal(hostproc_read(&fx->h, 4000, "affinity", &v, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(v.str, "0,1");
	assert_int_equal(hostproc_read(&fx->h, 4000, "rlimit", &v, fx->err, sizeof(fx->err)), -1);
	assert_int_equal(hostproc_read(&fx->h, 4001, "nice", &v, fx->err, sizeof(fx->err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(hostproc_write(&fx->h, 4001, "nice", "1", fx->err, sizeof(fx->err)), -1);
	assert_int_equal(errno, ENOENT);
}

/* a thread started with the old value while the others were set: set too */
static void thread_add(const char *root)
{
	tfs_put(root, "proc/4000/task/4009/nice", "0\n");
	tfs_put(root, "proc/4000/task/4009/affinity", "0-1\n");
}

static int spawn_hook(void *arg, const char *path, const char *value)
{
	struct fx *fx = arg;
	static int once;

	(void)value;
	if (strstr(path, "/task/4000/nice") && !once++)
		thread_add(fx->root);
	return 0;
}

static void test_new_thread_caught(void **state)
{
	struct fx *fx = *state;
	struct hostfs_value v;

	fx->h.write_hook = spawn_hook;
	fx->h.hook_arg = fx;
	assert_int_equal(hostproc_write(&fx->h, 4000, "nice", "10", fx->err, sizeof(fx->err)), 0);
	assert_string_equal(tfs_get(fx->root, "proc/4000/task/4009/nice"), "10\n");
	assert_int_equal(hostproc_read(&fx->h, 4000, "nice", &v, fx->err, sizeof(fx->err)), 0);
	assert_string_equal(v.str, "10");
}

/* The real host, on this process itself: all its threads, read back. */
static void test_real_self(void **state)
{
	struct hostfs h;
	struct hostfs_value v;
	char err[256], want[16];
	int nice;

	(void)state;
	hostfs_init(&h, NULL);
	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	snprintf(want, sizeof(want), "%d", nice);
	assert_int_equal(hostproc_read(&h, getpid(), "nice", &v, err, sizeof(err)), 0);
	assert_string_equal(v.str, want);
	if (nice < 19) { /* raising nice needs no privilege */
		snprintf(want, sizeof(want), "%d", nice + 1);
		assert_int_equal(hostproc_write(&h, getpid(), "nice", want, err, sizeof(err)), 0);
		assert_int_equal(getpriority(PRIO_PROCESS, 0), nice + 1);
	}
	assert_int_equal(hostproc_read(&h, getpid(), "affinity", &v, err, sizeof(err)), 0);
	assert_true(strlen(v.str) > 0);
	assert_int_equal(hostproc_write(&h, getpid(), "affinity", v.str, err, sizeof(err)), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_identity),
		T(test_cgroup),
		T(test_all_threads),
		T(test_new_thread_caught),
		cmocka_unit_test(test_real_self),
	};

	return cmocka_run_group_tests_name("tune_hostproc", tests, NULL, NULL);
}
