// SPDX-License-Identifier: GPL-2.0
/* top_layout.c: the views of `perfpilot top`, their widths, rows and sorting. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include "unit.h"
#include "collect/devices.h"
#include "live/top_layout.h"

static const enum top_view all_views[] = {TOP_VIEW_SCHED, TOP_VIEW_IO, TOP_VIEW_NET};
#define NVIEWS (sizeof(all_views) / sizeof(all_views[0]))

/* A sample with every field at its largest (or most awkward) value. */
static void extreme_sample(struct proc_sample *s)
{
	struct hist_summary h;

	memset(s, 0, sizeof(*s));
	memset(&h, 0, sizeof(h));
	h.p50 = 1e30;
	h.p99 = DBL_MAX;
	s->pid = UINT32_MAX;
	memset(s->comm, 0xff, sizeof(s->comm) - 1);
	s->exited = true;
	s->has_mem = true;
	s->oncpu_ns = s->runq_wait_ns = s->nvcsw = s->nivcsw = s->migrations = UINT64_MAX;
	s->minflt = s->majflt = s->reclaim_stall_ns = UINT64_MAX;
	s->rss_bytes = INT64_MAX;
	s->runq_lat_us = h;
	s->read_bytes = s->write_bytes = s->read_ops = s->write_ops = UINT64_MAX;
	s->io_lat_us = h;
	s->io_queue_us = h;
	s->tx_bytes = s->rx_bytes = s->retrans = s->resets = UINT64_MAX;
	s->connects = s->accepts = s->closes = UINT64_MAX;
	s->rtt_us = h;
	s->rtt_us.p50 = NAN;
}

static void typical_sample(struct proc_sample *s, uint32_t pid)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	snprintf(s->comm, sizeof(s->comm), "proc%u", pid);
	s->oncpu_ns = 250000000;
	s->read_bytes = 12 << 20;
	s->write_bytes = 200 << 20;
	s->read_ops = 30;
	s->write_ops = 200;
	s->io_lat_us.p50 = 812;
	s->io_lat_us.p99 = 4100;
	s->io_queue_us.p99 = 35;
	s->tx_bytes = 3 << 20;
	s->rx_bytes = 1 << 20;
	s->connects = 2;
	s->rtt_us.p50 = 40;
	s->rtt_us.p99 = 120;
}

static void test_never_wider(void **state)
{
	struct proc_sample ex, ty;
	struct top_layout l;
	char buf[600];
	size_t v;
	int w;

	(void)state;
	extreme_sample(&ex);
	typical_sample(&ty, 4242);
	for (v = 0; v < NVIEWS; v++)
		for (w = 0; w <= 200; w++) {
			top_layout_fit(&l, all_views[v], w);
			top_format_header(&l, buf, sizeof(buf));
			assert_true(strlen(buf) <= (size_t)w);
			top_format_row(&l, &ex, 1.0, buf, sizeof(buf));
			assert_true(strlen(buf) <= (size_t)w);
			top_format_row(&l, &ty, 1.0, buf, sizeof(buf));
			assert_true(strlen(buf) <= (size_t)w);
			top_format_row(&l, &ty, 0.0, buf, sizeof(buf));
			assert_true(strlen(buf) <= (size_t)w);
		}
}

static void test_80_columns_show_all(void **state)
{
	struct top_layout l;
	unsigned int i;

	(void)state;
	top_layout_fit(&l, TOP_VIEW_IO, 80);
	assert_int_equal(l.ncols, top_view_ncols(TOP_VIEW_IO));
	assert_int_equal(l.ncols, 9);
	for (i = 0; i < top_view_ncols(TOP_VIEW_IO); i++)
		assert_true(top_col_shown(&l, top_view_col(TOP_VIEW_IO, i)));

	top_layout_fit(&l, TOP_VIEW_NET, 80);
	assert_int_equal(l.ncols, top_view_ncols(TOP_VIEW_NET));
	assert_int_equal(l.ncols, 10);
	for (i = 0; i < top_view_ncols(TOP_VIEW_NET); i++)
		assert_true(top_col_shown(&l, top_view_col(TOP_VIEW_NET, i)));

	/* sched: through RSSMiB, as before */
	top_layout_fit(&l, TOP_VIEW_SCHED, 80);
	for (i = TOP_PID; i <= TOP_RSS; i++)
		assert_true(top_col_shown(&l, (enum top_col)i));
	assert_false(top_col_shown(&l, TOP_RECLAIM));
	/* columns of other views are never shown */
	assert_false(top_col_shown(&l, TOP_RD_MIB));
	top_layout_fit(&l, TOP_VIEW_IO, 200);
	assert_false(top_col_shown(&l, TOP_CPU));
	assert_false(top_col_shown(&l, TOP_IO_SUM));
}

