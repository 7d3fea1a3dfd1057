// SPDX-License-Identifier: GPL-2.0
/* diff: Mann-Whitney significance, recordings compared metric by metric,
 * folded diffs and differential flame graphs. */
#include <math.h>
#include <stdlib.h>
#include "unit.h"
#include "findings/findings_fixture.h"
#include "findings/compare.h"
#include "findings/mwu.h"
#include "report/diff.h"

#define N 10

static void test_mwu_known(void **state)
{
	const double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
	const double c[] = {1, 3, 5, 7, 9}, d[] = {2, 4, 6, 8, 10};
	struct mwu u;

	(void)state;
	assert_int_equal(mann_whitney(a, 5, b, 5, &u), 0);
	assert_dbl_eq(u.u, 0);
	/* exact two-sided p is 2/252 = 0.0079; the corrected normal 0.0122 */
	assert_dbl_near(u.p, 0.0122, 0.0005);
	assert_true(u.z < 0);
	assert_int_equal(mann_whitney(b, 5, a, 5, &u), 0);
	assert_dbl_eq(u.u, 25);
	assert_true(u.z > 0);
	/* interleaved: no evidence */
	assert_int_equal(mann_whitney(c, 5, d, 5, &u), 0);
	assert_dbl_eq(u.u, 10);
	assert_true(u.p > 0.5);
	/* all tied, or empty: p = 1 */
	assert_int_equal(mann_whitney(a, 1, a, 1, &u), 0);
	assert_dbl_eq(u.p, 1);
	assert_int_equal(mann_whitney(a, 0, b, 5, &u), 0);
	assert_dbl_eq(u.p, 1);
}

/* on samples from one distribution the test fires at about its level; on
 * samples 1.5 sigma apart nearly always */
static void test_mwu_rates(void **state)
{
	uint64_t seed = 11;
	double a[N], b[N];
	int k, same = 0, shifted = 0;
	size_t i;
	struct mwu u;

	(void)state;
	for (k = 0; k < 1000; k++) {
		for (i = 0; i < N; i++) {
			a[i] = unit_rand01(&seed) + unit_rand01(&seed) + unit_rand01(&seed);
			b[i] = unit_rand01(&seed) + unit_rand01(&seed) + unit_rand01(&seed);
		}
		mann_whitney(a, N, b, N, &u);
		same += u.p < 0.05;
		for (i = 0; i < N; i++)
			b[i] += 0.75; /* 1.5 sigma of a sum of 3 uniforms */
		mann_whitney(a, N, b, N, &u);
		shifted += u.p < 0.05;
	}
	assert_in_range(same, 10, 70);
	assert_true(shifted >= 800);
}

static void proc_cpu(struct recording *r, unsigned int pid, const char *comm, double cpus,
		     uint64_t *seed)
{
	double v[N];

	fx_fill(v, N, cpus * 1e9, 0.05, seed);
	assert_non_null(fx_proc(r, pid, comm, "/", "cpu.oncpu_ns", v, N));
}

static const struct metric_change *change_of(const struct comparison *c, char kind,
					     const char *entity, const char *metric)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->m[i].kind == kind && !strcmp(c->m[i].entity, entity) &&
		    !strcmp(c->m[i].metric, metric))
			return &c->m[i];
	return NULL;
}

/* burn at one thread, then two: a CPU regression of about +100 %; the
 * unchanged daemon does not count; more free memory is no regression,
 * less is; more IO is a change, not a regression */
