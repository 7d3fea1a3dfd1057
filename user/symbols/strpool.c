// SPDX-License-Identifier: GPL-2.0
/* Strings in chunks of text (strpool.h). */
#include <stdlib.h>
#include <string.h>
#include "symbols/strpool.h"

/* A pool's chunks grow with what it holds, from a small file's few names to
 * 64 KiB at a time for tens of thousands */
#define CHUNK_MIN 1024
#define CHUNK_MAX (64 * 1024)

struct strpool_chunk {
	struct strpool_chunk *next;
	size_t size, used;
	char text[];
};

char *strpool_addn(struct strpool *p, const char *s, size_t len)
{
	struct strpool_chunk *c = p->chunks;
	char *out;

	if (!c || c->size - c->used < len + 1) {
		size_t size = p->bytes < CHUNK_MIN ? CHUNK_MIN : p->bytes;

		if (size > CHUNK_MAX)
			size = CHUNK_MAX;
		if (size < len + 1)
			size = len + 1; /* a name longer than a chunk has one of its own */
		if (!(c = malloc(sizeof(*c) + size)))
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = p->chunks;
		p->chunks = c;
		p->bytes += size;
	}
	out = c->text + c->used;
	memcpy(out, s, len);
	out[len] = '\0';
	c->used += len + 1;
	return out;
}

char *strpool_add(struct strpool *p, const char *s)
{
	return strpool_addn(p, s, strlen(s));
}

void strpool_free(struct strpool *p)
{
	while (p->chunks) {
		struct strpool_chunk *c = p->chunks;

		p->chunks = c->next;
		free(c);
	}
	p->bytes = 0;
}
