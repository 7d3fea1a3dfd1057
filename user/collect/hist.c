// SPDX-License-Identifier: GPL-2.0
#include "collect/hist.h"

void hist_slot_range(unsigned int i, double *lo, double *hi)
{
	if (i == 0) {
		*lo = 0;
		*hi = 1;
		return;
	}
	*lo = (double)(1ULL << (i - 1));
	*hi = (double)(1ULL << i);
}

double hist_quantile(const uint32_t *slots, unsigned int n, double q, double max_us)
{
	uint64_t total = 0, seen = 0;
	double rank, lo, hi, v;
	unsigned int i;

	for (i = 0; i < n; i++)
		total += slots[i];
	if (!total || q <= 0)
		return 0;
	if (q > 1)
		q = 1;
	rank = q * (double)total; /* the rank-th smallest value, 1-based */
	for (i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		if ((double)(seen + slots[i]) >= rank)
			break;
		seen += slots[i];
	}
	if (i == n)
		i = n - 1;
	hist_slot_range(i, &lo, &hi);
	if (max_us > 0 && hi > max_us)
		hi = max_us > lo ? max_us : lo;
	v = lo + (hi - lo) * ((rank - (double)seen) / (double)slots[i]);
	if (max_us > 0 && v > max_us)
		v = max_us;
	return v;
}

void hist_summarize(const uint32_t *slots, unsigned int n, double max_us,
		    struct hist_summary *out)
{
	unsigned int i;

	out->count = 0;
	for (i = 0; i < n; i++)
		out->count += slots[i];
	out->p50 = hist_quantile(slots, n, 0.50, max_us);
	out->p90 = hist_quantile(slots, n, 0.90, max_us);
	out->p99 = hist_quantile(slots, n, 0.99, max_us);
	out->max = out->count ? max_us : 0;
	/* the largest value bounds every percentile, even when it is 0 */
	if (out->count && max_us >= 0) {
		if (out->p50 > max_us)
			out->p50 = max_us;
		if (out->p90 > max_us)
			out->p90 = max_us;
		if (out->p99 > max_us)
			out->p99 = max_us;
	}
}
