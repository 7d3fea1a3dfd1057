// SPDX-License-Identifier: GPL-2.0
/*
 * The k-th smallest pairwise slope in expected O(n log n) (slopes.h).
 *
 * For i < j (t[i] < t[j]) the slope of the pair is at most s exactly when
 * w[j] <= w[i] for w = v - s t: counting the slopes <= s is counting the
 * (non-strict) inversions of w in time order. The slopes in a bracket
 * (lo, hi] are the pairs in order under w_lo and out of order under w_hi:
 * with the points sorted by w_lo, they are the inversions of w_hi, which a
 * merge sort lists in O(n log n) plus one step per slope. A bracket around
 * the wanted rank comes from a sample of slopes (at first any pairs, then
 * the slopes of the previous bracket, each kept with a fixed probability);
 * once it holds few enough slopes they are listed and the one of the rank
 * selected.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/robust.h"
#include "analysis/slopes.h"

/* list a bracket of at most max(LIST_MIN, LIST_PER_POINT n) slopes */
#define LIST_MIN 4096
#define LIST_PER_POINT 8
/* slopes sampled per round: max(SAMPLE_MIN, SAMPLE_PER_POINT n) */
#define SAMPLE_MIN 1024
#define SAMPLE_PER_POINT 4
/* the next bracket: the wanted rank's place in the sample +- this many of
 * its standard deviations (a miss only costs a round) */
#define WIDTH 3.0
#define ROUNDS 12
/* the merge sorts sort runs of at most this many by insertion */
#define SMALL 16

struct ctx {
	const double *t, *v;
	size_t n;
	double *wlo, *whi, *tmp; /* n each */
	size_t *idx, *itmp;      /* n each */
	uint64_t rng;
};

static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double slopes_total(size_t n)
{
	return n < 2 ? 0 : (double)n * (double)(n - 1) / 2;
}

/* v - s t, with the limits: at s = -inf the order of t, at +inf its reverse */
static double w_at(const double *t, const double *v, size_t i, double s)
{
	if (s == -INFINITY)
		return t[i];
	if (s == INFINITY)
		return -t[i];
	return v[i] - s * t[i];
}

/* Merge sort a[0..n), returning the pairs i < j with a[j] <= a[i]. */
static double sort_count_le(double *a, double *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;
	double d = 0;

	if (n <= SMALL) {
		for (j = 1; j < n; j++) {
			double x = a[j];

			for (i = j; i > 0 && a[i - 1] >= x; i--)
				a[i] = a[i - 1];
			a[i] = x;
			d += (double)(j - i); /* the earlier ones >= x */
		}
		return d;
	}
	d = sort_count_le(a, tmp, h) + sort_count_le(a + h, tmp, n - h);
	while (i < h && j < n) {
		if (a[j] <= a[i]) {
			d += (double)(h - i); /* a[j] is at most all of a[i..h) */
			tmp[k++] = a[j++];
		} else {
			tmp[k++] = a[i++];
		}
	}
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof(*a));
	return d;
}

/* The slopes <= s and those equal to s, with the context's scratch. */
static void count(struct ctx *c, double s, double *le, double *eq)
{
	size_t i, j;

	*eq = 0;
	if (s == -INFINITY || s == INFINITY) {
		*le = s < 0 ? 0 : slopes_total(c->n);
		return;
	}
	for (i = 0; i < c->n; i++)
		c->wlo[i] = c->v[i] - s * c->t[i];
	*le = sort_count_le(c->wlo, c->tmp, c->n);
	for (i = 0; i < c->n; i = j) {
		for (j = i + 1; j < c->n && c->wlo[j] == c->wlo[i]; j++)
			;
		*eq += (double)(j - i) * (double)(j - i - 1) / 2;
	}
}

int slopes_count(const double *t, const double *v, size_t n, double s, double *le, double *eq)
{
	struct ctx c = { .t = t, .v = v, .n = n };
	double e;

	if (isnan(s))
		return -1;
	c.wlo = malloc((n ? n : 1) * sizeof(double));
	c.tmp = malloc((n ? n : 1) * sizeof(double));
	if (!c.wlo || !c.tmp) {
		free(c.wlo);
		free(c.tmp);
		return -1;
	}
	count(&c, s, le, &e);
	if (eq)
		*eq = e;
	free(c.wlo);
	free(c.tmp);
	return 0;
}

/* The slopes a walk over a bracket keeps: all, or each with probability p
 * (the walk then jumps over the others, a geometric number at a time, so
 * that it costs the slopes it keeps rather than those it passes). */
struct walk {
	const double *t, *v, *wlo;
	double *out;
	size_t cap, n;
	double seen;       /* slopes of the bracket walked over */
	double p;
	double skip;       /* slopes to pass before the next one kept */
	uint64_t *rng;
	bool overflow;
};

