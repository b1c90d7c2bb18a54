/* The mean of an autocorrelated series with an honest 95 % confidence interval.
 *
 * Method: non-overlapping BATCH MEANS with a Student t interval, the batch length chosen from
 * the data's integrated autocorrelation time, and a first-order correction for finite batches.
 *
 *  1. tau_int = 1 + 2 sum_{h>=1} rho(h), the integrated autocorrelation time in samples,
 *     estimated from the sample autocovariance (by FFT, O(n log n)) with Sokal's automatic
 *     window: the sum stops at the smallest lag W with W >= 5 tau_int(W) (A. D. Sokal,
 *     "Monte Carlo methods in statistical mechanics", 1997, sec. 3; the estimator emcee and
 *     most MCMC tools use). n / tau_int is the effective number of independent samples.
 *  2. The series is cut into k batches of ~10 tau_int samples (k between 6 and 30). Batches
 *     that long have nearly independent, nearly normal means (central limit theorem, also
 *     for heavy-tailed noise), so mean +- t(0.975, k-1) * s_batch / sqrt(k) is an interval
 *     whose own uncertainty (only k-1 degrees of freedom) is accounted for by the t quantile.
 *  3. Batch means of finite length underestimate the variance of the mean by
 *     (k+1)/k * Gamma / b per sample, Gamma = 2 sum_h h * acov(h) (Song and Schmeiser, "Optimal
 *     mean-squared-error batch sizes", Management Science 41, 1995, eq. for the bias of the
 *     batch-means estimator); Gamma is estimated over the same window and added back, and the
 *     exact finite-n term -Gamma / n^2 of Var(mean) is kept. Without this the interval of an
 *     AR(1) series with rho = 0.9 covers ~94.3 % instead of 95 %.
 *
 * Why this and not the alternatives the issue lists:
 *  - "effective sample size" alone (sigma / sqrt(n / tau_int) with a normal quantile) ignores
 *    the large sampling error of tau_int itself; batch means carry it in the t quantile's
 *    k - 1 degrees of freedom. We still report n_eff.
 *  - a block bootstrap gives the same first-order answer at hundreds of times the cost, is
 *    random (results would change from run to run) and needs the same block-length choice.
 *  - the noise-type-aware estimate from the stability analysis (SP 1065's EDF for a
 *    power-law noise model) presumes one power-law noise dominates; PTP offsets mix white
 *    timestamp noise, servo-shaped wander and delay steps. The variance of batch means IS the
 *    (non-overlapping) Allan-type variance at the batch length, measured directly, without a
 *    model. Long-memory noise (flicker, random walk) makes the mean of a finite run itself
 *    ill-defined: that is what the drift fit and the halves check report, and short_run flags
 *    a run too short for its correlation time.
 * Checked by simulation (tests/unit/test_bias.c): 2000 seeded AR(1) runs (normal and
 * Student-t(3) innovations, rho up to 0.95) cover the true mean 94-96 % of the time.
 *
 * Drift: least-squares line (GSL gsl_fit_linear) through the k batch means against the batch
 * mean times; with batches longer than the correlation time, the residuals are nearly
 * independent and the slope's interval uses t(0.975, k-2). Fitting the raw samples would give
 * an interval too narrow by sqrt(tau_int).
 *
 * Halves: the same batch length on each half; each half's mean gets its own interval; they
 * "agree" when |m1 - m2| <= sqrt(h1^2 + h2^2) (h = 95 % half-widths). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fft_halfcomplex.h>
#include <gsl/gsl_fft_real.h>
#include <gsl/gsl_fit.h>

#include "analyze/bias.h"
#include "common/log.h"

#define SOKAL_C 5.0        /* window: W >= C * tau */
#define BATCH_TAUS 10.0    /* batch length in correlation times */
#define MIN_BATCHES 6
#define MAX_BATCHES 30
#define SHORT_RUN_TAUS 100.0

double bias_tau_int(const double *v, size_t n, double *gamma_out)
{
	if (gamma_out)
		*gamma_out = 0;
	if (n < 2)
		return 1.0;
	double mean = 0;
	for (size_t i = 0; i < n; i++)
		mean += v[i];
	mean /= (double)n;
	size_t m = 1;
	while (m < 2 * n)
		m <<= 1;
	double *y = xcalloc(m, sizeof(double));
	for (size_t i = 0; i < n; i++)
		y[i] = v[i] - mean;
	/* Autocovariance by FFT of the zero-padded series (no circular wrap: m >= 2n). */
	gsl_fft_real_radix2_transform(y, 1, m);
	y[0] = y[0] * y[0];
	y[m / 2] = y[m / 2] * y[m / 2];
	for (size_t k = 1; k < m / 2; k++) {
		double re = y[k], im = y[m - k];
		y[k] = re * re + im * im;
		y[m - k] = 0;
	}
	gsl_fft_halfcomplex_radix2_inverse(y, 1, m);
	double c0 = y[0] / (double)n;
	double tau = 1.0, gamma = 0;
	if (c0 > 0) {
		for (size_t w = 1; w < n; w++) {
			double c = y[w] / (double)n; /* biased estimator (divides by n): positive definite */
			tau += 2 * c / c0;
			gamma += 2 * (double)w * c;
			if ((double)w >= SOKAL_C * tau)
				break;
		}
	}
	free(y);
	if (!(tau >= 1.0))
		tau = 1.0; /* anti-correlated or degenerate: no fewer batches than for white noise */
	if (gamma_out)
		*gamma_out = gamma;
	return tau;
}

/* Batch means of v[0..n) with k batches (sizes differ by at most one). */
struct batches {
	size_t k;
	double mean;     /* of all samples */
	double var_mean; /* variance of the mean (uncorrected batch-means estimate) */
	double *bm, *bt; /* batch means of v and of t */
};

