// SPDX-License-Identifier: GPL-2.0
/*
 * Scaling a CPU quota (tune/scale.c): the decisions on demand series of
 * known shape, and a simulated cgroup running the ramp scenario of the
 * end-to-end test in both modes.
 */
#define _GNU_SOURCE
#include <math.h>
#include "../unit.h"
#include "tune/scale.h"

/* A deterministic noise in [-a, a]. */
static double noise(uint64_t *s, double a)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return a * (2 * (double)(*s >> 11) / (double)(1ULL << 53) - 1);
}

static struct scale_conf conf(enum scale_mode m, double out, double in)
{
	struct scale_conf c;

	scale_conf_defaults(&c);
	c.mode = m;
	c.out_cooldown_s = out;
	c.in_cooldown_s = in;
	return c;
}

static struct scale_input input(double now, double quota)
{
	struct scale_input in = {
		.now = now, .interval_s = 1, .quota = quota, .floor = 0.3, .cap = 2,
		.raise_cap = 2, .step_up = quota * 1.5, .last_out = -INFINITY,
		.last_change = -INFINITY,
	};

	return in;
}

static void test_names(void **state)
{
	enum scale_mode m = SCALE_OFF;

	(void)state;
	assert_int_equal(scale_mode_parse("predictive", &m), 0);
	assert_int_equal(m, SCALE_PREDICTIVE);
	assert_int_equal(scale_mode_parse("reactive", &m), 0);
	assert_int_equal(m, SCALE_REACTIVE);
	assert_int_equal(scale_mode_parse("off", &m), 0);
	assert_int_equal(m, SCALE_OFF);
	assert_int_equal(scale_mode_parse("Predictive", &m), -1);
	assert_int_equal(scale_mode_parse("", &m), -1);
	assert_int_equal(scale_mode_parse(NULL, &m), -1);
	assert_int_equal(m, SCALE_OFF);
	assert_string_equal(scale_mode_name(SCALE_PREDICTIVE), "predictive");
}

/* The horizon: given, else the scale-out cooldown, at least 10 intervals. */
static void test_horizon(void **state)
{
	struct scale_conf c = conf(SCALE_PREDICTIVE, 300, 600);

	(void)state;
	assert_dbl_eq(scale_horizon(&c, 1), 300);
	assert_int_equal(scale_fit_samples(&c, 1), SCALE_FIT_MAX);
	c.out_cooldown_s = 2;
	assert_dbl_eq(scale_horizon(&c, 1), 10);
	assert_dbl_eq(scale_horizon(&c, 2), 20);
	assert_int_equal(scale_fit_samples(&c, 1), 10);
	c.horizon_s = 30;
	assert_dbl_eq(scale_horizon(&c, 1), 30);
	assert_int_equal(scale_fit_samples(&c, 1), 30);
	c.horizon_s = 5;
	assert_int_equal(scale_fit_samples(&c, 1), SCALE_FIT_MIN);
}

/* The history keeps the latest SCALE_HISTORY intervals, oldest first. */
static void test_history(void **state)
{
	struct scale_history *h = calloc(1, sizeof(*h));
	size_t i;

	(void)state;
	for (i = 0; i < SCALE_HISTORY + 10; i++)
		scale_history_add(h, (double)i, 0.5, 0);
	assert_int_equal(h->n, SCALE_HISTORY);
	assert_dbl_eq(h->t[0], 10);
	assert_dbl_eq(h->t[SCALE_HISTORY - 1], SCALE_HISTORY + 9);
	scale_history_add(h, NAN, 1, 0); /* not a sample */
	scale_history_add(h, 5000, -0.1, 0); /* below 0: none */
	assert_dbl_eq(h->demand[SCALE_HISTORY - 1], 0);
	free(h);
}

/*
 * A rising demand 0.1 + 0.8 t / 30 under a 0.3 quota (reached at 7.5 s):
 * predictive raises before then, to at least the demand 10 s ahead;
 * reactive waits for throttling and takes one step.
 */
