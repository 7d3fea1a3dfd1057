// SPDX-License-Identifier: GPL-2.0
/* JIT perf map files (see perfmap.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/perfmap.h"

/* A hex number with an optional 0x; the end of it in *end. -1 if none. */
static int hex_field(const char *s, uint64_t *v, const char **end)
{
	uint64_t x = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; isxdigit((unsigned char)*s); s++, digits++) {
		if (digits == 16)
			return -1; /* more than 64 bits */
		x = x << 4 | (uint64_t)(isdigit((unsigned char)*s) ? *s - '0'
								: tolower((unsigned char)*s) - 'a' + 10);
	}
	if (!digits)
		return -1;
	*v = x;
	*end = s;
	return 0;
}

int perfmap_parse_line(const char *line, uint64_t *start, uint64_t *size, char *name,
		       size_t len)
{
	const char *p = line, *q;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '\n' || *p == '\r')
		return 1;
	if (hex_field(p, start, &q) || (*q != ' ' && *q != '\t'))
		return -1;
	for (p = q; *p == ' ' || *p == '\t'; p++)
		;
	if (hex_field(p, size, &q) || (*q != ' ' && *q != '\t') || !*size ||
	    *start + *size < *start)
		return -1;
	for (p = q; *p == ' ' || *p == '\t'; p++)
		;
	n = strcspn(p, "\r\n");
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (!n || !len)
		return -1;
	if (n >= len)
		n = len - 1;
	memcpy(name, p, n);
	name[n] = '\0';
	return 0;
}

/* By start, then line: among equal starts the last line comes last. */
static int cmp_sym(const void *a, const void *b)
{
	const struct perfmap_sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

int perfmap_load(struct perfmap *m, FILE *f)
{
	char line[PERFMAP_NAME_MAX + 64], name[PERFMAP_NAME_MAX];
	size_t cap = 0, lineno = 0, i, j;
	uint64_t start, size;
	int rc;

	memset(m, 0, sizeof(*m));
	while (fgets(line, sizeof(line), f)) {
		size_t l = strlen(line);

		lineno++;
		if (l == sizeof(line) - 1 && line[l - 1] != '\n') { /* overlong: skip the rest */
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		}
		rc = perfmap_parse_line(line, &start, &size, name, sizeof(name));
		if (rc > 0)
			continue;
		if (rc < 0) {
			m->malformed++;
			continue;
		}
		if (m->n == cap) {
			struct perfmap_sym *ns;

			cap = cap ? 2 * cap : 64;
			ns = realloc(m->syms, cap * sizeof(*ns));
			if (!ns)
				goto nomem;
			m->syms = ns;
		}
		m->syms[m->n] = (struct perfmap_sym){ start, size, lineno, strdup(name) };
		if (!m->syms[m->n].name)
			goto nomem;
		m->n++;
	}
	if (!m->n)
		return 0;
	qsort(m->syms, m->n, sizeof(*m->syms), cmp_sym);
	for (i = 0, j = 0; i < m->n; i++) {
		if (i + 1 < m->n && m->syms[i + 1].start == m->syms[i].start) {
			free(m->syms[i].name); /* replaced by a later line */
			continue;
		}
		m->syms[j++] = m->syms[i];
	}
	m->n = j;
	return 0;
nomem:
	perfmap_free(m);
	return -1;
}

const struct perfmap_sym *perfmap_find(const struct perfmap *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) { /* the first entry starting above addr */
		size_t mid = lo + (hi - lo) / 2;

		if (m->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr - m->syms[lo - 1].start >= m->syms[lo - 1].size)
		return NULL;
	return &m->syms[lo - 1];
}

void perfmap_free(struct perfmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->syms[i].name);
	free(m->syms);
	memset(m, 0, sizeof(*m));
}
