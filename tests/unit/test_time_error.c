/* G.8273.2 time-error metrics on synthetic TE whose metrics are known analytically: a
 * constant offset (cTE, no dynamic TE), sines through the 0.1 Hz first-order filter pair
 * (gains 1/sqrt(1 + (f/fc)^2) and (f/fc)/sqrt(1 + (f/fc)^2)), and a ramp (MTIE = slope * tau,
 * TDEV = 0); the class verdicts against the limits of clause 7.1. */
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "analyze/time_error.h"
#include "tests/unit/testutil.h"

#define ck_rel(a, b, rel)                                                                       \
	ck_assert_msg(fabs((double)(a) - (double)(b)) <= (rel) * fabs((double)(b)),             \
		      "%s = %.10g, expected %.10g (rel %g)", #a, (double)(a), (double)(b),      \
		      (double)(rel))

static double *series(size_t n)
{
	double *v = malloc(n * sizeof(*v));
	ck_assert_ptr_nonnull(v);
	return v;
}

START_TEST(constant_offset)
{
	const double rate = 10;
	size_t n = 11001; /* 1100 s */
	double *te = series(n);
	for (size_t i = 0; i < n; i++)
		te[i] = 30.0;
	struct te_report r;
	ck_assert_int_eq(te_evaluate(te, n, rate, &r), 0);
	ck_assert_uint_eq(r.n, n);
	ck_assert_double_near(r.duration_s, 1100.0, 1e-9);
	ck_assert_double_near(r.cte, 30.0, 1e-9);
	ck_assert_double_near(r.max_abs_te, 30.0, 0);
	ck_assert_double_near(r.dte_l_pp, 0, 1e-9);
	ck_assert_double_near(r.dte_h_pp, 0, 1e-9);
	ck_assert_uint_eq(r.dte_l_mtie.npoints, 10); /* 1 .. 1000 s: the 1090 s kept hold it */
	ck_assert_uint_eq(r.dte_l_tdev.npoints, 8);  /* 1 .. 200 s: TDEV needs 3 tau */
	for (size_t i = 0; i < r.dte_l_mtie.npoints; i++) {
		ck_assert_double_near(r.dte_l_mtie.value[i], 0, 1e-9);
		ck_assert_double_near(r.dte_l_mtie.limit[i], 40, 0); /* class A */
	}
	for (size_t i = 0; i < r.dte_l_tdev.npoints; i++) {
		ck_assert_double_near(r.dte_l_tdev.value[i], 0, 1e-9);
		ck_assert_double_near(r.dte_l_tdev.limit[i], 4, 0);
	}
	ck_assert_double_near(r.dte_l_mtie.tau[0], 1.0, 1e-12);
	/* A: |cTE| 30 <= 50, max|TE| 30 <= 100: pass. B: cTE limit 20: fail. C: max|TE| 30 <= 30
	 * but cTE 30 > 10. D: max|TE_L| 30 > 5. */
	ck_assert(r.verdict[TE_CLASS_A].pass);
	ck_assert(!r.verdict[TE_CLASS_B].pass);
	ck_assert(!r.verdict[TE_CLASS_B].cte_pass);
	ck_assert(r.verdict[TE_CLASS_B].max_abs_te_pass);
	ck_assert(r.verdict[TE_CLASS_C].max_abs_te_pass);
	ck_assert(!r.verdict[TE_CLASS_C].cte_pass);
	ck_assert(!r.verdict[TE_CLASS_D].pass);
	ck_assert_double_near(r.verdict[TE_CLASS_D].max_abs_te_limit, 5, 0);
	ck_assert(isnan(r.verdict[TE_CLASS_D].cte_limit));
	ck_assert_double_near(r.verdict[TE_CLASS_C].dte_h_pp_limit, 30, 0);
	ck_assert_ptr_nonnull(r.notes);
	/* Negative offsets count by magnitude. */
	for (size_t i = 0; i < n; i++)
		te[i] = -60.0;
	ck_assert_int_eq(te_evaluate(te, n, rate, &r), 0);
	ck_assert_double_near(r.cte, -60.0, 1e-9);
	ck_assert(!r.verdict[TE_CLASS_A].cte_pass);
	ck_assert(r.verdict[TE_CLASS_A].max_abs_te_pass);
	free(te);
}
END_TEST

