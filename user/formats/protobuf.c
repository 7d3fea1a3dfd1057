// SPDX-License-Identifier: GPL-2.0
/* A minimal protocol buffers encoder (see protobuf.h). */
#include <stdlib.h>
#include <string.h>
#include "formats/protobuf.h"

static bool reserve(struct pb *b, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (b->err)
		return false;
	if (b->n + more <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->n + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->err = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

size_t pb_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p = (uint8_t)v;
}

void pb_varint(struct pb *b, uint64_t v)
{
	size_t len = pb_varint_len(v);

	if (!reserve(b, len))
		return;
	put_varint(b->p + b->n, v);
	b->n += len;
}

void pb_key(struct pb *b, uint32_t field, enum pb_wire wire)
{
	pb_varint(b, (uint64_t)field << 3 | wire);
}

void pb_uint(struct pb *b, uint32_t field, uint64_t v)
{
	pb_key(b, field, PB_VARINT);
	pb_varint(b, v);
}

void pb_bytes(struct pb *b, uint32_t field, const void *data, size_t len)
{
	pb_key(b, field, PB_LEN);
	pb_varint(b, len);
	if (!len || !reserve(b, len))
		return;
	memcpy(b->p + b->n, data, len);
	b->n += len;
}

void pb_string(struct pb *b, uint32_t field, const char *s)
{
	pb_bytes(b, field, s, s ? strlen(s) : 0);
}

void pb_packed(struct pb *b, uint32_t field, const uint64_t *v, size_t n)
{
	size_t len = 0, i;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		len += pb_varint_len(v[i]);
	pb_key(b, field, PB_LEN);
	pb_varint(b, len);
	if (!reserve(b, len))
		return;
	for (i = 0; i < n; i++) {
		put_varint(b->p + b->n, v[i]);
		b->n += pb_varint_len(v[i]);
	}
}

/* The length prefix is written at pb_end, when the length is known: the
 * content is written first and moved up by the prefix's size. */
size_t pb_begin(struct pb *b, uint32_t field)
{
	pb_key(b, field, PB_LEN);
	return b->n;
}

void pb_end(struct pb *b, size_t mark)
{
	size_t len, plen;

	if (b->err)
		return;
	len = b->n - mark;
	plen = pb_varint_len(len);
	if (!reserve(b, plen))
		return;
	memmove(b->p + mark + plen, b->p + mark, len);
	put_varint(b->p + mark, len);
	b->n += plen;
}

void pb_free(struct pb *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