static double uniform(uint64_t *rng)
{
	return ((double)(next_rand(rng) >> 11) + 0.5) * 0x1p-53; /* (0, 1) */
}

static void next_skip(struct walk *w)
{
	w->skip = w->p < 1 ? floor(log(uniform(w->rng)) / log1p(-w->p)) : 0;
}

static void keep(struct walk *w, size_t a, size_t b)
{
	if (w->n == w->cap) {
		w->overflow = true;
		return;
	}
	w->out[w->n++] = (w->v[b] - w->v[a]) / (w->t[b] - w->t[a]);
}

/* The pairs (left[x], right) for x in [0, r): all of them, or the sample. */
static void emit_run(struct walk *w, const size_t *left, size_t r, size_t right)
{
	size_t x;

	if (w->p >= 1) {
		for (x = 0; x < r; x++) {
			/* equal under w_lo: the slope is lo itself, not inside (lo, hi] */
			if (w->wlo[left[x]] == w->wlo[right])
				continue;
			w->seen++;
			keep(w, left[x], right);
		}
		return;
	}
	w->seen += (double)r;
	for (x = 0; (double)(r - x) > w->skip;) {
		x += (size_t)w->skip;
		if (w->wlo[left[x]] != w->wlo[right])
			keep(w, left[x], right);
		x++;
		next_skip(w);
	}
	w->skip -= (double)(r - x);
}

/* Merge sort idx[0..n) by key, handing every pair (earlier, later) with
 * key[later] <= key[earlier] to the walk. */
static void inv_walk(const double *key, size_t *idx, size_t *tmp, size_t n, struct walk *w)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n <= SMALL) {
		for (j = 1; j < n; j++) {
			size_t x = idx[j];

			for (i = j; i > 0 && key[idx[i - 1]] >= key[x]; i--)
				;
			if (i < j) {
				emit_run(w, idx + i, j - i, x);
				memmove(idx + i + 1, idx + i, (j - i) * sizeof(*idx));
				idx[i] = x;
			}
		}
		return;
	}
	inv_walk(key, idx, tmp, h, w);
	inv_walk(key, idx + h, tmp, n - h, w);
	while (i < h && j < n) {
		if (key[idx[j]] <= key[idx[i]]) {
			emit_run(w, idx + i, h - i, idx[j]);
			tmp[k++] = idx[j++];
		} else {
			tmp[k++] = idx[i++];
		}
	}
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

static bool before(const struct ctx *c, size_t a, size_t b)
{
	return c->wlo[a] < c->wlo[b] || (c->wlo[a] == c->wlo[b] && c->whi[a] < c->whi[b]);
}

/* Merge sort idx[0..n) by (w_lo, w_hi). */
static void sort_lo_hi(const struct ctx *c, size_t *idx, size_t *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n <= SMALL) {
		for (j = 1; j < n; j++) {
			size_t x = idx[j];

			for (i = j; i > 0 && before(c, x, idx[i - 1]); i--)
				idx[i] = idx[i - 1];
			idx[i] = x;
		}
		return;
	}
	sort_lo_hi(c, idx, tmp, h);
	sort_lo_hi(c, idx + h, tmp, n - h);
	if (!before(c, idx[h], idx[h - 1]))
		return; /* already in order (time order often is) */
	while (i < h && j < n)
		tmp[k++] = before(c, idx[j], idx[i]) ? idx[j++] : idx[i++];
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

/* Walk the slopes in (lo, hi]: the points sorted by (w_lo, w_hi), then
 * the inversions of w_hi in that order. */
static void walk_bracket(struct ctx *c, double lo, double hi, struct walk *w)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		c->wlo[i] = w_at(c->t, c->v, i, lo);
		c->whi[i] = w_at(c->t, c->v, i, hi);
		c->idx[i] = i;
	}
	sort_lo_hi(c, c->idx, c->itmp, c->n);
	w->t = c->t;
	w->v = c->v;
	w->wlo = c->wlo;
	w->rng = &c->rng;
	next_skip(w);
	inv_walk(c->whi, c->idx, c->itmp, c->n, w);
}

/* m slopes of pairs drawn at random (with replacement) into out. */
static size_t sample_pairs(struct ctx *c, double *out, size_t m)
{
	size_t k, i, j;

	for (k = 0; k < m; k++) {
		do {
			i = (size_t)(next_rand(&c->rng) % c->n);
			j = (size_t)(next_rand(&c->rng) % c->n);
		} while (i == j);
		if (i > j) {
			size_t x = i;

			i = j;
			j = x;
		}
		out[k] = (c->v[j] - c->v[i]) / (c->t[j] - c->t[i]);
	}
	return m;
}

static bool valid(const double *t, const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(t[i]) || !isfinite(v[i]) || (i && !(t[i] > t[i - 1])))
			return false;
	return true;
}

