// SPDX-License-Identifier: GPL-2.0
/* The profile window of /debug/pprof/profile: the intervals of the last N
 * seconds merged (frames interned again), one process's stacks, the
 * bounds by age and by size. */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "unit.h"
#include "daemon/profwin.h"

/* One interval's stacks: pid 10 in hot_a (count a), pid 20 in idle (count b). */
static void interval(struct stackset *ss, double start, double len, uint64_t a, uint64_t b)
{
	uint32_t f[3];

	ss_init(ss, SS_ONCPU, 19);
	ss->start_unix = start;
	ss->duration_s = len;
	f[0] = (uint32_t)ss_frame(ss, "main", "/bin/hot", NULL, 0x10, 0x10, false);
	f[1] = (uint32_t)ss_frame(ss, "hot_a", "/bin/hot", NULL, 0x20, 0x20, false);
	f[2] = (uint32_t)ss_frame(ss, "schedule", "[kernel]", NULL, 0xffff0000, 0, true);
	if (a)
		assert_int_equal(ss_add(ss, 10, "hot", f, 2, a, a * ss->period_ns), 0);
	if (b)
		assert_int_equal(ss_add(ss, 20, "idle", (uint32_t[]){ f[0], f[2] }, 2, b,
					b * ss->period_ns), 0);
}

/* samples of frame `name` (anywhere in a stack) */
static uint64_t samples_in(const struct stackset *ss, const char *name)
{
	uint64_t n = 0;
	size_t i, j;

	for (i = 0; i < ss->nstacks; i++)
		for (j = 0; j < ss->stacks[i].n; j++)
			if (!strcmp(ss->frames[ss->stacks[i].frames[j]].name, name))
				n += ss->stacks[i].count;
	return n;
}

static void test_window(void **state)
{
	struct profwin *w = profwin_new();
	struct stackset ss, out;
	uint64_t total, ns;
	int i;

	(void)state;
	/* ten 5 s intervals ending at 1050 */
	for (i = 0; i < 10; i++) {
		interval(&ss, 1000 + 5 * i, 5, (uint64_t)(i + 1), 2);
		profwin_add(w, &ss);
		assert_null(ss.frames); /* taken */
	}
	/* the last 12 s: the intervals ending at 1040, 1045 and 1050 */
	assert_int_equal(profwin_get(w, 12, 1050, 0, &out), 0);
	assert_int_equal(samples_in(&out, "hot_a"), 8 + 9 + 10);
	assert_int_equal(samples_in(&out, "schedule"), 6);
	assert_int_equal(samples_in(&out, "main"), 27 + 6);
	ss_totals(&out, &total, &ns);
	assert_int_equal(total, 33);
	assert_int_equal(ns, 33 * (1000000000ull / 19));
	assert_int_equal(out.hz, 19);
	assert_dbl_eq(out.start_unix, 1035);
	assert_dbl_eq(out.duration_s, 15);
	/* frames are interned once however many intervals */
	assert_int_equal(out.nframes, 3);
	ss_free(&out);
	/* one process */
	assert_int_equal(profwin_get(w, 12, 1050, 20, &out), 0);
	assert_int_equal(samples_in(&out, "hot_a"), 0);
	assert_int_equal(samples_in(&out, "schedule"), 6);
	ss_free(&out);
	/* nothing that recent: empty, not an error */
	assert_int_equal(profwin_get(w, 5, 2000, 0, &out), 0);
	assert_int_equal(out.nstacks, 0);
	ss_free(&out);
	profwin_free(w);
}

/* Older than PROFWIN_MAX_S goes when newer come; beyond the bytes, the
 * oldest go and are counted. */
