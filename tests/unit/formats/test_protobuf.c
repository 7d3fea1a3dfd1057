// SPDX-License-Identifier: GPL-2.0
/* protobuf.c: the encoder's exact bytes. */
#include <stdlib.h>
#include "unit.h"
#include "formats/protobuf.h"

#define assert_bytes(b, ...) do {                                             \
		const uint8_t _want[] = { __VA_ARGS__ };                       \
		assert_false((b)->err);                                        \
		assert_int_equal((b)->n, sizeof(_want));                       \
		assert_memory_equal((b)->p, _want, sizeof(_want));             \
	} while (0)

static void test_varint(void **state)
{
	struct pb b = {0};

	(void)state;
	pb_varint(&b, 0);
	pb_varint(&b, 1);
	pb_varint(&b, 127);
	pb_varint(&b, 128);
	pb_varint(&b, 300);
	assert_bytes(&b, 0x00, 0x01, 0x7f, 0x80, 0x01, 0xac, 0x02);
	pb_free(&b);
	pb_varint(&b, UINT64_MAX);
	assert_bytes(&b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
	pb_free(&b);
	assert_int_equal(pb_varint_len(0), 1);
	assert_int_equal(pb_varint_len(127), 1);
	assert_int_equal(pb_varint_len(128), 2);
	assert_int_equal(pb_varint_len(16383), 2);
	assert_int_equal(pb_varint_len(16384), 3);
	assert_int_equal(pb_varint_len(UINT64_MAX), 10);
}

/* The examples of the protobuf encoding guide. */
static void test_fields(void **state)
{
	const uint64_t packed[] = { 3, 270, 86942 };
	struct pb b = {0};

	(void)state;
	pb_uint(&b, 1, 150);
	assert_bytes(&b, 0x08, 0x96, 0x01);
	pb_free(&b);
	pb_string(&b, 2, "testing");
	assert_bytes(&b, 0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g');
	pb_free(&b);
	pb_packed(&b, 4, packed, 3);
	assert_bytes(&b, 0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05);
	pb_free(&b);
	pb_packed(&b, 4, packed, 0); /* an empty packed field is left out */
	pb_string(&b, 6, "");        /* an empty string is written: the pprof string table needs it */
	pb_uint(&b, 16, 1);          /* a field number that takes a two-byte key */
	assert_bytes(&b, 0x32, 0x00, 0x80, 0x01, 0x01);
	pb_free(&b);
}

static void test_nested(void **state)
{
	struct pb b = {0};
	size_t outer, inner;

	(void)state;
	outer = pb_begin(&b, 3);
	pb_uint(&b, 1, 150);
	pb_end(&b, outer);
	assert_bytes(&b, 0x1a, 0x03, 0x08, 0x96, 0x01);
	pb_free(&b);

	/* nested twice, and empty */
	outer = pb_begin(&b, 1);
	inner = pb_begin(&b, 2);
	pb_end(&b, inner);
	pb_uint(&b, 3, 1);
	pb_end(&b, outer);
	assert_bytes(&b, 0x0a, 0x04, 0x12, 0x00, 0x18, 0x01);
	pb_free(&b);
}

/* A message of 200 bytes: its length takes two bytes, so the content moves. */
static void test_nested_long(void **state)
{
	char s[198];
	struct pb b = {0};
	size_t m;

	(void)state;
	memset(s, 'x', sizeof(s));
	pb_uint(&b, 1, 7);
	m = pb_begin(&b, 2);
	pb_bytes(&b, 1, s, 197);  /* 1 + 2 + 197 = 200 bytes */
	pb_end(&b, m);
	assert_false(b.err);
	assert_int_equal(b.n, 2 + 1 + 2 + 200);
	assert_int_equal(b.p[2], 0x12);
	assert_int_equal(b.p[3], 0xc8); /* 200 = 0x48 | 0x80, 0x01 */
	assert_int_equal(b.p[4], 0x01);
	assert_int_equal(b.p[5], 0x0a);
	assert_int_equal(b.p[6], 0xc5); /* 197 */
	assert_int_equal(b.p[7], 0x01);
	assert_int_equal(b.p[8], 'x');
	assert_int_equal(b.p[b.n - 1], 'x');
	pb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_nested_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
