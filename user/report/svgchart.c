// SPDX-License-Identifier: GPL-2.0
/* Line charts as inline SVG. */
#include <math.h>
#include "formats/xml.h"
#include "report/svgchart.h"

#define LEFT 56
#define RIGHT 12
#define TOP 22
#define BOTTOM 46
#define MAX_LINES 8

static const char *const palette[MAX_LINES] = {
	"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
};

/* A round step for about 4 ticks up to hi. */
static double tick_step(double hi)
{
	double raw = hi / 4, mag = pow(10, floor(log10(raw))), f = raw / mag;

	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

void svg_chart(FILE *out, const char *title, const char *unit, double scale,
	       const struct chart_line *lines, size_t n, double t0, double t1, int w, int h)
{
	double lo = 0, hi = -INFINITY, step, y;
	int pw = w - LEFT - RIGHT, ph = h - TOP - BOTTOM;
	size_t i, k;

	if (n > MAX_LINES)
		n = MAX_LINES;
	for (i = 0; i < n; i++)
		for (k = 0; k < lines[i].n; k++) {
			double v = lines[i].v[k] / scale;

			if (!isfinite(v))
				continue;
			hi = fmax(hi, v);
			lo = fmin(lo, v);
		}
	if (!isfinite(hi) || hi <= lo)
		hi = lo + 1;
	step = tick_step(hi - lo);
	hi = lo + ceil((hi - lo) / step) * step;
	if (t1 <= t0)
		t1 = t0 + 1;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"%d\" "
		"height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", w, h);
	fprintf(out, "<text x=\"%d\" y=\"14\" font-weight=\"bold\">", LEFT);
	xml_escape(out, title);
	fputs(" (", out);
	xml_escape(out, unit);
	fputs(")</text>\n", out);
	for (y = lo; y <= hi + step / 2; y += step) {
		double py = TOP + ph - (y - lo) / (hi - lo) * ph;

		fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", LEFT, LEFT + pw,
			py, py, LEFT - 4, py + 4, fabs(y) < step / 1e6 ? 0 : y);
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\">0 s</text><text x=\"%d\" y=\"%d\" "
		"text-anchor=\"end\">%.0f s</text>\n", LEFT, h - BOTTOM + 14, LEFT + pw,
		h - BOTTOM + 14, t1 - t0);
	for (i = 0; i < n; i++) {
		const struct chart_line *l = &lines[i];

		fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"",
			palette[i]);
		for (k = 0; k < l->n; k++) {
			double v = l->v[k] / scale;

			if (!isfinite(v))
				continue;
			fprintf(out, "%.1f,%.1f ", LEFT + (l->t[k] - t0) / (t1 - t0) * pw,
				TOP + ph - (v - lo) / (hi - lo) * ph);
		}
		fputs("\"><title>", out);
		xml_escape(out, l->label);
		fputs("</title></polyline>\n", out);
		fprintf(out, "<rect x=\"%zu\" y=\"%d\" width=\"10\" height=\"3\" fill=\"%s\"/>"
			"<text x=\"%zu\" y=\"%d\">", LEFT + (i % 4) * (size_t)(pw / 4),
			h - 24 + 12 * (int)(i / 4), palette[i], LEFT + (i % 4) * (size_t)(pw / 4) + 14,
			h - 20 + 12 * (int)(i / 4));
		xml_escape(out, l->label);
		fputs("</text>\n", out);
	}
	fputs("</svg>\n", out);
}
