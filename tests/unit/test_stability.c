/* Stability statistics against independent truths:
 *  - published reference values: the NBS14 10-point and 1000-point test suites of
 *    W. J. Riley, "The Calculation of Time Domain Frequency Stability" (ieee-uffc.org
 *    learning-riley / wriley.com paper1ht.htm, Table III) and NIST SP 1065 sec. 12 (pp.
 *    107-108, "doubly reflected" TOTDEV), the same numbers allantools' test suite checks
 *    (aewallin/allantools tests/nbs14/test_nbs14_10point.py and test_nbs14_1000point.py);
 *  - analytic levels of power-law noise (white PM, white FM, random-walk phase);
 *  - MTIE against a brute-force O(n^2) reference on random data;
 *  - coverage of the OADEV 95 % interval by simulation. */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analyze/stability.h"
#include "tests/unit/testutil.h"

#define ck_rel(a, b, rel)                                                                       \
	ck_assert_msg(fabs((double)(a) - (double)(b)) <= (rel) * fabs((double)(b)),             \
		      "%s = %.10g, expected %.10g (rel %g)", #a, (double)(a), (double)(b),      \
		      (double)(rel))

/* NBS14 10-point phase data (Riley, Table I; SP 1065 sec. 12.3). */
static const double nbs14_phase[10] = { 0.00000,   103.11111, 123.22222, 157.33333, 166.44444,
					48.55555,  -96.33333, -2.22222,  111.88889, 0.00000 };
/* The same data as frequency (the phase above is these with their mean removed). */
static const double nbs14_freq[9] = { 892, 809, 823, 798, 671, 644, 883, 903, 677 };

START_TEST(nbs14_10_point)
{
	long m[2] = { 1, 2 };
	struct stab_point p[2];
	ck_assert_int_eq(stab_compute(nbs14_phase, 10, 1.0, m, 2, STAB_ALL, p), 0);
	/* Published (tau = 1, tau = 2), 7 significant digits */
	const double rel = 1e-6;
	ck_rel(p[0].adev, 91.22945, rel);
	ck_rel(p[1].adev, 115.8082, rel);
	ck_rel(p[0].oadev, 91.22945, rel);
	ck_rel(p[1].oadev, 85.95287, rel);
	ck_rel(p[0].mdev, 91.22945, rel);
	ck_rel(p[1].mdev, 74.78849, rel);
	ck_rel(p[0].tdev, 52.67135, rel);
	ck_rel(p[1].tdev, 86.35831, rel);
	ck_rel(p[0].hdev, 70.80608, rel);
	ck_rel(p[1].hdev, 116.7980, rel);
	ck_rel(p[0].ohdev, 70.80607, rel);
	ck_rel(p[1].ohdev, 85.61487, rel);
	/* TOTDEV: SP 1065 p. 107 (plain reflected TOTVAR, no bias correction) */
	ck_rel(p[0].totdev, 91.22945, rel);
	ck_rel(p[1].totdev, 93.90379, rel);
	ck_assert_int_eq(p[0].m, 1);
	ck_assert_double_near(p[1].tau, 2.0, 0);
	ck_assert_int_eq(p[0].n, 8);
	ck_assert_int_eq(p[1].n, 6);

	/* From frequency data: the phase has a ramp the frequency mean puts in; every
	 * statistic but TOTDEV (whose reflection sees the ramp) is unchanged. */
	double x[10];
	stab_freq_to_phase(nbs14_freq, 9, 1.0, x);
	ck_assert_double_near(x[0], 0, 0);
	ck_assert_double_near(x[9], 892 + 809 + 823 + 798 + 671 + 644 + 883 + 903 + 677, 0);
	ck_assert_int_eq(stab_compute(x, 10, 1.0, m, 2, STAB_ALL & ~STAB_TOTDEV, p), 0);
	ck_rel(p[1].adev, 115.8082, rel);
	ck_rel(p[1].oadev, 85.95287, rel);
	ck_rel(p[1].mdev, 74.78849, rel);
	ck_rel(p[1].hdev, 116.7980, rel);
	ck_rel(p[1].ohdev, 85.61487, rel);
}
END_TEST

