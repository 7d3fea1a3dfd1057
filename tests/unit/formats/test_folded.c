// SPDX-License-Identifier: GPL-2.0
/* folded.c: folded-stack lines. */
#include <stdlib.h>
#include "unit.h"
#include "formats/folded.h"

static void test_stack(void **state)
{
	const char *frames[] = { "_start", "main", "hot_a", "do_syscall_64_[k]" };
	char buf[256];

	(void)state;
	assert_int_equal(folded_stack(buf, sizeof(buf), "hot", frames, 4),
			 (int)strlen("hot;_start;main;hot_a;do_syscall_64_[k]"));
	assert_string_equal(buf, "hot;_start;main;hot_a;do_syscall_64_[k]");
	assert_int_equal(folded_stack(buf, sizeof(buf), "idle", frames, 0), 4);
	assert_string_equal(buf, "idle");
}

static void test_stack_sanitized(void **state)
{
	const char *frames[] = { "a;b", "", "[unknown] (libc.so.6)", "x\ny" };
	char buf[256];

	(void)state;
	assert_true(folded_stack(buf, sizeof(buf), "my;comm", frames, 4) > 0);
	assert_string_equal(buf, "my_comm;a_b;[unknown];[unknown] (libc.so.6);x_y");
}

static void test_stack_too_long(void **state)
{
	const char *frames[] = { "main", "hot_a" };
	char buf[32];

	(void)state;
	/* "hot;main;hot_a" is 14 characters: it needs 15 bytes */
	assert_int_equal(folded_stack(buf, 14, "hot", frames, 2), -1);
	assert_int_equal(folded_stack(buf, 15, "hot", frames, 2), 14);
	assert_string_equal(buf, "hot;main;hot_a");
	assert_int_equal(folded_stack(buf, 4, "hot", frames, 2), -1);
	assert_int_equal(folded_stack(buf, 0, "hot", frames, 2), -1);
}

static void test_merge_and_write(void **state)
{
	struct folded f = {0};
	char out[256] = "";
	FILE *m = fmemopen(out, sizeof(out), "w");

	(void)state;
	assert_non_null(m);
	assert_int_equal(folded_add(&f, "hot;main;hot_b", 3), 0);
	assert_int_equal(folded_add(&f, "hot;main;hot_a", 5), 0);
	assert_int_equal(folded_add(&f, "hot;main;hot_b", 4), 0);
	assert_int_equal(folded_add(&f, "cat;read", 1), 0);
	folded_sort(&f);
	assert_int_equal(f.n, 3);
	assert_int_equal(folded_write(&f, m), 0);
	fclose(m);
	assert_string_equal(out, "cat;read 1\nhot;main;hot_a 5\nhot;main;hot_b 7\n");
	folded_free(&f);
	folded_sort(&f); /* empty: nothing to do */
	assert_int_equal(f.n, 0);
}

/* "stack count" lines: merged and sorted; malformed lines skipped and
 * counted, empty lines and zero counts skipped */
static void test_parse(void **state)
{
	struct folded f;
	size_t bad = 99;

	(void)state;
	assert_int_equal(folded_parse("app;main;a 10\napp;main;b 30\nbad line\napp;main;a 5\n\n"
				      "no_count \n 7\nx;y -3\nx;y 1e3\nx;y 18446744073709551616\n"
				      "x;y 0\nwin;crlf 4\r\nlast 18446744073709551615", &f, &bad), 0);
	assert_int_equal(bad, 6);
	assert_int_equal(f.n, 4);
	assert_string_equal(f.e[0].stack, "app;main;a");
	assert_int_equal(f.e[0].count, 15);
	assert_string_equal(f.e[1].stack, "app;main;b");
	assert_int_equal(f.e[1].count, 30);
	assert_string_equal(f.e[2].stack, "last");
	assert_true(f.e[2].count == UINT64_MAX);
	assert_string_equal(f.e[3].stack, "win;crlf");
	assert_int_equal(f.e[3].count, 4);
	folded_free(&f);
	assert_int_equal(folded_parse("", &f, NULL), 0);
	assert_int_equal(f.n, 0);
	folded_free(&f);
}

/* the total of folded text counts what folded_parse keeps, no more */
static void test_total(void **state)
{
	struct folded f;
	const char *text = "app;main;a 10\napp;main;b 30\nbad line\napp;main;a 5\n\n"
			   "no_count \n 7\nx;y -3\nx;y 1e3\nx;y 18446744073709551616\n"
			   "x;y 0\nwin;crlf 4\r\nlast 2";
	size_t bad = 99, i;
	uint64_t sum = 0;

	(void)state;
	assert_true(folded_total(text, &bad) == 51);
	assert_int_equal(bad, 6);
	assert_int_equal(folded_parse(text, &f, NULL), 0);
	for (i = 0; i < f.n; i++)
		sum += f.e[i].count;
	assert_true(sum == 51);
	folded_free(&f);
	assert_true(folded_total("", NULL) == 0);
}

/* the folded diff: every stack of either side, in stack order */
static void test_diff(void **state)
{
	struct folded a, b, e = {0};
	char *d;

	(void)state;
	assert_int_equal(folded_parse("app;main;a 10\napp;main;b 30\nbad line\napp;main;a 5\n",
				      &a, NULL), 0);
	assert_int_equal(folded_parse("app;main;b 30\napp;main;c 30\n", &b, NULL), 0);
	d = folded_diff(&a, &b);
	assert_non_null(d);
	assert_string_equal(d, "app;main;a 15 0\napp;main;b 30 30\napp;main;c 0 30\n");
	free(d);
	d = folded_diff(&e, &b);
	assert_string_equal(d, "app;main;b 0 30\napp;main;c 0 30\n");
	free(d);
	d = folded_diff(&e, &e);
	assert_string_equal(d, "");
	free(d);
	folded_free(&a);
	folded_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_stack_sanitized),
		cmocka_unit_test(test_stack_too_long),
		cmocka_unit_test(test_merge_and_write),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_total),
		cmocka_unit_test(test_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
