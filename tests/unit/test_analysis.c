/* The analysis pipeline on synthetic exchanges with a known asymmetry and a known truth. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analyze/analysis.h"
#include "capture/exchange_io.h"
#include "common/log.h"
#include "tests/unit/testutil.h"

#define T0 (1795000000LL * 1000000000LL)

/* n exchanges at 8 Hz: d_ms = 600 us + exp(20 us) queueing, d_sm = 400 us + N(0, 2 us),
 * (rev_sd given), slave clock theta(t) = theta0 + slope_ns_per_s * t. Asymmetry A has mean 200 us + 20 us
 * (the exponential's mean): the true mean bias (offset - theta) is A/2 = 110 us. */
static void make_exchanges(const char *path, int n, double theta0, double slope, bool meta,
			   unsigned seed, double rev_sd)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	struct exchange_writer *w = exchange_writer_open(path);
	ck_assert_ptr_nonnull(w);
	for (int i = 0; i < n; i++) {
		struct exchange ex;
		memset(&ex, 0, sizeof(ex));
		ex.master = tu_port(1, 1);
		ex.slave = tu_port(2, 1);
		ex.two_step = true;
		ex.sync_seq = ex.req_seq = (uint16_t)i;
		int64_t t = T0 + (int64_t)i * 125000000;
		double theta = theta0 + slope * (double)(t - T0) * 1e-9;
		double dms = 600000 + gsl_ran_exponential(r, 20000);
		double dsm = 400000 + gsl_ran_gaussian(r, rev_sd);
		ex.t1 = ptime_from_ns(t);
		ex.t2 = ptime_from_ns(t + (int64_t)llround(dms + theta));
		int64_t t3 = t + 50000000;
		ex.t3 = ptime_from_ns(t3);
		ex.t4 = ptime_from_ns(t3 + (int64_t)llround(dsm - theta));
		ck_assert(exchange_derive(&ex));
		exchange_writer_row(w, &ex);
	}
	if (meta) {
		ds_meta(exchange_writer_ds(w), "truth_offset_ns", "%.0f", theta0);
		ds_meta(exchange_writer_ds(w), "truth_source", "test: constant");
	}
	ck_assert_int_eq(exchange_writer_close(w), 0);
	gsl_rng_free(r);
}

static void defaults(struct analyze_opts *o, const char *in)
{
	memset(o, 0, sizeof(*o));
	o->inputs[0] = in;
	o->ninputs = 1;
	o->settle = SETTLE_AUTO;
	o->window_ns[0] = 60000000000LL;
	o->nwindows = 1;
	ptp4l_estimator_cfg_default(&o->ptp4l_est);
}

static bool has_finding(const struct analysis *an, const char *code)
{
	for (size_t i = 0; i < an->findings.n; i++)
		if (strcmp(an->findings.f[i].code, code) == 0)
			return true;
	return false;
}

START_TEST(constant_truth_from_metadata)
{
	const char *p = tu_path("ex_meta.tsv");
	make_exchanges(p, 4000, 0, 0, true, 1, 2000);
	struct analyze_opts o;
	defaults(&o, p);
	struct analysis an;
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
	ck_assert_int_eq(an.samples, 4000);
	ck_assert(an.have_truth && an.have_bias && an.have_asym);
	ck_assert_double_near(an.duration_s, 3999 * 0.125, 1e-3); /* t2 carries the queueing */
	/* first t2: theta 0, 600 us + queueing */
	ck_assert(an.start_ns >= T0 + 600000 && an.start_ns < T0 + 800000);
	/* truth 110 us +- its sampling error (sd 20/sqrt(2)/sqrt(4000) us = 0.22 us) */
	ck_assert_msg(an.bias.ci_lo < 110000 && 110000 < an.bias.ci_hi, "bias [%g, %g]",
		      an.bias.ci_lo, an.bias.ci_hi);
	ck_assert_double_near(an.bias.mean, 110000, 1000);
	ck_assert_msg(an.asym.ci_lo < 220000 && 220000 < an.asym.ci_hi, "asym [%g, %g]",
		      an.asym.ci_lo, an.asym.ci_hi);
	ck_assert_double_near(an.asym.mean, 2 * an.bias.mean, 1e-6);
	/* delay: 500 us + 10 us mean queueing/2 */
	ck_assert_double_near(an.delay.mean, 510000, 1000);
	/* one-way variation: fwd is exp(20 us): sd 20 us; rev N(0, 2 us) */
	ck_assert_double_near(an.fwd_jitter_ns, 20000, 1500);
	ck_assert_double_near(an.rev_jitter_ns, 2000, 200);
	ck_assert(strstr(an.reference, "test: constant"));
	ck_assert(!has_finding(&an, "asymmetry-unobservable"));
	analysis_free(&an);
}
END_TEST

