// SPDX-License-Identifier: GPL-2.0
/* A symbolized profile in memory (see stackset.h). */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "profile/stackset.h"
#include "profile/strhash.h"

#define FTAB_EMPTY UINT32_MAX

void ss_init(struct stackset *s, enum ss_kind kind, unsigned int hz)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->hz = hz;
	s->period_ns = hz ? 1000000000ull / hz : 0;
}

static uint64_t hash_str(uint64_t h, const char *p)
{
	/* FNV-1a, then a separator byte */
	return (fnv1a(h, p) ^ 0xff) * 0x100000001b3ull;
}

static uint64_t frame_hash(const char *name, const char *module, bool kernel)
{
	return hash_str(hash_str(FNV1A_INIT ^ kernel, name), module);
}

static bool same_str(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int ftab_grow(struct stackset *s)
{
	size_t size = s->ftabsize ? s->ftabsize * 2 : 1024, i;
	uint32_t *t = malloc(size * sizeof(*t));

	if (!t)
		return -1;
	for (i = 0; i < size; i++)
		t[i] = FTAB_EMPTY;
	for (i = 0; i < s->nframes; i++) {
		const struct ss_frame *f = &s->frames[i];
		size_t h = frame_hash(f->name, f->module, f->kernel) & (size - 1);

		while (t[h] != FTAB_EMPTY)
			h = (h + 1) & (size - 1);
		t[h] = (uint32_t)i;
	}
	free(s->ftab);
	s->ftab = t;
	s->ftabsize = size;
	return 0;
}

static char *dup_or_null(const char *p, bool *failed)
{
	char *d;

	if (!p)
		return NULL;
	d = strdup(p);
	if (!d)
		*failed = true;
	return d;
}

int64_t ss_frame(struct stackset *s, const char *name, const char *module, const char *build_id,
		 uint64_t addr, uint64_t offset, bool kernel)
{
	struct ss_frame *f;
	bool failed = false;
	size_t h;

	if (!name || !*name)
		name = "[unknown]";
	if ((s->nframes + 1) * 2 > s->ftabsize && ftab_grow(s))
		return -1;
	h = frame_hash(name, module, kernel) & (s->ftabsize - 1);
	for (; s->ftab[h] != FTAB_EMPTY; h = (h + 1) & (s->ftabsize - 1)) {
		f = &s->frames[s->ftab[h]];
		if (f->kernel == kernel && !strcmp(f->name, name) && same_str(f->module, module))
			return s->ftab[h];
	}
	if (s->nframes == s->capframes) {
		size_t cap = s->capframes ? s->capframes * 2 : 1024;
		struct ss_frame *n = realloc(s->frames, cap * sizeof(*n));

		if (!n)
			return -1;
		s->frames = n;
		s->capframes = cap;
	}
	f = &s->frames[s->nframes];
	memset(f, 0, sizeof(*f));
	f->name = dup_or_null(name, &failed);
	f->module = dup_or_null(module, &failed);
	f->build_id = dup_or_null(build_id, &failed);
	f->addr = addr;
	f->offset = offset;
	f->kernel = kernel;
	if (failed) {
		free(f->name);
		free(f->module);
		free(f->build_id);
		return -1;
	}
	s->ftab[h] = (uint32_t)s->nframes;
	return (int64_t)s->nframes++;
}

int ss_add(struct stackset *s, uint32_t pid, const char *comm, const uint32_t *frames, uint32_t n,
	   uint64_t count, uint64_t value_ns)
{
	struct ss_stack *st;

	if (s->nstacks == s->capstacks) {
		size_t cap = s->capstacks ? s->capstacks * 2 : 256;
		struct ss_stack *ns = realloc(s->stacks, cap * sizeof(*ns));

		if (!ns)
			return -1;
		s->stacks = ns;
		s->capstacks = cap;
	}
	st = &s->stacks[s->nstacks];
	memset(st, 0, sizeof(*st));
	if (n) {
		st->frames = malloc(n * sizeof(*frames));
		if (!st->frames)
			return -1;
		memcpy(st->frames, frames, n * sizeof(*frames));
	}
	st->n = n;
	st->pid = pid;
	snprintf(st->comm, sizeof(st->comm), "%s", comm ? comm : "");
	st->count = count;
	st->value_ns = value_ns;
	s->nstacks++;
	return 0;
}

void ss_totals(const struct stackset *s, uint64_t *count, uint64_t *value_ns)
{
	uint64_t c = 0, v = 0;
	size_t i;

	for (i = 0; i < s->nstacks; i++) {
		c += s->stacks[i].count;
		v += s->stacks[i].value_ns;
	}
	if (count)
		*count = c;
	if (value_ns)
		*value_ns = v;
}

uint64_t ss_weight(const struct stackset *s, const struct ss_stack *st)
{
	return s->kind == SS_OFFCPU ? st->value_ns / 1000 : st->count;
}

void ss_frame_label(const struct ss_frame *f, char *buf, size_t len)
{
	const char *base = f->module ? strrchr(f->module, '/') : NULL;

	base = base ? base + 1 : f->module;
	/* an unnamed frame says where it is, when that is known */
	if (!strcmp(f->name, "[unknown]") && base && *base && !f->kernel)
		snprintf(buf, len, "[unknown] (%s)", base);
	else
		snprintf(buf, len, "%s%s", f->name, f->kernel ? "_[k]" : "");
}

void ss_free(struct stackset *s)
{
	size_t i;

	for (i = 0; i < s->nframes; i++) {
		free(s->frames[i].name);
		free(s->frames[i].module);
		free(s->frames[i].build_id);
	}
	for (i = 0; i < s->nstacks; i++)
		free(s->stacks[i].frames);
	free(s->frames);
	free(s->stacks);
	free(s->ftab);
	memset(s, 0, sizeof(*s));
}
