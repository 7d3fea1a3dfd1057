// SPDX-License-Identifier: GPL-2.0
/* An interactive SVG flame graph (see flamegraph.h). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "formats/flamegraph.h"
#include "formats/flamegraph_script.h"
#include "formats/textclean.h"
#include "formats/xml.h"

#define FRAME_H 16   /* pixels per stack level */
#define FONT_PX 12
#define FONT_W 0.59  /* average character width, in font sizes */
#define PAD 10       /* left and right margins */
#define TOP 66       /* title, subtitle, buttons */
#define BOTTOM 30    /* details line */
#define NAME_LEN 512

/* The first n characters (not bytes) of s, UTF-8. */
static size_t utf8_prefix(const char *s, size_t n)
{
	size_t i = 0;

	for (; s[i] && n; n--)
		for (i++; ((unsigned char)s[i] & 0xc0) == 0x80; i++)
			;
	return i;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The label that fits w pixels, as the script's fit() makes it. */
static void fit(char *buf, size_t len, const char *name, double w)
{
	double fits = floor((w - 6) / (FONT_PX * FONT_W));
	size_t n;

	buf[0] = '\0';
	if (fits < 3)
		return;
	if (utf8_chars(name) <= (size_t)fits) {
		snprintf(buf, len, "%s", name);
		return;
	}
	n = utf8_prefix(name, (size_t)fits - 2);
	snprintf(buf, len, "%.*s..", (int)n, name);
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A colour for a frame: the palette of its kind, the shade from its name,
 * so that a function has the same colour in every graph. */
static void colour(char *buf, size_t len, uint8_t kind, const char *name)
{
	uint32_t h = name_hash(name);
	double v1 = (h & 0xff) / 255.0, v2 = (h >> 8 & 0xff) / 255.0, v3 = (h >> 16 & 0xff) / 255.0;
	int r, g, b;

	switch (kind) {
	case FT_KERNEL: /* orange */
		r = 200 + (int)(55 * v3), g = 110 + (int)(60 * v1), b = 20 + (int)(30 * v2);
		break;
	case FT_JIT: /* green */
		r = 50 + (int)(80 * v3), g = 180 + (int)(60 * v1), b = 50 + (int)(60 * v2);
		break;
	case FT_UNKNOWN: /* grey */
		r = g = b = 170 + (int)(40 * v1);
		break;
	case FT_COMM: /* blue */
		r = 100 + (int)(50 * v3), g = 150 + (int)(50 * v1), b = 220 + (int)(35 * v2);
		break;
	case FT_ROOT:
		r = g = b = 200;
		break;
	default: /* user code: red to yellow, as flamegraph.pl's "hot" */
		r = 205 + (int)(50 * v3), g = (int)(230 * v1), b = (int)(55 * v2);
		break;
	}
	snprintf(buf, len, "rgb(%d,%d,%d)", r, g, b);
}

/* The share of a node in its profile, 0 to 1. */
static double share(uint64_t v, uint64_t total)
{
	return total ? (double)v / (double)total : 0;
}

/* A differential colour: red where the frame's share of the profile grew,
 * blue where it shrank, the deeper the larger the change relative to the
 * larger share (a new frame: the deepest red); grey when unchanged. */
static void diff_colour(char *buf, size_t len, const struct ft_node *n, const struct ft_node *root)
{
	double a = share(n->base, root->base), b = share(n->value, root->value);
	double d = b - a, m = fmax(a, b), k = m > 0 ? fmin(1, fabs(d) / m) : 0;
	int c = (int)(230 - 180 * k);

	if (d > 0)
		snprintf(buf, len, "rgb(255,%d,%d)", c, c);
	else if (d < 0)
		snprintf(buf, len, "rgb(%d,%d,255)", c, c);
	else
		snprintf(buf, len, "rgb(225,225,225)");
}

/* "1.23 s", "45.6 ms", "789 us" */
static void human_us(char *buf, size_t len, double us)
{
	if (us >= 1e6)
		snprintf(buf, len, "%.2f s", us / 1e6);
	else if (us >= 1e3)
		snprintf(buf, len, "%.1f ms", us / 1e3);
	else
		snprintf(buf, len, "%.0f us", us);
}

/* A weight: "12 samples" or "1.23 s" (off-CPU, microseconds). */
static void amount(char *buf, size_t len, const struct flamegraph_meta *m, uint64_t v)
{
	if (m->kind == SS_OFFCPU)
		human_us(buf, len, (double)v);
	else
		snprintf(buf, len, "%" PRIu64 " sample%s", v, v == 1 ? "" : "s");
}

/* Both weights, both shares and the change of the share. */
static void diff_stats(char *buf, size_t len, const struct flamegraph_meta *m,
		       const struct ft_node *n, const struct ft_node *root)
{
	double a = 100 * share(n->base, root->base), b = 100 * share(n->value, root->value);
	char x[32], y[32];

	amount(x, sizeof(x), m, n->base);
	amount(y, sizeof(y), m, n->value);
	snprintf(buf, len, "baseline %s (%.2f%%), current %s (%.2f%%), share %+.2f points", x, a, y,
		 b, b - a);
}

static void stats(char *buf, size_t len, const struct flamegraph_meta *m, uint64_t v,
		  uint64_t total)
{
	double pct = 100 * share(v, total);
	char t[32];

	if (m->kind == SS_OFFCPU) {
		human_us(t, sizeof(t), (double)v);
		snprintf(buf, len, "%s blocked, %.2f%%", t, pct);
	} else if (m->period_ns) {
		human_us(t, sizeof(t), (double)v * (double)m->period_ns / 1e3);
		snprintf(buf, len, "%" PRIu64 " sample%s, %s, %.2f%%", v, v == 1 ? "" : "s", t, pct);
	} else {
		snprintf(buf, len, "%" PRIu64 " sample%s, %.2f%%", v, v == 1 ? "" : "s", pct);
	}
}

struct drawing {
	struct flametree *t;
	const struct flamegraph_meta *m;
	FILE *out;
	double scale; /* pixels per weight unit */
	unsigned int height;
};

static void frame(struct drawing *d, uint32_t id, uint64_t x)
{
	const struct ft_node *n = &d->t->n[id];
	char name[NAME_LEN], label[NAME_LEN + 4], fill[32], st[160];
	double px = PAD + (double)x * d->scale, w = (double)n->value * d->scale;
	unsigned int y = d->height - BOTTOM - (n->depth + 1) * FRAME_H;
	uint32_t i;

	text_clean(name, sizeof(name), ft_name(d->t, n));
	fit(label, sizeof(label), name, w);
	if (d->m->diff) {
		diff_colour(fill, sizeof(fill), n, &d->t->n[0]);
		diff_stats(st, sizeof(st), d->m, n, &d->t->n[0]);
	} else {
		colour(fill, sizeof(fill), n->kind, name);
		stats(st, sizeof(st), d->m, n->value, d->t->n[0].value);
	}
	fprintf(d->out, "<g class=\"fg-f\" fg:x=\"%" PRIu64 "\" fg:w=\"%" PRIu64 "\"><title>", x, n->value);
	xml_escape(d->out, name);
	fprintf(d->out, "\n%s</title><rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"%d\" "
		"fill=\"%s\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%.1f\">", st, px, y, w,
		FRAME_H - 1, fill, px + 3, y + FRAME_H - 4.5);
	xml_escape(d->out, label);
	fputs("</text></g>\n", d->out);
	for (i = 0; i < n->nchild; i++) {
		uint32_t c = d->t->kids[n->child + i];

		if (!d->t->n[c].pruned)
			frame(d, c, x);
		x += d->t->n[c].value;
	}
}

/* The deepest level drawn. */
static uint32_t drawn_depth(const struct flametree *t)
{
	uint32_t max = 0;
	size_t i;

	for (i = 0; i < t->nn; i++)
		if (!t->n[i].pruned && t->n[i].depth > max)
			max = t->n[i].depth;
	return max;
}

static void subtitle(char *buf, size_t len, const struct flamegraph_meta *m, const char *host,
		     const struct ft_node *root)
{
	char when[64] = "", t[32], b[32];
	time_t ts = (time_t)m->start_unix;
	struct tm tm;
	int n;

	if (m->start_unix > 0 && gmtime_r(&ts, &tm))
		strftime(when, sizeof(when), ", %Y-%m-%d %H:%M:%S UTC", &tm);
	if (m->diff) {
		amount(t, sizeof(t), m, root->value);
		amount(b, sizeof(b), m, root->base);
		n = snprintf(buf, len, "Widths: the current profile, %s. Colours: how each frame's "
			     "share changed since the baseline (%s), red grew, blue shrank", t, b);
	} else if (m->kind == SS_OFFCPU) {
		human_us(t, sizeof(t), (double)root->value);
		n = snprintf(buf, len, "%s blocked in %" PRIu64 " sampled events", t, m->events);
	} else if (m->period_ns) {
		human_us(t, sizeof(t), (double)root->value * (double)m->period_ns / 1e3);
		n = snprintf(buf, len, "%" PRIu64 " samples at %u Hz (%s of CPU)", root->value, m->hz, t);
	} else {
		n = snprintf(buf, len, "%" PRIu64 " samples", root->value);
	}
	if (n > 0 && (size_t)n < len && m->duration_s > 0 && !m->diff)
		n += snprintf(buf + n, len - (size_t)n, " over %.1f s", m->duration_s);
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%s %s%s", m->diff ? "." : ";", host, when);
}

/* What is left out: frames too narrow, and in a differential graph the
 * frames of the baseline only (they have no width). */
static void not_drawn(const struct drawing *d, const struct flamegraph_opts *o, unsigned int width)
{
	const struct flametree *t = d->t;
	size_t i, gone = 0, narrow;

	for (i = 0; d->m->diff && i < t->nn; i++)
		gone += !t->n[i].value;
	narrow = t->pruned_nodes - gone;
	if (!narrow && !gone)
		return;
	fprintf(d->out, "<text class=\"fg-note\" x=\"%u\" y=\"%d\">", width / 2, TOP - 10);
	if (narrow)
		fprintf(d->out, "%zu frame%s narrower than %.2g px not drawn (%.2f%% of the total)%s",
			narrow, narrow == 1 ? "" : "s", o->min_px > 0 ? o->min_px : 0.1,
			100 * share(t->pruned_value, t->n[0].value), gone ? "; " : "");
	if (gone)
		fprintf(d->out, "%zu frame%s only in the baseline", gone, gone == 1 ? "" : "s");
	fputs("</text>\n", d->out);
}

static const char *default_title(const struct flamegraph_meta *m)
{
	if (m->diff)
		return "Differential flame graph";
	return m->kind == SS_OFFCPU ? "Off-CPU flame graph (time blocked)" : "On-CPU flame graph";
}

/* The <svg> element, its style and its script. */
static void head(const struct drawing *d, const struct flamegraph_opts *o, unsigned int width,
		 const char *id)
{
	uint64_t total = d->t->n[0].value;

	if (!o->embedded)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", d->out);
	fprintf(d->out, "<svg version=\"1.1\" id=\"%s\" class=\"flamegraph\" width=\"%u\" "
		"height=\"%u\" viewBox=\"0 0 %u %u\" xmlns=\"http://www.w3.org/2000/svg\" "
		"xmlns:fg=\"urn:x-perfpilot:flamegraph\">\n"
		"<defs><linearGradient id=\"%s-bg\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		"<stop stop-color=\"#eeeeee\" offset=\"5%%\"/><stop stop-color=\"#eeeeb0\" offset=\"95%%\"/>"
		"</linearGradient></defs>\n<style type=\"text/css\"><![CDATA[\n%s]]></style>\n"
		"<script type=\"text/ecmascript\"><![CDATA[\n(function () {\n"
		"var FG = { width: %u, pad: %d, fontw: %.3f, total: %" PRIu64 ", match: 'rgb(230,0,230)' };\n"
		"%s})();\n]]></script>\n"
		"<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"url(#%s-bg)\"/>\n",
		id, width, d->height, width, d->height, id, flamegraph_style, width, PAD,
		FONT_PX * FONT_W, total ? total : 1, flamegraph_script, width, d->height, id);
}

int flamegraph_svg(struct flametree *t, const struct flamegraph_meta *m,
		   const struct flamegraph_opts *o, FILE *out)
{
	struct flamegraph_opts def = {0};
	struct drawing d = { .t = t, .m = m, .out = out };
	char host[256] = "", sub[512], clean[512], id[64];
	unsigned int width;
	uint64_t total = t->n[0].value;
	const char *p;
	size_t i = 0;

	if (!o)
		o = &def;
	width = o->width ? o->width : 1200;
	/* an id is a name: letters, digits, '-' and '_' only */
	for (p = o->id ? o->id : "flamegraph"; *p && i + 1 < sizeof(id); p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (i && *p >= '0' && *p <= '9') ||
		    (i && (*p == '-' || *p == '_')))
			id[i++] = *p;
	id[i] = '\0';
	if (!i)
		snprintf(id, sizeof(id), "flamegraph");
	if (o->host)
		snprintf(host, sizeof(host), "%s", o->host);
	else if (gethostname(host, sizeof(host) - 1))
		snprintf(host, sizeof(host), "unknown host");
	d.scale = total ? (width - 2.0 * PAD) / (double)total : 0;
	/* weights narrower than min_px pixels are left out */
	ft_prune(t, total ? (uint64_t)ceil((o->min_px > 0 ? o->min_px : 0.1) / d.scale) : 1);
	d.height = TOP + (drawn_depth(t) + 1) * FRAME_H + BOTTOM;

	head(&d, o, width, id);
	text_clean(clean, sizeof(clean), o->title ? o->title : default_title(m));
	fprintf(out, "<text class=\"fg-title\" x=\"%u\" y=\"24\">", width / 2);
	xml_escape(out, clean);
	subtitle(sub, sizeof(sub), m, host, &t->n[0]);
	text_clean(clean, sizeof(clean), sub);
	fprintf(out, "</text>\n<text class=\"fg-subtitle\" x=\"%u\" y=\"42\">", width / 2);
	xml_escape(out, clean);
	fprintf(out, "</text>\n<text class=\"fg-unzoom fg-button fg-hide\" x=\"%d\" y=\"%d\">"
		"Reset zoom</text>\n<text class=\"fg-search fg-button\" x=\"%u\" y=\"%d\" "
		"text-anchor=\"end\">Search</text>\n", PAD, TOP - 10, width - PAD, TOP - 10);
	not_drawn(&d, o, width);
	fprintf(out, "<text class=\"fg-details\" x=\"%d\" y=\"%u\"> </text>\n"
		"<text class=\"fg-matched\" x=\"%u\" y=\"%u\" text-anchor=\"end\"> </text>\n"
		"<g class=\"fg-frames\">\n", PAD, d.height - 10, width - PAD, d.height - 10);
	if (total)
		frame(&d, 0, 0);
	else
		fprintf(out, "<text x=\"%u\" y=\"%d\" text-anchor=\"middle\">no samples</text>\n",
			width / 2, TOP + FRAME_H);
	fputs("</g>\n</svg>\n", out);
	return ferror(out) || fflush(out) ? -1 : 0;
}

int flamegraph_write(const struct stackset *ss, const struct flamegraph_opts *o, FILE *out)
{
	struct flamegraph_meta m = { .kind = ss->kind, .period_ns = ss->period_ns, .hz = ss->hz,
				     .start_unix = ss->start_unix, .duration_s = ss->duration_s };
	struct flametree t;
	int rc = -1;

	ss_totals(ss, &m.events, NULL);
	if (ft_init(&t))
		return -1;
	if (!ft_from_stackset(&t, ss))
		rc = flamegraph_svg(&t, &m, o, out);
	ft_free(&t);
	return rc;
}
