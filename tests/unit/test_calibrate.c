/* ptpcal calibrate: the physics on synthetic exchanges of known d_ms, d_sm and theta, each
 * emitter's syntax and sign, re-calibration on top of an existing correction, every refusal
 * rule, and --apply's file edits. Every expected value is worked out by hand in the comments
 * from the formulas (IEEE 1588 offset = theta + (d_ms - d_sm)/2 - A, slave - master), never
 * taken from the code's own output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "calibrate/apply.h"
#include "calibrate/correction.h"
#include "calibrate/emit.h"
#include "calibrate/measure.h"
#include "calibrate/reference.h"
#include "capture/exchange_io.h"
#include "common/log.h"
#include "tests/unit/testutil.h"

/* Deterministic white noise in [-amp, amp]. */
static double noise(unsigned *s, double amp)
{
	*s = *s * 1103515245u + 12345u;
	return amp * (((*s >> 8) & 0xffff) / 32767.5 - 1.0);
}

/* n exchanges one per second: t2 - t1 = d_ms + theta, t4 - t3 = d_sm - theta (+ noise), the
 * client sending delayAsymmetry A (corr_req = -A, copied into the Delay_Resp; t4 in the
 * dataset is receiveTimestamp - corr_resp = rx + A). Optional truth metadata and a linear
 * drift of the forward delay (ns per s). */
static void write_exchanges(const char *path, int n, double d_ms, double d_sm, double theta,
			    double A, const char *truth_meta, double drift_ns_per_s, double step)
{
	struct exchange_writer *w = exchange_writer_open(path);
	ck_assert_ptr_nonnull(w);
	if (truth_meta)
		ds_meta(exchange_writer_ds(w), "truth_offset_ns", "%s", truth_meta);
	unsigned s = 7;
	int64_t t0 = 1795000000LL * 1000000000LL;
	for (int i = 0; i < n; i++) {
		struct exchange ex;
		memset(&ex, 0, sizeof(ex));
		ex.master = tu_port(1, 1);
		ex.slave = tu_port(2, 1);
		ex.two_step = true;
		ex.sync_seq = ex.req_seq = (uint16_t)i;
		double fwd = d_ms + drift_ns_per_s * i + (i >= n / 2 ? step : 0) + noise(&s, 300);
		double rev = d_sm + noise(&s, 300);
		int64_t t1 = t0 + (int64_t)i * 1000000000LL;
		int64_t t2 = t1 + llround(fwd + theta);
		int64_t t3 = t2 + 100000000LL;
		int64_t t4 = t3 + llround(rev - theta + A);
		ex.t1 = ptime_from_ns(t1);
		ex.t2 = ptime_from_ns(t2);
		ex.t3 = ptime_from_ns(t3);
		ex.t4 = ptime_from_ns(t4);
		ex.corr_req = -(int64_t)llround(A) * 65536;
		ex.corr_resp = ex.corr_req;
		exchange_derive(&ex);
		exchange_writer_row(w, &ex);
	}
	ck_assert_int_eq(exchange_writer_close(w), 0);
}

static struct cal_limits limits(void)
{
	struct cal_limits l = { 600, 0, 0.25, 1e6 };
	return l;
}

/* +200 us path asymmetry (d_ms 600 us, d_sm 400 us), clock 30 us behind (theta = -30 us):
 * theta^ = -30 + (600 - 400)/2 = +70 us; b = theta^ - theta = +100 us; delayAsymmetry
 * = 0 + 100000 = 100000 ns (half the 200 us difference); refclock time1 = +0.000100000 s. */
