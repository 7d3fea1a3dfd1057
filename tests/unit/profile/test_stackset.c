// SPDX-License-Identifier: GPL-2.0
/* stackset.c: interning, totals, weights, labels; folded from a stack set. */
#include <stdlib.h>
#include "unit.h"
#include "formats/folded.h"
#include "profile/stackset.h"

static void test_intern(void **state)
{
	struct stackset s;
	int64_t a, b, c, d, k;
	int i;

	(void)state;
	ss_init(&s, SS_ONCPU, 49);
	assert_int_equal(s.period_ns, 1000000000ull / 49);
	a = ss_frame(&s, "main", "/bin/hot", "ab12", 0x1000, 0x100, false);
	b = ss_frame(&s, "main", "/bin/hot", NULL, 0x2000, 0x200, false);
	c = ss_frame(&s, "main", "/lib/other.so", NULL, 0x3000, 0, false);
	k = ss_frame(&s, "main", "/bin/hot", NULL, 0x4000, 0, true);
	d = ss_frame(&s, NULL, NULL, NULL, 0, 0, false);
	assert_true(a >= 0);
	assert_int_equal(a, b);      /* same name and module: one frame */
	assert_true(c != a);         /* another module */
	assert_true(k != a);         /* kernel frames are their own */
	assert_string_equal(s.frames[d].name, "[unknown]");
	assert_int_equal(s.frames[a].addr, 0x1000); /* the first address seen */
	assert_string_equal(s.frames[a].build_id, "ab12");
	/* many frames: the index grows and still finds every one */
	for (i = 0; i < 5000; i++) {
		char name[32];

		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(ss_frame(&s, name, NULL, NULL, i, 0, false), 4 + i);
	}
	assert_int_equal(ss_frame(&s, "f1234", NULL, NULL, 0, 0, false), 4 + 1234);
	assert_int_equal(s.nframes, 5004);
	ss_free(&s);
}

static void test_labels(void **state)
{
	struct ss_frame user = { .name = "hot_a", .module = "/bin/hot" };
	struct ss_frame unk = { .name = "[unknown]", .module = "/usr/lib/libc.so.6" };
	struct ss_frame anon = { .name = "[unknown]" };
	struct ss_frame kern = { .name = "schedule", .module = "[kernel]", .kernel = true };
	char buf[64];

	(void)state;
	ss_frame_label(&user, buf, sizeof(buf));
	assert_string_equal(buf, "hot_a");
	ss_frame_label(&unk, buf, sizeof(buf));
	assert_string_equal(buf, "[unknown] (libc.so.6)");
	ss_frame_label(&anon, buf, sizeof(buf));
	assert_string_equal(buf, "[unknown]");
	ss_frame_label(&kern, buf, sizeof(buf));
	assert_string_equal(buf, "schedule_[k]");
}

static void test_folded_weights(void **state)
{
	struct stackset s;
	struct folded f = {0};
	uint32_t st[3];
	uint64_t cnt, ns;
	char out[256] = "";
	FILE *m = fmemopen(out, sizeof(out), "w");

	(void)state;
	ss_init(&s, SS_OFFCPU, 49);
	st[0] = (uint32_t)ss_frame(&s, "main", "/bin/x", NULL, 1, 0, false);
	st[1] = (uint32_t)ss_frame(&s, "sleepy", "/bin/x", NULL, 2, 0, false);
	st[2] = (uint32_t)ss_frame(&s, "schedule", "[kernel]", NULL, 3, 0, true);
	assert_int_equal(ss_add(&s, 7, "x", st, 3, 2, 1500000), 0);
	assert_int_equal(ss_add(&s, 7, "x", st, 3, 1, 500000), 0);
	assert_int_equal(ss_add(&s, 7, "x", st, 2, 1, 3000), 0);
	ss_totals(&s, &cnt, &ns);
	assert_int_equal(cnt, 4);
	assert_int_equal(ns, 2003000);
	/* off-CPU folded weights are microseconds; equal stacks merge */
	assert_int_equal(folded_from_stackset(&s, &f), 0);
	assert_int_equal(folded_write(&f, m), 0);
	fclose(m);
	assert_string_equal(out, "x;main;sleepy 3\nx;main;sleepy;schedule_[k] 2000\n");
	folded_free(&f);
	s.kind = SS_ONCPU;
	assert_int_equal(ss_weight(&s, &s.stacks[0]), 2);
	ss_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_folded_weights),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
