// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/cgroup.h"
#include "collect/features.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static struct btf *vmlinux_btf;
static bool btf_tried;

struct btf *features_vmlinux_btf(void)
{
	if (!btf_tried) {
		btf_tried = true;
		vmlinux_btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(vmlinux_btf))
			vmlinux_btf = NULL;
	}
	return vmlinux_btf;
}

void features_release(void)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	btf_tried = false;
}

int tp_nargs(const char *tp)
{
	struct btf *btf = features_vmlinux_btf();
	const struct btf_type *t;
	char name[128];
	int id;

	if (!btf)
		return -1;
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);               /* typedef -> pointer */
	t = t ? btf__type_by_id(btf, t->type) : NULL; /* pointer -> func proto */
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t))
		return -1;
	return btf_vlen(t) - 1; /* the first parameter is the tracepoint's data */
}

/* The type of tracepoint argument `i` (0-based, as seen by BPF). */
static const struct btf_type *tp_arg_type(const char *tp, int i)
{
	struct btf *btf = features_vmlinux_btf();
	const struct btf_type *t;
	char name[128];
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	if (!btf || (id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF)) < 0)
		return NULL;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) <= i + 1)
		return NULL;
	return btf__type_by_id(btf, btf_params(t)[i + 1].type);
}

/* Member `field` of struct/union `t`, looking into anonymous members. */
static bool type_has_field(const struct btf *btf, const struct btf_type *t, const char *field,
			   int depth)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		const struct btf_type *mt;

		if (name && *name) {
			if (!strcmp(name, field))
				return true;
			continue;
		}
		mt = btf__type_by_id(btf, m->type);
		while (mt && (btf_is_mod(mt) || btf_is_typedef(mt)))
			mt = btf__type_by_id(btf, mt->type);
		if (mt && (btf_is_struct(mt) || btf_is_union(mt)) && depth < 4 &&
		    type_has_field(btf, mt, field, depth + 1))
			return true;
	}
	return false;
}

bool btf_has_field(const char *type, const char *field)
{
	struct btf *btf = features_vmlinux_btf();
	int id;

	if (!btf || (id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT)) < 0)
		return false;
	return type_has_field(btf, btf__type_by_id(btf, id), field, 0);
}

static bool fs_is(const char *path, long magic)
{
	struct statfs s;

	return !statfs(path, &s) && (long)s.f_type == magic;
}

static bool can_open_sw_event(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(a),
		.config = PERF_COUNT_SW_PAGE_FAULTS_MIN,
		.sample_period = 1,
		.disabled = 1,
	};
	int fd = (int)syscall(__NR_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

void features_probe(struct features *f)
{
	struct cg_mounts mounts = {0};
	struct utsname u;
	const struct btf_type *t;
	FILE *fp;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (!uname(&u))
		snprintf(f->kernel, sizeof(f->kernel), "%s", u.release);
	f->btf = features_vmlinux_btf() != NULL;
	f->tracefs = fs_is("/sys/kernel/tracing", TRACEFS_MAGIC) ||
		     fs_is("/sys/kernel/debug/tracing", TRACEFS_MAGIC);
	f->bpffs = fs_is("/sys/fs/bpf", BPF_FS_MAGIC);
	f->kprobe_events = !access("/sys/kernel/tracing/kprobe_events", F_OK) ||
			   !access("/sys/kernel/debug/tracing/kprobe_events", F_OK) ||
			   !access("/sys/bus/event_source/devices/kprobe/type", F_OK);
	f->psi = !access("/proc/pressure/cpu", R_OK);
	fp = fopen("/proc/self/mountinfo", "r");
	if (fp) {
		cg_parse_mountinfo(fp, &mounts);
		fclose(fp);
	}
	for (i = 0; i < mounts.n; i++) {
		if (mounts.m[i].v2) {
			char fn[PATH_MAX + 32], buf[256] = "";
			FILE *c;

			f->cgroup_v2 = true;
			snprintf(fn, sizeof(fn), "%s/cgroup.controllers", mounts.m[i].path);
			c = fopen(fn, "r");
			if (c) {
				f->cgroup_v2_controllers |= fgets(buf, sizeof(buf), c) && buf[0] > ' ';
				fclose(c);
			}
		} else if (mounts.m[i].controllers[0]) {
			f->cgroup_v1 = true;
		}
	}
	f->perf_sw_events = can_open_sw_event();
	f->sched_switch_nargs = tp_nargs("sched_switch");
	f->exit_has_group_dead = tp_nargs("sched_process_exit") >= 2;
	f->retransmit_has_err = tp_nargs("tcp_retransmit_skb") >= 3;
	f->sched_info_run_delay = btf_has_field("task_struct", "sched_info") &&
				  btf_has_field("sched_info", "run_delay");
	f->task_iter = features_vmlinux_btf() &&
		       btf__find_by_name_kind(features_vmlinux_btf(), "bpf_iter__task",
					      BTF_KIND_STRUCT) >= 0;
	t = tp_arg_type("mark_victim", 0);
	f->mark_victim_has_task = t && btf_is_ptr(t);
}
