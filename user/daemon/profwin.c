// SPDX-License-Identifier: GPL-2.0
/* The last minutes of on-CPU stacks, interval by interval. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "daemon/profwin.h"
#include "profile/strhash.h"

#define PROFWIN_SLOTS 4096
#define NONE UINT32_MAX

/*
 * A frame of the window, kept once however many intervals have it (a
 * host's frames come back interval after interval): its strings in one
 * allocation, and how many intervals hold it. The first address and offset
 * seen are kept, as a stackset does.
 */
struct wframe {
	char *name;        /* name, then module and build ID (text), in one block */
	const char *module, *build_id; /* inside it, or NULL */
	uint64_t addr, offset;
	uint64_t hash;
	uint32_t refs;     /* intervals that hold it; 0: free */
	uint32_t next;     /* the next in its hash chain, or in the free list */
	size_t bytes;      /* its strings' block */
	bool kernel;
};

/* A stack of an interval: its frames are ids of the window's frames. */
struct wstack {
	uint32_t pid;
	uint32_t n;
	uint32_t first; /* in slot.ids */
	char comm[16];
	uint64_t count, value_ns;
};

/* One interval. */
struct slot {
	double start_unix, duration_s;
	unsigned int hz;
	uint64_t period_ns;
	struct wstack *stacks;
	size_t nstacks;
	uint32_t *ids;   /* the stacks' frames, root first, one after another */
	size_t nids;
	uint32_t *uses;  /* the distinct frames it holds (a reference each) */
	size_t nuses;
	size_t bytes;
};

struct profwin {
	pthread_mutex_t lock;
	pthread_cond_t added;         /* an interval came, or closing */
	bool closing;
	struct slot s[PROFWIN_SLOTS]; /* a ring, oldest at head */
	size_t head, n;
	size_t bytes;                 /* the slots' and the frames' */
	unsigned long long dropped;
	/* the frames: an array with a free list, chained from buckets */
	struct wframe *f;
	uint32_t nf, capf, free_f;
	uint32_t nlive;               /* frames some interval holds */
	uint32_t *bucket;
	size_t nbuckets;
	size_t frame_bytes;           /* strings of the frames held */
};

