// SPDX-License-Identifier: GPL-2.0
/* perfmap.c: perf map lines (good and malformed), loading and lookup. */
#include <stdlib.h>
#include "unit.h"
#include "symbols/perfmap.h"

static void test_good_lines(void **state)
{
	uint64_t start = 0, size = 0;
	char name[64];

	(void)state;
	/* node --perf-basic-prof: bare hex */
	assert_int_equal(perfmap_parse_line("3ef414a0a2c0 2c LazyCompile:~foo /app/x.js:3:13\n",
					    &start, &size, name, sizeof(name)), 0);
	assert_true(start == 0x3ef414a0a2c0ULL && size == 0x2c);
	assert_string_equal(name, "LazyCompile:~foo /app/x.js:3:13");
	/* JVM perf-map-agent and Erlang: 0x prefixes, upper-case digits */
	assert_int_equal(perfmap_parse_line("0x7F00DEAD0000 0X40 Ljava/lang/String;::hashCode\r\n",
					    &start, &size, name, sizeof(name)), 0);
	assert_true(start == 0x7f00dead0000ULL && size == 0x40);
	assert_string_equal(name, "Ljava/lang/String;::hashCode");
	assert_int_equal(perfmap_parse_line("  1000\t10\t$erlang:apply/3  ", &start, &size, name,
					    sizeof(name)), 0);
	assert_true(start == 0x1000 && size == 0x10);
	assert_string_equal(name, "$erlang:apply/3");
	/* a long name is cut to the buffer */
	assert_int_equal(perfmap_parse_line("10 1 abcdefgh", &start, &size, name, 4), 0);
	assert_string_equal(name, "abc");
	/* blank lines are not malformed */
	assert_int_equal(perfmap_parse_line("\n", &start, &size, name, sizeof(name)), 1);
	assert_int_equal(perfmap_parse_line("   ", &start, &size, name, sizeof(name)), 1);
}

static void test_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"this is not a perf map line",
		"0x1000 zz bad_size",
		"1000 10",                   /* no name */
		"1000 10   \n",              /* only blanks for a name */
		"1000 0 zero_size",
		"ffffffffffffff00 200 wraps",
		"10000000000000000 10 too_big", /* 17 digits */
		"1000",
		"1000x 10 glued",
		"0x 10 no_digits",
		"-1000 10 negative",
	};
	uint64_t start, size;
	char name[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (perfmap_parse_line(bad[i], &start, &size, name, sizeof(name)) != -1)
			fail_msg("accepted malformed line '%s'", bad[i]);
}

static void test_load_find(void **state)
{
	const char *text = "1000 100 first\n"
			   "garbage line\n"
			   "\n"
			   "0x3000 0x10 third\n"
			   "2000 80 second_old\n"
			   "2000 80 second_new\n"
			   "4000 zz bad\n";
	struct perfmap m;
	FILE *f = unit_text(text);

	(void)state;
	assert_non_null(f);
	assert_int_equal(perfmap_load(&m, f), 0);
	fclose(f);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.malformed, 2);
	assert_null(perfmap_find(&m, 0xfff));
	assert_string_equal(perfmap_find(&m, 0x1000)->name, "first");
	assert_string_equal(perfmap_find(&m, 0x10ff)->name, "first");
	assert_null(perfmap_find(&m, 0x1100)); /* a gap */
	assert_string_equal(perfmap_find(&m, 0x2040)->name, "second_new"); /* the later line wins */
	assert_string_equal(perfmap_find(&m, 0x300f)->name, "third");
	assert_null(perfmap_find(&m, 0x3010));
	perfmap_free(&m);
	assert_int_equal(m.n, 0);

	f = unit_text("");
	assert_int_equal(perfmap_load(&m, f), 0);
	fclose(f);
	assert_int_equal(m.n, 0);
	assert_null(perfmap_find(&m, 0x1000));
	perfmap_free(&m);
}

/* Random lines (hex digits, blanks, 0x, names) never crash the parser and
 * a parsed line always has a name and a non-empty range. */
static void test_random_lines(void **state)
{
	static const char alphabet[] = "0123456789abcdefxX \t\n-zZ_:;";
	uint64_t r = 42, start, size;
	char line[48], name[16];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < 50000; i++) {
		n = unit_rand(&r) % (sizeof(line) - 1);
		for (j = 0; j < n; j++)
			line[j] = alphabet[unit_rand(&r) % (sizeof(alphabet) - 1)];
		line[n] = '\0';
		if (perfmap_parse_line(line, &start, &size, name, sizeof(name)) == 0) {
			assert_true(size > 0 && start + size > start);
			assert_true(strlen(name) > 0 && strlen(name) < sizeof(name));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_lines),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_load_find),
		cmocka_unit_test(test_random_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