/* A truth dataset with a drifting clock (theta = 5 us + 20 ns/s): the bias stays A/2. Without
 * any truth: no bias, and the finding says why. --lucky 10 takes the smallest delays: the
 * exponential queueing mostly gone, the bias drops toward 100 us. */
START_TEST(truth_dataset_and_none)
{
	const char *p = tu_path("ex_drift.tsv");
	make_exchanges(p, 4000, 5000, 20, false, 2, 0);
	const char *tp = tu_path("truth_drift.tsv");
	FILE *f = fopen(tp, "w");
	fprintf(f, "# ptpcal-dataset 1 truth\n# reference: test pps\nt\toffset_ns\n");
	for (int s = 0; s <= 501; s++)
		fprintf(f, "%lld.000000000\t%.3f\n", T0 / 1000000000LL + s, 5000 + 20.0 * s);
	fclose(f);

	struct analyze_opts o;
	defaults(&o, p);
	struct analysis an;
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
	ck_assert(!an.have_truth && !an.have_bias && !an.have_asym);
	ck_assert(has_finding(&an, "asymmetry-unobservable"));
	analysis_free(&an);

	o.inputs[1] = tp; /* as a second FILE */
	o.ninputs = 2;
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
	ck_assert(an.have_bias);
	ck_assert_int_eq(an.truth_n, 4000);
	ck_assert_msg(an.bias.ci_lo < 110000 && 110000 < an.bias.ci_hi, "bias [%g, %g]",
		      an.bias.ci_lo, an.bias.ci_hi);
	ck_assert(!an.bias.drift_significant);
	/* the offset itself carries the clock's drift: 20 ns/s over 500 s */
	ck_assert_double_near(an.offset.mean, 110000 + 5000 + 20 * 250, 1000);
	analysis_free(&an);

	o.lucky_pct = 10;
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
	ck_assert(an.have_lucky);
	ck_assert_double_near(an.lucky.fraction, 0.1, 0.01);
	ck_assert_double_near(an.lucky.mean_before, 110000, 1000);
	/* rev has no noise here, so the delay orders the exchanges by their queueing q: the
	 * smallest 10 % of Exp(mean 20 us) lie below a = -20 ln 0.9 = 2.107 us and average
	 * E[q | q < a] = 20 - a * 0.9 / 0.1 = 1.035 us: bias 100 us + q/2 = 100.517 us */
	ck_assert_double_near(an.lucky.mean_after, 100517, 300);
	ck_assert_double_near(an.bias.mean, an.lucky.mean_after, 1e-6);
	analysis_free(&an);
}
END_TEST

START_TEST(bad_inputs)
{
	struct analyze_opts o;
	struct analysis an;
	const char *g = tu_path("garbage.tsv");
	tu_write_file(g, "garbage\n");
	defaults(&o, g);
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_USAGE);
	analysis_free(&an);
	defaults(&o, tu_path("does-not-exist.tsv"));
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_USAGE);
	analysis_free(&an);
	const char *e = tu_path("empty_ex.tsv");
	make_exchanges(e, 0, 0, 0, false, 3, 2000);
	defaults(&o, e);
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_USAGE);
	analysis_free(&an);
	const char *t = tu_path("trunc.tsv");
	make_exchanges(t, 20, 0, 0, false, 4, 2000);
	char *text = tu_read_file(t);
	text[strlen(text) - 40] = '\0'; /* cut the last row in the middle */
	tu_write_file(t, text);
	free(text);
	defaults(&o, t);
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_USAGE);
	analysis_free(&an);
}
END_TEST

/* The between-windows stationarity check by simulation: AR(1) (rho 0.5, unit innovations) in
 * 8 windows of 1000 samples. Stationary: flagged in about 5 % of 300 runs (accept 1-10 %).
 * A step of 0.5 in one window (about 8 of its standard errors) is flagged in nearly all. */
static double window_check(gsl_rng *r, double step)
{
	enum { W = 8, L = 1000 };
	static double t[W * L], v[W * L];
	double x = 0;
	for (int i = 0; i < W * L; i++) {
		x = 0.5 * x + gsl_ran_gaussian(r, 1.0);
		t[i] = i;
		v[i] = x + (i / L == 5 ? step : 0);
	}
	struct bias_estimate all, b;
	ck_assert_int_eq(bias_estimate(t, v, W * L, &all), 0);
	struct bias_window bw[W];
	for (int w = 0; w < W; w++) {
		ck_assert_int_eq(bias_estimate(t + w * L, v + w * L, L, &b), 0);
		bw[w].mean = b.mean;
		bw[w].ci_lo = b.ci_lo;
		bw[w].ci_hi = b.ci_hi;
		bw[w].batches = b.batches;
		bw[w].n = L;
		bw[w].t_mid_ns = 0;
	}
	size_t wi;
	double z, lim;
	return analysis_window_excess(bw, W, all.mean, all.stderr, &wi, &z, &lim);
}

