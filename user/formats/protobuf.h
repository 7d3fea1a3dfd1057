/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal protocol buffers encoder: varints, length-delimited fields
 * (bytes, strings, nested messages) and packed repeated varints, appended to
 * a growable buffer. Enough to write profile.proto; no decoder.
 */
#ifndef PP_PROTOBUF_H
#define PP_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pb_wire {
	PB_VARINT = 0,
	PB_LEN = 2,
};

struct pb {
	uint8_t *p;
	size_t n, cap;
	bool err; /* an allocation failed: the content is incomplete */
};

/* The number of bytes of v as a varint (1 to 10). */
size_t pb_varint_len(uint64_t v);

void pb_varint(struct pb *b, uint64_t v);
void pb_key(struct pb *b, uint32_t field, enum pb_wire wire);

/* field = v as a varint (int32, int64, uint64, bool; negative int64 take
 * ten bytes, as protobuf encodes them). Zero is written too. */
void pb_uint(struct pb *b, uint32_t field, uint64_t v);

void pb_bytes(struct pb *b, uint32_t field, const void *data, size_t len);
void pb_string(struct pb *b, uint32_t field, const char *s);

/* A packed repeated varint field; nothing when n is 0. */
void pb_packed(struct pb *b, uint32_t field, const uint64_t *v, size_t n);

/*
 * A nested message: mark = pb_begin(b, field), write its fields, then
 * pb_end(b, mark). Nested messages end in the reverse order they began.
 */
size_t pb_begin(struct pb *b, uint32_t field);
void pb_end(struct pb *b, size_t mark);

void pb_free(struct pb *b);

#endif
