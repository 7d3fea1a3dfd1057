// SPDX-License-Identifier: GPL-2.0
/* record/collect.c: PSI increases, the disks' in-flight peaks per interval. */
#include "unit.h"
#include "record/collect.h"

static void test_psi_delta(void **state)
{
	struct psi_prev a = { .ok = {true, true, false} }, b;
	struct psi_delta d;

	(void)state;
	a.t[0] = (struct psi_totals){ .has_some = true, .some_us = 1000 };
	a.t[1] = (struct psi_totals){ .has_some = true, .has_full = true, .some_us = 50,
				      .full_us = 20 };
	b = a;
	b.t[0].some_us = 4000;
	b.t[1].some_us = 80;
	b.t[1].full_us = 10; /* went backwards: a reset, counted as 0 */
	psi_delta_of(&a, &b, &d);
	assert_true(d.cpu && d.mem && d.mem_full);
	assert_false(d.io);
	assert_dbl_eq(d.cpu_some_us, 3000);
	assert_dbl_eq(d.mem_some_us, 30);
	assert_dbl_eq(d.mem_full_us, 0);
	/* no previous reading: nothing */
	a.ok[0] = false;
	psi_delta_of(&a, &b, &d);
	assert_false(d.cpu);
}

/* The all-time in-flight peak becomes the interval's. */
static void test_dev_peaks(void **state)
{
	struct record_collect rc;
	struct dev_sample d[2];

	(void)state;
	memset(&rc, 0, sizeof(rc));
	memset(d, 0, sizeof(d));
	d[0] = (struct dev_sample){ .dev = 1, .inflight = 2, .inflight_peak = 30 };
	d[1] = (struct dev_sample){ .dev = 2, .inflight = 0, .inflight_peak = 0 };
	record_collect_dev_peaks(&rc, d, 2);
	assert_int_equal(d[0].inflight_peak, 30); /* grew: exact */
	assert_int_equal(d[1].inflight_peak, 0);
	d[0] = (struct dev_sample){ .dev = 1, .inflight = 5, .inflight_peak = 30 };
	record_collect_dev_peaks(&rc, d, 1);
	assert_int_equal(d[0].inflight_peak, 5); /* did not grow: in flight at the end */
	d[0] = (struct dev_sample){ .dev = 1, .inflight = 1, .inflight_peak = 31 };
	record_collect_dev_peaks(&rc, d, 1);
	assert_int_equal(d[0].inflight_peak, 31);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psi_delta),
		cmocka_unit_test(test_dev_peaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
