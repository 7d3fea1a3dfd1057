// SPDX-License-Identifier: GPL-2.0
/*
 * unwinder.c with real BPF maps (as root; skipped otherwise): a process's
 * mappings and its files' rows as the BPF walker will read them, a table
 * larger than the limit left out and counted, the least recently sampled
 * table evicted for another process's, never one the process being loaded
 * uses, and the same binary in two files (another root, a copy) loaded
 * once.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <signal.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "unit.h"
#include "unwind/table.h"
#include "unwind/unwinder.h"

#if defined(__x86_64__)

static struct unwinder_maps maps;

static int make_maps(uint32_t rows_max)
{
	LIBBPF_OPTS(bpf_map_create_opts, np, .map_flags = BPF_F_NO_PREALLOC);

	maps.rows = bpf_map_create(BPF_MAP_TYPE_ARRAY, "uw_rows", 4, sizeof(struct pp_unwind_row),
				   rows_max, NULL);
	maps.tables = bpf_map_create(BPF_MAP_TYPE_ARRAY, "uw_tables", 4,
				     sizeof(struct pp_unwind_table), PP_UNWIND_TABLES_MAX, NULL);
	maps.procs = bpf_map_create(BPF_MAP_TYPE_HASH, "uw_procs", 4, sizeof(struct pp_unwind_proc),
				    64, &np);
	maps.rows_max = rows_max;
	return maps.rows >= 0 && maps.tables >= 0 && maps.procs >= 0 ? 0 : -1;
}

static void close_maps(void)
{
	close(maps.rows);
	close(maps.tables);
	close(maps.procs);
}

/* Skip unless BPF maps can be made here (root). */
#define NEED_BPF(rows)                                                                  \
	do {                                                                            \
		if (make_maps(rows)) {                                                  \
			close_maps();                                                   \
			print_message("no BPF maps here (not root?): skipped\n");      \
			skip();                                                         \
		}                                                                       \
	} while (0)

static size_t rows_of(const char *path)
{
	struct unwind_table t;
	size_t n = 0;
	Elf *elf;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	if ((elf = elf_begin(fd, ELF_C_READ_MMAP, NULL)) && !unwind_table_build(elf, &t)) {
		n = t.n;
		unwind_table_free(&t);
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return n;
}

/* libc's own write() (not a sanitizer's interceptor of the same name). */
static uint64_t libc_write(void)
{
	void *h = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	uint64_t a = h ? (uint64_t)(uintptr_t)dlsym(h, "write") : 0;

	if (h)
		dlclose(h);
	return a;
}

/* The mapping of pid's entry holding addr, or NULL. */
static const struct pp_unwind_map *map_at(const struct pp_unwind_proc *e, uint64_t addr)
{
	uint32_t i;

	for (i = 0; i < e->n; i++)
		if (addr >= e->maps[i].start && addr < e->maps[i].end)
			return &e->maps[i];
	return NULL;
}

static bool table_of(const struct pp_unwind_map *m, struct pp_unwind_table *t)
{
	return !bpf_map_lookup_elem(maps.tables, &m->table, t) && t->gen == m->gen && t->count;
}

/* This process: its entry is sorted, holds this code's mapping, and the
 * rows there are the table of this binary, at the right bias. */
static void test_own_process(void **state)
{
	static struct pp_unwind_proc e;
	const struct pp_unwind_map *m;
	struct pp_unwind_table t;
	struct unwind_table built;
	struct unwinder_stats st;
	struct unwinder *u;
	uint32_t pid = (uint32_t)getpid(), i;
	uint64_t here = (uint64_t)(uintptr_t)&test_own_process;
	Elf *elf;
	int fd;

	(void)state;
	NEED_BPF(1u << 20);
	assert_non_null(u = unwinder_new(&maps));
	assert_int_equal(unwinder_add(u, pid), 0);
	assert_int_equal(bpf_map_lookup_elem(maps.procs, &pid, &e), 0);
	assert_true(e.n >= 3); /* this binary, libc, ld.so (and the vDSO) */
	for (i = 1; i < e.n; i++)
		assert_true(e.maps[i].start >= e.maps[i - 1].end);
	assert_non_null(m = map_at(&e, here));
	assert_true(table_of(m, &t));
	/* the rows of this binary as built from the file */
	assert_true((fd = open("/proc/self/exe", O_RDONLY)) >= 0);
	elf_version(EV_CURRENT);
	assert_non_null(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL));
	assert_int_equal(unwind_table_build(elf, &built), 0);
	assert_int_equal(t.count, built.n);
	for (i = 0; i < t.count; i++) { /* after the index */
		struct pp_unwind_row r;
		uint32_t k = t.first + t.nbuckets + i;

		assert_int_equal(bpf_map_lookup_elem(maps.rows, &k, &r), 0);
		assert_memory_equal(&r, &built.rows[i], sizeof(r));
	}
	/* the index: each bucket's rows from the one covering its start */
	assert_true(t.nbuckets >= 1 && t.nbuckets <= (t.count + 3) / 4 + 1);
	for (i = 0; i < t.nbuckets; i++) {
		struct pp_unwind_index b;
		uint32_t k = t.first + i;

		assert_int_equal(bpf_map_lookup_elem(maps.rows, &k, &b), 0);
		assert_true(b.first + b.n <= t.count);
		assert_true(b.first == 0 || built.rows[b.first].pc <= t.base + (i << t.shift));
	}
	/* the bias takes this function's address to its ELF address: the start
	 * of a function, with the entry rule */
	assert_non_null(unwind_table_find(&built, here - m->bias));
	assert_int_equal(unwind_table_find(&built, here - m->bias)->cfa_rule, PP_CFA_RSP);
	assert_int_equal(unwind_table_find(&built, here - m->bias)->cfa_off, 8);
	unwind_table_free(&built);
	elf_end(elf);
	close(fd);
	unwinder_stats(u, &st);
	print_message("%zu tables, %llu rows, built in %.3f s\n", st.loaded,
		      (unsigned long long)st.rows, st.build_s);
	assert_int_equal(st.loaded, e.n);
	assert_int_equal(st.too_big, 0);
	assert_int_equal(st.evicted, 0);
	assert_int_equal(st.procs, 1);
	unwinder_free(u);
	close_maps();
}