START_TEST(windows_stationarity)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 77);
	int flagged = 0, found = 0;
	enum { RUNS = 300 };
	for (int k = 0; k < RUNS; k++)
		flagged += window_check(r, 0) > 1;
	for (int k = 0; k < 100; k++)
		found += window_check(r, 0.5) > 1;
	ck_assert_msg(flagged >= 3 && flagged <= 30, "stationary runs flagged: %d of %d", flagged,
		      RUNS);
	ck_assert_msg(found >= 95, "a 0.5 step found in %d of 100", found);
	gsl_rng_free(r);
}
END_TEST

/* Offset-only datasets analysed on their own: a truth dataset (the clock's own error against
 * its reference), an ntpshm dataset, a servo dataset. Offsets alternate 100, 101 ns every
 * second: mean 100.5 ns, OADEV(1 s) sqrt(2) ns (second differences +-2 ns). */
START_TEST(offset_series_alone)
{
	const char *tp = tu_path("alone_truth.tsv"), *sp = tu_path("alone_shm.tsv"),
		   *vp = tu_path("alone_servo.tsv"), *ep = tu_path("alone_ex.tsv");
	FILE *t = fopen(tp, "w"), *m = fopen(sp, "w"), *v = fopen(vp, "w");
	fprintf(t, "# ptpcal-dataset 1 truth\nt\toffset_ns\n");
	fprintf(m, "# ptpcal-dataset 1 ntpshm\nt_s\tunit\tsys_time\tref_time\toffset_ns\n");
	fprintf(v, "# ptpcal-dataset 1 servo\nt_s\toffset_ns\tstate\n");
	for (int i = 0; i < 200; i++) {
		long long sec = 1795000000LL + i;
		fprintf(t, "%lld.000000000\t%d\n", sec, 100 + i % 2);
		fprintf(m, "%d\t2\t%lld.000000%03d\t%lld.000000000\t%d\n", i, sec, 100 + i % 2, sec,
			100 + i % 2);
		fprintf(v, "%d.000\t%d\t2\n", 1000 + i, 100 + i % 2);
	}
	fclose(t);
	fclose(m);
	fclose(v);
	const char *paths[] = { tp, sp, vp };
	const char *kinds[] = { "truth", "ntpshm", "servo" };
	for (int k = 0; k < 3; k++) {
		static struct analyze_opts o;
		defaults(&o, paths[k]);
		o.settle = SETTLE_NONE;
		ck_assert(stab_run_parse_taus("1", &o.stab));
		struct analysis an;
		ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
		ck_assert_str_eq(an.input_kind, kinds[k]);
		ck_assert_int_eq(an.samples, 200);
		ck_assert_double_near(an.offset.mean, 100.5, 1e-9);
		ck_assert_int_eq(an.delay.n, 0);
		ck_assert(!an.have_bias && !an.have_truth);
		ck_assert(!has_finding(&an, "asymmetry-unobservable"));
		ck_assert(an.stab.have && an.stab.npts == 1);
		ck_assert_double_near(an.stab.pts[0].oadev, sqrt(2) * 1e-9, 1e-18);
		analysis_free(&an);
		o.lucky_pct = 10; /* no delays: refused */
		ck_assert_int_eq(analysis_run(&o, &an), EXIT_USAGE);
		analysis_free(&an);
		stab_run_opts_free(&o.stab);
	}
	/* ntpshm with exchanges: refused */
	make_exchanges(ep, 50, 0, 0, false, 9, 2000);
	static struct analyze_opts o;
	defaults(&o, ep);
	o.inputs[1] = sp;
	o.ninputs = 2;
	struct analysis an;
	ck_assert_int_eq(analysis_run(&o, &an), EXIT_USAGE);
	analysis_free(&an);
}
END_TEST

/* phc datasets: phc - sys on TAI (+TAI-UTC: ok), on UTC (warn: the 37-second trap), at
 * -(TAI-UTC) (error: backwards). TAI - UTC from a leap table given to the analysis, so the
 * test does not depend on the installed tzdata. */
