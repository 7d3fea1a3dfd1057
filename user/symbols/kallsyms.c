// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "symbols/kallsyms.h"
#include "symbols/strpool.h"

int ksyms_parse_line(char *line, uint64_t *addr, char **name, char **module)
{
	char *save = NULL, *a, *type, *n, *m, *end;

	a = strtok_r(line, " \t\n", &save);
	type = strtok_r(NULL, " \t\n", &save);
	n = strtok_r(NULL, " \t\n", &save);
	m = strtok_r(NULL, " \t\n", &save);
	if (!a || !type || !n || type[1])
		return 0;
	if (!strchr("tTwW", type[0]))
		return 0;
	*addr = strtoull(a, &end, 16);
	if (*end || end == a || !*addr)
		return 0;
	*name = n;
	*module = NULL;
	if (m && m[0] == '[' && m[strlen(m) - 1] == ']') {
		m[strlen(m) - 1] = '\0';
		*module = m + 1;
	}
	return 1;
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int ksyms_load(struct ksyms *k, FILE *f)
{
	char *module = NULL; /* the last module kept: its symbols come together */
	char line[512];

	memset(k, 0, sizeof(*k));
	while (fgets(line, sizeof(line), f)) {
		uint64_t addr;
		char *name, *mod;

		if (!ksyms_parse_line(line, &addr, &name, &mod))
			continue;
		if (k->n == k->cap) {
			size_t cap = k->cap ? k->cap * 2 : 4096;
			struct ksym *s = realloc(k->syms, cap * sizeof(*s));

			if (!s)
				return -1;
			k->syms = s;
			k->cap = cap;
		}
		if (mod && (!module || strcmp(module, mod)) && !(module = strpool_add(&k->names, mod)))
			return -1;
		k->syms[k->n].addr = addr;
		k->syms[k->n].name = strpool_add(&k->names, name);
		k->syms[k->n].module = mod ? module : NULL;
		if (!k->syms[k->n].name)
			return -1;
		k->n++;
	}
	if (k->n) {
		struct ksym *s = realloc(k->syms, k->n * sizeof(*s)); /* what the doubling left over */

		if (s) {
			k->syms = s;
			k->cap = k->n;
		}
		qsort(k->syms, k->n, sizeof(*k->syms), cmp_ksym);
	}
	return 0;
}

const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi = k->n;

	if (!k->n || addr < k->syms[0].addr)
		return NULL;
	while (hi - lo > 1) { /* syms[lo].addr <= addr < syms[hi].addr */
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return &k->syms[lo];
}

void ksyms_free(struct ksyms *k)
{
	strpool_free(&k->names);
	free(k->syms);
	memset(k, 0, sizeof(*k));
}
