/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's log: one line per event on stderr, "LEVEL: message", with
 * the levels debug, info, warning and error (0 to 3, as alerts_set_logger
 * takes them). Lines below the level set are left out. Under systemd,
 * stderr goes to the journal. Safe from any thread: each line is one
 * write(2).
 */
#ifndef PP_DAEMON_LOG_H
#define PP_DAEMON_LOG_H

#include <stdio.h>

enum dlog_level { DLOG_DEBUG = 0, DLOG_INFO = 1, DLOG_WARNING = 2, DLOG_ERROR = 3 };

void dlog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The lowest level written (default info). */
void dlog_set_level(int level);
int dlog_get_level(void);

/* "debug" ... "error" -> the level, or -1. */
int dlog_level_parse(const char *name);
const char *dlog_level_name(int level);

/*
 * A stream whose lines become log lines at `level` (a leading "perfpilot: "
 * is dropped): for code that writes its messages to a FILE, such as the
 * tuner's cycle. Close it with fclose. NULL on no memory.
 */
FILE *dlog_stream(int level);

#endif