START_TEST(physics_positive_asymmetry)
{
	const char *p = tu_path("pos.tsv");
	write_exchanges(p, 1200, 600000, 400000, -30000, 0, "-30000", 0, 0);
	struct cal_series s;
	ck_assert_int_eq(cal_series_load(&s, p, NULL), 0);
	ck_assert(s.has_truth_meta);
	ck_assert(fabs(s.truth_offset_ns - -30000) < 1e-9);
	ck_assert(fabs(s.asym_ns) < 1e-9);
	/* raw mean offset: +70 us */
	double sum = 0;
	for (size_t i = 0; i < s.n; i++)
		sum += s.v[i];
	ck_assert(fabs(sum / (double)s.n - 70000) < 30);
	cal_series_subtract_const(&s, s.truth_offset_ns);
	struct cal_measurement m;
	ck_assert_int_eq(cal_measure(&s, NULL, 0, &m), 0);
	ck_assert(m.ci_lo_ns <= 100000 && 100000 <= m.ci_hi_ns);
	ck_assert(m.halfwidth_ns < 50);
	struct cal_current cur = { 0 };
	struct cal_correction c;
	cal_correct(m.bias_ns, &cur, CAL_LAYER_PTP4L, CAL_KNOB_ASYMMETRY, &c);
	ck_assert(labs(c.asymmetry_ns - 100000) <= 20);
	cal_correct(m.bias_ns, &cur, CAL_LAYER_REFCLOCK, CAL_KNOB_ASYMMETRY, &c);
	ck_assert(fabs(c.fudge_s - 0.0001) < 20e-9);
	ck_assert_int_eq(c.asymmetry_ns, 0);
	struct cal_check chk[8];
	ck_assert_int_eq(cal_check(&m, &s, NULL, &(struct cal_limits){ 600, 0, 0.25, 1e6 },
				   c.correction_ns, chk, 8), 0);
	cal_series_free(&s);
}
END_TEST

/* -250 us (d_ms 400 us, d_sm 650 us), clock 10 us ahead: theta^ = 10 - 125 = -115 us;
 * b = -115 - 10 = -125 us; delayAsymmetry -125000; ntpsec time1 -0.000125000; chrony
 * offset -0.000125000. A client that already sends A = -100000: theta^ = 10 - 125 + 100 =
 * -15 us, b = -25 us, new total A' = -100000 + -25000 = -125000 (the same answer);
 * refclock layer: fudge = b + A = -25 - 100 = -125 us and delayAsymmetry back to 0. */
START_TEST(physics_negative_and_recalibration)
{
	const char *p = tu_path("neg.tsv");
	write_exchanges(p, 1200, 400000, 650000, 10000, 0, "10000", 0, 0);
	struct cal_series s;
	ck_assert_int_eq(cal_series_load(&s, p, NULL), 0);
	cal_series_subtract_const(&s, 10000);
	struct cal_measurement m;
	ck_assert_int_eq(cal_measure(&s, NULL, 0, &m), 0);
	ck_assert(m.ci_lo_ns <= -125000 && -125000 <= m.ci_hi_ns);
	struct cal_current cur = { 0 };
	struct cal_correction c;
	cal_correct(m.bias_ns, &cur, CAL_LAYER_PTP4L, CAL_KNOB_ASYMMETRY, &c);
	ck_assert(labs(c.asymmetry_ns + 125000) <= 20);
	cal_series_free(&s);

	p = tu_path("neg2.tsv");
	write_exchanges(p, 1200, 400000, 650000, 10000, -100000, "10000", 0, 0);
	ck_assert_int_eq(cal_series_load(&s, p, NULL), 0);
	ck_assert(fabs(s.asym_ns - -100000) < 1e-6); /* read back from the Delay_Req correction */
	cal_series_subtract_const(&s, 10000);
	ck_assert_int_eq(cal_measure(&s, NULL, 0, &m), 0);
	ck_assert(m.ci_lo_ns <= -25000 && -25000 <= m.ci_hi_ns);
	cur.asymmetry_ns = s.asym_ns;
	cal_correct(m.bias_ns, &cur, CAL_LAYER_PTP4L, CAL_KNOB_ASYMMETRY, &c);
	ck_assert(labs(c.asymmetry_ns + 125000) <= 20);
	cal_correct(m.bias_ns, &cur, CAL_LAYER_REFCLOCK, CAL_KNOB_ASYMMETRY, &c);
	ck_assert_int_eq(c.asymmetry_ns, 0);
	ck_assert(fabs(c.fudge_s - -0.000125) < 20e-9);
	cal_series_free(&s);
}
END_TEST

/* Exact arithmetic of cal_correct with b = +40 ns and the latencies:
 * ingressLatency is subtracted from rx timestamps, offset drops by I/2: I' = 10 + 2*40 = 90;
 * egressLatency is added to tx timestamps, offset rises by E/2: E' = 5 - 2*40 = -75;
 * delayAsymmetry: A' = 7 + 40 = 47. Refclock: fudge = (40 + 7) ns = 4.7e-8 s. */
