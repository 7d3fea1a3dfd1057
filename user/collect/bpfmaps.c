// SPDX-License-Identifier: GPL-2.0
/* Small readers and writers of BPF maps shared by the loaders (see bpfmaps.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/bpfmaps.h"

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("PERFPILOT_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

void bpfmaps_quiet_libbpf(void)
{
	libbpf_set_print(quiet_print);
}

void percpu_array_sum(int fd, uint64_t *out, uint32_t n)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *v = calloc(ncpu > 0 ? (size_t)ncpu : 1, sizeof(*v));
	__u32 k;
	int c;

	memset(out, 0, sizeof(uint64_t) * n);
	if (!v)
		return;
	for (k = 0; k < n; k++)
		if (!bpf_map_lookup_elem(fd, &k, v))
			for (c = 0; c < ncpu; c++)
				out[k] += v[c];
	free(v);
}

size_t stack_ips(int fd, int32_t id, uint64_t ips[PP_STACK_DEPTH])
{
	__u32 key = (__u32)id;
	size_t n = 0;

	if (id < 0)
		return 0;
	memset(ips, 0, sizeof(uint64_t) * PP_STACK_DEPTH);
	if (bpf_map_lookup_elem(fd, &key, ips))
		return 0;
	while (n < PP_STACK_DEPTH && ips[n])
		n++;
	return n;
}

size_t prof_keys_walk(int fd, size_t max, void *val,
		      void (*fn)(void *ctx, size_t i, const struct pp_prof_key *key,
				 const void *val),
		      void *ctx)
{
	struct pp_prof_key key, next, *prev = NULL;
	size_t k = 0;

	while (k < max && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, val))
			continue;
		fn(ctx, k++, &key, val);
	}
	return k;
}

size_t map_delete_keys(int fd, const uint32_t *keys, size_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	size_t done = 0, deleted = 0, i;
	__u32 count;

	while (done < n) {
		count = (__u32)(n - done < UINT32_MAX ? n - done : UINT32_MAX);
		if (!bpf_map_delete_batch(fd, keys + done, &count, &opts)) {
			deleted += count;
			done += count;
			continue;
		}
		if (errno != ENOENT || count >= n - done)
			break; /* no batch delete here: one by one from `done` */
		/* keys[done + count] is not in the map: the ones before it went */
		deleted += count;
		done += count + 1;
	}
	for (i = done; i < n; i++)
		deleted += !bpf_map_delete_elem(fd, &keys[i]);
	return deleted;
}

int pid_filter_fill(int fd, const struct target *t, char *err, size_t errlen)
{
	__u8 one = 1;
	size_t i;

	for (i = 0; i < t->npids; i++) {
		if (bpf_map_update_elem(fd, &t->pids[i], &one, BPF_ANY)) {
			snprintf(err, errlen, "filling the PID filter failed: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

int cgroup_filter_fill(int fd, const struct target *t, char *err, size_t errlen)
{
	__u8 one = 1;
	size_t i;

	if (t->mode != PP_FILTER_CGROUP || t->ncgroups < 2)
		return 0;
	for (i = 0; i < t->ncgroups; i++) {
		__u64 id = t->cg[i].id;

		if (bpf_map_update_elem(fd, &id, &one, BPF_ANY)) {
			snprintf(err, errlen, "filling the cgroup filter failed: %s",
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

void filter_rodata_set(const struct filter_rodata *r, const struct target *t,
		       const struct cg_target *cg)
{
	unsigned int lv[PP_MAX_CGROUP_LEVELS], n = 0, k, x;
	size_t i;

	*r->mode = t->mode;
	if (!cg)
		return;
	*r->hier = cg->hier;
	*r->ssid = cg->ssid;
	if (t->mode != PP_FILTER_CGROUP)
		return;
	*r->level = cg->level;
	*r->id = cg->id;
	if (t->ncgroups < 2)
		return;
	/* several: their distinct depths, ascending (watch_resolve_cgroups
	 * checked there are at most PP_MAX_CGROUP_LEVELS) */
	*r->mode = PP_FILTER_CGROUPS;
	for (i = 0; i < t->ncgroups; i++) {
		for (k = 0; k < n && lv[k] != t->cg[i].level; k++)
			;
		if (k < n || n == PP_MAX_CGROUP_LEVELS)
			continue;
		for (k = n++; k > 0 && lv[k - 1] > t->cg[i].level; k--)
			lv[k] = lv[k - 1];
		lv[k] = t->cg[i].level;
	}
	for (x = 0; x < n; x++)
		r->levels[x] = lv[x];
	*r->nlevels = n;
}
