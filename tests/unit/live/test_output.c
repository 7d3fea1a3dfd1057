// SPDX-License-Identifier: GPL-2.0
/* output.c: JSON lines, number formatting and the 80-column tables. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include "unit.h"
#include "live/output.h"

/* ---- helpers ---- */

/* Allocations of the current test, released by its teardown (also when an
 * assertion fails half-way), so that LeakSanitizer only sees real leaks. */
static char *cap_buf, *json_text;
static json_t *json_obj;

static int release(void **state)
{
	(void)state;
	free(cap_buf);
	cap_buf = NULL;
	free(json_text);
	json_text = NULL;
	json_decref(json_obj);
	json_obj = NULL;
	return 0;
}

/* Keep the latest JSON text (the previous one is freed). */
static char *keep_text(char *t)
{
	free(json_text);
	json_text = t;
	return t;
}

static json_t *parse_obj(const char *text)
{
	json_error_t e;
	json_t *o;

	if (!text)
		fail_msg("no JSON produced (NULL)");
	if (strchr(text, '\n'))
		fail_msg("JSON line contains a newline: %s", text);
	o = json_loads(text, 0, &e);
	if (!o)
		fail_msg("invalid JSON (%s at %d): %s", e.text, e.position, text);
	json_decref(json_obj);
	json_obj = o; /* the previous object is released */
	if (!json_is_object(o))
		fail_msg("not an object: %s", text);
	return o;
}

/* The object has exactly these keys. */
static void expect_keys(json_t *o, const char *what, const char *const *keys)
{
	size_t n = 0;

	for (; keys[n]; n++)
		if (!json_object_get(o, keys[n]))
			fail_msg("%s: no key '%s'", what, keys[n]);
	if (json_object_size(o) != n)
		fail_msg("%s: %zu keys, expected %zu", what, json_object_size(o), n);
}

static void expect_int(json_t *o, const char *key, json_int_t want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("'%s' is not an integer", key);
	if (json_integer_value(v) != want)
		fail_msg("'%s' = %lld, expected %lld", key, (long long)json_integer_value(v),
			 (long long)want);
}

static void expect_num(json_t *o, const char *key, double want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fail_msg("'%s' is not a number", key);
	if (fabs(json_number_value(v) - want) > 1e-6) /* rounding is to 0.1 or 0.001 */
		fail_msg("'%s' = %.17g, expected %.17g", key, json_number_value(v), want);
}

static void expect_str(json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("'%s' is not a string", key);
	if (strcmp(json_string_value(v), want))
		fail_msg("'%s' = \"%s\", expected \"%s\"", key, json_string_value(v), want);
}

static void expect_bool(json_t *o, const char *key, bool want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v))
		fail_msg("'%s' is not a boolean", key);
	if (json_is_true(v) != want)
		fail_msg("'%s' is %s, expected %s", key, json_is_true(v) ? "true" : "false",
			 want ? "true" : "false");
}

static const char *const hist_keys[] = {"count", "p50", "p90", "p99", "max", NULL};

static void expect_hist(json_t *o, const char *key, uint64_t count, double p50, double p90,
			double p99, double max)
{
	json_t *h = json_object_get(o, key);

	if (!json_is_object(h))
		fail_msg("'%s' is not an object", key);
	expect_keys(h, key, hist_keys);
	expect_int(h, "count", (json_int_t)count);
	expect_num(h, "p50", p50);
	expect_num(h, "p90", p90);
	expect_num(h, "p99", p99);
	expect_num(h, "max", max);
}

static json_t *sub(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_object(v))
		fail_msg("'%s' is not an object", key);
	return v;
}

/* Run a writer into memory; `buf` is valid until the next CAPTURE. */
#define CAPTURE(buf, call) do {                                   \
		size_t _len;                                      \
		FILE *f;                                          \
		free(cap_buf);                                    \
		cap_buf = NULL;                                   \
		f = open_memstream(&cap_buf, &_len);              \
		assert_non_null(f);                               \
		call;                                             \
		fclose(f);                                        \
		(buf) = cap_buf;                                  \
	} while (0)

/* Every line of text is at most `max` columns (ASCII input); returns lines. */
static int check_width(const char *text, size_t max, const char *what)
{
	const char *p = text;
	int lines = 0;

	while (*p) {
		size_t len = strcspn(p, "\n");

		if (len > max)
			fail_msg("%s: line of %zu columns (max %zu):\n%.*s", what, len, max, (int)len, p);
		lines++;
		p += len;
		if (*p == '\n')
			p++;
	}
	return lines;
}