START_TEST(correction_arithmetic)
{
	struct cal_current cur = { .asymmetry_ns = 7, .ingress_ns = 10, .egress_ns = 5 };
	struct cal_correction c;
	cal_correct(40, &cur, CAL_LAYER_PTP4L, CAL_KNOB_INGRESS, &c);
	ck_assert_int_eq(c.ingress_ns, 90);
	ck_assert_int_eq(c.asymmetry_ns, 7);
	cal_correct(40, &cur, CAL_LAYER_PTP4L, CAL_KNOB_EGRESS, &c);
	ck_assert_int_eq(c.egress_ns, -75);
	cal_correct(40, &cur, CAL_LAYER_PTP4L, CAL_KNOB_ASYMMETRY, &c);
	ck_assert_int_eq(c.asymmetry_ns, 47);
	ck_assert(c.fudge_s == 0);
	cal_correct(40, &cur, CAL_LAYER_REFCLOCK, CAL_KNOB_ASYMMETRY, &c);
	ck_assert_int_eq(c.asymmetry_ns, 0);
	ck_assert(fabs(c.fudge_s - 4.7e-8) < 1e-15);
}
END_TEST

/* Baseline: the same clock (theta = 0) through a symmetric path (500/500 us) and through the
 * path under test (700/300 us), both with a +2 us measurement floor (e.g. a capture tap):
 * mean offsets +2 us and +202 us, b = 202 - 2 = +200 us. */
START_TEST(baseline_reference)
{
	const char *pt = tu_path("bt.tsv"), *pb = tu_path("bb.tsv");
	write_exchanges(pt, 1200, 704000, 300000, 0, 0, NULL, 0, 0);
	write_exchanges(pb, 1200, 504000, 500000, 0, 0, NULL, 0, 0);
	struct cal_series t, b;
	ck_assert_int_eq(cal_series_load(&t, pt, NULL), 0);
	ck_assert_int_eq(cal_series_load(&b, pb, NULL), 0);
	ck_assert(!t.has_truth_meta);
	struct cal_measurement m;
	ck_assert_int_eq(cal_measure(&t, &b, 0, &m), 0);
	ck_assert(m.have_base);
	ck_assert(m.ci_lo_ns <= 200000 && 200000 <= m.ci_hi_ns);
	ck_assert(m.halfwidth_ns < 60);
	/* the combined interval is wider than either alone */
	ck_assert(m.halfwidth_ns > (m.test.ci_hi - m.test.ci_lo) / 2);
	cal_series_free(&t);
	cal_series_free(&b);
}
END_TEST

/* Known offset: theta = -85 us +- 2 us (counter); d_ms 500, d_sm 400 us: theta^ = -85 + 50
 * = -35 us, b = -35 - (-85) = +50 us; the half-width includes the 2 us in quadrature. */
START_TEST(known_offset_reference)
{
	double ns, u;
	ck_assert(cal_parse_known_offset("-85us\xc2\xb1" "2us", &ns, &u));
	ck_assert(fabs(ns + 85000) < 1e-6 && fabs(u - 2000) < 1e-6);
	ck_assert(cal_parse_known_offset("-85000+-2000", &ns, &u));
	ck_assert(fabs(ns + 85000) < 1e-6 && fabs(u - 2000) < 1e-6);
	ck_assert(cal_parse_known_offset("120:5", &ns, &u));
	ck_assert(fabs(ns - 120) < 1e-9 && fabs(u - 5) < 1e-9);
	ck_assert(cal_parse_known_offset("-3us", &ns, &u) && fabs(ns + 3000) < 1e-9 && u == 0);
	ck_assert(!cal_parse_known_offset("abc", &ns, &u));
	ck_assert(!cal_parse_known_offset("5+-", &ns, &u));
	ck_assert(!cal_parse_known_offset("5+--1", &ns, &u));

	const char *p = tu_path("known.tsv");
	write_exchanges(p, 1200, 500000, 400000, -85000, 0, NULL, 0, 0);
	struct cal_series s;
	ck_assert_int_eq(cal_series_load(&s, p, NULL), 0);
	cal_series_subtract_const(&s, -85000);
	struct cal_measurement m;
	ck_assert_int_eq(cal_measure(&s, NULL, 2000, &m), 0);
	ck_assert(m.ci_lo_ns <= 50000 && 50000 <= m.ci_hi_ns);
	ck_assert(m.halfwidth_ns >= 2000 && m.halfwidth_ns < 2100);
	cal_series_free(&s);
}
END_TEST

