// SPDX-License-Identifier: GPL-2.0
/* Prometheus text 0.0.4 and OpenMetrics 1.0 expositions (see prom.h). */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/prom.h"
#include "formats/textclean.h"

#define PROM_MAX_LABELS 16

struct prom_buf {
	enum prom_fmt fmt;
	char *s;
	size_t len, cap;
	bool nomem;
	char err[256];         /* the first mistake, "" while there is none */
	char **names;          /* every family so far: a name is used once */
	size_t nnames, capnames;
	const char *name;      /* the current family (one of names[]) */
	enum prom_type type;
	bool open;             /* the current family was accepted */
};

/* The suffixes the formats give to sample names: no family ends in one, so
 * that two families can only clash by having the same name. */
static const char *const sample_suffixes[] = {
	"_total", "_created", "_bucket", "_count", "_sum",
};

static const char *const type_names[] = {
	[PROM_COUNTER] = "counter",
	[PROM_GAUGE] = "gauge",
	[PROM_HISTOGRAM] = "histogram",
};

__attribute__((format(printf, 2, 3)))
static void mistake(struct prom_buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
}

static void put(struct prom_buf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->nomem)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p) {
			b->nomem = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void put_str(struct prom_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* s escaped: a backslash and a newline always, a double quote in label
 * values and OpenMetrics' HELP (quote); invalid UTF-8 bytes as '?' */
static void put_escaped(struct prom_buf *b, const char *s, bool quote)
{
	size_t n;

	while (*s) {
		n = text_utf8_len(s);
		if (!n) {
			put(b, "?", 1);
			s++;
			continue;
		}
		if (*s == '\\')
			put(b, "\\\\", 2);
		else if (*s == '\n')
			put(b, "\\n", 2);
		else if (*s == '"' && quote)
			put(b, "\\\"", 2);
		else
			put(b, s, n);
		s += n;
	}
}

/* The fewest significant digits (1 to 17) with which "%.*e" reads back as
 * the finite v: a binary search, whose answer always reads back. */
static int shortest_digits(double v)
{
	char buf[40];
	int lo = 1, hi = 17, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		snprintf(buf, sizeof(buf), "%.*e", mid - 1, v);
		if (strtod(buf, NULL) == v)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool non_finite(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "NaN");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
	else
		return false;
	return true;
}

/* A sample value: integers below 1e15 as integers, others as %g with the
 * fewest digits that read back */
static void fmt_value(char *buf, size_t len, double v)
{
	if (non_finite(buf, len, v))
		return;
	if (v == 0)
		snprintf(buf, len, "0"); /* also -0 */
	else if (fabs(v) < 1e15 && v == trunc(v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.*g", shortest_digits(v), v);
}

/* A bucket bound as Go's %g renders it (the fewest digits, an exponent
 * below 1e-4 and from 1e6 on), with ".0" added in OpenMetrics when it has
 * neither a point nor an exponent: OpenMetrics' canonical form */
static void fmt_le(char *buf, size_t len, double v, enum prom_fmt f)
{
	int p, x;
	char *e;

	if (non_finite(buf, len, v))
		return;
	if (v == 0)
		v = 0; /* no "-0" */
	p = shortest_digits(v);
	snprintf(buf, len, "%.*e", p - 1, v);
	e = strchr(buf, 'e');
	x = e ? atoi(e + 1) : 0;
	if (x >= -4 && x < 6)
		snprintf(buf, len, "%.*f", p - 1 - x > 0 ? p - 1 - x : 0, v);
	if (f == PROM_OPENMETRICS && !strpbrk(buf, ".e"))
		snprintf(buf + strlen(buf), len - strlen(buf), ".0");
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_alpha(char c)
{
	return is_lower(c) || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* [a-z][a-z0-9_]*: snake_case, no colon, no leading underscore */
static bool snake_case(const char *s)
{
	if (!is_lower(*s))
		return false;
	for (s++; *s; s++)
		if (!is_lower(*s) && !is_digit(*s) && *s != '_')
			return false;
	return true;
}

/* [a-zA-Z][a-zA-Z0-9_]*: a label name without the reserved leading '_' */
static bool label_name_ok(const char *s)
{
	if (!is_alpha(*s))
		return false;
	for (s++; *s; s++)
		if (!is_alpha(*s) && !is_digit(*s) && *s != '_')
			return false;
	return true;
}

struct prom_buf *prom_new(enum prom_fmt f)
{
	struct prom_buf *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->fmt = f == PROM_OPENMETRICS ? PROM_OPENMETRICS : PROM_TEXT;
	return b;
}

/* Whether name is a new, valid family name of type t with this unit; a
 * mistake if not */
static bool family_ok(struct prom_buf *b, const char *name, enum prom_type t, const char *unit)
{
	size_t i;

	if (!name || !snake_case(name)) {
		mistake(b, "metric name \"%s\": not snake_case ([a-z][a-z0-9_]*)", name ? name : "(null)");
		return false;
	}
	if ((unsigned)t > PROM_HISTOGRAM) {
		mistake(b, "metric %s: no type %d", name, (int)t);
		return false;
	}
	for (i = 0; i < sizeof(sample_suffixes) / sizeof(sample_suffixes[0]); i++) {
		if (!ends_with(name, sample_suffixes[i]))
			continue;
		mistake(b, "metric %s: ends in %s, a suffix of sample names%s", name, sample_suffixes[i],
			t == PROM_COUNTER && i == 0 ? " (a counter's name goes without it: the writer adds it)" : "");
		return false;
	}
	if (unit && *unit) {
		if (!snake_case(unit) || strlen(name) <= strlen(unit) ||
		    !ends_with(name, unit) || name[strlen(name) - strlen(unit) - 1] != '_') {
			mistake(b, "metric %s: its name does not end in its unit \"_%s\"", name, unit);
			return false;
		}
	}
	for (i = 0; i < b->nnames; i++) {
		if (!strcmp(b->names[i], name)) {
			mistake(b, "metric %s: a second family of this name", name);
			return false;
		}
	}
	return true;
}

/* Keep name among the families', as the current one */
static bool family_add(struct prom_buf *b, const char *name)
{
	char **p, *copy;

	if (b->nnames == b->capnames) {
		p = realloc(b->names, (b->capnames ? 2 * b->capnames : 64) * sizeof(*p));
		if (!p) {
			b->nomem = true;
			return false;
		}
		b->names = p;
		b->capnames = b->capnames ? 2 * b->capnames : 64;
	}
	copy = strdup(name);
	if (!copy) {
		b->nomem = true;
		return false;
	}
	b->names[b->nnames++] = copy;
	b->name = copy;
	return true;
}

void prom_family(struct prom_buf *b, const char *name, enum prom_type t, const char *unit, const char *help)
{
	bool om;

	if (!b)
		return;
	b->open = false;
	b->name = NULL;
	if (!family_ok(b, name, t, unit) || !family_add(b, name))
		return;
	b->type = t;
	b->open = true;
	om = b->fmt == PROM_OPENMETRICS;
	if (om) {
		put_str(b, "# TYPE ");
		put_str(b, name);
		put_str(b, " ");
		put_str(b, type_names[t]);
		put_str(b, "\n");
		if (unit && *unit) {
			put_str(b, "# UNIT ");
			put_str(b, name);
			put_str(b, " ");
			put_str(b, unit);
			put_str(b, "\n");
		}
	}
	if (help && *help) {
		put_str(b, "# HELP ");
		put_str(b, name);
		if (!om && t == PROM_COUNTER)
			put_str(b, "_total");
		put_str(b, " ");
		put_escaped(b, help, om);
		put_str(b, "\n");
	}
	if (!om) {
		put_str(b, "# TYPE ");
		put_str(b, name);
		put_str(b, t == PROM_COUNTER ? "_total " : " ");
		put_str(b, type_names[t]);
		put_str(b, "\n");
	}
}

struct labels {
	const char *key[PROM_MAX_LABELS], *value[PROM_MAX_LABELS];
	size_t n;
};

/* The key, value pairs of ap into l, checked; a mistake if they are not
 * valid for the current family */
static bool labels_get(struct prom_buf *b, va_list ap, struct labels *l)
{
	const char *k, *v;
	size_t i;

	l->n = 0;
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		if (!label_name_ok(k)) {
			mistake(b, "metric %s: label name \"%s\": not [a-zA-Z][a-zA-Z0-9_]*", b->name, k);
			return false;
		}
		if (!v) {
			mistake(b, "metric %s: label %s has no value (NULL)", b->name, k);
			return false;
		}
		if (b->type == PROM_HISTOGRAM && !strcmp(k, "le")) {
			mistake(b, "metric %s: a histogram's label may not be named le", b->name);
			return false;
		}
		for (i = 0; i < l->n; i++) {
			if (!strcmp(l->key[i], k)) {
				mistake(b, "metric %s: label %s twice", b->name, k);
				return false;
			}
		}
		if (l->n == PROM_MAX_LABELS) {
			mistake(b, "metric %s: more than %d labels", b->name, PROM_MAX_LABELS);
			return false;
		}
		l->key[l->n] = k;
		l->value[l->n++] = v;
	}
	return true;
}

/* "NAMEsuffix{labels,le="le"} value\n" (le may be NULL) */
static void put_line(struct prom_buf *b, const char *suffix, const struct labels *l, const char *le,
		     const char *value)
{
	size_t i;

	put_str(b, b->name);
	put_str(b, suffix);
	if (l->n || le) {
		put_str(b, "{");
		for (i = 0; i < l->n; i++) {
			put_str(b, i ? "," : "");
			put_str(b, l->key[i]);
			put_str(b, "=\"");
			put_escaped(b, l->value[i], true);
			put_str(b, "\"");
		}
		if (le) {
			put_str(b, l->n ? ",le=\"" : "le=\"");
			put_str(b, le);
			put_str(b, "\"");
		}
		put_str(b, "}");
	}
	put_str(b, " ");
	put_str(b, value);
	put_str(b, "\n");
}

/* Whether a sample of type t may go to the current family */
static bool sample_ok(struct prom_buf *b, bool histogram)
{
	if (!b->open) {
		if (!b->nnames)
			mistake(b, "a sample before any metric family");
		return false; /* else the family was refused: already said */
	}
	if (histogram != (b->type == PROM_HISTOGRAM)) {
		mistake(b, "metric %s: a %s, its samples go through %s", b->name, type_names[b->type],
			histogram ? "prom_sample" : "prom_histogram");
		return false;
	}
	return true;
}

void prom_sample(struct prom_buf *b, double value, ...)
{
	struct labels l;
	char v[40];
	va_list ap;
	bool ok;

	if (!b || !sample_ok(b, false))
		return;
	if (b->type == PROM_COUNTER && !(value >= 0)) {
		mistake(b, "metric %s: a counter's value %g is negative or NaN", b->name, value);
		return;
	}
	va_start(ap, value);
	ok = labels_get(b, ap, &l);
	va_end(ap);
	if (!ok)
		return;
	fmt_value(v, sizeof(v), value);
	put_line(b, b->type == PROM_COUNTER ? "_total" : "", &l, NULL, v);
}

/* Whether a histogram's bounds and counts are as prom_histogram asks */
static bool histogram_ok(struct prom_buf *b, const double *le, const unsigned long long *cum, size_t n,
			 double sum, unsigned long long count)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isfinite(le[i]) || (i && !(le[i] > le[i - 1]))) {
			mistake(b, "metric %s: bucket bound %g is not finite or not above the one before", b->name, le[i]);
			return false;
		}
		if ((i && cum[i] < cum[i - 1]) || cum[i] > count) {
			mistake(b, "metric %s: bucket counts are not cumulative (le %g: %llu, count %llu)", b->name, le[i],
				cum[i], count);
			return false;
		}
	}
	if (isnan(sum) || (sum < 0 && (!n || le[0] >= 0))) {
		mistake(b, "metric %s: sum %g is negative or NaN", b->name, sum);
		return false;
	}
	return true;
}

void prom_histogram(struct prom_buf *b, const double *le, const unsigned long long *cum, size_t n,
		    double sum, unsigned long long count, ...)
{
	char bound[40], v[40];
	struct labels l;
	va_list ap;
	size_t i;
	bool ok;

	if (!b || !sample_ok(b, true) || !histogram_ok(b, le, cum, n, sum, count))
		return;
	va_start(ap, count);
	ok = labels_get(b, ap, &l);
	va_end(ap);
	if (!ok)
		return;
	for (i = 0; i < n; i++) {
		fmt_le(bound, sizeof(bound), le[i], b->fmt);
		snprintf(v, sizeof(v), "%llu", cum[i]);
		put_line(b, "_bucket", &l, bound, v);
	}
	snprintf(v, sizeof(v), "%llu", count);
	put_line(b, "_bucket", &l, "+Inf", v);
	if (b->fmt == PROM_TEXT || !n || le[0] >= 0) {
		fmt_value(v, sizeof(v), sum);
		put_line(b, "_sum", &l, NULL, v);
	}
	snprintf(v, sizeof(v), "%llu", count);
	put_line(b, "_count", &l, NULL, v);
}

const char *prom_error(const struct prom_buf *b)
{
	return b && b->err[0] ? b->err : NULL;
}

char *prom_finish(struct prom_buf *b, size_t *len)
{
	char *s;
	size_t i;

	if (!b)
		return NULL;
	if (b->fmt == PROM_OPENMETRICS)
		put_str(b, "# EOF\n");
	if (!b->s)
		put(b, "", 0);
	s = b->nomem ? NULL : b->s;
	if (len)
		*len = s ? b->len : 0;
	if (!s)
		free(b->s);
	for (i = 0; i < b->nnames; i++)
		free(b->names[i]);
	free(b->names);
	free(b);
	return s;
}
