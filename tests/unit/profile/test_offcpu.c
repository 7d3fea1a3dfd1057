// SPDX-License-Identifier: GPL-2.0
/* Off-CPU profiler: the sampling of blocked time (pp_offcpu_credit, shared
 * with offcpu.bpf.c), its period, and the trimming of tracer frames. */
#include <stdlib.h>
#include "unit.h"
#include "perfpilot.h"
#include "profile/offcpu.h"

#define P49 20408163ULL /* 1e9 / 49 */

static void test_period(void **state)
{
	(void)state;
	assert_true(offcpu_period_ns(49) == P49);
	assert_true(offcpu_period_ns(1) == 1000000000ULL);
	assert_true(offcpu_period_ns(10000) == 100000ULL);
	/* the BPF side needs the period below 2^32 for its overflow-free test */
	assert_true(offcpu_period_ns(1) < (1ULL << 32));
}

/* a block of at least one period is always recorded, with its duration */
static void test_long_blocks_exact(void **state)
{
	uint32_t rs[] = { 0, 1, 0x80000000u, 0xffffffffu };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rs) / sizeof(rs[0]); i++) {
		assert_true(pp_offcpu_credit(P49, P49, rs[i]) == P49);
		assert_true(pp_offcpu_credit(P49 + 1, P49, rs[i]) == P49 + 1);
		assert_true(pp_offcpu_credit(50000000, P49, rs[i]) == 50000000);
		assert_true(pp_offcpu_credit(3600000000000ULL, P49, rs[i]) == 3600000000000ULL);
	}
}

/* a shorter one: one period when r / 2^32 < d / period, else nothing */
static void test_short_block_threshold(void **state)
{
	const uint64_t period = 4000000; /* d = period / 4: r below 2^30 */

	(void)state;
	assert_true(pp_offcpu_credit(period / 4, period, 0) == period);
	assert_true(pp_offcpu_credit(period / 4, period, (1u << 30) - 1) == period);
	assert_true(pp_offcpu_credit(period / 4, period, 1u << 30) == 0);
	assert_true(pp_offcpu_credit(period / 4, period, 0xffffffffu) == 0);
	assert_true(pp_offcpu_credit(0, period, 0) == 0);
	/* (period - 1) / period: all but the top 2^32 / period values of r */
	assert_true(pp_offcpu_credit(period - 1, period, 0xffffffffu - 2000) == period);
	assert_true(pp_offcpu_credit(period - 1, period, 0xffffffffu) == 0);
	assert_true(pp_offcpu_credit(1, 1000000000ULL, 0) == 1000000000ULL);
	assert_true(pp_offcpu_credit(1, 1000000000ULL, 5) == 0);
}

/*
 * One thread blocking at four stacks with lengths below and above the
 * period, in a repeating pattern (which would alias with a deterministic
 * sampler): every stack's credited time is its true blocked time, within
 * the sampling noise, and so is the total.
 */
static void test_unbiased_per_stack(void **state)
{
	const uint64_t len[4] = { 100000, 1500000, 19000000, 45000000 }; /* ns */
	const unsigned reps[4] = { 50, 10, 1, 1 };   /* blocks per round */
	double truth[4] = {0}, got[4] = {0}, tt = 0, tg = 0;
	uint64_t seed = 0x0ffc9u, captures = 0, blocks = 0;
	int round, s;
	unsigned i;

	(void)state;
	for (round = 0; round < 20000; round++) {
		for (s = 0; s < 4; s++) {
			for (i = 0; i < reps[s]; i++) {
				uint64_t c = pp_offcpu_credit(len[s], P49,
							      (uint32_t)(unit_rand(&seed) >> 32));

				truth[s] += len[s];
				got[s] += c;
				captures += c > 0;
				blocks++;
			}
		}
	}
	for (s = 0; s < 4; s++) {
		assert_dbl_in(got[s] / truth[s], 0.97, 1.03);
		tt += truth[s];
		tg += got[s];
	}
	assert_dbl_in(tg / tt, 0.99, 1.01);
	/* and far fewer stacks than blocks: about one per period of blocked
	 * time for the short blocks, one per long block */
	assert_true(captures * 10 < blocks);
}

static const char *kallsyms =
	"ffffffff81100000 T __schedule\n"
	"ffffffff81101000 T schedule\n"
	"ffffffff81102000 T do_nanosleep\n"
	"ffffffff81200000 T bpf_trace_run1\n"
	"ffffffff81201000 T __bpf_trace_sched_switch\n"
	"ffffffff81202000 T __traceiter_sched_switch\n"
	"ffffffffa0000000 t bpf_prog_4c877850aa9686c2_offcpu_resumed_btf\t[bpf]\n";

static void test_tracer_frames(void **state)
{
	const uint64_t tp[] = { 0xffffffffa0000040ULL, 0xffffffff81200010ULL,
				0xffffffff81100100ULL, 0xffffffff81101010ULL,
				0xffffffff81102020ULL };
	const uint64_t glue[] = { 0xffffffffa0000040ULL, 0xffffffff81200010ULL,
				  0xffffffff81201010ULL, 0xffffffff81202010ULL,
				  0xffffffff81100100ULL };
	const uint64_t clean[] = { 0xffffffff81100100ULL, 0xffffffff81200010ULL };
	const uint64_t unknown[] = { 0x1000, 0xffffffffa0000040ULL };
	struct ksyms k = {0}, none = {0};
	FILE *f = unit_text(kallsyms);

	(void)state;
	assert_non_null(f);
	assert_int_equal(ksyms_load(&k, f), 0);
	fclose(f);
	assert_int_equal(offcpu_tracer_frames(&k, NULL, tp, 5), 2);
	assert_int_equal(offcpu_tracer_frames(&k, NULL, glue, 5), 4);
	/* tracer names deeper in the stack stay */
	assert_int_equal(offcpu_tracer_frames(&k, NULL, clean, 2), 0);
	assert_int_equal(offcpu_tracer_frames(&k, NULL, unknown, 2), 0);
	assert_int_equal(offcpu_tracer_frames(&k, NULL, tp, 2), 2);
	assert_int_equal(offcpu_tracer_frames(&k, NULL, tp, 0), 0);
	/* no kernel symbols: nothing is dropped */
	assert_int_equal(offcpu_tracer_frames(&none, NULL, tp, 5), 0);
	{
		/* the tracer's program loaded after the symbols were read: known
		 * from the programs' table only (kallsyms names the nearest symbol
		 * below its address, here do_nanosleep) */
		const uint64_t late[] = { 0xffffffff81102840ULL, 0xffffffff81200010ULL,
					  0xffffffff81100100ULL };
		struct bpfsyms b = {0};

		assert_int_equal(offcpu_tracer_frames(&k, NULL, late, 3), 0);
		assert_int_equal(bpfsyms_add(&b, 0xffffffff81102800ULL, 0x100,
					     "bpf_prog_0123456789abcdef_offcpu_switch_b"), 0);
		assert_int_equal(offcpu_tracer_frames(&k, &b, late, 3), 2);
		bpfsyms_free(&b);
	}
	ksyms_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_long_blocks_exact),
		cmocka_unit_test(test_short_block_threshold),
		cmocka_unit_test(test_unbiased_per_stack),
		cmocka_unit_test(test_tracer_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
