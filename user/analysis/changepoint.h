/* SPDX-License-Identifier: GPL-2.0 */
/* Level shifts: where the mean of a series changes (CUSUM-based). */
#ifndef PP_CHANGEPOINT_H
#define PP_CHANGEPOINT_H

#include <stdbool.h>
#include <stddef.h>

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
 */
size_t changepoints_find(const double *v, size_t n, double min_sigma, size_t min_seg,
			 struct change *out, size_t max);

#endif
