// SPDX-License-Identifier: GPL-2.0
/* record/retry: the backoff schedule and the intervals kept in memory. */
#include <stdlib.h>
#include "unit.h"
#include "record/retry.h"

static void test_backoff(void **state)
{
	(void)state;
	assert_dbl_eq(retry_backoff_s(0, 2, 30), 2);
	assert_dbl_eq(retry_backoff_s(1, 2, 30), 2);
	assert_dbl_eq(retry_backoff_s(2, 2, 30), 4);
	assert_dbl_eq(retry_backoff_s(3, 2, 30), 8);
	assert_dbl_eq(retry_backoff_s(4, 2, 30), 16);
	assert_dbl_eq(retry_backoff_s(5, 2, 30), 30);
	assert_dbl_eq(retry_backoff_s(1000000, 2, 30), 30);
	assert_dbl_eq(retry_backoff_s(4000000000u, RETRY_FIRST_S, RETRY_MAX_S), RETRY_MAX_S);
	assert_dbl_eq(retry_backoff_s(1, 60, 30), 30);
}

static struct interval_data data(double ts, struct proc_sample *p, size_t n,
				 struct host_values *h, struct store_self *self)
{
	return (struct interval_data){ .ts = ts, .length_s = 1, .procs = p, .nprocs = n,
				       .host = h, .self = self };
}

static void test_queue(void **state)
{
	struct retry_queue q = {0};
	struct proc_sample p[3] = {{.pid = 1}, {.pid = 2}, {.pid = 3}};
	struct host_values h = { .has_runnable = true, .runnable = 5 };
	struct store_self self = { .pid = 42 };
	struct interval_data d;
	const struct interval_data *k;
	int i;

	(void)state;
	assert_null(retry_front(&q));
	for (i = 0; i < 40; i++) { /* more than the first capacity: it grows */
		d = data(100 + i, p, (size_t)(i % 3) + 1, i % 2 ? &h : NULL, &self);
		assert_int_equal(retry_push(&q, &d), 0);
		p[0].pid++; /* the caller's arrays change after the push */
		h.runnable++;
	}
	assert_int_equal(q.n, 40);
	assert_int_equal(q.dropped, 0);
	for (i = 0; i < 40; i++) {
		k = retry_front(&q);
		assert_non_null(k);
		assert_dbl_eq(k->ts, 100 + i);
		assert_int_equal(k->nprocs, (size_t)(i % 3) + 1);
		assert_int_equal(k->procs[0].pid, 1 + i);
		assert_int_equal(k->procs[k->nprocs - 1].pid, k->nprocs == 1 ? 1u + i : k->nprocs);
		if (i % 2) {
			assert_non_null(k->host);
			assert_dbl_eq(k->host->runnable, 5 + i);
		} else {
			assert_null(k->host);
		}
		assert_non_null(k->self);
		assert_int_equal(k->self->pid, 42);
		retry_pop(&q);
	}
	assert_null(retry_front(&q));
	assert_int_equal(q.bytes, 0);
	retry_free(&q);
}

/* beyond max_bytes the oldest go, the newest stays */
static void test_bound(void **state)
{
	struct retry_queue q = { .max_bytes = 3 * (sizeof(struct retry_item) +
						    sizeof(struct proc_sample)) };
	struct proc_sample p = { .pid = 7 };
	struct interval_data d;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		d = data(i, &p, 1, NULL, NULL);
		assert_int_equal(retry_push(&q, &d), 0);
	}
	assert_int_equal(q.n, 3);
	assert_int_equal(q.dropped, 7);
	assert_dbl_eq(retry_front(&q)->ts, 7);
	assert_null(retry_front(&q)->self);
	retry_free(&q);
	/* one interval larger than the bound is kept anyway */
	q = (struct retry_queue){ .max_bytes = 1 };
	d = data(1, &p, 1, NULL, NULL);
	assert_int_equal(retry_push(&q, &d), 0);
	assert_int_equal(retry_push(&q, &d), 0);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.dropped, 1);
	retry_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
