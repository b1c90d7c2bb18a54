/* Truth from PPS / EXTTS edges and PHC readings, through the replay sources and the real
 * `ptpcal truth` / `ptpcal phc cmp` commands, against a model with a known answer:
 *   reference second R = T0 + N; the system clock is S_ERR ahead of the reference; the PHC
 *   reads PHC = sys + 37 s + 5000 ns + 100 ns/s * (sys - T0) (offset and drift known).
 * The recorded files are written here with fprintf, not with ptpcal's writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/clocksrc.h"
#include "capture/truth_pair.h"
#include "common/commands.h"
#include "common/dataset.h"
#include "common/log.h"
#include "tests/unit/testutil.h"

#define T0 1795000000LL /* s */
#define S_ERR 250000LL  /* ns: system clock minus reference */
#define NSEC 1000000000LL

/* PHC - sys at sys = T0 + x ns: 37 s + 5000 ns + 100 ns/s, i.e. 1 ns per 10 ms. */
static long double model_d(long double x_ns)
{
	return 37.0L * NSEC + 5000.0L + x_ns / 1e7L;
}

static void put_time(FILE *f, long long ns)
{
	fprintf(f, "%lld.%09lld", ns / NSEC, ns % NSEC);
}

/* Readings every 250 ms, 0..13 s, with 0/10/20 ms of extra spacing so the grid is uneven.
 * Every reading's PHC - sys is a whole number of ns by construction. */
static void write_phc(const char *path, int tai)
{
	FILE *f = fopen(path, "w");
	fprintf(f, "# ptpcal-dataset 1 phc\n# device: synthetic\n");
	if (tai >= 0)
		fprintf(f, "# kernel_tai_offset_s: %d\n", tai);
	fprintf(f, "t_s\tsys\tphc\tphc_minus_sys_ns\tbracket_ns\tmethod\n");
	for (int k = 0; k <= 50; k++) { /* to 12.52 s */
		long long x = k * 250000000LL + (k % 3) * 10000000LL;
		long long sys = T0 * NSEC + x;
		long long d = 37 * NSEC + 5000 + x / 10000000LL;
		fprintf(f, "%.9f\t", x / 1e9);
		put_time(f, sys);
		fputc('\t', f);
		put_time(f, sys + d);
		fprintf(f, "\t%lld\t%d\tPTP_SYS_OFFSET_EXTENDED\n", d, 1000 + 10 * (k % 5));
	}
	fclose(f);
}

static void write_pps(const char *path)
{
	FILE *f = fopen(path, "w");
	fprintf(f, "# ptpcal-dataset 1 pps\n# device: synthetic\nt_s\tseq\tedge\tsys\n");
	for (int n = 1; n <= 13; n++) {
		if (n == 6)
			continue; /* a missed pulse */
		long long sys = (T0 + n) * NSEC + S_ERR;
		fprintf(f, "%d\t%d\tassert\t", n, 100 + n);
		put_time(f, sys);
		fprintf(f, "\n%d.5\t%d\tclear\t", n, 100 + n);
		put_time(f, sys + 500000000LL);
		fputc('\n', f);
	}
	fclose(f);
}

static struct ds_reader *run_truth(char **argv, int argc, int want_rc)
{
	int rc = cmd_truth(argc, argv);
	ck_assert_int_eq(rc, want_rc);
	struct ds_reader *r = ds_open(tu_path("truth.tsv"), "truth");
	ck_assert_ptr_nonnull(r);
	return r;
}

