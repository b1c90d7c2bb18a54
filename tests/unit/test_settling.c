/* Settling: servo-log lines as linuxptp prints them, and MSER-5 on series with a known
 * transient. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analyze/settling.h"
#include "tests/unit/testutil.h"

/* The loader takes its lines from the importer's parser (capture/log_import.h, tested in
 * test_log_import.c): any of linuxptp's line forms; one servo per log. */
START_TEST(load_forms)
{
	const char *p = tu_path("servo-forms.log");
	/* journal (syslog form, message tag), ptp4l and phc2sys interleaved: ptp4l's servo */
	tu_write_file(p, "Nov 26 21:00:00 host phc2sys[77]: [99.000] CLOCK_REALTIME phc offset -45 s2 "
			 "freq +3000 delay 540\n"
			 "Nov 26 21:00:00 host ptp4l[76]: [100.000] [eth0] master offset 90000 s0 "
			 "freq +0 path delay 500\n"
			 "Nov 26 21:00:01 host ptp4l[76]: [101.250] [eth0] rms 12 max 30 freq +3 +/- 2 "
			 "delay 540 +/- 1\n"
			 "Nov 26 21:00:02 host ptp4l[76]: [102.500] [eth0] master offset -12 s2 "
			 "freq +3 path delay 540\n");
	struct servo_log sl;
	ck_assert(servo_log_load(&sl, p));
	ck_assert_int_eq(sl.n, 2);
	ck_assert_double_near(sl.t_s[0], 100.0, 1e-9);
	ck_assert_double_near(sl.offset_ns[0], 90000, 0);
	ck_assert_int_eq(sl.state[0], 0);
	ck_assert_double_near(servo_log_settle_s(&sl), 2.5, 1e-9);
	servo_log_free(&sl);
	/* phc2sys only (v3.1.1 "%s offset %9 PRId64 s%d freq %+7.0f delay %6 PRId64"; 4.x without
	 * the delay): the first clock's servo, not another's */
	tu_write_file(p, "phc2sys[99.001]: CLOCK_REALTIME phc offset -45 s1 freq +3000 delay 540\n"
			 "phc2sys[99.500]: /dev/ptp1 phc offset 7 s2 freq -3\n"
			 "phc2sys[100.001]: CLOCK_REALTIME phc offset -5 s2 freq +3010 delay 540\n");
	ck_assert(servo_log_load(&sl, p));
	ck_assert_int_eq(sl.n, 2);
	ck_assert_double_near(servo_log_settle_s(&sl), 1.0, 1e-9);
	servo_log_free(&sl);
	/* linuxptp stamps every line (print.c); lines without the stamp, malformed samples and
	 * summaries are no samples */
	tu_write_file(p, "ptp4l: master offset 5 s2 freq +1 path delay 9\n"
			 "ptp4l[1.000]: master offset x s2 freq +1 path delay 9\n"
			 "ptp4l[7.0]: rms 12 max 30 freq +3 +/- 2 delay 540 +/- 1\n");
	ck_assert(!servo_log_load(&sl, p));
}
END_TEST