/* TE = A sin(2 pi f t) at rate fs for T seconds. */
static double *sine(double amp, double f, double fs, double seconds, size_t *n)
{
	*n = (size_t)(seconds * fs) + 1;
	double *te = series(*n);
	for (size_t i = 0; i < *n; i++)
		te[i] = amp * sin(2 * M_PI * f * (double)i / fs);
	return te;
}

START_TEST(slow_sine_passes_low_pass)
{
	/* f = 0.01 Hz = fc / 10: TE_L amplitude A / sqrt(1.01), TE_H amplitude A 0.1 / sqrt(1.01) */
	size_t n;
	double *te = sine(100.0, 0.01, 10.0, 1010.0, &n);
	struct te_report r;
	ck_assert_int_eq(te_evaluate(te, n, 10.0, &r), 0);
	ck_assert_double_near(r.max_abs_te, 100.0, 1e-9);
	ck_assert_double_near(r.cte, 0, 0.5); /* 10.1 periods: |mean| <= A / (pi f T) */
	ck_rel(r.dte_l_pp, 200.0 / sqrt(1.01), 0.005);
	ck_rel(r.dte_h_pp, 20.0 / sqrt(1.01), 0.01);
	/* MTIE of a sine of amplitude B at tau >= half a period (50 s) is 2B */
	for (size_t i = 0; i < r.dte_l_mtie.npoints; i++)
		if (r.dte_l_mtie.tau[i] >= 50)
			ck_rel(r.dte_l_mtie.value[i], 200.0 / sqrt(1.01), 0.005);
	ck_assert(r.verdict[TE_CLASS_A].max_abs_te_pass);  /* 100 <= 100 */
	ck_assert(!r.verdict[TE_CLASS_B].max_abs_te_pass); /* 100 > 70 */
	free(te);
}
END_TEST

START_TEST(fast_sine_passes_high_pass)
{
	/* f = 1 Hz = 10 fc: TE_L amplitude A 0.1 / sqrt(1.01), TE_H amplitude A / sqrt(1.01) */
	size_t n;
	double *te = sine(10.0, 1.0, 100.0, 200.0, &n);
	struct te_report r;
	ck_assert_int_eq(te_evaluate(te, n, 100.0, &r), 0);
	ck_rel(r.dte_h_pp, 20.0 / sqrt(1.01), 0.01);
	ck_rel(r.dte_l_pp, 2.0 / sqrt(1.01), 0.02);
	ck_assert(r.verdict[TE_CLASS_A].dte_h_pass); /* 19.9 <= 70 */
	ck_assert(r.verdict[TE_CLASS_C].dte_h_pass); /* 19.9 <= 30 */
	/* class D limits max|TE_L| (5 ns) after the low-pass, not the raw |TE| (10 ns): TE_L
	 * amplitude 1 ns passes */
	ck_assert(r.max_abs_te > 9.9);
	ck_assert(r.verdict[TE_CLASS_D].max_abs_te_pass);
	ck_assert(r.verdict[TE_CLASS_C].max_abs_te_pass); /* 10 <= 30 */
	free(te);
	/* Amplitude 20: dTE_H pp 39.8 > 30 (class C) but <= 70 (A, B) */
	te = sine(20.0, 1.0, 100.0, 200.0, &n);
	ck_assert_int_eq(te_evaluate(te, n, 100.0, &r), 0);
	ck_assert(r.verdict[TE_CLASS_A].dte_h_pass);
	ck_assert(r.verdict[TE_CLASS_B].dte_h_pass);
	ck_assert(!r.verdict[TE_CLASS_C].dte_h_pass);
	ck_assert(!r.verdict[TE_CLASS_C].pass);
	free(te);
}
END_TEST