START_TEST(pps_to_phc_known_offset_and_drift)
{
	log_set_verbosity(-1);
	const char *phc = tu_path("phc.tsv"), *pps = tu_path("pps.tsv");
	write_phc(phc, 37);
	write_pps(pps);
	char *argv[] = { "truth", "--pps", (char *)pps, "--phc", (char *)phc, "-o",
			 (char *)tu_path("truth.tsv"), NULL };
	struct ds_reader *r = run_truth(argv, 7, EXIT_OK);
	int c_off = ds_require_col(r, "offset_ns"), c_sec = ds_require_col(r, "second");
	int c_unc = ds_require_col(r, "uncertainty_ns"), c_seq = ds_require_col(r, "seq");
	int c_t = ds_require_col(r, "t");
	int rows = 0;
	while (ds_next(r) > 0) {
		int64_t seq, sec;
		double off, unc;
		struct ptime t;
		ck_assert(ds_get_i64(r, c_seq, &seq) && ds_get_i64(r, c_sec, &sec));
		ck_assert(ds_get_double(r, c_off, &off) && ds_get_double(r, c_unc, &unc));
		ck_assert(ds_get_time(r, c_t, &t));
		int n = (int)seq - 100;
		ck_assert(n >= 1 && n <= 12 && n != 6);
		/* The edge at reference second T0+n, stamped at sys = T0+n+S_ERR, is at PHC time
		 * sys + d(sys): the PHC's true offset is S_ERR + 5000 + 100 n + 0.025 ns. */
		long double x = (long double)n * NSEC + S_ERR;
		long double want = S_ERR + model_d(x) - 37.0L * NSEC;
		ck_assert_double_near(off, (double)want, 1e-3);
		ck_assert_int_eq(sec, T0 + n + 37);
		/* the exact time column agrees with the offset */
		ck_assert_double_near((double)(t.ns - (T0 + n + 37) * NSEC) + t.frac / 65536.0,
				      (double)want, 1e-4);
		/* readings around sys: k = 4n (x = n s exactly, +0/10/20 ms) and the next one */
		ck_assert(unc >= 500 && unc <= 520);
		rows++;
	}
	ck_assert_int_eq(rows, 11); /* 12 pulses but one missed; the 13th has no later reading */
	ck_assert_str_eq(ds_meta_get(r, "missed_pulses"), "1");
	ck_assert_str_eq(ds_meta_get(r, "edges_without_readings"), "1");
	ck_assert_str_eq(ds_meta_get(r, "interval_anomalies"), "0");
	ck_assert_str_eq(ds_meta_get(r, "timescale"), "unknown");
	ds_reader_close(r);

	/* The clear edge, half a second later: same PHC, offset +0.5 s folds to -0.5 s + ... */
	char *argv2[] = { "truth", "--pps", (char *)pps, "--phc", (char *)phc, "--edge", "clear",
			  "-o", (char *)tu_path("truth.tsv"), NULL };
	r = run_truth(argv2, 9, EXIT_OK);
	c_off = ds_require_col(r, "offset_ns");
	c_seq = ds_require_col(r, "seq");
	ck_assert_int_eq(ds_next(r), 1);
	double off;
	int64_t seq;
	ck_assert(ds_get_double(r, c_off, &off) && ds_get_i64(r, c_seq, &seq));
	long double x = (long double)(seq - 100) * NSEC + S_ERR + 500000000LL;
	long double want = S_ERR + 500000000.0L + model_d(x) - 37.0L * NSEC - NSEC;
	ck_assert_double_near(off, (double)want, 1e-3);
	ds_reader_close(r);
}
END_TEST

START_TEST(extts_on_phc_needs_no_readings)
{
	log_set_verbosity(-1);
	const char *path = tu_path("extts.tsv");
	FILE *f = fopen(path, "w");
	fprintf(f, "# ptpcal-dataset 1 extts\nt_s\tindex\tseq\tphc\n");
	for (int n = 0; n < 10; n++) {
		/* PHC 3 us slow, drifting +7 ns/s, holding TAI (reference + 37 s) */
		long long t = (T0 + n + 37) * NSEC - 3000 + 7 * n;
		fprintf(f, "%d\t0\t%d\t", n, n + 1);
		put_time(f, t);
		fputc('\n', f);
	}
	fclose(f);
	char *argv[] = { "truth", "--extts", (char *)path, "-o", (char *)tu_path("truth.tsv"), NULL };
	struct ds_reader *r = run_truth(argv, 5, EXIT_OK);
	int c_off = ds_require_col(r, "offset_ns"), c_unc = ds_require_col(r, "uncertainty_ns");
	int n = 0;
	while (ds_next(r) > 0) {
		double off, unc;
		ck_assert(ds_get_double(r, c_off, &off) && ds_get_double(r, c_unc, &unc));
		ck_assert_double_eq(off, -3000 + 7 * n);
		ck_assert(isnan(unc));
		n++;
	}
	ck_assert_int_eq(n, 10);
	ds_reader_close(r);

	/* A driver that stamps both edges of a 100 ms pulse: the falling ones are skipped. */
	f = fopen(path, "w");
	fprintf(f, "# ptpcal-dataset 1 extts\nt_s\tindex\tseq\tphc\n");
	for (int k = 0; k < 10; k++) {
		long long t = (T0 + k + 37) * NSEC - 3000 + 7 * k;
		fprintf(f, "%d\t0\t%d\t", k, 2 * k + 1);
		put_time(f, t);
		fprintf(f, "\n%d.1\t0\t%d\t", k, 2 * k + 2);
		put_time(f, t + 100000000LL);
		fputc('\n', f);
	}
	fclose(f);
	r = run_truth(argv, 5, EXIT_OK);
	c_off = ds_require_col(r, "offset_ns");
	n = 0;
	while (ds_next(r) > 0) {
		double off;
		ck_assert(ds_get_double(r, c_off, &off));
		ck_assert_double_eq(off, -3000 + 7 * n);
		n++;
	}
	ck_assert_int_eq(n, 10);
	ck_assert_str_eq(ds_meta_get(r, "interval_anomalies"), "10");
	ck_assert_str_eq(ds_meta_get(r, "missed_pulses"), "0");
	ds_reader_close(r);
}
END_TEST