static void test_compare(void **state)
{
	struct recording a, b;
	struct comparison c;
	const struct metric_change *m;
	uint64_t seed = 12;
	double v[N];

	(void)state;
	fx_init(&a, N);
	fx_init(&b, N);
	proc_cpu(&a, 100, "burn", 1.0, &seed);
	/* two processes of the same name add up */
	proc_cpu(&b, 200, "burn", 1.0, &seed);
	proc_cpu(&b, 201, "burn", 1.0, &seed);
	proc_cpu(&a, 1, "sshd", 0.01, &seed);
	proc_cpu(&b, 2, "sshd", 0.01, &seed);
	proc_cpu(&a, 3, "cron", 0.01, &seed);
	proc_cpu(&b, 4, "newd", 0.01, &seed);
	fx_fill(v, N, 4e9, 0.01, &seed);
	fx_series(&a, 'h', "host", "host.mem_available_bytes", v, N);
	fx_fill(v, N, 3e9, 0.01, &seed);
	fx_series(&b, 'h', "host", "host.mem_available_bytes", v, N);
	fx_fill(v, N, 10e6, 0.05, &seed);
	fx_series(&a, 'd', "sda", "dev.write_bytes", v, N);
	fx_fill(v, N, 20e6, 0.05, &seed);
	fx_series(&b, 'd', "sda", "dev.write_bytes", v, N);
	assert_int_equal(compare_recordings(&a, &b, 10, &c), 0);

	m = change_of(&c, 'p', "burn", "cpu.oncpu_ns");
	assert_non_null(m);
	assert_true(m->rate);
	assert_dbl_near(m->base, 1e9, 0.05e9);
	assert_dbl_near(m->cur, 2e9, 0.1e9);
	assert_dbl_near(m->change_pct, 100, 12);
	assert_true(m->significant && m->changed && m->regression);
	assert_true(m->p < 0.001);
	assert_int_equal(m->nbase, N);
	assert_int_equal(m->ncur, N);

	m = change_of(&c, 'p', "sshd", "cpu.oncpu_ns");
	assert_non_null(m);
	assert_false(m->regression);
	assert_dbl_near(m->change_pct, 0, 10);

	m = change_of(&c, 'h', "host", "host.mem_available_bytes");
	assert_non_null(m);
	assert_false(m->rate);
	assert_dbl_near(m->change_pct, -25, 2);
	assert_true(m->regression);

	m = change_of(&c, 'd', "sda", "dev.write_bytes");
	assert_non_null(m);
	assert_true(m->changed);
	assert_false(m->regression);

	assert_int_equal(c.only_base.n, 1);
	assert_string_equal(c.only_base.name[0], "cron");
	assert_int_equal(c.only_cur.n, 1);
	assert_string_equal(c.only_cur.name[0], "newd");
	assert_null(change_of(&c, 'p', "newd", "cpu.oncpu_ns"));
	comparison_free(&c);

	/* a threshold above the change: significant but not counted */
	assert_int_equal(compare_recordings(&a, &b, 150, &c), 0);
	m = change_of(&c, 'p', "burn", "cpu.oncpu_ns");
	assert_true(m->significant);
	assert_false(m->changed);
	assert_false(m->regression);
	comparison_free(&c);
	recording_free(&a);
	recording_free(&b);
}

/* a small change within the noise is not significant */
static void test_compare_noise(void **state)
{
	struct recording a, b;
	struct comparison c;
	const struct metric_change *m;
	uint64_t seed = 13;
	int k, flagged = 0;

	(void)state;
	for (k = 0; k < 200; k++) {
		fx_init(&a, N);
		fx_init(&b, N);
		proc_cpu(&a, 1, "app", 0.5, &seed);
		proc_cpu(&b, 1, "app", 0.5, &seed);
		assert_int_equal(compare_recordings(&a, &b, 1, &c), 0);
		m = change_of(&c, 'p', "app", "cpu.oncpu_ns");
		assert_non_null(m);
		flagged += m->regression;
		comparison_free(&c);
		recording_free(&a);
		recording_free(&b);
	}
	/* one-sided: about half of the 5 % false positives */
	assert_true(flagged <= 12);
}

/* A recording whose series share its step times, as store_load makes
 * them: steps end at times[], one of them (ends[slow]) lasting 3 s. */
static void shared_init(struct recording *r, size_t n, size_t slow)
{
	size_t i;
	double t = FX_T0;

	fx_init(r, n);
	r->times = malloc(n * sizeof(double));
	assert_non_null(r->times);
	for (i = 0; i < n; i++)
		r->times[i] = t += i == slow ? 3 : 1;
	r->ntimes = n;
	r->end = t;
}

