// SPDX-License-Identifier: GPL-2.0
/* Columns, row formatting and sorting of `perfpilot top` (no terminal code). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collect/devices.h"
#include "live/output.h"
#include "live/top_layout.h"

struct col_spec {
	const char *label;
	int width;   /* 0 for COMM, whose width comes from the layout */
	bool left;   /* left-aligned (text) rather than right-aligned (numbers) */
	int key;     /* enum sample_key, or -1 */
};

/*
 * Widths hold the widest value each column can show: PID up to 7 digits,
 * fmt_count() at most 5 characters, fmt_mib() at most 6, fmt_num() as wide
 * as it is told, CPU% and the millisecond columns as formatted below.
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
	/* io: PID COMM(16) and these make 79 */
	[TOP_RD_MIB] = {"RD_MiB", 6, false, -1},
	[TOP_WR_MIB] = {"WR_MiB", 6, false, -1},
	[TOP_RD_OPS] = {"RD_OPS", 6, false, -1},
	[TOP_WR_OPS] = {"WR_OPS", 6, false, -1},
	[TOP_LAT_P50] = {"LATp50us", 8, false, -1},
	[TOP_LAT_P99] = {"LATp99us", 8, false, -1},
	[TOP_QUE_P99] = {"QUEp99us", 8, false, -1},
	/* net: PID COMM(16) and these make 80 */
	[TOP_TX_MIB] = {"TX_MiB", 6, false, -1},
	[TOP_RX_MIB] = {"RX_MiB", 6, false, -1},
	[TOP_RETR] = {"RETR", 5, false, -1},
	[TOP_RST] = {"RST", 5, false, -1},
	[TOP_CONN] = {"CONN", 5, false, -1},
	[TOP_ACC] = {"ACC", 5, false, -1},
	[TOP_RTT_P50] = {"RTTp50us", 8, false, -1},
	[TOP_RTT_P99] = {"RTTp99us", 8, false, -1},
	/* sort keys without a column */
	[TOP_IO_SUM] = {"RD+WR", 0, false, SORT_IO},
	[TOP_NET_SUM] = {"TX+RX", 0, false, SORT_NET},
};

struct view_spec {
	const char *name;
	enum top_col sort;      /* the sort when the view is chosen */
	unsigned int ncols;
	enum top_col cols[TOP_VIEW_COLS_MAX];
};

static const struct view_spec views[TOP_NVIEWS] = {
	[TOP_VIEW_SCHED] = {"sched", TOP_CPU, 12,
		{TOP_PID, TOP_COMM, TOP_CPU, TOP_RUNQ, TOP_RQP99, TOP_VCSW, TOP_IVCSW, TOP_MIGR,
		 TOP_MINFLT, TOP_MAJFLT, TOP_RSS, TOP_RECLAIM}},
	[TOP_VIEW_IO] = {"io", TOP_IO_SUM, 9,
		{TOP_PID, TOP_COMM, TOP_RD_MIB, TOP_WR_MIB, TOP_RD_OPS, TOP_WR_OPS, TOP_LAT_P50,
		 TOP_LAT_P99, TOP_QUE_P99}},
	[TOP_VIEW_NET] = {"net", TOP_NET_SUM, 10,
		{TOP_PID, TOP_COMM, TOP_TX_MIB, TOP_RX_MIB, TOP_RETR, TOP_RST, TOP_CONN, TOP_ACC,
		 TOP_RTT_P50, TOP_RTT_P99}},
	/* disks, not processes: see the top_dev_* functions */
	[TOP_VIEW_DEVICES] = {"devices", TOP_IO_SUM, 0, {TOP_NCOLS}},
};

static const struct view_spec *view_of(enum top_view v)
{
	return &views[(unsigned int)v < TOP_NVIEWS ? v : TOP_VIEW_SCHED];
}

const char *top_view_name(enum top_view v)
{
	return view_of(v)->name;
}

enum top_view top_view_next(enum top_view v)
{
	return (enum top_view)(((unsigned int)v + 1) % TOP_NVIEWS);
}

unsigned int top_view_ncols(enum top_view v)
{
	return view_of(v)->ncols;
}

