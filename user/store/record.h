/* SPDX-License-Identifier: GPL-2.0 */
/* perfpilot record: watch a target and write its series to a store. */
#ifndef PP_RECORD_H
#define PP_RECORD_H

#include <stdbool.h>
#include "cli.h"

struct record_opts {
	struct watch_opts w;  /* target, duration (0: until Ctrl-C), interval */
	bool profile;         /* also sample on-CPU stacks into the store */
	const char *path;     /* the store file */
	bool quiet;           /* no progress line */
};

/* Record into o->path (created; an existing file is refused unless it is a
 * store, which is appended to). Returns the process exit code. */
int record_run(const struct record_opts *o);

#endif
