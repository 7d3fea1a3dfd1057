// SPDX-License-Identifier: GPL-2.0
/* cgroup.c: mountinfo, -c path resolution, /proc/cgroups, /proc/PID/cgroup. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "unit.h"
#include "collect/cgroup.h"

/* systemd "hybrid" host: v1 controllers plus cgroup2 at .../unified */
static const char hybrid_mountinfo[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
	"23 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"24 22 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	"25 23 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755\n"
	"26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
	"27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd\n"
	"28 23 0:25 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:11 - bpf none rw,mode=700\n"
	"29 25 0:26 / /sys/fs/cgroup/cpu rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu\n"
	"30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct\n"
	"31 25 0:28 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory\n"
	"32 25 0:29 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,net_cls,net_prio\n"
	"33 25 0:30 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,cpuset,clone_children\n"
	"34 25 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:18 master:3 - cgroup cgroup rw,pids,release_agent=/usr/lib/agent\n"
	"35 22 0:32 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=1631428k,mode=755\n";

/* a pure cgroup v2 host */
static const char v2_mountinfo[] =
	"24 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
	"25 24 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
	"26 24 0:23 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n"
	"30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
	"31 25 0:27 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:5 - pstore pstore rw\n";

static void parse(const char *text, struct cg_mounts *m)
{
	FILE *f = unit_text(text);

	assert_non_null(f);
	memset(m, 0xa5, sizeof(*m));
	assert_int_equal(cg_parse_mountinfo(f, m), 0);
	fclose(f);
}

static void expect_mount(const struct cg_mount *m, const char *path, bool v2,
			 const char *controllers, const char *name)
{
	assert_string_equal(m->path, path);
	assert_int_equal(m->v2, v2);
	assert_string_equal(m->controllers, controllers);
	assert_string_equal(m->name, name);
}

/* ---- cg_parse_mountinfo ---- */

static void test_mountinfo_hybrid(void **state)
{
	static struct cg_mounts m;

	(void)state;
	parse(hybrid_mountinfo, &m);
	assert_int_equal(m.n, 8);
	expect_mount(&m.m[0], "/sys/fs/cgroup/unified", true, "", "");
	expect_mount(&m.m[1], "/sys/fs/cgroup/systemd", false, "", "systemd");
	expect_mount(&m.m[2], "/sys/fs/cgroup/cpu", false, "cpu", "");
	expect_mount(&m.m[3], "/sys/fs/cgroup/cpu,cpuacct", false, "cpu,cpuacct", "");
	expect_mount(&m.m[4], "/sys/fs/cgroup/memory", false, "memory", "");
	expect_mount(&m.m[5], "/sys/fs/cgroup/net_cls,net_prio", false, "net_cls,net_prio", "");
	expect_mount(&m.m[6], "/sys/fs/cgroup/cpuset", false, "cpuset", "");
	expect_mount(&m.m[7], "/sys/fs/cgroup/pids", false, "pids", "");
}

static void test_mountinfo_pure_v2(void **state)
{
	static struct cg_mounts m;

	(void)state;
	parse(v2_mountinfo, &m);
	assert_int_equal(m.n, 1);
	expect_mount(&m.m[0], "/sys/fs/cgroup", true, "", "");
}

static void test_mountinfo_escaped_paths(void **state)
{
	static struct cg_mounts m;
	static const char text[] =
		"40 1 0:40 / /mnt/my\\040cgroups rw,relatime shared:20 - cgroup2 none rw\n"
		"41 1 0:41 / /mnt/tab\\011and\\134slash rw,relatime - cgroup none rw,memory\n"
		"42 1 0:42 / /mnt/new\\012line rw,relatime - cgroup none rw,name=my\\040name\n";

	(void)state;
	parse(text, &m);
	assert_int_equal(m.n, 3);
	expect_mount(&m.m[0], "/mnt/my cgroups", true, "", "");
	expect_mount(&m.m[1], "/mnt/tab\tand\\slash", false, "memory", "");
	assert_string_equal(m.m[2].path, "/mnt/new\nline");
}

static void test_mountinfo_no_cgroups_and_garbage(void **state)
{
	static struct cg_mounts m;
	static const char text[] =
		"garbage without separator\n"
		"\n"
		" - cgroup2 cgroup2 rw\n"                      /* too few fields */
		"1 2 3 - cgroup2 cgroup2 rw\n"                 /* too few fields */
		"50 1 0:50 / /mnt/x rw - tmpfs cgroup rw\n"    /* 'cgroup' as the source only */
		"51 1 0:51 / /mnt/y rw - cgroup2fs none rw\n"  /* not exactly cgroup2 */
		"52 1 0:52 / /mnt/z rw - cgroup none rw,memory\n";

	(void)state;
	parse("", &m);
	assert_int_equal(m.n, 0);
	parse(text, &m);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.m[0].path, "/mnt/z");
	assert_false(m.m[0].v2);
	assert_string_equal(m.m[0].controllers, "memory");
}

