// SPDX-License-Identifier: GPL-2.0
/* folded.c: folded-stack lines. */
#include <stdlib.h>
#include "unit.h"
#include "folded.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_stack_sanitized),
		cmocka_unit_test(test_stack_too_long),
		cmocka_unit_test(test_merge_and_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
