// SPDX-License-Identifier: GPL-2.0
/* BPF programs loaded after the kernel's symbols were read (see bpfsyms.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "symbols/bpfsyms.h"

/* The first image ending after addr. */
static size_t first_after(const struct bpfsyms *b, uint64_t addr)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->v[mid].addr + b->v[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int bpfsyms_add(struct bpfsyms *b, uint64_t addr, uint32_t len, const char *name)
{
	size_t at, end;

	if (!len)
		return 0;
	at = first_after(b, addr);
	for (end = at; end < b->n && b->v[end].addr < addr + len; end++)
		; /* [at, end) overlap the new image */
	if (end == at && b->n >= BPFSYMS_MAX) {
		b->n = 0; /* bounded: begin again with the newest */
		b->resets++;
		at = end = 0;
	}
	if (end == at && b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct bpfsym *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	if (end == at)
		memmove(&b->v[at + 1], &b->v[at], (b->n - at) * sizeof(*b->v));
	else if (end > at + 1)
		memmove(&b->v[at + 1], &b->v[end], (b->n - end) * sizeof(*b->v));
	b->n = b->n + 1 - (end - at);
	b->v[at].addr = addr;
	b->v[at].len = len;
	snprintf(b->v[at].name, sizeof(b->v[at].name), "%s", name);
	return 0;
}

const char *bpfsyms_find(const struct bpfsyms *b, uint64_t addr)
{
	size_t i = first_after(b, addr);

	return i < b->n && b->v[i].addr <= addr ? b->v[i].name : NULL;
}

void bpfsyms_mark(struct bpfsyms *b)
{
	uint32_t id = b->last_id, next;

	while (!bpf_prog_get_next_id(id, &next))
		id = next;
	b->last_id = id;
}

#define MAX_FUNCS 64 /* a program's images read: its main one and subprograms */

/* The images of the program with id `id` into b: how many, -1 if none. */
static int add_prog(struct bpfsyms *b, uint32_t id)
{
	__u64 addrs[MAX_FUNCS] = {0};
	__u32 lens[MAX_FUNCS] = {0};
	struct bpf_prog_info info = {0};
	__u32 size = sizeof(info), i, n;
	char name[BPFSYM_NAME_LEN], *p;
	int fd = bpf_prog_get_fd_by_id(id), added = 0;

	if (fd < 0)
		return -1; /* unloaded since */
	if (bpf_obj_get_info_by_fd(fd, &info, &size) || !info.nr_jited_ksyms) {
		close(fd);
		return -1;
	}
	n = info.nr_jited_ksyms < MAX_FUNCS ? info.nr_jited_ksyms : MAX_FUNCS;
	if (info.nr_jited_func_lens < n)
		n = info.nr_jited_func_lens;
	memset(&info, 0, sizeof(info));
	info.nr_jited_ksyms = n;
	info.jited_ksyms = (__u64)(unsigned long)addrs;
	info.nr_jited_func_lens = n;
	info.jited_func_lens = (__u64)(unsigned long)lens;
	size = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &size)) {
		close(fd);
		return -1;
	}
	close(fd);
	p = name + snprintf(name, sizeof(name), "bpf_prog_");
	for (i = 0; i < BPF_TAG_SIZE; i++)
		p += snprintf(p, 3, "%02x", info.tag[i]);
	if (info.name[0])
		snprintf(p, sizeof(name) - (size_t)(p - name), "_%.*s", (int)sizeof(info.name), info.name);
	/* subprograms under the program's name: the kernel names them from
	 * the program's BTF, which this does not read */
	for (i = 0; i < n; i++) {
		if (!addrs[i] || bpfsyms_add(b, addrs[i], lens[i], name))
			continue;
		added++;
	}
	return added;
}

int bpfsyms_scan(struct bpfsyms *b)
{
	uint32_t id = b->last_id, next;
	int added = 0, k;

	while (!bpf_prog_get_next_id(id, &next)) {
		id = next;
		k = add_prog(b, id);
		if (k > 0)
			added += k;
	}
	if (errno != ENOENT && id == b->last_id)
		return -1; /* EPERM, ...: not even the first id */
	b->last_id = id;
	return added;
}

void bpfsyms_free(struct bpfsyms *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}
