/* Distributions with GSL: sort once (gsl_sort), read quantiles from the sorted data
 * (gsl_stats_quantile_from_sorted_data), mean and sample standard deviation (gsl_stats_mean,
 * gsl_stats_sd_m), MAD as the median of |x - median| (sorted again). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analyze/distribution.h"
#include "common/log.h"

const double dist_pct[DIST_NPCT] = { 1, 5, 25, 50, 75, 95, 99, 99.9 };
const char *const dist_pct_name[DIST_NPCT] = { "p1", "p5", "p25", "p50", "p75", "p95", "p99",
					       "p999" };

static size_t keep_finite(double *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			v[k++] = v[i];
	return k;
}

size_t dist_compute_inplace(double *v, size_t n, struct dist *out)
{
	memset(out, 0, sizeof(*out));
	size_t k = keep_finite(v, n);
	out->n = k;
	if (k == 0) {
		out->mean = out->median = out->std = out->mad = out->min = out->max = NAN;
		for (int i = 0; i < DIST_NPCT; i++)
			out->pct[i] = NAN;
		return 0;
	}
	gsl_sort(v, 1, k);
	out->mean = gsl_stats_mean(v, 1, k);
	out->std = k > 1 ? gsl_stats_sd_m(v, 1, k, out->mean) : NAN;
	out->min = v[0];
	out->max = v[k - 1];
	out->median = gsl_stats_median_from_sorted_data(v, 1, k);
	for (int i = 0; i < DIST_NPCT; i++)
		out->pct[i] = gsl_stats_quantile_from_sorted_data(v, 1, k, dist_pct[i] / 100.0);
	double *d = xmalloc(k * sizeof(double));
	for (size_t i = 0; i < k; i++)
		d[i] = fabs(v[i] - out->median);
	gsl_sort(d, 1, k);
	out->mad = gsl_stats_median_from_sorted_data(d, 1, k);
	free(d);
	return k;
}

void dist_compute(const double *v, size_t n, struct dist *out)
{
	double *c = xmalloc((n ? n : 1) * sizeof(double));
	if (n)
		memcpy(c, v, n * sizeof(double));
	dist_compute_inplace(c, n, out);
	free(c);
}

size_t dist_histogram(const double *v, size_t n, size_t nbins, size_t max_bins, double clip,
		      double **lo, double **hi, size_t **count, size_t *below, size_t *above)
{
	*lo = *hi = NULL;
	*count = NULL;
	size_t nbelow = 0, nabove = 0;
	if (below)
		*below = 0;
	if (above)
		*above = 0;
	double *s = xmalloc((n ? n : 1) * sizeof(double));
	if (n)
		memcpy(s, v, n * sizeof(double));
	size_t k = keep_finite(s, n);
	if (k == 0) {
		free(s);
		return 0;
	}
	gsl_sort(s, 1, k);
	double mn = s[0], mx = s[k - 1];
	if (clip > 0 && clip < 0.5) {
		mn = gsl_stats_quantile_from_sorted_data(s, 1, k, clip);
		mx = gsl_stats_quantile_from_sorted_data(s, 1, k, 1 - clip);
	}
	if (max_bins < 1)
		max_bins = 1;
	if (nbins == 0) {
		double iqr = gsl_stats_quantile_from_sorted_data(s, 1, k, 0.75) -
			     gsl_stats_quantile_from_sorted_data(s, 1, k, 0.25);
		double w = 2.0 * iqr / cbrt((double)k); /* Freedman and Diaconis (1981) */
		nbins = (w > 0 && mx > mn) ? (size_t)ceil((mx - mn) / w) : 1;
	}
	if (nbins > max_bins)
		nbins = max_bins;
	if (nbins < 1 || !(mx > mn))
		nbins = 1;
	*lo = xmalloc(nbins * sizeof(double));
	*hi = xmalloc(nbins * sizeof(double));
	*count = xcalloc(nbins, sizeof(size_t));
	double w = (mx - mn) / (double)nbins;
	for (size_t b = 0; b < nbins; b++) {
		(*lo)[b] = mn + w * (double)b;
		(*hi)[b] = b + 1 == nbins ? mx : mn + w * (double)(b + 1);
	}
	for (size_t i = 0; i < k; i++) {
		if (s[i] < mn || s[i] > mx) {
			if (s[i] < mn)
				nbelow++;
			else
				nabove++;
			continue;
		}
		size_t b = w > 0 ? (size_t)((s[i] - mn) / w) : 0;
		if (b >= nbins)
			b = nbins - 1;
		/* floating-point edges: a value at the upper edge of bin b belongs to b+1 */
		while (b + 1 < nbins && s[i] >= (*lo)[b + 1])
			b++;
		while (b > 0 && s[i] < (*lo)[b])
			b--;
		(*count)[b]++;
	}
	free(s);
	if (below)
		*below = nbelow;
	if (above)
		*above = nabove;
	return nbins;
}