/* Truth series: theta(t) = -1000 + 2 ns per s, sampled every 10 s from before the run to
 * after it; the exchanges have theta_i = -1000 + 2 i (i seconds since start) and a 100 us
 * asymmetry (d_ms 450, d_sm 350 us): theta^_i - theta_i = +50 us exactly (+ noise). A truth
 * in another timescale is flagged. */
START_TEST(truth_series_reference)
{
	const char *pe = tu_path("tx.tsv"), *pt = tu_path("truth.tsv"), *pt2 = tu_path("truth2.tsv");
	int n = 700;
	struct exchange_writer *w = exchange_writer_open(pe);
	ds_meta(exchange_writer_ds(w), "timescale", "TAI");
	unsigned s = 3;
	int64_t t0 = 1795000000LL * 1000000000LL;
	for (int i = 0; i < n; i++) {
		struct exchange ex;
		memset(&ex, 0, sizeof(ex));
		ex.master = tu_port(1, 1);
		ex.slave = tu_port(2, 1);
		double theta = -1000 + 2.0 * i;
		int64_t t2 = t0 + (int64_t)i * 1000000000LL; /* on the slave clock: exactly i s */
		ex.t1 = ptime_from_ns(t2 - llround(450000 + theta + noise(&s, 100)));
		ex.t2 = ptime_from_ns(t2);
		ex.t3 = ptime_from_ns(t2 + 1000);
		ex.t4 = ptime_from_ns(t2 + 1000 + llround(350000 - theta + noise(&s, 100)));
		exchange_derive(&ex);
		exchange_writer_row(w, &ex);
	}
	ck_assert_int_eq(exchange_writer_close(w), 0);
	/* truth every 10 s from 20 s before the run to 20 s after it */
	for (int k = 0; k < 2; k++) {
		FILE *f = fopen(k ? pt2 : pt, "w");
		fprintf(f, "# ptpcal-dataset 1 truth\n# timescale: %s\nt\toffset_ns\n", k ? "UTC" : "TAI");
		for (int i = -20; i <= n + 20; i += 10)
			fprintf(f, "%lld.000000000\t%.3f\n", (long long)1795000000 + i, -1000 + 2.0 * i);
		fclose(f);
	}
	struct cal_series cs;
	bool clash;
	char why[300];
	ck_assert_int_eq(cal_series_load(&cs, pe, NULL), 0);
	ck_assert_int_eq(cal_series_subtract_truth(&cs, pt, &clash, why, sizeof(why)), 0);
	ck_assert(!clash);
	ck_assert_int_eq((int)cs.n, n);
	struct cal_measurement m;
	ck_assert_int_eq(cal_measure(&cs, NULL, 0, &m), 0);
	ck_assert_msg(m.ci_lo_ns <= 50000 && 50000 <= m.ci_hi_ns, "%f %f", m.ci_lo_ns, m.ci_hi_ns);
	ck_assert(!m.test.drift_significant); /* theta's 2 ns/s drift is in the truth */
	cal_series_free(&cs);
	ck_assert_int_eq(cal_series_load(&cs, pe, NULL), 0);
	ck_assert_int_eq(cal_series_subtract_truth(&cs, pt2, &clash, why, sizeof(why)), 0);
	ck_assert(clash);
	ck_assert(strstr(why, "UTC") && strstr(why, "TAI"));
	cal_series_free(&cs);
}
END_TEST

/* n seconds of exchanges (600 us forward, 400 us back, truth offset 0) whose forward delay
 * drifts by drift_ns_per_s and steps by step halfway: written, loaded into s, measured into m. */
static void measured_run(struct cal_series *s, struct cal_measurement *m, const char *name, int n,
			 double drift_ns_per_s, double step)
{
	const char *p = tu_path(name);
	write_exchanges(p, n, 600000, 400000, 0, 0, "0", drift_ns_per_s, step);
	ck_assert_int_eq(cal_series_load(s, p, NULL), 0);
	ck_assert_int_eq(cal_measure(s, NULL, 0, m), 0);
}

