// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "formats/folded.h"
#include "profile/stackset.h"

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

/* One line (len bytes, no newline) into f: 1 if it is malformed, 0 if it
 * was added or is empty, -1 on no memory. */
/* The count of a "stack count" line of len bytes (no newline): 0 with it
 * in *c and the stack's length in *stack_len (an empty line: a count of
 * 0), 1 when the line is malformed. */
static int line_count(const char *p, size_t len, uint64_t *c, size_t *stack_len)
{
	const char *sp, *d;

	*c = 0;
	if (len && p[len - 1] == '\r')
		len--;
	if (!len)
		return 0;
	sp = memrchr(p, ' ', len);
	if (!sp || sp == p || sp + 1 == p + len)
		return 1;
	for (d = sp + 1; d < p + len; d++) {
		if (*d < '0' || *d > '9' || *c > (UINT64_MAX - (uint64_t)(*d - '0')) / 10)
			return 1;
		*c = *c * 10 + (uint64_t)(*d - '0');
	}
	*stack_len = (size_t)(sp - p);
	return 0;
}

static int parse_line(const char *p, size_t len, struct folded *f)
{
	uint64_t c;
	size_t n = 0;
	char *stack;
	int rc;

	if (line_count(p, len, &c, &n))
		return 1;
	if (!c)
		return 0;
	if (!(stack = strndup(p, n)))
		return -1;
	rc = folded_add(f, stack, c);
	free(stack);
	return rc;
}

uint64_t folded_total(const char *text, size_t *bad)
{
	const char *p = text;
	uint64_t total = 0, c;
	size_t nbad = 0, n;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (line_count(p, len, &c, &n))
			nbad++;
		else
			total += c;
		p = eol ? eol + 1 : NULL;
	}
	if (bad)
		*bad = nbad;
	return total;
}

int folded_parse(const char *text, struct folded *f, size_t *bad)
{
	const char *p = text;
	size_t nbad = 0;

	memset(f, 0, sizeof(*f));
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		int rc = parse_line(p, len, f);

		if (rc < 0) {
			folded_free(f);
			return -1;
		}
		nbad += (size_t)rc;
		p = eol ? eol + 1 : NULL;
	}
	folded_sort(f);
	if (bad)
		*bad = nbad;
	return 0;
}

char *folded_diff(const struct folded *a, const struct folded *b)
{
	char *buf = NULL;
	size_t len = 0, i = 0, k = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return NULL;
	/* both are sorted by stack: merge them */
	while (i < a->n || k < b->n) {
		int cmp = i >= a->n ? 1 : k >= b->n ? -1 : strcmp(a->e[i].stack, b->e[k].stack);

		if (cmp < 0) {
			fprintf(out, "%s %" PRIu64 " 0\n", a->e[i].stack, a->e[i].count);
			i++;
		} else if (cmp > 0) {
			fprintf(out, "%s 0 %" PRIu64 "\n", b->e[k].stack, b->e[k].count);
			k++;
		} else {
			fprintf(out, "%s %" PRIu64 " %" PRIu64 "\n", a->e[i].stack, a->e[i].count,
				b->e[k].count);
			i++;
			k++;
		}
	}
	if (fclose(out)) {
		free(buf);
		return NULL;
	}
	return buf;
}
