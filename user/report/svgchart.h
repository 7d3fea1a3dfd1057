/* SPDX-License-Identifier: GPL-2.0 */
/* Line charts as inline SVG: a few series over time, with axes. */
#ifndef PP_SVGCHART_H
#define PP_SVGCHART_H

#include <stddef.h>
#include <stdio.h>

struct chart_line {
	const char *label;
	const double *t, *v;
	size_t n;
};

/*
 * Draw the lines (values divided by scale) from t0 to t1 (unix seconds)
 * into a w x h SVG, y from 0 (or the minimum, if negative) to the maximum,
 * labelled with unit; a legend names each line. Up to 8 lines.
 */
void svg_chart(FILE *out, const char *title, const char *unit, double scale,
	       const struct chart_line *lines, size_t n, double t0, double t1, int w, int h);

#endif