/* The NBS14 1000-point frequency data: the "minimal standard" generator
 * n_{i+1} = 16807 n_i mod (2^31 - 1), n_0 = 1234567890, y_i = n_i / (2^31 - 1). */
static void nbs14_1000(double *y)
{
	long long n = 1234567890;
	for (int i = 0; i < 1000; i++) {
		if (i == 1)
			ck_assert_int_eq(n, 395529916); /* the first values are published */
		if (i == 2)
			ck_assert_int_eq(n, 1209410747);
		if (i == 3)
			ck_assert_int_eq(n, 633705974);
		y[i] = (double)n / 2147483647.0;
		n = (16807 * n) % 2147483647;
	}
}

START_TEST(nbs14_1000_point)
{
	static double y[1000], x[1001];
	nbs14_1000(y);
	stab_freq_to_phase(y, 1000, 1.0, x);
	/* A large phase offset must not cost precision (no prefix sums of x). */
	for (int i = 0; i < 1001; i++)
		x[i] += 1e6 * _i;
	long m[3] = { 1, 10, 100 };
	struct stab_point p[3];
	ck_assert_int_eq(stab_compute(x, 1001, 1.0, m, 3, STAB_ALL, p), 0);
	const double rel = 1e-6;
	static const double adev[3] = { 2.922319e-01, 9.965736e-02, 3.897804e-02 };
	static const double oadev[3] = { 2.922319e-01, 9.159953e-02, 3.241343e-02 };
	static const double mdev[3] = { 2.922319e-01, 6.172376e-02, 2.170921e-02 };
	static const double tdev[3] = { 1.687202e-01, 3.563623e-01, 1.253382e+00 };
	static const double hdev[3] = { 2.943883e-01, 1.052754e-01, 3.910860e-02 };
	static const double ohdev[3] = { 2.943883e-01, 9.581083e-02, 3.237638e-02 };
	/* SP 1065 p. 108, "doubly reflected TOTVAR" (no bias correction) */
	static const double totdev[3] = { 2.922319e-01, 9.134743e-02, 3.406530e-02 };
	for (int k = 0; k < 3; k++) {
		ck_rel(p[k].adev, adev[k], rel);
		ck_rel(p[k].oadev, oadev[k], rel);
		ck_rel(p[k].mdev, mdev[k], rel);
		ck_rel(p[k].tdev, tdev[k], rel);
		ck_rel(p[k].hdev, hdev[k], rel);
		ck_rel(p[k].ohdev, ohdev[k], rel);
		ck_rel(p[k].totdev, totdev[k], rel);
	}
	/* Uniform white frequency noise: the lag-1 method must call it white FM (alpha 0),
	 * and the interval must contain the estimate. */
	for (int k = 0; k < 3; k++) {
		ck_assert_int_eq(p[k].alpha, 0);
		ck_assert(p[k].oadev_lo < p[k].oadev && p[k].oadev < p[k].oadev_hi);
	}
	/* m = 100 leaves 11 decimated points, too few for the lag-1 method: the noise type of
	 * the longest shorter tau (m = 10) is used, in whatever order the taus come */
	long rev[3] = { 100, 10, 1 };
	struct stab_point q[3];
	ck_assert_int_eq(stab_compute(x, 1001, 1.0, rev, 3, STAB_OADEV, q), 0);
	ck_assert_int_eq(q[0].alpha, 0);
	ck_rel(q[0].oadev_lo, p[2].oadev_lo, 1e-12); /* OADEV alone or with MDEV: rounding */
	ck_rel(q[0].oadev_hi, p[2].oadev_hi, 1e-12);
	/* White FM EDF, SP 1065 Table 5, at N = 1001, m = 10:
	 * (3*1000/20 - 2*999/1001) * 400/405 = 146.1286... */
	ck_assert_double_near(p[1].edf, (150.0 - 1998.0 / 1001.0) * 400.0 / 405.0, 1e-9);
}
END_TEST

static void fill_gauss(gsl_rng *r, double *v, size_t n, double sigma)
{
	for (size_t i = 0; i < n; i++)
		v[i] = gsl_ran_gaussian_ziggurat(r, sigma);
}

