/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The recording store: one SQLite file per recording, with a versioned
 * schema (docs/store.md) migrated forward on open. Writes are one
 * transaction per interval, so a crash or Ctrl-C leaves a readable file.
 */
#ifndef PP_STORE_H
#define PP_STORE_H

#include <stddef.h>
#include "store/recording.h"

/*
 * Load a store into memory, keeping samples with since <= t <= until (pass
 * 0 and INFINITY for everything). -1 with a one-line reason in err (not a
 * perfpilot store, truncated or corrupt, a newer schema, ...).
 */
int store_load(const char *path, double since, double until, struct recording *out,
	       char *err, size_t errlen);

#endif
