// SPDX-License-Identifier: GPL-2.0
/* Columns, row formatting and sorting of `perfpilot top` (no terminal code). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output.h"
#include "top_layout.h"

struct col_spec {
	const char *label;
	int width;   /* 0 for COMM, whose width comes from the layout */
	bool left;   /* left-aligned (text) rather than right-aligned (numbers) */
	int key;     /* enum sample_key, or -1 */
};

/*
 * Widths hold the widest value each column can show: PID up to 7 digits,
 * fmt_count() at most 5 characters, fmt_mib() at most 6, CPU% and the
 * millisecond columns as formatted below.
 */
static const struct col_spec cols[TOP_NCOLS] = {
	[TOP_PID] = {"PID", 7, false, SORT_PID},
	[TOP_COMM] = {"COMM", 0, true, -1},
	[TOP_CPU] = {"CPU%", 5, false, SORT_CPU},
	[TOP_RUNQ] = {"RUNQms", 6, false, SORT_RUNQ},
	[TOP_RQP99] = {"RQp99us", 7, false, SORT_RQP99},
	[TOP_VCSW] = {"VCSW", 5, false, SORT_VCSW},
	[TOP_IVCSW] = {"IVCSW", 5, false, SORT_IVCSW},
	[TOP_MIGR] = {"MIGR", 5, false, -1},
	[TOP_MINFLT] = {"MINFLT", 6, false, SORT_MINFLT},
	[TOP_MAJFLT] = {"MAJFLT", 6, false, SORT_MAJFLT},
	[TOP_RSS] = {"RSSMiB", 6, false, SORT_RSS},
	[TOP_RECLAIM] = {"RECLAIMms", 9, false, -1},
};

static int col_width(enum top_col c, int comm_w)
{
	return c == TOP_COMM ? comm_w : cols[c].width;
}

/* Width of the first n columns, one space between neighbours. */
static int cols_width(unsigned int n, int comm_w)
{
	unsigned int i;
	int w = 0;

	for (i = 0; i < n; i++)
		w += col_width((enum top_col)i, comm_w) + (i ? 1 : 0);
	return w;
}

void top_layout_fit(struct top_layout *l, int width)
{
	unsigned int n;
	int extra;

	if (width < 0)
		width = 0;
	/* PID and COMM always stay; the line is clipped if even they do not fit */
	for (n = TOP_NCOLS; n > TOP_COMM + 1; n--)
		if (cols_width(n, TOP_COMM_MIN) <= width)
			break;
	extra = width - cols_width(n, TOP_COMM_MIN);
	if (extra < 0)
		extra = 0;
	if (extra > TOP_COMM_MAX - TOP_COMM_MIN)
		extra = TOP_COMM_MAX - TOP_COMM_MIN;
	l->width = width;
	l->ncols = n;
	l->comm_w = TOP_COMM_MIN + extra;
}

bool top_col_shown(const struct top_layout *l, enum top_col c)
{
	int start, w;

	return top_col_span(l, c, &start, &w);
}

bool top_col_span(const struct top_layout *l, enum top_col c, int *start, int *width)
{
	int s, w;

	if ((unsigned int)c >= l->ncols)
		return false;
	s = c == TOP_PID ? 0 : cols_width((unsigned int)c, l->comm_w) + 1;
	w = col_width(c, l->comm_w);
	if (s >= l->width)
		return false;
	if (s + w > l->width)
		w = l->width - s;
	*start = s;
	*width = w;
	return true;
}

const char *top_col_label(enum top_col c)
{
	return (unsigned int)c < TOP_NCOLS ? cols[c].label : "";
}

void top_clip(char *buf, size_t len, const char *src, int width)
{
	size_t n = strlen(src);

	if (!len)
		return;
	if (width < 0)
		width = 0;
	if (n > (size_t)width)
		n = (size_t)width;
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, src, n);
	buf[n] = '\0';
}

#define TOP_FIELDS_MAX 16

