/* linuxptp's delay filters and tsproc, replayed, against sequences computed by hand from
 * mmedian.c, mave.c and tsproc.c (v3.1.1 = v4.4). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/ptp4l_delay_filter.h"
#include "analyze/ptp4l_estimator.h"
#include "analyze/ptp4l_estimator_conf.h"
#include "tests/unit/testutil.h"

static void feed(enum ptp4l_filter_type t, int len, const int64_t *in, const int64_t *want, int n)
{
	struct ptp4l_delay_filter f;
	ck_assert(ptp4l_delay_filter_init(&f, t, len));
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(ptp4l_delay_filter_sample(&f, in[i]), want[i]);
	ptp4l_delay_filter_free(&f);
}

/* Window 3: 10 | 10 30 -> (10+30)/2 | 10 20 30 | 30 20 5 | 20 5 40 | 5 40 7 */
START_TEST(moving_median_by_hand)
{
	const int64_t in[] = { 10, 30, 20, 5, 40, 7 }, want[] = { 10, 20, 20, 20, 20, 7 };
	feed(PTP4L_MOVING_MEDIAN, 3, in, want, 6);
	/* even counts: the two middle values' mean, truncated towards zero as tmv_div() */
	const int64_t in2[] = { 1, 2, 3, 4, 100, -9 }, want2[] = { 1, 1, 2, 2, 3, 3 };
	feed(PTP4L_MOVING_MEDIAN, 4, in2, want2, 6); /* 3/2, 2, 5/2, {2 3 4 100}, {3 4 100 -9} */
	const int64_t in3[] = { -3, -4, -4 }, want3[] = { -3, -3, -4 };
	feed(PTP4L_MOVING_MEDIAN, 2, in3, want3, 3); /* -7/2 = -3 */
	/* window 1: the raw delay itself; duplicates keep their order */
	const int64_t in4[] = { 5, 5, -2, 7 };
	feed(PTP4L_MOVING_MEDIAN, 1, in4, in4, 4);
	const int64_t in5[] = { 7, 7, 7, 1, 7 }, want5[] = { 7, 7, 7, 7, 7 };
	feed(PTP4L_MOVING_MEDIAN, 3, in5, want5, 5);
	struct ptp4l_delay_filter f;
	ck_assert(!ptp4l_delay_filter_init(&f, PTP4L_MOVING_MEDIAN, 0));
}
END_TEST

/* Window 3: 10 | 40/2 | 60/3 | 55/3 = 18 | 65/3 = 21 | 52/3 = 17 */
START_TEST(moving_average_by_hand)
{
	const int64_t in[] = { 10, 30, 20, 5, 40, 7 }, want[] = { 10, 20, 20, 18, 21, 17 };
	feed(PTP4L_MOVING_AVERAGE, 3, in, want, 6);
	const int64_t in2[] = { -5, -6 }, want2[] = { -5, -5 }; /* -11/2 = -5 */
	feed(PTP4L_MOVING_AVERAGE, 4, in2, want2, 2);
	/* reset (tsproc_reset(tsp, 1) on a new master) starts again */
	struct ptp4l_delay_filter f;
	ck_assert(ptp4l_delay_filter_init(&f, PTP4L_MOVING_AVERAGE, 2));
	ptp4l_delay_filter_sample(&f, 1000);
	ptp4l_delay_filter_reset(&f);
	ck_assert_int_eq(ptp4l_delay_filter_sample(&f, 4), 4);
	ck_assert_int_eq(ptp4l_delay_filter_sample(&f, 6), 5);
	ptp4l_delay_filter_free(&f);
}
END_TEST

/* Five exchanges 125 ms apart: fwd = t2 - t1c, rev = t4c - t3, raw delays
 * (fwd + rev)/2 = 100 130 100 115 100. */
static const double FWD[] = { 100, 160, 100, 130, 100 }, REV[] = { 100, 100, 100, 100, 100 };