static struct interval_info info(void)
{
	struct interval_info ii;

	memset(&ii, 0, sizeof(ii));
	ii.ts = 1700000000.1234;
	ii.interval_s = 1.0;
	ii.nprocs = 3;
	return ii;
}

static struct proc_sample full_sample(void)
{
	struct proc_sample s;

	memset(&s, 0, sizeof(s));
	s.pid = 4321;
	strcpy(s.comm, "worker-1");
	strcpy(s.cgroup, "/system.slice/app.service");
	s.exited = true;
	s.kthread = false;
	s.has_mem = true;
	s.oncpu_ns = 123456789012ULL;
	s.runq_wait_ns = 3456789;
	s.runq_lat_us.count = 42;
	s.runq_lat_us.p50 = 3.54;   /* rounded to 0.1 */
	s.runq_lat_us.p90 = 7.06;
	s.runq_lat_us.p99 = 12.5;
	s.runq_lat_us.max = 20.0;
	s.nvcsw = 17;
	s.nivcsw = 5;
	s.migrations = 2;
	s.minflt = 11;
	s.majflt = 1;
	s.rss_bytes = 123456789;
	s.rss_peak_bytes = 223456789;
	s.reclaim_stall_ns = 5000;
	s.reclaim_count = 3;
	s.oom_kills = 1;
	s.read_bytes = 1048576;
	s.write_bytes = 2097152;
	s.read_ops = 4;
	s.write_ops = 8;
	s.io_lat_us.count = 12;
	s.io_lat_us.p50 = 100.0;
	s.io_lat_us.p90 = 200.0;
	s.io_lat_us.p99 = 300.0;
	s.io_lat_us.max = 400.0;
	s.io_queue_us.count = 12;
	s.io_queue_us.p50 = 1.0;
	s.io_queue_us.p90 = 2.0;
	s.io_queue_us.p99 = 3.0;
	s.io_queue_us.max = 4.0;
	s.tx_bytes = 5000;
	s.rx_bytes = 6000;
	s.retrans = 7;
	s.resets = 8;
	s.connects = 9;
	s.accepts = 10;
	s.closes = 11;
	s.rtt_us.count = 6;
	s.rtt_us.p50 = 50.0;
	s.rtt_us.p90 = 60.0;
	s.rtt_us.p99 = 70.0;
	s.rtt_us.max = 80.0;
	return s;
}

static const char *const cpu_keys[] = {"oncpu_ns", "runq_wait_ns", "runq_lat_us", "nvcsw",
				       "nivcsw", "migrations", NULL};
static const char *const mem_keys[] = {"minflt", "majflt", "rss_bytes", "rss_peak_bytes",
				       "reclaim_stall_ns", "reclaim_count", "oom_kills", NULL};
static const char *const io_keys[] = {"read_bytes", "write_bytes", "read_ops", "write_ops",
				      "lat_us", "queue_us", NULL};
static const char *const net_keys[] = {"tx_bytes", "rx_bytes", "retrans", "resets", "connects",
				       "accepts", "closes", "rtt_us", NULL};

static void expect_groups(json_t *o)
{
	json_t *cpu = sub(o, "cpu"), *mem = sub(o, "mem"), *io = sub(o, "io"), *net = sub(o, "net");

	expect_keys(cpu, "cpu", cpu_keys);
	expect_int(cpu, "oncpu_ns", 123456789012LL);
	expect_int(cpu, "runq_wait_ns", 3456789);
	expect_hist(cpu, "runq_lat_us", 42, 3.5, 7.1, 12.5, 20.0);
	expect_int(cpu, "nvcsw", 17);
	expect_int(cpu, "nivcsw", 5);
	expect_int(cpu, "migrations", 2);

	expect_keys(mem, "mem", mem_keys);
	expect_int(mem, "minflt", 11);
	expect_int(mem, "majflt", 1);
	expect_int(mem, "rss_bytes", 123456789);
	expect_int(mem, "rss_peak_bytes", 223456789);
	expect_int(mem, "reclaim_stall_ns", 5000);
	expect_int(mem, "reclaim_count", 3);
	expect_int(mem, "oom_kills", 1);

	expect_keys(io, "io", io_keys);
	expect_int(io, "read_bytes", 1048576);
	expect_int(io, "write_bytes", 2097152);
	expect_int(io, "read_ops", 4);
	expect_int(io, "write_ops", 8);
	expect_hist(io, "lat_us", 12, 100, 200, 300, 400);
	expect_hist(io, "queue_us", 12, 1, 2, 3, 4);

	expect_keys(net, "net", net_keys);
	expect_int(net, "tx_bytes", 5000);
	expect_int(net, "rx_bytes", 6000);
	expect_int(net, "retrans", 7);
	expect_int(net, "resets", 8);
	expect_int(net, "connects", 9);
	expect_int(net, "accepts", 10);
	expect_int(net, "closes", 11);
	expect_hist(net, "rtt_us", 6, 50, 60, 70, 80);
}

