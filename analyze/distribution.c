/* Distributions: mean and sample standard deviation from blocked sums (sum_of; GSL's
 * gsl_stats_mean and gsl_stats_sd_m update a long-double running mean with a division per
 * value, 0.2 s on 10^7 values), quantiles and the median as GSL computes them from sorted data but from
 * the few order statistics they need, put in place by selection (select.h: a 10^7-point
 * series took 2 s to heapsort twice); MAD as the median of |x - median|, selected again. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analyze/distribution.h"
#include "analyze/select.h"
#include "common/bigmem.h"
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

/* GSL's type-7 quantile (gsl_stats_quantile_from_sorted_data, GSL 2.7 statistics/quantiles
 * source) read from the order statistics v[lhs], v[lhs + 1] that select_ranks put in place:
 * the same arithmetic, so the same value to the last bit. */
static size_t quantile_lhs(size_t k, double f)
{
	return (size_t)(int)(f * (double)(k - 1));
}

static double quantile_at(const double *v, size_t k, double f)
{
	double index = f * (double)(k - 1);
	size_t lhs = quantile_lhs(k, f);
	double delta = index - (double)lhs;
	if (lhs == k - 1)
		return v[lhs];
	return (1 - delta) * v[lhs] + delta * v[lhs + 1];
}

/* gsl_stats_median_from_sorted_data on the order statistics (k - 1) / 2 and k / 2. */
static double median_at(const double *v, size_t k)
{
	size_t lhs = (k - 1) / 2, rhs = k / 2;
	return lhs == rhs ? v[lhs] : (v[lhs] + v[rhs]) / 2.0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* Puts in place every order statistic median_at and quantile_at read. */
static void select_quantiles(double *v, size_t k)
{
	size_t r[2 * DIST_NPCT + 2], nr = 0;
	r[nr++] = (k - 1) / 2;
	r[nr++] = k / 2;
	for (int i = 0; i < DIST_NPCT; i++) {
		size_t lhs = quantile_lhs(k, dist_pct[i] / 100.0);
		r[nr++] = lhs;
		if (lhs + 1 < k)
			r[nr++] = lhs + 1;
	}
	qsort(r, nr, sizeof(r[0]), cmp_size);
	size_t u = 0;
	for (size_t i = 0; i < nr; i++)
		if (u == 0 || r[i] != r[u - 1])
			r[u++] = r[i];
	select_ranks(v, k, r, u);
}

/* s += x with the rounding error of the addition kept in c (Knuth's TwoSum: no branch). */
#define TWO_SUM(s, c, x)                                                                      \
	do {                                                                                    \
		double x_ = (x), t_ = (s) + x_, z_ = t_ - (s);                                  \
		(c) += ((s) - (t_ - z_)) + (x_ - z_);                                           \
		(s) = t_;                                                                       \
	} while (0)

/* Sum of f(v[i]) with compensated summation in four interleaved lanes (no chain through
 * every value, and correct to about an ulp like GSL's long-double running mean). With
 * c = NAN, f(v) = v; else f(v) = (v - c)^2. */
static double sum_of(const double *v, size_t k, double c)
{
	bool sq = !isnan(c);
	double s[4] = { 0, 0, 0, 0 }, e[4] = { 0, 0, 0, 0 };
	size_t i = 0;
	for (; i + 4 <= k; i += 4) {
		for (int l = 0; l < 4; l++) {
			double d = sq ? (v[i + l] - c) * (v[i + l] - c) : v[i + l];
			TWO_SUM(s[l], e[l], d);
		}
	}
	for (; i < k; i++) {
		double d = sq ? (v[i] - c) * (v[i] - c) : v[i];
		TWO_SUM(s[0], e[0], d);
	}
	double tot = 0, err = e[0] + e[1] + e[2] + e[3];
	for (int l = 0; l < 4; l++)
		TWO_SUM(tot, err, s[l]);
	return tot + err;
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
	out->mean = sum_of(v, k, NAN) / (double)k;
	/* sample variance by the two-pass formula, sum (v - mean)^2 / (k - 1) */
	out->std = k > 1 ? sqrt(sum_of(v, k, out->mean) / (double)(k - 1)) : NAN;
	gsl_stats_minmax(&out->min, &out->max, v, 1, k);
	/* order statistics by selection, not a sort (select.h) */
	select_quantiles(v, k);
	out->median = median_at(v, k);
	for (int i = 0; i < DIST_NPCT; i++)
		out->pct[i] = quantile_at(v, k, dist_pct[i] / 100.0);
	/* MAD: the median of |x - median|, in the same buffer */
	for (size_t i = 0; i < k; i++)
		v[i] = fabs(v[i] - out->median);
	size_t r[2] = { (k - 1) / 2, k / 2 };
	select_ranks(v, k, r, r[0] == r[1] ? 1 : 2);
	out->mad = median_at(v, k);
	return k;
}

void dist_compute(const double *v, size_t n, struct dist *out)
{
	double *c = bigmem_alloc(n * sizeof(double));
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
