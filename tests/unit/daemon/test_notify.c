// SPDX-License-Identifier: GPL-2.0
/* The sender of notifications against real local HTTP sinks: delivery in
 * order, retries with backoff, giving up, a full queue, stopping. */
#define _GNU_SOURCE
#include "post_sink.h"
#include "daemon/notify.h"

static struct notify_opts opts(const char *url)
{
	struct notify_opts o = {
		.name = "webhook", .url = url, .timeout_s = 5, .attempts = 5,
		.backoff_s = 0.02, .queue = 64,
	};
	return o;
}

static struct notifier *start(const struct notify_opts *o)
{
	char err[256] = "";
	struct notifier *n = notify_start(o, err, sizeof(err));

	if (!n)
		fail_msg("notify_start: %s", err);
	return n;
}

/* Wait until the counters say every one of `total` notifications is done. */
static void wait_done(struct notifier *n, unsigned long long total, struct notify_stats *st)
{
	double until = sink_now() + 10;

	for (;;) {
		notify_get_stats(n, st);
		if (st->sent + st->failed + st->dropped >= total && !st->queued)
			return;
		if (sink_now() > until)
			fail_msg("not done after 10 s: sent %llu failed %llu dropped %llu queued %zu",
				 st->sent, st->failed, st->dropped, st->queued);
		usleep(5000);
	}
}

static void test_delivers_in_order(void **state)
{
	struct post_sink s;
	struct notify_opts o;
	struct notify_stats st;
	struct notifier *n;
	char url[128], body[32];
	int i;

	(void)state;
	sink_start(&s, NULL, 0);
	snprintf(url, sizeof(url), "%s/hook", s.url);
	o = opts(url);
	n = start(&o);
	for (i = 0; i < 10; i++) {
		snprintf(body, sizeof(body), "{\"seq\":%d}", i);
		assert_true(notify_post(n, body, "test"));
	}
	assert_true(sink_wait(&s, 10, 10));
	wait_done(n, 10, &st);
	assert_int_equal(st.sent, 10);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.retried, 0);
	assert_int_equal(st.dropped, 0);
	notify_stop(n, notify_clock() + 5);
	assert_int_equal(sink_count(&s), 10);
	for (i = 0; i < 10; i++) {
		json_t *j = sink_json(&s, (size_t)i);

		assert_string_equal(s.req[i].method, "POST");
		assert_string_equal(s.req[i].path, "/hook");
		assert_string_equal(s.req[i].ctype, "application/json");
		assert_int_equal(json_integer_value(json_object_get(j, "seq")), i);
		json_decref(j);
	}
	sink_stop(&s);
}

/* 500 twice, then 200: delivered at the third attempt, the same body. */
static void test_retries_after_500(void **state)
{
	static const int script[] = { 500, 500, 200 };
	struct post_sink s;
	struct notify_opts o;
	struct notify_stats st;
	struct notifier *n;
	double t0;

	(void)state;
	sink_start(&s, script, 3);
	o = opts(s.url);
	o.backoff_s = 0.1;
	n = start(&o);
	t0 = sink_now();
	assert_true(notify_post(n, "{\"a\":1}", "test"));
	assert_true(sink_wait(&s, 3, 10));
	wait_done(n, 1, &st);
	/* two waits: 0.05..0.1 s, then 0.1..0.2 s (backoff doubled, jitter) */
	assert_dbl_in(sink_now() - t0, 0.15, 8);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.retried, 2);
	assert_int_equal(st.failed, 0);
	notify_stop(n, notify_clock() + 1);
	assert_int_equal(sink_count(&s), 3);
	assert_string_equal(s.req[0].body, "{\"a\":1}");
	assert_string_equal(s.req[2].body, "{\"a\":1}");
	sink_stop(&s);
}

/* A 400 is the sink refusing the body: no retry. Then the next one goes. */
static void test_client_error_not_retried(void **state)
{
	static const int script[] = { 400 };
	struct post_sink s;
	struct notify_opts o;
	struct notify_stats st;
	struct notifier *n;

	(void)state;
	sink_start(&s, script, 1);
	o = opts(s.url);
	n = start(&o);
	assert_true(notify_post(n, "{\"a\":1}", "test"));
	assert_true(notify_post(n, "{\"a\":2}", "test"));
	assert_true(sink_wait(&s, 2, 10));
	wait_done(n, 2, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.retried, 0);
	notify_stop(n, notify_clock() + 1);
	assert_int_equal(sink_count(&s), 2);
	sink_stop(&s);
}

/* Connection refused: each tried `attempts` times, then failed; posting
 * never waits for it. */