/* Least-squares slope of log(dev) against log(tau). */
static double loglog_slope(const struct stab_point *p, size_t k, size_t off)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (size_t i = 0; i < k; i++) {
		double a = log(p[i].tau);
		double b = log(*(const double *)((const char *)&p[i] + off));
		sx += a;
		sy += b;
		sxx += a * a;
		sxy += a * b;
	}
	return (k * sxy - sx * sy) / (k * sxx - sx * sx);
}

START_TEST(white_pm_levels)
{
	/* x iid N(0, s^2): OADEV = sqrt(3) s / tau (E (x2 - 2x1 + x0)^2 = 6 s^2), MDEV =
	 * sqrt(3/m) s / tau (three disjoint m-blocks: variance 6 m s^2, over 2 m^2 tau^2),
	 * so MDEV ~ tau^-1.5 and TDEV = s / sqrt(m); TIE rms = sqrt(2) s. */
	enum { N = 200000 };
	static double x[N];
	const double s = 1e-9, tau0 = 0.125;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 7);
	fill_gauss(r, x, N, s);
	long m[8] = { 4, 8, 16, 32, 64, 128, 256, 512 };
	struct stab_point p[8];
	ck_assert_int_eq(stab_compute(x, N, tau0, m, 8, STAB_ALL, p), 0);
	for (int k = 0; k < 8; k++) {
		double tau = m[k] * tau0;
		ck_rel(p[k].oadev, sqrt(3.0) * s / tau, 0.03);
		ck_rel(p[k].mdev, sqrt(3.0 / m[k]) * s / tau, m[k] <= 64 ? 0.05 : 0.12);
		ck_rel(p[k].tdev, s / sqrt(m[k]), m[k] <= 64 ? 0.05 : 0.12);
		ck_rel(p[k].tie_rms, sqrt(2.0) * s, 0.02);
		ck_assert_int_eq(p[k].alpha, 2);
		/* EDF in the 10^4-10^5 range, where GSL 2.7's chi-squared quantile alone fails:
		 * the interval must exist and, chi2/edf being nearly normal there, span
		 * 2 * 1.96 * sqrt(2 / edf) / 2 of the deviation (variance -> deviation halves it) */
		ck_assert(isfinite(p[k].oadev_lo) && isfinite(p[k].oadev_hi));
		ck_assert(p[k].edf > 5000);
		ck_rel((p[k].oadev_hi - p[k].oadev_lo) / p[k].oadev, 1.96 * sqrt(2 / p[k].edf), 0.01);
	}
	ck_assert_double_near(loglog_slope(p, 8, offsetof(struct stab_point, mdev)), -1.5, 0.03);
	ck_assert_double_near(loglog_slope(p, 8, offsetof(struct stab_point, oadev)), -1.0, 0.02);
	gsl_rng_free(r);
}
END_TEST

START_TEST(white_fm_levels)
{
	/* y iid N(0, sy^2): every Allan-type deviation is sy sqrt(tau0 / tau) (SP 1065 Table of
	 * power-law slopes: ADEV ~ tau^-1/2 for white FM, level h0/2 / tau with h0 = 2 sy^2
	 * tau0); Hadamard equals Allan for white FM; TOTDEV estimates the Allan variance. */
	enum { N = 200000 };
	static double y[N], x[N + 1];
	const double sy = 1e-8, tau0 = 1.0;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 8);
	fill_gauss(r, y, N, sy);
	stab_freq_to_phase(y, N, tau0, x);
	long m[7] = { 1, 4, 16, 64, 256, 1024, 4096 };
	struct stab_point p[7];
	ck_assert_int_eq(stab_compute(x, N + 1, tau0, m, 7, STAB_ALL, p), 0);
	for (int k = 0; k < 7; k++) {
		double want = sy / sqrt((double)m[k]);
		/* 4 standard errors: a deviation from ~K independent squared terms has relative
		 * sd ~ 1/sqrt(2K); overlapping estimators have K ~ 1.5 N/m (white FM EDF). */
		double groups = (double)N / (double)m[k];
		double tol_ov = 4 / sqrt(3 * groups), tol_non = 4 / sqrt(groups);
		ck_rel(p[k].oadev, want, tol_ov);
		ck_rel(p[k].adev, want, tol_non);
		ck_rel(p[k].ohdev, want, tol_non);
		ck_rel(p[k].totdev, want, tol_ov);
		ck_assert_int_eq(p[k].alpha, 0);
		/* TIE rms of a random walk: sqrt(m) sy tau0 */
		ck_rel(p[k].tie_rms, sqrt((double)m[k]) * sy * tau0, tol_non);
	}
	ck_assert_double_near(loglog_slope(p, 7, offsetof(struct stab_point, oadev)), -0.5, 0.03);
	gsl_rng_free(r);
}
END_TEST

