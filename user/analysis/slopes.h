/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Order statistics of the pairwise slopes (v[j] - v[i]) / (t[j] - t[i]),
 * i < j, of a series with strictly increasing t, without listing all
 * n (n - 1) / 2 of them: the slopes at most s are the pairs that v - s t
 * puts out of order, counted by a merge sort in O(n log n); a fixed-seed
 * random sample of slopes brackets the wanted rank, the bracket is counted
 * exactly, and once it holds few slopes they are listed and the one of the
 * rank selected. Expected O(n log n) time, O(n) memory, and the result is
 * the exact order statistic (the one listing every pair gives, but for
 * rounding at the ends of a bracket). The Theil-Sen slope and Sen's
 * interval (trend.c) use it for long series.
 */
#ifndef PP_SLOPES_H
#define PP_SLOPES_H

#include <stddef.h>

/* The pairs i < j: n (n - 1) / 2. */
double slopes_total(size_t n);

/* How many slopes are <= s (*le) and how many pairs have exactly the slope
 * s, that is v[i] - s t[i] equal (*eq, may be NULL). -1 on no memory. */
int slopes_count(const double *t, const double *v, size_t n, double s, double *le, double *eq);

/*
 * The k-th smallest slope (0-based, k < slopes_total(n)) into *out.
 * t must be strictly increasing and every value finite. Returns 0, or -1
 * (n < 2, k out of range, t not increasing, no memory, or no bracket
 * narrow enough after its rounds: the caller then falls back to a sample).
 */
int slopes_kth(const double *t, const double *v, size_t n, double k, double *out);

/* The same for ranks k and k + 1 at once (*next = *out when k is the
 * last), as an interpolated rank between them needs. */
int slopes_kth2(const double *t, const double *v, size_t n, double k, double *out,
		double *next);

#endif
