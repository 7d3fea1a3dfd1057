// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdlib.h>
#include "analysis/anomaly.h"
#include "analysis/robust.h"

/*
 * Robust scale of w[0..m) around med (w is reordered): the winsorized RMS
 * started from the MAD; when more than half the window sits on the median
 * (MAD 0), the 90th percentile of the absolute deviations / 1.645; then
 * 1.2533 times their mean; then the floor.
 */
static double window_sigma(double *w, size_t m, double med)
{
	double s, mean = 0, floor;
	size_t i;

	s = mad_sigma(w, m);
	if (s > 0)
		return winsorized_sigma(w, m, med, s);
	for (i = 0; i < m; i++)
		w[i] = fabs(w[i] - med);
	s = quantile(w, m, 0.9) / 1.645;
	if (s > 0)
		return s;
	for (i = 0; i < m; i++)
		mean += w[i];
	s = 1.2533 * mean / (double)m;
	if (s > 0)
		return s;
	floor = ANOMALY_REL_FLOOR * fabs(med);
	return floor > ANOMALY_ABS_FLOOR ? floor : ANOMALY_ABS_FLOOR;
}

size_t anomalies_find(const double *v, size_t n, size_t window, double z_min,
		      double min_sigma, struct anomaly *out, size_t max)
{
	double *w;
	size_t found = 0, i, j;

	if (window < 3 || n <= window || !max)
		return 0;
	w = malloc(window * sizeof(*w));
	if (!w)
		return 0;
	for (i = window; i < n && found < max; i++) {
		size_t m = 0;
		double med, sigma, z;

		if (isnan(v[i]))
			continue;
		for (j = i - window; j < i; j++)
			if (isfinite(v[j]))
				w[m++] = v[j];
		if (m < 3)
			continue;
		med = median_inplace(w, m);
		sigma = window_sigma(w, m, med);
		if (sigma < min_sigma)
			sigma = min_sigma;
		z = (v[i] - med) / sigma;
		if (!(fabs(z) >= z_min))
			continue;
		out[found].index = i;
		out[found].value = v[i];
		out[found].baseline = med;
		out[found].z = z;
		out[found].sigma = sigma;
		found++;
	}
	free(w);
	return found;
}
