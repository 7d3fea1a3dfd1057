// SPDX-License-Identifier: GPL-2.0
/* heap_give_back: when the heap's free pages go back to the system. */
#include "unit.h"

#include "record/heap.h"

static void test_due(void **state)
{
	(void)state;
	/* never trimmed, more than the slack free: due */
	assert_true(heap_trim_due(100, -1e300, 5u << 20, 4u << 20, 30));
	/* at or under the slack: the steady state's pages stay */
	assert_false(heap_trim_due(100, -1e300, 4u << 20, 4u << 20, 30));
	assert_false(heap_trim_due(100, -1e300, 0, 4u << 20, 30));
	/* within the gap of the last trim, however much is free */
	assert_false(heap_trim_due(100, 80, 64u << 20, 4u << 20, 30));
	assert_false(heap_trim_due(109.99, 80, 64u << 20, 4u << 20, 30));
	/* the gap over */
	assert_true(heap_trim_due(110, 80, 64u << 20, 4u << 20, 30));
}

/* the process's anonymous resident memory, in KiB */
static long rss_anon_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "RssAnon: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

#define NBLK 4096

/* 16 MiB in 4 KiB blocks, freed but for one block in 64 (so that the heap's
 * top cannot shrink): the freed pages go back only through the trim, and
 * the next call within the gap does nothing */
static void test_gives_back(void **state)
{
	static char *blk[NBLK];
	long before, after;
	int i;

	(void)state;
#if defined(__SANITIZE_ADDRESS__)
	skip(); /* the sanitizer's allocator is not glibc's heap */
#endif
	for (i = 0; i < NBLK; i++) {
		blk[i] = malloc(4096);
		assert_non_null(blk[i]);
		memset(blk[i], 1, 4096);
	}
	for (i = 0; i < NBLK; i++)
		if (i % 64 != 63) {
			free(blk[i]);
			blk[i] = NULL;
		}
	before = rss_anon_kib();
	assert_int_equal(heap_give_back(4u << 20, 3600), 1);
	after = rss_anon_kib();
	/* about 15.75 MiB freed; at least 8 given back */
	if (before - after < 8192)
		fail_msg("RssAnon %ld -> %ld KiB: less than 8 MiB given back", before, after);
	/* within the gap: nothing, whatever is free */
	assert_int_equal(heap_give_back(0, 3600), 0);
	for (i = 0; i < NBLK; i++)
		free(blk[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_gives_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