static void test_bounds(void **state)
{
	struct profwin *w = profwin_new();
	struct stackset ss, out;
	unsigned long long dropped;
	size_t bytes;
	int i;

	(void)state;
	interval(&ss, 0, 5, 100, 0);
	profwin_add(w, &ss);
	interval(&ss, PROFWIN_MAX_S + 10, 5, 1, 0);
	profwin_add(w, &ss);
	assert_int_equal(profwin_get(w, 1e9, PROFWIN_MAX_S + 15, 0, &out), 0);
	assert_int_equal(samples_in(&out, "hot_a"), 1); /* the first aged out */
	ss_free(&out);
	profwin_stats(w, &dropped, &bytes);
	assert_int_equal(dropped, 0);
	/* intervals of many distinct frames until the bytes bound bites */
	for (i = 0; i < 400; i++) {
		char name[300];
		uint32_t f[64];
		int k;

		ss_init(&ss, SS_ONCPU, 19);
		ss.start_unix = PROFWIN_MAX_S + 20 + 0.1 * i;
		ss.duration_s = 0.1;
		for (k = 0; k < 64; k++) {
			snprintf(name, sizeof(name), "function_%d_%d_with_a_long_name_%0200d", i, k, 0);
			f[k] = (uint32_t)ss_frame(&ss, name, "/usr/lib/libsomething.so", NULL,
						  (uint64_t)k, (uint64_t)k, false);
		}
		for (k = 0; k < 64; k++)
			assert_int_equal(ss_add(&ss, 1, "x", f, (uint32_t)k + 1, 1, 1), 0);
		profwin_add(w, &ss);
	}
	profwin_stats(w, &dropped, &bytes);
	assert_true(dropped > 0);
	assert_true(bytes <= PROFWIN_MAX_BYTES);
	assert_true(bytes > PROFWIN_MAX_BYTES / 2);
	profwin_free(w);
}

/* A frame is kept once however many intervals have it: a host's frames
 * come back interval after interval (each interval kept whole was 70 KB
 * or more). */
static void test_shared_frames(void **state)
{
	struct profwin *w = profwin_new();
	struct stackset ss, out;
	unsigned long long dropped;
	size_t bytes;
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		interval(&ss, 1000 + 5 * i, 5, 1, 1);
		profwin_add(w, &ss);
	}
	profwin_stats(w, &dropped, &bytes);
	assert_int_equal(dropped, 0);
	assert_true(bytes < 64 * 1024);
	assert_int_equal(profwin_get(w, 1e9, 1500, 0, &out), 0);
	assert_int_equal(samples_in(&out, "hot_a"), 100);
	assert_int_equal(out.nframes, 3);
	ss_free(&out);
	profwin_free(w);
}

/* Frames that aged out free their memory, and the frame table shrinks to
 * what the window holds; the intervals left keep their names. */
static void test_frames_freed(void **state)
{
	struct profwin *w = profwin_new();
	struct stackset ss, out;
	unsigned long long dropped;
	size_t bytes, peak;
	int i, k;

	(void)state;
	for (i = 0; i < 50; i++) {
		char name[64];
		uint32_t f[200];

		ss_init(&ss, SS_ONCPU, 19);
		ss.start_unix = 1000 + i;
		ss.duration_s = 1;
		for (k = 0; k < 200; k++) {
			snprintf(name, sizeof(name), "fn_%d_%d", i, k);
			f[k] = (uint32_t)ss_frame(&ss, name, "/bin/many", NULL, (uint64_t)k, 0, false);
		}
		assert_int_equal(ss_add(&ss, 1, "many", f, 200, 1, 1), 0);
		profwin_add(w, &ss);
	}
	profwin_stats(w, &dropped, &bytes);
	peak = bytes;
	assert_true(peak > 10000 * 20); /* 10,000 frames */
	/* much later: all of them age out */
	for (i = 0; i < 3; i++) {
		interval(&ss, 1000 + PROFWIN_MAX_S + 100 + 5 * i, 5, 1, 1);
		profwin_add(w, &ss);
	}
	profwin_stats(w, &dropped, &bytes);
	assert_int_equal(dropped, 0);
	assert_true(bytes < 64 * 1024);
	assert_true(bytes < peak / 10);
	assert_int_equal(profwin_get(w, 1e9, 1000 + PROFWIN_MAX_S + 115, 0, &out), 0);
	assert_int_equal(samples_in(&out, "hot_a"), 3);
	assert_int_equal(samples_in(&out, "schedule"), 3);
	assert_int_equal(samples_in(&out, "main"), 6);
	assert_int_equal(out.nframes, 3);
	ss_free(&out);
	profwin_free(w);
}

static bool only_20(void *arg, uint32_t pid)
{
	(*(int *)arg)++;
	return pid == 20;
}

/* A profile of the next seconds: only intervals that start at or after the
 * request, taken as they come, until one ends at or after its end. */