START_TEST(random_walk_fm_identified)
{
	/* Random-walk FM: y is a random walk, x its running sum; alpha must be -2. */
	enum { N = 20000 };
	static double y[N], x[N + 1];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 9);
	double w = 0;
	for (int i = 0; i < N; i++) {
		w += gsl_ran_gaussian_ziggurat(r, 1e-12);
		y[i] = w;
	}
	stab_freq_to_phase(y, N, 1.0, x);
	long m[3] = { 1, 8, 64 };
	struct stab_point p[3];
	ck_assert_int_eq(stab_compute(x, N + 1, 1.0, m, 3, STAB_OADEV, p), 0);
	for (int k = 0; k < 3; k++)
		ck_assert_int_eq(p[k].alpha, -2);
	gsl_rng_free(r);
}
END_TEST

/* Flicker noise with PSD ~ f^-beta by the Kasdin & Walter filter (N. J. Kasdin and T.
 * Walter, "Discrete simulation of power law noise", IEEE FCS 1992): white noise convolved
 * with h_0 = 1, h_k = h_{k-1} (beta/2 + k - 1) / k. Direct O(n^2) convolution. */
static void flicker(gsl_rng *r, double *out, size_t n, double beta)
{
	double *h = malloc(n * sizeof(*h)), *w = malloc(n * sizeof(*w));
	h[0] = 1;
	for (size_t k = 1; k < n; k++)
		h[k] = h[k - 1] * (beta / 2 + (double)k - 1) / (double)k;
	for (size_t i = 0; i < n; i++)
		w[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
	for (size_t i = 0; i < n; i++) {
		double acc = 0;
		for (size_t k = 0; k <= i; k++)
			acc += h[k] * w[i - k];
		out[i] = acc;
	}
	free(h);
	free(w);
}

START_TEST(flicker_noise_identified)
{
	/* Flicker PM (phase PSD ~ 1/f: alpha = 1) and flicker FM (frequency PSD ~ 1/f, phase
	 * its sum: alpha = -1), as Riley & Greenhall's lag-1 method must classify them while
	 * thousands of points remain after decimation (at a few hundred, with the quadratic
	 * detrend, the method itself starts to call FPM white -- allantools'
	 * autocorr_noise_id does the same; tests/e2e/stability_vs_allantools.sh compares the
	 * two on every tau). */
	enum { N = 8192 };
	static double y[N], x[N + 1];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 13);
	long m[3] = { 1, 2, 3 };
	struct stab_point p[3];
	flicker(r, x, N, 1.0);
	ck_assert_int_eq(stab_compute(x, N, 1.0, m, 3, STAB_OADEV, p), 0);
	for (int k = 0; k < 3; k++)
		ck_assert_msg(p[k].alpha == 1, "FPM m=%ld: alpha %d", m[k], p[k].alpha);
	flicker(r, y, N, 1.0);
	stab_freq_to_phase(y, N, 1.0, x);
	ck_assert_int_eq(stab_compute(x, N + 1, 1.0, m, 3, STAB_OADEV, p), 0);
	for (int k = 0; k < 3; k++)
		ck_assert_msg(p[k].alpha == -1, "FFM m=%ld: alpha %d", m[k], p[k].alpha);
	gsl_rng_free(r);
}
END_TEST

static double mtie_brute(const double *x, size_t n, long m)
{
	double best = 0;
	for (size_t i = 0; i + (size_t)m < n; i++) {
		double hi = x[i], lo = x[i];
		for (size_t j = i; j <= i + (size_t)m; j++) {
			if (x[j] > hi)
				hi = x[j];
			if (x[j] < lo)
				lo = x[j];
		}
		if (hi - lo > best)
			best = hi - lo;
	}
	return best;
}

