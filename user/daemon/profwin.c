// SPDX-License-Identifier: GPL-2.0
/* The last minutes of on-CPU stacks, interval by interval. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "daemon/profwin.h"

#define PROFWIN_SLOTS 4096

struct slot {
	struct stackset ss;
	size_t bytes;
};

struct profwin {
	pthread_mutex_t lock;
	pthread_cond_t added;         /* an interval came, or closing */
	bool closing;
	struct slot s[PROFWIN_SLOTS]; /* a ring, oldest at head */
	size_t head, n;
	size_t bytes;
	unsigned long long dropped;
};

struct profwin *profwin_new(void)
{
	struct profwin *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	if (pthread_mutex_init(&w->lock, NULL)) {
		free(w);
		return NULL;
	}
	if (pthread_cond_init(&w->added, NULL)) {
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

static void drop_oldest(struct profwin *w)
{
	struct slot *s = &w->s[w->head];

	w->bytes -= s->bytes;
	ss_free(&s->ss);
	w->head = (w->head + 1) % PROFWIN_SLOTS;
	w->n--;
}

void profwin_free(struct profwin *w)
{
	if (!w)
		return;
	while (w->n)
		drop_oldest(w);
	pthread_cond_destroy(&w->added);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* What a stack set takes in memory, about (allocations of 16 bytes more). */
static size_t ss_bytes(const struct stackset *ss)
{
	size_t b = sizeof(*ss) + ss->capframes * sizeof(*ss->frames) +
		   ss->capstacks * sizeof(*ss->stacks) + ss->ftabsize * sizeof(*ss->ftab);
	size_t i;

	for (i = 0; i < ss->nframes; i++) {
		const struct ss_frame *f = &ss->frames[i];

		b += 48 + strlen(f->name) + (f->module ? strlen(f->module) : 0) +
		     (f->build_id ? strlen(f->build_id) : 0);
	}
	for (i = 0; i < ss->nstacks; i++)
		b += 16 + ss->stacks[i].n * sizeof(uint32_t);
	return b;
}

void profwin_add(struct profwin *w, struct stackset *ss)
{
	double end = ss->start_unix + ss->duration_s;
	struct slot *s;

	pthread_mutex_lock(&w->lock);
	/* older than the window, or beyond the bounds: the oldest go */
	while (w->n && w->s[w->head].ss.start_unix + w->s[w->head].ss.duration_s <
			       end - PROFWIN_MAX_S)
		drop_oldest(w);
	s = &w->s[(w->head + w->n) % PROFWIN_SLOTS];
	s->ss = *ss;
	s->bytes = ss_bytes(ss);
	w->n++;
	w->bytes += s->bytes;
	while (w->n > 1 && (w->bytes > PROFWIN_MAX_BYTES || w->n == PROFWIN_SLOTS)) {
		drop_oldest(w);
		w->dropped++;
	}
	pthread_cond_broadcast(&w->added);
	pthread_mutex_unlock(&w->lock);
	memset(ss, 0, sizeof(*ss));
}

static bool keep_pid(void *arg, uint32_t pid)
{
	return pid == *(const uint32_t *)arg;
}

/* Add ss's stacks (those keep() keeps, all without it) to out, its frames
 * interned again. */
static int merge(struct stackset *out, const struct stackset *ss, profwin_keep_fn keep,
		 void *arg)
{
	int64_t *map = calloc(ss->nframes + 1, sizeof(*map));
	uint32_t *fr = NULL;
	size_t i, j, cap = 0;
	int rc = 0;

	if (!map)
		return -1;
	for (i = 0; i < ss->nframes; i++)
		map[i] = -1;
	for (i = 0; i < ss->nstacks && !rc; i++) {
		const struct ss_stack *st = &ss->stacks[i];

		if (keep && !keep(arg, st->pid))
			continue;
		if (st->n > cap) {
			uint32_t *n = realloc(fr, st->n * sizeof(*fr));

			if (!n) {
				rc = -1;
				break;
			}
			fr = n;
			cap = st->n;
		}
		for (j = 0; j < st->n && !rc; j++) {
			uint32_t k = st->frames[j];
			const struct ss_frame *f = &ss->frames[k];

			if (map[k] < 0)
				map[k] = ss_frame(out, f->name, f->module, f->build_id, f->addr,
						  f->offset, f->kernel);
			if (map[k] < 0)
				rc = -1;
			else
				fr[j] = (uint32_t)map[k];
		}
		if (!rc)
			rc = ss_add(out, st->pid, st->comm, fr, st->n, st->count, st->value_ns);
	}
	free(fr);
	free(map);
	return rc;
}

int profwin_get(struct profwin *w, double seconds, double now, uint32_t pid,
		struct stackset *out)
{
	double from = now - seconds, start = now, end = now;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	ss_init(out, SS_ONCPU, w->n ? w->s[w->head].ss.hz : 1);
	for (i = 0; i < w->n && !rc; i++) {
		const struct stackset *ss = &w->s[(w->head + i) % PROFWIN_SLOTS].ss;
		double e = ss->start_unix + ss->duration_s;

		if (e <= from)
			continue;
		if (ss->start_unix < start)
			start = ss->start_unix;
		out->hz = ss->hz;
		out->period_ns = ss->period_ns;
		end = e;
		rc = merge(out, ss, pid ? keep_pid : NULL, &pid);
	}
	pthread_mutex_unlock(&w->lock);
	out->start_unix = start;
	out->duration_s = end - start;
	return rc;
}

int profwin_take(struct profwin *w, double from, double until, double *taken,
		 profwin_keep_fn keep, void *arg, struct stackset *out, bool *complete)
{
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->n && !rc; i++) {
		const struct stackset *ss = &w->s[(w->head + i) % PROFWIN_SLOTS].ss;
		double e = ss->start_unix + ss->duration_s;

		if (e <= *taken)
			continue;
		*taken = e;
		if (ss->start_unix < from)
			continue; /* begun before the request: not its data */
		if (!out->start_unix)
			out->start_unix = ss->start_unix;
		out->hz = ss->hz;
		out->period_ns = ss->period_ns;
		out->duration_s = e - out->start_unix;
		rc = merge(out, ss, keep, arg);
	}
	pthread_mutex_unlock(&w->lock);
	*complete = out->start_unix && *taken >= until;
	return rc;
}

int profwin_wait(struct profwin *w, double after, double deadline)
{
	struct timespec ts = { .tv_sec = (time_t)deadline,
			       .tv_nsec = (long)((deadline - (double)(time_t)deadline) * 1e9) };
	int rc = -1;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		const struct stackset *last = w->n ? &w->s[(w->head + w->n - 1) % PROFWIN_SLOTS].ss
						   : NULL;

		if (last && last->start_unix + last->duration_s > after) {
			rc = 0;
			break;
		}
		if (w->closing || pthread_cond_timedwait(&w->added, &w->lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void profwin_close(struct profwin *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->closing = true;
	pthread_cond_broadcast(&w->added);
	pthread_mutex_unlock(&w->lock);
}

void profwin_stats(struct profwin *w, unsigned long long *dropped, size_t *bytes)
{
	pthread_mutex_lock(&w->lock);
	*dropped = w->dropped;
	*bytes = w->bytes;
	pthread_mutex_unlock(&w->lock);
}
