// SPDX-License-Identifier: GPL-2.0
/* Strings in chunks (user/symbols/strpool.c). */
#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "symbols/strpool.h"

/* Many short names and a few longer than a chunk: every copy intact and
 * where it was put, the chunks' total growing in steps, not per name. */
static void test_many_and_long(void **state)
{
	struct strpool p = {0};
	enum { N = 20000 };
	char **got = calloc(N, sizeof(*got)), buf[32], *big, *kept;
	size_t i, bytes_after_small;

	(void)state;
	assert_non_null(got);
	for (i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "sym_%zu", i);
		assert_non_null(got[i] = strpool_add(&p, buf));
	}
	bytes_after_small = p.bytes;
	/* about 10 bytes a name: the chunks hold them without much slack */
	assert_true(bytes_after_small >= 20000 * 9 && bytes_after_small < 20000 * 10 + 65536 + 1024);
	big = malloc(200000);
	assert_non_null(big);
	memset(big, 'x', 199999);
	big[199999] = '\0';
	assert_non_null(kept = strpool_add(&p, big));
	assert_int_equal(strlen(kept), 199999);
	assert_true(p.bytes >= bytes_after_small + 200000);
	assert_string_equal(strpool_addn(&p, "abcdef", 3), "abc");
	for (i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "sym_%zu", i);
		assert_string_equal(got[i], buf);
	}
	strpool_free(&p);
	assert_null(p.chunks);
	assert_int_equal(p.bytes, 0);
	assert_string_equal(strpool_add(&p, ""), ""); /* usable again */
	strpool_free(&p);
	free(big);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_and_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