static void test_take(void **state)
{
	struct profwin *w = profwin_new();
	struct stackset ss, out;
	double taken = 0;
	bool complete;
	int calls = 0;

	(void)state;
	/* before the request (from = 1050): 1040-1045, and 1045-1051 in
	 * progress when it came */
	interval(&ss, 1040, 5, 100, 1);
	profwin_add(w, &ss);
	interval(&ss, 1045, 6, 200, 1);
	profwin_add(w, &ss);
	ss_init(&out, SS_ONCPU, 1);
	assert_int_equal(profwin_take(w, 1050, 1060, &taken, NULL, NULL, &out, &complete), 0);
	assert_false(complete);
	assert_dbl_eq(taken, 1051);
	assert_int_equal(out.nstacks, 0);
	assert_dbl_eq(out.start_unix, 0);
	/* the next ones: 1051-1056 (not yet complete), 1056-1061 (complete) */
	interval(&ss, 1051, 5, 3, 1);
	profwin_add(w, &ss);
	assert_int_equal(profwin_take(w, 1050, 1060, &taken, NULL, NULL, &out, &complete), 0);
	assert_false(complete);
	assert_dbl_eq(taken, 1056);
	interval(&ss, 1056, 5, 4, 1);
	profwin_add(w, &ss);
	interval(&ss, 1061, 5, 1000, 1); /* after: not waited for, but taken if there */
	profwin_add(w, &ss);
	assert_int_equal(profwin_take(w, 1050, 1060, &taken, NULL, NULL, &out, &complete), 0);
	assert_true(complete);
	assert_int_equal(samples_in(&out, "hot_a"), 3 + 4 + 1000);
	assert_dbl_eq(out.start_unix, 1051);
	assert_dbl_eq(out.duration_s, 15);
	assert_int_equal(out.hz, 19);
	ss_free(&out);
	/* with a filter: its verdicts, nothing of the intervals before */
	taken = 0;
	ss_init(&out, SS_ONCPU, 1);
	assert_int_equal(profwin_take(w, 1050, 1060, &taken, only_20, &calls, &out, &complete), 0);
	assert_true(complete);
	assert_int_equal(samples_in(&out, "hot_a"), 0);
	assert_int_equal(samples_in(&out, "schedule"), 3);
	assert_int_equal(calls, 6); /* two stacks in each of the three intervals */
	ss_free(&out);
	profwin_free(w);
}

struct adder {
	struct profwin *w;
	double start;
};

static void *add_later(void *arg)
{
	struct adder *a = arg;
	struct stackset ss;

	usleep(200000);
	interval(&ss, a->start, 1, 1, 0);
	profwin_add(a->w, &ss);
	return NULL;
}

static void *close_later(void *arg)
{
	usleep(200000);
	profwin_close(arg);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A waiter wakes when an interval ends after what it took, at its deadline
 * without one, and for good once the window closes. */
static void test_wait(void **state)
{
	struct profwin *w = profwin_new();
	struct adder a = { w, 5000 };
	struct stackset ss;
	pthread_t th;
	double t0;

	(void)state;
	t0 = now_s();
	assert_int_equal(profwin_wait(w, 0, t0 + 0.2), -1); /* nothing: the deadline */
	assert_true(now_s() - t0 >= 0.15);
	assert_int_equal(pthread_create(&th, NULL, add_later, &a), 0);
	t0 = now_s();
	assert_int_equal(profwin_wait(w, 0, t0 + 10), 0);
	assert_true(now_s() - t0 < 5);
	pthread_join(th, NULL);
	/* one ending at 5001 is there: at once for after < 5001, else a wait */
	assert_int_equal(profwin_wait(w, 5000.5, now_s() + 10), 0);
	interval(&ss, 5001, 1, 1, 0);
	profwin_add(w, &ss);
	assert_int_equal(pthread_create(&th, NULL, close_later, w), 0);
	t0 = now_s();
	assert_int_equal(profwin_wait(w, 5002, t0 + 10), -1);
	assert_true(now_s() - t0 < 5);
	pthread_join(th, NULL);
	assert_int_equal(profwin_wait(w, 5002, now_s() + 10), -1); /* closed: no wait */
	profwin_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_shared_frames),
		cmocka_unit_test(test_frames_freed),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
