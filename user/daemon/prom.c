// SPDX-License-Identifier: GPL-2.0
/* The Prometheus text and OpenMetrics exposition writer (a stand-in, see
 * prom.h). */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/prom.h"

struct prom_buf {
	enum prom_fmt fmt;
	FILE *f;
	char *text;
	size_t len;
	char name[160];      /* the current family */
	enum prom_type type;
};

struct prom_buf *prom_new(enum prom_fmt f)
{
	struct prom_buf *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->fmt = f;
	b->f = open_memstream(&b->text, &b->len);
	if (!b->f) {
		free(b);
		return NULL;
	}
	return b;
}

enum prom_fmt prom_negotiate(const char *accept)
{
	return accept && strstr(accept, "application/openmetrics-text") ? PROM_OPENMETRICS
									 : PROM_TEXT;
}

const char *prom_content_type(enum prom_fmt f)
{
	return f == PROM_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
				     : "text/plain; version=0.0.4; charset=utf-8";
}

/* HELP text: backslash and newline escaped */
static void put_help(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void prom_family(struct prom_buf *b, const char *name, enum prom_type t, const char *unit,
		 const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };
	const char *suffix = b->fmt == PROM_TEXT && t == PROM_COUNTER ? "_total" : "";

	if (!b)
		return;
	snprintf(b->name, sizeof(b->name), "%s", name);
	b->type = t;
	fprintf(b->f, "# HELP %s%s ", name, suffix);
	put_help(b->f, help ? help : "");
	fprintf(b->f, "\n# TYPE %s%s %s\n", name, suffix, types[t]);
	if (b->fmt == PROM_OPENMETRICS && unit)
		fprintf(b->f, "# UNIT %s %s\n", name, unit);
}

static void fmt_value(char *buf, size_t len, double v)
{
	if (isnan(v)) {
		snprintf(buf, len, "NaN");
	} else if (isinf(v)) {
		snprintf(buf, len, "%s", v > 0 ? "+Inf" : "-Inf");
	} else if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		snprintf(buf, len, "%.0f", v);
	} else {
		snprintf(buf, len, "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, len, "%.17g", v);
	}
}

static void put_value(FILE *f, double v)
{
	char buf[64];

	fmt_value(buf, sizeof(buf), v);
	fputs(buf, f);
}

static void put_label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* {k="v",...,extra} from the NULL-terminated pairs of ap; extra (the le
 * of a bucket) may be NULL; nothing when there are no labels. */
static void put_labels(FILE *f, va_list ap, const char *extra_key, const char *extra)
{
	const char *k, *v;
	bool any = false;

	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		fprintf(f, "%s%s=\"", any ? "," : "{", k);
		put_label_value(f, v ? v : "");
		fputc('"', f);
		any = true;
	}
	if (extra) {
		fprintf(f, "%s%s=\"%s\"", any ? "," : "{", extra_key, extra);
		any = true;
	}
	if (any)
		fputc('}', f);
}

void prom_sample(struct prom_buf *b, double value, ...)
{
	va_list ap;

	if (!b)
		return;
	fprintf(b->f, "%s%s", b->name, b->type == PROM_COUNTER ? "_total" : "");
	va_start(ap, value);
	put_labels(b->f, ap, NULL, NULL);
	va_end(ap);
	fputc(' ', b->f);
	put_value(b->f, value);
	fputc('\n', b->f);
}

/* One line of a histogram: NAME_SUFFIX{labels[,le="X"]} value */
static void hist_line(struct prom_buf *b, const char *suffix, va_list labels, const char *le,
		      double v)
{
	va_list ap;

	va_copy(ap, labels);
	fprintf(b->f, "%s%s", b->name, suffix);
	put_labels(b->f, ap, "le", le);
	va_end(ap);
	fputc(' ', b->f);
	put_value(b->f, v);
	fputc('\n', b->f);
}

void prom_histogram(struct prom_buf *b, const double *le, const unsigned long long *cum,
		    size_t n, double sum, unsigned long long count, ...)
{
	char bound[64];
	va_list ap;
	size_t i;

	if (!b)
		return;
	va_start(ap, count);
	for (i = 0; i < n; i++) {
		fmt_value(bound, sizeof(bound) - 2, le[i]);
		/* OpenMetrics wants floats for le: "1" is "1.0" */
		if (b->fmt == PROM_OPENMETRICS && !strpbrk(bound, ".eEIN"))
			strncat(bound, ".0", sizeof(bound) - strlen(bound) - 1);
		hist_line(b, "_bucket", ap, bound, (double)cum[i]);
	}
	hist_line(b, "_bucket", ap, "+Inf", (double)count);
	hist_line(b, "_sum", ap, NULL, sum);
	hist_line(b, "_count", ap, NULL, (double)count);
	va_end(ap);
}

char *prom_finish(struct prom_buf *b, size_t *len)
{
	char *text;

	if (!b)
		return NULL;
	if (b->fmt == PROM_OPENMETRICS)
		fputs("# EOF\n", b->f);
	if (fclose(b->f)) {
		free(b->text);
		free(b);
		return NULL;
	}
	text = b->text;
	*len = b->len;
	free(b);
	return text;
}