static void batch(const double *t, const double *v, size_t n, size_t k, struct batches *b)
{
	b->k = k;
	b->bm = xmalloc(k * sizeof(double));
	b->bt = xmalloc(k * sizeof(double));
	double sum = 0;
	for (size_t i = 0; i < k; i++) {
		size_t lo = i * n / k, hi = (i + 1) * n / k;
		double sv = 0, st = 0;
		for (size_t j = lo; j < hi; j++) {
			sv += v[j];
			st += t ? t[j] : 0;
		}
		b->bm[i] = sv / (double)(hi - lo);
		b->bt[i] = st / (double)(hi - lo);
		sum += sv;
	}
	b->mean = sum / (double)n;
	double mb = 0;
	for (size_t i = 0; i < k; i++)
		mb += b->bm[i];
	mb /= (double)k;
	double ss = 0;
	for (size_t i = 0; i < k; i++)
		ss += (b->bm[i] - mb) * (b->bm[i] - mb);
	b->var_mean = ss / (double)(k - 1) / (double)k;
}

static void batch_free(struct batches *b)
{
	free(b->bm);
	free(b->bt);
}

/* Variance of the mean with the finite-batch correction (point 3 above); never below half
 * the uncorrected value, so a wild Gamma estimate cannot shrink the interval. */
static double corrected_var(const struct batches *b, size_t n, double gamma)
{
	double k = (double)b->k, bl = (double)n / k, nn = (double)n;
	double v = b->var_mean + gamma * (k + 1) / (k * bl * nn) - gamma / (nn * nn);
	if (!(v >= 0.5 * b->var_mean))
		v = 0.5 * b->var_mean;
	return v;
}

static size_t choose_batches(size_t n, double tau)
{
	double k = floor((double)n / (BATCH_TAUS * tau));
	if (k > MAX_BATCHES)
		k = MAX_BATCHES;
	if (k < MIN_BATCHES)
		k = MIN_BATCHES;
	return (size_t)k;
}

/* Mean and 95 % half-width of v[0..n) with batches of about `blen` samples. */
static void half_interval(const double *v, size_t n, double blen, double gamma, double *mean,
			  double *half)
{
	size_t k = (size_t)floor((double)n / blen + 0.5);
	if (k < 3)
		k = 3;
	if (k > n)
		k = n;
	struct batches b;
	batch(NULL, v, n, k, &b);
	*mean = b.mean;
	*half = gsl_cdf_tdist_Pinv(0.975, (double)k - 1) * sqrt(corrected_var(&b, n, gamma));
	batch_free(&b);
}

int bias_estimate(const double *t_s, const double *v, size_t n, struct bias_estimate *out)
{
	memset(out, 0, sizeof(*out));
	if (n < 8)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]) || !isfinite(t_s[i]))
			return -1;
	out->n = n;
	out->duration_s = t_s[n - 1] - t_s[0];

	double gamma;
	double tau = bias_tau_int(v, n, &gamma);
	size_t k = choose_batches(n, tau);
	if (k > n / 2)
		k = n / 2; /* at least two samples per batch */
	struct batches b;
	/* Times relative to the first sample, in hours, for the drift fit. */
	double *th = xmalloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++)
		th[i] = (t_s[i] - t_s[0]) / 3600.0;
	batch(th, v, n, k, &b);

	double sum = 0, ss = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	double mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	out->mean = mean;
	out->std = sqrt(ss / (double)(n - 1));
	out->stderr_naive = out->std / sqrt((double)n);

	double var = corrected_var(&b, n, gamma);
	double tq = gsl_cdf_tdist_Pinv(0.975, (double)k - 1);
	out->stderr = sqrt(var);
	out->ci_lo = mean - tq * out->stderr;
	out->ci_hi = mean + tq * out->stderr;
	out->n_eff = out->stderr > 0 ? (out->std * out->std) / var : (double)n;
	out->tau_int = tau;
	out->batches = k;
	out->batch_len = (double)n / (double)k;
	out->short_run = (double)n < SHORT_RUN_TAUS * tau;
	out->method = out->short_run
			      ? "batch means, Student t (run shorter than 100 correlation times: "
				"interval likely too narrow)"
			      : "batch means (batches >= 10 integrated autocorrelation times, "
				"finite-batch corrected), Student t";

	/* Drift through the batch means. */
	double c0, c1, cov00, cov01, cov11, sumsq;
	out->drift_per_h = out->drift_ci_lo = out->drift_ci_hi = NAN;
	if (k >= 3 && out->duration_s > 0 &&
	    gsl_fit_linear(b.bt, 1, b.bm, 1, k, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) == 0) {
		double tq2 = gsl_cdf_tdist_Pinv(0.975, (double)k - 2);
		double se = sqrt(cov11);
		out->drift_per_h = c1;
		out->drift_ci_lo = c1 - tq2 * se;
		out->drift_ci_hi = c1 + tq2 * se;
		double half = tq * out->stderr;
		out->drift_significant = (out->drift_ci_lo > 0 || out->drift_ci_hi < 0) &&
					 fabs(c1) * out->duration_s / 3600.0 > half;
	}
	batch_free(&b);
	free(th);

	/* Halves, with the whole run's batch length. */
	size_t n1 = n / 2;
	half_interval(v, n1, out->batch_len, gamma, &out->half_mean[0], &out->half_ci[0]);
	half_interval(v + n1, n - n1, out->batch_len, gamma, &out->half_mean[1], &out->half_ci[1]);
	out->halves_agree = fabs(out->half_mean[0] - out->half_mean[1]) <=
			    sqrt(out->half_ci[0] * out->half_ci[0] + out->half_ci[1] * out->half_ci[1]);
	return 0;
}
