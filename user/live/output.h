/* SPDX-License-Identifier: GPL-2.0 */
/* JSON lines and the 80-column tables: processes, cgroups, disks, TCP
 * connections and listen queues. */
#ifndef PP_OUTPUT_H
#define PP_OUTPUT_H

#include <stdio.h>
#include <jansson.h>
#include "collect/conns.h"
#include "collect/devices.h"
#include "collect/proc_sample.h"

/* {count, p50, p90, p99, max} of a histogram summary (rounded to 0.1 us). */
json_t *hist_json(const struct hist_summary *h);

/* Compact one-line text of `o` (malloc'd), consuming the reference; NULL if o is. */
char *json_line(json_t *o);

/* One process line (malloc'd, no newline; NULL on allocation failure). */
char *sample_json(const struct proc_sample *s, const struct interval_info *ii);

/* One cgroup line (type "cgroup"): a sample from sample_by_cgroup(). */
char *cgroup_json(const struct proc_sample *g, const struct interval_info *ii);

/* The per-interval line: type "interval", processes, dropped counters. */
char *interval_json(const struct interval_info *ii, const char *attach);

/* A count in at most `width` characters: 999, 12.3k, 4.56M, 7.8G. */
void fmt_count(char *buf, size_t len, uint64_t v);

/* A number in at most `width` characters: one decimal, none, then k/M/G... */
void fmt_num(char *buf, size_t len, double v, int width);

/* Copy a string as valid UTF-8 ('?' for each invalid byte). */
void utf8_clean(char *out, size_t len, const char *in);

/* Bytes as MiB with one decimal (or "-" when negative/unknown). */
void fmt_mib(char *buf, size_t len, int64_t bytes);

#define TABLE_WIDTH 80

/* Title line (time, interval, how many processes). */
void table_title(FILE *f, const struct interval_info *ii, size_t shown, size_t total);
/* Column names with units: scheduler and memory view. */
void table_header(FILE *f);
/* One row; never wider than TABLE_WIDTH. */
void table_row(FILE *f, const struct proc_sample *s, double interval_s);
/* Footer: drop counters, only when something was dropped. */
void table_footer(FILE *f, const struct interval_info *ii);

/* The block IO view of processes. */
void table_header_io(FILE *f);
void table_row_io(FILE *f, const struct proc_sample *s);

/* The TCP view of processes. */
void table_header_net(FILE *f);
void table_row_net(FILE *f, const struct proc_sample *s);

/* The per-cgroup table (--per-cgroup). */
void cgroup_table_header(FILE *f);
void cgroup_table_row(FILE *f, const struct proc_sample *g, double interval_s);

/* One JSON line (type "device"), malloc'd. */
char *dev_json(const struct dev_sample *d, double ts, double interval_s);

/* The device table (fits 80 columns). */
void dev_table_header(FILE *f);
void dev_table_row(FILE *f, const struct dev_sample *d, double interval_s);

/* The connections (--connections): one JSON line (type "connection") or
 * table row each, then each network namespace's listen queues (type
 * "netns"). */
char *conn_json(const struct conn_sample *c, double ts, double interval_s);
void conn_table_header(FILE *f);
void conn_table_row(FILE *f, const struct conn_sample *c);
char *netns_json(const struct netns_sample *n, double ts, double interval_s);
void netns_print(FILE *f, const struct netns_sample *n);

#endif
