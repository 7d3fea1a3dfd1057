// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collect/procmeta.h"

struct meta {
	uint32_t pid; /* 0: empty slot */
	bool tomb;
	char comm[PP_COMM_LEN];
	char cgroup[PP_CGROUP_PATH_MAX];
};

struct procmeta {
	struct cg_view view;
	struct meta *slots;
	size_t cap, used;
};

struct procmeta *procmeta_new(const struct cg_view *view)
{
	struct procmeta *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->view = *view;
	m->cap = 1024;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void procmeta_free(struct procmeta *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static size_t hash(uint32_t pid, size_t cap)
{
	return (size_t)(pid * 2654435761u) & (cap - 1);
}

static struct meta *find(struct procmeta *m, uint32_t pid)
{
	size_t i = hash(pid, m->cap), n;

	for (n = 0; n < m->cap; n++, i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].pid == pid && !m->slots[i].tomb)
			return &m->slots[i];
		if (!m->slots[i].pid)
			return NULL;
	}
	return NULL;
}

static int grow(struct procmeta *m)
{
	struct meta *old = m->slots;
	size_t oldcap = m->cap, i;

	m->slots = calloc(oldcap * 2, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -1;
	}
	m->cap = oldcap * 2;
	m->used = 0;
	for (i = 0; i < oldcap; i++) {
		if (old[i].pid && !old[i].tomb) {
			size_t j = hash(old[i].pid, m->cap);

			while (m->slots[j].pid)
				j = (j + 1) & (m->cap - 1);
			m->slots[j] = old[i];
			m->used++;
		}
	}
	free(old);
	return 0;
}

static struct meta *insert(struct procmeta *m, uint32_t pid)
{
	size_t i;

	if ((m->used + 1) * 2 > m->cap && grow(m))
		return NULL;
	i = hash(pid, m->cap);
	while (m->slots[i].pid && !m->slots[i].tomb)
		i = (i + 1) & (m->cap - 1);
	if (!m->slots[i].pid)
		m->used++;
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->slots[i].pid = pid;
	return &m->slots[i];
}

void procmeta_forget(struct procmeta *m, uint32_t pid)
{
	struct meta *e = find(m, pid);

	if (e)
		e->tomb = true;
}

static bool read_comm(uint32_t pid, char *comm, size_t len)
{
	char fn[64], buf[PP_COMM_LEN + 2];
	FILE *f;
	bool ok;

	snprintf(fn, sizeof(fn), "/proc/%u/comm", pid);
	f = fopen(fn, "r");
	if (!f)
		return false;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	buf[strcspn(buf, "\n")] = 0;
	snprintf(comm, len, "%.*s", PP_COMM_LEN - 1, buf);
	return true;
}

void procmeta_fill(struct procmeta *m, struct proc_sample *s, uint64_t cgroup_id)
{
	struct meta *e = find(m, s->pid);

	if (!e && !s->exited && (e = insert(m, s->pid)) != NULL) {
		if (!read_comm(s->pid, e->comm, sizeof(e->comm)))
			snprintf(e->comm, sizeof(e->comm), "%s", s->comm);
		cg_path_of_pid(&m->view, s->pid, e->cgroup, sizeof(e->cgroup));
	}
	if (e && !s->exited) {
		/* names change on exec: refresh the cheap one */
		read_comm(s->pid, e->comm, sizeof(e->comm));
	}
	if (e) {
		if (!s->exited || !s->comm[0])
			snprintf(s->comm, sizeof(s->comm), "%s", e->comm);
		snprintf(s->cgroup, sizeof(s->cgroup), "%s", e->cgroup);
	}
	if (!s->comm[0])
		snprintf(s->comm, sizeof(s->comm), "?");
	if (!s->cgroup[0] || !strcmp(s->cgroup, "?")) {
		if (!cgroup_id || cg_path_of_id(&m->view, cgroup_id, s->cgroup, sizeof(s->cgroup)))
			snprintf(s->cgroup, sizeof(s->cgroup), "?");
	}
}