/* ---- JSON ---- */

static void test_sample_json_fields(void **state)
{
	static const char *const top[] = {"type", "ts", "interval_s", "pid", "comm", "cgroup",
					  "exited", "kthread", "cpu", "mem", "io", "net", NULL};
	struct proc_sample s = full_sample();
	struct interval_info ii = info();
	char *text;
	json_t *o;

	(void)state;
	ii.interval_s = 2.00049; /* rounded to the millisecond */
	text = keep_text(sample_json(&s, &ii));
	o = parse_obj(text);
	expect_keys(o, "process", top);
	expect_str(o, "type", "process");
	expect_num(o, "ts", 1700000000.123);
	expect_num(o, "interval_s", 2.0);
	expect_int(o, "pid", 4321);
	expect_str(o, "comm", "worker-1");
	expect_str(o, "cgroup", "/system.slice/app.service");
	expect_bool(o, "exited", true);
	expect_bool(o, "kthread", false);
	expect_groups(o);

	/* the other boolean values, and a zero sample */
	memset(&s, 0, sizeof(s));
	s.pid = 2;
	s.kthread = true;
	strcpy(s.comm, "kthreadd");
	text = keep_text(sample_json(&s, &ii));
	o = parse_obj(text);
	expect_bool(o, "exited", false);
	expect_bool(o, "kthread", true);
	expect_str(o, "cgroup", "");
	expect_hist(sub(o, "cpu"), "runq_lat_us", 0, 0, 0, 0, 0);
	expect_int(sub(o, "mem"), "rss_bytes", 0);
}

static void test_sample_json_key_order(void **state)
{
	struct proc_sample s = full_sample();
	struct interval_info ii = info();
	char *text = keep_text(sample_json(&s, &ii));
	const char *keys[] = {"\"type\"", "\"ts\"", "\"interval_s\"", "\"pid\"", "\"comm\"",
			      "\"cgroup\"", "\"exited\"", "\"cpu\"", "\"mem\""};
	const char *p;
	size_t i;

	(void)state;
	assert_non_null(text);
	/* documented order, so that lines read well with grep/jq -c */
	p = text;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *q = strstr(p, keys[i]);

		if (!q)
			fail_msg("%s missing or out of order in %s", keys[i], text);
		p = q;
	}
	assert_int_equal(strncmp(text, "{\"type\":\"process\"", 17), 0);
}

static void test_sample_json_escaping(void **state)
{
	static const char nasty_comm[] = "a\"b\\c\n\t\x01\x1f/'<"; /* 14 bytes */
	static const char nasty_cgroup[] = "/we\"ird/pa\\th/\x7f/caf\xc3\xa9/\xe2\x9c\x93";
	struct proc_sample s = full_sample();
	struct interval_info ii = info();
	char *text;
	json_t *o;
	const char *c;

	(void)state;
	assert_true(strlen(nasty_comm) < PP_COMM_LEN);
	strcpy(s.comm, nasty_comm);
	strcpy(s.cgroup, nasty_cgroup);
	text = keep_text(sample_json(&s, &ii));
	o = parse_obj(text);
	/* no raw control characters in the line */
	for (c = text; *c; c++)
		if ((unsigned char)*c < 0x20)
			fail_msg("raw control character 0x%02x in %s", *c, text);
	expect_str(o, "comm", nasty_comm);
	expect_str(o, "cgroup", nasty_cgroup);
	expect_groups(o); /* the rest is unaffected */
}

