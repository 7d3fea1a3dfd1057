// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collect/procmeta.h"

struct meta {
	uint32_t pid; /* 0: empty slot */
	bool tomb;
	int64_t start_ms; /* the process's start: a reused pid is another process */
	char comm[PP_COMM_LEN];
	char cgroup[PP_CGROUP_PATH_MAX];
};

struct procmeta {
	struct cg_view view;
	struct meta *slots;
	size_t cap, used, live;
	long long btime_ms;  /* boot time, unix ms (/proc/stat btime) */
	long hz;             /* USER_HZ: the unit of /proc/PID/stat starttime */
	struct procmeta_stats stats;
};

static long long read_btime_ms(void)
{
	char line[256];
	long long bt = 0;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lld", &bt) == 1)
			break;
	fclose(f);
	return bt * 1000;
}

int64_t procmeta_start_ms(long long btime_ms, long hz, uint64_t start_boot_ns)
{
	uint64_t tick_ns;

	if (!btime_ms || hz <= 0 || !start_boot_ns)
		return 0;
	/* whole ticks, as /proc/PID/stat has them: both sources agree */
	tick_ns = 1000000000ull / (uint64_t)hz;
	return btime_ms + (int64_t)(start_boot_ns / tick_ns * 1000 / (uint64_t)hz);
}

int procmeta_parse_stat(const char *buf, uint32_t *ppid, unsigned long long *starttime)
{
	const char *p = strrchr(buf, ')');
	unsigned long long st = 0;
	unsigned int pp = 0;
	int field;

	if (!p)
		return -1;
	p++;
	/* fields after the command: 3 state, 4 ppid, ..., 22 starttime */
	for (field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -1;
		if (field == 4)
			pp = (unsigned int)strtoul(p, NULL, 10);
		else if (field == 22)
			st = strtoull(p, NULL, 10);
		while (*p && *p != ' ')
			p++;
	}
	*ppid = pp;
	*starttime = st;
	return 0;
}

/* ppid and start from /proc/PID/stat, for a process the collector has not
 * described (no scheduler event yet). */
static void read_stat(struct procmeta *m, struct proc_sample *s)
{
	unsigned long long ticks;
	char fn[64], buf[1024];
	uint32_t ppid;
	size_t len;
	FILE *f;

	snprintf(fn, sizeof(fn), "/proc/%u/stat", s->pid);
	f = fopen(fn, "r");
	if (!f)
		return;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = 0;
	if (procmeta_parse_stat(buf, &ppid, &ticks) || !m->btime_ms)
		return;
	s->start_ms = m->btime_ms + (int64_t)(ticks * 1000 / (unsigned long long)m->hz);
	if (!s->ppid)
		s->ppid = ppid;
}

struct procmeta *procmeta_new(const struct cg_view *view)
{
	struct procmeta *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->view = *view;
	m->btime_ms = read_btime_ms();
	m->hz = sysconf(_SC_CLK_TCK);
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

/* Rehash into `newcap` slots, dropping the tombstones of exited processes. */
static int rehash(struct procmeta *m, size_t newcap)
{
	struct meta *old = m->slots;
	size_t oldcap = m->cap, i;

	m->slots = calloc(newcap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -1;
	}
	m->cap = newcap;
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

/*
 * A new entry. Tombstones count as used until a rehash at the same size
 * clears them (the table grows only with the live entries, so churn does not
 * make it grow); at PROCMETA_MAX live entries nothing more is cached (the
 * caller reads /proc each time) and the refusal is counted.
 */
static struct meta *insert(struct procmeta *m, uint32_t pid)
{
	size_t i;

	if ((m->used + 1) * 2 > m->cap) {
		size_t want = (m->live + 1) * 4 > m->cap ? m->cap * 2 : m->cap;

		if (want > PROCMETA_MAX * 2 || rehash(m, want)) {
			m->stats.refused++;
			return NULL;
		}
	}
	i = hash(pid, m->cap);
	while (m->slots[i].pid && !m->slots[i].tomb)
		i = (i + 1) & (m->cap - 1);
	if (!m->slots[i].pid)
		m->used++;
	memset(&m->slots[i], 0, sizeof(m->slots[i]));
	m->slots[i].pid = pid;
	m->live++;
	m->stats.inserted++;
	return &m->slots[i];
}

void procmeta_forget(struct procmeta *m, uint32_t pid)
{
	struct meta *e = find(m, pid);

	if (e) {
		e->tomb = true;
		m->live--;
		m->stats.evicted++;
	}
}

void procmeta_get_stats(const struct procmeta *m, struct procmeta_stats *out)
{
	*out = m->stats;
	out->live = m->live;
	out->slots = m->cap;
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
	struct meta *e;

	s->start_ms = procmeta_start_ms(m->btime_ms, m->hz, s->start_boot_ns);
	if (!s->start_ms && !s->exited)
		read_stat(m, s);
	e = find(m, s->pid);
	if (e && s->start_ms && e->start_ms && e->start_ms != s->start_ms) {
		/* the pid was reused: what is cached is another process's */
		e->tomb = true;
		m->live--;
		m->stats.evicted++;
		e = NULL;
	}
	if (!e && !s->exited && (e = insert(m, s->pid)) != NULL) {
		e->start_ms = s->start_ms;
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
	if (s->ppid && !s->pcomm[0] && !read_comm(s->ppid, s->pcomm, sizeof(s->pcomm)))
		snprintf(s->pcomm, sizeof(s->pcomm), "?");
	if (!s->cgroup[0] || !strcmp(s->cgroup, "?")) {
		if (!cgroup_id || cg_path_of_id(&m->view, cgroup_id, s->cgroup, sizeof(s->cgroup)))
			snprintf(s->cgroup, sizeof(s->cgroup), "?");
	}
}
