// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdlib.h>
#include "analysis/changepoint.h"
#include "analysis/normal.h"
#include "analysis/robust.h"

struct ranked {
	double v;
	size_t i;
};

struct cp_work {
	const double *v;
	size_t n, min_seg;
	struct ranked *rk; /* n: the segment's values sorted */
	double *rank;      /* n: midranks in time order */
	double *scratch;   /* n: for medians */
};

static int cmp_ranked(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->v, y = ((const struct ranked *)b)->v;

	return (x > y) - (x < y);
}

/* Midranks of v[a..b) into w->rank[0..m); returns sum(g^3 - g) over ties. */
static double midranks(struct cp_work *w, size_t a, size_t b)
{
	size_t m = b - a, i, j, k;
	double ties = 0;

	for (i = 0; i < m; i++) {
		w->rk[i].v = w->v[a + i];
		w->rk[i].i = i;
	}
	qsort(w->rk, m, sizeof(*w->rk), cmp_ranked);
	for (i = 0; i < m; i = j) {
		double g, r;

		for (j = i + 1; j < m && w->rk[j].v == w->rk[i].v; j++)
			;
		g = (double)(j - i);
		r = (double)(i + j + 1) / 2; /* mean of ranks i+1 .. j */
		for (k = i; k < j; k++)
			w->rank[w->rk[k].i] = r;
		ties += g * g * g - g;
	}
	return ties;
}

/*
 * P(max |Z| > c) for the standardized two-sample statistic maximized over
 * split fractions in [e, 1 - e] (Miller and Siegmund 1982, the Brownian
 * bridge approximation), never below the single-split p.
 */
static double max_split_p(double c, double e)
{
	double p1 = 2 * normal_sf(c), p;

	if (e >= 0.5 || c <= 1)
		return c <= 1 ? 1 : p1;
	p = 4 * normal_pdf(c) / c +
	    normal_pdf(c) * (c - 1 / c) * log((1 - e) * (1 - e) / (e * e));
	if (p < p1)
		p = p1;
	return p > 1 ? 1 : p;
}

/*
 * The best split of v[a..b): *k gets the first index of the second part.
 * Returns its p-value (1 when there is no admissible split).
 */
static double best_split(struct cp_work *w, size_t a, size_t b, size_t *k)
{
	size_t m = b - a, k1;
	double dm = (double)m, ties, f, sum = 0, best = 0;

	if (m < 2 * w->min_seg)
		return 1;
	ties = midranks(w, a, b);
	f = (dm + 1) - ties / (dm * (dm - 1)); /* tie-corrected (m + 1) */
	if (f <= 0)
		return 1; /* all equal */
	for (k1 = 1; k1 < m; k1++) {
		double n1 = (double)k1, z;

		sum += w->rank[k1 - 1];
		if (k1 < w->min_seg || m - k1 < w->min_seg)
			continue;
		z = fabs(sum - n1 * (dm + 1) / 2) / sqrt(n1 * (dm - n1) * f / 12);
		if (z > best) {
			best = z;
			*k = a + k1;
		}
	}
	if (best == 0)
		return 1;
	return max_split_p(best, (double)w->min_seg / dm);
}

static double seg_median(struct cp_work *w, size_t a, size_t b)
{
	size_t i;

	for (i = a; i < b; i++)
		w->scratch[i - a] = w->v[i];
	return median_inplace(w->scratch, b - a);
}

/* Binary segmentation: significant splits into cuts[], sorted. */
static size_t segment(struct cp_work *w, size_t *cuts, size_t *stack)
{
	size_t ncut = 0, top = 0, i;

	stack[top++] = 0;
	stack[top++] = w->n;
	while (top) {
		size_t b = stack[--top], a = stack[--top], k = 0;

		if (best_split(w, a, b, &k) >= CHANGE_ALPHA)
			continue;
		cuts[ncut++] = k;
		stack[top++] = a;
		stack[top++] = k;
		stack[top++] = k;
		stack[top++] = b;
	}
	/* insertion sort: cuts are few */
	for (i = 1; i < ncut; i++) {
		size_t x = cuts[i], j = i;

		for (; j > 0 && cuts[j - 1] > x; j--)
			cuts[j] = cuts[j - 1];
		cuts[j] = x;
	}
	return ncut;
}