static void test_80_column_rows_fit(void **state)
{
	struct proc_sample ex;
	struct top_layout l;
	char buf[200];
	size_t v;

	(void)state;
	extreme_sample(&ex);
	for (v = 0; v < NVIEWS; v++) {
		top_layout_fit(&l, all_views[v], 80);
		top_format_header(&l, buf, sizeof(buf));
		assert_true(strlen(buf) <= 80);
		top_format_row(&l, &ex, 1.0, buf, sizeof(buf));
		assert_true(strlen(buf) <= 80);
		/* the last column's value is there, not cut off */
		assert_true(strlen(buf) > 70);
	}
}

static void expect_labels(enum top_view v, const char *const *labels, size_t n)
{
	struct top_layout l;
	char buf[300];
	const char *p;
	size_t i;

	top_layout_fit(&l, v, 80);
	top_format_header(&l, buf, sizeof(buf));
	p = buf;
	for (i = 0; i < n; i++) {
		const char *q = strstr(p, labels[i]);

		if (!q)
			fail_msg("view %s: '%s' missing or out of order in '%s'", top_view_name(v),
				 labels[i], buf);
		p = q + strlen(labels[i]);
	}
}

static void test_headers(void **state)
{
	static const char *const sched[] = {"PID", "COMM", "CPU%", "RUNQms", "RQp99us", "VCSW",
					    "IVCSW", "MIGR", "MINFLT", "MAJFLT", "RSSMiB"};
	static const char *const io[] = {"PID", "COMM", "RD_MiB", "WR_MiB", "RD_OPS", "WR_OPS",
					 "LATp50us", "LATp99us", "QUEp99us"};
	static const char *const net[] = {"PID", "COMM", "TX_MiB", "RX_MiB", "RETR", "RST",
					  "CONN", "ACC", "RTTp50us", "RTTp99us"};

	(void)state;
	expect_labels(TOP_VIEW_SCHED, sched, sizeof(sched) / sizeof(sched[0]));
	expect_labels(TOP_VIEW_IO, io, sizeof(io) / sizeof(io[0]));
	expect_labels(TOP_VIEW_NET, net, sizeof(net) / sizeof(net[0]));
	assert_string_equal(top_view_name(TOP_VIEW_SCHED), "sched");
	assert_string_equal(top_view_name(TOP_VIEW_IO), "io");
	assert_string_equal(top_view_name(TOP_VIEW_NET), "net");
}

static void test_row_values(void **state)
{
	struct proc_sample s;
	struct top_layout l;
	char buf[200];

	(void)state;
	typical_sample(&s, 77);
	top_layout_fit(&l, TOP_VIEW_IO, 80);
	top_format_row(&l, &s, 1.0, buf, sizeof(buf));
	assert_non_null(strstr(buf, "proc77"));
	assert_non_null(strstr(buf, " 12.0 "));
	assert_non_null(strstr(buf, " 200.0 "));
	assert_non_null(strstr(buf, " 812 "));
	assert_non_null(strstr(buf, " 4100 "));
	top_layout_fit(&l, TOP_VIEW_NET, 80);
	top_format_row(&l, &s, 1.0, buf, sizeof(buf));
	assert_non_null(strstr(buf, " 3.0 "));
	assert_non_null(strstr(buf, " 120"));
	/* the extreme row: too wide numbers are ###, never cut */
	extreme_sample(&s);
	top_layout_fit(&l, TOP_VIEW_IO, 80);
	top_format_row(&l, &s, 1.0, buf, sizeof(buf));
	assert_non_null(strstr(buf, "#######"));   /* the 10-digit pid */
	assert_null(strstr(buf, "inf"));
	assert_null(strstr(buf, "nan"));
}