/* The k-th smallest of a[0..n) and the next one (the smallest of those
 * kth_smallest leaves above it), or the same when k is the last. */
static void two_smallest(double *a, size_t n, size_t k, double *x, double *y)
{
	size_t i;

	*x = kth_smallest(a, n, k);
	*y = *x;
	if (k + 1 >= n)
		return;
	*y = a[k + 1];
	for (i = k + 2; i < n; i++)
		if (a[i] < *y)
			*y = a[i];
}

/*
 * The search for the slopes of ranks k and k2 = min(k + 1, N - 1). The
 * bracket (lo, hi] holds both: clo slopes are <= lo and clo <= k, chi are
 * <= hi and chi > k2 (ehi of them equal to hi).
 */
static int search(struct ctx *c, double k, double *buf, size_t list_max, size_t m,
		  double *out, double *next)
{
	double N = slopes_total(c->n), k2 = k + 1 < N ? k + 1 : k;
	double lo = -INFINITY, hi = INFINITY, clo = 0, chi = N, ehi = 0;
	size_t cap = list_max > 2 * m ? list_max : 2 * m;
	int round;

	for (round = 0; round < ROUNDS; round++) {
		double K = chi - clo, f1, f2, r1, r2, x1, x2, le, eq;
		struct walk w = { .out = buf, .cap = cap, .p = 1 };
		size_t ns;

		/* both are hi itself: fewer than k + 1 slopes are below it */
		if (chi - ehi <= k) {
			*out = *next = hi;
			return 0;
		}
		if (K <= (double)list_max) {
			walk_bracket(c, lo, hi, &w);
			if (w.overflow || w.seen != K || !w.n)
				return -1; /* rounding broke the counts: let the caller sample */
			two_smallest(buf, w.n, (size_t)(k - clo), out, next);
			if (k2 == k)
				*next = *out;
			return 0;
		}
		if (lo == -INFINITY && hi == INFINITY) {
			ns = sample_pairs(c, buf, m);
		} else {
			w.p = (double)m / K;
			walk_bracket(c, lo, hi, &w);
			ns = w.n;
		}
		if (!ns)
			return -1;
		/* the places of the two ranks in the sample, widened */
		f1 = (k - clo + 0.5) / K;
		f2 = (k2 - clo + 0.5) / K;
		r1 = floor(f1 * (double)ns - WIDTH * (sqrt((double)ns * f1 * (1 - f1)) + 1));
		r2 = ceil(f2 * (double)ns + WIDTH * (sqrt((double)ns * f2 * (1 - f2)) + 1));
		x1 = r1 >= 0 ? kth_smallest(buf, ns, (size_t)r1) : lo;
		x2 = r2 < (double)ns ? kth_smallest(buf, ns, (size_t)r2) : hi;
		if (x1 > lo && x1 < hi) {
			count(c, x1, &le, &eq);
			if (le <= k) {
				lo = x1;
				clo = le;
			} else if (le > k2) {
				hi = x1;
				chi = le;
				ehi = eq;
			}
		}
		if (x2 > lo && x2 < hi) {
			count(c, x2, &le, &eq);
			if (le > k2) {
				hi = x2;
				chi = le;
				ehi = eq;
			} else if (le <= k) {
				lo = x2;
				clo = le;
			}
		}
	}
	return -1;
}

int slopes_kth2(const double *t, const double *v, size_t n, double k, double *out,
		double *next)
{
	struct ctx c = { .t = t, .v = v, .n = n, .rng = 0x51075e5ULL ^ n };
	size_t list_max = LIST_PER_POINT * n, m = SAMPLE_PER_POINT * n;
	double *buf;
	int rc = -1;

	if (n < 2 || !(k >= 0 && k < slopes_total(n)) || k != floor(k) || !valid(t, v, n))
		return -1;
	if (list_max < LIST_MIN)
		list_max = LIST_MIN;
	if (m < SAMPLE_MIN)
		m = SAMPLE_MIN;
	c.wlo = malloc(n * sizeof(double));
	c.whi = malloc(n * sizeof(double));
	c.tmp = malloc(n * sizeof(double));
	c.idx = malloc(n * sizeof(size_t));
	c.itmp = malloc(n * sizeof(size_t));
	buf = malloc((list_max > 2 * m ? list_max : 2 * m) * sizeof(double));
	if (c.wlo && c.whi && c.tmp && c.idx && c.itmp && buf)
		rc = search(&c, k, buf, list_max, m, out, next);
	free(c.wlo);
	free(c.whi);
	free(c.tmp);
	free(c.idx);
	free(c.itmp);
	free(buf);
	return rc;
}

int slopes_kth(const double *t, const double *v, size_t n, double k, double *out)
{
	double next;

	return slopes_kth2(t, v, n, k, out, &next);
}