/* Fill c for the cut at cuts[i], between its neighbouring cuts. */
static void describe(struct cp_work *w, const size_t *cuts, size_t ncut, size_t i,
		     double sigma, struct change *c)
{
	size_t a = i ? cuts[i - 1] : 0, b = i + 1 < ncut ? cuts[i + 1] : w->n;

	c->index = cuts[i];
	c->before = seg_median(w, a, cuts[i]);
	c->after = seg_median(w, cuts[i], b);
	c->score = fabs(c->after - c->before) / sigma;
}

static void remove_at(size_t *cuts, struct change *ch, size_t *ncut, size_t i)
{
	size_t j;

	for (j = i; j + 1 < *ncut; j++) {
		cuts[j] = cuts[j + 1];
		ch[j] = ch[j + 1];
	}
	(*ncut)--;
}

/* Merge away the weakest shift until all are >= min_sigma and <= max. */
static size_t prune(struct cp_work *w, size_t *cuts, struct change *ch, size_t ncut,
		    double sigma, double min_sigma, size_t max)
{
	size_t i;

	for (i = 0; i < ncut; i++)
		describe(w, cuts, ncut, i, sigma, &ch[i]);
	while (ncut) {
		size_t lo = 0;

		for (i = 1; i < ncut; i++)
			if (ch[i].score < ch[lo].score)
				lo = i;
		if (ch[lo].score >= min_sigma && ncut <= max)
			break;
		remove_at(cuts, ch, &ncut, lo);
		if (lo > 0)
			describe(w, cuts, ncut, lo - 1, sigma, &ch[lo - 1]);
		if (lo < ncut)
			describe(w, cuts, ncut, lo, sigma, &ch[lo]);
	}
	return ncut;
}

/* Noise sigma from the first differences, robust to shifts and drifts. */
static double noise_sigma(const double *v, size_t n, double *d)
{
	double s, mean = 0;
	size_t i;

	for (i = 0; i + 1 < n; i++)
		d[i] = v[i + 1] - v[i];
	s = mad_sigma(d, n - 1) / M_SQRT2;
	if (s > 0)
		return s;
	/* mostly flat: the mean absolute difference (normal-consistent) */
	for (i = 0; i + 1 < n; i++)
		mean += fabs(d[i]);
	return 1.2533 * mean / (double)(n - 1) / M_SQRT2;
}

size_t changepoints_find(const double *v, size_t n, double min_sigma, size_t min_seg,
			 struct change *out, size_t max)
{
	struct cp_work w = { .v = v, .n = n, .min_seg = min_seg ? min_seg : 1 };
	size_t *cuts = NULL, *stack = NULL, ncut = 0, i;
	struct change *ch = NULL;
	double sigma;

	if (!max || n < 2 * w.min_seg || n < 3)
		return 0;
	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	w.rk = malloc(n * sizeof(*w.rk));
	w.rank = malloc(n * sizeof(*w.rank));
	w.scratch = malloc(n * sizeof(*w.scratch));
	cuts = malloc(n * sizeof(*cuts));
	stack = malloc(2 * (n + 1) * sizeof(*stack));
	ch = malloc(n * sizeof(*ch));
	if (!w.rk || !w.rank || !w.scratch || !cuts || !stack || !ch)
		goto out;
	sigma = noise_sigma(v, n, w.scratch);
	if (!(sigma > 0))
		goto out; /* constant */
	ncut = segment(&w, cuts, stack);
	ncut = prune(&w, cuts, ch, ncut, sigma, min_sigma, max);
	for (i = 0; i < ncut; i++)
		out[i] = ch[i];
out:
	free(w.rk);
	free(w.rank);
	free(w.scratch);
	free(cuts);
	free(stack);
	free(ch);
	return ncut;
}
