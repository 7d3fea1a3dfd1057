/* SPDX-License-Identifier: GPL-2.0 */
/* The Mann-Whitney U test: do two samples come from the same distribution? */
#ifndef PP_MWU_H
#define PP_MWU_H

#include <stddef.h>

struct mwu {
	double u;   /* U of the first sample (pairs where a > b, ties half) */
	double z;   /* normal approximation, tie- and continuity-corrected */
	double p;   /* two-sided p-value; 1 when either sample is empty or all tie */
};

/* NaN values are left out. Returns 0, or -1 on no memory (p = 1). */
int mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct mwu *out);

#endif