enum top_col top_view_col(enum top_view v, unsigned int i)
{
	const struct view_spec *vs = view_of(v);

	return i < vs->ncols ? vs->cols[i] : TOP_NCOLS;
}

/* Index of c among the view's columns, or -1. */
static int view_index(enum top_view v, enum top_col c)
{
	const struct view_spec *vs = view_of(v);
	unsigned int i;

	for (i = 0; i < vs->ncols; i++)
		if (vs->cols[i] == c)
			return (int)i;
	return -1;
}

bool top_view_has(enum top_view v, enum top_col c)
{
	return view_index(v, c) >= 0;
}

enum top_col top_view_sort(enum top_view v)
{
	return view_of(v)->sort;
}

bool top_view_wants(enum top_view v, const struct proc_sample *s)
{
	switch (v) {
	case TOP_VIEW_IO:
		return s->read_ops || s->write_ops;
	case TOP_VIEW_NET:
		return s->tx_bytes || s->rx_bytes || s->retrans || s->resets || s->connects ||
		       s->accepts || s->closes;
	case TOP_VIEW_DEVICES:
		return false;
	default:
		return true;
	}
}

size_t top_view_filter(enum top_view v, const struct proc_sample *in, size_t n,
		       struct proc_sample *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (top_view_wants(v, &in[i]))
			out[k++] = in[i];
	return k;
}

static int col_width(enum top_col c, int comm_w)
{
	return c == TOP_COMM ? comm_w : cols[c].width;
}

/* Width of the view's first n columns, one space between neighbours. */
static int cols_width(enum top_view v, unsigned int n, int comm_w)
{
	unsigned int i;
	int w = 0;

	for (i = 0; i < n; i++)
		w += col_width(top_view_col(v, i), comm_w) + (i ? 1 : 0);
	return w;
}

void top_layout_fit(struct top_layout *l, enum top_view v, int width)
{
	unsigned int n;
	int extra;

	if ((unsigned int)v >= TOP_NVIEWS)
		v = TOP_VIEW_SCHED;
	if (width < 0)
		width = 0;
	/* PID and COMM always stay; the line is clipped if even they do not fit */
	for (n = top_view_ncols(v); n > 2; n--)
		if (cols_width(v, n, TOP_COMM_MIN) <= width)
			break;
	extra = width - cols_width(v, n, TOP_COMM_MIN);
	if (extra < 0)
		extra = 0;
	if (extra > TOP_COMM_MAX - TOP_COMM_MIN)
		extra = TOP_COMM_MAX - TOP_COMM_MIN;
	l->width = width;
	l->view = v;
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
	int i = view_index(l->view, c), s, w;

	if (i < 0 || (unsigned int)i >= l->ncols)
		return false;
	s = i ? cols_width(l->view, (unsigned int)i, l->comm_w) + 1 : 0;
	w = col_width(c, l->comm_w);
	if (s >= l->width)
		return false;
	if (s + w > l->width)
		w = l->width - s;
	*start = s;
	*width = w;
	return true;
}