START_TEST(ramp_mtie_and_masks)
{
	/* TE = s t: the first-order low-pass of a ramp is the same ramp delayed, so dTE_L MTIE
	 * at tau is s tau and TDEV (second differences) is 0. s = 0.3 ns/s: MTIE(100 s) = 30
	 * passes the 40 ns mask, MTIE(200 s) = 60 fails it. */
	const double s = 0.3;
	size_t n = 1011;
	double *te = series(n);
	for (size_t i = 0; i < n; i++)
		te[i] = s * (double)i;
	struct te_report r;
	ck_assert_int_eq(te_evaluate(te, n, 1.0, &r), 0);
	bool saw100 = false, saw200 = false;
	/* MTIE to the longest tau the 1001 filtered points hold (1000 s), TDEV to a third */
	ck_assert_uint_eq(r.dte_l_mtie.npoints, 10);
	ck_assert_double_near(r.dte_l_mtie.tau[9], 1000, 0);
	ck_assert_uint_eq(r.dte_l_tdev.npoints, 8);
	ck_assert_double_near(r.dte_l_tdev.tau[7], 200, 0);
	for (size_t i = 0; i < r.dte_l_mtie.npoints; i++) {
		double tau = r.dte_l_mtie.tau[i];
		/* up to the transient left after settling, s tc e^{-2 pi} = 9e-4 ns */
		ck_assert_double_near(r.dte_l_mtie.value[i], s * tau, 2e-3);
		if (tau == 100)
			saw100 = true;
		if (tau == 200)
			saw200 = true;
	}
	for (size_t i = 0; i < r.dte_l_tdev.npoints; i++) {
		/* the start-up transient left after the 10 s settling, s tc e^{-2 pi} ~ 1e-3 ns,
		 * is all that second differences can see */
		ck_assert_double_near(r.dte_l_tdev.value[i], 0, 1e-4);
		ck_assert(3 * r.dte_l_tdev.tau[i] <= 1001); /* TDEV needs 3 tau of filtered data */
	}
	ck_assert(saw100 && saw200);
	ck_assert(!r.dte_l_mtie.pass);
	ck_assert(r.dte_l_tdev.pass);
	ck_assert(!r.verdict[TE_CLASS_A].dte_l_mtie_pass);
	ck_assert(r.verdict[TE_CLASS_A].dte_l_tdev_pass);
	ck_assert(!r.verdict[TE_CLASS_C].dte_l_mtie_pass);
	ck_assert(r.verdict[TE_CLASS_D].dte_l_mtie_pass); /* no mask */
	ck_assert_ptr_nonnull(r.notes);
	free(te);
}
END_TEST

/* The filtered TE in the caller's scratch array (analyze's, shared with the distribution)
 * gives the report of the array allocated here, to the bit; the scale is the product of a
 * scaled copy. */
START_TEST(scratch_and_scale_same_report)
{
	enum { N = 5000 };
	static double te[N], te_ns[N], scratch[N];
	for (size_t i = 0; i < N; i++) {
		te[i] = 1e-8 * sin((double)i * 0.01) + 1e-9 * (double)(i % 7);
		te_ns[i] = te[i] * 1e9;
		scratch[i] = NAN; /* whatever it held */
	}
	struct te_report a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(te_evaluate(te_ns, N, 10.0, &a), 0);
	ck_assert_int_eq(te_evaluate_scaled(te, 1e9, N, 10.0, scratch, &b), 0);
	ck_assert(a.dte_l_mtie.npoints > 3 && a.dte_l_tdev.npoints > 3);
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
}
END_TEST

START_TEST(limits_and_errors)
{
	/* The limits of G.8273.2 clause 7.1 as tabulated in the header of time_error.c
	 * (max|TE|, cTE, dTE_H pp; ns) reach the verdicts unchanged. */
	static const double want[TE_NCLASSES][3] = {
		{ 100, 50, 70 }, { 70, 20, 70 }, { 30, 10, 30 }, { 5, NAN, NAN } };
	double te0[200] = { 0 };
	struct te_report r0;
	ck_assert_int_eq(te_evaluate(te0, 200, 1.0, &r0), 0);
	for (int c = 0; c < TE_NCLASSES; c++) {
		const struct te_class_verdict *v = &r0.verdict[c];
		ck_assert_double_near(v->max_abs_te_limit, want[c][0], 0);
		if (isnan(want[c][1]))
			ck_assert(isnan(v->cte_limit) && isnan(v->dte_h_pp_limit));
		else {
			ck_assert_double_near(v->cte_limit, want[c][1], 0);
			ck_assert_double_near(v->dte_h_pp_limit, want[c][2], 0);
		}
		ck_assert(v->pass); /* zero TE passes everything */
	}
	ck_assert_str_eq(te_class_name(TE_CLASS_A), "A");
	ck_assert_str_eq(te_class_name(TE_CLASS_D), "D");
	ck_assert_double_near(te_mtie_limit(TE_CLASS_A, 100), 40, 0);
	ck_assert_double_near(te_mtie_limit(TE_CLASS_C, 1000), 10, 0);
	ck_assert_double_near(te_tdev_limit(TE_CLASS_B, 1), 4, 0);
	ck_assert_double_near(te_tdev_limit(TE_CLASS_C, 10), 2, 0);
	ck_assert(isnan(te_mtie_limit(TE_CLASS_D, 100)));
	ck_assert(isnan(te_mtie_limit(TE_CLASS_A, 2000)));
	ck_assert(isnan(te_tdev_limit(TE_CLASS_A, 0.5)));

	double te[200] = { 0 };
	struct te_report r;
	ck_assert_int_eq(te_evaluate(te, 200, 0, &r), -1);
	ck_assert_int_eq(te_evaluate(te, 200, NAN, &r), -1);
	ck_assert_int_eq(te_evaluate(te, 10, 1.0, &r), -1);  /* shorter than the settling */
	ck_assert_int_eq(te_evaluate(te, 200, 1e300, &r), -1); /* no overflow */
	ck_assert_int_eq(te_evaluate(te, 200, INFINITY, &r), -1);
	ck_assert_int_eq(te_evaluate(te, 200, 1.0, &r), 0);
	te[50] = NAN;
	ck_assert_int_eq(te_evaluate(te, 200, 1.0, &r), -1);
}
END_TEST