static size_t fields_width(const char *const *fields, const bool *keep, size_t n)
{
	size_t i, w = 0, k = 0;

	for (i = 0; i < n; i++)
		if (keep[i])
			w += strlen(fields[i]) + (k++ ? 2 : 0);
	return w;
}

void top_fit_fields(char *buf, size_t len, int width, const char *const *fields,
		    const int *prio, size_t n)
{
	bool keep[TOP_FIELDS_MAX];
	char line[1024];
	size_t i, pos = 0;

	if (n > TOP_FIELDS_MAX)
		n = TOP_FIELDS_MAX;
	for (i = 0; i < n; i++)
		keep[i] = fields[i] && fields[i][0];
	while (fields_width(fields, keep, n) > (size_t)(width > 0 ? width : 0)) {
		size_t worst = n;

		for (i = 0; i < n; i++)
			if (keep[i] && (worst == n || prio[i] > prio[worst]))
				worst = i;
		if (worst == n || fields_width(fields, keep, n) == strlen(fields[worst]))
			break; /* one field left: clip it */
		keep[worst] = false;
	}
	line[0] = '\0';
	for (i = 0; i < n && pos < sizeof(line); i++)
		if (keep[i])
			pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "%s%s",
						pos ? "  " : "", fields[i]);
	top_clip(buf, len, line, width);
}

/* Lay out cells (one per shown column) into buf, padded and clipped. */
static void join_cells(const struct top_layout *l, char cells[][24], char *buf, size_t len)
{
	char line[512];
	unsigned int i;
	size_t pos = 0;

	for (i = 0; i < l->ncols && pos < sizeof(line); i++) {
		int w = col_width((enum top_col)i, l->comm_w), r;

		/* a number too wide for its column is shown as ###, never cut */
		if (!cols[i].left && strlen(cells[i]) > (size_t)w)
			snprintf(cells[i], sizeof(cells[i]), "%.*s", w, "##########");
		r = snprintf(line + pos, sizeof(line) - pos, cols[i].left ? "%s%-*.*s" : "%s%*.*s",
				 i ? " " : "", w, w, cells[i]);

		if (r < 0)
			break;
		pos += (size_t)r;
	}
	line[pos < sizeof(line) ? pos : sizeof(line) - 1] = '\0';
	/* COMM is last when nothing else fits: no trailing blanks then */
	pos = strlen(line);
	while (pos && line[pos - 1] == ' ')
		line[--pos] = '\0';
	top_clip(buf, len, line, l->width);
}

void top_format_header(const struct top_layout *l, char *buf, size_t len)
{
	char cells[TOP_NCOLS][24];
	unsigned int i;

	for (i = 0; i < l->ncols; i++)
		snprintf(cells[i], sizeof(cells[i]), "%s", cols[i].label);
	join_cells(l, cells, buf, len);
}

/* Milliseconds in at most 6 characters below 1000 s: 0.4, 812.3, 45210. */
static void fmt_ms(char *buf, size_t len, uint64_t ns)
{
	double ms = (double)ns / 1e6;

	if (ms < 999.95)
		snprintf(buf, len, "%.1f", ms);
	else if (ms < 999999.5)
		snprintf(buf, len, "%.0f", ms);
	else
		snprintf(buf, len, "%.0fs", ms / 1000);
}

/* Percent of one CPU: 0.0 to 99.9, then whole numbers (1600 = 16 CPUs). */
static void fmt_pct(char *buf, size_t len, uint64_t ns, double interval_s)
{
	double pct = interval_s > 0 ? (double)ns / (interval_s * 1e7) : 0.0;

	snprintf(buf, len, pct < 99.95 ? "%.1f" : "%.0f", pct);
}

/* comm with anything that is not printable ASCII replaced, so that one byte is one cell. */
static void fmt_comm(char *buf, size_t len, const struct proc_sample *s)
{
	size_t i;

	snprintf(buf, len, "%.*s%s", PP_COMM_LEN - 1, s->comm, s->exited ? "*" : "");
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
			buf[i] = '?';
}

