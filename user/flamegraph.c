// SPDX-License-Identifier: GPL-2.0
/* An interactive SVG flame graph (see flamegraph.h). */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "flamegraph.h"
#include "textclean.h"

#define FRAME_H 16   /* pixels per stack level */
#define FONT_PX 12
#define FONT_W 0.59  /* average character width, in font sizes */
#define PAD 10       /* left and right margins */
#define TOP 66       /* title, subtitle, buttons */
#define BOTTOM 30    /* details line */
#define NAME_LEN 512

static const char style[] =
	"text { font-family: Verdana, Helvetica, sans-serif; font-size: 12px; fill: #000; }\n"
	"#title { font-size: 17px; text-anchor: middle; }\n"
	"#subtitle { text-anchor: middle; fill: #555; }\n"
	".button { fill: #2a4f9a; cursor: pointer; }\n"
	".button:hover { text-decoration: underline; }\n"
	".f { cursor: pointer; }\n"
	".f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
	".f text { pointer-events: none; }\n"
	".parent { opacity: 0.5; }\n"
	".hide { display: none; }\n";

/*
 * The script. FG (written before it) holds the layout: width, pad, fontw
 * (pixels per character), total (the root's weight), match (the colour of
 * search hits). Each frame is <g class="f" fg:x fg:w> in weight units with a
 * <title> ("name\nstats"), a <rect> and a <text>.
 */
static const char script[] =
	"'use strict';\n"
	"var F = [], zoomed = null, details, matched, unzoomBtn, searchBtn;\n"
	"function attr(e, n) { return parseFloat(e.getAttribute(n)); }\n"
	"function init() {\n"
	"  var gs = document.getElementById('frames').getElementsByTagName('g');\n"
	"  for (var i = 0; i < gs.length; i++) {\n"
	"    var g = gs[i], r = g.getElementsByTagName('rect')[0];\n"
	"    var t = g.getElementsByTagName('title')[0].textContent;\n"
	"    F.push({ g: g, rect: r, text: g.getElementsByTagName('text')[0],\n"
	"             name: t.split('\\n')[0], stats: t.split('\\n').slice(1).join(', '),\n"
	"             x: attr(g, 'fg:x'), w: attr(g, 'fg:w'), y: attr(r, 'y'),\n"
	"             fill: r.getAttribute('fill') });\n"
	"    g.__fg = F[F.length - 1];\n"
	"  }\n"
	"  details = document.getElementById('details');\n"
	"  matched = document.getElementById('matched');\n"
	"  unzoomBtn = document.getElementById('unzoom');\n"
	"  searchBtn = document.getElementById('search');\n"
	"  var fr = document.getElementById('frames');\n"
	"  fr.addEventListener('click', function (e) { var f = frameOf(e.target); if (f) zoom(f); });\n"
	"  fr.addEventListener('mouseover', function (e) {\n"
	"    var f = frameOf(e.target); if (f) details.textContent = f.name + ' (' + f.stats + ')'; });\n"
	"  fr.addEventListener('mouseout', function () { details.textContent = ' '; });\n"
	"  unzoomBtn.addEventListener('click', unzoom);\n"
	"  searchBtn.addEventListener('click', function () { if (searchBtn.__on) clearSearch(); else askSearch(); });\n"
	"  window.addEventListener('keydown', function (e) {\n"
	"    if ((e.ctrlKey && e.key === 'f') || e.key === '/') { e.preventDefault(); askSearch(); }\n"
	"    else if (e.key === 'Escape') { clearSearch(); unzoom(); }\n"
	"  });\n"
	"}\n"
	"function frameOf(e) {\n"
	"  for (; e && e.getAttribute; e = e.parentNode) if (e.__fg) return e.__fg;\n"
	"  return null;\n"
	"}\n"
	"function fit(name, w) {\n"
	"  var n = Math.floor((w - 6) / FG.fontw);\n"
	"  if (n < 3) return '';\n"
	"  return name.length <= n ? name : name.substring(0, n - 2) + '..';\n"
	"}\n"
	"function place(f, x, w) {\n"
	"  f.rect.setAttribute('x', x.toFixed(2));\n"
	"  f.rect.setAttribute('width', w.toFixed(2));\n"
	"  f.text.setAttribute('x', (x + 3).toFixed(2));\n"
	"  f.text.textContent = fit(f.name, w);\n"
	"}\n"
	"function show(f, cls) {\n"
	"  f.g.classList.remove('hide'); f.g.classList.remove('parent');\n"
	"  if (cls) f.g.classList.add(cls);\n"
	"}\n"
	"function zoom(z) {\n"
	"  var span = FG.width - 2 * FG.pad, scale = span / z.w;\n"
	"  zoomed = z;\n"
	"  unzoomBtn.classList.remove('hide');\n"
	"  F.forEach(function (f) {\n"
	"    if (f.y > z.y) {\n"
	"      /* below the frame: its callers, drawn full width and faded */\n"
	"      if (f.x <= z.x && f.x + f.w >= z.x + z.w) { show(f, 'parent'); place(f, FG.pad, span); }\n"
	"      else show(f, 'hide');\n"
	"    } else if (f.x >= z.x && f.x + f.w <= z.x + z.w) {\n"
	"      show(f); place(f, FG.pad + (f.x - z.x) * scale, f.w * scale);\n"
	"    } else show(f, 'hide');\n"
	"  });\n"
	"}\n"
	"function unzoom() {\n"
	"  var scale = (FG.width - 2 * FG.pad) / FG.total;\n"
	"  zoomed = null;\n"
	"  unzoomBtn.classList.add('hide');\n"
	"  F.forEach(function (f) { show(f); place(f, FG.pad + f.x * scale, f.w * scale); });\n"
	"}\n"
	"function askSearch() {\n"
	"  var re = prompt('Search frames (regular expression):', '');\n"
	"  if (re) search(re);\n"
	"}\n"
	"function search(re) {\n"
	"  var rx, hits = [], sum = 0, end = -1;\n"
	"  try { rx = new RegExp(re); } catch (e) { alert('Not a regular expression: ' + e.message); return; }\n"
	"  F.forEach(function (f) {\n"
	"    var hit = rx.test(f.name);\n"
	"    f.rect.setAttribute('fill', hit ? FG.match : f.fill);\n"
	"    if (hit) hits.push(f);\n"
	"  });\n"
	"  /* frames nest: count a hit inside another hit once */\n"
	"  hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });\n"
	"  hits.forEach(function (f) { if (f.x >= end) { sum += f.w; end = f.x + f.w; } });\n"
	"  matched.textContent = 'Matched: ' + (100 * sum / FG.total).toFixed(1) + '%';\n"
	"  searchBtn.textContent = 'Reset search';\n"
	"  searchBtn.__on = true;\n"
	"}\n"
	"function clearSearch() {\n"
	"  F.forEach(function (f) { f.rect.setAttribute('fill', f.fill); });\n"
	"  matched.textContent = ' ';\n"
	"  searchBtn.textContent = 'Search';\n"
	"  searchBtn.__on = false;\n"
	"}\n"
	"window.addEventListener('load', init);\n";

