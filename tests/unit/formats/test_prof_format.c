// SPDX-License-Identifier: GPL-2.0
/* prof_format.c: --format names and formats from the -o file name. */
#include "unit.h"
#include "formats/prof_format.h"

static void test_parse(void **state)
{
	(void)state;
	assert_int_equal(prof_format_parse("folded"), FMT_FOLDED);
	assert_int_equal(prof_format_parse("pprof"), FMT_PPROF);
	assert_int_equal(prof_format_parse("speedscope"), FMT_SPEEDSCOPE);
	assert_int_equal(prof_format_parse("svg"), FMT_SVG);
	assert_int_equal(prof_format_parse("SVG"), FMT_DEFAULT);
	assert_int_equal(prof_format_parse("flame"), FMT_DEFAULT);
	assert_int_equal(prof_format_parse(""), FMT_DEFAULT);
	assert_int_equal(prof_format_parse(NULL), FMT_DEFAULT);
}

static void test_for_file(void **state)
{
	(void)state;
	assert_int_equal(prof_format_for_file(NULL), FMT_FOLDED);
	assert_int_equal(prof_format_for_file("out.folded"), FMT_FOLDED);
	assert_int_equal(prof_format_for_file("out.txt"), FMT_FOLDED);
	assert_int_equal(prof_format_for_file("out"), FMT_FOLDED);
	assert_int_equal(prof_format_for_file("/tmp/cpu.pb.gz"), FMT_PPROF);
	assert_int_equal(prof_format_for_file("cpu.PPROF"), FMT_PPROF);
	assert_int_equal(prof_format_for_file("cpu.gz"), FMT_FOLDED);
	assert_int_equal(prof_format_for_file("x.speedscope.json"), FMT_SPEEDSCOPE);
	assert_int_equal(prof_format_for_file("x.json"), FMT_SPEEDSCOPE);
	assert_int_equal(prof_format_for_file("host.svg"), FMT_SVG);
	assert_int_equal(prof_format_for_file("host.SVG"), FMT_SVG);
	assert_int_equal(prof_format_for_file("svg"), FMT_FOLDED);
	assert_int_equal(prof_format_for_file(".svg.folded"), FMT_FOLDED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_for_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