static void test_mountinfo_bind_mount_root_ignored(void **state)
{
	static struct cg_mounts m;
	/* a container sees its own subtree (root field) mounted at /sys/fs/cgroup */
	static const char text[] =
		"600 590 0:26 /system.slice/docker-1234.scope /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n";

	(void)state;
	parse(text, &m);
	assert_int_equal(m.n, 1);
	expect_mount(&m.m[0], "/sys/fs/cgroup", true, "", "");
}

static void test_mountinfo_more_than_max(void **state)
{
	static struct cg_mounts m;
	static char text[100 * (CG_MAX_MOUNTS + 10)];
	size_t w = 0;
	int i;

	(void)state;
	for (i = 0; i < CG_MAX_MOUNTS + 8; i++)
		w += (size_t)sprintf(text + w, "%d 1 0:%d / /cg/h%d rw - cgroup cgroup rw,c%d\n",
				     100 + i, 100 + i, i, i);
	parse(text, &m);
	assert_int_equal(m.n, CG_MAX_MOUNTS);
	assert_string_equal(m.m[CG_MAX_MOUNTS - 1].path, "/cg/h31");
	assert_string_equal(m.m[CG_MAX_MOUNTS - 1].controllers, "c31");
}

static void test_mountinfo_v1_flags_not_controllers(void **state)
{
	static struct cg_mounts m;
	static const char text[] =
		"60 25 0:60 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,noprefix,cpuset_v2_mode,release_agent=/sbin/x\n"
		"61 25 0:61 / /sys/fs/cgroup/devices ro,relatime - cgroup cgroup ro,devices,xattr\n";

	(void)state;
	parse(text, &m);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.m[0].controllers, "cpuset");
	assert_string_equal(m.m[1].controllers, "devices");
}

/*
 * Regression, fixed (cgroup.c, cg_parse_mountinfo): the kernel (>= 6.1,
 * cgroup1_show_options) prints the "favordynmods" flag in a v1 hierarchy's
 * super options, and kernels built with CONFIG_CGROUP_FAVOR_DYNMODS=y set it
 * on every mount. It is not in the skip list, so it is taken for a
 * controller: a named hierarchy "rw,xattr,favordynmods,name=systemd" gets
 * controllers "favordynmods", and cg_split_path then accepts it as a v1
 * target with controller "favordynmods" instead of reporting that the
 * hierarchy has no controller.
 */
static void test_mountinfo_favordynmods_is_a_flag(void **state)
{
	static struct cg_mounts m;
	static struct cg_target t;
	static const char text[] =
		"62 25 0:62 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,favordynmods,name=systemd\n"
		"63 25 0:63 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory,favordynmods\n";
	char err[512] = "";

	(void)state;
	parse(text, &m);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.m[0].name, "systemd");
	assert_string_equal(m.m[0].controllers, "");
	assert_int_equal(cg_split_path(&m, "/sys/fs/cgroup/systemd/user.slice", &t, err, sizeof(err)), -1);
	assert_string_equal(m.m[1].controllers, "memory");
}

/* ---- cg_split_path ---- */

