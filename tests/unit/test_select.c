/* Selection (analyze/select.h) and the distribution built on it against a full sort: every
 * requested order statistic equal to the sorted array's, and dist_compute's median,
 * percentiles and MAD equal to GSL's sorted-data functions to the last bit. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "analyze/distribution.h"
#include "analyze/select.h"
#include "tests/unit/testutil.h"

enum { N = 5001 };

/* Inputs that break naive quickselects: sorted, reversed, all equal, organ pipe, few
 * distinct values, random. */
static void fill(double *v, size_t n, int kind, gsl_rng *r)
{
	for (size_t i = 0; i < n; i++) {
		switch (kind) {
		case 0: v[i] = (double)i; break;
		case 1: v[i] = (double)(n - i); break;
		case 2: v[i] = 3.5; break;
		case 3: v[i] = (double)(i < n / 2 ? i : n - i); break;
		case 4: v[i] = (double)gsl_rng_uniform_int(r, 3); break;
		default: v[i] = gsl_rng_uniform(r) * 2e5 - 1e5; break;
		}
	}
}

START_TEST(ranks_equal_sorted)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double *v = malloc(N * sizeof(double)), *s = malloc(N * sizeof(double));
	for (size_t n = 1; n <= N; n = n * 3 + 1) {
		fill(v, n, _i, r);
		memcpy(s, v, n * sizeof(double));
		gsl_sort(s, 1, n);
		size_t ranks[] = { 0, n / 100, n / 4, (n - 1) / 2, n / 2, n - 1 - n / 1000, n - 1 };
		size_t u = 0;
		for (size_t i = 0; i < sizeof(ranks) / sizeof(ranks[0]); i++)
			if (u == 0 || ranks[i] > ranks[u - 1])
				ranks[u++] = ranks[i];
		select_ranks(v, n, ranks, u);
		for (size_t i = 0; i < u; i++)
			ck_assert_msg(v[ranks[i]] == s[ranks[i]], "kind %d n %zu rank %zu", _i, n,
				      ranks[i]);
	}
	free(v);
	free(s);
	gsl_rng_free(r);
}
END_TEST

START_TEST(dist_equals_gsl_sorted)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double *v = malloc(N * sizeof(double)), *s = malloc(N * sizeof(double));
	for (size_t n = 1; n <= N; n = n * 2 + 1) {
		fill(v, n, _i, r);
		memcpy(s, v, n * sizeof(double));
		struct dist d;
		dist_compute(v, n, &d);
		gsl_sort(s, 1, n);
		double med = gsl_stats_median_from_sorted_data(s, 1, n);
		ck_assert(d.median == med);
		ck_assert(d.min == s[0] && d.max == s[n - 1]);
		for (int i = 0; i < DIST_NPCT; i++)
			ck_assert_msg(d.pct[i] ==
					      gsl_stats_quantile_from_sorted_data(s, 1, n,
										  dist_pct[i] / 100),
				      "kind %d n %zu pct %d", _i, n, i);
		for (size_t i = 0; i < n; i++)
			s[i] = fabs(s[i] - med);
		gsl_sort(s, 1, n);
		ck_assert(d.mad == gsl_stats_median_from_sorted_data(s, 1, n));
	}
	free(v);
	free(s);
	gsl_rng_free(r);
}
END_TEST

Suite *select_suite(void)
{
	Suite *s = suite_create("select");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, ranks_equal_sorted, 0, 6);
	tcase_add_loop_test(tc, dist_equals_gsl_sorted, 0, 6);
	suite_add_tcase(s, tc);
	return s;
}