static void test_dead_sink_fails_without_blocking(void **state)
{
	struct notify_opts o;
	struct notify_stats st;
	struct notifier *n;
	char url[128];
	double t0;
	int i;

	(void)state;
	sink_dead_url(url, sizeof(url));
	o = opts(url);
	o.attempts = 3;
	o.backoff_s = 0.01;
	n = start(&o);
	t0 = sink_now();
	for (i = 0; i < 5; i++)
		assert_true(notify_post(n, "{}", "test"));
	/* generous: a sender that blocked the caller would take 5 x 3 attempts */
	assert_dbl_le(sink_now() - t0, 0.5);
	wait_done(n, 5, &st);
	assert_int_equal(st.failed, 5);
	assert_int_equal(st.retried, 10);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.dropped, 0);
	notify_stop(n, notify_clock() + 1);
}

/* A full queue drops what comes and counts it; stopping does not wait for
 * a retry due after the deadline; what is left then counts. */
static void test_queue_overflow_drops(void **state)
{
	struct notify_opts o;
	struct notify_stats st;
	struct notifier *n;
	char url[128];
	double t0;
	int i, ok = 0;

	(void)state;
	sink_dead_url(url, sizeof(url));
	o = opts(url);
	o.attempts = 2;
	o.backoff_s = 30;       /* the first retry waits 15..30 s */
	o.queue = 3;
	n = start(&o);
	for (i = 0; i < 10; i++)
		ok += notify_post(n, "{}", "test");
	notify_get_stats(n, &st);
	assert_int_equal(ok, 3);
	assert_int_equal(st.dropped, 7);
	assert_int_equal(st.queued, 3);
	t0 = sink_now();
	notify_stop(n, notify_clock() + 0.3);
	assert_dbl_le(sink_now() - t0, 2);
}

/* notify_stop delivers what is queued before it returns. */
static void test_stop_flushes(void **state)
{
	struct post_sink s;
	struct notify_opts o;
	struct notifier *n;
	int i;

	(void)state;
	sink_start(&s, NULL, 0);
	o = opts(s.url);
	n = start(&o);
	for (i = 0; i < 20; i++)
		assert_true(notify_post(n, "{\"x\":true}", "test"));
	notify_stop(n, notify_clock() + 10);
	assert_int_equal(sink_count(&s), 20);
	sink_stop(&s);
}

/* A sink that accepts and never answers: stopping gives up the request in
 * flight at the deadline, not at the 30 s timeout. */
static void test_stop_abandons_hung_request(void **state)
{
	struct notify_opts o;
	struct notifier *n;
	char url[128];
	double t0;
	int fd;

	(void)state;
	fd = sink_silent(url, sizeof(url));
	o = opts(url);
	o.timeout_s = 30;
	n = start(&o);
	assert_true(notify_post(n, "{}", "test"));
	usleep(200 * 1000);
	t0 = sink_now();
	notify_stop(n, notify_clock() + 0.3);
	assert_dbl_le(sink_now() - t0, 3);
	close(fd);
}

/* New settings: a new URL takes what is posted next; without a URL,
 * posting drops. */
static void test_update(void **state)
{
	struct post_sink a, b;
	struct notify_opts o;
	struct notify_stats st;
	struct notifier *n;

	(void)state;
	sink_start(&a, NULL, 0);
	sink_start(&b, NULL, 0);
	o = opts(a.url);
	n = start(&o);
	assert_true(notify_post(n, "{\"to\":\"a\"}", "test"));
	assert_true(sink_wait(&a, 1, 10));
	o.url = b.url;
	assert_int_equal(notify_update(n, &o), 0);
	assert_true(notify_post(n, "{\"to\":\"b\"}", "test"));
	assert_true(sink_wait(&b, 1, 10));
	assert_string_equal(b.req[0].body, "{\"to\":\"b\"}");
	wait_done(n, 2, &st);
	assert_int_equal(st.sent, 2);
	o.url = NULL;
	assert_int_equal(notify_update(n, &o), 0);
	assert_false(notify_post(n, "{}", "test"));
	notify_get_stats(n, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.sent, 2);
	notify_stop(n, notify_clock() + 1);
	assert_int_equal(sink_count(&a), 1);
	assert_int_equal(sink_count(&b), 1);
	sink_stop(&a);
	sink_stop(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivers_in_order),
		cmocka_unit_test(test_retries_after_500),
		cmocka_unit_test(test_client_error_not_retried),
		cmocka_unit_test(test_dead_sink_fails_without_blocking),
		cmocka_unit_test(test_queue_overflow_drops),
		cmocka_unit_test(test_stop_flushes),
		cmocka_unit_test(test_stop_abandons_hung_request),
		cmocka_unit_test(test_update),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
