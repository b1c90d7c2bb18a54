/* The bias estimate: known answers on constructed series, and the coverage of its 95 %
 * interval checked by simulation against autocorrelated noise with a known mean. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analyze/bias.h"
#include "tests/unit/testutil.h"

static void setup(void)
{
	gsl_set_error_handler_off();
}

START_TEST(rejects_short_and_nonfinite)
{
	double t[10], v[10];
	struct bias_estimate b;
	for (int i = 0; i < 10; i++) {
		t[i] = i;
		v[i] = i % 2;
	}
	ck_assert_int_eq(bias_estimate(t, v, 7, &b), -1);
	ck_assert_int_eq(bias_estimate(t, v, 8, &b), 0);
	v[3] = NAN;
	ck_assert_int_eq(bias_estimate(t, v, 10, &b), -1);
	v[3] = 0;
	t[5] = INFINITY;
	ck_assert_int_eq(bias_estimate(t, v, 10, &b), -1);
}
END_TEST

/* White noise: tau_int ~ 1, the interval close to the naive one. */
START_TEST(white_noise_like_naive)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 11);
	enum { N = 20000 };
	static double t[N], v[N];
	for (int i = 0; i < N; i++) {
		t[i] = i * 0.125;
		v[i] = 100.0 + gsl_ran_gaussian(r, 50.0);
	}
	struct bias_estimate b;
	ck_assert_int_eq(bias_estimate(t, v, N, &b), 0);
	ck_assert_int_eq(b.n, N);
	ck_assert_double_near(b.duration_s, (N - 1) * 0.125, 1e-9);
	ck_assert_double_near(b.std, 50.0, 1.0);
	ck_assert_double_near(b.tau_int, 1.0, 0.2);
	ck_assert_double_near(b.stderr / b.stderr_naive, 1.0, 0.3);
	ck_assert(b.ci_lo < b.mean && b.mean < b.ci_hi);
	ck_assert(!b.short_run);
	ck_assert(b.halves_agree);
	ck_assert(!b.drift_significant);
	ck_assert_int_eq(b.batches, 30);
	gsl_rng_free(r);
}
END_TEST

/* AR(1) with rho: tau_int = (1 + rho) / (1 - rho). */
static void ar1(gsl_rng *r, double *v, int n, double rho, double mean, int heavy)
{
	double x = gsl_ran_gaussian(r, 1.0) / sqrt(1 - rho * rho);
	for (int i = 0; i < n; i++) {
		double e = heavy ? gsl_ran_tdist(r, 3.0) : gsl_ran_gaussian(r, 1.0);
		x = rho * x + e;
		v[i] = mean + x;
	}
}

START_TEST(tau_int_of_ar1)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 5);
	enum { N = 100000, RUNS = 8 };
	double *v = malloc(N * sizeof(double));
	double tau = 0, gamma = 0;
	for (int k = 0; k < RUNS; k++) {
		ar1(r, v, N, 0.9, 0, 0);
		double g;
		tau += bias_tau_int(v, N, &g) / RUNS;
		gamma += g / RUNS;
	}
	ck_assert_double_near(tau, 19.0, 1.0);
	/* Gamma = 2 sum h rho^h / (1 - rho^2) = 2 rho / ((1 - rho)^2 (1 - rho^2)) = 947; a single
	 * estimate scatters by ~20 %, the mean of 8 by ~7 % */
	ck_assert_double_near(gamma, 947.0, 947.0 * 0.15);
	free(v);
	gsl_rng_free(r);
}
END_TEST

/* Known answers: a pure ramp gives its slope exactly; a step makes the halves disagree. */
START_TEST(ramp_and_step)
{
	enum { N = 3600 };
	static double t[N], v[N];
	for (int i = 0; i < N; i++) {
		t[i] = i;          /* one hour */
		v[i] = 5.0 * i / 3600.0 + ((i * 7919) % 13 - 6) * 0.01; /* 5 ns/h + small ripple */
	}
	struct bias_estimate b;
	ck_assert_int_eq(bias_estimate(t, v, N, &b), 0);
	ck_assert_double_near(b.drift_per_h, 5.0, 0.01);
	ck_assert(b.drift_ci_lo <= 5.0 && 5.0 <= b.drift_ci_hi);
	ck_assert(b.drift_significant);
	ck_assert(!b.halves_agree);
	ck_assert_double_near(b.half_mean[0], 1.25, 0.01);
	ck_assert_double_near(b.half_mean[1], 3.75, 0.01);

	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 3);
	for (int i = 0; i < N; i++)
		v[i] = (i < N / 2 ? 0.0 : 20.0) + gsl_ran_gaussian(r, 5.0);
	ck_assert_int_eq(bias_estimate(t, v, N, &b), 0);
	ck_assert(!b.halves_agree);
	ck_assert_double_near(b.half_mean[1] - b.half_mean[0], 20.0, 1.0);
	gsl_rng_free(r);
}
END_TEST

