/* SPDX-License-Identifier: GPL-2.0 */
/* Text sparklines: a series drawn with the eight block characters. */
#ifndef PP_SPARKLINE_H
#define PP_SPARKLINE_H

#include <stddef.h>

/*
 * Draw v[0..n) as at most `width` UTF-8 block characters (buckets averaged
 * when n > width), scaled from the series' minimum to maximum (a flat
 * series is drawn at the lowest level). buf gets a NUL-terminated string;
 * returns its length in bytes, or -1 when it does not fit.
 *
 * Each block is 3 bytes, so len must be at least 3 * min(n, width) + 1.
 * Bucket b covers v[b n / w .. (b + 1) n / w); the scale runs from the
 * smallest to the largest bucket mean, so buckets reach both ends. NaN
 * values are left out of the means; a bucket of only NaN is a space.
 */
int sparkline(const double *v, size_t n, size_t width, char *buf, size_t len);

#endif