static void test_views_cycle(void **state)
{
	(void)state;
	assert_int_equal(top_view_next(TOP_VIEW_SCHED), TOP_VIEW_IO);
	assert_int_equal(top_view_next(TOP_VIEW_IO), TOP_VIEW_NET);
	assert_int_equal(top_view_next(TOP_VIEW_NET), TOP_VIEW_DEVICES);
	assert_int_equal(top_view_next(TOP_VIEW_DEVICES), TOP_VIEW_SCHED);
	assert_string_equal(top_view_name(TOP_VIEW_DEVICES), "devices");
	assert_int_equal(top_view_ncols(TOP_VIEW_DEVICES), 0);
	assert_int_equal(top_view_sort(TOP_VIEW_SCHED), TOP_CPU);
	assert_int_equal(top_view_sort(TOP_VIEW_IO), TOP_IO_SUM);
	assert_int_equal(top_view_sort(TOP_VIEW_NET), TOP_NET_SUM);
	assert_int_equal(top_col_of_key(SORT_IO), TOP_IO_SUM);
	assert_int_equal(top_col_of_key(SORT_NET), TOP_NET_SUM);
	assert_true(top_sort_marks(TOP_IO_SUM, TOP_RD_MIB));
	assert_true(top_sort_marks(TOP_IO_SUM, TOP_WR_MIB));
	assert_false(top_sort_marks(TOP_IO_SUM, TOP_RD_OPS));
	assert_true(top_sort_marks(TOP_NET_SUM, TOP_TX_MIB));
	assert_true(top_sort_marks(TOP_NET_SUM, TOP_RX_MIB));
	assert_true(top_sort_marks(TOP_CPU, TOP_CPU));
	assert_false(top_sort_marks(TOP_CPU, TOP_PID));
}

static void test_filter(void **state)
{
	struct proc_sample in[4], out[4];

	(void)state;
	memset(in, 0, sizeof(in));
	in[0].pid = 1;
	in[0].oncpu_ns = 5;     /* cpu only */
	in[1].pid = 2;
	in[1].write_ops = 1;    /* io */
	in[2].pid = 3;
	in[2].closes = 1;       /* tcp */
	in[3].pid = 4;
	in[3].read_ops = 2;
	in[3].rx_bytes = 10;    /* both */
	assert_int_equal(top_view_filter(TOP_VIEW_SCHED, in, 4, out), 4);
	assert_int_equal(top_view_filter(TOP_VIEW_IO, in, 4, out), 2);
	assert_int_equal(top_view_filter(TOP_VIEW_DEVICES, in, 4, out), 0);
	assert_int_equal(out[0].pid, 2);
	assert_int_equal(out[1].pid, 4);
	assert_int_equal(top_view_filter(TOP_VIEW_NET, in, 4, out), 2);
	assert_int_equal(out[0].pid, 3);
	assert_int_equal(out[1].pid, 4);
	/* bytes alone without ops are not block IO */
	in[0].read_bytes = 4096;
	assert_false(top_view_wants(TOP_VIEW_IO, &in[0]));
	in[0].retrans = 1;
	assert_true(top_view_wants(TOP_VIEW_NET, &in[0]));
}

#define NSORT 50

static void test_sort_by_view_key(void **state)
{
	struct proc_sample s[NSORT];
	uint64_t rng = 0x1234567;
	size_t i;

	(void)state;
	for (i = 0; i < NSORT; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		s[i].pid = (uint32_t)(1000 - i);
		s[i].read_bytes = unit_rand(&rng) % 8 << 20;
		s[i].write_bytes = unit_rand(&rng) % 8 << 20;
		s[i].tx_bytes = unit_rand(&rng) % 5;
		s[i].rx_bytes = unit_rand(&rng) % 5;
		s[i].oncpu_ns = unit_rand(&rng) % 3;
		s[i].io_lat_us.p99 = (double)(unit_rand(&rng) % 4);
		s[i].rtt_us.p50 = (double)(unit_rand(&rng) % 4);
		s[i].retrans = unit_rand(&rng) % 3;
	}
	top_sort(s, NSORT, top_view_sort(TOP_VIEW_IO));
	for (i = 1; i < NSORT; i++) {
		uint64_t a = s[i - 1].read_bytes + s[i - 1].write_bytes;
		uint64_t b = s[i].read_bytes + s[i].write_bytes;

		assert_true(a > b || (a == b && s[i - 1].pid < s[i].pid));
	}
	top_sort(s, NSORT, top_view_sort(TOP_VIEW_NET));
	for (i = 1; i < NSORT; i++) {
		uint64_t a = s[i - 1].tx_bytes + s[i - 1].rx_bytes, b = s[i].tx_bytes + s[i].rx_bytes;

		assert_true(a > b || (a == b && s[i - 1].pid < s[i].pid));
	}
	top_sort(s, NSORT, top_view_sort(TOP_VIEW_SCHED));
	for (i = 1; i < NSORT; i++)
		assert_true(s[i - 1].oncpu_ns > s[i].oncpu_ns ||
			    (s[i - 1].oncpu_ns == s[i].oncpu_ns && s[i - 1].pid < s[i].pid));
	top_sort(s, NSORT, TOP_LAT_P99);
	for (i = 1; i < NSORT; i++)
		assert_true(s[i - 1].io_lat_us.p99 > s[i].io_lat_us.p99 ||
			    (s[i - 1].io_lat_us.p99 == s[i].io_lat_us.p99 &&
			     s[i - 1].pid < s[i].pid));
	top_sort(s, NSORT, TOP_RETR);
	for (i = 1; i < NSORT; i++)
		assert_true(s[i - 1].retrans > s[i].retrans ||
			    (s[i - 1].retrans == s[i].retrans && s[i - 1].pid < s[i].pid));
	top_sort(s, NSORT, TOP_PID);
	for (i = 1; i < NSORT; i++)
		assert_true(s[i - 1].pid < s[i].pid);
}

