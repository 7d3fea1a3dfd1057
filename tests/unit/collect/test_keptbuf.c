// SPDX-License-Identifier: GPL-2.0
/* keptbuf.c: the pages of a kept buffer beyond what reads now use go back. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "unit.h"
#include "collect/keptbuf.h"

#define MIB (1u << 20)

/* an anonymous mapping in small pages: with transparent huge pages set to
 * "always" a first touch could bring in 2 MiB and the counts below would
 * depend on the host */
static unsigned char *map_small(size_t len)
{
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	madvise(p, len, MADV_NOHUGEPAGE); /* EINVAL without THP: small pages anyway */
	return p;
}

/* how many of the pages of [p, p + len) are resident */
static size_t resident(void *p, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (len + page - 1) / page, i, r = 0;
	unsigned char *vec = calloc(n, 1);

	assert_non_null(vec);
	assert_int_equal(mincore(p, n * page, vec), 0);
	for (i = 0; i < n; i++)
		r += vec[i] & 1;
	free(vec);
	return r;
}

static void test_gives_back_the_tail(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = 16 * MIB, high = 0, got;
	unsigned char *b;

	(void)state;
	b = map_small(size);
	/* a burst fills 12 MiB: nothing given back, the mark rises */
	memset(b, 7, 12 * MIB);
	assert_int_equal(keptbuf_used(b, size, 12 * MIB, &high), 0);
	assert_int_equal(high, 12 * MIB);
	assert_int_equal(resident(b, size), 12 * MIB / page);
	/* the next read uses 1 MiB and a bit: 11 MiB less, given back */
	got = keptbuf_used(b, size, MIB + 100, &high);
	assert_int_equal(high, MIB + 100);
	assert_int_equal(got, 11 * MIB - page);
	assert_int_equal(resident(b, size), MIB / page + 1);
	/* what is used stays as it was, the page it ends in too */
	assert_int_equal(b[0], 7);
	assert_int_equal(b[MIB + 99], 7);
	assert_int_equal(b[MIB + page - 1], 7);
	/* a page given back reads as zero */
	assert_int_equal(b[2 * MIB], 0);
	munmap(b, size);
}

static void test_slack_and_bounds(void **state)
{
	size_t size = 4 * MIB, high = 0;
	unsigned char *b;

	(void)state;
	b = map_small(size);
	memset(b, 1, size);
	/* more than the buffer: counted as the whole of it */
	assert_int_equal(keptbuf_used(b, size, 2 * size, &high), 0);
	assert_int_equal(high, size);
	/* less than KEPTBUF_SLACK below the mark: kept, the mark too */
	assert_int_equal(keptbuf_used(b, size, size - MIB / 2, &high), 0);
	assert_int_equal(high, size);
	assert_int_equal(b[size - 1], 1);
	/* the whole of it back, up to the buffer's last whole page */
	assert_int_equal(keptbuf_used(b, size, 0, &high), size);
	assert_int_equal(high, 0);
	assert_int_equal(resident(b, size), 0);
	/* nothing touched since: nothing to give back */
	assert_int_equal(keptbuf_used(b, size, 0, &high), 0);
	munmap(b, size);
}

/* a buffer not on page boundaries: the partial pages at its ends stay */
static void test_unaligned(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = 3 * MIB, high = 0;
	unsigned char *map, *b;

	(void)state;
	map = map_small(size + 2 * page);
	memset(map, 9, size + 2 * page);
	b = map + 100;
	assert_int_equal(keptbuf_used(b, size, size, &high), 0);
	assert_int_equal(keptbuf_used(b, size, 0, &high), size - page);
	assert_int_equal(map[99], 9);          /* before the buffer */
	assert_int_equal(b[page - 101], 9);    /* the page it starts in */
	assert_int_equal(b[size], 9);          /* after it */
	assert_int_equal(b[size - 1], 9);      /* the page it ends in */
	assert_int_equal(b[page - 100], 0);    /* its first whole page */
	munmap(map, size + 2 * page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gives_back_the_tail),
		cmocka_unit_test(test_slack_and_bounds),
		cmocka_unit_test(test_unaligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