/* TE = s (t - t_mid) at 1 Hz for n samples (centred, so |TE_L| stays small). */
static double *ramp(double s, size_t n)
{
	double *te = series(n);
	for (size_t i = 0; i < n; i++)
		te[i] = s * ((double)i - (double)(n - 1) / 2);
	return te;
}

START_TEST(net_c_max_abs_te_l)
{
	/* G.8271.1 point C: max|TE_L| <= 1100 ns. A constant passes the low-pass unchanged (the
	 * filter starts settled), so 1099 ns is just inside and 1101 ns just outside. */
	const size_t n = 200;
	double *te = series(n);
	struct te_report r;
	for (size_t i = 0; i < n; i++)
		te[i] = -1099.0;
	ck_assert_int_eq(te_evaluate(te, n, 1.0, &r), 0);
	ck_assert_double_near(r.max_abs_te_l, 1099.0, 1e-9);
	ck_assert_double_near(r.net_c.max_abs_te_l_limit, 1100.0, 0);
	ck_assert(r.net_c.max_abs_te_l_pass);
	ck_assert(r.net_c.dte_l_mtie.pass); /* no dynamic TE */
	ck_assert(r.net_c.pass);
	for (size_t i = 0; i < n; i++)
		te[i] = 1101.0;
	ck_assert_int_eq(te_evaluate(te, n, 1.0, &r), 0);
	ck_assert(!r.net_c.max_abs_te_l_pass);
	ck_assert(!r.net_c.pass);
	free(te);

	/* The limit is on the FILTERED TE: a 1 Hz (10 fc) sine of amplitude 1500 ns has TE_L
	 * amplitude 1500 / sqrt(101) = 149 ns, inside, though |TE| reaches 1500 ns. */
	size_t ns;
	te = sine(1500.0, 1.0, 100.0, 200.0, &ns);
	ck_assert_int_eq(te_evaluate(te, ns, 100.0, &r), 0);
	ck_assert(r.max_abs_te > 1499);
	ck_rel(r.max_abs_te_l, 1500.0 / sqrt(101.0), 0.02);
	ck_assert(r.net_c.max_abs_te_l_pass);
	free(te);
	/* 0.01 Hz (fc / 10): TE_L amplitude A / sqrt(1.01): A = 1100 gives 1094.5 (inside),
	 * A = 1110 gives 1104.5 (outside). */
	te = sine(1100.0, 0.01, 10.0, 1010.0, &ns);
	ck_assert_int_eq(te_evaluate(te, ns, 10.0, &r), 0);
	ck_rel(r.max_abs_te_l, 1100.0 / sqrt(1.01), 0.002);
	ck_assert(r.net_c.max_abs_te_l_pass);
	free(te);
	te = sine(1110.0, 0.01, 10.0, 1010.0, &ns);
	ck_assert_int_eq(te_evaluate(te, ns, 10.0, &r), 0);
	ck_assert(!r.net_c.max_abs_te_l_pass);
	free(te);
}
END_TEST

