// SPDX-License-Identifier: GPL-2.0
/* The profile window of /debug/pprof/profile: the intervals of the last N
 * seconds merged (frames interned again), one process's stacks, the
 * bounds by age and by size. */
#define _GNU_SOURCE
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
