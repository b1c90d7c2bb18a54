/* Distributions and histograms against hand-computed values. */
#include <math.h>
#include <stdlib.h>

#include "analyze/distribution.h"
#include "tests/unit/testutil.h"

/* 1..10 with two NaNs mixed in: mean 5.5, sample std sqrt(55/6), median 5.5, MAD 2.5;
 * type-7 quantile at p: x[h] + frac * (x[h+1] - x[h]), h = 9p (0-based). */
START_TEST(one_to_ten)
{
	double v[12] = { 7, 3, NAN, 10, 1, 5, 9, 2, INFINITY, 8, 4, 6 };
	struct dist d;
	dist_compute(v, 12, &d);
	ck_assert_int_eq(d.n, 10);
	ck_assert_double_near(d.mean, 5.5, 1e-12);
	ck_assert_double_near(d.std, sqrt(55.0 / 6.0), 1e-12);
	ck_assert_double_near(d.median, 5.5, 1e-12);
	ck_assert_double_near(d.mad, 2.5, 1e-12);
	ck_assert_double_near(d.min, 1, 0);
	ck_assert_double_near(d.max, 10, 0);
	ck_assert_double_near(d.pct[0], 1.09, 1e-12);  /* p1: h = 0.09 */
	ck_assert_double_near(d.pct[1], 1.45, 1e-12);  /* p5 */
	ck_assert_double_near(d.pct[2], 3.25, 1e-12);  /* p25: h = 2.25 */
	ck_assert_double_near(d.pct[3], 5.5, 1e-12);
	ck_assert_double_near(d.pct[4], 7.75, 1e-12);  /* p75: h = 6.75 */
	ck_assert_double_near(d.pct[5], 9.55, 1e-12);  /* p95 */
	ck_assert_double_near(d.pct[6], 9.91, 1e-12);  /* p99 */
	ck_assert_double_near(d.pct[7], 9.991, 1e-12); /* p99.9 */
	ck_assert(v[2] != v[2]);                        /* input untouched */
	ck_assert_double_near(v[0], 7, 0);
}
END_TEST

/* Mean and std of 10^6 values on a large offset, 2^30 + (i mod 1000) 2^-10: the exact
 * mean 2^30 + 499.5 2^-10 needs the 2^-10 parts that a plain running sum (2^50 by the end)
 * rounds away; the sums are compensated. std: sample std of 0 .. 999 (each 1000 times)
 * times 2^-10, to 1e-15. */
START_TEST(large_offset_exact_mean)
{
	enum { N = 1000000 };
	double *v = malloc(N * sizeof(double));
	for (size_t i = 0; i < N; i++)
		v[i] = 1073741824.0 + (double)(i % 1000) / 1024.0;
	struct dist d;
	dist_compute(v, N, &d);
	ck_assert_msg(d.mean == 1073741824.0 + 499.5 / 1024.0, "mean %.17g", d.mean);
	/* sum over i of (i mod 1000 - 499.5)^2 = 1000 * 999 * 1000 * 1001 / 12 */
	double var = 1000.0 * (999.0 * 1000.0 * 1001.0 / 12.0) / (double)(N - 1) / (1024.0 * 1024.0);
	ck_assert_msg(fabs(d.std - sqrt(var)) <= 1e-15 * sqrt(var), "std %.17g, want %.17g", d.std,
		      sqrt(var));
	free(v);
}
END_TEST

START_TEST(empty_and_single)
{
	struct dist d;
	double nan1 = NAN;
	dist_compute(&nan1, 1, &d);
	ck_assert_int_eq(d.n, 0);
	ck_assert(isnan(d.mean) && isnan(d.pct[3]));
	double one = -4;
	dist_compute(&one, 1, &d);
	ck_assert_int_eq(d.n, 1);
	ck_assert_double_near(d.mean, -4, 0);
	ck_assert_double_near(d.pct[7], -4, 0);
	ck_assert_double_near(d.mad, 0, 0);
	ck_assert(isnan(d.std));
}
END_TEST

