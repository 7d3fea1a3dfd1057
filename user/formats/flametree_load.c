// SPDX-License-Identifier: GPL-2.0
/* Flame graph trees from profiles: a stack set, folded stacks (see
 * flametree.h). */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include "formats/flametree.h"
#include "formats/folded.h"
#include "profile/stackset.h"

enum ft_kind ft_frame_kind(const struct ss_frame *f)
{
	const char *base;

	if (f->kernel)
		return FT_KERNEL;
	if (!strcmp(f->name, "[unknown]"))
		return FT_UNKNOWN;
	if (f->module) {
		base = strrchr(f->module, '/');
		base = base ? base + 1 : f->module;
		if (!strcmp(base, "[jit]") || !fnmatch("perf-*.map", base, 0))
			return FT_JIT;
	}
	return FT_USER;
}

int ft_from_stackset(struct flametree *t, const struct stackset *ss)
{
	const char **names = NULL;
	uint8_t *kinds = NULL;
	char *labels = NULL;
	size_t cap = 0, i, j;
	int rc = -1;
	enum { LABEL = 512 };

	for (i = 0; i < ss->nstacks; i++) {
		const struct ss_stack *st = &ss->stacks[i];

		if (st->n + 1 > cap) {
			cap = st->n + 1;
			free(names);
			free(kinds);
			free(labels);
			names = malloc(cap * sizeof(*names));
			kinds = malloc(cap);
			labels = malloc(cap * LABEL);
			if (!names || !kinds || !labels)
				goto out;
		}
		names[0] = *st->comm ? st->comm : "[unknown]";
		kinds[0] = FT_COMM;
		for (j = 0; j < st->n; j++) {
			const struct ss_frame *f = &ss->frames[st->frames[j]];

			ss_frame_label(f, labels + j * LABEL, LABEL);
			names[j + 1] = labels + j * LABEL;
			kinds[j + 1] = (uint8_t)ft_frame_kind(f);
		}
		if (ft_add(t, names, kinds, st->n + 1, ss_weight(ss, st)))
			goto out;
	}
	rc = ft_finish(t);
out:
	free(names);
	free(kinds);
	free(labels);
	return rc;
}

enum ft_kind ft_label_kind(const char *label)
{
	size_t n = strlen(label);

	if (n > 4 && !strcmp(label + n - 4, "_[k]"))
		return FT_KERNEL;
	if (!strcmp(label, "[unknown]") || !strncmp(label, "[unknown] (", 11))
		return FT_UNKNOWN;
	return FT_USER;
}

struct split {
	char *buf;          /* the stack, its ';' made NULs */
	const char **names;
	uint8_t *kinds;
	size_t cap;         /* of names and kinds */
};

/* Split a folded stack into frames, root first; -1 on no memory. */
static int64_t split(struct split *s, const char *stack)
{
	size_t n = 1, i;
	char *p;

	free(s->buf);
	if (!(s->buf = strdup(stack)))
		return -1;
	for (p = s->buf; *p; p++)
		n += *p == ';';
	if (n > s->cap) {
		const char **names = realloc(s->names, n * sizeof(*names));
		uint8_t *kinds;

		if (!names)
			return -1;
		s->names = names;
		if (!(kinds = realloc(s->kinds, n)))
			return -1;
		s->kinds = kinds;
		s->cap = n;
	}
	for (i = 0, p = s->buf; i < n; i++) {
		char *semi = strchr(p, ';');

		if (semi)
			*semi = '\0';
		s->names[i] = *p ? p : "[unknown]";
		s->kinds[i] = i ? (uint8_t)ft_label_kind(s->names[i]) : FT_COMM;
		p = semi ? semi + 1 : p + strlen(p);
	}
	return (int64_t)n;
}

static int add_folded(struct flametree *t, struct split *s, const struct folded *f, bool baseline)
{
	size_t i;
	int64_t n;

	for (i = 0; i < f->n; i++) {
		if ((n = split(s, f->e[i].stack)) < 0)
			return -1;
		if ((baseline ? ft_add_baseline : ft_add)(t, s->names, s->kinds, (size_t)n,
							  f->e[i].count))
			return -1;
	}
	return 0;
}

int ft_from_folded(struct flametree *t, const struct folded *cur, const struct folded *base)
{
	struct split s = {0};
	int rc = -1;

	if (!add_folded(t, &s, cur, false) && (!base || !add_folded(t, &s, base, true)))
		rc = ft_finish(t);
	free(s.buf);
	free(s.names);
	free(s.kinds);
	return rc;
}
