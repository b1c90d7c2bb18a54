/* Rolling windows on a ramp with known window means. */
#include <math.h>
#include <stdlib.h>

#include "analyze/rolling.h"
#include "tests/unit/testutil.h"

/* One sample per second, v = t: the 60 s window k holds 60k..60k+59, mean 60k + 29.5, sample
 * std sqrt(60 * 61 / 12). 630 s of data: the last window (30 s) is under half: dropped. */
START_TEST(ramp)
{
	enum { N = 630 };
	int64_t t[N];
	double v[N];
	unsigned char use[N];
	for (int i = 0; i < N; i++) {
		t[i] = 1700000000000000000LL + (int64_t)i * 1000000000LL;
		v[i] = i;
		use[i] = 1;
	}
	struct window_stat *w;
	size_t nw = rolling_windows(t, v, use, N, 60000000000LL, &w);
	ck_assert_int_eq(nw, 10);
	for (size_t k = 0; k < nw; k++) {
		ck_assert_int_eq(w[k].n, 60);
		ck_assert_double_near(w[k].mean, 60.0 * k + 29.5, 1e-9);
		ck_assert_double_near(w[k].std, sqrt(60 * 61 / 12.0), 1e-9);
		ck_assert_double_near(w[k].min, 60.0 * k, 0);
		ck_assert_double_near(w[k].max, 60.0 * k + 59, 0);
	}
	struct rolling_summary r;
	rolling_summarise(w, nw, 60, &r);
	ck_assert_double_near(r.mean_min, 29.5, 1e-9);
	ck_assert_double_near(r.mean_max, 569.5, 1e-9);
	free(w);
	/* Unused samples (the first minute) move the windows' start: 60..599 in 9 windows, the
	 * 30 s left over dropped again */
	for (int i = 0; i < 60; i++)
		use[i] = 0;
	nw = rolling_windows(t, v, use, N, 60000000000LL, &w);
	ck_assert_int_eq(nw, 9);
	ck_assert_double_near(w[0].mean, 89.5, 1e-9);
	free(w);
}
END_TEST

Suite *rolling_suite(void)
{
	Suite *s = suite_create("rolling");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, ramp);
	suite_add_tcase(s, tc);
	return s;
}