static void expect_split(const struct cg_mounts *m, const char *arg, enum pp_cgroup_hier hier,
			 const char *controller, const char *mount, const char *rel, unsigned int level)
{
	static struct cg_target t;
	char err[512] = "";

	if (cg_split_path(m, arg, &t, err, sizeof(err)))
		fail_msg("cg_split_path(\"%s\") failed: %s", arg, err);
	if (t.hier != hier || strcmp(t.controller, controller) || strcmp(t.mount, mount) ||
	    strcmp(t.rel, rel) || t.level != level)
		fail_msg("cg_split_path(\"%s\") = {hier %d, controller '%s', mount '%s', rel '%s', "
			 "level %u}, expected {%d, '%s', '%s', '%s', %u}", arg, t.hier, t.controller,
			 t.mount, t.rel, t.level, hier, controller, mount, rel, level);
}

static void expect_split_error(const struct cg_mounts *m, const char *arg, const char *mention)
{
	static struct cg_target t;
	char err[512] = "";

	if (!cg_split_path(m, arg, &t, err, sizeof(err)))
		fail_msg("cg_split_path(\"%s\") accepted: mount '%s' rel '%s'", arg ? arg : "(null)",
			 t.mount, t.rel);
	if (!err[0])
		fail_msg("cg_split_path(\"%s\") failed without a message", arg ? arg : "(null)");
	if (mention && !strstr(err, mention))
		fail_msg("cg_split_path(\"%s\"): '%s' does not mention '%s'", arg, err, mention);
}