/* Test data for MTIE: kind 0 white noise, 1 random walk, 2 small integers (many ties). */
static void mtie_test_data(double *x, size_t n, int kind, gsl_rng *r)
{
	double w = 0;
	for (size_t i = 0; i < n; i++) {
		switch (kind) {
		case 0:
			x[i] = gsl_ran_gaussian(r, 1.0);
			break;
		case 1:
			w += gsl_ran_gaussian(r, 1.0);
			x[i] = w;
			break;
		default:
			x[i] = (double)gsl_rng_uniform_int(r, 4);
			break;
		}
	}
}

START_TEST(mtie_vs_brute_force)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 10);
	enum { N = 1500 };
	static double x[N];
	for (int trial = 0; trial < 6; trial++) {
		size_t n = 3 + gsl_rng_uniform_int(r, N - 3);
		mtie_test_data(x, n, trial % 3, r);
		long m[64];
		size_t nm = stab_taus(n, STAB_ALL_TAU, m, 64);
		/* plus the longest windows */
		if (nm == 64) {
			m[62] = (long)(n - 1) / 2 - 1;
			m[63] = (long)(n - 1) / 2;
		}
		struct stab_point p[64];
		ck_assert_int_eq(stab_compute(x, n, 1.0, m, nm, STAB_MTIE, p), 0);
		for (size_t k = 0; k < nm; k++) {
			ck_assert_double_near(p[k].mtie, mtie_brute(x, n, m[k]), 0);
			ck_assert(isnan(p[k].oadev));
		}
	}
	/* Monotonic ramp: MTIE is the ramp over the window. */
	for (int i = 0; i < 100; i++)
		x[i] = 3.0 * i;
	long m5[1] = { 5 };
	struct stab_point q;
	ck_assert_int_eq(stab_compute(x, 100, 1.0, m5, 1, STAB_MTIE | STAB_TIE_RMS, &q), 0);
	ck_assert_double_near(q.mtie, 15.0, 0);
	ck_assert_double_near(q.tie_rms, 15.0, 1e-12);
	gsl_rng_free(r);
}
END_TEST

/* MDEV and TDEV alone (the time error's TDEV) take a cheaper pass that must give the same
 * sums as the pass for every statistic, to the bit: a random walk with an offset, taus
 * across the pass's chunks of 4096 steps. */
START_TEST(mdev_alone_same_as_fused)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 13);
	enum { N = 30001 };
	static double x[N];
	double w = 0;
	for (size_t i = 0; i < N; i++)
		x[i] = 5.0 + (w += gsl_ran_gaussian(r, 1e-9)) + gsl_ran_gaussian(r, 1e-9);
	long m[] = { 1, 2, 3, 7, 64, 1000, 4096, 5000, 10000 };
	enum { NM = sizeof(m) / sizeof(m[0]) };
	struct stab_point all[NM], alone[NM], tdev[NM];
	ck_assert_int_eq(stab_compute(x, N, 1.0, m, NM, STAB_ALL, all), 0);
	ck_assert_int_eq(stab_compute(x, N, 1.0, m, NM, STAB_MDEV | STAB_TDEV, alone), 0);
	ck_assert_int_eq(stab_compute(x, N, 1.0, m, NM, STAB_TDEV | STAB_MTIE, tdev), 0);
	for (size_t k = 0; k < NM; k++) {
		ck_assert(isfinite(all[k].mdev));
		ck_assert(alone[k].mdev == all[k].mdev && alone[k].tdev == all[k].tdev);
		ck_assert(tdev[k].tdev == all[k].tdev && tdev[k].mtie == all[k].mtie);
		ck_assert(isnan(alone[k].oadev) && isnan(alone[k].tie_rms));
	}
	gsl_rng_free(r);
}
END_TEST

/* MTIE by monotonic deques of the window's maxima and minima (an O(n) method independent of
 * analyze/mtie.c's sparse tables), for series too long for mtie_brute. */
