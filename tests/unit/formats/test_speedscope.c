// SPDX-License-Identifier: GPL-2.0
/* speedscope.c: the JSON read back with jansson. */
#include <jansson.h>
#include <stdlib.h>
#include "unit.h"
#include "formats/speedscope.h"
#include "profile/stackset.h"

static void make_profile(struct stackset *ss)
{
	uint32_t f[4];

	ss_init(ss, SS_ONCPU, 100);
	f[0] = (uint32_t)ss_frame(ss, "main", "/bin/prog", NULL, 0x1000, 0x1000, false);
	f[1] = (uint32_t)ss_frame(ss, "hot_a", "/bin/prog", NULL, 0x1100, 0x1100, false);
	f[2] = (uint32_t)ss_frame(ss, "do_syscall_64", "[kernel]", NULL, 0xffffffff81000010, 0, true);
	f[3] = (uint32_t)ss_frame(ss, "bad\xff name", "/bin/prog", NULL, 0x1200, 0x1200, false);
	assert_int_equal(ss_add(ss, 10, "prog", f, 2, 3, 30000000), 0);
	assert_int_equal(ss_add(ss, 10, "prog", f, 3, 2, 20000000), 0);
	assert_int_equal(ss_add(ss, 11, "other", f + 3, 1, 1, 10000000), 0);
	assert_int_equal(ss_add(ss, 12, "prog", f, 1, 4, 40000000), 0);
}

static json_t *write_and_parse(const struct stackset *ss)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	json_error_t err;
	json_t *root;

	assert_non_null(f);
	assert_int_equal(speedscope_write(ss, f), 0);
	fclose(f);
	root = json_loads(out, 0, &err);
	if (!root)
		fail_msg("not JSON: %s: %s", err.text, out);
	free(out);
	return root;
}

static const char *frame_name(json_t *root, json_int_t i)
{
	json_t *fr = json_array_get(json_object_get(json_object_get(root, "shared"), "frames"), (size_t)i);

	assert_non_null(fr);
	return json_string_value(json_object_get(fr, "name"));
}

static void test_structure(void **state)
{
	struct stackset ss;
	json_t *root, *frames, *prof;

	(void)state;
	make_profile(&ss);
	root = write_and_parse(&ss);
	assert_string_equal(json_string_value(json_object_get(root, "$schema")),
			    "https://www.speedscope.app/file-format-schema.json");
	assert_string_equal(json_string_value(json_object_get(root, "exporter")), "perfpilot");
	assert_int_equal(json_integer_value(json_object_get(root, "activeProfileIndex")), 0);
	assert_non_null(json_string_value(json_object_get(root, "name")));
	frames = json_object_get(json_object_get(root, "shared"), "frames");
	/* 4 frames, then one per thread name: prog and other */
	assert_int_equal(json_array_size(frames), 6);
	assert_string_equal(frame_name(root, 0), "main");
	assert_string_equal(json_string_value(json_object_get(json_array_get(frames, 0), "file")),
			    "/bin/prog");
	assert_string_equal(frame_name(root, 2), "do_syscall_64_[k]");
	assert_string_equal(frame_name(root, 3), "bad? name"); /* valid UTF-8 only */
	assert_string_equal(frame_name(root, 4), "prog");
	assert_string_equal(frame_name(root, 5), "other");
	assert_null(json_object_get(json_array_get(frames, 4), "file"));

	assert_int_equal(json_array_size(json_object_get(root, "profiles")), 1);
	prof = json_array_get(json_object_get(root, "profiles"), 0);
	assert_string_equal(json_string_value(json_object_get(prof, "type")), "sampled");
	assert_string_equal(json_string_value(json_object_get(prof, "unit")), "nanoseconds");
	assert_int_equal(json_integer_value(json_object_get(prof, "startValue")), 0);
	assert_int_equal(json_integer_value(json_object_get(prof, "endValue")), 100000000);
	json_decref(root);
	ss_free(&ss);
}

static void test_samples_and_weights(void **state)
{
	struct stackset ss;
	json_t *root, *prof, *samples, *weights, *s;
	json_int_t sum = 0;
	size_t i, j;
	char line[256];
	const char *want[] = { "prog;main;hot_a", "prog;main;hot_a;do_syscall_64_[k]",
			       "other;bad? name", "prog;main" };
	const json_int_t wantw[] = { 30000000, 20000000, 10000000, 40000000 };

	(void)state;
	make_profile(&ss);
	root = write_and_parse(&ss);
	prof = json_array_get(json_object_get(root, "profiles"), 0);
	samples = json_object_get(prof, "samples");
	weights = json_object_get(prof, "weights");
	assert_int_equal(json_array_size(samples), 4);
	assert_int_equal(json_array_size(weights), 4);
	for (i = 0; i < 4; i++) {
		size_t n = 0;

		s = json_array_get(samples, i);
		line[0] = '\0';
		/* root first */
		for (j = 0; j < json_array_size(s); j++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", j ? ";" : "",
					      frame_name(root, json_integer_value(json_array_get(s, j))));
		assert_string_equal(line, want[i]);
		assert_int_equal(json_integer_value(json_array_get(weights, i)), wantw[i]);
		sum += json_integer_value(json_array_get(weights, i));
	}
	assert_int_equal(sum, json_integer_value(json_object_get(prof, "endValue")));
	json_decref(root);
	ss_free(&ss);
}

static void test_offcpu_and_empty(void **state)
{
	struct stackset ss;
	json_t *root, *prof;
	uint32_t f;

	(void)state;
	ss_init(&ss, SS_OFFCPU, 0);
	root = write_and_parse(&ss);
	prof = json_array_get(json_object_get(root, "profiles"), 0);
	assert_int_equal(json_array_size(json_object_get(prof, "samples")), 0);
	assert_int_equal(json_integer_value(json_object_get(prof, "endValue")), 0);
	json_decref(root);
	f = (uint32_t)ss_frame(&ss, "schedule", "[kernel]", NULL, 1, 0, true);
	assert_int_equal(ss_add(&ss, 5, "sleeper", &f, 1, 7, 1500000000), 0);
	root = write_and_parse(&ss);
	prof = json_array_get(json_object_get(root, "profiles"), 0);
	/* blocked time in nanoseconds, not the event count */
	assert_int_equal(json_integer_value(json_array_get(json_object_get(prof, "weights"), 0)),
			 1500000000);
	assert_string_equal(json_string_value(json_object_get(prof, "name")), "off-CPU time");
	json_decref(root);
	ss_free(&ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_samples_and_weights),
		cmocka_unit_test(test_offcpu_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