bool top_sort_marks(enum top_col sort, enum top_col c)
{
	if (sort == TOP_IO_SUM)
		return c == TOP_RD_MIB || c == TOP_WR_MIB;
	if (sort == TOP_NET_SUM)
		return c == TOP_TX_MIB || c == TOP_RX_MIB;
	return c == sort && (unsigned int)c < TOP_NCOLS;
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
		enum top_col c = top_view_col(l->view, i);
		int w = col_width(c, l->comm_w), r;

		/* a number too wide for its column is shown as ###, never cut */
		if (!cols[c].left && strlen(cells[i]) > (size_t)w)
			snprintf(cells[i], sizeof(cells[i]), "%.*s", w, "##########");
		r = snprintf(line + pos, sizeof(line) - pos, cols[c].left ? "%s%-*.*s" : "%s%*.*s",
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
	char cells[TOP_VIEW_COLS_MAX][24];
	unsigned int i;

	for (i = 0; i < l->ncols; i++)
		snprintf(cells[i], sizeof(cells[i]), "%s", cols[top_view_col(l->view, i)].label);
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

/* Bytes as MiB in at most `width` characters. */
static void fmt_bytes_mib(char *buf, size_t len, uint64_t bytes, int width)
{
	fmt_num(buf, len, (double)bytes / (1024.0 * 1024.0), width);
}

/* A latency percentile in whole microseconds, as a count (at most 5 characters). */
static void fmt_us(char *buf, size_t len, double us)
{
	uint64_t v;

	if (!(us > 0))
		v = 0;
	else if (us >= 18446744073709549568.0)
		v = UINT64_MAX;
	else
		v = (uint64_t)(us + 0.5);
	fmt_count(buf, len, v);
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
	case TOP_RQP99: fmt_us(buf, len, s->runq_lat_us.p99); break;
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
	case TOP_RD_MIB: fmt_bytes_mib(buf, len, s->read_bytes, cols[c].width); break;
	case TOP_WR_MIB: fmt_bytes_mib(buf, len, s->write_bytes, cols[c].width); break;
	case TOP_RD_OPS: fmt_count(buf, len, s->read_ops); break;
	case TOP_WR_OPS: fmt_count(buf, len, s->write_ops); break;
	case TOP_LAT_P50: fmt_us(buf, len, s->io_lat_us.p50); break;
	case TOP_LAT_P99: fmt_us(buf, len, s->io_lat_us.p99); break;
	case TOP_QUE_P99: fmt_us(buf, len, s->io_queue_us.p99); break;
	case TOP_TX_MIB: fmt_bytes_mib(buf, len, s->tx_bytes, cols[c].width); break;
	case TOP_RX_MIB: fmt_bytes_mib(buf, len, s->rx_bytes, cols[c].width); break;
	case TOP_RETR: fmt_count(buf, len, s->retrans); break;
	case TOP_RST: fmt_count(buf, len, s->resets); break;
	case TOP_CONN: fmt_count(buf, len, s->connects); break;
	case TOP_ACC: fmt_count(buf, len, s->accepts); break;
	case TOP_RTT_P50: fmt_us(buf, len, s->rtt_us.p50); break;
	case TOP_RTT_P99: fmt_us(buf, len, s->rtt_us.p99); break;
	case TOP_IO_SUM: case TOP_NET_SUM: case TOP_NCOLS: break;
	}
}

void top_format_row(const struct top_layout *l, const struct proc_sample *s, double interval_s,
		    char *buf, size_t len)
{
	char cells[TOP_VIEW_COLS_MAX][24];
	unsigned int i;

	for (i = 0; i < l->ncols; i++)
		fmt_cell(cells[i], sizeof(cells[i]), top_view_col(l->view, i), s, interval_s);
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

/*
 * The sortable columns the layout shows, left to right, with a sum just
 * before the first column it adds up. Returns how many.
 */
static unsigned int sort_order(const struct top_layout *l, enum top_col *out)
{
	unsigned int i, n = 0;

	for (i = 0; i < l->ncols; i++) {
		enum top_col c = top_view_col(l->view, i);

		if (c == TOP_RD_MIB)
			out[n++] = TOP_IO_SUM;
		else if (c == TOP_TX_MIB)
			out[n++] = TOP_NET_SUM;
		if (top_col_sortable(c))
			out[n++] = c;
	}
	return n;
}

enum top_col top_sort_step(const struct top_layout *l, enum top_col cur, int dir)
{
	enum top_col order[TOP_VIEW_COLS_MAX * 2];
	unsigned int n = sort_order(l, order), i;

	if (!dir || !n)
		return cur;
	for (i = 0; i < n; i++)
		if (order[i] == cur)
			break;
	if (i == n)
		return dir > 0 ? order[0] : order[n - 1];
	if (dir < 0)
		return i ? order[i - 1] : cur;
	return i + 1 < n ? order[i + 1] : cur;
}

/* The value a column sorts by, for the columns without a sample_key. */
static uint64_t col_value(enum top_col c, const struct proc_sample *s)
{
	switch (c) {
	case TOP_MIGR: return s->migrations;
	case TOP_RECLAIM: return s->reclaim_stall_ns;
	case TOP_RD_MIB: return s->read_bytes;
	case TOP_WR_MIB: return s->write_bytes;
	case TOP_RD_OPS: return s->read_ops;
	case TOP_WR_OPS: return s->write_ops;
	case TOP_TX_MIB: return s->tx_bytes;
	case TOP_RX_MIB: return s->rx_bytes;
	case TOP_RETR: return s->retrans;
	case TOP_RST: return s->resets;
	case TOP_CONN: return s->connects;
	case TOP_ACC: return s->accepts;
	default: return 0;
	}
}

/* The percentile a column sorts by, for the latency columns. */
static double col_value_us(enum top_col c, const struct proc_sample *s)
{
	switch (c) {
	case TOP_LAT_P50: return s->io_lat_us.p50;
	case TOP_LAT_P99: return s->io_lat_us.p99;
	case TOP_QUE_P99: return s->io_queue_us.p99;
	case TOP_RTT_P50: return s->rtt_us.p50;
	case TOP_RTT_P99: return s->rtt_us.p99;
	default: return 0;
	}
}

static bool col_is_us(enum top_col c)
{
	return c == TOP_LAT_P50 || c == TOP_LAT_P99 || c == TOP_QUE_P99 || c == TOP_RTT_P50 ||
	       c == TOP_RTT_P99;
}

static enum top_col sort_col; /* qsort has no context argument (as in sample_sort) */

static int cmp_pid(uint32_t pa, uint32_t pb)
{
	return pa < pb ? -1 : pa > pb;
}

static int cmp_col(const void *a, const void *b)
{
	const struct proc_sample *x = a, *y = b;

	if (col_is_us(sort_col)) {
		double u = col_value_us(sort_col, x), v = col_value_us(sort_col, y);

		/* NaN sorts as 0 */
		u = u > 0 ? u : 0;
		v = v > 0 ? v : 0;
		if (u != v)
			return u < v ? 1 : -1;
	} else {
		uint64_t u = col_value(sort_col, x), v = col_value(sort_col, y);

		if (u != v)
			return u < v ? 1 : -1;
	}
	return cmp_pid(x->pid, y->pid);
}

void top_sort(struct proc_sample *s, size_t n, enum top_col c)
{
	int key = top_key_of_col(c);

	if (key >= 0 || !top_col_sortable(c)) {
		sample_sort(s, n, key >= 0 ? (enum sample_key)key : SORT_CPU);
		return;
	}
	sort_col = c;
	qsort(s, n, sizeof(*s), cmp_col);
}

/* The devices view. */

struct dev_col {
	const char *label;
	int width;
};

/* DEVICE as in `stat --devices`; fmt_num() fits its width, fmt_count() 5 characters. */
static const struct dev_col dev_cols[TOP_DEV_NCOLS] = {
	{"DEVICE", 12}, {"RD_MB/s", 7}, {"WR_MB/s", 7}, {"R/s", 5}, {"W/s", 5},
	{"LATp50us", 8}, {"LATp99us", 8}, {"QUEp99us", 8}, {"INFL", 5}, {"PEAK", 5},
}; /* 79 characters with the spaces between */

/* Start of device column i: the widths before it, one space between neighbours. */
static int dev_col_start(unsigned int i)
{
	unsigned int k;
	int s = 0;

	for (k = 0; k < i && k < TOP_DEV_NCOLS; k++)
		s += dev_cols[k].width + 1;
	return s;
}

unsigned int top_dev_fit(int width)
{
	unsigned int n;

	/* DEVICE always stays; the line is clipped if even it does not fit */
	for (n = TOP_DEV_NCOLS; n > 1; n--)
		if (dev_col_start(n - 1) + dev_cols[n - 1].width <= width)
			break;
	return n;
}

const char *top_dev_col_label(unsigned int i)
{
	return i < TOP_DEV_NCOLS ? dev_cols[i].label : "";
}

bool top_dev_col_span(int width, unsigned int i, int *start, int *w)
{
	int s, cw;

	if (i >= top_dev_fit(width))
		return false;
	s = dev_col_start(i);
	cw = dev_cols[i].width;
	if (s >= width)
		return false;
	if (s + cw > width)
		cw = width - s;
	*start = s;
	*w = cw;
	return true;
}

bool top_dev_sort_marks(unsigned int i)
{
	return i == 1 || i == 2;
}

/* Lay out the cells of the device columns that fit into buf, padded and clipped. */
static void dev_join(int width, char cells[][40], char *buf, size_t len)
{
	unsigned int n = top_dev_fit(width), i;
	char line[256];
	size_t pos = 0;

	for (i = 0; i < n && pos < sizeof(line); i++) {
		int w = dev_cols[i].width, r;

		/* a number too wide for its column is shown as ###, never cut */
		if (i && strlen(cells[i]) > (size_t)w)
			snprintf(cells[i], sizeof(cells[i]), "%.*s", w, "##########");
		r = snprintf(line + pos, sizeof(line) - pos, i ? " %*.*s" : "%-*.*s", w, w,
			     cells[i]);
		if (r < 0)
			break;
		pos += (size_t)r;
	}
	line[pos < sizeof(line) ? pos : sizeof(line) - 1] = '\0';
	pos = strlen(line);
	while (pos && line[pos - 1] == ' ')
		line[--pos] = '\0';
	top_clip(buf, len, line, width);
}

void top_dev_format_header(int width, char *buf, size_t len)
{
	char cells[TOP_DEV_NCOLS][40];
	unsigned int i;

	for (i = 0; i < TOP_DEV_NCOLS; i++)
		snprintf(cells[i], sizeof(cells[i]), "%s", dev_cols[i].label);
	dev_join(width, cells, buf, len);
}

/* A count per second, rounded, as fmt_count() shows it (at most 5 characters). */
static void fmt_rate_count(char *buf, size_t len, uint64_t v, double sec)
{
	double r = (double)v / sec;

	fmt_count(buf, len, !(r > 0) ? 0 : r >= 18446744073709549568.0 ? UINT64_MAX
								   : (uint64_t)(r + 0.5));
}

/* The device name with anything that is not printable ASCII replaced. */
static void fmt_dev_name(char *buf, size_t len, const struct dev_sample *d)
{
	size_t i;

	snprintf(buf, len, "%.*s", (int)sizeof(d->name), d->name);
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
			buf[i] = '?';
}

void top_dev_format_row(int width, const struct dev_sample *d, double interval_s, char *buf,
			size_t len)
{
	char cells[TOP_DEV_NCOLS][40];
	double sec = interval_s > 0 ? interval_s : 1;

	fmt_dev_name(cells[0], sizeof(cells[0]), d);
	fmt_num(cells[1], sizeof(cells[1]), (double)d->read_bytes / 1e6 / sec, dev_cols[1].width);
	fmt_num(cells[2], sizeof(cells[2]), (double)d->write_bytes / 1e6 / sec, dev_cols[2].width);
	fmt_rate_count(cells[3], sizeof(cells[3]), d->read_ops, sec);
	fmt_rate_count(cells[4], sizeof(cells[4]), d->write_ops, sec);
	fmt_us(cells[5], sizeof(cells[5]), d->lat_us.p50);
	fmt_us(cells[6], sizeof(cells[6]), d->lat_us.p99);
	fmt_us(cells[7], sizeof(cells[7]), d->queue_us.p99);
	fmt_count(cells[8], sizeof(cells[8]), d->inflight > 0 ? (uint64_t)d->inflight : 0);
	fmt_count(cells[9], sizeof(cells[9]), d->inflight_peak > 0 ? (uint64_t)d->inflight_peak : 0);
	dev_join(width, cells, buf, len);
}

static uint64_t dev_io_bytes(const struct dev_sample *d)
{
	return d->read_bytes > UINT64_MAX - d->write_bytes ? UINT64_MAX
							   : d->read_bytes + d->write_bytes;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct dev_sample *x = a, *y = b;
	uint64_t u = dev_io_bytes(x), v = dev_io_bytes(y);

	if (u != v)
		return u < v ? 1 : -1;
	return strncmp(x->name, y->name, sizeof(x->name));
}

void top_dev_sort(struct dev_sample *d, size_t n)
{
	if (n > 1)
		qsort(d, n, sizeof(*d), cmp_dev);
}