START_TEST(settle_from_log)
{
	const char *p = tu_path("ptp4l.log");
	tu_write_file(p, "ptp4l[9.000]: port 1: LISTENING to UNCALIBRATED on RS_SLAVE\n"
			 "ptp4l[10.000]: master offset 90000 s0 freq +0 path delay 500\n"
			 "ptp4l[11.000]: master offset 88000 s1 freq +0 path delay 500\n"
			 "ptp4l[12.000]: master offset 5000 s2 freq +0 path delay 500\n"
			 "ptp4l[12.000]: port 1: UNCALIBRATED to SLAVE on MASTER_CLOCK_SELECTED\n"
			 "ptp4l[13.500]: master offset 40 s2 freq +0 path delay 500\n"
			 "ptp4l[14.500]: master offset 4000 s0 freq +0 path delay 500\n"
			 "ptp4l[15.500]: master offset 40 s2 freq +0 path delay 500\n");
	struct servo_log sl;
	ck_assert(servo_log_load(&sl, p));
	ck_assert_int_eq(sl.n, 6);
	ck_assert_double_near(servo_log_settle_s(&sl), 2.0, 1e-9);
	ck_assert_int_eq(sl.unlocks, 1);
	servo_log_free(&sl);

	/* applied to exchanges one every 0.25 s: the first 8 (0 .. 1.75 s) are settling */
	struct ex_series s;
	exs_init(&s);
	for (int i = 0; i < 40; i++)
		exs_append(&s, 0, (int64_t)i * 250000000, (int64_t)i * 250000000 + 1000,
			      (int64_t)i * 250000000 + 2000, 0);
	ck_assert(servo_log_load(&sl, p));
	struct settling st;
	settle_apply(&s, s.offset, SETTLE_AUTO, 0, &sl, &st);
	ck_assert_int_eq(st.excluded, 8);
	ck_assert_double_near(st.excluded_s, 2.0, 1e-9);
	ck_assert_int_eq(s.state[7], SAMPLE_SETTLING);
	ck_assert_int_eq(s.state[8], SAMPLE_LOCKED);
	servo_log_free(&sl);
	/* never locked (free_running): nothing excluded */
	tu_write_file(p, "ptp4l[1.0]: master offset 9 s0 freq +0 path delay 5\n"
			 "ptp4l[2.0]: master offset 9 s0 freq +0 path delay 5\n");
	ck_assert(servo_log_load(&sl, p));
	ck_assert_double_near(servo_log_settle_s(&sl), -1, 0);
	settle_apply(&s, s.offset, SETTLE_AUTO, 0, &sl, &st);
	ck_assert_int_eq(st.excluded, 0);
	servo_log_free(&sl);
	/* fixed seconds */
	settle_apply(&s, s.offset, SETTLE_SECONDS, 1.0, NULL, &st);
	ck_assert_int_eq(st.excluded, 4);
	exs_free(&s);
	/* not a log */
	tu_write_file(p, "hello\n");
	ck_assert(!servo_log_load(&sl, p));
}
END_TEST

/* An exponential pull-in 1000 exp(-i/20) on white noise of sigma 10 reaches the noise
 * (1000 exp(-i/20) < 5) after i = 20 ln 200 = 106: MSER-5 must cut near there -- not at 0,
 * not far beyond. On stationary noise it must cut little. */
START_TEST(mser_transient)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	enum { N = 4000 };
	double *v = malloc(N * sizeof(double));
	for (int run = 0; run < 20; run++) {
		gsl_rng_set(r, 100 + run);
		for (int i = 0; i < N; i++)
			v[i] = 1000 * exp(-i / 20.0) + gsl_ran_gaussian(r, 10);
		size_t d = settle_mser(v, N, 5);
		ck_assert_msg(d >= 50 && d <= 250, "run %d: cut %zu", run, d);
		ck_assert_int_eq(d % 5, 0);
		for (int i = 0; i < N; i++)
			v[i] = gsl_ran_gaussian(r, 10);
		d = settle_mser(v, N, 5);
		ck_assert_msg(d < N / 10, "stationary run %d: cut %zu", run, d);
	}
	ck_assert_int_eq(settle_mser(v, 10, 5), 0); /* too short: nothing */
	free(v);
	gsl_rng_free(r);
}
END_TEST

/* settle_apply in auto mode on data: a pull-in of 100 us decaying with 20 samples' time
 * constant on 1 us noise is cut (near sample 20 ln(100/0.5) = 106, where it meets the noise);
 * the same noise without it, or with one early outlier, is not cut at all. */
START_TEST(auto_on_data)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 7);
	struct ex_series s;
	struct settling st;
	for (int kind = 0; kind < 3; kind++) {
		exs_init(&s);
		for (int i = 0; i < 3000; i++) {
			double x = gsl_ran_gaussian(r, 1000);
			if (kind == 0)
				x += 100000 * exp(-i / 20.0);
			if (kind == 2 && i == 3)
				x += 1000000;
			int64_t t = (int64_t)i * 125000000;
			/* offset = ((t2 - t1) - (t4 - t3)) / 2 = x */
			exs_append(&s, t, t + 500000 + (int64_t)llround(2 * x), t + 1000,
				      t + 501000, 0);
		}
		settle_apply(&s, s.offset, SETTLE_AUTO, 0, NULL, &st);
		if (kind == 0)
			ck_assert_msg(st.excluded >= 50 && st.excluded <= 250, "cut %zu",
				      st.excluded);
		else
			ck_assert_msg(st.excluded == 0, "kind %d: cut %zu (%s)", kind, st.excluded,
				      st.method);
		exs_free(&s);
	}
	gsl_rng_free(r);
}
END_TEST

Suite *settling_suite(void)
{
	Suite *s = suite_create("settling");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, load_forms);
	tcase_add_test(tc, settle_from_log);
	tcase_add_test(tc, mser_transient);
	tcase_add_test(tc, auto_on_data);
	suite_add_tcase(s, tc);
	return s;
}
