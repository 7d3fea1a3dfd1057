// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "folded.h"
#include "stackset.h"

static int put(char *buf, size_t len, size_t *pos, const char *s)
{
	if (!*s)
		s = "[unknown]";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (*pos + 1 >= len)
			return -1;
		buf[(*pos)++] = (c == ';' || c < 0x20 || c == 0x7f) ? '_' : (char)c;
	}
	buf[*pos] = '\0';
	return 0;
}

int folded_stack(char *buf, size_t len, const char *comm, const char *const *frames, size_t n)
{
	size_t pos = 0, i;

	if (!len)
		return -1;
	buf[0] = '\0';
	if (put(buf, len, &pos, comm))
		return -1;
	for (i = 0; i < n; i++) {
		if (pos + 1 >= len)
			return -1;
		buf[pos++] = ';';
		buf[pos] = '\0';
		if (put(buf, len, &pos, frames[i]))
			return -1;
	}
	return (int)pos;
}

int folded_add(struct folded *f, const char *stack, uint64_t count)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		struct folded_entry *e = realloc(f->e, cap * sizeof(*e));

		if (!e)
			return -1;
		f->e = e;
		f->cap = cap;
	}
	f->e[f->n].stack = strdup(stack);
	if (!f->e[f->n].stack)
		return -1;
	f->e[f->n++].count = count;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct folded_entry *)a)->stack, ((const struct folded_entry *)b)->stack);
}

void folded_sort(struct folded *f)
{
	size_t i, out = 0;

	if (!f->n)
		return;
	qsort(f->e, f->n, sizeof(*f->e), cmp_entry);
	for (i = 1; i < f->n; i++) {
		if (!strcmp(f->e[i].stack, f->e[out].stack)) {
			f->e[out].count += f->e[i].count;
			free(f->e[i].stack);
		} else {
			f->e[++out] = f->e[i];
		}
	}
	f->n = out + 1;
}

int folded_write(const struct folded *f, FILE *out)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (fprintf(out, "%s %" PRIu64 "\n", f->e[i].stack, f->e[i].count) < 0)
			return -1;
	return fflush(out) ? -1 : 0;
}

void folded_free(struct folded *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->e[i].stack);
	free(f->e);
	memset(f, 0, sizeof(*f));
}

int folded_from_stackset(const struct stackset *ss, struct folded *out)
{
	static char names[2 * PP_FOLDED_MAX_FRAMES][FOLDED_NAME_LEN];
	static const char *frames[2 * PP_FOLDED_MAX_FRAMES];
	static char line[2 * PP_FOLDED_MAX_FRAMES * FOLDED_NAME_LEN + 64];
	size_t i, j, n;

	for (i = 0; i < ss->nstacks; i++) {
		const struct ss_stack *st = &ss->stacks[i];

		n = st->n < 2 * PP_FOLDED_MAX_FRAMES ? st->n : 2 * PP_FOLDED_MAX_FRAMES;
		for (j = 0; j < n; j++) {
			ss_frame_label(&ss->frames[st->frames[j]], names[j], FOLDED_NAME_LEN);
			frames[j] = names[j];
		}
		if (folded_stack(line, sizeof(line), st->comm, frames, n) < 0 ||
		    folded_add(out, line, ss_weight(ss, st)))
			return -1;
	}
	folded_sort(out);
	return 0;
}
