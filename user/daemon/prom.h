/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Metrics as text for Prometheus: the text exposition format 0.0.4 and
 * OpenMetrics 1.0, written family by family into a buffer.
 *
 * Names follow Prometheus' conventions and are checked: a metric family's
 * name is snake_case ([a-z][a-z0-9_]*: no colons, which are for recording
 * rules, no leading underscore, which is reserved), it ends in its unit when
 * it has one, and never in a suffix the formats give to the samples of
 * counters and histograms (_total, _created, _bucket, _count, _sum), so that
 * no two families can produce the same sample name; a name is used once. A label name is [a-zA-Z][a-zA-Z0-9_]*
 * (no leading underscore), at most once per sample; a histogram's samples
 * may not use "le". A name that breaks these rules is a mistake in the
 * caller: the family or sample is left out, nothing invalid is written, and
 * prom_error() says what was wrong (the first mistake; it stays set).
 *
 * Label values and HELP texts are escaped as each format asks (backslash,
 * double quote in label values and in OpenMetrics' HELP, newline); bytes
 * that are not valid UTF-8 become '?'. Values: integers as integers (no
 * exponent below 1e15), others with the fewest digits that read back to the
 * same double, +Inf, -Inf and NaN; histogram bounds (le) as Go renders them,
 * which OpenMetrics takes as the canonical form (with ".0" added there).
 *
 * Not thread-safe: one buffer per exposition.
 */
#ifndef PP_DAEMON_PROM_H
#define PP_DAEMON_PROM_H

#include <stddef.h>

enum prom_fmt {
	PROM_TEXT,        /* text/plain; version=0.0.4 */
	PROM_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
};

enum prom_type { PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM };

struct prom_buf;

/* An empty exposition, or NULL on no memory (every function below takes a
 * NULL buffer and does nothing; prom_finish returns NULL). */
struct prom_buf *prom_new(enum prom_fmt f);

/* The format a scraper asks for in its Accept header (NULL or "" too):
 * OpenMetrics only when it names application/openmetrics-text (version
 * 1.0.0, 0.0.1 or none) with a q-value above 0 and at least that of any
 * text/plain (or wildcard) it also accepts; else the text format. */
enum prom_fmt prom_negotiate(const char *accept);

/* The Content-Type of a format, with its version and charset=utf-8. */
const char *prom_content_type(enum prom_fmt f);

/*
 * Start a metric family: name WITHOUT "_total" for counters (the writer adds
 * "_total" to the samples, and to the family name in the text format, as
 * Prometheus expects); unit ("seconds", "bytes" or NULL) must be the name's
 * suffix; help is one line for people (NULL or "": no HELP line).
 */
void prom_family(struct prom_buf *b, const char *name, enum prom_type t, const char *unit, const char *help);

/* One sample of the current family (a counter or a gauge; a counter's value
 * must not be negative or NaN); labels: NULL-terminated key, value pairs
 * (values escaped by the writer). */
void prom_sample(struct prom_buf *b, double value, ...);

/*
 * A histogram sample of the current family: upper bounds le[0..n-1]
 * (finite, ascending; +Inf added by the writer), cumulative counts cum[0..n-1]
 * (not decreasing, none above count), sum and count; then labels as above.
 * OpenMetrics leaves _sum out when a bound is negative, as it asks.
 */
void prom_histogram(struct prom_buf *b, const double *le, const unsigned long long *cum, size_t n,
		    double sum, unsigned long long count, ...);

/* The first mistake of the caller since prom_new (its family or sample is
 * not in the text), or NULL when there was none. Valid until prom_finish. */
const char *prom_error(const struct prom_buf *b);

/* The text, malloc'ed and NUL-terminated, its length in *len (may be NULL);
 * OpenMetrics ends with "# EOF\n". NULL on no memory. Frees b. */
char *prom_finish(struct prom_buf *b, size_t *len);

#endif
