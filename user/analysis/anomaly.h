/* SPDX-License-Identifier: GPL-2.0 */
/* Anomalies: robust z-scores against a rolling median and MAD. */
#ifndef PP_ANOMALY_H
#define PP_ANOMALY_H

#include <stddef.h>

struct anomaly {
	size_t index;
	double value;
	double baseline; /* the rolling median */
	double z;        /* (value - median) / (robust sigma of the window), signed */
	double sigma;    /* the scale z was computed with (never below min_sigma) */
};

/*
 * Points whose |robust z| against the preceding `window` samples (a
 * trailing window; the first `window` samples are never flagged) is at
 * least z_min (3.5 is a sane default). A zero MAD uses a floor so that a
 * flat series with one spike still flags the spike. Returns how many were
 * written to out (at most max), ordered by index.
 *
 * The scale is the window's winsorized_sigma (started from its MAD), which
 * keeps false flags on Gaussian noise rarer than a bare MAD would. When
 * more than half the window equals its median (MAD 0), the 90th
 * percentile of the absolute deviations / 1.645 (so a count that is 1 now
 * and then is not news); when that is zero, 1.2533 times the mean absolute
 * deviation; when that is zero too (a flat window), ANOMALY_REL_FLOOR of
 * |median| (or ANOMALY_ABS_FLOOR at a median of 0). Whatever the window,
 * the scale is never below min_sigma: the metric's resolution, in its own
 * unit (for a latency percentile read from a log2 histogram, the width of
 * the buckets it moves between), so that a series that is mostly zero does
 * not turn a small step into a z of 10^12. min_sigma <= 0 leaves only the
 * floors above. Windows shorter than 3 samples find nothing; NaN samples
 * are never flagged and, like infinite ones, left out of the windows.
 */
#define ANOMALY_REL_FLOOR 1e-3
#define ANOMALY_ABS_FLOOR 1e-9

size_t anomalies_find(const double *v, size_t n, size_t window, double z_min,
		      double min_sigma, struct anomaly *out, size_t max);

#endif
