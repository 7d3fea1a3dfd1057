// SPDX-License-Identifier: GPL-2.0
/* devices.c: per-disk counters summed over CPUs, interval differences; the
 * slots of the direct-mapped tables the BPF programs share (perfpilot.h). */
#include <stdbool.h>
#include <stdlib.h>
#include "unit.h"
#include "collect/devices.h"

/* A disk's completions split over CPUs add up to the whole. */
static void test_dev_stats_add(void **state)
{
	struct pp_dev_stats whole, sum, cpu[4];
	unsigned int i, k;

	(void)state;
	memset(&whole, 0, sizeof(whole));
	memset(cpu, 0, sizeof(cpu));
	srand(11);
	for (i = 0; i < 4000; i++) {
		struct pp_dev_stats *d[2] = {&whole, &cpu[rand() % 4]};
		uint64_t bytes = (uint64_t)(rand() % 256 + 1) * 512, lat = (uint64_t)rand() % 9000000;
		bool write = rand() % 2;

		for (k = 0; k < 2; k++) {
			*(write ? &d[k]->write_bytes : &d[k]->read_bytes) += bytes;
			*(write ? &d[k]->write_ops : &d[k]->read_ops) += 1;
			d[k]->lat_hist[pp_hist_slot_ns(lat)]++;
			d[k]->queue_hist[pp_hist_slot_ns(lat / 7)]++;
			if (lat > d[k]->lat_max_ns)
				d[k]->lat_max_ns = lat;
		}
	}
	memset(&sum, 0, sizeof(sum));
	for (k = 0; k < 4; k++)
		dev_stats_add(&sum, &cpu[k]);
	assert_memory_equal(&sum, &whole, sizeof(sum));
	/* in flight: added (issued on one CPU, completed on another), largest kept */
	memset(&sum, 0, sizeof(sum));
	cpu[0].inflight = 5;
	cpu[0].inflight_max = 7;
	cpu[1].inflight = -3;
	cpu[1].inflight_max = 9;
	dev_stats_add(&sum, &cpu[0]);
	dev_stats_add(&sum, &cpu[1]);
	assert_int_equal(sum.inflight, 2);
	assert_int_equal(sum.inflight_max, 9);
}

/* Summed snapshots difference like one counter would. */
static void test_dev_diff_of_sums(void **state)
{
	struct dev_raw prev, cur;
	struct pp_dev_stats a, b;
	struct dev_sample out;

	(void)state;
	memset(&prev, 0, sizeof(prev));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	prev.dev = cur.dev = PP_DEV_MKDEV(7, 3);
	a.write_bytes = 16384;
	a.write_ops = 1;
	a.lat_hist[8] = 1;
	a.lat_max_ns = 200000;
	dev_stats_add(&prev.st, &a);
	cur = prev;
	b.write_bytes = 3 * 16384;
	b.write_ops = 3;
	b.lat_hist[8] = 3;
	b.lat_max_ns = 150000;
	dev_stats_add(&cur.st, &b); /* another CPU's slot, read later */
	cur.st.inflight = 2;
	cur.st.inflight_max = 4;
	assert_int_equal(dev_diff(&prev, 1, &cur, 1, &out), 1);
	assert_int_equal(out.write_bytes, 3 * 16384);
	assert_int_equal(out.write_ops, 3);
	assert_int_equal(out.lat_us.count, 3);
	assert_int_equal(out.inflight, 2);
	assert_int_equal(out.inflight_peak, 4);
}

/* Every key has a slot in range, the slot is the same in the BPF programs
 * and here (one function), and consecutive pids spread over the table. */
static void test_slot_of_spreads(void **state)
{
	unsigned int count[PP_IO_SLOTS] = {0}, bits, i, lo = ~0u, hi = 0;
	__u32 key;

	(void)state;
	for (bits = 1; bits <= 12; bits++)
		for (key = 0; key < 100000; key += 7)
			assert_true(pp_slot_of(key, bits) < (1u << bits));
	assert_true(pp_slot_of(0xffffffffu, PP_IO_SLOTS_BITS) < PP_IO_SLOTS);
	for (key = 300; key < 300 + 64 * PP_IO_SLOTS; key++)
		count[pp_slot_of(key, PP_IO_SLOTS_BITS)]++;
	for (i = 0; i < PP_IO_SLOTS; i++) {
		lo = count[i] < lo ? count[i] : lo;
		hi = count[i] > hi ? count[i] : hi;
	}
	/* 64 each on average: Fibonacci hashing keeps every slot within 25 % */
	assert_true(lo >= 48 && hi <= 80);
	/* 64 consecutive pids (a parent and its children) collide rarely */
	memset(count, 0, sizeof(count));
	for (key = 4000, hi = 0; key < 4000 + PP_IO_SLOTS; key++)
		if (++count[pp_slot_of(key, PP_IO_SLOTS_BITS)] > 1)
			hi++;
	assert_true(hi <= PP_IO_SLOTS / 4);
	/* the disks of a host: major 8 (sd), 253 (virtio, dm), 259 (nvme), 7 (loop) */
	assert_true(pp_slot_of(PP_DEV_MKDEV(8, 0), PP_DEV_SLOTS_BITS) !=
		    pp_slot_of(PP_DEV_MKDEV(8, 16), PP_DEV_SLOTS_BITS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dev_stats_add),
		cmocka_unit_test(test_dev_diff_of_sums),
		cmocka_unit_test(test_slot_of_spreads),
	};

	return cmocka_run_group_tests_name("devices", tests, NULL, NULL);
}