START_TEST(extts_to_system_clock)
{
	log_set_verbosity(-1);
	const char *phc = tu_path("phc.tsv"), *path = tu_path("extts.tsv");
	write_phc(phc, -1);
	FILE *f = fopen(path, "w");
	fprintf(f, "# ptpcal-dataset 1 extts\nt_s\tindex\tseq\tphc\n");
	for (int n = 1; n <= 10; n++) {
		/* The system clock is S_ERR ahead at each reference second; the PHC stamps the
		 * edge at sys + d(sys), rounded down to its ns. */
		long double x = (long double)n * NSEC + S_ERR;
		long long t = (long long)floorl((long double)T0 * NSEC + x + model_d(x));
		fprintf(f, "%d\t1\t%d\t", n, n);
		put_time(f, t);
		fputc('\n', f);
	}
	fclose(f);
	char *argv[] = { "truth", "--extts", (char *)path, "--phc", (char *)phc, "--clock", "system",
			 "-o", (char *)tu_path("truth.tsv"), NULL };
	struct ds_reader *r = run_truth(argv, 9, EXIT_OK);
	int c_off = ds_require_col(r, "offset_ns");
	int n = 0;
	while (ds_next(r) > 0) {
		double off;
		ck_assert(ds_get_double(r, c_off, &off));
		ck_assert_double_near(off, S_ERR, 0.05); /* the PHC's ns rounding, 1 ns / 10 ms */
		n++;
	}
	ck_assert_int_eq(n, 10);
	ck_assert_str_eq(ds_meta_get(r, "clock"), "CLOCK_REALTIME");
	ck_assert_str_eq(ds_meta_get(r, "timescale"), "UTC");
	ds_reader_close(r);
}
END_TEST

/* Edges given to the pairer before the readings that follow them (a live PPS arrives
 * late): the same answer as in time order. */
struct collect {
	double got[8];
	int n;
};

static void collect_cb(void *c, const struct truth_sample *s)
{
	struct collect *col = c;
	if (col->n < 8)
		col->got[col->n] = s->offset_ns;
	col->n++;
}

START_TEST(edges_before_their_readings)
{
	struct truth_opts o = { TRUTH_CLOCK_PHC, 0 };
	struct collect col = { { 0 }, 0 };
	struct truth_pairer *p = truth_pairer_new(&o, collect_cb, &col);
	struct clk_event r = { 0 }, e = { 0 };
	r.kind = CLK_PHC_READING;
	e.kind = CLK_PPS_ASSERT;
	for (int k = 0; k < 4; k++) {
		r.sys = ptime_from_ns(T0 * NSEC + k * NSEC);
		r.phc = ptime_from_ns(T0 * NSEC + k * NSEC + 1000 + 10 * k);
		if (k >= 1) {
			/* the edge in the middle of the last interval arrives before reading k */
			e.sys = ptime_from_ns(T0 * NSEC + (k - 1) * NSEC + NSEC / 2 - 20);
			e.seq = (uint32_t)k;
			truth_pairer_edge(p, &e);
		}
		truth_pairer_reading(p, &r);
	}
	truth_pairer_finish(p);
	ck_assert_int_eq(col.n, 3);
	for (int i = 0; i < 3; i++)
		/* 0.5 s - 20 ns past the second, plus d = 1000 + 10 i + 10 * (0.5 - 20e-9) ns:
		 * at or past half a second, so it folds to the next second (-0.5 s ...). */
		ck_assert_double_near(col.got[i], -500000000.0 - 20 + 1000 + 10 * i + 5, 1e-3);
	ck_assert_uint_eq(truth_pairer_counts(p)->no_readings, 0);
	truth_pairer_free(p);
}
END_TEST

