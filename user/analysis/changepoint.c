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
	const double *y;   /* n: v with spikes clipped, for locating splits */
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
 * Where in y[a..b) the mean shifts most: the argmax of the standardized
 * CUSUM |sum(y[a..k)) - (k - a) mean| / sqrt((k - a)(b - k) / m), the
 * least-squares (Gaussian likelihood) location of a single shift.
 */
static size_t locate(const struct cp_work *w, size_t a, size_t b)
{
	size_t m = b - a, k1, best_k = a + m / 2;
	double total = 0, sum = 0, best = -1, dm = (double)m;

	for (k1 = 0; k1 < m; k1++)
		total += w->y[a + k1];
	for (k1 = 1; k1 < m; k1++) {
		double n1 = (double)k1, c;

		sum += w->y[a + k1 - 1];
		if (k1 < w->min_seg || m - k1 < w->min_seg)
			continue;
		c = fabs(sum - n1 * total / dm) / sqrt(n1 * (dm - n1) / dm);
		if (c > best) {
			best = c;
			best_k = a + k1;
		}
	}
	return best_k;
}

/*
 * Is there a shift in v[a..b), and where: the maximally selected rank
 * statistic gives the p-value (distribution-free, blind to outliers and
 * to the noise's shape); the split goes where the CUSUM of the clipped
 * values peaks, since ranks lose the sizes that pin a shift down.
 * Returns the p-value (1 when there is no admissible split).
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
		if (z > best)
			best = z;
	}
	if (best == 0)
		return 1;
	*k = locate(w, a, b);
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

/*
 * Merge away the weakest shift until all are >= min_sigma (the neighbours
 * of a merged one are described anew); then keep the max biggest, each
 * still described by its own neighbourhood.
 */
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
		if (ch[lo].score >= min_sigma)
			break;
		remove_at(cuts, ch, &ncut, lo);
		if (lo > 0)
			describe(w, cuts, ncut, lo - 1, sigma, &ch[lo - 1]);
		if (lo < ncut)
			describe(w, cuts, ncut, lo, sigma, &ch[lo]);
	}
	while (ncut > max) {
		size_t lo = 0;

		for (i = 1; i < ncut; i++)
			if (ch[i].score < ch[lo].score)
				lo = i;
		remove_at(cuts, ch, &ncut, lo);
	}
	return ncut;
}

/*
 * y = v pulled to within 3 sigma of its running median over 2h + 1
 * samples: a median filter keeps steps sharp and removes bursts of up to
 * h samples, so spikes cannot drag the CUSUM's peak towards them. h is
 * min_seg - 1 (a burst shorter than min_seg cannot be a level), at least
 * 2 and at most 25 (the cost is n (2h + 1)). win holds 2h + 1.
 */
static void clip_spikes(const double *v, size_t n, size_t h, double sigma, double *win,
			double *y)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		size_t a = i >= h ? i - h : 0, b = i + h + 1 < n ? i + h + 1 : n, m = 0;
		double rm, d;

		for (j = a; j < b; j++)
			win[m++] = v[j];
		rm = median_inplace(win, m);
		d = v[i] - rm;
		d = d > 3 * sigma ? 3 * sigma : d < -3 * sigma ? -3 * sigma : d;
		y[i] = rm + d;
	}
}

/*
 * Noise sigma from the first differences, robust to shifts, drifts and
 * spikes: the winsorized RMS of the differences (started from their MAD)
 * / sqrt(2). It is about twice as efficient as the MAD alone, so the
 * shift sizes compared with min_sigma wobble less.
 */
static double noise_sigma(const double *v, size_t n, double *d)
{
	double s, sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i++)
		d[i] = v[i + 1] - v[i];
	s = mad_sigma(d, n - 1);
	if (s > 0)
		return winsorized_sigma(d, n - 1, 0, s) / M_SQRT2;
	/* mostly flat: the mean absolute difference (normal-consistent) */
	for (i = 0; i + 1 < n; i++)
		sum += fabs(d[i]);
	return 1.2533 * sum / (double)(n - 1) / M_SQRT2;
}

size_t changepoints_find(const double *v, size_t n, double min_sigma, size_t min_seg,
			 struct change *out, size_t max)
{
	struct cp_work w = { .v = v, .n = n, .min_seg = min_seg ? min_seg : 1 };
	size_t *cuts = NULL, *stack = NULL, ncut = 0, i;
	struct change *ch = NULL;
	double *y = NULL, win[51];
	size_t h;
	double sigma;

	if (!max || n < 2 * w.min_seg || n < 3)
		return 0;
	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	w.rk = malloc(n * sizeof(*w.rk));
	w.rank = malloc(n * sizeof(*w.rank));
	w.scratch = calloc(n, sizeof(*w.scratch)); /* calloc: gcc -O1 cannot see the fill */
	cuts = malloc(n * sizeof(*cuts));
	stack = malloc(2 * (n + 1) * sizeof(*stack));
	ch = malloc(n * sizeof(*ch));
	y = malloc(n * sizeof(*y));
	if (!w.rk || !w.rank || !w.scratch || !cuts || !stack || !ch || !y)
		goto out;
	sigma = noise_sigma(v, n, w.scratch);
	if (!(sigma > 0))
		goto out; /* constant */
	h = w.min_seg - 1 < 2 ? 2 : w.min_seg - 1 > 25 ? 25 : w.min_seg - 1;
	clip_spikes(v, n, h, sigma, win, y);
	w.y = y;
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
	free(y);
	return ncut;
}