static double mtie_deque(const double *x, size_t n, long m)
{
	size_t w = (size_t)m + 1, *qh = malloc(n * sizeof(size_t)), *ql = malloc(n * sizeof(size_t));
	size_t h0 = 0, h1 = 0, l0 = 0, l1 = 0;
	double best = 0;
	for (size_t i = 0; i < n; i++) {
		while (h1 > h0 && x[qh[h1 - 1]] <= x[i])
			h1--;
		qh[h1++] = i;
		while (l1 > l0 && x[ql[l1 - 1]] >= x[i])
			l1--;
		ql[l1++] = i;
		if (i + 1 < w)
			continue;
		size_t s = i + 1 - w; /* the window x[s .. i] */
		while (qh[h0] < s)
			h0++;
		while (ql[l0] < s)
			l0++;
		if (x[qh[h0]] - x[ql[l0]] > best)
			best = x[qh[h0]] - x[ql[l0]];
	}
	free(qh);
	free(ql);
	return best;
}

/* Series longer than mtie.c's chunk of starts (2^15) and not a multiple of its blocks (1024):
 * the windows across chunk ends, around the short/long switch (w = 1025, 1026) and long ones
 * (a random walk, where few blocks are scanned, and white noise, where all are), against the
 * deques. */
START_TEST(mtie_chunks_and_blocks_vs_deque)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 12);
	enum { NL = 100003 };
	double *x = malloc(NL * sizeof(double));
	for (int kind = 0; kind < 3; kind++) {
		mtie_test_data(x, NL, kind, r);
		long m[] = { 1, 2, 3, 7, 100, 1023, 1024, 1025, 1500, 2048, 5000, 32767, 32768,
			     40000, 50001, 70000, NL - 2, NL - 1, NL };
		enum { NM = sizeof(m) / sizeof(m[0]) };
		struct stab_point p[NM];
		ck_assert_int_eq(stab_compute(x, NL, 1.0, m, NM, STAB_MTIE, p), 0);
		for (size_t k = 0; k < NM; k++) {
			if (m[k] >= NL) {
				ck_assert(isnan(p[k].mtie));
				continue;
			}
			ck_assert_msg(p[k].mtie == mtie_deque(x, NL, m[k]), "kind %d m %ld: %.17g %.17g",
				      kind, m[k], p[k].mtie, mtie_deque(x, NL, m[k]));
		}
	}
	free(x);
	gsl_rng_free(r);
}
END_TEST

/* MTIE for windows longer than half the series (tau > N/2, up to N - 1) and long enough for
 * the pruned scan (w >= 256), against the brute force: white, random-walk and tied data. */
START_TEST(mtie_long_windows_vs_brute_force)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 11);
	enum { N = 2500 };
	static double x[N];
	for (int trial = 0; trial < 6; trial++) {
		size_t n = 600 + gsl_rng_uniform_int(r, N - 600);
		mtie_test_data(x, n, trial % 3, r);
		long m[12] = { (long)n / 2, (long)n / 2 + 1, (long)(2 * n / 3), (long)n - 2,
			       (long)n - 1, 255, 256, 300, 511, 1000, (long)n - 300, 2 };
		struct stab_point p[12];
		ck_assert_int_eq(stab_compute(x, n, 1.0, m, 12, STAB_MTIE | STAB_TIE_RMS, p), 0);
		for (size_t k = 0; k < 12; k++) {
			if ((size_t)m[k] >= n) {
				ck_assert(isnan(p[k].mtie));
				continue;
			}
			ck_assert_msg(p[k].mtie == mtie_brute(x, n, m[k]), "trial %d n %zu m %ld",
				      trial, n, m[k]);
			double tie = 0; /* TIE rms by its definition */
			for (size_t i = 0; i + (size_t)m[k] < n; i++)
				tie += (x[i + m[k]] - x[i]) * (x[i + m[k]] - x[i]);
			tie = sqrt(tie / (double)(n - (size_t)m[k]));
			ck_assert_double_near(p[k].tie_rms, tie, 1e-12 * tie);
		}
	}
	/* a long random walk, where the pruning leaves only a few runs of blocks to scan */
	enum { NW = 20000 };
	static double y[NW];
	for (int trial = 0; trial < 3; trial++) {
		double w = 0;
		for (size_t i = 0; i < NW; i++)
			y[i] = w += gsl_ran_gaussian(r, 1.0) + (trial == 2 ? 0.02 : 0);
		long m[5] = { 255, 400, 1000, 3000, 12000 };
		struct stab_point p[5];
		ck_assert_int_eq(stab_compute(y, NW, 1.0, m, 5, STAB_MTIE, p), 0);
		for (size_t k = 0; k < 5; k++)
			ck_assert_msg(p[k].mtie == mtie_brute(y, NW, m[k]), "walk %d m %ld", trial,
				      m[k]);
	}
	gsl_rng_free(r);
}
END_TEST