START_TEST(phc_timescale)
{
	const char *lp = tu_path("leap.list");
	tu_write_file(lp, "#@\t3991593600\n3644697600\t36\t# 1 Jul 2015\n"
			  "3692217600\t37\t# 1 Jan 2017\n");
	const int shift[] = { 37, 0, -37 };
	const char *code[] = { "phc-tai", "phc-utc", "phc-offset-twice" };
	const enum severity sev[] = { SEV_OK, SEV_WARN, SEV_ERROR };
	for (int k = 0; k < 3; k++) {
		const char *p = tu_path("phc.tsv");
		FILE *f = fopen(p, "w");
		fprintf(f, "# ptpcal-dataset 1 phc\nt_s\tsys\tphc\tphc_minus_sys_ns\n");
		for (int i = 0; i < 100; i++)
			fprintf(f, "%d\t%lld.000000000\t%lld.00000%04d\t0\n", i, 1795000000LL + i,
				1795000000LL + i + shift[k], 100 + i % 7);
		fclose(f);
		static struct analyze_opts o;
		defaults(&o, p);
		o.leapsec_path = lp;
		struct analysis an;
		ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
		ck_assert_str_eq(an.input_kind, "phc");
		ck_assert_double_near(an.offset.median, shift[k] * 1e9 + 103, 1e-3); /* 100 + median of i % 7 */
		bool found = false;
		for (size_t i = 0; i < an.findings.n; i++)
			if (strcmp(an.findings.f[i].code, code[k]) == 0) {
				found = true;
				ck_assert_int_eq(an.findings.f[i].sev, sev[k]);
			}
		ck_assert_msg(found, "no %s for a PHC %+d s from UTC", code[k], shift[k]);
		ck_assert(!has_finding(&an, "offset-tai-utc")); /* +37 s is right for a PHC */
		analysis_free(&an);
	}
}
END_TEST

/* A truth recorded in PHC (TAI) time against exchanges in the capture's UTC: flagged; the
 * same truth in UTC: not. */
START_TEST(truth_in_tai)
{
	const char *lp = tu_path("leap2.list");
	tu_write_file(lp, "#@\t3991593600\n3692217600\t37\t# 1 Jan 2017\n");
	const char *ep = tu_path("tai_ex.tsv");
	make_exchanges(ep, 800, 0, 0, false, 11, 2000); /* 100 s from T0 */
	for (int shift = 0; shift <= 37; shift += 37) {
		const char *tp = tu_path("tai_truth.tsv");
		FILE *f = fopen(tp, "w");
		fprintf(f, "# ptpcal-dataset 1 truth\nt\toffset_ns\n");
		for (int i = 0; i <= 100; i++)
			fprintf(f, "%lld.000000000\t0\n", T0 / 1000000000 + i + shift);
		fclose(f);
		static struct analyze_opts o;
		defaults(&o, ep);
		o.truth_path = tp;
		o.leapsec_path = lp;
		struct analysis an;
		ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
		ck_assert_int_eq(has_finding(&an, "truth-timescale"), shift == 37);
		analysis_free(&an);
	}
}
END_TEST

/* A servo log spanning 4x the exchanges: its settling time may be misplaced, said so; a log
 * spanning the same time: nothing said. */
START_TEST(servo_log_alignment)
{
	const char *ep = tu_path("al_ex.tsv"), *lp = tu_path("al.log");
	make_exchanges(ep, 800, 0, 0, false, 12, 2000); /* ~100 s */
	for (int span = 100; span <= 400; span += 300) {
		FILE *f = fopen(lp, "w");
		for (int i = 0; i <= span; i++)
			fprintf(f, "ptp4l[%d.000]: master offset %d s%d freq +0 path delay 500\n",
				1000 + i, 50, i < 3 ? 0 : 2);
		fclose(f);
		static struct analyze_opts o;
		defaults(&o, ep);
		o.servo_log = lp;
		struct analysis an;
		ck_assert_int_eq(analysis_run(&o, &an), EXIT_OK);
		ck_assert_int_eq(has_finding(&an, "settling-alignment"), span == 400);
		/* locked after 3 s: the exchanges of the first 3 s (8 per second) excluded; the
		 * 25th sits at 3 s give or take its queueing jitter */
		ck_assert_msg(an.settling.excluded == 24 || an.settling.excluded == 25, "%zu",
			      an.settling.excluded);
		analysis_free(&an);
	}
}
END_TEST

Suite *analysis_suite(void)
{
	Suite *s = suite_create("analysis");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, constant_truth_from_metadata);
	tcase_add_test(tc, truth_dataset_and_none);
	tcase_add_test(tc, bad_inputs);
	tcase_add_test(tc, windows_stationarity);
	tcase_add_test(tc, offset_series_alone);
	tcase_add_test(tc, phc_timescale);
	tcase_add_test(tc, truth_in_tai);
	tcase_add_test(tc, servo_log_alignment);
	suite_add_tcase(s, tc);
	return s;
}