START_TEST(phc_cmp_verdicts_from_a_recording)
{
	log_set_verbosity(-1);
	const char *path = tu_path("cmp.tsv");
	FILE *f = fopen(path, "w");
	fprintf(f, "# ptpcal-dataset 1 phc\n# kernel_tai_offset_s: 37\n"
		   "t_s\tsys\tphc\tphc_minus_sys_ns\tbracket_ns\tmethod\n"
		   "0\t1795000000.000000000\t1795000037.000000012\t37000000012\t800\tPTP_SYS_OFFSET\n");
	fclose(f);
	char *a1[] = { "phc", "cmp", (char *)path, "--expect", "tai", NULL };
	ck_assert_int_eq(cmd_phc(5, a1), EXIT_OK);
	char *a2[] = { "phc", "cmp", (char *)path, "--expect", "utc", NULL };
	ck_assert_int_eq(cmd_phc(5, a2), EXIT_FAILED);
	char *a3[] = { "phc", "cmp", (char *)path, "--expect", "tai", "--tai-utc", "36", NULL };
	ck_assert_int_eq(cmd_phc(7, a3), EXIT_FAILED);
	/* A PHC holding UTC: the 37-second trap. */
	f = fopen(path, "w");
	fprintf(f, "# ptpcal-dataset 1 phc\n# kernel_tai_offset_s: 37\n"
		   "t_s\tsys\tphc\tphc_minus_sys_ns\tbracket_ns\tmethod\n"
		   "0\t1795000000.000000000\t1795000000.000000400\t400\t800\tPTP_SYS_OFFSET\n");
	fclose(f);
	ck_assert_int_eq(cmd_phc(5, a2), EXIT_OK);
	ck_assert_int_eq(cmd_phc(5, a1), EXIT_FAILED);
}
END_TEST

/* No TAI - UTC recorded with the readings: the leap-seconds.list at the reading's time. */
START_TEST(phc_cmp_tai_from_leapfile)
{
	log_set_verbosity(-1);
	const char *path = tu_path("cmp2.tsv"), *leap = tu_path("leap.list");
	tu_write_file(path, "# ptpcal-dataset 1 phc\n"
			    "t_s\tsys\tphc\tphc_minus_sys_ns\tbracket_ns\tmethod\n"
			    "0\t1795000000.000000000\t1795000037.000000012\t37000000012\t800\t"
			    "PTP_SYS_OFFSET\n");
	/* NTP seconds of 2015-07-01 and 2017-01-01 (IERS Bulletin C: 36 s, then 37 s). */
	tu_write_file(leap, "3644697600\t36\t# 1 Jul 2015\n3692217600\t37\t# 1 Jan 2017\n");
	char *a1[] = { "phc", "cmp", (char *)path, "--leapfile", (char *)leap, "--expect", "tai", NULL };
	ck_assert_int_eq(cmd_phc(7, a1), EXIT_OK);
	/* A file that ends before 2017 says 36 s: the PHC then matches neither. */
	tu_write_file(leap, "3644697600\t36\t# 1 Jul 2015\n");
	ck_assert_int_eq(cmd_phc(7, a1), EXIT_FAILED);
	char *a2[] = { "phc", "cmp", (char *)path, "--leapfile", (char *)tu_path("none.list"), NULL };
	ck_assert_int_eq(cmd_phc(5, a2), EXIT_USAGE);
}
END_TEST

START_TEST(best_bracket_as_sysoff)
{
	/* linuxptp sysoff_estimate: the shortest bracket wins; its middle and its PHC read. */
	struct ptime s[3][3] = {
		{ ptime_from_ns(100), ptime_from_ns(150), ptime_from_ns(300) },
		{ ptime_from_ns(1000), ptime_from_ns(1040), ptime_from_ns(1081) },
		{ ptime_from_ns(2000), ptime_from_ns(2010), ptime_from_ns(2100) },
	};
	struct clk_event ev;
	phc_best_bracket(s, 3, &ev);
	ck_assert_int_eq(ev.bracket_ns, 81);
	ck_assert_int_eq(ev.sys.ns, 1040);
	ck_assert_int_eq(ev.sys.frac, 32768); /* 1040.5, which linuxptp rounds down to 1040 */
	ck_assert_int_eq(ev.phc.ns, 1040);
}
END_TEST

