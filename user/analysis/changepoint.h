/* SPDX-License-Identifier: GPL-2.0 */
/* Level shifts: where the mean of a series changes (CUSUM-based). */
#ifndef PP_CHANGEPOINT_H
#define PP_CHANGEPOINT_H

#include <stdbool.h>
#include <stddef.h>

/* Significance of each split (for the maximum over all split points). */
#define CHANGE_ALPHA 0.01

struct change {
	size_t index;        /* first sample of the new level */
	double before, after; /* robust levels (medians) of the two segments */
	double score;        /* shift size in robust sigmas of the noise */
};

/*
 * Find up to max level shifts in v[0..n) that are larger than min_sigma
 * robust standard deviations of the noise (4 is a sane default) and leave
 * at least min_seg samples on each side. Returns how many were found,
 * ordered by index.
 *
 * Binary segmentation: each segment is split where the rank CUSUM (the
 * standardized Mann-Whitney statistic of before against after) peaks, if
 * that peak is significant at CHANGE_ALPHA for a maximum over all splits;
 * then shifts smaller than min_sigma are merged away, the smallest first;
 * of more than max, the max biggest stay. before and after are the levels
 * between a shift and its neighbours among all the shifts found, and a
 * split is placed where the CUSUM of the series (bursts shorter than
 * min_seg filtered out) peaks. Non-finite values: nothing is found.
 * The noise sigma is the MAD of the first differences / sqrt(2), so slow
 * drifts and the shifts themselves do not inflate it. A steady trend is
 * a staircase of shifts to this detector: test for a trend first.
 */
size_t changepoints_find(const double *v, size_t n, double min_sigma, size_t min_seg,
			 struct change *out, size_t max);

#endif
