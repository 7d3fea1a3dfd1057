// SPDX-License-Identifier: GPL-2.0
/* CPU and node lists: parse, format, set operations (cpulist.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "tune/cpulist.h"

#define WORDS (CPULIST_MAX / 64)

void cpulist_clear(struct cpulist *s)
{
	memset(s, 0, sizeof(*s));
}

void cpulist_set(struct cpulist *s, int cpu)
{
	if (cpu >= 0 && cpu < CPULIST_MAX)
		s->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

bool cpulist_has(const struct cpulist *s, int cpu)
{
	return cpu >= 0 && cpu < CPULIST_MAX && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

int cpulist_count(const struct cpulist *s)
{
	int i, n = 0;

	for (i = 0; i < WORDS; i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

bool cpulist_equal(const struct cpulist *a, const struct cpulist *b)
{
	return !memcmp(a->bits, b->bits, sizeof(a->bits));
}

void cpulist_minus(struct cpulist *out, const struct cpulist *a, const struct cpulist *b)
{
	int i;

	for (i = 0; i < WORDS; i++)
		out->bits[i] = a->bits[i] & ~b->bits[i];
}

void cpulist_and(struct cpulist *out, const struct cpulist *a, const struct cpulist *b)
{
	int i;

	for (i = 0; i < WORDS; i++)
		out->bits[i] = a->bits[i] & b->bits[i];
}

bool cpulist_subset(const struct cpulist *a, const struct cpulist *b)
{
	int i;

	for (i = 0; i < WORDS; i++)
		if (a->bits[i] & ~b->bits[i])
			return false;
	return true;
}

/* A decimal number below CPULIST_MAX at *p; -1 when there is none. */
static int number(const char **p)
{
	long v = 0;

	if (!isdigit((unsigned char)**p))
		return -1;
	while (isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		if (v >= CPULIST_MAX)
			return -1;
		(*p)++;
	}
	return (int)v;
}

static void skip_blanks(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n')
		(*p)++;
}

int cpulist_parse(const char *s, struct cpulist *out)
{
	const char *p = s;
	int a, b, i;

	cpulist_clear(out);
	skip_blanks(&p);
	if (!*p)
		return 0;
	for (;;) {
		skip_blanks(&p);
		a = number(&p);
		if (a < 0)
			return -1;
		b = a;
		if (*p == '-') {
			p++;
			b = number(&p);
			if (b < a)
				return -1;
		}
		for (i = a; i <= b; i++)
			cpulist_set(out, i);
		skip_blanks(&p);
		if (!*p)
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

int cpulist_format(const struct cpulist *s, char *out, size_t len)
{
	size_t used = 0;
	int i = 0, j, n;

	if (!len)
		return -1;
	out[0] = 0;
	while (i < CPULIST_MAX) {
		if (!cpulist_has(s, i)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < CPULIST_MAX && cpulist_has(s, j + 1); j++)
			;
		if (j > i)
			n = snprintf(out + used, len - used, "%s%d-%d", used ? "," : "", i, j);
		else
			n = snprintf(out + used, len - used, "%s%d", used ? "," : "", i);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
		i = j + 1;
	}
	return 0;
}

bool cpulist_text_equal(const char *a, const char *b)
{
	struct cpulist x, y;

	return !cpulist_parse(a, &x) && !cpulist_parse(b, &y) && cpulist_equal(&x, &y);
}
