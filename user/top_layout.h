/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The columns of `perfpilot top`: which of them fit a terminal width, how a
 * row and the column header look, and how the rows sort. No terminal code
 * here, so all of it can be tested without a screen.
 */
#ifndef PP_TOP_LAYOUT_H
#define PP_TOP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include "sample.h"

/* In display order; columns are dropped from the right when space runs out. */
enum top_col {
	TOP_PID = 0, TOP_COMM, TOP_CPU, TOP_RUNQ, TOP_RQP99, TOP_VCSW, TOP_IVCSW,
	TOP_MIGR, TOP_MINFLT, TOP_MAJFLT, TOP_RSS, TOP_RECLAIM, TOP_NCOLS
};

#define TOP_COMM_MIN 8   /* COMM is narrowed down to this before a column goes */
#define TOP_COMM_MAX 16  /* 15 characters of comm and the '*' of an exited process */

struct top_layout {
	int width;           /* the width it was made for */
	unsigned int ncols;  /* columns shown: the first ncols of enum top_col */
	int comm_w;          /* width given to COMM */
};

/* Choose the columns and the COMM width for a terminal `width` columns wide. */
void top_layout_fit(struct top_layout *l, int width);

/* Is column c shown? */
bool top_col_shown(const struct top_layout *l, enum top_col c);

/*
 * Where column c starts on a line and how wide it is, clipped to the layout
 * width; returns false (and sets nothing) when it is not shown.
 */
bool top_col_span(const struct top_layout *l, enum top_col c, int *start, int *width);

/* The column's heading ("CPU%", "RUNQms", ...). */
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
 * the first ncols columns; cur itself when there is none that way.
 */
enum top_col top_sort_step(enum top_col cur, int dir, unsigned int ncols);

/* Sort rows by a column: largest first, then by pid; PID ascending. */
void top_sort(struct proc_sample *s, size_t n, enum top_col c);

#endif
