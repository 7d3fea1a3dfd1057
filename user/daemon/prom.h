/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus exposition writer: the text format (version 0.0.4) and
 * OpenMetrics 1.0.0, chosen by the scraper's Accept header.
 *
 * A stand-in with the interface of the shared daemon spec
 * (/work/notes/daemon-spec.md), written so that the daemon builds and is
 * tested before the daemon-http branch, whose prom.c replaces this one.
 */
#ifndef PP_DAEMON_PROM_H
#define PP_DAEMON_PROM_H

#include <stddef.h>

enum prom_fmt { PROM_TEXT /* text/plain; version=0.0.4 */,
		PROM_OPENMETRICS /* application/openmetrics-text; version=1.0.0 */ };
enum prom_type { PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM };

struct prom_buf;

struct prom_buf *prom_new(enum prom_fmt f);
enum prom_fmt prom_negotiate(const char *accept);
const char *prom_content_type(enum prom_fmt f);

/* A metric family: name WITHOUT "_total" for counters (the writer adds
 * "_total" to the samples, and to the family name in the text format as
 * Prometheus expects); unit ("seconds", "bytes" or NULL) must be the
 * name's suffix. */
void prom_family(struct prom_buf *b, const char *name, enum prom_type t, const char *unit,
		 const char *help);

/* One sample of the current family; labels: NULL-terminated key, value
 * pairs (values escaped by the writer). */
void prom_sample(struct prom_buf *b, double value, ...);

/* A histogram sample of the current family: upper bounds le[0..n-1]
 * (ascending; +Inf added by the writer), cumulative counts, sum and count;
 * then labels as above. */
void prom_histogram(struct prom_buf *b, const double *le, const unsigned long long *cum,
		    size_t n, double sum, unsigned long long count, ...);

/* The text (OpenMetrics: ends with "# EOF\n"); frees b. NULL on no memory. */
char *prom_finish(struct prom_buf *b, size_t *len);

#endif