START_TEST(missing_devices_exit_2)
{
	log_set_verbosity(-1);
	ck_assert_ptr_null(phc_open("/dev/ptp-ptpcal-none", 9, PHC_METHOD_AUTO));
	ck_assert_ptr_null(pps_open("/dev/pps-ptpcal-none", true, false));
	ck_assert_ptr_null(extts_open("/dev/ptp-ptpcal-none", 0, -1, true, false));
	ck_assert_ptr_null(phc_open("/dev/null", 9, PHC_METHOD_AUTO)); /* not a PTP clock */
	ck_assert_ptr_null(pps_open("/dev/null", true, false));
	char *a[] = { "phc", "cmp", "/dev/ptp-ptpcal-none", NULL };
	ck_assert_int_eq(cmd_phc(3, a), EXIT_USAGE);
	char *b[] = { "pps", "record", "/dev/pps-ptpcal-none", "-o", (char *)tu_path("x.tsv"), NULL };
	ck_assert_int_eq(cmd_pps(5, b), EXIT_USAGE);
	char *c[] = { "truth", "--pps", "/dev/pps-ptpcal-none", "--phc", "/dev/ptp-ptpcal-none",
		      "-o", (char *)tu_path("x.tsv"), NULL };
	ck_assert_int_eq(cmd_truth(7, c), EXIT_USAGE);
}
END_TEST

START_TEST(bad_recordings)
{
	log_set_verbosity(-1);
	const char *path = tu_path("bad.tsv");
	struct clk_event ev;
	tu_write_file(path, "# ptpcal-dataset 1 pps\nt_s\tseq\tedge\tsys\n"
			    "0\t1\tassert\t1795000001.000000000\n1\t2\tassert\t1795000000.000000000\n");
	struct clocksrc *s = clock_replay_open(path, NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(clocksrc_next(s, 0, &ev), 1);
	ck_assert_int_eq(clocksrc_next(s, 0, &ev), -1); /* back in time */
	clocksrc_close(s);
	tu_write_file(path, "# ptpcal-dataset 1 pps\nt_s\tseq\tedge\tsys\n0\t1\tup\t1.0\n");
	s = clock_replay_open(path, NULL);
	ck_assert_int_eq(clocksrc_next(s, 0, &ev), -1);
	clocksrc_close(s);
	tu_write_file(path, "# ptpcal-dataset 1 exchanges\nt_s\n0\n");
	ck_assert_ptr_null(clock_replay_open(path, NULL));
	tu_write_file(path, "# ptpcal-dataset 1 phc\nt_s\tsys\n0\t1.0\n");
	ck_assert_ptr_null(clock_replay_open(path, NULL)); /* no phc column */
	/* A truth run on a bad recording: exit 2. */
	tu_write_file(path, "# ptpcal-dataset 1 extts\nt_s\tindex\tseq\tphc\n0\t0\t1\tx\n");
	char *a[] = { "truth", "--extts", (char *)path, "-o", (char *)tu_path("x.tsv"), NULL };
	ck_assert_int_eq(cmd_truth(5, a), EXIT_USAGE);
}
END_TEST

Suite *truth_pair_suite(void)
{
	Suite *s = suite_create("truth_pair");
	TCase *tc = tcase_create("truth_pair");
	tcase_add_test(tc, pps_to_phc_known_offset_and_drift);
	tcase_add_test(tc, extts_on_phc_needs_no_readings);
	tcase_add_test(tc, extts_to_system_clock);
	tcase_add_test(tc, edges_before_their_readings);
	tcase_add_test(tc, phc_cmp_verdicts_from_a_recording);
	tcase_add_test(tc, phc_cmp_tai_from_leapfile);
	tcase_add_test(tc, best_bracket_as_sysoff);
	tcase_add_test(tc, missing_devices_exit_2);
	tcase_add_test(tc, bad_recordings);
	suite_add_tcase(s, tc);
	return s;
}