static void test_sort_step(void **state)
{
	struct top_layout l;

	(void)state;
	top_layout_fit(&l, TOP_VIEW_IO, 80);
	assert_int_equal(top_sort_step(&l, TOP_IO_SUM, -1), TOP_PID);
	assert_int_equal(top_sort_step(&l, TOP_PID, 1), TOP_IO_SUM);
	assert_int_equal(top_sort_step(&l, TOP_IO_SUM, 1), TOP_RD_MIB);
	assert_int_equal(top_sort_step(&l, TOP_QUE_P99, 1), TOP_QUE_P99);
	assert_int_equal(top_sort_step(&l, TOP_CPU, 1), TOP_PID);
	assert_int_equal(top_sort_step(&l, TOP_CPU, -1), TOP_QUE_P99);
	top_layout_fit(&l, TOP_VIEW_NET, 80);
	assert_int_equal(top_sort_step(&l, TOP_RTT_P50, 1), TOP_RTT_P99);
	assert_int_equal(top_sort_step(&l, TOP_NET_SUM, 1), TOP_TX_MIB);
	/* sched: as before, only shown columns */
	top_layout_fit(&l, TOP_VIEW_SCHED, 80);
	assert_int_equal(top_sort_step(&l, TOP_PID, 1), TOP_CPU);
	assert_int_equal(top_sort_step(&l, TOP_RSS, 1), TOP_RSS);
	assert_int_equal(top_sort_step(&l, TOP_CPU, -1), TOP_PID);
}

/* A disk with every field at its largest (or most awkward) value. */
static void extreme_dev(struct dev_sample *d)
{
	memset(d, 0, sizeof(*d));
	memset(d->name, 0xff, sizeof(d->name) - 1);
	d->dev = UINT32_MAX;
	d->read_bytes = d->write_bytes = d->read_ops = d->write_ops = UINT64_MAX;
	d->inflight = INT64_MAX;
	d->inflight_peak = INT64_MIN;
	d->lat_us.p50 = 1e30;
	d->lat_us.p99 = DBL_MAX;
	d->queue_us.p99 = NAN;
}

static void typical_dev(struct dev_sample *d, const char *name, uint64_t rd, uint64_t wr)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->read_bytes = rd;
	d->write_bytes = wr;
	d->read_ops = 120;
	d->write_ops = 300;
	d->lat_us.p50 = 812;
	d->lat_us.p99 = 4100;
	d->queue_us.p99 = 35;
	d->inflight = 3;
	d->inflight_peak = 17;
}

static void test_dev_never_wider(void **state)
{
	struct dev_sample ex, ty;
	char buf[600];
	int w;

	(void)state;
	extreme_dev(&ex);
	typical_dev(&ty, "nvme0n1", 314572800, 52428800);
	for (w = 0; w <= 200; w++) {
		top_dev_format_header(w, buf, sizeof(buf));
		assert_true(strlen(buf) <= (size_t)w);
		top_dev_format_row(w, &ex, 1.0, buf, sizeof(buf));
		assert_true(strlen(buf) <= (size_t)w);
		top_dev_format_row(w, &ex, 0.0, buf, sizeof(buf));
		assert_true(strlen(buf) <= (size_t)w);
		top_dev_format_row(w, &ex, 1e-9, buf, sizeof(buf));
		assert_true(strlen(buf) <= (size_t)w);
		top_dev_format_row(w, &ty, 1.0, buf, sizeof(buf));
		assert_true(strlen(buf) <= (size_t)w);
		/* a short buffer is never overrun either */
		top_dev_format_row(w, &ex, 1.0, buf, 10);
		assert_true(strlen(buf) <= 9);
	}
	/* columns go from the right, DEVICE last */
	assert_int_equal(top_dev_fit(0), 1);
	assert_int_equal(top_dev_fit(12), 1);
	assert_int_equal(top_dev_fit(20), 2);
	for (w = 1; w <= 200; w++)
		assert_true(top_dev_fit(w - 1) <= top_dev_fit(w));
}

