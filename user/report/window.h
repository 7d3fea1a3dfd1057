/* SPDX-License-Identifier: GPL-2.0 */
/* --since / --until: times on the command line and cutting a recording. */
#ifndef PP_WINDOW_H
#define PP_WINDOW_H

#include <stdbool.h>
#include "store/recording.h"

/* A time as given: absolute (unix seconds) or relative to the recording's
 * end ("-10m") or start ("+30s"). */
struct time_arg {
	bool set;
	char rel;     /* 0 absolute, '-' from the end, '+' from the start */
	double value; /* unix seconds, or seconds of offset */
};

/*
 * "1764590400", "1764590400.5", "2026-12-01T12:00:00Z" (also with a space,
 * without seconds, with +HH:MM, or without a zone: local time), "-10m",
 * "+30s". Returns 0, or -1 when s is none of these.
 */
int time_arg_parse(const char *s, struct time_arg *out);

/* The absolute time of an argument for a recording from start to end. */
double time_arg_resolve(const struct time_arg *a, double start, double end, double dflt);

/* Keep the samples with since <= t <= until; start and end follow. */
void report_trim(struct recording *r, double since, double until);

#endif