/* Whether one of the n checks says text. */
static bool check_says(const struct cal_check *chk, int n, const char *text)
{
	for (int i = 0; i < n; i++)
		if (strstr(chk[i].text, text))
			return true;
	return false;
}

/* Every refusal rule on constructed series. */
START_TEST(refusals)
{
	struct cal_series s;
	struct cal_measurement m;
	struct cal_check chk[8];
	struct cal_limits lim = limits();
	/* 5 min: shorter than 10 min */
	measured_run(&s, &m, "short.tsv", 300, 0, 0);
	int n = cal_check(&m, &s, NULL, &lim, m.bias_ns, chk, 8);
	ck_assert_int_eq(n, 1);
	ck_assert(strstr(chk[0].text, "shorter than the minimum") && chk[0].forceable);
	cal_series_free(&s);
	/* drift: the forward delay grows 50 ns/s (= 90 us/h of offset, 25 ns/s): significant */
	measured_run(&s, &m, "drift.tsv", 1200, 50, 0);
	n = cal_check(&m, &s, NULL, &lim, m.bias_ns, chk, 8);
	ck_assert(check_says(chk, n, "drifts"));
	ck_assert(fabs(m.test.drift_per_h - 90000) < 2000);
	cal_series_free(&s);
	/* a step of 10 us in the forward delay halfway (5 us of offset): halves disagree */
	measured_run(&s, &m, "step.tsv", 1200, 0, 10000);
	n = cal_check(&m, &s, NULL, &lim, m.bias_ns, chk, 8);
	ck_assert(check_says(chk, n, "halves disagree"));
	cal_series_free(&s);
	/* width: the interval (tens of ns here) over an absolute limit of 1 ns */
	measured_run(&s, &m, "ok.tsv", 1200, 0, 0);
	ck_assert_int_eq(cal_check(&m, &s, NULL, &lim, m.bias_ns, chk, 8), 0);
	lim.max_halfwidth_ns = 1;
	n = cal_check(&m, &s, NULL, &lim, m.bias_ns, chk, 8);
	ck_assert_int_eq(n, 1);
	ck_assert(strstr(chk[0].text, "--max-uncertainty") && chk[0].forceable);
	/* relative width: a 2 us stated uncertainty on a 100 us bias passes 25 %, not 1 % */
	lim = limits();
	ck_assert_int_eq(cal_measure(&s, NULL, 2000, &m), 0);
	ck_assert_int_eq(cal_check(&m, &s, NULL, &lim, m.bias_ns, chk, 8), 0);
	lim.max_rel_halfwidth = 0.01;
	ck_assert_int_eq(cal_check(&m, &s, NULL, &lim, m.bias_ns, chk, 8), 1);
	/* sanity: a 1.5 ms correction is refused and cannot be forced */
	lim = limits();
	n = cal_check(&m, &s, NULL, &lim, 1.5e6, chk, 8);
	ck_assert_int_eq(n, 1);
	ck_assert(!chk[0].forceable && strstr(chk[0].text, "sanity"));
	cal_series_free(&s);
}
END_TEST

static void conf(struct conf_file *cf, const char *name, const char *text)
{
	const char *p = tu_path(name);
	tu_write_file(p, text);
	ck_assert(conf_load(cf, p, false));
}

/* ntpsec: the guide's line with time2 (ignored for SHM) becomes a time1 fudge; other options
 * stay. b + A = +93621 ns -> "time1 0.000093621". On the PTP layer the fudge goes away. */
