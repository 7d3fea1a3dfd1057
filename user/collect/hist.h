/* SPDX-License-Identifier: GPL-2.0 */
/* Percentiles from the kernel's log2 histograms. */
#ifndef PP_HIST_H
#define PP_HIST_H

#include <stdint.h>
#include "perfpilot.h"

struct hist_summary {
	uint64_t count;
	double p50, p90, p99, max; /* microseconds */
};

/* Lower and upper edge (us) of slot i: [lo, hi). */
void hist_slot_range(unsigned int i, double *lo, double *hi);

/*
 * The q-quantile (0 < q <= 1) of a log2-us histogram, interpolated linearly
 * inside its slot and never above max_us (when max_us > 0). 0 when empty.
 */
double hist_quantile(const uint32_t *slots, unsigned int n, double q, double max_us);

/* count, p50, p90, p99 and max of a histogram whose largest value is max_us. */
void hist_summarize(const uint32_t *slots, unsigned int n, double max_us,
		    struct hist_summary *out);

#endif