/* a process of comm burning `cpus` from step `from` for n steps: the
 * value of a step is what it burnt in its length */
static void shared_burn(struct recording *r, const char *ent, const char *comm, size_t from,
			size_t n, double cpus)
{
	double *v = malloc(n * sizeof(double));
	struct series *s;
	size_t i;

	assert_non_null(v);
	for (i = 0; i < n; i++) {
		size_t k = from + i;
		double len = k ? r->times[k] - r->times[k - 1] : 1;

		v[i] = cpus * 1e9 * len;
	}
	s = rec_add_shared(r, 'p', rec_str(r, ent), rec_str(r, "cpu.oncpu_ns"), r->times + from, v,
			   n);
	assert_non_null(s);
	assert_int_equal(rec_set_names(r, s, comm, "/", NULL), 0);
}

/* series that share the recording's times are combined step by step
 * (two processes of one name add up where both lived) and a counter's
 * rate is its value over the step's own length: a slow interval of 3 s
 * holds 3 s of CPU, not 3 CPUs */
static void test_compare_shared_steps(void **state)
{
	struct recording a, b;
	struct comparison c;
	const struct metric_change *m;

	(void)state;
	shared_init(&a, 12, 99);
	shared_init(&b, 12, 6);
	shared_burn(&a, "10@1", "burn", 0, 12, 1.0);
	shared_burn(&b, "20@1", "burn", 0, 12, 1.0);
	shared_burn(&a, "11@1", "pair", 0, 12, 0.5);
	shared_burn(&b, "21@1", "pair", 0, 6, 0.5);
	shared_burn(&b, "22@1", "pair", 4, 8, 0.5); /* both at steps 4 and 5 */
	assert_int_equal(compare_recordings(&a, &b, 10, &c), 0);
	m = change_of(&c, 'p', "burn", "cpu.oncpu_ns");
	assert_non_null(m);
	assert_dbl_near(m->base, 1e9, 1);
	assert_dbl_near(m->cur, 1e9, 1);
	assert_int_equal(m->ncur, 12);
	assert_false(m->changed);
	m = change_of(&c, 'p', "pair", "cpu.oncpu_ns");
	assert_non_null(m);
	assert_int_equal(m->ncur, 12);
	/* ten steps at 0.5 CPU, two at 1 */
	assert_dbl_near(m->cur, (10 * 0.5e9 + 2 * 1e9) / 12, 1);
	comparison_free(&c);
	recording_free(&a);
	recording_free(&b);
}

static void test_diff_json(void **state)
{
	struct recording a, b;
	struct comparison c;
	struct profile_diff pd = {.folded = (char *)"x;y 1 2\n", .base_total = 1, .cur_total = 2};
	uint64_t seed = 14;
	json_t *j, *m;

	(void)state;
	fx_init(&a, N);
	fx_init(&b, N);
	proc_cpu(&a, 100, "burn", 1.0, &seed);
	proc_cpu(&b, 100, "burn", 2.0, &seed);
	assert_int_equal(compare_recordings(&a, &b, 10, &c), 0);
	j = diff_json(&a, &b, &c, &pd);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "regressions")), 1);
	assert_dbl_eq(json_real_value(json_object_get(j, "threshold_pct")), 10);
	m = json_array_get(json_object_get(j, "metrics"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "entity")), "burn");
	assert_string_equal(json_string_value(json_object_get(m, "entity_kind")), "process");
	assert_true(json_is_true(json_object_get(m, "regression")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "profile"),
								"folded_diff")), "x;y 1 2\n");
	assert_true(json_is_object(json_object_get(j, "baseline")));
	json_decref(j);
	j = diff_json(&a, &b, &c, NULL);
	assert_true(json_is_null(json_object_get(j, "profile")));
	json_decref(j);
	comparison_free(&c);
	recording_free(&a);
	recording_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mwu_known),
		cmocka_unit_test(test_mwu_rates),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_compare_noise),
		cmocka_unit_test(test_compare_shared_steps),
		cmocka_unit_test(test_diff_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