START_TEST(emit_ntpsec_lines)
{
	struct cal_correction c;
	struct cal_current cur = { 0 };
	struct cal_refclock rc = { 2, "PTP" };
	struct cal_emit e;
	cal_correct(93621, &cur, CAL_LAYER_REFCLOCK, CAL_KNOB_ASYMMETRY, &c);
	emit_ntpsec(&c, &rc, NULL, &e);
	ck_assert_str_eq(e.lines[0], "refclock shm unit 2 refid PTP time1 0.000093621");
	ck_assert_str_eq(e.target, "ntpsec");
	struct conf_file cf;
	conf(&cf, "ntp.conf", "# ntp\nserver 192.0.2.1 iburst\n"
	     "refclock shm unit 2 refid PTP time2 0.000180 prefer # +180 us example\n"
	     "refclock shm unit 0 refid GPS time1 0.5\n");
	double v;
	bool bad;
	ck_assert(ntpsec_read_time1(&cf, 2, &v, &bad) && !bad && v == 0);
	ck_assert(ntpsec_read_time1(&cf, 0, &v, &bad) && fabs(v - 0.5) < 1e-12);
	ck_assert(!ntpsec_read_time1(&cf, 3, &v, &bad));
	emit_ntpsec(&c, &rc, &cf, &e);
	ck_assert_str_eq(e.lines[0], "refclock shm unit 2 refid PTP prefer time1 0.000093621");
	ck_assert(strstr(e.note, "time2 below 1 s is removed"));
	ck_assert(ntpsec_apply(&cf, &c, &rc));
	ck_assert_str_eq(cf.lines[2], "refclock shm unit 2 refid PTP prefer time1 0.000093621");
	ck_assert_str_eq(cf.lines[3], "refclock shm unit 0 refid GPS time1 0.5"); /* untouched */
	ck_assert(!ntpsec_apply(&cf, &c, &rc)); /* idempotent */
	ck_assert(ntpsec_read_time1(&cf, 2, &v, &bad) && fabs(v - 93621e-9) < 1e-15);
	/* negative: -125 us -> time1 -0.000125000, replacing in place */
	cal_correct(-125000, &cur, CAL_LAYER_REFCLOCK, CAL_KNOB_ASYMMETRY, &c);
	ck_assert(ntpsec_apply(&cf, &c, &rc));
	ck_assert_str_eq(cf.lines[2], "refclock shm unit 2 refid PTP prefer time1 -0.000125000");
	/* PTP layer: no fudge */
	cal_correct(-125000, &cur, CAL_LAYER_PTP4L, CAL_KNOB_ASYMMETRY, &c);
	ck_assert(ntpsec_apply(&cf, &c, &rc));
	ck_assert_str_eq(cf.lines[2], "refclock shm unit 2 refid PTP prefer");
	ck_assert_int_eq((int)cf.n, 4);
	conf_free(&cf);
}
END_TEST

/* Classic ntpd: server 127.127.28.2 + fudge 127.127.28.2 time1 X refid PTP; an existing
 * fudge keeps its stratum and flag, and the time1 0.00005 it holds is replaced. */
START_TEST(emit_ntpd_lines)
{
	struct cal_correction c;
	struct cal_current cur = { .asymmetry_ns = 20000 };
	struct cal_refclock rc = { 2, "PTP" };
	struct cal_emit e;
	/* b = 80 us on top of A = 20 us: fudge 100 us */
	cal_correct(80000, &cur, CAL_LAYER_REFCLOCK, CAL_KNOB_ASYMMETRY, &c);
	emit_ntpd(&c, &rc, NULL, &e);
	ck_assert_int_eq(e.nlines, 2);
	ck_assert_str_eq(e.lines[0], "server 127.127.28.2");
	ck_assert_str_eq(e.lines[1], "fudge 127.127.28.2 refid PTP time1 0.000100000");
	struct conf_file cf;
	conf(&cf, "ntpd.conf", "server 127.127.28.2 minpoll 4 prefer\n"
	     "fudge 127.127.28.2 time1 0.00005 stratum 0 refid PTP flag1 1\n");
	ck_assert_int_eq(cal_ntp_flavor(&cf), CAL_CONF_NTPD);
	double v;
	bool bad;
	ck_assert(ntpd_read_time1(&cf, 2, &v, &bad) && fabs(v - 0.00005) < 1e-12);
	ck_assert(ntpd_apply(&cf, &c, &rc));
	ck_assert_str_eq(cf.lines[0], "server 127.127.28.2 minpoll 4 prefer");
	ck_assert_str_eq(cf.lines[1], "fudge 127.127.28.2 time1 0.000100000 stratum 0 refid PTP flag1 1");
	ck_assert(!ntpd_apply(&cf, &c, &rc));
	conf_free(&cf);
	conf(&cf, "empty-ntp.conf", "driftfile /var/lib/ntp/drift\n");
	ck_assert(ntpd_apply(&cf, &c, &rc));
	ck_assert_str_eq(cf.lines[cf.n - 2], "server 127.127.28.2");
	ck_assert_str_eq(cf.lines[cf.n - 1], "fudge 127.127.28.2 refid PTP time1 0.000100000");
	conf_free(&cf);
}
END_TEST