/* One ramp evaluated at 1 Hz: net_c MTIE verdict, and the largest tau checked. */
static bool net_c_mtie_pass(double s, size_t n, double *tau_max)
{
	double *te = ramp(s, n);
	struct te_report r;
	ck_assert_int_eq(te_evaluate(te, n, 1.0, &r), 0);
	free(te);
	const struct te_mask_check *m = &r.net_c.dte_l_mtie;
	ck_assert_uint_gt(m->npoints, 0);
	for (size_t i = 0; i < m->npoints; i++) {
		/* the low-pass of a ramp is the ramp delayed: MTIE(tau) = s tau */
		ck_assert_double_near(m->value[i], s * m->tau[i], 1e-3 * s * m->tau[i]);
		ck_assert_double_near(m->limit[i], te_net_c_mtie_limit(m->tau[i]), 0);
	}
	ck_assert(r.net_c.max_abs_te_l_pass); /* these ramps stay under 1100 ns */
	ck_assert(r.net_c.pass == m->pass);
	*tau_max = m->tau[m->npoints - 1];
	return m->pass;
}

START_TEST(net_c_mtie_mask)
{
	/* G.8271.1 Table 7-1 at point C, checked with ramps TE = s t (dTE_L MTIE = s tau) on runs
	 * whose filtered part (after 10 s) holds exactly the taus wanted:
	 * - 15 s: only tau = 2 s, limit 100 + 75 * 2 = 250: s = 124 (248) in, 126 (252) out;
	 * - 311 s: taus to 275 s, limit 277 + 1.1 * 275 = 579.5: s = 2.10 (577.5) in, 2.12 (583)
	 *   out (every shorter tau is inside for both);
	 * - 610 s: taus to 500 s, limit 580: s = 1.15 (575) in, 1.17 (585) out. */
	double tmax;
	ck_assert(net_c_mtie_pass(124, 15, &tmax));
	ck_assert_double_near(tmax, 2, 0);
	ck_assert(!net_c_mtie_pass(126, 15, &tmax));
	ck_assert(net_c_mtie_pass(2.10, 311, &tmax));
	ck_assert_double_near(tmax, 275, 0);
	ck_assert(!net_c_mtie_pass(2.12, 311, &tmax));
	ck_assert(net_c_mtie_pass(1.15, 610, &tmax));
	ck_assert_double_near(tmax, 500, 0);
	ck_assert(!net_c_mtie_pass(1.17, 610, &tmax));

	/* The mask as transcribed (intervals open below, closed above). */
	ck_assert(isnan(te_net_c_mtie_limit(1.3)));
	ck_assert_double_near(te_net_c_mtie_limit(2.0), 250, 1e-9);
	ck_assert_double_near(te_net_c_mtie_limit(2.4), 280, 1e-9);
	ck_assert_double_near(te_net_c_mtie_limit(100), 387, 1e-9);
	ck_assert_double_near(te_net_c_mtie_limit(275), 579.5, 1e-9);
	ck_assert_double_near(te_net_c_mtie_limit(276), 580, 0);
	ck_assert_double_near(te_net_c_mtie_limit(10000), 580, 0);
	ck_assert(isnan(te_net_c_mtie_limit(10001)));
	ck_assert(isnan(te_net_c_mtie_limit(NAN)));
}
END_TEST

START_TEST(max_abs_labels)
{
	/* class D's max-absolute limit is on the low-pass filtered TE (G.8273.2 Table 7-2) */
	ck_assert_str_eq(te_max_abs_te_label(TE_CLASS_A), "max|TE|");
	ck_assert_str_eq(te_max_abs_te_label(TE_CLASS_C), "max|TE|");
	ck_assert_str_eq(te_max_abs_te_label(TE_CLASS_D), "max|TE_L|");
}
END_TEST

Suite *time_error_suite(void)
{
	Suite *s = suite_create("time_error");
	TCase *tc = tcase_create("time_error");
	tcase_add_test(tc, constant_offset);
	tcase_add_test(tc, slow_sine_passes_low_pass);
	tcase_add_test(tc, fast_sine_passes_high_pass);
	tcase_add_test(tc, ramp_mtie_and_masks);
	tcase_add_test(tc, limits_and_errors);
	tcase_add_test(tc, scratch_and_scale_same_report);
	tcase_add_test(tc, net_c_max_abs_te_l);
	tcase_add_test(tc, net_c_mtie_mask);
	tcase_add_test(tc, max_abs_labels);
	suite_add_tcase(s, tc);
	return s;
}
