/* Distribution of a sample: n, mean, median, standard deviation, MAD, extremes, the
 * percentiles ptpcal reports (1, 5, 25, 50, 75, 95, 99, 99.9) and a histogram.
 * Percentiles are GSL's (gsl_stats_quantile_from_sorted_data: linear interpolation between
 * order statistics, Hyndman & Fan type 7, the default of R and numpy). MAD is the raw median
 * absolute deviation from the median (not scaled by 1.4826). Non-finite values are skipped. */
#ifndef PTPCAL_DISTRIBUTION_H
#define PTPCAL_DISTRIBUTION_H

#include <stddef.h>

#define DIST_NPCT 8
extern const double dist_pct[DIST_NPCT];        /* 1, 5, 25, 50, 75, 95, 99, 99.9 */
extern const char *const dist_pct_name[DIST_NPCT]; /* "p1", ..., "p999" */

struct dist {
	size_t n;
	double mean, median, std, mad, min, max; /* std: sample (n - 1); NAN where undefined */
	double pct[DIST_NPCT];
};

/* The distribution of the finite values among v[0..n) (v is not modified). */
void dist_compute(const double *v, size_t n, struct dist *out);

/* Same, but reorders v in place (non-finite values are dropped first) instead of copying it.
 * Returns the number of finite values, now at the front of v in no particular order. */
size_t dist_compute_inplace(double *v, size_t n, struct dist *out);

/* Histogram of the finite values: nbins equal bins over [min, max] (the last bin closed), or,
 * with clip > 0, over the quantiles [clip, 1 - clip] so that a few outliers do not squeeze
 * the body into one bin; the values outside are counted in *below / *above (may be NULL).
 * nbins 0 chooses the Freedman-Diaconis width 2 IQR n^(-1/3), between 1 and max_bins bins.
 * Returns the number of bins written to lo/hi/count (allocated, caller frees), 0 if empty. */
size_t dist_histogram(const double *v, size_t n, size_t nbins, size_t max_bins, double clip,
		      double **lo, double **hi, size_t **count, size_t *below, size_t *above);

#endif
