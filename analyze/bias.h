/* The mean of an autocorrelated series (a bias: offset against a truth, or asymmetry) with an
 * honest 95 % confidence interval, its drift and a stationarity check. Consecutive PTP
 * offsets are strongly correlated, so the naive sigma/sqrt(n) interval is far too narrow;
 * the interval here accounts for that (the .c file says which method and why).
 *
 * CONTRACT between the analysis (which computes it) and the calibrator (which refuses or
 * accepts a correction from it): fields do not change without updating both. */
#ifndef PTPCAL_BIAS_H
#define PTPCAL_BIAS_H

#include <stdbool.h>
#include <stddef.h>

struct bias_estimate {
	size_t n;
	double duration_s;      /* t[n-1] - t[0] */
	double mean;            /* same unit as the input (ns for ptpcal) */
	double ci_lo, ci_hi;    /* 95 % confidence interval of the mean */
	double std;             /* sample standard deviation */
	double stderr_naive;    /* std / sqrt(n) */
	double stderr;          /* the autocorrelation-aware standard error behind ci_lo/ci_hi */
	double n_eff;           /* effective number of independent samples: (std/stderr)^2
				 * (may exceed n for an anti-correlated series) */
	const char *method;     /* how the interval was computed, one phrase */
	/* Linear drift (GSL least squares, t in hours): slope and its 95 % interval. */
	double drift_per_h, drift_ci_lo, drift_ci_hi;
	bool drift_significant; /* the 95 % interval of the slope excludes zero AND the drift over
				 * the run exceeds the half-width of the mean's interval */
	/* Stationarity: means of the first and second half with their own intervals. */
	double half_mean[2], half_ci[2]; /* ci = half-width */
	bool halves_agree;      /* |difference| within the combined 95 % interval */

	/* Added with the implementation (the fields above are unchanged): */
	double tau_int;         /* integrated autocorrelation time, in samples (1 = white) */
	size_t batches;         /* number of batch means behind the interval */
	double batch_len;       /* samples per batch (mean) */
	bool short_run;         /* the run holds fewer than 100 correlation times (n < 100 *
				 * tau_int): too few independent batches, the interval is
				 * likely too narrow. A calibrator should refuse or warn. */
};

/* t_s: sample times in seconds (any origin, increasing); v: values. n >= 8.
 * Returns 0, or -1 when the series is too short or holds non-finite values. */
int bias_estimate(const double *t_s, const double *v, size_t n, struct bias_estimate *out);

/* The integrated autocorrelation time of v (in samples, >= 1) with Sokal's automatic window
 * (window W = smallest lag with W >= 5 tau); *gamma_out (may be NULL) receives
 * 2 * sum_{h=1..W} h * acov(h), used for the batch-size correction. O(n log n) (FFT). */
double bias_tau_int(const double *v, size_t n, double *gamma_out);

#endif
