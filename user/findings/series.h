/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers over a recording's series and their values, shared by the
 * analysers (findings/) and the renderers (report/): sums, maxima, units,
 * party names and human-readable sizes and durations.
 */
#ifndef PP_FINDINGS_SERIES_H
#define PP_FINDINGS_SERIES_H

#include <stddef.h>
#include "store/recording.h"

#define MIB (1024.0 * 1024.0)

/* The length of one interval (the recording's, or guessed from a series). */
double fnd_interval(const struct recording *r);

/* Sum of s->v over samples with t0 <= t <= t1 (0 and INFINITY for all). */
double fnd_sum(const struct series *s, double t0, double t1);

/* Largest value (NAN for an empty series). */
double fnd_max(const struct series *s);

/* The unit of a metric from its name: "ns", "us", "bytes" or "". */
const char *fnd_metric_unit(const char *metric);

/* A party's name for summaries: "comm (pid N)" or the cgroup path. */
const char *fnd_party_name(const struct series *s, char *buf, size_t len);

/* "1.5 MiB", "320 KiB", ... */
const char *fnd_fmt_bytes(double b, char *buf, size_t len);
/* A count with thousands separated: "57,486" */
const char *fnd_fmt_count(double v, char *buf, size_t len);

#endif