static void fmt_cell(char *buf, size_t len, enum top_col c, const struct proc_sample *s,
		     double interval_s)
{
	buf[0] = '\0';
	switch (c) {
	case TOP_PID: snprintf(buf, len, "%u", s->pid); break;
	case TOP_COMM: fmt_comm(buf, len, s); break;
	case TOP_CPU: fmt_pct(buf, len, s->oncpu_ns, interval_s); break;
	case TOP_RUNQ: fmt_ms(buf, len, s->runq_wait_ns); break;
	case TOP_RQP99: fmt_count(buf, len, (uint64_t)llround(s->runq_lat_us.p99)); break;
	case TOP_VCSW: fmt_count(buf, len, s->nvcsw); break;
	case TOP_IVCSW: fmt_count(buf, len, s->nivcsw); break;
	case TOP_MIGR: fmt_count(buf, len, s->migrations); break;
	case TOP_MINFLT: fmt_count(buf, len, s->minflt); break;
	case TOP_MAJFLT: fmt_count(buf, len, s->majflt); break;
	case TOP_RSS:
		if (s->has_mem)
			fmt_mib(buf, len, s->rss_bytes);
		else
			snprintf(buf, len, "-");
		break;
	case TOP_RECLAIM: fmt_ms(buf, len, s->reclaim_stall_ns); break;
	case TOP_NCOLS: break;
	}
}

void top_format_row(const struct top_layout *l, const struct proc_sample *s, double interval_s,
		    char *buf, size_t len)
{
	char cells[TOP_NCOLS][24];
	unsigned int i;

	for (i = 0; i < l->ncols; i++)
		fmt_cell(cells[i], sizeof(cells[i]), (enum top_col)i, s, interval_s);
	join_cells(l, cells, buf, len);
}

bool top_col_sortable(enum top_col c)
{
	return (unsigned int)c < TOP_NCOLS && c != TOP_COMM;
}

enum top_col top_col_of_key(enum sample_key k)
{
	unsigned int i;

	for (i = 0; i < TOP_NCOLS; i++)
		if (cols[i].key == (int)k)
			return (enum top_col)i;
	return TOP_CPU;
}

int top_key_of_col(enum top_col c)
{
	return (unsigned int)c < TOP_NCOLS ? cols[c].key : -1;
}

enum top_col top_sort_step(enum top_col cur, int dir, unsigned int ncols)
{
	int i, step = dir < 0 ? -1 : 1;

	if (!dir)
		return cur;
	for (i = (int)cur + step; i >= 0 && i < TOP_NCOLS; i += step)
		if ((unsigned int)i < ncols && top_col_sortable((enum top_col)i))
			return (enum top_col)i;
	return cur;
}

static int cmp_desc(uint64_t a, uint64_t b, uint32_t pa, uint32_t pb)
{
	if (a != b)
		return a < b ? 1 : -1;
	return pa < pb ? -1 : pa > pb;
}

static int cmp_migr(const void *a, const void *b)
{
	const struct proc_sample *x = a, *y = b;

	return cmp_desc(x->migrations, y->migrations, x->pid, y->pid);
}

static int cmp_reclaim(const void *a, const void *b)
{
	const struct proc_sample *x = a, *y = b;

	return cmp_desc(x->reclaim_stall_ns, y->reclaim_stall_ns, x->pid, y->pid);
}

void top_sort(struct proc_sample *s, size_t n, enum top_col c)
{
	int key = top_key_of_col(c);

	if (c == TOP_MIGR)
		qsort(s, n, sizeof(*s), cmp_migr);
	else if (c == TOP_RECLAIM)
		qsort(s, n, sizeof(*s), cmp_reclaim);
	else
		sample_sort(s, n, key >= 0 ? (enum sample_key)key : SORT_CPU);
}