static void test_predictive_ahead(void **state)
{
	struct scale_conf c = conf(SCALE_PREDICTIVE, 2, 10);
	struct scale_history *h = calloc(1, sizeof(*h));
	struct scale_decision d;
	struct scale_input in;
	uint64_t rng = 7;
	double t, dem;

	(void)state;
	for (t = 1; t <= 30; t++) {
		dem = 0.1 + 0.8 * (t - 0.5) / 30 + noise(&rng, 0.01);
		scale_history_add(h, 1000 + t, dem, 0);
		in = input(1000 + t, 0.3);
		scale_decide(&c, h, &in, &d);
		if (d.dir != SCALE_HOLD)
			break;
		assert_true(d.why && *d.why);
	}
	print_message("predictive: raised at %.0f s, demand %.3f, forecast %.3f (up to %.3f) in "
		      "%.0f s, to %.3f\n", t, d.demand, d.value, d.upper, d.horizon_s, d.target);
	assert_int_equal(d.dir, SCALE_OUT);
	assert_true(t <= 7);
	assert_true(d.forecast && d.trend);
	assert_dbl_le(0.1 + 0.8 * (t + 10) / 30, d.target);
	assert_dbl_near(d.target, d.upper * 1.2, 1e-9);
	assert_dbl_le(d.target, 2);
	/* reactive on the same series: nothing without throttling */
	c.mode = SCALE_REACTIVE;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_HOLD);
	assert_false(d.forecast);
	/* throttled in 30 % of the periods: one step */
	h->share[h->n - 1] = 0.3;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_OUT);
	assert_dbl_near(d.target, 0.45, 1e-9);
	/* within the scale-out cooldown of the last raise: not yet */
	in.last_out = in.now - 1.5;
	in.last_change = in.last_out;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_HOLD);
	assert_string_equal(d.why, "within the scale-out cooldown");
	in.last_out = in.now - 2;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_OUT);
	/* a raise stays within what the host has idle, and the cap */
	in.raise_cap = 0.35;
	scale_decide(&c, h, &in, &d);
	assert_dbl_near(d.target, 0.35, 1e-9);
	in.raise_cap = 0.3;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_HOLD);
	assert_string_equal(d.why, "at its cap");
	free(h);
}

/*
 * After a drop: no scale-in within the cooldown or before the window is
 * observed; then to the window's peak plus headroom, never below the floor.
 */
static void test_scale_in(void **state)
{
	struct scale_conf c = conf(SCALE_REACTIVE, 2, 10);
	struct scale_history *h = calloc(1, sizeof(*h));
	struct scale_decision d;
	struct scale_input in;
	double t;

	(void)state;
	for (t = 1; t <= 5; t++)
		scale_history_add(h, 1000 + t, 0.2, 0);
	in = input(1005, 1.0);
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_HOLD);
	assert_string_equal(d.why, "not observed for a scale-in cooldown yet");
	for (; t <= 20; t++)
		scale_history_add(h, 1000 + t, 0.2, 0);
	in = input(1020, 1.0);
	in.last_change = 1015;
	scale_decide(&c, h, &in, &d);
	assert_string_equal(d.why, "within the scale-in cooldown");
	in.last_change = 1010;
	in.floor = 0.01;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_IN);
	assert_dbl_near(d.peak, 0.2, 1e-9);
	assert_dbl_near(d.target, 0.24, 1e-9);
	/* never below the floor */
	in.floor = 0.3;
	scale_decide(&c, h, &in, &d);
	assert_dbl_near(d.target, 0.3, 1e-9);
	/* a cut of less than 20 %: hold */
	in.quota = 0.36;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_HOLD);
	assert_string_equal(d.why, "within the hysteresis band");
	/* throttled within the window: hold */
	in.quota = 1.0;
	h->share[h->n - 5] = 0.5;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_HOLD);
	assert_string_equal(d.why, "throttled within the scale-in window");
	/* a peak within the window counts, one before it does not */
	h->share[h->n - 5] = 0;
	h->demand[h->n - 5] = 0.5;
	h->demand[h->n - 15] = 0.9;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_IN);
	assert_dbl_near(d.peak, 0.5, 1e-9);
	assert_dbl_near(d.target, 0.6, 1e-9);
	free(h);
}

/*
 * A cgroup of one thread running bursts: under its quota it uses its
 * demand; above it, the quota, and is throttled for about half of the rest
 * of each period (a burst that overruns the quota waits for the next
 * period): cpu.stat's throttled time, which the demand measure adds.
 */
struct sim {
	double quota, peak, after_drop, throttled_ramp, throttled_all, last_out, last_change;
	int changes, outs, ins;
};

static double demand_at(double t)
{
	return t < 30 ? 0.1 + 0.8 * t / 30 : t < 40 ? 0.9 : 0.1;
}

static void simulate(enum scale_mode mode, struct sim *s)
{
	struct scale_conf c = conf(mode, 2, 10);
	struct scale_history *h = calloc(1, sizeof(*h));
	struct scale_decision d;
	struct scale_input in;
	uint64_t rng = 11;
	double t, dem, thr, other = 0.5;

	memset(s, 0, sizeof(*s));
	s->quota = s->peak = 0.3;
	s->last_out = s->last_change = -INFINITY;
	for (t = 1; t <= 70; t++) {
		dem = demand_at(t - 0.5) + noise(&rng, 0.02);
		thr = dem > s->quota ? 0.5 * (1 - s->quota) : 0;
		s->throttled_all += thr;
		if (t <= 30)
			s->throttled_ramp += thr;
		scale_history_add(h, t, fmin(dem, s->quota) + thr, thr > 0 ? 1 : 0);
		in = input(t, s->quota);
		in.step_up = fmin(s->quota * 1.5, 2);
		in.raise_cap = s->quota + (2 - fmin(dem, s->quota) - other);
		in.last_out = s->last_out;
		in.last_change = s->last_change;
		scale_decide(&c, h, &in, &d);
		if (d.dir == SCALE_HOLD)
			continue;
		s->quota = ceil(d.target * 1000 - 1e-9) / 1000;
		s->changes++;
		s->last_change = t;
		if (d.dir == SCALE_OUT) {
			s->outs++;
			s->last_out = t;
		} else {
			s->ins++;
		}
		if (s->quota > s->peak)
			s->peak = s->quota;
	}
	s->after_drop = s->quota;
	free(h);
}

