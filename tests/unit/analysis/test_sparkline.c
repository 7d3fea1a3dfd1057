// SPDX-License-Identifier: GPL-2.0
/* analysis/sparkline.c: series drawn with the eight block characters. */
#include <math.h>
#include "unit.h"
#include "analysis/sparkline.h"

static void test_ramp_and_extremes(void **state)
{
	double ramp[] = { 0, 1, 2, 3, 4, 5, 6, 7 }, two[] = { -3, 9 };
	double scaled[] = { 10, 10.5, 20 };
	char buf[64];

	(void)state;
	assert_int_equal(sparkline(ramp, 8, 8, buf, sizeof(buf)), 24);
	assert_string_equal(buf, "▁▂▃▄▅▆▇█");
	assert_int_equal(sparkline(two, 2, 80, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "▁█");
	/* 10.5 is 5 % of the way up: rounds to the lowest block */
	assert_int_equal(sparkline(scaled, 3, 3, buf, sizeof(buf)), 9);
	assert_string_equal(buf, "▁▁█");
}

static void test_flat(void **state)
{
	double flat[] = { 4, 4, 4, 4 }, one[] = { 123 };
	char buf[64];

	(void)state;
	assert_int_equal(sparkline(flat, 4, 10, buf, sizeof(buf)), 12);
	assert_string_equal(buf, "▁▁▁▁");
	assert_int_equal(sparkline(one, 1, 10, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "▁");
}

static void test_buckets(void **state)
{
	double v[16], ten[10] = { 0, 0, 0, 9, 9, 9, 3, 3, 3, 3 };
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < 16; i++)
		v[i] = (double)i;
	/* means 1.5 5.5 9.5 13.5: levels 0, 7 * 4/12 = 2.3, 4.7, 7 */
	assert_int_equal(sparkline(v, 16, 4, buf, sizeof(buf)), 12);
	assert_string_equal(buf, "▁▃▆█");
	/* 10 into 3: [0,3) [3,6) [6,10) */
	assert_int_equal(sparkline(ten, 10, 3, buf, sizeof(buf)), 9);
	assert_string_equal(buf, "▁█▃");
}

static void test_buffer_and_empty(void **state)
{
	double ramp[] = { 0, 1, 2, 3, 4, 5, 6, 7 }, gap[] = { 0, NAN, 7 };
	char buf[64];

	(void)state;
	/* 8 blocks of 3 bytes need 25 bytes with the NUL */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(sparkline(ramp, 8, 8, buf, 24), -1);
	assert_string_equal(buf, "");
	assert_int_equal(sparkline(ramp, 8, 8, buf, 25), 24);
	assert_int_equal(sparkline(ramp, 8, 8, buf, 0), -1);
	assert_int_equal(sparkline(ramp, 0, 8, buf, 4), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sparkline(ramp, 8, 0, buf, 4), 0);
	assert_string_equal(buf, "");
	/* a missing value is a space */
	assert_int_equal(sparkline(gap, 3, 3, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "▁ █");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ramp_and_extremes),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_buffer_and_empty),
	};

	return cmocka_run_group_tests_name("sparkline", tests, NULL, NULL);
}
