// SPDX-License-Identifier: GPL-2.0
/* bpfmaps.c against real maps (skipped without the right to create them). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "unit.h"
#include "collect/bpfmaps.h"

/* A map, or a skip when this process may not create BPF maps. */
static int map_or_skip(enum bpf_map_type type, __u32 ksize, __u32 vsize, __u32 n)
{
	int fd = bpf_map_create(type, NULL, ksize, vsize, n, NULL);

	if (fd < 0)
		skip();
	return fd;
}

static void test_percpu_array_sum(void **state)
{
	int ncpu = libbpf_num_possible_cpus(), fd, c;
	__u64 *v = calloc((size_t)ncpu, sizeof(*v));
	uint64_t out[4] = { 7, 7, 7, 7 };
	__u32 k;

	(void)state;
	assert_true(ncpu > 0 && v);
	fd = map_or_skip(BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64), 3);
	for (k = 0; k < 3; k++) {
		for (c = 0; c < ncpu; c++)
			v[c] = (k + 1) * 100 + (__u64)c; /* a different value on each CPU */
		assert_int_equal(bpf_map_update_elem(fd, &k, v, BPF_ANY), 0);
	}
	percpu_array_sum(fd, out, 3);
	for (k = 0; k < 3; k++)
		assert_int_equal(out[k], (k + 1) * 100 * (uint64_t)ncpu +
					 (uint64_t)ncpu * (ncpu - 1) / 2);
	assert_int_equal(out[3], 7); /* beyond n: untouched */
	/* slots past the map's end cannot be read: 0 */
	percpu_array_sum(fd, out, 4);
	assert_int_equal(out[3], 0);
	close(fd);
	free(v);
}

static void test_stack_ips_missing(void **state)
{
	uint64_t ips[PP_STACK_DEPTH];
	int fd;

	(void)state;
	fd = map_or_skip(BPF_MAP_TYPE_STACK_TRACE, sizeof(__u32),
			 PP_STACK_DEPTH * sizeof(__u64), 16);
	ips[0] = 42;
	assert_int_equal(stack_ips(fd, PP_STACK_NONE, ips), 0);
	assert_int_equal(stack_ips(fd, PP_STACK_LOST, ips), 0);
	assert_int_equal(ips[0], 42); /* negative ids do not touch ips */
	assert_int_equal(stack_ips(fd, 3, ips), 0); /* never stored */
	close(fd);
}

struct walked {
	struct pp_prof_key keys[8];
	uint64_t vals[8];
	size_t calls;
};

static void keep(void *ctx, size_t i, const struct pp_prof_key *key, const void *val)
{
	struct walked *w = ctx;

	assert_int_equal(i, w->calls); /* i counts from 0 */
	w->keys[i] = *key;
	w->vals[i] = *(const __u64 *)val;
	w->calls++;
}

static void test_prof_keys_walk(void **state)
{
	struct walked w = {0};
	uint64_t seen = 0;
	__u64 v, val;
	size_t i, n;
	int fd;

	(void)state;
	fd = map_or_skip(BPF_MAP_TYPE_HASH, sizeof(struct pp_prof_key), sizeof(__u64), 8);
	for (v = 1; v <= 5; v++) {
		struct pp_prof_key k = { .tgid = (__u32)v, .ustack = (__s32)v, .kstack = -1 };

		val = v * 10;
		assert_int_equal(bpf_map_update_elem(fd, &k, &val, BPF_ANY), 0);
	}
	n = prof_keys_walk(fd, 8, &val, keep, &w);
	assert_int_equal(n, 5);
	assert_int_equal(w.calls, 5);
	for (i = 0; i < n; i++) {
		assert_int_equal(w.vals[i], w.keys[i].tgid * 10ULL); /* value of its own key */
		assert_int_equal(w.keys[i].ustack, (int)w.keys[i].tgid);
		seen |= 1ULL << w.keys[i].tgid;
	}
	assert_int_equal(seen, 0x3e); /* tgids 1..5, each once */
	/* at most max entries */
	memset(&w, 0, sizeof(w));
	assert_int_equal(prof_keys_walk(fd, 2, &val, keep, &w), 2);
	assert_int_equal(w.calls, 2);
	close(fd);
}

/* map_delete_keys: the keys there go, the ones missing are skipped (the
 * batch stops at each), the others stay */
