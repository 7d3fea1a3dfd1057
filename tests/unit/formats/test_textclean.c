// SPDX-License-Identifier: GPL-2.0
/* textclean.c: names made valid UTF-8 without control characters. */
#include "unit.h"
#include "formats/textclean.h"

static void test_clean(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(text_clean(buf, sizeof(buf), "plain_name"), 10);
	assert_string_equal(buf, "plain_name");
	/* two-, three- and four-byte characters stay */
	text_clean(buf, sizeof(buf), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5");
	assert_string_equal(buf, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5");
	/* a stray continuation byte, a lone lead byte, bytes never in UTF-8 */
	text_clean(buf, sizeof(buf), "a\x80z\xc3(\xfe\xff");
	assert_string_equal(buf, "a?z?(??");
	/* overlong forms and surrogates */
	text_clean(buf, sizeof(buf), "\xc0\x80|\xe0\x80\xaf|\xed\xa0\x80|\xf4\x90\x80\x80");
	assert_string_equal(buf, "??|???|???|????");
	/* control characters */
	text_clean(buf, sizeof(buf), "a\nb\tc\x7f" "d\x1b");
	assert_string_equal(buf, "a?b?c?d?");
	/* a kernel comm cut in half a character */
	text_clean(buf, sizeof(buf), "worker\xe2\x82");
	assert_string_equal(buf, "worker??");
}

static void test_room(void **state)
{
	char buf[6];

	(void)state;
	/* a character that does not fit whole is left out */
	assert_int_equal(text_clean(buf, sizeof(buf), "abcd\xc3\xa9"), 4);
	assert_string_equal(buf, "abcd");
	assert_int_equal(text_clean(buf, sizeof(buf), "abcdefgh"), 5);
	assert_string_equal(buf, "abcde");
	assert_int_equal(text_clean(buf, 1, "abc"), 0);
	assert_string_equal(buf, "");
	assert_int_equal(text_clean(buf, 0, "abc"), 0);
}

/* The length of one character, as the other writers escape text with it */
static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(text_utf8_len("a"), 1);
	assert_int_equal(text_utf8_len(""), 1);
	assert_int_equal(text_utf8_len("\n"), 1);
	assert_int_equal(text_utf8_len("\xc3\xa9x"), 2);
	assert_int_equal(text_utf8_len("\xe2\x82\xac"), 3);
	assert_int_equal(text_utf8_len("\xf0\x9f\x94\xa5"), 4);
	assert_int_equal(text_utf8_len("\x80"), 0);
	assert_int_equal(text_utf8_len("\xe2\x82"), 0);     /* cut short */
	assert_int_equal(text_utf8_len("\xc0\x80"), 0);     /* overlong */
	assert_int_equal(text_utf8_len("\xed\xa0\x80"), 0); /* a surrogate */
	assert_int_equal(text_utf8_len("\xff"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_room),
		cmocka_unit_test(test_utf8_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