/*
 * The end-to-end scenario, simulated: predictive is throttled at most half
 * as long as reactive during the ramp, raises the quota above 0.3 and
 * brings it back after the drop to at most half its peak, above the demand.
 */
static void test_ramp_scenario(void **state)
{
	struct sim r, p;

	(void)state;
	simulate(SCALE_REACTIVE, &r);
	simulate(SCALE_PREDICTIVE, &p);
	print_message("reactive:   throttled %.2f s in the ramp, peak %.3f, after %.3f, %d up %d "
		      "down\n", r.throttled_ramp, r.peak, r.after_drop, r.outs, r.ins);
	print_message("predictive: throttled %.2f s in the ramp, peak %.3f, after %.3f, %d up %d "
		      "down\n", p.throttled_ramp, p.peak, p.after_drop, p.outs, p.ins);
	assert_true(r.throttled_ramp > 0.5);
	assert_dbl_le(p.throttled_ramp, 0.5 * r.throttled_ramp);
	assert_true(p.peak > 0.3);
	assert_dbl_le(p.after_drop, p.peak / 2);
	assert_true(p.after_drop > 0.12);
	assert_true(r.after_drop > 0.12 && r.after_drop <= r.peak / 2);
}

/*
 * Hysteresis: a steady, noisy demand (0.5 +- 0.05) for an hour moves the
 * quota once and then holds it, in both modes.
 */
static void test_no_flapping(void **state)
{
	struct scale_history *h = calloc(1, sizeof(*h));
	enum scale_mode modes[] = {SCALE_REACTIVE, SCALE_PREDICTIVE};
	struct scale_decision d;
	struct scale_input in;
	struct scale_conf c;
	double t, q, dem, last_out, last_change;
	uint64_t rng = 13;
	int m, changes;

	(void)state;
	for (m = 0; m < 2; m++) {
		c = conf(modes[m], 30, 60);
		memset(h, 0, sizeof(*h));
		q = 0.4;
		last_out = last_change = -INFINITY;
		changes = 0;
		for (t = 1; t <= 3600; t++) {
			dem = 0.5 + noise(&rng, 0.05);
			scale_history_add(h, t, dem, dem > q ? 1 : 0);
			in = input(t, q);
			in.floor = 0.1;
			in.last_out = last_out;
			in.last_change = last_change;
			scale_decide(&c, h, &in, &d);
			if (d.dir == SCALE_HOLD)
				continue;
			changes++;
			last_change = t;
			if (d.dir == SCALE_OUT)
				last_out = t;
			q = d.target;
		}
		print_message("%s: %d change(s) in an hour of steady demand, quota %.3f\n",
			      scale_mode_name(modes[m]), changes, q);
		assert_true(changes >= 1 && changes <= 2);
		assert_true(q > 0.55);
	}
	free(h);
}

/* Off, or nothing observed: hold. */
static void test_hold(void **state)
{
	struct scale_conf c = conf(SCALE_OFF, 2, 10);
	struct scale_history *h = calloc(1, sizeof(*h));
	struct scale_decision d;
	struct scale_input in = input(1000, 0.3);

	(void)state;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_HOLD);
	assert_string_equal(d.why, "scaling is off");
	c.mode = SCALE_PREDICTIVE;
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_HOLD);
	assert_string_equal(d.why, "no interval observed yet");
	/* four intervals: too few for a forecast */
	scale_history_add(h, 997, 0.1, 0);
	scale_history_add(h, 998, 0.2, 0);
	scale_history_add(h, 999, 0.25, 0);
	scale_history_add(h, 1000, 0.28, 0);
	scale_decide(&c, h, &in, &d);
	assert_int_equal(d.dir, SCALE_HOLD);
	assert_false(d.forecast);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),        cmocka_unit_test(test_horizon),
		cmocka_unit_test(test_history),      cmocka_unit_test(test_predictive_ahead),
		cmocka_unit_test(test_scale_in),     cmocka_unit_test(test_ramp_scenario),
		cmocka_unit_test(test_no_flapping),  cmocka_unit_test(test_hold),
	};

	return cmocka_run_group_tests_name("scale", tests, NULL, NULL);
}
