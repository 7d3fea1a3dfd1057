/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfpilot daemon: record continuously (record/record.h with its hooks)
 * into STATE_DIR/perfpilot.db with retention, analyse the last window every
 * so often, tune when the config says so, and serve /metrics, the findings
 * and the profile over HTTP (docs/daemon.md). SIGHUP reloads the config,
 * SIGTERM and SIGINT stop it cleanly.
 */
#ifndef PP_DAEMON_DAEMON_H
#define PP_DAEMON_DAEMON_H

#include <stdbool.h>
#include "collect/watch.h"
#include "daemon/config.h"

struct daemon_opts {
	const char *config_path;        /* --config, or NULL (the default file) */
	bool config_defaulted;          /* no --config and no default file */
	struct daemon_overrides ov;     /* the command line, also on a reload */
	struct watch_opts w;            /* the target, checked (its cgroup resolved) */
};

/*
 * Run with cfg (owned from here: freed at the end) until SIGTERM or
 * SIGINT. Returns the exit code: 0 stopped cleanly, 1 a runtime failure,
 * 2 bad input found before it started (the state directory, the token
 * file, the listen address), said in one "perfpilot: ..." line.
 */
int daemon_run(struct daemon_config *cfg, const struct daemon_opts *o);

#endif