START_TEST(oadev_interval_coverage)
{
	/* 2000 runs of 1001 phase points, white FM (alpha 0) and white PM (alpha 2): the 95 %
	 * interval at m = 10 must miss the true OADEV (sy / sqrt(10), resp. sqrt(3) sx / 10) on
	 * each side in about 2.5 % of runs and cover it in about 95 %: accepted 1.0-4.5 % per
	 * side (binomial sd 0.35 %; SP 1065's simple EDF formulas and the chi-squared model are
	 * approximations: observed 3.6 / 2.0 % for white FM) and 93.5-96.5 % in all. */
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 12);
	enum { N = 1000, RUNS = 2000 };
	static double y[N], x[N + 1];
	long m[1] = { 10 };
	for (int kind = 0; kind < 2; kind++) {
		int below = 0, above = 0, identified = 0;
		double truth = kind == 0 ? 1.0 / sqrt(10.0) : sqrt(3.0) / 10.0;
		for (int run = 0; run < RUNS; run++) {
			struct stab_point p;
			if (kind == 0) {
				fill_gauss(r, y, N, 1.0);
				stab_freq_to_phase(y, N, 1.0, x);
			} else {
				fill_gauss(r, x, N + 1, 1.0);
			}
			ck_assert_int_eq(stab_compute(x, N + 1, 1.0, m, 1, STAB_OADEV, &p), 0);
			identified += p.alpha == (kind == 0 ? 0 : 2);
			below += truth < p.oadev_lo;
			above += truth > p.oadev_hi;
		}
		fprintf(stderr, "OADEV 95 %% interval, %s: truth below %.2f %%, above %.2f %%, noise "
			"identified %.1f %%\n", kind == 0 ? "white FM" : "white PM",
			100.0 * below / RUNS, 100.0 * above / RUNS, 100.0 * identified / RUNS);
		ck_assert_int_ge(identified, RUNS * 95 / 100);
		ck_assert_msg(below >= RUNS * 10 / 1000 && below <= RUNS * 45 / 1000, "below %d", below);
		ck_assert_msg(above >= RUNS * 10 / 1000 && above <= RUNS * 45 / 1000, "above %d", above);
		int miss = below + above;
		ck_assert_msg(miss >= RUNS * 35 / 1000 && miss <= RUNS * 65 / 1000, "missed %d", miss);
	}
	gsl_rng_free(r);
}
END_TEST

START_TEST(taus_and_names)
{
	long m[64];
	ck_assert_uint_eq(stab_taus(2, STAB_OCTAVE, m, 64), 0);
	ck_assert_uint_eq(stab_taus(3, STAB_OCTAVE, m, 64), 1);
	ck_assert_int_eq(m[0], 1);
	size_t k = stab_taus(1001, STAB_OCTAVE, m, 64);
	ck_assert_uint_eq(k, 9); /* 1 .. 256 (<= 500) */
	ck_assert_int_eq(m[8], 256);
	k = stab_taus(1001, STAB_DECADE, m, 64);
	ck_assert_uint_eq(k, 9); /* 1 2 5 10 20 50 100 200 500 */
	ck_assert_int_eq(m[8], 500);
	k = stab_taus(11, STAB_ALL_TAU, m, 64);
	ck_assert_uint_eq(k, 5);
	ck_assert_uint_eq(stab_taus(1001, STAB_ALL_TAU, m, 3), 3);
	ck_assert_str_eq(stab_stat_name(STAB_ADEV), "adev");
	ck_assert_str_eq(stab_stat_name(STAB_OHDEV), "ohdev");
	ck_assert_str_eq(stab_stat_name(STAB_TIE_RMS), "tie_rms");
	ck_assert_str_eq(stab_stat_name(STAB_MTIE), "mtie");
}
END_TEST