/* Write s with XML's special characters escaped (s is clean UTF-8). */
static void xml_put(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default: fputc(*s, out);
		}
	}
}

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

static void stats(char *buf, size_t len, const struct flamegraph_meta *m, uint64_t v,
		  uint64_t total)
{
	double pct = total ? 100.0 * (double)v / (double)total : 0;
	char t[32];

	if (m->kind == SS_OFFCPU) {
		human_us(t, sizeof(t), (double)v);
		snprintf(buf, len, "%s blocked, %.2f%%", t, pct);
	} else {
		human_us(t, sizeof(t), (double)v * (double)m->period_ns / 1e3);
		snprintf(buf, len, "%" PRIu64 " sample%s, %s, %.2f%%", v, v == 1 ? "" : "s", t, pct);
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
	char name[NAME_LEN], label[NAME_LEN + 4], fill[32], st[96];
	double px = PAD + (double)x * d->scale, w = (double)n->value * d->scale;
	unsigned int y = d->height - BOTTOM - (n->depth + 1) * FRAME_H;
	uint32_t i;

	text_clean(name, sizeof(name), ft_name(d->t, n));
	fit(label, sizeof(label), name, w);
	colour(fill, sizeof(fill), n->kind, name);
	stats(st, sizeof(st), d->m, n->value, d->t->n[0].value);
	fprintf(d->out, "<g class=\"f\" fg:x=\"%" PRIu64 "\" fg:w=\"%" PRIu64 "\"><title>", x, n->value);
	xml_put(d->out, name);
	fprintf(d->out, "\n%s</title><rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"%d\" "
		"fill=\"%s\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%.1f\">", st, px, y, w,
		FRAME_H - 1, fill, px + 3, y + FRAME_H - 4.5);
	xml_put(d->out, label);
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
		     uint64_t total)
{
	char when[64] = "", t[32];
	time_t ts = (time_t)m->start_unix;
	struct tm tm;
	int n;

	if (m->start_unix > 0 && gmtime_r(&ts, &tm))
		strftime(when, sizeof(when), ", %Y-%m-%d %H:%M:%S UTC", &tm);
	if (m->kind == SS_OFFCPU) {
		human_us(t, sizeof(t), (double)total);
		n = snprintf(buf, len, "%s blocked in %" PRIu64 " sampled events", t, m->events);
	} else {
		human_us(t, sizeof(t), (double)total * (double)m->period_ns / 1e3);
		n = snprintf(buf, len, "%" PRIu64 " samples at %u Hz (%s of CPU)", total, m->hz, t);
	}
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " over %.1f s; %s%s", m->duration_s, host, when);
}

