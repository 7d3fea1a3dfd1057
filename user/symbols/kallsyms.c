// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "symbols/kallsyms.h"

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

/* Append s to k's text; its offset, or -1 on no memory (or 4 GiB of text). */
static int64_t add_text(struct ksyms *k, const char *s)
{
	size_t len = strlen(s) + 1, at = k->len;

	if (k->len + len > UINT32_MAX - 1)
		return -1;
	if (k->len + len > k->captext) {
		size_t cap = k->captext ? 2 * k->captext : 64 * 1024;
		char *t;

		while (cap < k->len + len)
			cap *= 2;
		if (!(t = realloc(k->text, cap)))
			return -1;
		k->text = t;
		k->captext = cap;
	}
	memcpy(k->text + at, s, len);
	k->len += len;
	return (int64_t)at;
}

#define PFX "__pfx_"
#define PFX_LEN (sizeof(PFX) - 1)

/*
 * The offset of name in k's text: added, or the tail of the "__pfx_NAME"
 * added just before (pfx, -1 if none) in the same module. Kernels built with
 * function padding (x86, 6.2+) list a "__pfx_" symbol for the padding just
 * before each function: nearly half the text symbols, whose names are the
 * function's with six more bytes. Sharing the text saves 1.3 MB of a
 * 6.18 kernel's 3.1 MB of names.
 */
static int64_t name_text(struct ksyms *k, const char *name, uint32_t mod, int64_t pfx,
			 uint32_t pfx_mod)
{
	if (pfx >= 0 && pfx_mod == mod && !strcmp(k->text + pfx + PFX_LEN, name))
		return pfx + (int64_t)PFX_LEN;
	return add_text(k, name);
}

int ksyms_load(struct ksyms *k, FILE *f)
{
	int64_t module = -1; /* the last module kept: its symbols come together */
	int64_t pfx = -1;    /* the "__pfx_" name on the line before, if any */
	uint32_t pfx_mod = KSYM_NO_MODULE;
	char line[512];

	memset(k, 0, sizeof(*k));
	while (fgets(line, sizeof(line), f)) {
		uint64_t addr;
		char *name, *mod;
		int64_t at;

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
		if (mod && (module < 0 || strcmp(k->text + module, mod)) &&
		    (module = add_text(k, mod)) < 0)
			return -1;
		if ((at = name_text(k, name, mod ? (uint32_t)module : KSYM_NO_MODULE, pfx, pfx_mod)) < 0)
			return -1;
		k->syms[k->n].addr = addr;
		k->syms[k->n].name = (uint32_t)at;
		k->syms[k->n].module = mod ? (uint32_t)module : KSYM_NO_MODULE;
		pfx = strncmp(name, PFX, PFX_LEN) ? -1 : at;
		pfx_mod = k->syms[k->n].module;
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
	if (k->len) {
		char *t = realloc(k->text, k->len);

		if (t) {
			k->text = t;
			k->captext = k->len;
		}
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
	free(k->text);
	free(k->syms);
	memset(k, 0, sizeof(*k));
}