static void test_split_v2_host(void **state)
{
	static struct cg_mounts m;

	(void)state;
	parse(v2_mountinfo, &m);
	/* absolute, under the mount */
	expect_split(&m, "/sys/fs/cgroup/system.slice", PP_CGROUP_V2, "", "/sys/fs/cgroup",
		     "/system.slice", 1);
	expect_split(&m, "/sys/fs/cgroup/system.slice/docker-abc.scope", PP_CGROUP_V2, "",
		     "/sys/fs/cgroup", "/system.slice/docker-abc.scope", 2);
	/* relative to the cgroup2 mount */
	expect_split(&m, "system.slice", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/system.slice", 1);
	expect_split(&m, "a/b/c/d/e", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/a/b/c/d/e", 5);
	/* the root, in every spelling */
	expect_split(&m, "/sys/fs/cgroup", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/", 0);
	expect_split(&m, "/sys/fs/cgroup/", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/", 0);
	expect_split(&m, "/sys/fs/cgroup//", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/", 0);
	expect_split(&m, "/", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/", 0);
	expect_split(&m, ".", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/", 0);
	/* trailing, doubled slashes and "." components */
	expect_split(&m, "/sys/fs/cgroup/system.slice/", PP_CGROUP_V2, "", "/sys/fs/cgroup",
		     "/system.slice", 1);
	expect_split(&m, "system.slice//foo.service///", PP_CGROUP_V2, "", "/sys/fs/cgroup",
		     "/system.slice/foo.service", 2);
	expect_split(&m, "./a/./b/.", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/a/b", 2);
	/* names that merely contain dots are fine */
	expect_split(&m, "a/..b/c..", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/a/..b/c..", 3);
	expect_split(&m, ".../x", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/.../x", 2);
	/* a path outside every mount is taken relative to the cgroup2 mount */
	expect_split(&m, "/system.slice", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/system.slice", 1);
	/* a sibling whose name starts with the mount point is not under it */
	expect_split(&m, "/sys/fs/cgroupfoo/x", PP_CGROUP_V2, "", "/sys/fs/cgroup",
		     "/sys/fs/cgroupfoo/x", 4);
}

static void test_split_hybrid_host(void **state)
{
	static struct cg_mounts m;

	(void)state;
	parse(hybrid_mountinfo, &m);
	expect_split(&m, "/sys/fs/cgroup/unified/system.slice/foo.service", PP_CGROUP_V2, "",
		     "/sys/fs/cgroup/unified", "/system.slice/foo.service", 2);
	expect_split(&m, "system.slice", PP_CGROUP_V2, "", "/sys/fs/cgroup/unified",
		     "/system.slice", 1);
	expect_split(&m, "/sys/fs/cgroup/unified", PP_CGROUP_V2, "", "/sys/fs/cgroup/unified",
		     "/", 0);
	/* v1 controller hierarchies */
	expect_split(&m, "/sys/fs/cgroup/cpu/mygroup", PP_CGROUP_V1, "cpu", "/sys/fs/cgroup/cpu",
		     "/mygroup", 1);
	expect_split(&m, "/sys/fs/cgroup/cpu", PP_CGROUP_V1, "cpu", "/sys/fs/cgroup/cpu", "/", 0);
	expect_split(&m, "/sys/fs/cgroup/cpu/", PP_CGROUP_V1, "cpu", "/sys/fs/cgroup/cpu", "/", 0);
	/* co-mounted: the first controller, and not confused with .../cpu */
	expect_split(&m, "/sys/fs/cgroup/cpu,cpuacct/a/b", PP_CGROUP_V1, "cpu",
		     "/sys/fs/cgroup/cpu,cpuacct", "/a/b", 2);
	expect_split(&m, "/sys/fs/cgroup/net_cls,net_prio/x", PP_CGROUP_V1, "net_cls",
		     "/sys/fs/cgroup/net_cls,net_prio", "/x", 1);
	expect_split(&m, "/sys/fs/cgroup/memory/docker/abc/", PP_CGROUP_V1, "memory",
		     "/sys/fs/cgroup/memory", "/docker/abc", 2);
	/* cpuset is its own hierarchy although "cpu" is a prefix of it */
	expect_split(&m, "/sys/fs/cgroup/cpuset/x", PP_CGROUP_V1, "cpuset", "/sys/fs/cgroup/cpuset",
		     "/x", 1);
	expect_split(&m, "/sys/fs/cgroup/pids/user.slice", PP_CGROUP_V1, "pids",
		     "/sys/fs/cgroup/pids", "/user.slice", 1);
}

static void test_split_named_hierarchy_rejected(void **state)
{
	static struct cg_mounts m;

	(void)state;
	parse(hybrid_mountinfo, &m);
	expect_split_error(&m, "/sys/fs/cgroup/systemd/user.slice", "systemd");
	expect_split_error(&m, "/sys/fs/cgroup/systemd", "systemd");
}

static void test_split_dotdot_rejected(void **state)
{
	static struct cg_mounts m;

	(void)state;
	parse(v2_mountinfo, &m);
	expect_split_error(&m, "..", "..");
	expect_split_error(&m, "../etc", NULL);
	expect_split_error(&m, "a/..", NULL);
	expect_split_error(&m, "a/../b", NULL);
	expect_split_error(&m, "a/../../..", NULL);
	expect_split_error(&m, "/sys/fs/cgroup/..", NULL);
	expect_split_error(&m, "/sys/fs/cgroup/../cgroup/x", NULL);
	expect_split_error(&m, "/sys/fs/cgroup/a/../../../etc", NULL);
	expect_split_error(&m, "a//..//b", NULL);
	expect_split_error(&m, "./..", NULL);
	expect_split_error(&m, "a/../", NULL);
	parse(hybrid_mountinfo, &m);
	expect_split_error(&m, "/sys/fs/cgroup/cpu/../memory/x", NULL);
}

static void test_split_bad_input(void **state)
{
	static struct cg_mounts m, none;
	static const char v1_only[] =
		"31 25 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";

	(void)state;
	parse(v2_mountinfo, &m);
	expect_split_error(&m, "", NULL);
	expect_split_error(&m, NULL, NULL);
	/* v1 only: relative paths have nowhere to go */
	parse(v1_only, &m);
	expect_split_error(&m, "system.slice", "cgroup2");
	expect_split_error(&m, "/not/a/cgroup/mount", NULL);
	expect_split(&m, "/sys/fs/cgroup/memory/x", PP_CGROUP_V1, "memory", "/sys/fs/cgroup/memory",
		     "/x", 1);
	/* no mounts at all */
	parse("", &none);
	expect_split_error(&none, "system.slice", NULL);
	expect_split_error(&none, "/sys/fs/cgroup/x", NULL);
}

static void test_split_longest_mount_wins(void **state)
{
	static struct cg_mounts m;
	/* cgroup2 at /sys/fs/cgroup with a v1 net_cls hierarchy mounted inside */
	static const char text[] =
		"30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
		"40 30 0:40 / /sys/fs/cgroup/net_cls rw - cgroup cgroup rw,net_cls\n";
	static const char reversed[] =
		"40 30 0:40 / /sys/fs/cgroup/net_cls rw - cgroup cgroup rw,net_cls\n"
		"30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";

	(void)state;
	parse(text, &m);
	expect_split(&m, "/sys/fs/cgroup/net_cls/x", PP_CGROUP_V1, "net_cls",
		     "/sys/fs/cgroup/net_cls", "/x", 1);
	expect_split(&m, "/sys/fs/cgroup/net_cls_other/x", PP_CGROUP_V2, "", "/sys/fs/cgroup",
		     "/net_cls_other/x", 2);
	expect_split(&m, "/sys/fs/cgroup/x", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/x", 1);
	/* relative paths still go to cgroup2, even one that names the v1 dir */
	expect_split(&m, "net_cls/x", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/net_cls/x", 2);
	/* whatever the order of the mounts */
	parse(reversed, &m);
	expect_split(&m, "/sys/fs/cgroup/net_cls/x", PP_CGROUP_V1, "net_cls",
		     "/sys/fs/cgroup/net_cls", "/x", 1);
	expect_split(&m, "/sys/fs/cgroup/x", PP_CGROUP_V2, "", "/sys/fs/cgroup", "/x", 1);
}

static void test_split_escaped_mount(void **state)
{
	static struct cg_mounts m;
	static const char text[] =
		"40 1 0:40 / /mnt/my\\040cgroups rw,relatime - cgroup2 none rw\n";

	(void)state;
	parse(text, &m);
	expect_split(&m, "/mnt/my cgroups/a b/c", PP_CGROUP_V2, "", "/mnt/my cgroups", "/a b/c", 2);
	expect_split(&m, "x", PP_CGROUP_V2, "", "/mnt/my cgroups", "/x", 1);
}

static void test_split_clears_output(void **state)
{
	static struct cg_mounts m;
	static struct cg_target t;
	char err[256];

	(void)state;
	parse(hybrid_mountinfo, &m);
	memset(&t, 0x5a, sizeof(t));
	assert_int_equal(cg_split_path(&m, "system.slice", &t, err, sizeof(err)), 0);
	assert_string_equal(t.controller, "");
	assert_int_equal(t.ssid, 0);
	assert_true(t.id == 0);
}

/* ---- cg_controller_ssid ---- */

static const char proc_cgroups[] =
	"#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
	"cpuset\t3\t4\t1\n"
	"cpu\t2\t90\t1\n"
	"cpuacct\t2\t90\t1\n"
	"blkio\t8\t90\t1\n"
	"memory\t5\t150\t1\n"
	"devices\t4\t90\t1\n"
	"freezer\t9\t4\t1\n"
	"net_cls\t6\t4\t1\n"
	"perf_event\t10\t4\t1\n"
	"net_prio\t6\t4\t1\n"
	"hugetlb\t11\t4\t1\n"
	"pids\t7\t95\t1\n"
	"rdma\t12\t1\t1\n"
	"misc\t13\t1\t1\n";

static int ssid_of(const char *text, const char *controller)
{
	FILE *f = unit_text(text);
	int r;

	assert_non_null(f);
	r = cg_controller_ssid(f, controller);
	fclose(f);
	return r;
}

static void test_ssid(void **state)
{
	(void)state;
	assert_int_equal(ssid_of(proc_cgroups, "cpuset"), 0);
	assert_int_equal(ssid_of(proc_cgroups, "cpu"), 1); /* not the "cpuset" line */
	assert_int_equal(ssid_of(proc_cgroups, "cpuacct"), 2);
	assert_int_equal(ssid_of(proc_cgroups, "memory"), 4);
	assert_int_equal(ssid_of(proc_cgroups, "net_cls"), 7);
	assert_int_equal(ssid_of(proc_cgroups, "net_prio"), 9);
	assert_int_equal(ssid_of(proc_cgroups, "pids"), 11);
	assert_int_equal(ssid_of(proc_cgroups, "misc"), 13);
	/* absent, prefixes, the header's words */
	assert_int_equal(ssid_of(proc_cgroups, "io"), -1);
	assert_int_equal(ssid_of(proc_cgroups, "cpus"), -1);
	assert_int_equal(ssid_of(proc_cgroups, "mem"), -1);
	assert_int_equal(ssid_of(proc_cgroups, "subsys_name"), -1);
	assert_int_equal(ssid_of(proc_cgroups, "#subsys_name"), -1);
	assert_int_equal(ssid_of(proc_cgroups, "3"), -1);
	assert_int_equal(ssid_of("", "cpu"), -1);
	assert_int_equal(ssid_of("#subsys_name\thierarchy\tnum_cgroups\tenabled\n", "cpu"), -1);
	/* disabled controllers still take their index */
	assert_int_equal(ssid_of("#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
				 "cpuset\t0\t1\t0\n"
				 "cpu\t0\t1\t0\n"
				 "memory\t0\t1\t1\n", "memory"), 2);
	/* no trailing newline */
	assert_int_equal(ssid_of("#h\na\t0\t1\t1\nb\t0\t1\t1", "b"), 1);
}

/* ---- cg_parse_proc_cgroup ---- */

static const char hybrid_proc_cgroup[] =
	"12:pids:/user.slice/user-1000.slice/session-2.scope\n"
	"11:hugetlb:/\n"
	"10:net_cls,net_prio:/\n"
	"9:cpuset:/\n"
	"8:memory:/user.slice/user-1000.slice/session-2.scope\n"
	"4:cpu,cpuacct:/user.slice\n"
	"1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n"
	"0::/user.slice/user-1000.slice/session-2.scope\n";

static int proc_cg(const char *text, enum pp_cgroup_hier hier, const char *ctl, char *path,
		   size_t len)
{
	FILE *f = unit_text(text);
	int r;

	assert_non_null(f);
	r = cg_parse_proc_cgroup(f, hier, ctl, path, len);
	fclose(f);
	return r;
}

/*
 * Regression, fixed (cgroup.c, cg_parse_proc_cgroup): for the v2 hierarchy it compares
 * the text before the second colon with "0", but only the second colon is
 * replaced by a NUL, so the compared string is "0:" and the "0::/path" line
 * never matches: the function returns -1 for every /proc/PID/cgroup. As a
 * result cg_path_of_pid() always gives "?" in the default (v2) view and
 * procmeta falls back to walking the whole hierarchy by cgroup id.
 * Input "0::/system.slice/foo.service\n", expected 0 and that path, got -1.
 */
static void test_proc_cgroup_v2(void **state)
{
	char p[256];

	(void)state;
	assert_int_equal(proc_cg("0::/system.slice/foo.service\n", PP_CGROUP_V2, NULL, p, sizeof(p)), 0);
	assert_string_equal(p, "/system.slice/foo.service");
	assert_int_equal(proc_cg("0::/\n", PP_CGROUP_V2, NULL, p, sizeof(p)), 0);
	assert_string_equal(p, "/");
	assert_int_equal(proc_cg(hybrid_proc_cgroup, PP_CGROUP_V2, NULL, p, sizeof(p)), 0);
	assert_string_equal(p, "/user.slice/user-1000.slice/session-2.scope");
	/* no newline at the end, a colon inside the path */
	assert_int_equal(proc_cg("0::/a:b/c", PP_CGROUP_V2, NULL, p, sizeof(p)), 0);
	assert_string_equal(p, "/a:b/c");
	/* v1-only content has no v2 line */
	assert_int_equal(proc_cg("4:memory:/x\n2:cpu,cpuacct:/y\n", PP_CGROUP_V2, NULL, p, sizeof(p)), -1);
	/* "0" with controllers is not the v2 line; "10::" is not "0::" */
	assert_int_equal(proc_cg("0:memory:/x\n10::/y\n", PP_CGROUP_V2, NULL, p, sizeof(p)), -1);
	assert_int_equal(proc_cg("", PP_CGROUP_V2, NULL, p, sizeof(p)), -1);
}

static void test_proc_cgroup_v1(void **state)
{
	char p[256];

	(void)state;
	assert_int_equal(proc_cg("4:memory:/x\n", PP_CGROUP_V1, "memory", p, sizeof(p)), 0);
	assert_string_equal(p, "/x");
	assert_int_equal(proc_cg("2:cpu,cpuacct:/y\n", PP_CGROUP_V1, "cpu", p, sizeof(p)), 0);
	assert_string_equal(p, "/y");
	assert_int_equal(proc_cg("2:cpu,cpuacct:/y\n", PP_CGROUP_V1, "cpuacct", p, sizeof(p)), 0);
	assert_string_equal(p, "/y");
	assert_int_equal(proc_cg(hybrid_proc_cgroup, PP_CGROUP_V1, "memory", p, sizeof(p)), 0);
	assert_string_equal(p, "/user.slice/user-1000.slice/session-2.scope");
	assert_int_equal(proc_cg(hybrid_proc_cgroup, PP_CGROUP_V1, "cpu", p, sizeof(p)), 0);
	assert_string_equal(p, "/user.slice");
	assert_int_equal(proc_cg(hybrid_proc_cgroup, PP_CGROUP_V1, "net_prio", p, sizeof(p)), 0);
	assert_string_equal(p, "/");
	/* "cpu" must not match the "cpuset" line */
	assert_int_equal(proc_cg("9:cpuset:/c\n4:cpu,cpuacct:/d\n", PP_CGROUP_V1, "cpu", p, sizeof(p)), 0);
	assert_string_equal(p, "/d");
	assert_int_equal(proc_cg("9:cpuset:/c\n", PP_CGROUP_V1, "cpu", p, sizeof(p)), -1);
	/* a controller not mounted, and the v2 line is not a v1 match */
	assert_int_equal(proc_cg(hybrid_proc_cgroup, PP_CGROUP_V1, "rdma", p, sizeof(p)), -1);
	assert_int_equal(proc_cg("0::/z\n", PP_CGROUP_V1, "memory", p, sizeof(p)), -1);
}

static void test_proc_cgroup_garbage_and_truncation(void **state)
{
	char p[8];

	(void)state;
	assert_int_equal(proc_cg("no colons here\nonly:one\n\n4:memory:/ok\n", PP_CGROUP_V1, "memory",
				 p, sizeof(p)), 0);
	assert_string_equal(p, "/ok");
	/* a path longer than the buffer is cut, NUL-terminated */
	memset(p, 'x', sizeof(p));
	assert_int_equal(proc_cg("4:memory:/user.slice/long\n", PP_CGROUP_V1, "memory", p, 6), 0);
	assert_string_equal(p, "/user");
	assert_int_equal(p[6], 'x');
}

/* ---- against this host (read-only) ---- */

/*
 * Regression, fixed (same cause as test_proc_cgroup_v2): on any host whose
 * /proc/self/cgroup has a "0::" line, cg_path_of_pid() in the default view
 * returns "?" instead of that path.
 */
static void test_path_of_pid_self(void **state)
{
	struct cg_view v;
	char line[4096], want[4096] = "", got[4096] = "";
	FILE *f;

	(void)state;
	cg_view_default(&v);
	assert_int_equal(v.hier, PP_CGROUP_V2);
	/* no such process */
	cg_path_of_pid(&v, 4294967295u, got, sizeof(got));
	assert_string_equal(got, "?");
	/* the expected value, read here without the code under test */
	f = fopen("/proc/self/cgroup", "r");
	if (!f)
		skip();
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(want, sizeof(want), "%s", line + 3);
		}
	}
	fclose(f);
	if (!want[0])
		skip(); /* a cgroup v1-only host */
	cg_path_of_pid(&v, (uint32_t)getpid(), got, sizeof(got));
	assert_string_equal(got, want);
}

static void test_path_of_id_walks_tree(void **state)
{
	char tmpl[] = "/tmp/pp-cgtest-XXXXXX", dir[256], got[256];
	struct cg_view v;
	struct stat st;
	uint64_t id_root, id_a, id_ab;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(dir, sizeof(dir), "%s/a", tmpl);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(stat(dir, &st), 0);
	id_a = st.st_ino;
	snprintf(dir, sizeof(dir), "%s/a/b c", tmpl);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(stat(dir, &st), 0);
	id_ab = st.st_ino;
	assert_int_equal(stat(tmpl, &st), 0);
	id_root = st.st_ino;

	memset(&v, 0, sizeof(v));
	v.hier = PP_CGROUP_V2;
	snprintf(v.mount, sizeof(v.mount), "%s", tmpl);
	assert_int_equal(cg_path_of_id(&v, id_ab, got, sizeof(got)), 0);
	assert_string_equal(got, "/a/b c");
	assert_int_equal(cg_path_of_id(&v, id_a, got, sizeof(got)), 0);
	assert_string_equal(got, "/a");
	assert_int_equal(cg_path_of_id(&v, id_root, got, sizeof(got)), 0);
	assert_string_equal(got, "/");
	/* an id that is nowhere */
	assert_int_equal(cg_path_of_id(&v, 0xfffffffffffffffULL, got, sizeof(got)), -1);
	/* a directory created after the first walk is found by a new walk */
	snprintf(dir, sizeof(dir), "%s/a/new", tmpl);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(cg_path_of_id(&v, st.st_ino, got, sizeof(got)), 0);
	assert_string_equal(got, "/a/new");
	/* small output buffer */
	assert_int_equal(cg_path_of_id(&v, id_ab, got, 4), 0);
	assert_string_equal(got, "/a/");

	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/a/b c", tmpl);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/a", tmpl);
	rmdir(dir);
	rmdir(tmpl);
	/* no mount: nothing to walk */
	memset(&v, 0, sizeof(v));
	assert_int_equal(cg_path_of_id(&v, 0xffffffffffffffeULL, got, sizeof(got)), -1);
}

static void test_resolve_on_this_host(void **state)
{
	static struct cg_mounts m;
	static struct cg_target t;
	char err[512] = "";
	struct stat st;
	size_t i;
	FILE *f;

	(void)state;
	/* a cgroup that cannot exist is always an error */
	assert_int_equal(cg_resolve("pp-unit-no-such-cgroup-8f3a", &t, err, sizeof(err)), -1);
	assert_true(err[0] != 0);
	assert_int_equal(cg_resolve("../x", &t, err, sizeof(err)), -1);

	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		skip();
	cg_parse_mountinfo(f, &m);
	fclose(f);
	for (i = 0; i < m.n; i++) {
		char root[PATH_MAX + 2];

		snprintf(root, sizeof(root), "%s/", m.m[i].path);
		if (stat(m.m[i].path, &st))
			continue;
		if (m.m[i].v2) {
			if (cg_resolve(root, &t, err, sizeof(err)))
				fail_msg("cg_resolve(%s): %s", root, err);
			assert_int_equal(t.hier, PP_CGROUP_V2);
			assert_true(t.id == st.st_ino);
			assert_string_equal(t.rel, "/");
			assert_int_equal(t.level, 0);
		} else if (m.m[i].controllers[0]) {
			FILE *pc = fopen("/proc/cgroups", "r");
			int ssid;

			if (!pc)
				continue;
			if (cg_resolve(root, &t, err, sizeof(err)))
				fail_msg("cg_resolve(%s): %s", root, err);
			ssid = cg_controller_ssid(pc, t.controller);
			fclose(pc);
			assert_int_equal(t.hier, PP_CGROUP_V1);
			assert_true(t.id == st.st_ino);
			assert_int_equal(t.ssid, ssid);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mountinfo_hybrid),
		cmocka_unit_test(test_mountinfo_pure_v2),
		cmocka_unit_test(test_mountinfo_escaped_paths),
		cmocka_unit_test(test_mountinfo_no_cgroups_and_garbage),
		cmocka_unit_test(test_mountinfo_bind_mount_root_ignored),
		cmocka_unit_test(test_mountinfo_more_than_max),
		cmocka_unit_test(test_mountinfo_v1_flags_not_controllers),
		cmocka_unit_test(test_mountinfo_favordynmods_is_a_flag),
		cmocka_unit_test(test_split_v2_host),
		cmocka_unit_test(test_split_hybrid_host),
		cmocka_unit_test(test_split_named_hierarchy_rejected),
		cmocka_unit_test(test_split_dotdot_rejected),
		cmocka_unit_test(test_split_bad_input),
		cmocka_unit_test(test_split_longest_mount_wins),
		cmocka_unit_test(test_split_escaped_mount),
		cmocka_unit_test(test_split_clears_output),
		cmocka_unit_test(test_ssid),
		cmocka_unit_test(test_proc_cgroup_v2),
		cmocka_unit_test(test_proc_cgroup_v1),
		cmocka_unit_test(test_proc_cgroup_garbage_and_truncation),
		cmocka_unit_test(test_path_of_pid_self),
		cmocka_unit_test(test_path_of_id_walks_tree),
		cmocka_unit_test(test_resolve_on_this_host),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
