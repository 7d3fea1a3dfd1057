/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The views and columns of `perfpilot top`: which columns fit a terminal
 * width, how a row and the column header look, which processes a view lists
 * and how the rows sort. No terminal code here, so all of it can be tested
 * without a screen.
 */
#ifndef PP_TOP_LAYOUT_H
#define PP_TOP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include "collect/proc_sample.h"

struct dev_sample;

/*
 * Column sets of top, in the order `v` cycles through them. The devices
 * view lists disks rather than processes: it has no process columns (its
 * rows come from the top_dev_* functions below) and lists no process.
 */
enum top_view { TOP_VIEW_SCHED = 0, TOP_VIEW_IO, TOP_VIEW_NET, TOP_VIEW_DEVICES, TOP_NVIEWS };

/*
 * Every column of every view. Each view shows some of them in its own
 * order; columns are dropped from the right when space runs out. The last
 * two are sort keys without a column of their own (read + write bytes,
 * sent + received bytes): they mark the two columns they add up.
 */
enum top_col {
	/* sched */
	TOP_PID = 0, TOP_COMM, TOP_CPU, TOP_RUNQ, TOP_RQP99, TOP_VCSW, TOP_IVCSW,
	TOP_MIGR, TOP_MINFLT, TOP_MAJFLT, TOP_RSS, TOP_RECLAIM,
	/* io */
	TOP_RD_MIB, TOP_WR_MIB, TOP_RD_OPS, TOP_WR_OPS, TOP_LAT_P50, TOP_LAT_P99, TOP_QUE_P99,
	/* net */
	TOP_TX_MIB, TOP_RX_MIB, TOP_RETR, TOP_RST, TOP_CONN, TOP_ACC, TOP_RTT_P50, TOP_RTT_P99,
	/* sort keys only */
	TOP_IO_SUM, TOP_NET_SUM,
	TOP_NCOLS
};

#define TOP_VIEW_COLS_MAX 12 /* most columns in one view */

#define TOP_COMM_MIN 8   /* COMM is narrowed down to this before a column goes */
#define TOP_COMM_MAX 16  /* 15 characters of comm and the '*' of an exited process */

struct top_layout {
	int width;           /* the width it was made for */
	enum top_view view;  /* whose columns */
	unsigned int ncols;  /* columns shown: the first ncols of the view */
	int comm_w;          /* width given to COMM */
};

/* "sched", "io", "net", "devices". */
const char *top_view_name(enum top_view v);

/* The view after v: sched -> io -> net -> devices -> sched. */
enum top_view top_view_next(enum top_view v);

/* Number of columns of a view, and its i-th column (TOP_NCOLS past the end). */
unsigned int top_view_ncols(enum top_view v);
enum top_col top_view_col(enum top_view v, unsigned int i);

/* Does the view have column c (shown or not)? */
bool top_view_has(enum top_view v, enum top_col c);

/* The column a view sorts by when it is chosen: CPU%, read + write, sent + received. */
enum top_col top_view_sort(enum top_view v);

/*
 * Does the view list this process? sched: all; io: those that did block IO
 * in the interval; net: those with any TCP activity; devices: none.
 */
bool top_view_wants(enum top_view v, const struct proc_sample *s);

/* Copy the samples the view lists from in[] to out[] (room for n); returns how many. */
size_t top_view_filter(enum top_view v, const struct proc_sample *in, size_t n,
		       struct proc_sample *out);

/* Choose the columns and the COMM width of a view for a terminal `width` columns wide. */
void top_layout_fit(struct top_layout *l, enum top_view v, int width);

/* Is column c shown? */
bool top_col_shown(const struct top_layout *l, enum top_col c);

/*
 * Where column c starts on a line and how wide it is, clipped to the layout
 * width; returns false (and sets nothing) when it is not shown.
 */
bool top_col_span(const struct top_layout *l, enum top_col c, int *start, int *width);

/* Is column c marked in the header when the rows are sorted by `sort`? */
bool top_sort_marks(enum top_col sort, enum top_col c);

/* The column's heading ("CPU%", "RUNQms", ...; "RD+WR" and "TX+RX" for the sums). */
const char *top_col_label(enum top_col c);

/*
 * The column header and one process row. Both write a NUL-terminated line
 * of at most min(l->width, len - 1) characters, without a newline.
 */
void top_format_header(const struct top_layout *l, char *buf, size_t len);
void top_format_row(const struct top_layout *l, const struct proc_sample *s, double interval_s,
		    char *buf, size_t len);

/* Copy at most `width` characters of `src` (and len - 1 at most) into buf. */
void top_clip(char *buf, size_t len, const char *src, int width);

/*
 * Join fields with two spaces into at most `width` characters, leaving out
 * fields of the lowest priority (largest prio) until the rest fit. Empty or
 * NULL fields are skipped. The result is clipped if even one field is too long.
 */
void top_fit_fields(char *buf, size_t len, int width, const char *const *fields,
		    const int *prio, size_t n);

/* Columns that rows can be sorted by (all but COMM). */
bool top_col_sortable(enum top_col c);

/* The column of a -s sort key, and the key of a column (-1 if it has none). */
enum top_col top_col_of_key(enum sample_key k);
int top_key_of_col(enum top_col c);

/*
 * The next sortable column left (dir < 0) or right (dir > 0) of cur among
 * the columns the layout shows (a sum sits just left of the first column it
 * adds up); cur itself when there is none that way. From a column the view
 * does not show, the first (dir > 0) or last (dir < 0) one.
 */
enum top_col top_sort_step(const struct top_layout *l, enum top_col cur, int dir);

/* Sort rows by a column: largest first, then by pid; PID ascending. */
void top_sort(struct proc_sample *s, size_t n, enum top_col c);

/*
 * The devices view: one row per disk, with the columns DEVICE, RD_MB/s,
 * WR_MB/s, R/s, W/s, LATp50us, LATp99us, QUEp99us, INFL and PEAK (rates
 * per second, MB = 10^6 bytes, as in `perfpilot stat --devices`). All of
 * them fit 80 columns; on narrower terminals columns are dropped from the
 * right. DEVICE always stays and is clipped when even it does not fit.
 */
#define TOP_DEV_NCOLS 10

/* Number of device columns shown on a line `width` characters wide. */
unsigned int top_dev_fit(int width);

/* The heading of device column i ("" past the end). */
const char *top_dev_col_label(unsigned int i);

/*
 * Where device column i starts and how wide it is on a line `width` wide,
 * clipped to it; false (and sets nothing) when it is not shown.
 */
bool top_dev_col_span(int width, unsigned int i, int *start, int *w);

/* Is device column i marked in the header (the columns of the sort, RD+WR)? */
bool top_dev_sort_marks(unsigned int i);

/*
 * The device column header and one device row: NUL-terminated lines of at
 * most min(width, len - 1) characters, without a newline.
 */
void top_dev_format_header(int width, char *buf, size_t len);
void top_dev_format_row(int width, const struct dev_sample *d, double interval_s, char *buf,
			size_t len);

/* Sort devices by read + write bytes, largest first, then by name. */
void top_dev_sort(struct dev_sample *d, size_t n);

#endif