/*
 * Regression, fixed (output.c, sample_json / cgroup_json): json_pack("s") requires
 * valid UTF-8, and returns NULL otherwise, so the whole line is lost
 * (cmd/stat.c's print_line silently skips NULL; output.h promises NULL only on
 * allocation failure). The kernel cuts comm at 15 bytes regardless of
 * characters, so any process with a non-ASCII name longer than 15 bytes
 * (e.g. 8 Cyrillic or accented letters) gets a comm ending in half a
 * character; comm and cgroup names may also hold any non-UTF-8 byte.
 * Input comm "\xc3\xa9" x 7 + "\xc3" ("ééééééé" cut by the kernel), expected
 * a valid JSON line, got NULL.
 */
static void test_sample_json_non_utf8_comm(void **state)
{
	struct proc_sample s = full_sample();
	struct interval_info ii = info();
	char *text;
	json_t *o;

	(void)state;
	strcpy(s.comm, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3");
	text = keep_text(sample_json(&s, &ii));
	o = parse_obj(text);
	expect_int(o, "pid", 4321);
	strcpy(s.comm, "bad\xff");
	text = keep_text(sample_json(&s, &ii));
	o = parse_obj(text);
}

static void test_interval_json(void **state)
{
	static const char *const top[] = {"type", "ts", "interval_s", "processes", "attach",
					  "dropped", NULL};
	static const char *const dropped_keys[] = {"processes", "threads", "mem",
						   "rss_unattributed", "io", "net",
						   "net_unattributed", "exit_tail_late", NULL};
	struct interval_info ii = info();
	json_t *o, *d;
	char *text;

	(void)state;
	ii.nprocs = 77;
	ii.interval_s = 0.25;
	ii.dropped[PP_CNT_PROC_DROPPED] = 101;
	ii.dropped[PP_CNT_THREAD_DROPPED] = 102;
	ii.dropped[PP_CNT_MEM_DROPPED] = 103;
	ii.dropped[PP_CNT_RSS_UNATTRIBUTED] = 104;
	ii.dropped[PP_CNT_IO_DROPPED] = 105;
	ii.dropped[PP_CNT_NET_DROPPED] = 106;
	ii.dropped[PP_CNT_NET_UNATTRIBUTED] = 107;
	ii.dropped[PP_CNT_EXIT_TAIL_LATE] = 108;
	text = keep_text(interval_json(&ii, "tp_btf"));
	o = parse_obj(text);
	expect_keys(o, "interval", top);
	expect_str(o, "type", "interval");
	expect_num(o, "ts", 1700000000.123);
	expect_num(o, "interval_s", 0.25);
	expect_int(o, "processes", 77);
	expect_str(o, "attach", "tp_btf");
	d = sub(o, "dropped");
	expect_keys(d, "dropped", dropped_keys);
	expect_int(d, "processes", 101);
	expect_int(d, "threads", 102);
	expect_int(d, "mem", 103);
	expect_int(d, "rss_unattributed", 104);
	expect_int(d, "io", 105);
	expect_int(d, "net", 106);
	expect_int(d, "net_unattributed", 107);
	expect_int(d, "exit_tail_late", 108);
	/* no attach kind */
	text = keep_text(interval_json(&ii, NULL));
	o = parse_obj(text);
	expect_str(o, "attach", "");
}

static void test_cgroup_json(void **state)
{
	static const char *const top[] = {"type", "ts", "interval_s", "cgroup", "processes", "cpu",
					  "mem", "io", "net", NULL};
	struct proc_sample g = full_sample();
	struct interval_info ii = info();
	json_t *o;
	char *text;

	(void)state;
	g.pid = 12; /* the number of processes in the group */
	g.comm[0] = 0;
	text = keep_text(cgroup_json(&g, &ii));
	o = parse_obj(text);
	expect_keys(o, "cgroup", top);
	expect_str(o, "type", "cgroup");
	expect_num(o, "ts", 1700000000.123);
	expect_num(o, "interval_s", 1.0);
	expect_str(o, "cgroup", "/system.slice/app.service");
	expect_int(o, "processes", 12);
	expect_groups(o);
}

/* ---- fmt_count, fmt_mib ---- */

static void expect_count(uint64_t v, const char *want)
{
	char buf[32];

	memset(buf, 'x', sizeof(buf));
	fmt_count(buf, sizeof(buf), v);
	if (strcmp(buf, want))
		fail_msg("fmt_count(%llu) = \"%s\", expected \"%s\"", (unsigned long long)v, buf, want);
	if (strlen(buf) > 5)
		fail_msg("fmt_count(%llu) = \"%s\" is wider than 5", (unsigned long long)v, buf);
}

static void test_fmt_count(void **state)
{
	(void)state;
	expect_count(0, "0");
	expect_count(7, "7");
	expect_count(999, "999");
	expect_count(1000, "1000");
	expect_count(9999, "9999");
	expect_count(10000, "10.0k");
	expect_count(12345, "12.3k");
	expect_count(99949, "99.9k");
	expect_count(99950, "100k");
	expect_count(123456, "123k");
	expect_count(999499, "999k");
	expect_count(1000000, "1.00M");
	expect_count(1234567, "1.23M");
	expect_count(4560000, "4.56M");
	expect_count(9994999, "9.99M");
	expect_count(9996000, "10.0M");
	expect_count(45600000, "45.6M");
	expect_count(456000000, "456M");
	expect_count(7800000000ULL, "7.80G");
	expect_count(78000000000ULL, "78.0G");
	expect_count(1000000000000ULL, "1.00T");
	expect_count(1000000000000000ULL, "1.00P");
	expect_count(1000000000000000000ULL, "1.00E");
	expect_count(UINT64_MAX, "18.4E");
}

static void test_fmt_count_widths_random(void **state)
{
	uint64_t rng = 2024;
	int i;

	(void)state;
	/* every magnitude fits 5 characters */
	for (i = 0; i < 200000; i++) {
		uint64_t v = unit_rand(&rng) >> (unit_rand(&rng) % 64);
		char buf[32];

		fmt_count(buf, sizeof(buf), v);
		if (strlen(buf) > 5 || !buf[0])
			fail_msg("fmt_count(%llu) = \"%s\"", (unsigned long long)v, buf);
	}
}

/*
 * Regression, fixed (minor, output.c fmt_count): the switch to the next unit happens
 * at 999.95 but "%.0f" rounds from 999.5, so 999500..999949 print as "1000k"
 * (four digits) instead of "1.00M"; the same at every unit (999.5M -> 1000M).
 */
static void test_fmt_count_unit_boundary(void **state)
{
	(void)state;
	expect_count(999500, "1.00M");
	expect_count(999949, "1.00M");
	expect_count(999949999ULL, "1.00G");
}

static void test_fmt_count_small_buffer(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	fmt_count(buf, 3, 12345);
	assert_string_equal(buf, "12");
	assert_int_equal(buf[3], 'x');
	fmt_count(buf, 1, 5);
	assert_string_equal(buf, "");
}

static void expect_mib(int64_t bytes, const char *want)
{
	char buf[32];

	fmt_mib(buf, sizeof(buf), bytes);
	if (strcmp(buf, want))
		fail_msg("fmt_mib(%lld) = \"%s\", expected \"%s\"", (long long)bytes, buf, want);
}

static void test_fmt_mib(void **state)
{
	(void)state;
	expect_mib(0, "0.0");
	expect_mib(1048576, "1.0");
	expect_mib(1572864, "1.5");
	expect_mib(10171187, "9.7");
	expect_mib(52428, "0.0");     /* 0.05 MiB rounds down */
	expect_mib(104858, "0.1");
	expect_mib(999LL * 1048576, "999.0");
	expect_mib(1000LL * 1048576, "1000");
	expect_mib(12345LL * 1048576, "12345");
	expect_mib(99999LL * 1048576, "99999");
	expect_mib(100000LL * 1048576, "98G");
	expect_mib(1024LL * 1024 * 1048576, "1024G");
	expect_mib(-1, "-");
	expect_mib(INT64_MIN, "-");
}

static void test_fmt_mib_width(void **state)
{
	int64_t b;
	char buf[32];

	(void)state;
	/* up to 64 TiB the RSS column (6 wide) is enough */
	for (b = 1; b <= (64LL << 40); b = b * 3 / 2 + 1) {
		fmt_mib(buf, sizeof(buf), b);
		if (strlen(buf) > 6)
			fail_msg("fmt_mib(%lld) = \"%s\" is wider than 6", (long long)b, buf);
	}
}

/* ---- tables ---- */

static void test_table_header_matches_readme(void **state)
{
	char *out = NULL;

	(void)state;
	CAPTURE(out, table_header(f));
	assert_string_equal(out, "    PID COMM             CPU%  RUNQms RQp99us   VCSW  IVCSW MINFLT  MAJF RSSMiB\n");
	assert_int_equal(check_width(out, TABLE_WIDTH, "header"), 1);
}

static void test_table_row_matches_readme(void **state)
{
	struct proc_sample s;
	char *out = NULL;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.pid = 3513;
	strcpy(s.comm, "perfpilot");
	s.oncpu_ns = 16000000; /* 1.6% of one CPU over 1 s */
	s.runq_wait_ns = 100000;
	s.runq_lat_us.p99 = 42.2;
	s.nvcsw = 4;
	s.nivcsw = 2;
	s.minflt = 37;
	s.has_mem = true;
	s.rss_bytes = 10171187;
	CAPTURE(out, table_row(f, &s, 1.0));
	assert_string_equal(out, "   3513 perfpilot         1.6     0.1      42      4      2     37     0    9.7\n");
	/* over 2 s the same CPU time is half the percentage; no memory: "-" */
	s.has_mem = false;
	s.exited = true;
	CAPTURE(out, table_row(f, &s, 2.0));
	assert_string_equal(out, "   3513 perfpilot*        0.8     0.1      42      4      2     37     0      -\n");
	/* a zero interval must not divide by zero */
	CAPTURE(out, table_row(f, &s, 0.0));
	assert_non_null(strstr(out, " 0.0 "));
}

static struct proc_sample big_realistic(void)
{
	struct proc_sample s;

	memset(&s, 0, sizeof(s));
	s.pid = 4194304;                        /* the kernel's pid limit */
	strcpy(s.comm, "abcdefghijklmno");      /* 15 characters */
	s.exited = true;
	s.oncpu_ns = 256ULL * 1000000000ULL;    /* 256 CPUs busy for 1 s */
	s.runq_wait_ns = 99999ULL * 1000000ULL; /* 99999 ms */
	s.runq_lat_us.p99 = 2147483648.0;       /* top of the last slot */
	s.nvcsw = 987654321;
	s.nivcsw = 987654321;
	s.minflt = 987654321;
	s.majflt = 987654321;
	s.has_mem = true;
	s.rss_bytes = 64LL << 40;               /* 64 TiB */
	s.read_bytes = 40ULL << 40;             /* 40 TiB in an interval */
	s.write_bytes = 40ULL << 40;
	s.read_ops = 987654321;
	s.write_ops = 987654321;
	s.io_lat_us.p50 = 2147483648.0;
	s.io_lat_us.p99 = 2147483648.0;
	s.io_queue_us.p99 = 2147483648.0;
	s.tx_bytes = 40ULL << 40;
	s.rx_bytes = 40ULL << 40;
	s.retrans = 987654321;
	s.resets = 987654321;
	s.connects = 987654321;
	s.accepts = 987654321;
	s.rtt_us.p50 = 2147483648.0;
	s.rtt_us.p99 = 2147483648.0;
	return s;
}

static void test_table_rows_fit_realistic_extremes(void **state)
{
	struct proc_sample s = big_realistic();
	char *out = NULL;

	(void)state;
	CAPTURE(out, table_row(f, &s, 1.0));
	assert_int_equal(check_width(out, TABLE_WIDTH, "table_row"), 1);
	s.oncpu_ns /= 10; /* the same 256 CPUs over the shortest -i */
	CAPTURE(out, table_row(f, &s, 0.1));
	assert_int_equal(check_width(out, TABLE_WIDTH, "table_row -i 0.1"), 1);
	CAPTURE(out, table_row_io(f, &s));
	assert_int_equal(check_width(out, TABLE_WIDTH, "table_row_io"), 1);
	CAPTURE(out, table_row_net(f, &s));
	assert_int_equal(check_width(out, TABLE_WIDTH, "table_row_net"), 1);
	CAPTURE(out, (table_header_io(f), table_header_net(f)));
	assert_int_equal(check_width(out, TABLE_WIDTH, "io/net headers"), 2);
}

static void test_table_rows_fit_random(void **state)
{
	uint64_t rng = 77;
	char *out = NULL;
	int i;

	(void)state;
	/* counters of any size a process can plausibly reach in an interval */
	for (i = 0; i < 20000; i++) {
		struct proc_sample s;

		memset(&s, 0, sizeof(s));
		s.pid = (uint32_t)(unit_rand(&rng) % 4194304) + 1;
		memset(s.comm, 'a' + (int)(unit_rand(&rng) % 26), unit_rand(&rng) % PP_COMM_LEN);
		s.exited = unit_rand(&rng) & 1;
		s.has_mem = unit_rand(&rng) & 1;
		s.oncpu_ns = unit_rand(&rng) % (64ULL * 1000000000ULL);
		s.runq_wait_ns = unit_rand(&rng) % (1ULL << 46); /* ~20 h */
		s.runq_lat_us.p99 = unit_rand01(&rng) * 2147483648.0;
		s.nvcsw = unit_rand(&rng) >> (unit_rand(&rng) % 64);
		s.nivcsw = unit_rand(&rng) >> (unit_rand(&rng) % 64);
		s.minflt = unit_rand(&rng) >> (unit_rand(&rng) % 64);
		s.majflt = unit_rand(&rng) >> (unit_rand(&rng) % 64);
		s.rss_bytes = (int64_t)(unit_rand(&rng) % (64ULL << 40));
		CAPTURE(out, table_row(f, &s, 1.0));
		check_width(out, TABLE_WIDTH, "table_row (random)");
	}
}

/*
 * Regression, fixed (output.c, table_row): output.h promises "never wider than
 * TABLE_WIDTH", but the CPU%, RUNQms and RSSMiB cells are not bounded:
 * oncpu_ns = UINT64_MAX over 1 s prints "1844674407370.9" (15 characters in a
 * 6-wide column), runq_wait_ns = UINT64_MAX prints "18446744074s" (12 in 7),
 * rss_bytes = INT64_MAX prints "8589934592G" (11 in 6): each alone makes the
 * row 84-88 columns. The same holds for table_row_io/net byte columns.
 */
static void test_table_row_type_maxima(void **state)
{
	struct proc_sample s = big_realistic();
	char *out = NULL;

	(void)state;
	s.oncpu_ns = UINT64_MAX;
	s.runq_wait_ns = UINT64_MAX;
	s.runq_lat_us.p99 = 1e30;
	s.nvcsw = s.nivcsw = s.minflt = s.majflt = UINT64_MAX;
	s.rss_bytes = INT64_MAX;
	CAPTURE(out, table_row(f, &s, 1.0));
	check_width(out, TABLE_WIDTH, "table_row (type maxima)");
	CAPTURE(out, table_row(f, &s, 1e-9));
	check_width(out, TABLE_WIDTH, "table_row (tiny interval)");
	s.read_bytes = s.write_bytes = s.tx_bytes = s.rx_bytes = INT64_MAX;
	CAPTURE(out, table_row_io(f, &s));
	check_width(out, TABLE_WIDTH, "table_row_io (type maxima)");
	CAPTURE(out, table_row_net(f, &s));
	check_width(out, TABLE_WIDTH, "table_row_net (type maxima)");
}

static void test_table_title(void **state)
{
	struct interval_info ii = info();
	char *out = NULL;

	(void)state;
	CAPTURE(out, table_title(f, &ii, 10, 10));
	assert_non_null(strstr(out, "interval 1.0 s"));
	assert_non_null(strstr(out, "10 processes active"));
	assert_null(strstr(out, "shown"));
	assert_int_equal(check_width(out, TABLE_WIDTH, "title"), 1);
	/* fewer rows than processes: says so; the longest realistic title fits */
	ii.interval_s = 366.0 * 86400; /* the longest -d/-i parse_seconds accepts */
	CAPTURE(out, table_title(f, &ii, 20, 4194304));
	assert_non_null(strstr(out, "4194304 processes active"));
	assert_non_null(strstr(out, "shown"));
	assert_int_equal(check_width(out, TABLE_WIDTH, "title"), 1);
}

static void test_table_footer(void **state)
{
	struct interval_info ii = info();
	char *out = NULL;

	(void)state;
	CAPTURE(out, table_footer(f, &ii));
	assert_string_equal(out, "");
	ii.dropped[PP_CNT_THREAD_DROPPED] = 12345;
	CAPTURE(out, table_footer(f, &ii));
	assert_non_null(strstr(out, "12345"));
	assert_int_equal(check_width(out, TABLE_WIDTH, "footer"), 1);
	ii.dropped[PP_CNT_PROC_DROPPED] = UINT64_MAX;
	ii.dropped[PP_CNT_MEM_DROPPED] = 777;
	CAPTURE(out, table_footer(f, &ii));
	assert_non_null(strstr(out, "777"));
	assert_non_null(strstr(out, "18446744073709551615"));
}

/*
 * Regression, fixed (output.c, table_footer): README: "entries that do not fit are
 * counted and shown (dropped in JSON, a footer line in the table), never
 * silently lost". The footer looks only at the process, thread and memory
 * counters: IO and TCP entries dropped because their maps are full
 * (dropped[PP_CNT_IO_DROPPED] = 5, dropped[PP_CNT_NET_DROPPED] = 6) print
 * nothing in the table; expected a footer line with 5 and 6, got "".
 */
static void test_table_footer_io_net_drops(void **state)
{
	struct interval_info ii = info();
	char *out = NULL;

	(void)state;
	ii.dropped[PP_CNT_IO_DROPPED] = 5;
	ii.dropped[PP_CNT_NET_DROPPED] = 6;
	CAPTURE(out, table_footer(f, &ii));
	if (!strstr(out, "5") || !strstr(out, "6"))
		fail_msg("IO/TCP drops not shown: footer is \"%s\"", out);
}

/*
 * Regression, fixed (output.c, CG_ROW_FMT): the comment says the cgroup table is 80
 * columns, but 33+5+6+7+7+6+6+6 plus 7 separators is 83: the --per-cgroup
 * header and every row are 83 columns wide.
 */
static void test_cgroup_table_width(void **state)
{
	struct proc_sample g = big_realistic();
	char *out = NULL;

	(void)state;
	CAPTURE(out, cgroup_table_header(f));
	check_width(out, TABLE_WIDTH, "cgroup_table_header");
	strcpy(g.cgroup, "/system.slice");
	g.pid = 3;
	CAPTURE(out, cgroup_table_row(f, &g, 1.0));
	check_width(out, TABLE_WIDTH, "cgroup_table_row");
}

static void test_cgroup_table_long_path(void **state)
{
	struct proc_sample g;
	char *out = NULL;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.pid = 2;
	strcpy(g.cgroup, "/kubepods.slice/kubepods-burstable.slice/pod1234/cri-containerd-abcdef.scope");
	CAPTURE(out, cgroup_table_row(f, &g, 1.0));
	/* the end of a long path is kept, after "..." */
	assert_int_equal(strncmp(out, "...", 3), 0);
	assert_non_null(strstr(out, "containerd-abcdef.scope "));
	strcpy(g.cgroup, "/short");
	CAPTURE(out, cgroup_table_row(f, &g, 1.0));
	assert_int_equal(strncmp(out, "/short ", 7), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_sample_json_fields, release),
		cmocka_unit_test_teardown(test_sample_json_key_order, release),
		cmocka_unit_test_teardown(test_sample_json_escaping, release),
		cmocka_unit_test_teardown(test_sample_json_non_utf8_comm, release),
		cmocka_unit_test_teardown(test_interval_json, release),
		cmocka_unit_test_teardown(test_cgroup_json, release),
		cmocka_unit_test_teardown(test_fmt_count, release),
		cmocka_unit_test_teardown(test_fmt_count_widths_random, release),
		cmocka_unit_test_teardown(test_fmt_count_unit_boundary, release),
		cmocka_unit_test_teardown(test_fmt_count_small_buffer, release),
		cmocka_unit_test_teardown(test_fmt_mib, release),
		cmocka_unit_test_teardown(test_fmt_mib_width, release),
		cmocka_unit_test_teardown(test_table_header_matches_readme, release),
		cmocka_unit_test_teardown(test_table_row_matches_readme, release),
		cmocka_unit_test_teardown(test_table_rows_fit_realistic_extremes, release),
		cmocka_unit_test_teardown(test_table_rows_fit_random, release),
		cmocka_unit_test_teardown(test_table_row_type_maxima, release),
		cmocka_unit_test_teardown(test_table_title, release),
		cmocka_unit_test_teardown(test_table_footer, release),
		cmocka_unit_test_teardown(test_table_footer_io_net_drops, release),
		cmocka_unit_test_teardown(test_cgroup_table_width, release),
		cmocka_unit_test_teardown(test_cgroup_table_long_path, release),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