static void replay(enum ptp4l_tsproc_mode mode, enum ptp4l_filter_type t, int len,
		   struct ptp4l_replay *r)
{
	int64_t t2[5], t3[5];
	for (int i = 0; i < 5; i++) {
		t2[i] = 1700000000000000000 + (int64_t)i * 125000000;
		t3[i] = t2[i] + 30000000;
	}
	struct ptp4l_estimator_cfg c;
	ptp4l_estimator_cfg_default(&c);
	c.mode = mode;
	c.filter = t;
	c.length = len;
	ck_assert_int_eq(ptp4l_replay_exchanges(&c, 5, t2, t3, FWD, REV, r), 0);
}

START_TEST(tsproc_filter_by_hand)
{
	/* Sync 0 has no delay yet (no offset); then offset = fwd - median3 of the delays so
	 * far: 160-100, 100-115, 130-100, 100-115. The filter is full from Sync 3 on. */
	struct ptp4l_replay r;
	replay(PTP4L_TSPROC_FILTER, PTP4L_MOVING_MEDIAN, 3, &r);
	ck_assert_uint_eq(r.n, 4);
	const double want[] = { 60, -15, 30, -15 }, delay[] = { 100, 115, 100, 115 };
	for (int i = 0; i < 4; i++) {
		ck_assert_double_eq(r.offset[i], want[i]);
		ck_assert_double_eq(r.delay[i], delay[i]);
		ck_assert_double_eq(r.weight[i], 1);
		ck_assert_uint_eq(r.row[i], (size_t)i + 1);
	}
	ck_assert_uint_eq(r.warmup, 2);
	ptp4l_replay_free(&r);

	/* moving_average 3: delays 100, 115, 110, 115 */
	replay(PTP4L_TSPROC_FILTER, PTP4L_MOVING_AVERAGE, 3, &r);
	const double want_a[] = { 60, -15, 20, -15 };
	for (int i = 0; i < 4; i++)
		ck_assert_double_eq(r.offset[i], want_a[i]);
	ptp4l_replay_free(&r);
}
END_TEST

START_TEST(tsproc_raw_and_weights_by_hand)
{
	/* raw: this Sync with the previous Delay_Req: fwd - (fwd + rev_prev)/2 */
	struct ptp4l_replay r;
	replay(PTP4L_TSPROC_RAW, PTP4L_MOVING_MEDIAN, 3, &r);
	ck_assert_uint_eq(r.n, 4);
	const double want[] = { 30, 0, 15, 0 };
	for (int i = 0; i < 4; i++)
		ck_assert_double_eq(r.offset[i], want[i]);
	ptp4l_replay_free(&r);

	/* filter_weight: filtered offsets, weight = filtered / raw capped at 1:
	 * 100/130, 115/100 -> 1, 100/115, 115/100 -> 1 */
	replay(PTP4L_TSPROC_FILTER_WEIGHT, PTP4L_MOVING_MEDIAN, 3, &r);
	const double want_f[] = { 60, -15, 30, -15 }, w[] = { 100.0 / 130, 1, 100.0 / 115, 1 };
	for (int i = 0; i < 4; i++) {
		ck_assert_double_eq(r.offset[i], want_f[i]);
		ck_assert_double_eq_tol(r.weight[i], w[i], 1e-15);
	}
	ptp4l_replay_free(&r);
}
END_TEST

/* Exchanges sharing one Sync give one offset; the Delay_Req's raw delay uses the latest
 * Sync's t1c and t2 (tsproc.c get_raw_delay). */
START_TEST(shared_sync_is_one_offset)
{
	int64_t t2[] = { 1000000000, 1000000000, 1125000000 }, t3[] = { 1010000000, 1090000000,
									1130000000 };
	const double fwd[] = { 300, 300, 200 }, rev[] = { 100, 200, 100 };
	struct ptp4l_estimator_cfg c;
	ptp4l_estimator_cfg_default(&c);
	struct ptp4l_replay r;
	ck_assert_int_eq(ptp4l_replay_exchanges(&c, 3, t2, t3, fwd, rev, &r), 0);
	/* delays 200, 250 -> median 225; the second Sync: 200 - 225 */
	ck_assert_uint_eq(r.n, 1);
	ck_assert_double_eq(r.offset[0], -25);
	ptp4l_replay_free(&r);
}
END_TEST