int flamegraph_svg(struct flametree *t, const struct flamegraph_meta *m,
		   const struct flamegraph_opts *o, FILE *out)
{
	struct flamegraph_opts def = {0};
	struct drawing d = { .t = t, .m = m, .out = out };
	char host[256] = "", sub[512], clean[512];
	unsigned int width;
	uint64_t total = t->n[0].value;
	const char *title;

	if (!o)
		o = &def;
	width = o->width ? o->width : 1200;
	title = o->title ? o->title : m->kind == SS_OFFCPU ? "Off-CPU flame graph (time blocked)"
							    : "On-CPU flame graph";
	if (o->host)
		snprintf(host, sizeof(host), "%s", o->host);
	else if (gethostname(host, sizeof(host) - 1))
		snprintf(host, sizeof(host), "unknown host");
	d.scale = total ? (width - 2.0 * PAD) / (double)total : 0;
	/* weights narrower than min_px pixels are left out */
	ft_prune(t, total ? (uint64_t)ceil((o->min_px > 0 ? o->min_px : 0.1) / d.scale) : 1);
	d.height = TOP + (drawn_depth(t) + 1) * FRAME_H + BOTTOM;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
		"xmlns=\"http://www.w3.org/2000/svg\" xmlns:fg=\"urn:x-perfpilot:flamegraph\">\n"
		"<defs><linearGradient id=\"bg\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		"<stop stop-color=\"#eeeeee\" offset=\"5%%\"/><stop stop-color=\"#eeeeb0\" offset=\"95%%\"/>"
		"</linearGradient></defs>\n<style type=\"text/css\"><![CDATA[\n%s]]></style>\n"
		"<script type=\"text/ecmascript\"><![CDATA[\n"
		"var FG = { width: %u, pad: %d, fontw: %.3f, total: %" PRIu64 ", match: 'rgb(230,0,230)' };\n"
		"%s]]></script>\n"
		"<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"url(#bg)\"/>\n",
		width, d.height, width, d.height, style, width, PAD, FONT_PX * FONT_W, total ? total : 1,
		script, width, d.height);
	text_clean(clean, sizeof(clean), title);
	fprintf(out, "<text id=\"title\" x=\"%u\" y=\"24\">", width / 2);
	xml_put(out, clean);
	subtitle(sub, sizeof(sub), m, host, total);
	text_clean(clean, sizeof(clean), sub);
	fprintf(out, "</text>\n<text id=\"subtitle\" x=\"%u\" y=\"42\">", width / 2);
	xml_put(out, clean);
	fprintf(out, "</text>\n<text id=\"unzoom\" class=\"button hide\" x=\"%d\" y=\"%d\">Reset zoom</text>\n"
		"<text id=\"search\" class=\"button\" x=\"%u\" y=\"%d\" text-anchor=\"end\">Search</text>\n",
		PAD, TOP - 10, width - PAD, TOP - 10);
	if (t->pruned_nodes)
		fprintf(out, "<text x=\"%u\" y=\"%d\" text-anchor=\"middle\" fill=\"#777\">%zu frames "
			"narrower than %.2g px not drawn (%.2f%% of the total)</text>\n",
			width / 2, TOP - 10, t->pruned_nodes, o->min_px > 0 ? o->min_px : 0.1,
			total ? 100.0 * (double)t->pruned_value / (double)total : 0);
	fprintf(out, "<text id=\"details\" x=\"%d\" y=\"%u\"> </text>\n"
		"<text id=\"matched\" x=\"%u\" y=\"%u\" text-anchor=\"end\"> </text>\n<g id=\"frames\">\n",
		PAD, d.height - 10, width - PAD, d.height - 10);
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