/* 0..99 in 10 bins of width 9.9: exactly 10 values in each (hand check of the edges:
 * 10 >= 9.9 opens bin 1, 89 < 89.1 stays in bin 8, 99 closes the last bin). */
START_TEST(histogram_fixed_bins)
{
	double v[100];
	for (int i = 0; i < 100; i++)
		v[99 - i] = i;
	double *lo, *hi;
	size_t *count;
	size_t nb = dist_histogram(v, 100, 10, 200, 0, &lo, &hi, &count, NULL, NULL);
	ck_assert_int_eq(nb, 10);
	for (int b = 0; b < 10; b++) {
		ck_assert_int_eq(count[b], 10);
		ck_assert_double_near(lo[b], 9.9 * b, 1e-9);
	}
	ck_assert_double_near(hi[9], 99, 0);
	free(lo);
	free(hi);
	free(count);
}
END_TEST

/* Freedman-Diaconis: 1000 values uniform on [0, 1000): IQR ~ 500, width 2*500/10 = 100, so
 * 10 bins; every value counted once; a constant sample gives one bin. */
START_TEST(histogram_auto)
{
	double v[1000];
	for (int i = 0; i < 1000; i++)
		v[i] = i;
	double *lo, *hi;
	size_t *count;
	size_t nb = dist_histogram(v, 1000, 0, 200, 0, &lo, &hi, &count, NULL, NULL);
	ck_assert_int_eq(nb, 10);
	size_t tot = 0;
	for (size_t b = 0; b < nb; b++)
		tot += count[b];
	ck_assert_int_eq(tot, 1000);
	free(lo);
	free(hi);
	free(count);
	for (int i = 0; i < 1000; i++)
		v[i] = 3;
	nb = dist_histogram(v, 1000, 0, 200, 0, &lo, &hi, &count, NULL, NULL);
	ck_assert_int_eq(nb, 1);
	ck_assert_int_eq(count[0], 1000);
	free(lo);
	free(hi);
	free(count);
}
END_TEST

/* Clipping at the 1 % / 99 % quantiles: 0..99 and two outliers (-1e6, +1e6) among 102
 * values. Type-7 quantiles of the 102 sorted values: h = 101 * 0.01 = 1.01 -> 0 + 0.01 * 1
 * = 0.01; h = 99.99 -> 98 + 0.99 * 1 = 98.99. The outliers and the value 99 fall outside;
 * 0 is below 0.01 too. */
START_TEST(histogram_clipped)
{
	double v[102];
	for (int i = 0; i < 100; i++)
		v[i] = i;
	v[100] = -1e6;
	v[101] = 1e6;
	double *lo, *hi;
	size_t *count, below, above;
	size_t nb = dist_histogram(v, 102, 7, 200, 0.01, &lo, &hi, &count, &below, &above);
	ck_assert_int_eq(nb, 7);
	ck_assert_double_near(lo[0], 0.01, 1e-9);
	ck_assert_double_near(hi[6], 98.99, 1e-9);
	ck_assert_int_eq(below, 2); /* -1e6 and 0 */
	ck_assert_int_eq(above, 2); /* 99 and 1e6 */
	size_t tot = 0;
	for (size_t b = 0; b < nb; b++)
		tot += count[b];
	ck_assert_int_eq(tot, 98);
	free(lo);
	free(hi);
	free(count);
}
END_TEST

Suite *distribution_suite(void)
{
	Suite *s = suite_create("distribution");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, one_to_ten);
	tcase_add_test(tc, empty_and_single);
	tcase_add_test(tc, large_offset_exact_mean);
	tcase_add_test(tc, histogram_fixed_bins);
	tcase_add_test(tc, histogram_auto);
	tcase_add_test(tc, histogram_clipped);
	suite_add_tcase(s, tc);
	return s;
}
