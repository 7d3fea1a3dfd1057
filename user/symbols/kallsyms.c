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

/* A symbol while loading: before the sort and the segments. */
struct ksym_wide {
	uint64_t addr;
	uint32_t name;
	uint32_t module;
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym_wide *x = a, *y = b;

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

/*
 * The sorted symbols w[0..n) into k's 8-byte entries and their segments: a
 * new segment where the module changes or the address is 4 GiB or more
 * above the segment's base. 0, or -1 on no memory.
 */
static int compact(struct ksyms *k, const struct ksym_wide *w, size_t n)
{
	size_t i, nsegs = 0, capsegs = 16;

	k->syms = malloc(n * sizeof(*k->syms));
	k->segs = malloc(capsegs * sizeof(*k->segs));
	if (!k->syms || !k->segs)
		return -1;
	for (i = 0; i < n; i++) {
		struct kseg *g = nsegs ? &k->segs[nsegs - 1] : NULL;

		if (!g || g->module != w[i].module || w[i].addr - g->base > UINT32_MAX) {
			if (nsegs == capsegs) {
				struct kseg *t = realloc(k->segs, 2 * capsegs * sizeof(*t));

				if (!t)
					return -1;
				k->segs = t;
				capsegs *= 2;
			}
			g = &k->segs[nsegs++];
			g->base = w[i].addr;
			g->first = (uint32_t)i;
			g->module = w[i].module;
		}
		k->syms[i].off = (uint32_t)(w[i].addr - g->base);
		k->syms[i].name = w[i].name;
	}
	k->n = n;
	k->nsegs = nsegs;
	if (nsegs < capsegs) { /* what the doubling left over */
		struct kseg *t = realloc(k->segs, nsegs * sizeof(*t));

		if (t)
			k->segs = t;
	}
	return 0;
}

int ksyms_load(struct ksyms *k, FILE *f)
{
	int64_t module = -1; /* the last module kept: its symbols come together */
	int64_t pfx = -1;    /* the "__pfx_" name on the line before, if any */
	uint32_t pfx_mod = KSYM_NO_MODULE;
	struct ksym_wide *w = NULL;
	size_t n = 0, cap = 0;
	char line[512];

	memset(k, 0, sizeof(*k));
	while (fgets(line, sizeof(line), f)) {
		uint64_t addr;
		char *name, *mod;
		int64_t at;

		if (!ksyms_parse_line(line, &addr, &name, &mod))
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 4096;
			struct ksym_wide *t = realloc(w, c * sizeof(*t));

			if (!t)
				goto nomem;
			w = t;
			cap = c;
		}
		if (mod && (module < 0 || strcmp(k->text + module, mod)) &&
		    (module = add_text(k, mod)) < 0)
			goto nomem;
		if ((at = name_text(k, name, mod ? (uint32_t)module : KSYM_NO_MODULE, pfx, pfx_mod)) < 0)
			goto nomem;
		w[n].addr = addr;
		w[n].name = (uint32_t)at;
		w[n].module = mod ? (uint32_t)module : KSYM_NO_MODULE;
		pfx = strncmp(name, PFX, PFX_LEN) ? -1 : at;
		pfx_mod = w[n].module;
		n++;
	}
	if (n) {
		qsort(w, n, sizeof(*w), cmp_ksym);
		if (compact(k, w, n))
			goto nomem;
	}
	free(w);
	if (k->len) {
		char *t = realloc(k->text, k->len);

		if (t) {
			k->text = t;
			k->captext = k->len;
		}
	}
	return 0;
nomem:
	free(w);
	ksyms_free(k);
	return -1;
}

/* The segment of syms[i]: the last whose first is at or below i. */
static const struct kseg *seg_of(const struct ksyms *k, size_t i)
{
	size_t lo = 0, hi = k->nsegs;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->segs[mid].first <= i)
			lo = mid;
		else
			hi = mid;
	}
	return &k->segs[lo];
}

uint64_t ksym_addr(const struct ksyms *k, const struct ksym *s)
{
	return seg_of(k, (size_t)(s - k->syms))->base + s->off;
}

const char *ksym_module(const struct ksyms *k, const struct ksym *s)
{
	uint32_t m = seg_of(k, (size_t)(s - k->syms))->module;

	return m == KSYM_NO_MODULE ? NULL : k->text + m;
}

const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi = k->nsegs, end;
	const struct kseg *g;
	uint64_t off;

	if (!k->n || addr < k->segs[0].base)
		return NULL;
	while (hi - lo > 1) { /* segs[lo].base <= addr < segs[hi].base */
		size_t mid = lo + (hi - lo) / 2;

		if (k->segs[mid].base <= addr)
			lo = mid;
		else
			hi = mid;
	}
	g = &k->segs[lo];
	end = lo + 1 < k->nsegs ? k->segs[lo + 1].first : k->n;
	/* the nearest at or below: beyond the segment's last symbol, that one */
	off = addr - g->base;
	lo = g->first;
	hi = end;
	while (hi - lo > 1) { /* syms[lo].off <= off < syms[hi].off */
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].off <= off)
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
	free(k->segs);
	memset(k, 0, sizeof(*k));
}
