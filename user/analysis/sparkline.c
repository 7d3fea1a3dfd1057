// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <string.h>
#include "analysis/sparkline.h"

static const char *const blocks[8] = {
	"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
};

/* Mean of the non-NaN values of bucket b of w buckets over v[0..n). */
static double bucket(const double *v, size_t n, size_t w, size_t b)
{
	size_t lo = b * n / w, hi = (b + 1) * n / w, i, k = 0;
	double sum = 0;

	for (i = lo; i < hi; i++) {
		if (isnan(v[i]))
			continue;
		sum += v[i];
		k++;
	}
	return k ? sum / (double)k : NAN;
}

int sparkline(const double *v, size_t n, size_t width, char *buf, size_t len)
{
	size_t w = n < width ? n : width, b, used = 0;
	double lo = INFINITY, hi = -INFINITY;

	if (!len)
		return -1;
	buf[0] = '\0';
	for (b = 0; b < w; b++) {
		double x = bucket(v, n, w, b);

		if (isnan(x))
			continue;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
	}
	for (b = 0; b < w; b++) {
		double x = bucket(v, n, w, b);
		const char *s = " "; /* a bucket with no data */
		size_t sl;

		if (!isnan(x)) {
			int level = 0;

			if (hi > lo && isfinite(hi - lo))
				level = (int)lround((x - lo) / (hi - lo) * 7);
			s = blocks[level < 0 ? 0 : level > 7 ? 7 : level];
		}
		sl = strlen(s);
		if (used + sl + 1 > len) {
			buf[0] = '\0';
			return -1;
		}
		memcpy(buf + used, s, sl);
		used += sl;
		buf[used] = '\0';
	}
	return (int)used;
}
