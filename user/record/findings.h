/* SPDX-License-Identifier: GPL-2.0 */
/* The analysis record stores when it ends, and the host settings it reads. */
#ifndef PP_RECORD_FINDINGS_H
#define PP_RECORD_FINDINGS_H

#include <stddef.h>
#include "findings/findings.h"
#include "store/recording.h"
#include "store/store.h"

/* The host's settings (findings_env), when r was recorded on this host;
 * else unknown (-1). */
void record_findings_env(const struct recording *r, struct findings_env *env);

/*
 * Analyse the whole store at path (as perfpilot report does) and replace
 * its stored findings with the result through st, in one transaction.
 * 0 with the number of findings in *n, or -1 with a one-line reason in err.
 */
int record_findings(struct store *st, const char *path, size_t *n, char *err, size_t errlen);

#endif
