// SPDX-License-Identifier: GPL-2.0
/* hostmetrics.c: PSI, /proc/stat, /proc/meminfo, /proc/diskstats, cgroup values. */
#include <stdlib.h>
#include "unit.h"
#include "collect/hostmetrics.h"

static void test_psi(void **state)
{
	struct psi_totals p;
	FILE *f;

	(void)state;
	f = unit_text("some avg10=1.50 avg60=0.20 avg300=0.05 total=123456789\n"
		      "full avg10=0.00 avg60=0.00 avg300=0.00 total=42\n");
	assert_int_equal(psi_parse(f, &p), 0);
	fclose(f);
	assert_true(p.has_some && p.has_full);
	assert_int_equal(p.some_us, 123456789);
	assert_int_equal(p.full_us, 42);
	/* cpu.pressure of older kernels: no full line */
	f = unit_text("some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n");
	assert_int_equal(psi_parse(f, &p), 0);
	fclose(f);
	assert_true(p.has_some);
	assert_false(p.has_full);
	assert_int_equal(p.some_us, 7);
	f = unit_text("");
	assert_int_equal(psi_parse(f, &p), -1);
	fclose(f);
	f = unit_text("garbage\nsome total=x\n");
	assert_int_equal(psi_parse(f, &p), -1);
	fclose(f);
}

static void test_cpu_stat(void **state)
{
	struct cpu_stat c;
	FILE *f;

	(void)state;
	f = unit_text("cpu  100 5 50 9000 30 7 3 2 0 0\n"
		      "cpu0 50 2 25 4500 15 3 1 1 0 0\n"
		      "intr 12345 0 0\n"
		      "ctxt 999\n"
		      "procs_running 4\n"
		      "procs_blocked 1\n");
	assert_int_equal(cpu_stat_parse(f, &c), 0);
	fclose(f);
	/* user + nice + system + irq + softirq + steal; not idle, not iowait */
	assert_int_equal(c.busy_ticks, 100 + 5 + 50 + 7 + 3 + 2);
	assert_true(c.has_running);
	assert_int_equal(c.procs_running, 4);
	f = unit_text("cpu0 1 2 3 4\n");
	assert_int_equal(cpu_stat_parse(f, &c), -1);
	fclose(f);
}

static void test_meminfo(void **state)
{
	struct mem_info m;
	FILE *f;

	(void)state;
	f = unit_text("MemTotal:        2048000 kB\n"
		      "MemFree:          100000 kB\n"
		      "MemAvailable:    1024000 kB\n"
		      "Buffers:           10000 kB\n");
	assert_int_equal(meminfo_parse(f, &m), 0);
	fclose(f);
	assert_int_equal(m.total_bytes, 2048000ull * 1024);
	assert_true(m.has_available);
	assert_int_equal(m.available_bytes, 1024000ull * 1024);
	f = unit_text("MemFree: 1 kB\n");
	assert_int_equal(meminfo_parse(f, &m), -1);
	fclose(f);
}

static void test_diskstats(void **state)
{
	struct disk_stat d[4];
	FILE *f;

	(void)state;
	f = unit_text(
		" 254       0 vda 23316 7553 1649662 9402 141268 104937 4584664 148338 0 139048 176260 0 0 0 0 1474 18519\n"
		" 254       1 vda1 23100 7553 1640000 9300 141000 104937 4584000 148000 2 139000 176000\n"
		"   7       0 loop0 5 0 10 0 0 0 0 0 0 4 0 0 0 0 0\n"
		"bad line\n");
	assert_int_equal(diskstats_parse(f, d, 4), 3);
	fclose(f);
	assert_string_equal(d[0].name, "vda");
	assert_int_equal(d[0].io_ticks_ms, 139048);
	assert_string_equal(d[1].name, "vda1");
	assert_int_equal(d[1].io_ticks_ms, 139000);
	assert_int_equal(d[2].io_ticks_ms, 4);
	/* at most max entries */
	f = unit_text(" 7 0 loop0 5 0 10 0 0 0 0 0 0 4 0\n 7 1 loop1 5 0 10 0 0 0 0 0 0 9 0\n");
	assert_int_equal(diskstats_parse(f, d, 1), 1);
	fclose(f);
}

static void test_cg_value(void **state)
{
	uint64_t v;
	FILE *f;

	(void)state;
	f = unit_text("123456\n");
	assert_int_equal(cg_value_parse(f, &v), 1);
	fclose(f);
	assert_int_equal(v, 123456);
	f = unit_text("max\n");
	assert_int_equal(cg_value_parse(f, &v), 0);
	fclose(f);
	/* v1's "no limit" */
	f = unit_text("9223372036854771712\n");
	assert_int_equal(cg_value_parse(f, &v), 0);
	fclose(f);
	f = unit_text("12abc\n");
	assert_int_equal(cg_value_parse(f, &v), -1);
	fclose(f);
	f = unit_text("");
	assert_int_equal(cg_value_parse(f, &v), -1);
	fclose(f);
	f = unit_text("-5\n");
	assert_int_equal(cg_value_parse(f, &v), -1);
	fclose(f);
	assert_int_equal(counter_delta(10, 4), 6);
	assert_int_equal(counter_delta(4, 10), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psi),
		cmocka_unit_test(test_cpu_stat),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_diskstats),
		cmocka_unit_test(test_cg_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
