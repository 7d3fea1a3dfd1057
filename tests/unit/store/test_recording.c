// SPDX-License-Identifier: GPL-2.0
/* recording.c: building recordings and finding series. */
#include <stdlib.h>
#include "unit.h"
#include "store/recording.h"

static void test_add_find(void **state)
{
	const double t[3] = {1, 2, 3}, v[3] = {10, 20, 30};
	struct recording r = {0};
	const struct series *s;
	struct series *a;
	double tt[3] = {1, 2, 3};

	(void)state;
	assert_null(rec_find(&r, 'p', "1", "cpu.oncpu_ns"));
	a = rec_add(&r, 'h', "host", "psi.cpu.some_us", tt, v, 3);
	assert_non_null(a);
	tt[0] = 99; /* copied, not referenced */
	assert_dbl_eq(a->t[0], 1);
	assert_non_null(rec_add(&r, 'p', "12", "cpu.oncpu_ns", t, v, 3));
	assert_non_null(rec_add(&r, 'p', "12", "mem.rss_bytes", t, v, 2));
	assert_false(r.unsorted);
	s = rec_find(&r, 'p', "12", "mem.rss_bytes");
	assert_non_null(s);
	assert_int_equal(s->n, 2);
	assert_dbl_eq(s->v[1], 20);
	assert_int_equal(s->kind, 'p');
	assert_string_equal(s->entity, "12");
	assert_null(rec_find(&r, 'p', "12", "io.read_bytes"));
	assert_null(rec_find(&r, 'c', "12", "mem.rss_bytes"));
	assert_null(rec_find(&r, 'p', "1", "mem.rss_bytes"));
	/* out of order: still found */
	assert_non_null(rec_add(&r, 'c', "/a", "cpu.oncpu_ns", t, v, 0));
	assert_true(r.unsorted);
	s = rec_find(&r, 'c', "/a", "cpu.oncpu_ns");
	assert_non_null(s);
	assert_int_equal(s->n, 0);
	assert_non_null(rec_find(&r, 'h', "host", "psi.cpu.some_us"));
	assert_null(rec_find(&r, 'c', "/b", "cpu.oncpu_ns"));
	recording_free(&r);
	assert_int_equal(r.n, 0);
	assert_null(r.s);
}

/* Many series, in order and not: every one is found, values intact. */
static void test_many(void **state)
{
	struct recording r = {0}, u = {0};
	char ent[16];
	double v;
	int i, j;

	(void)state;
	for (i = 0; i < 300; i++) {
		snprintf(ent, sizeof(ent), "%04d", i);
		v = i;
		assert_non_null(rec_add(&r, 'p', ent, "cpu.oncpu_ns", &v, &v, 1));
		snprintf(ent, sizeof(ent), "%04d", 299 - i);
		assert_non_null(rec_add(&u, 'p', ent, "cpu.oncpu_ns", &v, &v, 1));
	}
	assert_false(r.unsorted);
	assert_true(u.unsorted);
	assert_true(r.cap >= r.n);
	for (j = 0; j < 300; j++) {
		const struct series *a, *b;

		snprintf(ent, sizeof(ent), "%04d", j);
		a = rec_find(&r, 'p', ent, "cpu.oncpu_ns");
		b = rec_find(&u, 'p', ent, "cpu.oncpu_ns");
		assert_non_null(a);
		assert_non_null(b);
		assert_dbl_eq(a->v[0], j);
		assert_dbl_eq(b->v[0], 299 - j);
	}
	recording_free(&r);
	recording_free(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