static void test_map_delete_keys(void **state)
{
	const uint32_t del[] = { 1, 2, 99, 3, 100, 101, 4, 10, 102 };
	const uint32_t none[] = { 200, 201 };
	__u64 v = 7;
	__u32 k, next, left = 0;
	int fd;

	(void)state;
	fd = map_or_skip(BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u64), 64);
	for (k = 1; k <= 10; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	assert_int_equal(map_delete_keys(fd, del, sizeof(del) / sizeof(del[0])), 5);
	for (k = 1; k <= 10; k++) {
		bool there = !bpf_map_lookup_elem(fd, &k, &v);

		if (k <= 4 || k == 10)
			assert_false(there);
		else
			assert_true(there);
	}
	assert_int_equal(map_delete_keys(fd, none, 2), 0);
	assert_int_equal(map_delete_keys(fd, none, 0), 0);
	for (k = 0; !bpf_map_get_next_key(fd, left ? &k : NULL, &next); k = next)
		left++;
	assert_int_equal(left, 5); /* 5..9 */
	close(fd);
	/* a map without deletes: nothing, and no crash */
	fd = map_or_skip(BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 4);
	assert_int_equal(map_delete_keys(fd, del, 3), 0);
	close(fd);
}

static void test_pid_filter_fill(void **state)
{
	struct target t = { .mode = PP_FILTER_PID, .pids = { 11, 22, 33 }, .npids = 3 };
	char err[128] = "";
	__u32 pid;
	__u8 one;
	int fd;

	(void)state;
	fd = map_or_skip(BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u8), 2);
	/* a map too small: a one-line reason */
	assert_int_equal(pid_filter_fill(fd, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "filling the PID filter failed"));
	close(fd);
	fd = map_or_skip(BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u8), 4);
	assert_int_equal(pid_filter_fill(fd, &t, err, sizeof(err)), 0);
	for (pid = 11; pid <= 33; pid += 11) {
		assert_int_equal(bpf_map_lookup_elem(fd, &pid, &one), 0);
		assert_int_equal(one, 1);
	}
	pid = 44;
	assert_int_not_equal(bpf_map_lookup_elem(fd, &pid, &one), 0);
	close(fd);
}

/* Several -c: the set mode, its distinct depths ascending, the ids in the
 * map; one -c keeps the single-cgroup mode and fills no map. */
static void test_cgroup_filter(void **state)
{
	static struct target t = { .mode = PP_FILTER_CGROUP, .ncgroups = 4,
		.cg = { { .id = 501, .level = 3 }, { .id = 502, .level = 1 },
			{ .id = 503, .level = 3 }, { .id = 504, .level = 2 } } };
	struct cg_target cg = { .hier = PP_CGROUP_V1, .ssid = 4, .level = 3, .id = 501 };
	__u32 mode = 9, hier = 9, ssid = 9, level = 9, nlevels = 9, levels[PP_MAX_CGROUP_LEVELS] = { 0 };
	__u64 id = 9, key;
	struct filter_rodata r = { &mode, &hier, &ssid, &level, &id, &nlevels, levels };
	char err[128] = "";
	__u8 one;
	int fd;

	(void)state;
	filter_rodata_set(&r, &t, &cg);
	assert_int_equal(mode, PP_FILTER_CGROUPS);
	assert_int_equal(hier, PP_CGROUP_V1);
	assert_int_equal(ssid, 4);
	assert_int_equal(nlevels, 3);
	assert_int_equal(levels[0], 1);
	assert_int_equal(levels[1], 2);
	assert_int_equal(levels[2], 3);
	fd = map_or_skip(BPF_MAP_TYPE_HASH, sizeof(__u64), sizeof(__u8), PP_MAX_CGROUPS);
	assert_int_equal(cgroup_filter_fill(fd, &t, err, sizeof(err)), 0);
	for (key = 501; key <= 504; key++) {
		assert_int_equal(bpf_map_lookup_elem(fd, &key, &one), 0);
		assert_int_equal(one, 1);
	}
	close(fd);
	/* one: as before */
	t.ncgroups = 1;
	mode = nlevels = 9;
	filter_rodata_set(&r, &t, &cg);
	assert_int_equal(mode, PP_FILTER_CGROUP);
	assert_int_equal(level, 3);
	assert_int_equal(id, 501);
	assert_int_equal(nlevels, 9); /* untouched: the program's default 0 stays */
	fd = map_or_skip(BPF_MAP_TYPE_HASH, sizeof(__u64), sizeof(__u8), PP_MAX_CGROUPS);
	assert_int_equal(cgroup_filter_fill(fd, &t, err, sizeof(err)), 0);
	key = 501;
	assert_int_not_equal(bpf_map_lookup_elem(fd, &key, &one), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percpu_array_sum),
		cmocka_unit_test(test_stack_ips_missing),
		cmocka_unit_test(test_prof_keys_walk),
		cmocka_unit_test(test_map_delete_keys),
		cmocka_unit_test(test_pid_filter_fill),
		cmocka_unit_test(test_cgroup_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
