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
 */
int sparkline(const double *v, size_t n, size_t width, char *buf, size_t len);

#endif