/* libc's table does not fit in the limit: left out and counted, the
 * others loaded. */
static void test_over_the_limit(void **state)
{
	static struct pp_unwind_proc e;
	const struct pp_unwind_map *m;
	struct pp_unwind_table t;
	struct unwinder_stats st;
	struct unwinder *u;
	uint32_t pid = (uint32_t)getpid();
	size_t libc = rows_of("/lib/x86_64-linux-gnu/libc.so.6");

	(void)state;
	if (!libc)
		skip();
	NEED_BPF((uint32_t)libc - 1);
	assert_non_null(u = unwinder_new(&maps));
	assert_int_equal(unwinder_add(u, pid), 0);
	unwinder_stats(u, &st);
	assert_true(st.too_big >= 1);
	assert_true(st.rows <= libc - 1);
	assert_int_equal(bpf_map_lookup_elem(maps.procs, &pid, &e), 0);
	assert_null(map_at(&e, libc_write())); /* libc's: no table */
	assert_non_null(m = map_at(&e, (uint64_t)(uintptr_t)&test_over_the_limit));
	assert_true(table_of(m, &t));
	unwinder_free(u);
	close_maps();
}

/* A child running another program: its own binary's table is the only
 * one this process does not map too, so the only one that may make room
 * for this process's. */
static void test_eviction(void **state)
{
	static struct pp_unwind_proc e;
	const struct pp_unwind_map *m;
	struct unwinder_stats st, before;
	struct pp_unwind_table t;
	struct unwinder *u;
	uint32_t self = (uint32_t)getpid(), child;
	size_t sleep_rows = rows_of("/bin/sleep");
	uint64_t all, child_rows;
	pid_t pid;
	int i;

	(void)state;
	if (!sleep_rows)
		skip();
	if ((pid = fork()) == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	child = (uint32_t)pid;
	for (i = 0; i < 200; i++) { /* until it runs sleep */
		char exe[64] = "", fn[32];
		ssize_t n;

		snprintf(fn, sizeof(fn), "/proc/%u/exe", child);
		if ((n = readlink(fn, exe, sizeof(exe) - 1)) > 0 && strstr(exe, "sleep"))
			break;
		usleep(10000);
	}
	/* the rows both processes take, and the child's alone */
	if (make_maps(1u << 21)) {
		close_maps();
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		skip();
	}
	assert_non_null(u = unwinder_new(&maps));
	assert_int_equal(unwinder_add(u, child), 0);
	unwinder_stats(u, &st);
	child_rows = st.rows;
	assert_int_equal(unwinder_add(u, self), 0);
	unwinder_stats(u, &st);
	all = st.rows;
	unwinder_free(u);
	close_maps();
	assert_true(all > child_rows + sleep_rows);
	/* room for all but half of sleep's table */
	NEED_BPF((uint32_t)(all - sleep_rows / 2));
	assert_non_null(u = unwinder_new(&maps));
	assert_int_equal(unwinder_add(u, child), 0);
	unwinder_stats(u, &before);
	assert_int_equal(before.evicted, 0);
	assert_int_equal(unwinder_add(u, self), 0);
	unwinder_stats(u, &st);
	print_message("%llu rows for both, %llu for the child; %zu evicted\n",
		      (unsigned long long)all, (unsigned long long)child_rows, st.evicted);
	assert_int_equal(st.evicted, 1); /* sleep's: the others are this process's too */
	/* sleep's mapping now points at a slot that holds no longer its table */
	assert_int_equal(bpf_map_lookup_elem(maps.procs, &child, &e), 0);
	for (i = 0; i < (int)e.n; i++)
		if (!bpf_map_lookup_elem(maps.tables, &e.maps[i].table, &t) &&
		    t.gen != e.maps[i].gen)
			break;
	assert_true(i < (int)e.n);
	/* libc, which this process maps too, was kept: its table is whole */
	assert_int_equal(bpf_map_lookup_elem(maps.procs, &self, &e), 0);
	assert_non_null(m = map_at(&e, libc_write()));
	assert_true(table_of(m, &t));
	assert_non_null(m = map_at(&e, (uint64_t)(uintptr_t)&test_eviction));
	assert_true(table_of(m, &t));
	unwinder_free(u);
	close_maps();
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Start path as a child (argv0 and args), running once its exe is path. */
/* Whether pid maps libc yet (the dynamic linker has loaded it: a
 * process read right after its exec maps only itself and ld.so). */
static bool maps_libc(pid_t pid)
{
	char fn[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%d/maps", (int)pid);
	if (!(f = fopen(fn, "r")))
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "/libc.so") != NULL;
	fclose(f);
	return found;
}

static pid_t start_copy(const char *path, const char *a1, const char *a2)
{
	pid_t pid = fork();
	int i;

	if (pid == 0) {
		execl(path, "copy", a1, a2, (char *)NULL);
		_exit(127);
	}
	for (i = 0; pid > 0 && i < 200; i++) {
		char exe[PATH_MAX] = "", fn[32];

		snprintf(fn, sizeof(fn), "/proc/%d/exe", (int)pid);
		if (readlink(fn, exe, sizeof(exe) - 1) > 0 && !strcmp(exe, path) && maps_libc(pid))
			break;
		usleep(10000);
	}
	return pid;
}

static int copy_file(const char *from, const char *to)
{
	char cmd[3 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), "cp '%.4000s' '%.4000s'", from, to);
	return system(cmd);
}

/* Two copies of sleep (other inodes, one build ID) share one table; tail
 * copied under the same name elsewhere (another build ID) has its own. */
static void test_shared_by_build_id(void **state)
{
	static struct pp_unwind_proc e[3];
	char dir[] = "/tmp/pp-unwinder-XXXXXX", path[3][PATH_MAX], cmd[PATH_MAX + 16];
	struct unwinder_stats st;
	struct unwinder *u;
	pid_t pid[3];
	uint32_t k, i, same = 0;

	(void)state;
	if (access("/bin/sleep", X_OK) || access("/usr/bin/tail", X_OK))
		skip();
	NEED_BPF(1u << 20);
	assert_non_null(mkdtemp(dir));
	for (k = 0; k < 3; k++) {
		snprintf(path[k], sizeof(path[k]), "%s/%u", dir, k);
		assert_int_equal(mkdir(path[k], 0755), 0);
		strcat(path[k], "/sleep");
		assert_int_equal(copy_file(k < 2 ? "/bin/sleep" : "/usr/bin/tail", path[k]), 0);
	}
	pid[0] = start_copy(path[0], "30", NULL);
	pid[1] = start_copy(path[1], "30", NULL);
	pid[2] = start_copy(path[2], "-f", "/dev/null");
	assert_non_null(u = unwinder_new(&maps));
	for (k = 0; k < 3; k++) {
		assert_true(pid[k] > 0);
		assert_int_equal(unwinder_add(u, (uint32_t)pid[k]), 0);
		assert_int_equal(bpf_map_lookup_elem(maps.procs, &pid[k], &e[k]), 0);
	}
	unwinder_stats(u, &st);
	print_message("%zu tables for 3 processes, %zu files sharing one\n", st.loaded, st.shared);
	assert_int_equal(st.shared, 1);     /* the second copy of sleep */
	assert_int_equal(st.loaded, 5);     /* sleep, tail, libc, ld.so, the vDSO */
	assert_int_equal(e[0].n, e[1].n);   /* the same mappings, the same tables */
	for (i = 0; i < e[0].n; i++)
		assert_int_equal(e[0].maps[i].table, e[1].maps[i].table);
	for (i = 0; i < e[0].n && i < e[2].n; i++)
		same += e[0].maps[i].table == e[2].maps[i].table;
	assert_true(same < e[0].n); /* tail's table is not sleep's */
	unwinder_free(u);
	close_maps();
	for (k = 0; k < 3; k++) {
		kill(pid[k], SIGKILL);
		waitpid(pid[k], NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A process queued once the worker runs (with the want map): its
 * mappings are loaded pointing at tables not built (PP_UNWIND_WANT | id),
 * none built; a walk's asking for libc's (the want map's slot set, as the
 * BPF walker does) has the worker build just that one and point the
 * entry at it. */
static void test_on_demand(void **state)
{
	static struct pp_unwind_proc e;
	const struct pp_unwind_map *m;
	struct pp_unwind_table t;
	struct unwinder_stats st;
	struct unwinder *u;
	uint32_t pid = (uint32_t)getpid(), id, i;
	uint64_t one = 1;
	uint64_t lw = libc_write();
	int k;

	(void)state;
	NEED_BPF(1u << 20);
	{
		LIBBPF_OPTS(bpf_map_create_opts, mm, .map_flags = BPF_F_MMAPABLE);

		maps.want = bpf_map_create(BPF_MAP_TYPE_ARRAY, "uw_want", 4, 8, PP_UNWIND_WANT_MAX,
					   &mm);
	}
	assert_true(maps.want > 0);
	assert_true(lw != 0);
	assert_non_null(u = unwinder_new(&maps));
	assert_int_equal(unwinder_start(u, 60), 0);
	unwinder_queue(u, pid);
	for (k = 0; k < 100 && bpf_map_lookup_elem(maps.procs, &pid, &e); k++)
		usleep(20000);
	assert_int_equal(bpf_map_lookup_elem(maps.procs, &pid, &e), 0);
	assert_true(e.n >= 3);
	for (i = 0; i < e.n; i++)
		assert_true(e.maps[i].table & PP_UNWIND_WANT);
	unwinder_stats(u, &st);
	assert_int_equal(st.loaded, 0);
	assert_int_equal(st.built, 0);
	assert_true(st.not_asked >= 3);
	assert_non_null(m = map_at(&e, lw));
	id = m->table & ~PP_UNWIND_WANT;
	assert_int_equal(bpf_map_update_elem(maps.want, &id, &one, BPF_ANY), 0);
	for (k = 0; k < 150; k++) {
		usleep(20000);
		assert_int_equal(bpf_map_lookup_elem(maps.procs, &pid, &e), 0);
		if (!(map_at(&e, lw)->table & PP_UNWIND_WANT))
			break;
	}
	assert_non_null(m = map_at(&e, lw));
	assert_false(m->table & PP_UNWIND_WANT);
	assert_true(table_of(m, &t));
	assert_int_equal(t.count, rows_of("/lib/x86_64-linux-gnu/libc.so.6"));
	unwinder_stats(u, &st);
	print_message("on demand: %zu built, %zu not built\n", st.on_demand, st.not_asked);
	assert_int_equal(st.loaded, 1);
	assert_int_equal(st.on_demand, 1);
	for (i = 0; i < e.n; i++) /* the others still wait */
		if (&e.maps[i] != m)
			assert_true(e.maps[i].table & PP_UNWIND_WANT);
	unwinder_free(u);
	close(maps.want);
	maps.want = 0;
	close_maps();
}

#endif

/* An evicted table is built again no sooner than 2 s after its first
 * eviction, doubling up to 64 s. */
static void test_backoff(void **state)
{
	(void)state;
	assert_true(unwind_backoff_s(0) == 2);
	assert_true(unwind_backoff_s(1) == 2);
	assert_true(unwind_backoff_s(2) == 4);
	assert_true(unwind_backoff_s(5) == 32);
	assert_true(unwind_backoff_s(6) == 64);
	assert_true(unwind_backoff_s(1000) == 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
#if defined(__x86_64__)
		cmocka_unit_test(test_own_process),
		cmocka_unit_test(test_over_the_limit),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_shared_by_build_id),
		cmocka_unit_test(test_on_demand),
#endif
	};

	return cmocka_run_group_tests_name("unwinder", tests, NULL, NULL);
}