static void test_dev_80_columns(void **state)
{
	static const char *const labels[] = {"DEVICE", "RD_MB/s", "WR_MB/s", "R/s", "W/s",
					     "LATp50us", "LATp99us", "QUEp99us", "INFL", "PEAK"};
	struct dev_sample ex, ty;
	char buf[200];
	const char *p = buf;
	unsigned int i;
	int x, w;

	(void)state;
	assert_int_equal(top_dev_fit(80), TOP_DEV_NCOLS);
	assert_int_equal(top_dev_fit(78), TOP_DEV_NCOLS - 1);
	top_dev_format_header(80, buf, sizeof(buf));
	assert_true(strlen(buf) <= 80);
	for (i = 0; i < TOP_DEV_NCOLS; i++) {
		const char *q = strstr(p, labels[i]);

		if (!q)
			fail_msg("'%s' missing or out of order in '%s'", labels[i], buf);
		p = q + strlen(labels[i]);
		assert_string_equal(top_dev_col_label(i), labels[i]);
		assert_true(top_dev_col_span(80, i, &x, &w));
		assert_true(w >= (int)strlen(labels[i]));
		assert_true(x + w <= 80);
		/* the label sits in its column */
		assert_int_equal(strncmp(buf + x + (i ? w - (int)strlen(labels[i]) : 0), labels[i],
					 strlen(labels[i])), 0);
	}
	assert_false(top_dev_col_span(80, TOP_DEV_NCOLS, &x, &w));
	assert_false(top_dev_col_span(40, TOP_DEV_NCOLS - 1, &x, &w));
	assert_true(top_dev_sort_marks(1) && top_dev_sort_marks(2));
	assert_false(top_dev_sort_marks(0) || top_dev_sort_marks(3));

	/* values: 300 MiB read, 50 MiB written in 2 s */
	typical_dev(&ty, "sda", 314572800, 52428800);
	top_dev_format_row(80, &ty, 2.0, buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "sda ", 4), 0);
	assert_non_null(strstr(buf, " 157.3 "));
	assert_non_null(strstr(buf, " 26.2 "));
	assert_non_null(strstr(buf, " 60 "));
	assert_non_null(strstr(buf, " 150 "));
	assert_non_null(strstr(buf, " 812 "));
	assert_non_null(strstr(buf, " 4100 "));
	assert_non_null(strstr(buf, " 35 "));
	assert_non_null(strstr(buf, " 3 "));
	assert_non_null(strstr(buf + strlen(buf) - 3, " 17"));

	/* the extreme row: every column there, numbers never cut, names made printable */
	extreme_dev(&ex);
	top_dev_format_row(80, &ex, 1.0, buf, sizeof(buf));
	assert_true(strlen(buf) <= 80);
	assert_true(strlen(buf) > 75);
	assert_int_equal(strncmp(buf, "????????????", 12), 0);
	assert_null(strstr(buf, "inf"));
	assert_null(strstr(buf, "nan"));
	assert_null(strstr(buf, "-"));
	for (i = 0; buf[i]; i++)
		assert_true(buf[i] >= 0x20 && buf[i] <= 0x7e);
}

static void test_dev_sort(void **state)
{
	struct dev_sample d[5];

	(void)state;
	typical_dev(&d[0], "sda", 10, 10);
	typical_dev(&d[1], "vdb", 0, 0);
	typical_dev(&d[2], "nvme0n1", 5, 100);
	typical_dev(&d[3], "sdb", UINT64_MAX, UINT64_MAX); /* the sum saturates */
	typical_dev(&d[4], "sdc", 15, 5);
	top_dev_sort(d, 5);
	assert_string_equal(d[0].name, "sdb");
	assert_string_equal(d[1].name, "nvme0n1");
	assert_string_equal(d[2].name, "sda"); /* ties by name */
	assert_string_equal(d[3].name, "sdc");
	assert_string_equal(d[4].name, "vdb");
	top_dev_sort(d, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_wider),
		cmocka_unit_test(test_80_columns_show_all),
		cmocka_unit_test(test_80_column_rows_fit),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_row_values),
		cmocka_unit_test(test_views_cycle),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_sort_by_view_key),
		cmocka_unit_test(test_sort_step),
		cmocka_unit_test(test_dev_never_wider),
		cmocka_unit_test(test_dev_80_columns),
		cmocka_unit_test(test_dev_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