/* The settled bias is the weighted mean of offset - theta. */
START_TEST(settled_bias)
{
	struct ptp4l_replay r;
	memset(&r, 0, sizeof(r));
	size_t n = 400;
	r.n = n;
	r.t_ns = calloc(n, sizeof(int64_t));
	r.weight = calloc(n, sizeof(double));
	double *err = calloc(n, sizeof(double));
	for (size_t i = 0; i < n; i++) {
		r.t_ns[i] = (int64_t)i * 125000000;
		r.weight[i] = i % 2 ? 1.0 : 0.5;
		err[i] = i % 2 ? 10 : 40;   /* weighted: (10 + 0.5 * 40) / 1.5 = 20 */
	}
	struct bias_estimate b;
	ck_assert_int_eq(ptp4l_replay_bias(&r, err, NULL, &b), 0);
	ck_assert_double_eq_tol(b.mean, 20, 1e-9);
	ck_assert(b.ci_lo <= 20 && b.ci_hi >= 20);
	free(err);
	free(r.t_ns);
	free(r.weight);
}
END_TEST

START_TEST(conf_as_linuxptp_reads_it)
{
	struct ptp4l_estimator_cfg c;
	char why[300];
	ptp4l_estimator_cfg_default(&c);
	ck_assert_int_eq(c.length, 10);
	ck_assert(ptp4l_estimator_cfg_from_text(&c, "[global]\n delay_filter  moving_average \n"
					       "delay_filter_length 0x10\n# tsproc_mode raw\n[eth0]\n"
					       "delay_filter_length 3\ntsproc_mode raw\n", why,
					       sizeof(why)));
	ck_assert_int_eq(c.filter, PTP4L_MOVING_AVERAGE);
	ck_assert_int_eq(c.length, 16);          /* strtol base 0; the port's 3 is not E2E's */
	ck_assert_int_eq(c.mode, PTP4L_TSPROC_FILTER);
	ck_assert(ptp4l_estimator_cfg_from_text(&c, "[global]\ntsproc_mode raw_weight\n"
					       "delay_filter_length 4\ndelay_filter_length 5\n",
					       why, sizeof(why)));
	ck_assert_int_eq(c.mode, PTP4L_TSPROC_RAW_WEIGHT);
	ck_assert_int_eq(c.length, 5);           /* the last one wins */
	ck_assert(!ptp4l_estimator_cfg_from_text(&c, "[global]\n\ndelay_filter_length 0\n", why,
						sizeof(why)));
	ck_assert_str_eq(why, "line 3: delay_filter_length 0: out of range 1..2147483647");
	ck_assert(!ptp4l_estimator_cfg_from_text(&c, "[global]\ndelay_filter_length 3x\n", why,
						sizeof(why)));
	ck_assert(!ptp4l_estimator_cfg_from_text(&c, "[global]\ndelay_filter median\n", why,
						sizeof(why)));
	ck_assert(!ptp4l_estimator_cfg_from_text(&c, "slaveOnly 1\n[global]\n", why, sizeof(why)));
	ck_assert_str_eq(why, "line 1: not in a section (ptp4l refuses the file)");
	ck_assert(!ptp4l_estimator_cfg_set(&c, "tsproc_mode", "Filter", why, sizeof(why)));
	ck_assert(!ptp4l_estimator_cfg_set(&c, "servo", "pi", why, sizeof(why)));
	ck_assert(!ptp4l_estimator_cfg_set(&c, "delay_filter_length", "99999999999", why,
					   sizeof(why)));
}
END_TEST

Suite *ptp4l_estimator_suite(void)
{
	Suite *s = suite_create("ptp4l_estimator");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, moving_median_by_hand);
	tcase_add_test(tc, moving_average_by_hand);
	tcase_add_test(tc, tsproc_filter_by_hand);
	tcase_add_test(tc, tsproc_raw_and_weights_by_hand);
	tcase_add_test(tc, shared_sync_is_one_offset);
	tcase_add_test(tc, settled_bias);
	tcase_add_test(tc, conf_as_linuxptp_reads_it);
	suite_add_tcase(s, tc);
	return s;
}