/* Coverage: how often the 95 % interval contains the true mean, over `runs` seeded runs of
 * AR(1) noise (2000 runs: the binomial spread of a coverage estimate is then 0.5 %, so a
 * correct 95 % interval lands in 93-97 % with certainty). Also returns the naive interval's coverage, which must be far worse (the data
 * really is autocorrelated, so the test can tell a naive method from an honest one). */
static double coverage(unsigned long seed, int runs, int n, double rho, int heavy,
		       double *naive_cov, double *drift_cov)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	double *t = malloc((size_t)n * sizeof(double));
	double *v = malloc((size_t)n * sizeof(double));
	for (int i = 0; i < n; i++)
		t[i] = i * 0.5;
	const double truth = 123.0;
	int hit = 0, naive = 0, drift = 0;
	for (int k = 0; k < runs; k++) {
		ar1(r, v, n, rho, truth, heavy);
		struct bias_estimate b;
		ck_assert_int_eq(bias_estimate(t, v, (size_t)n, &b), 0);
		hit += b.ci_lo <= truth && truth <= b.ci_hi;
		naive += fabs(b.mean - truth) <= 1.96 * b.stderr_naive;
		drift += b.drift_ci_lo <= 0 && 0 <= b.drift_ci_hi;
	}
	free(t);
	free(v);
	gsl_rng_free(r);
	*naive_cov = (double)naive / runs;
	*drift_cov = (double)drift / runs;
	return (double)hit / runs;
}

START_TEST(coverage_ar1_normal)
{
	double naive, drift;
	double cov = coverage(20240601, 2000, 4000, 0.9, 0, &naive, &drift);
	fprintf(stderr, "bias coverage AR(1) rho 0.9 normal: %.1f %% (naive %.1f %%, drift %.1f %%)\n",
		cov * 100, naive * 100, drift * 100);
	ck_assert_msg(cov >= 0.93 && cov <= 0.97, "coverage %.3f", cov);
	ck_assert_msg(naive < 0.6, "naive coverage %.3f: the data is not autocorrelated", naive);
	ck_assert_msg(drift >= 0.93 && drift <= 0.97, "drift coverage %.3f", drift);
}
END_TEST

START_TEST(coverage_ar1_heavy_tailed)
{
	double naive, drift;
	double cov = coverage(777, 2000, 4000, 0.8, 1, &naive, &drift);
	fprintf(stderr, "bias coverage AR(1) rho 0.8 t(3): %.1f %% (naive %.1f %%, drift %.1f %%)\n",
		cov * 100, naive * 100, drift * 100);
	ck_assert_msg(cov >= 0.93 && cov <= 0.97, "coverage %.3f", cov);
	ck_assert_msg(naive < 0.7, "naive coverage %.3f", naive);
}
END_TEST

START_TEST(coverage_white)
{
	double naive, drift;
	double cov = coverage(99, 2000, 2000, 0.0, 0, &naive, &drift);
	ck_assert_msg(cov >= 0.93 && cov <= 0.97, "coverage %.3f", cov);
	ck_assert_msg(naive >= 0.93 && naive <= 0.97, "naive coverage %.3f", naive);
}
END_TEST

/* A run shorter than 100 correlation times is flagged. */
START_TEST(short_run_flagged)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 8);
	enum { N = 2000 };
	static double t[N], v[N];
	for (int i = 0; i < N; i++)
		t[i] = i;
	ar1(r, v, N, 0.99, 0, 0); /* tau_int ~ 199 */
	struct bias_estimate b;
	ck_assert_int_eq(bias_estimate(t, v, N, &b), 0);
	ck_assert(b.short_run);
	ck_assert_int_eq(b.batches, 6);
	ck_assert(strstr(b.method, "too narrow") != NULL);
	gsl_rng_free(r);
}
END_TEST

Suite *bias_suite(void)
{
	Suite *s = suite_create("bias");
	TCase *tc = tcase_create("bias");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rejects_short_and_nonfinite);
	tcase_add_test(tc, white_noise_like_naive);
	tcase_add_test(tc, tau_int_of_ar1);
	tcase_add_test(tc, ramp_and_step);
	tcase_add_test(tc, coverage_ar1_normal);
	tcase_add_test(tc, coverage_ar1_heavy_tailed);
	tcase_add_test(tc, coverage_white);
	tcase_add_test(tc, short_run_flagged);
	suite_add_tcase(s, tc);
	return s;
}
