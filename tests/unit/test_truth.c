/* Truth alignment and the per-exchange asymmetry, against hand-computed exchanges. */
#include <math.h>
#include <stdlib.h>

#include "analyze/truth.h"
#include "tests/unit/testutil.h"

/* Master time T, slave clock C = T + theta, d_ms = 600, d_sm = 400, theta = 50:
 * t1 = 0, t2 = 600 + 50 = 650, t3 = 1000 (slave), t4 = 1000 - 50 + 400 = 1350.
 * offset = theta + (d_ms - d_sm)/2 = 150, delay = 500, A = d_ms - d_sm = 200.
 * With the slave's delayAsymmetry 30 configured, offset = 150 - 30 = 120 and A still 200. */
START_TEST(asymmetry_by_hand)
{
	struct ex_series s;
	exs_init(&s);
	exs_append(&s, 0, 650, 1000, 1350, 0);
	exs_append(&s, 0, 650, 1000, 1350, 30);
	ck_assert_double_near(s.offset[0], 150, 1e-12);
	ck_assert_double_near(s.delay[0], 500, 1e-12);
	ck_assert_double_near(s.offset[1], 135, 1e-12); /* (620 - 350)/2: ptp4l's view */
	truth_constant(&s, 50);
	ck_assert_double_near(truth_asymmetry(&s, 0), 200, 1e-12);
	ck_assert_double_near(truth_asymmetry(&s, 1), 200, 1e-12);
	ck_assert_double_near(s.offset[0] - s.theta[0], 100, 1e-12); /* bias = A/2 */
	exs_free(&s);
}
END_TEST

START_TEST(align_by_time)
{
	const char *p = tu_path("truth.tsv");
	tu_write_file(p, "# ptpcal-dataset 1 truth\n# reference: pps /dev/pps0\nt\toffset_ns\n"
			 "1700000000.000000000\t0\n1700000010.000000000\t100\n"
			 "1700000020.000000000\tnan\n1700000030.000000000\t300\n");
	struct truth tr;
	ck_assert(truth_load(&tr, p));
	ck_assert_int_eq(tr.n, 3);           /* the nan sample is a missing one */
	ck_assert_str_eq(tr.ref, "pps /dev/pps0");
	ck_assert_double_near(tr.max_gap_s, 45, 1e-9); /* 3 x median spacing (10, 20) = 45 */
	struct ex_series s;
	exs_init(&s);
	int64_t t0 = 1700000000LL * 1000000000LL;
	int64_t at[] = { -5, 5, 15, 25, 40, 60, 100 }; /* seconds from t0 */
	for (int i = 0; i < 7; i++)
		exs_append(&s, 0, t0 + at[i] * 1000000000LL, 0, 0, 0);
	ck_assert_int_eq(truth_align(&s, &tr), 5);
	ck_assert_double_near(s.theta[0], 0, 1e-9);    /* 5 s before the first: within 22.5 */
	ck_assert_double_near(s.theta[1], 50, 1e-9);
	ck_assert_double_near(s.theta[2], 150, 1e-9);  /* between 10 s (100) and 30 s (300) */
	ck_assert_double_near(s.theta[3], 250, 1e-9);
	ck_assert_double_near(s.theta[4], 300, 1e-9);  /* 10 s after the last */
	ck_assert(isnan(s.theta[5]));                  /* 30 s after: beyond 45/2 s */
	ck_assert(isnan(s.theta[6]));
	exs_free(&s);
	truth_free(&tr);
}
END_TEST

START_TEST(bad_truth)
{
	const char *p = tu_path("bad_truth.tsv");
	struct truth tr;
	tu_write_file(p, "# ptpcal-dataset 1 truth\nt\toffset_ns\n1.0\t5\n0.5\t6\n");
	ck_assert(!truth_load(&tr, p)); /* times go back */
	tu_write_file(p, "# ptpcal-dataset 1 truth\nt\toffset_ns\n");
	ck_assert(!truth_load(&tr, p)); /* empty */
	tu_write_file(p, "# ptpcal-dataset 1 truth\ntime\toffset_ns\n1.0\t5\n");
	ck_assert(!truth_load(&tr, p)); /* no column t */
	tu_write_file(p, "# ptpcal-dataset 1 exchanges\nt\toffset_ns\n1.0\t5\n");
	ck_assert(!truth_load(&tr, p)); /* wrong kind */
}
END_TEST

Suite *truth_suite(void)
{
	Suite *s = suite_create("truth");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, asymmetry_by_hand);
	tcase_add_test(tc, align_by_time);
	tcase_add_test(tc, bad_truth);
	suite_add_tcase(s, tc);
	return s;
}
