/* ntpsec's refclock_sample() and the refclock-layer model, against hand-computed values. */
#include <math.h>
#include <stdlib.h>

#include "analyze/refclock_model.h"
#include "tests/unit/testutil.h"

/* {1,2,3,4,100}: m = 5 - 2 = 3; median 3: 100 is further (97 > 2), then 1 (2 > 1):
 * {2,3,4}, mean 3, jitter sqrt((1 + 1) / 3). Ten samples with a tail {0 x7, 10, 20, 30}:
 * m = 6, the tail goes, trimmed mean 0 against a plain mean of 6. */
START_TEST(refclock_sample_by_hand)
{
	double a[] = { 4, 100, 2, 1, 3 }, jit;
	ck_assert_double_eq(ntp_refclock_sample(a, 5, &jit), 3);
	ck_assert_double_eq_tol(jit, sqrt(2.0 / 3), 1e-15);
	double b[] = { 30, 0, 0, 20, 0, 0, 10, 0, 0, 0 };
	ck_assert_double_eq(ntp_refclock_sample(b, 10, NULL), 0);
	double c[] = { -7.5 };
	ck_assert_double_eq(ntp_refclock_sample(c, 1, &jit), -7.5);
	ck_assert_double_eq(jit, 0);
	/* a low tail goes first when it is further: {-50, 1, 2, 3} m = 3 -> {1, 2, 3} */
	double d[] = { 3, -50, 2, 1 };
	ck_assert_double_eq(ntp_refclock_sample(d, 4, NULL), 2);
}
END_TEST

START_TEST(pi_constants_as_pi_c)
{
	double kp, ki;
	pi_servo_constants(0.125, true, &kp, &ki);   /* 0.1 * 0.125^-0.3, 0.001 * 0.125^0.4 */
	ck_assert_double_eq_tol(kp, 0.1 * pow(0.125, -0.3), 1e-12);
	ck_assert_double_eq_tol(ki, 0.001 * pow(0.125, 0.4), 1e-12);
	pi_servo_constants(1, false, &kp, &ki);
	ck_assert_double_eq_tol(kp, 0.7, 1e-12);
	ck_assert_double_eq_tol(ki, 0.3, 1e-12);
	pi_servo_constants(16, false, &kp, &ki);     /* capped: 0.7 / 16, 0.3 / 16 */
	ck_assert_double_eq_tol(kp, 0.7 / 16, 1e-12);
	ck_assert_double_eq_tol(ki, 0.3 / 16, 1e-12);
}
END_TEST

/* A constant error: the PHC sits at -err, ntpd sees exactly that (shift 0). A skewed error
 * (a spike every 8th Sync) makes the PHC wander with a one-sided tail that the trimmed mean
 * drops: ntpd's view sits above the PHC's mean. */
START_TEST(model_constant_and_skewed)
{
	size_t n = 8 * 300;
	double *t = malloc(n * sizeof(double)), *e = malloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		t[i] = (double)i * 0.125;
		e[i] = 5000;
	}
	struct refclock_model m;
	ck_assert_int_eq(refclock_model_run(t, e, NULL, n, 0.7, 0.3, 1, 64, &m), 0);
	ck_assert_uint_eq(m.polls, 300 - 60 + 1);
	ck_assert_double_eq_tol(m.phc_mean_ns, -5000, 1e-6);
	ck_assert_double_eq_tol(m.shift_ns, 0, 1e-6);
	for (size_t i = 0; i < n; i++)
		e[i] = i % 8 == 3 ? 80000 : 0;
	ck_assert_int_eq(refclock_model_run(t, e, NULL, n, 1.3, 0.13, 1, 64, &m), 0);
	ck_assert(m.shift_ns > 1000);
	free(t);
	free(e);
}
END_TEST

Suite *refclock_model_suite(void)
{
	Suite *s = suite_create("refclock_model");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, refclock_sample_by_hand);
	tcase_add_test(tc, pi_constants_as_pi_c);
	tcase_add_test(tc, model_constant_and_skewed);
	suite_add_tcase(s, tc);
	return s;
}
