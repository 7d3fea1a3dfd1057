// SPDX-License-Identifier: GPL-2.0
/* CPU and node lists: the kernel's forms in, the canonical form out. */
#include "../unit.h"
#include "tune/cpulist.h"

static const char *canon(const char *in)
{
	static char out[256];
	struct cpulist s;

	if (cpulist_parse(in, &s))
		return "BAD";
	assert_int_equal(cpulist_format(&s, out, sizeof(out)), 0);
	return out;
}

static void test_parse_format(void **state)
{
	(void)state;
	assert_string_equal(canon("0-3"), "0-3");
	assert_string_equal(canon("0,1,2,3"), "0-3");
	assert_string_equal(canon("3,1, 0 ,2\n"), "0-3");
	assert_string_equal(canon("0-1,3,5-7"), "0-1,3,5-7");
	assert_string_equal(canon("1,2"), "1-2");
	assert_string_equal(canon("7"), "7");
	assert_string_equal(canon("1023"), "1023");
	assert_string_equal(canon(""), "");
	assert_string_equal(canon("\n"), "");
	assert_string_equal(canon("0-1,1-2"), "0-2");
	/* what the kernel refuses */
	assert_string_equal(canon("3-1"), "BAD");
	assert_string_equal(canon("1024"), "BAD");
	assert_string_equal(canon("0-"), "BAD");
	assert_string_equal(canon("-1"), "BAD");
	assert_string_equal(canon("0,,1"), "BAD");
	assert_string_equal(canon("a"), "BAD");
	assert_string_equal(canon("0,"), "BAD");
	assert_string_equal(canon("mixed: thread 1 0"), "BAD");
}

static void test_sets(void **state)
{
	struct cpulist a, b, c;
	char out[8];

	(void)state;
	assert_int_equal(cpulist_parse("0-3", &a), 0);
	assert_int_equal(cpulist_parse("2-5", &b), 0);
	assert_int_equal(cpulist_count(&a), 4);
	cpulist_minus(&c, &a, &b);
	assert_int_equal(cpulist_format(&c, out, sizeof(out)), 0);
	assert_string_equal(out, "0-1");
	cpulist_and(&c, &a, &b);
	assert_int_equal(cpulist_format(&c, out, sizeof(out)), 0);
	assert_string_equal(out, "2-3");
	assert_true(cpulist_subset(&c, &a));
	assert_false(cpulist_subset(&a, &b));
	assert_true(cpulist_text_equal("0,1,2", "0-2"));
	assert_false(cpulist_text_equal("0-2", "0-3"));
	assert_false(cpulist_text_equal("0-2", "x"));
	/* too long for the buffer */
	assert_int_equal(cpulist_parse("0,2,4,6,8,10", &a), 0);
	assert_int_equal(cpulist_format(&a, out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_sets),
	};

	return cmocka_run_group_tests_name("tune_cpulist", tests, NULL, NULL);
}