START_TEST(bad_arguments_and_undefined)
{
	double x[10] = { 0 };
	long m[2] = { 1, 4 };
	struct stab_point p[2];
	ck_assert_int_eq(stab_compute(x, 2, 1.0, m, 1, STAB_ALL, p), -1);
	ck_assert_int_eq(stab_compute(x, 10, 0.0, m, 1, STAB_ALL, p), -1);
	ck_assert_int_eq(stab_compute(x, 10, NAN, m, 1, STAB_ALL, p), -1);
	long bad[1] = { 0 };
	ck_assert_int_eq(stab_compute(x, 10, 1.0, bad, 1, STAB_ALL, p), -1);
	x[4] = INFINITY;
	ck_assert_int_eq(stab_compute(x, 10, 1.0, m, 1, STAB_ALL, p), -1);
	x[4] = NAN;
	ck_assert_int_eq(stab_compute(x, 10, 1.0, m, 1, STAB_ALL, p), -1);
	/* m = 4 with 10 points: OADEV defined (2 terms), MDEV needs 3m <= N: no; HDEV needs
	 * 3m < N: no; unselected statistics are NAN. */
	for (int i = 0; i < 10; i++)
		x[i] = i * i;
	ck_assert_int_eq(stab_compute(x, 10, 1.0, m, 2, STAB_OADEV | STAB_MDEV | STAB_HDEV, p), 0);
	ck_assert(isfinite(p[1].oadev));
	ck_assert_int_eq(p[1].n, 2);
	ck_assert(isnan(p[1].mdev));
	ck_assert(isnan(p[1].hdev));
	ck_assert(isnan(p[1].adev));
	ck_assert(isnan(p[1].mtie));
	/* x = i^2: second difference 2 m^2 everywhere: OADEV = 2 m^2 / (sqrt 2 m) = sqrt(2) m */
	ck_assert_double_near(p[1].oadev, sqrt(2.0) * 4, 1e-12);
	/* averaging factors at or beyond the series: every statistic undefined, no overflow */
	long huge[3] = { 10, 11, LONG_MAX };
	struct stab_point q[3];
	ck_assert_int_eq(stab_compute(x, 10, 1.0, huge, 3, STAB_ALL, q), 0);
	for (int k = 0; k < 3; k++) {
		ck_assert(isnan(q[k].adev) && isnan(q[k].oadev) && isnan(q[k].totdev));
		ck_assert(isnan(q[k].mtie) && isnan(q[k].tie_rms));
		ck_assert_int_eq(q[k].n, 0);
	}
	/* m = N - 1: TOTDEV (reflected), MTIE and TIE rms still defined */
	long last[1] = { 9 };
	ck_assert_int_eq(stab_compute(x, 10, 1.0, last, 1, STAB_ALL, q), 0);
	ck_assert(isfinite(q[0].totdev) && isnan(q[0].oadev));
	ck_assert_double_near(q[0].mtie, 81, 0);     /* x = i^2: 81 - 0 */
	ck_assert_double_near(q[0].tie_rms, 81, 0);  /* the one pair (0, 9) */
	/* too few points to identify the noise: no interval */
	ck_assert_int_eq(p[0].alpha, 99);
	ck_assert(isnan(p[0].oadev_lo) && isnan(p[0].edf));
}
END_TEST

Suite *stability_suite(void)
{
	Suite *s = suite_create("stability");
	TCase *tc = tcase_create("stability");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, nbs14_10_point);
	tcase_add_loop_test(tc, nbs14_1000_point, 0, 2);
	tcase_add_test(tc, white_pm_levels);
	tcase_add_test(tc, white_fm_levels);
	tcase_add_test(tc, random_walk_fm_identified);
	tcase_add_test(tc, flicker_noise_identified);
	tcase_add_test(tc, mdev_alone_same_as_fused);
	tcase_add_test(tc, mtie_vs_brute_force);
	tcase_add_test(tc, mtie_long_windows_vs_brute_force);
	tcase_add_test(tc, mtie_chunks_and_blocks_vs_deque);
	tcase_add_test(tc, oadev_interval_coverage);
	tcase_add_test(tc, taus_and_names);
	tcase_add_test(tc, bad_arguments_and_undefined);
	suite_add_tcase(s, tc);
	return s;
}