/* chrony: refclock SHM 2:perm=0644 ... offset X, same sign as time1. */
START_TEST(emit_chrony_lines)
{
	struct cal_correction c;
	struct cal_current cur = { 0 };
	struct cal_refclock rc = { 2, "PTP" };
	struct cal_emit e;
	cal_correct(-71272, &cur, CAL_LAYER_REFCLOCK, CAL_KNOB_ASYMMETRY, &c);
	emit_chrony(&c, &rc, NULL, &e);
	ck_assert_str_eq(e.lines[0], "refclock SHM 2 refid PTP offset -0.000071272");
	struct conf_file cf;
	conf(&cf, "chrony.conf", "pool 2.debian.pool.ntp.org iburst\n"
	     "refclock SHM 2:perm=0600 refid PTP poll 2 offset 0.000010 precision 1e-7\n"
	     "refclock SHM 20 refid X\n");
	double v;
	bool bad;
	ck_assert(chrony_read_offset(&cf, 2, &v, &bad) && fabs(v - 1e-5) < 1e-15);
	ck_assert(chrony_apply(&cf, &c, &rc));
	ck_assert_str_eq(cf.lines[1],
			 "refclock SHM 2:perm=0600 refid PTP poll 2 offset -0.000071272 precision 1e-7");
	ck_assert_str_eq(cf.lines[2], "refclock SHM 20 refid X");
	ck_assert(!chrony_apply(&cf, &c, &rc));
	conf_free(&cf);
}
END_TEST

/* ptp4l: delayAsymmetry in [global]; comments kept; refclock layer removes it. */
START_TEST(emit_ptp4l_lines)
{
	struct cal_correction c;
	struct cal_current cur = { 0 };
	struct cal_emit e;
	struct conf_file cf;
	conf(&cf, "ptp4l.conf", "# client\n[global]\nslaveOnly 1\ndelayAsymmetry 1000\n"
	     "# keep me\nfree_running 1\n");
	ck_assert(ptp4l_read_current(&cf, "global", &cur));
	ck_assert(cur.asymmetry_ns == 1000);
	/* b = +92742 on top of 1000: 93742 */
	cal_correct(92742, &cur, CAL_LAYER_PTP4L, CAL_KNOB_ASYMMETRY, &c);
	emit_ptp4l(&c, &cur, "global", &e);
	ck_assert_int_eq(e.nlines, 2);
	ck_assert_str_eq(e.lines[0], "[global]");
	ck_assert_str_eq(e.lines[1], "delayAsymmetry 93742");
	ck_assert(ptp4l_apply(&cf, "global", &c, &cur));
	ck_assert_str_eq(cf.lines[3], "delayAsymmetry 93742");
	ck_assert_str_eq(cf.lines[4], "# keep me");
	ck_assert(!ptp4l_apply(&cf, "global", &c, &cur));
	/* ingress: b = +50 -> ingressLatency 100 */
	struct cal_current z = { 0 };
	cal_correct(50, &z, CAL_LAYER_PTP4L, CAL_KNOB_INGRESS, &c);
	emit_ptp4l(&c, &z, "global", &e);
	ck_assert_str_eq(e.lines[1], "ingressLatency 100");
	/* refclock layer: delayAsymmetry removed, folded into the fudge */
	cal_correct(92742, &cur, CAL_LAYER_REFCLOCK, CAL_KNOB_ASYMMETRY, &c);
	emit_ptp4l(&c, &cur, "global", &e);
	ck_assert_str_eq(e.lines[1], "delayAsymmetry 0");
	ck_assert(fabs(c.fudge_s - 93742e-9) < 1e-15);
	ck_assert(ptp4l_apply(&cf, "global", &c, &cur));
	ck_assert_ptr_null(conf_ptp4l_get(&cf, "global", "delayAsymmetry"));
	conf_free(&cf);
	conf(&cf, "bad-ptp4l.conf", "[global]\ndelayAsymmetry 1.5e3\n");
	ck_assert(!ptp4l_read_current(&cf, "global", &cur));
	conf_free(&cf);
}
END_TEST

