/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The findings kept in a store (docs/store.md, table `finding`): those of
 * the last analysis, written by perfpilot record when it ends. The store
 * keeps them as strings, so it does not depend on the findings module.
 */
#ifndef PP_STORE_FINDINGS_H
#define PP_STORE_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

struct store;

/* One finding as stored: its kind, severity and resource names, its
 * summary and the finding as JSON (what report --json gives for it). */
struct store_finding {
	const char *kind, *severity, *resource, *summary, *json;
};

/*
 * Replace the stored analysis with this one, in one transaction: analysed
 * is when it ran, [since, until] the window analysed (unix seconds). n may
 * be 0 (an analysis that found nothing). -1 with store_error() on failure,
 * leaving the previous analysis in place.
 */
int store_put_findings(struct store *st, double analysed, double since, double until,
		       const struct store_finding *f, size_t n);

struct stored_finding {
	char kind[32], severity[16], resource[16];
	char *summary, *json;
};

struct stored_findings {
	bool present;        /* false: no analysis stored (an older store) */
	double analysed, since, until;
	struct stored_finding *f;
	size_t n;
};

/*
 * Read the stored analysis (migrating an older store when the file is
 * writable, as store_load does). 0 with out->present false when there is
 * none; -1 with a one-line reason in err when the file is not a readable
 * store.
 */
int store_findings_load(const char *path, struct stored_findings *out, char *err,
			size_t errlen);

void stored_findings_free(struct stored_findings *fs);

#endif