struct profwin *profwin_new(void)
{
	struct profwin *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->free_f = NONE;
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

/* The memory of the frame table (array and buckets) and its strings. */
static size_t dict_bytes(const struct profwin *w)
{
	return (size_t)w->capf * sizeof(*w->f) + w->nbuckets * sizeof(*w->bucket) +
	       w->frame_bytes;
}

static uint64_t frame_hash(const char *name, const char *module, bool kernel)
{
	/* as the stackset interns: name, module, kernel or not */
	return (fnv1a(fnv1a(FNV1A_INIT ^ kernel, name) * 0x100000001b3ull, module) ^ 0xff) *
	       0x100000001b3ull;
}

static bool same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* Chain the frames held into buckets b (nb of them, a power of 2), which
 * replace the old ones. */
static void rehash_into(struct profwin *w, uint32_t *b, size_t nb)
{
	uint32_t i;
	size_t k;

	for (k = 0; k < nb; k++)
		b[k] = NONE;
	for (i = 0; i < w->nf; i++) {
		if (!w->f[i].refs)
			continue;
		k = w->f[i].hash & (nb - 1);
		w->f[i].next = b[k];
		b[k] = i;
	}
	free(w->bucket);
	w->bucket = b;
	w->nbuckets = nb;
}

static int rehash(struct profwin *w, size_t nb)
{
	uint32_t *b = malloc(nb * sizeof(*b));

	if (!b)
		return -1;
	rehash_into(w, b, nb);
	return 0;
}

/* The id of a frame of ss in the window, with one more reference (made if
 * new). NONE on no memory. */
static uint32_t frame_ref(struct profwin *w, const struct ss_frame *sf)
{
	uint64_t h = frame_hash(sf->name, sf->module, sf->kernel);
	size_t ln, lm, lb;
	struct wframe *f;
	uint32_t i;

	if (w->nbuckets) {
		for (i = w->bucket[h & (w->nbuckets - 1)]; i != NONE; i = w->f[i].next) {
			f = &w->f[i];
			if (f->hash == h && f->kernel == sf->kernel && !strcmp(f->name, sf->name) &&
			    same_str(f->module, sf->module)) {
				f->refs++;
				return i;
			}
		}
	}
	if (w->free_f != NONE) {
		i = w->free_f;
		w->free_f = w->f[i].next;
	} else {
		if (w->nf == w->capf) {
			uint32_t cap = w->capf ? 2 * w->capf : 256;
			struct wframe *g = realloc(w->f, cap * sizeof(*g));

			if (!g)
				return NONE;
			w->f = g;
			w->capf = cap;
		}
		i = w->nf++;
		w->f[i].refs = 0;
	}
	f = &w->f[i];
	ln = strlen(sf->name) + 1;
	lm = sf->module ? strlen(sf->module) + 1 : 0;
	lb = sf->build_id ? strlen(sf->build_id) + 1 : 0;
	if (!(f->name = malloc(ln + lm + lb))) {
		f->next = w->free_f; /* back to the free list */
		w->free_f = i;
		return NONE;
	}
	memcpy(f->name, sf->name, ln);
	f->module = sf->module ? memcpy(f->name + ln, sf->module, lm) : NULL;
	f->build_id = sf->build_id ? memcpy(f->name + ln + lm, sf->build_id, lb) : NULL;
	f->bytes = ln + lm + lb;
	f->addr = sf->addr;
	f->offset = sf->offset;
	f->kernel = sf->kernel;
	f->hash = h;
	f->refs = 1;
	w->nlive++;
	w->frame_bytes += f->bytes;
	/* at most two frames a bucket, on average */
	if ((size_t)w->nf > 2 * w->nbuckets && !rehash(w, w->nbuckets ? 2 * w->nbuckets : 256))
		return i; /* chained by the rehash */
	if (!w->nbuckets) { /* no memory for buckets: not findable, still valid */
		f->next = NONE;
		return i;
	}
	f->next = w->bucket[h & (w->nbuckets - 1)];
	w->bucket[h & (w->nbuckets - 1)] = i;
	return i;
}

static void frame_unref(struct profwin *w, uint32_t i)
{
	struct wframe *f = &w->f[i];
	uint32_t *p;

	if (--f->refs)
		return;
	if (w->nbuckets) {
		for (p = &w->bucket[f->hash & (w->nbuckets - 1)]; *p != NONE; p = &w->f[*p].next) {
			if (*p == i) {
				*p = f->next;
				break;
			}
		}
	}
	w->nlive--;
	w->frame_bytes -= f->bytes;
	free(f->name);
	f->name = NULL;
	f->next = w->free_f;
	w->free_f = i;
}

static void slot_clear(struct profwin *w, struct slot *s)
{
	size_t i;

	for (i = 0; i < s->nuses; i++)
		frame_unref(w, s->uses[i]);
	free(s->stacks);
	free(s->ids);
	free(s->uses);
	memset(s, 0, sizeof(*s));
}

static void drop_oldest(struct profwin *w)
{
	struct slot *s = &w->s[w->head];

	w->bytes -= s->bytes;
	slot_clear(w, s);
	w->head = (w->head + 1) % PROFWIN_SLOTS;
	w->n--;
}

/*
 * When most of the frame table is free (a burst of new frames that has
 * aged out), the frames held are moved to its start, the intervals' ids
 * renumbered and the table shrunk: what it keeps follows what the window
 * holds, not the most it ever held.
 */
static void compact(struct profwin *w)
{
	uint32_t *remap, *b, i, k = 0, cap = 256;
	size_t j, m, nb = 256;

	if (w->capf <= 1024 || w->nlive > w->capf / 4)
		return;
	while (cap < 2 * w->nlive)
		cap *= 2;
	while (2 * nb < w->nlive)
		nb *= 2;
	remap = malloc(((size_t)w->nf + 1) * sizeof(*remap));
	b = malloc(nb * sizeof(*b));
	if (!remap || !b) {
		free(remap);
		free(b);
		return;
	}
	for (i = 0; i < w->nf; i++) {
		remap[i] = w->f[i].refs ? k : NONE;
		if (w->f[i].refs)
			w->f[k++] = w->f[i];
	}
	w->nf = k;
	w->free_f = NONE;
	for (j = 0; j < w->n; j++) {
		struct slot *s = &w->s[(w->head + j) % PROFWIN_SLOTS];

		for (m = 0; m < s->nids; m++)
			s->ids[m] = remap[s->ids[m]];
		for (m = 0; m < s->nuses; m++)
			s->uses[m] = remap[s->uses[m]];
	}
	free(remap);
	rehash_into(w, b, nb);
	struct wframe *g = realloc(w->f, cap * sizeof(*g));

	if (g) {
		w->f = g;
		w->capf = cap;
	}
}

void profwin_free(struct profwin *w)
{
	if (!w)
		return;
	while (w->n)
		drop_oldest(w);
	free(w->f);
	free(w->bucket);
	pthread_cond_destroy(&w->added);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* ss as an interval of the window (its frames shared): 0, or -1 on no
 * memory (nothing kept). */
static int slot_fill(struct profwin *w, struct slot *s, const struct stackset *ss)
{
	size_t i, j, nids = 0;

	memset(s, 0, sizeof(*s));
	s->start_unix = ss->start_unix;
	s->duration_s = ss->duration_s;
	s->hz = ss->hz;
	s->period_ns = ss->period_ns;
	for (i = 0; i < ss->nstacks; i++)
		nids += ss->stacks[i].n;
	s->uses = malloc((ss->nframes + 1) * sizeof(*s->uses));
	s->stacks = malloc((ss->nstacks + 1) * sizeof(*s->stacks));
	s->ids = malloc((nids + 1) * sizeof(*s->ids));
	if (!s->uses || !s->stacks || !s->ids)
		goto fail;
	/* uses[k]: the window's id of ss's frame k */
	for (; s->nuses < ss->nframes; s->nuses++)
		if ((s->uses[s->nuses] = frame_ref(w, &ss->frames[s->nuses])) == NONE)
			goto fail;
	for (i = 0; i < ss->nstacks; i++) {
		const struct ss_stack *st = &ss->stacks[i];
		struct wstack *ws = &s->stacks[s->nstacks++];

		ws->pid = st->pid;
		ws->n = st->n;
		ws->first = (uint32_t)s->nids;
		memcpy(ws->comm, st->comm, sizeof(ws->comm));
		ws->count = st->count;
		ws->value_ns = st->value_ns;
		for (j = 0; j < st->n; j++)
			s->ids[s->nids++] = s->uses[st->frames[j]];
	}
	s->bytes = sizeof(*s) + s->nstacks * sizeof(*s->stacks) +
		   (s->nids + s->nuses) * sizeof(uint32_t);
	return 0;
fail:
	slot_clear(w, s);
	return -1;
}

void profwin_add(struct profwin *w, struct stackset *ss)
{
	double end = ss->start_unix + ss->duration_s;
	struct slot *s;

	pthread_mutex_lock(&w->lock);
	/* older than the window, or beyond the bounds: the oldest go */
	while (w->n && w->s[w->head].start_unix + w->s[w->head].duration_s < end - PROFWIN_MAX_S)
		drop_oldest(w);
	if (w->n == PROFWIN_SLOTS) {
		drop_oldest(w);
		w->dropped++;
	}
	s = &w->s[(w->head + w->n) % PROFWIN_SLOTS];
	if (slot_fill(w, s, ss)) {
		w->dropped++; /* no memory for it */
	} else {
		w->n++;
		w->bytes += s->bytes;
	}
	ss_free(ss);
	while (w->n > 1 && w->bytes + dict_bytes(w) > PROFWIN_MAX_BYTES) {
		drop_oldest(w);
		w->dropped++;
		compact(w);
	}
	compact(w);
	pthread_cond_broadcast(&w->added);
	pthread_mutex_unlock(&w->lock);
}

static bool keep_pid(void *arg, uint32_t pid)
{
	return pid == *(const uint32_t *)arg;
}

/* The window's frame ids to out's frame indexes, one merge long (-1: not
 * in out yet); NULL on no memory. */
static int64_t *merge_map(const struct profwin *w)
{
	int64_t *map = malloc(((size_t)w->nf + 1) * sizeof(*map));
	uint32_t i;

	for (i = 0; map && i < w->nf; i++)
		map[i] = -1;
	return map;
}

/* Add s's stacks (those keep() keeps, all without it) to out, its frames
 * interned there. */
static int merge(const struct profwin *w, struct stackset *out, const struct slot *s,
		 int64_t *map, profwin_keep_fn keep, void *arg)
{
	uint32_t *fr = NULL;
	size_t i, j, cap = 0;
	int rc = 0;

	for (i = 0; i < s->nstacks && !rc; i++) {
		const struct wstack *st = &s->stacks[i];

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
			uint32_t k = s->ids[st->first + j];
			const struct wframe *f = &w->f[k];

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
	return rc;
}

int profwin_get(struct profwin *w, double seconds, double now, uint32_t pid,
		struct stackset *out)
{
	double from = now - seconds, start = now, end = now;
	int64_t *map;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	ss_init(out, SS_ONCPU, w->n ? w->s[w->head].hz : 1);
	if (!(map = merge_map(w)))
		rc = -1;
	for (i = 0; i < w->n && !rc; i++) {
		const struct slot *s = &w->s[(w->head + i) % PROFWIN_SLOTS];
		double e = s->start_unix + s->duration_s;

		if (e <= from)
			continue;
		if (s->start_unix < start)
			start = s->start_unix;
		out->hz = s->hz;
		out->period_ns = s->period_ns;
		end = e;
		rc = merge(w, out, s, map, pid ? keep_pid : NULL, &pid);
	}
	pthread_mutex_unlock(&w->lock);
	free(map);
	out->start_unix = start;
	out->duration_s = end - start;
	return rc;
}

int profwin_take(struct profwin *w, double from, double until, double *taken,
		 profwin_keep_fn keep, void *arg, struct stackset *out, bool *complete)
{
	int64_t *map = NULL;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->n && !rc; i++) {
		const struct slot *s = &w->s[(w->head + i) % PROFWIN_SLOTS];
		double e = s->start_unix + s->duration_s;

		if (e <= *taken)
			continue;
		*taken = e;
		if (s->start_unix < from)
			continue; /* begun before the request: not its data */
		if (!out->start_unix)
			out->start_unix = s->start_unix;
		out->hz = s->hz;
		out->period_ns = s->period_ns;
		out->duration_s = e - out->start_unix;
		if (!map && !(map = merge_map(w)))
			rc = -1;
		else
			rc = merge(w, out, s, map, keep, arg);
	}
	pthread_mutex_unlock(&w->lock);
	free(map);
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
		const struct slot *last = w->n ? &w->s[(w->head + w->n - 1) % PROFWIN_SLOTS] : NULL;

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
	*bytes = w->bytes + dict_bytes(w);
	pthread_mutex_unlock(&w->lock);
}