/* --apply: atomic write with a backup, idempotent, comments kept; an unparseable ptp4l.conf
 * is refused at load; a --root staging directory prefixes the path. */
START_TEST(apply_files)
{
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/root/etc/linuxptp", tu_tmpdir());
	char cmd[800];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	char path[700];
	snprintf(path, sizeof(path), "%s/ptp4l.conf", dir);
	tu_write_file(path, "# mine\n[global]\nslaveOnly 1\n");
	char root[600];
	snprintf(root, sizeof(root), "%s/root", tu_tmpdir());
	struct cal_conf cc = { .kind = CAL_CONF_PTP4L, .given = "/etc/linuxptp/ptp4l.conf" };
	ck_assert_int_eq(cal_conf_load(&cc, root), 0);
	struct cal_current cur = { 0 };
	ck_assert_int_eq(cal_conf_read_current(&cc, "global", 2, &cur), 0);
	struct cal_correction c;
	cal_correct(-71272, &cur, CAL_LAYER_PTP4L, CAL_KNOB_ASYMMETRY, &c);
	struct cal_refclock rc = { 2, "PTP" };
	bool changed;
	FILE *out = fopen(tu_path("apply.out"), "w");
	ck_assert_int_eq(cal_conf_apply(&cc, &c, &cur, "global", &rc, true, out, &changed), 0);
	fclose(out);
	ck_assert(changed);
	char *text = tu_read_file(path);
	ck_assert_str_eq(text, "# mine\n[global]\nslaveOnly 1\ndelayAsymmetry -71272\n");
	free(text);
	text = tu_read_file(tu_path("apply.out"));
	ck_assert(strstr(text, "+delayAsymmetry -71272"));
	ck_assert(strstr(text, "backup"));
	free(text);
	cal_conf_free(&cc);
	snprintf(cmd, sizeof(cmd), "ls %s | grep -c 'ptp4l.conf.ptpcal-' | grep -qx 1", dir);
	ck_assert_int_eq(system(cmd), 0);
	/* again: nothing to write, no second backup */
	struct cal_conf cc2 = { .kind = CAL_CONF_PTP4L, .given = "/etc/linuxptp/ptp4l.conf" };
	ck_assert_int_eq(cal_conf_load(&cc2, root), 0);
	ck_assert_int_eq(cal_conf_apply(&cc2, &c, &cur, "global", &rc, true, NULL, &changed), 0);
	ck_assert(!changed);
	cal_conf_free(&cc2);
	ck_assert_int_eq(system(cmd), 0);
	/* a file ptp4l would reject is refused before anything is computed */
	tu_write_file(tu_path("broken.conf"), "slaveOnly 1\n[global]\n");
	struct cal_conf cc3 = { .kind = CAL_CONF_PTP4L, .given = tu_path("broken.conf") };
	ck_assert_int_eq(cal_conf_load(&cc3, NULL), EXIT_USAGE);
	cal_conf_free(&cc3);
	/* ptp4l layer: an ntp.conf without the SHM refclock is left alone */
	tu_write_file(tu_path("plain-ntp.conf"), "server 192.0.2.1\n");
	struct cal_conf cn = { .kind = CAL_CONF_NTPSEC, .given = tu_path("plain-ntp.conf") };
	ck_assert_int_eq(cal_conf_load(&cn, NULL), 0);
	ck_assert_int_eq(cal_conf_read_current(&cn, "global", 2, &cur), 0);
	ck_assert_int_eq(cal_conf_apply(&cn, &c, &cur, "global", &rc, true, NULL, &changed), 0);
	ck_assert(!changed);
	cal_conf_free(&cn);
}
END_TEST

Suite *calibrate_suite(void)
{
	Suite *s = suite_create("calibrate");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, physics_positive_asymmetry);
	tcase_add_test(tc, physics_negative_and_recalibration);
	tcase_add_test(tc, correction_arithmetic);
	tcase_add_test(tc, baseline_reference);
	tcase_add_test(tc, known_offset_reference);
	tcase_add_test(tc, truth_series_reference);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, emit_ntpsec_lines);
	tcase_add_test(tc, emit_ntpd_lines);
	tcase_add_test(tc, emit_chrony_lines);
	tcase_add_test(tc, emit_ptp4l_lines);
	tcase_add_test(tc, apply_files);
	suite_add_tcase(s, tc);
	return s;
}
