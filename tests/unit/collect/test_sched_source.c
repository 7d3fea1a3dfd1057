// SPDX-License-Identifier: GPL-2.0
/* The scheduler collector's sources: their names (sched_source.c) and the
 * iterator's spreading of a thread's run-queue waits at their mean
 * (pp_mean_waits, pp_add_mean_waits in perfpilot.h, run by sched.bpf.c). */
#include "unit.h"
#include "collect/collector.h"

static void test_parse_names(void **state)
{
	enum sched_source s = SCHED_SOURCE_ITERATOR;

	(void)state;
	assert_int_equal(sched_source_parse("switch", &s), 0);
	assert_int_equal(s, SCHED_SOURCE_SWITCH);
	assert_int_equal(sched_source_parse("iterator", &s), 0);
	assert_int_equal(s, SCHED_SOURCE_ITERATOR);
	assert_string_equal(sched_source_name(SCHED_SOURCE_SWITCH), "switch");
	assert_string_equal(sched_source_name(SCHED_SOURCE_ITERATOR), "iterator");
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = { "", "Switch", "iter", "iterators", "switch ",
					   " iterator", "tick", "0", "1" };
	enum sched_source s = SCHED_SOURCE_SWITCH;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!sched_source_parse(bad[i], &s))
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(s, SCHED_SOURCE_SWITCH); /* left alone */
	}
	assert_int_equal(sched_source_parse(NULL, &s), -1);
}

static void test_mean_waits(void **state)
{
	__u64 mean = 99;

	(void)state;
	/* nothing new */
	assert_int_equal(pp_mean_waits(0, 0, &mean), 0);
	assert_int_equal(mean, 0);
	/* n waits of d/n (rounded down) */
	assert_int_equal(pp_mean_waits(3000, 3, &mean), 3);
	assert_int_equal(mean, 1000);
	assert_int_equal(pp_mean_waits(10, 3, &mean), 3);
	assert_int_equal(mean, 3);
	/* switch-ins without waiting: waits of 0 */
	assert_int_equal(pp_mean_waits(0, 5, &mean), 5);
	assert_int_equal(mean, 0);
	/* run_delay grown without a switch-in (dequeued while queued): one wait */
	assert_int_equal(pp_mean_waits(7000, 0, &mean), 1);
	assert_int_equal(mean, 7000);
}

static void test_add_mean_waits(void **state)
{
	__u32 hist[PP_HIST_SLOTS] = {0};
	__u64 wait = 0, max = 0, sum = 0;
	unsigned int i;

	(void)state;
	/* 4 waits, 8 ms in all: 4 in the slot of 2 ms, max 2 ms, total exact */
	pp_add_mean_waits(hist, &wait, &max, 8000000, 4);
	assert_int_equal(wait, 8000000);
	assert_int_equal(max, 2000000);
	assert_int_equal(hist[pp_hist_slot_ns(2000000)], 4);
	for (i = 0; i < PP_HIST_SLOTS; i++)
		sum += hist[i];
	assert_int_equal(sum, 4);
	/* a smaller mean later: the max stays, the total adds up */
	pp_add_mean_waits(hist, &wait, &max, 3000, 3);
	assert_int_equal(wait, 8003000);
	assert_int_equal(max, 2000000);
	assert_int_equal(hist[pp_hist_slot_ns(1000)], 3);
	/* nothing new: nothing changes */
	pp_add_mean_waits(hist, &wait, &max, 0, 0);
	assert_int_equal(wait, 8003000);
	for (sum = 0, i = 0; i < PP_HIST_SLOTS; i++)
		sum += hist[i];
	assert_int_equal(sum, 7);
	/* a huge mean goes to the last slot */
	pp_add_mean_waits(hist, &wait, &max, 1ULL << 42, 1);
	assert_int_equal(hist[PP_HIST_SLOTS - 1], 1);
	assert_int_equal(max, 1ULL << 42);
	/* a switch-in without a wait is one wait of 0 in slot 0 */
	pp_add_mean_waits(hist, &wait, &max, 0, 2);
	assert_int_equal(hist[0], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_mean_waits),
		cmocka_unit_test(test_add_mean_waits),
	};

	return cmocka_run_group_tests_name("sched_source", tests, NULL, NULL);
}
