/* Log importers: lines printed with the daemons' own format strings (copied from linuxptp
 * clock.c / phc2sys.c / port.c and print.c, v3.1.1 and v4.4), real ptp4l 3.1.1 logs from the
 * lab datasets, chrony.conf(5)'s example lines with the values its text gives, and real
 * ntpsec 1.2.2 peerstats/loopstats with a known +5 ms reference. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/log_import.h"
#include "common/dataset.h"
#include "common/log.h"
#include "tests/unit/testutil.h"

/* linuxptp format strings, verbatim. */
#define PTP4L_SAMPLE "master offset %10" PRId64 " s%d freq %+7.0f path delay %9" PRId64
#define PTP4L_SUM_D "rms %4.0f max %4.0f freq %+6.0f +/- %3.0f delay %5.0f +/- %3.0f"
#define PTP4L_SUM "rms %4.0f max %4.0f freq %+6.0f +/- %3.0f"
#define PHC2SYS_SAMPLE_D "%s %s offset %9" PRId64 " s%d freq %+7.0f delay %6" PRId64
#define PHC2SYS_SAMPLE "%s %s offset %9" PRId64 " s%d freq %+7.0f"
#define PHC2SYS_SUM_D "%s rms %4.0f max %4.0f freq %+6.0f +/- %3.0f delay %5.0f +/- %3.0f"
/* print.c: "%s[%lld.%03ld]: %s%s%s\n" (-m) and syslog "[%lld.%03ld] %s%s%s" */

static int parse(const char *line, struct lp_line *l)
{
	char why[160] = "";
	return lp_parse_line(line, l, why, sizeof(why));
}

START_TEST(ptp4l_lines)
{
	char msg[256], line[400];
	struct lp_line l;
	int64_t offs[] = { 0, -1, 123456789, -2147483648LL, 40, -999999999999LL };
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		snprintf(msg, sizeof(msg), PTP4L_SAMPLE, offs[i], (int)(i % 4), -12345.4 + (double)i,
			 (int64_t)(400000 + i));
		snprintf(line, sizeof(line), "%s[%lld.%03ld]: %s%s%s", "ptp4l", 1683LL, 688L, "", "", msg);
		ck_assert_int_eq(parse(line, &l), 1);
		ck_assert_int_eq(l.kind, LP_SAMPLE);
		ck_assert_int_eq(l.t_ns, 1683688000000LL);
		ck_assert_str_eq(l.prog, "ptp4l");
		ck_assert_int_eq(l.offset_ns, offs[i]);
		ck_assert_int_eq(l.state, (int)(i % 4));
		ck_assert_double_near(l.freq_ppb, round(-12345.4 + (double)i), 0);
		ck_assert_int_eq(l.delay_ns, 400000 + (int64_t)i);
		ck_assert(!l.phc2sys);
	}
	/* Summaries with and without the delay part. */
	snprintf(msg, sizeof(msg), PTP4L_SUM_D, 312.4, 901.0, -20.6, 3.2, 402711.0, 55.0);
	snprintf(line, sizeof(line), "ptp4l[7.005]: %s", msg);
	ck_assert_int_eq(parse(line, &l), 1);
	ck_assert_int_eq(l.kind, LP_SUMMARY);
	ck_assert_int_eq(l.t_ns, 7005000000LL);
	ck_assert_double_near(l.rms_ns, 312, 0);
	ck_assert_double_near(l.max_abs_ns, 901, 0);
	ck_assert_double_near(l.freq_ppb, -21, 0);
	ck_assert_double_near(l.freq_sd_ppb, 3, 0);
	ck_assert(l.has_delay);
	ck_assert_double_near(l.delay_mean_ns, 402711, 0);
	ck_assert_double_near(l.delay_sd_ns, 55, 0);
	snprintf(msg, sizeof(msg), PTP4L_SUM, 1.0, 2.0, 3.0, NAN);
	snprintf(line, sizeof(line), "ptp4l[7.005]: %s", msg);
	ck_assert_int_eq(parse(line, &l), 1);
	ck_assert(!l.has_delay);
	ck_assert(isnan(l.freq_sd_ppb)); /* printed as "nan" */
	/* Syslog / journal forms and a message tag. */
	snprintf(msg, sizeof(msg), PTP4L_SAMPLE, (int64_t)-42, 2, 17.0, (int64_t)512);
	const char *prefixes[] = {
		"Nov 26 21:00:00 host ptp4l[1234]: [1683.688] ",
		"2026-11-26T21:00:00+0000 host ptp4l[1234]: [1683.688] ",
		"host ptp4l[1234]: ptp4l[1683.688]: ",
		"ptp4l[1683.688]: [eth0] ",
		"[1683.688] ",
		/* journalctl -o short-monotonic and -o short-precise */
		"[ 5123.456789] host ptp4l[1234]: [1683.688] ",
		"Nov 26 21:00:00.123456 host ptp4l[1234]: [1683.688] ",
	};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(line, sizeof(line), "%s%s\n", prefixes[i], msg);
		ck_assert_msg(parse(line, &l) == 1, "%s", line);
		ck_assert_int_eq(l.t_ns, 1683688000000LL);
		ck_assert_int_eq(l.offset_ns, -42);
		ck_assert_int_eq(l.delay_ns, 512);
		ck_assert_str_eq(l.prog, i == 4 ? "" : "ptp4l");
		ck_assert(l.syslog_form == (i != 2 && i != 3));
	}
}
END_TEST

START_TEST(phc2sys_lines)
{
	char msg[256], line[400];
	struct lp_line l;
	snprintf(msg, sizeof(msg), PHC2SYS_SAMPLE_D, "CLOCK_REALTIME", "phc", (int64_t)-20, 2, 1234.0,
		 (int64_t)567);
	snprintf(line, sizeof(line), "phc2sys[123.456]: %s", msg);
	ck_assert_int_eq(parse(line, &l), 1);
	ck_assert_int_eq(l.kind, LP_SAMPLE);
	ck_assert(l.phc2sys);
	ck_assert_str_eq(l.clock, "CLOCK_REALTIME");
	ck_assert_str_eq(l.label, "phc");
	ck_assert_int_eq(l.offset_ns, -20);
	ck_assert_int_eq(l.delay_ns, 567);
	ck_assert_int_eq(l.t_ns, 123456000000LL);
	snprintf(msg, sizeof(msg), PHC2SYS_SAMPLE, "/dev/ptp1", "sys", (int64_t)7, 1, -3.0);
	snprintf(line, sizeof(line), "phc2sys[123.456]: %s", msg);
	ck_assert_int_eq(parse(line, &l), 1);
	ck_assert(!l.has_delay);
	ck_assert_int_eq(l.state, 1);
	snprintf(msg, sizeof(msg), PHC2SYS_SUM_D, "CLOCK_REALTIME", 15.0, 40.0, 2.0, 1.0, 800.0, 10.0);
	snprintf(line, sizeof(line), "phc2sys[123.456]: %s", msg);
	ck_assert_int_eq(parse(line, &l), 1);
	ck_assert_int_eq(l.kind, LP_SUMMARY);
	ck_assert(l.phc2sys);
	ck_assert_str_eq(l.clock, "CLOCK_REALTIME");
	ck_assert_double_near(l.delay_mean_ns, 800, 0);
}
END_TEST

START_TEST(port_states)
{
	struct lp_line l;
	/* 3.1.1: "port %hu: %s to %s on %s"; 4.x: "%s: ..." with "port %d (%s)". */
	ck_assert_int_eq(parse("ptp4l[6994.7]: port 1: LISTENING to UNCALIBRATED on RS_SLAVE", &l), 1);
	ck_assert_int_eq(l.kind, LP_PORT_STATE);
	ck_assert_int_eq(l.port, 1);
	ck_assert_str_eq(l.from, "LISTENING");
	ck_assert_str_eq(l.to, "UNCALIBRATED");
	ck_assert_str_eq(l.event, "RS_SLAVE");
	ck_assert_int_eq(parse("ptp4l[1.000]: port 2 (eth1): UNCALIBRATED to SLAVE on "
			       "MASTER_CLOCK_SELECTED", &l), 1);
	ck_assert_int_eq(l.port, 2);
	ck_assert_str_eq(l.port_iface, "eth1");
	ck_assert_str_eq(l.to, "SLAVE");
	ck_assert_int_eq(parse("ptp4l[1.000]: port 1: SLAVE to UNCALIBRATED on SYNCHRONIZATION_FAULT "
			       "(FAULT_DETECTED)", &l), 1);
	ck_assert_str_eq(l.event, "SYNCHRONIZATION_FAULT");
	/* Other port messages are not state changes. */
	ck_assert_int_eq(parse("ptp4l[1.000]: port 1: new foreign master 3ae78f.fffe.68e524-1", &l), 0);
	ck_assert_int_eq(parse("ptp4l[1.000]: selected best master clock 3ae78f.fffe.68e524", &l), 0);
}
END_TEST

START_TEST(malformed_and_other)
{
	struct lp_line l;
	char why[160];
	ck_assert_int_eq(lp_parse_line("ptp4l[1.000]: master offset abc s2 freq +1 path delay 3", &l,
				       why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "master offset"), "%s", why);
	ck_assert_int_eq(parse("ptp4l[1.000]: master offset 12 s2 freq +1 path del", &l), -1);
	ck_assert_int_eq(parse("ptp4l[1.000]: master offset 12 sX freq +1 path delay 3", &l), -1);
	ck_assert_int_eq(parse("ptp4l[1.000]: rms 12 max", &l), -1);
	ck_assert_int_eq(parse("ptp4l[1.000]: rms 12 max 3 freq 1 +/- 2 delay 5", &l), -1);
	ck_assert_int_eq(parse("", &l), 0);
	ck_assert_int_eq(parse("random text [eth0] master offset 1", &l), 0);
	ck_assert_int_eq(parse("ptp4l[1234]: no monotonic stamp here", &l), 0);
	/* print.c stamps every line; a sample without the stamp is not linuxptp's output */
	ck_assert_int_eq(parse("ptp4l: master offset 5 s2 freq +1 path delay 9", &l), 0);
	ck_assert_int_eq(parse("master offset 5 sx", &l), 0);
	/* fewer fraction digits than print.c's %03ld still give exact ns */
	ck_assert_int_eq(parse("ptp4l[12.5]: master offset -12 s2 freq +3 path delay 540", &l), 1);
	ck_assert_int_eq(l.t_ns, 12500000000LL);
	ck_assert_int_eq(l.offset_ns, -12);
	ck_assert_int_eq(parse("ptp4l[1.000]: clock jumped backward or running slower than expected!", &l), 0);
	/* Exact stamps. */
	int64_t ns;
	ck_assert(parse_decimal_ns("1683.688", &ns, NULL));
	ck_assert_int_eq(ns, 1683688000000LL);
	ck_assert(parse_decimal_ns("0.000000001", &ns, NULL));
	ck_assert_int_eq(ns, 1);
	ck_assert(!parse_decimal_ns("1.0000000001", &ns, NULL));
	/* int64 ns ends in 2262: more seconds than that is refused, not overflowed */
	ck_assert(!parse_decimal_ns("39913333333", &ns, NULL));
	ck_assert(parse_decimal_ns("9223372035.5", &ns, NULL) && ns == 9223372035500000000LL);
	ck_assert(!parse_decimal_ns("1.", &ns, NULL));
	ck_assert(!parse_decimal_ns(".5", &ns, NULL));
	ck_assert(!parse_decimal_ns("-1.5", &ns, NULL));
	ck_assert(!parse_decimal_ns("1.5x", &ns, NULL));
	ck_assert(!parse_decimal_ns("9999999999999.1", &ns, NULL));
}
END_TEST

/* chrony.conf(5) "log": the example lines and the values its text gives for them. */
START_TEST(chrony_doc_examples)
{
	struct tl_row r;
	char why[160];
	const char *tracking = "2017-08-22 13:22:36 203.0.113.15     2     -3.541      0.075 -8.621e-06 N "
			       "            2  2.940e-03 -2.084e-04  1.534e-02  3.472e-04  8.304e-03";
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY, tracking, &r, why, sizeof(why)), 1);
	ck_assert_int_eq(r.format, LOG_CHRONY_TRACKING);
	ck_assert_int_eq(r.t_ns, 1503408156LL * 1000000000LL);
	ck_assert_double_near(r.offset_ns, -8621, 1e-6); /* "positive: the clock is fast" */
	const char *const *c = table_log_columns(LOG_CHRONY_TRACKING);
	ck_assert_str_eq(c[0], "reference");
	ck_assert_str_eq(r.cols[0], "203.0.113.15");
	ck_assert_str_eq(c[2], "freq_ppb");
	ck_assert_double_near(atof(r.cols[2]), -3541, 1e-9);
	ck_assert_str_eq(r.cols[4], "N");
	ck_assert_str_eq(c[10], "max_error_ns");
	ck_assert_double_near(atof(r.cols[10]), 8304000, 1e-6);

	const char *stats = "2016-08-10 05:40:50 203.0.113.15     6.261e-03 -3.247e-03 "
			    "     2.220e-03  1.874e-06  1.080e-06 7.8e-02  16   0   8  0.00";
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY, stats, &r, why, sizeof(why)), 1);
	ck_assert_int_eq(r.format, LOG_CHRONY_STATISTICS);
	ck_assert_int_eq(r.t_ns, 1470807650LL * 1000000000LL);
	ck_assert_double_near(r.offset_ns, -3247000, 1e-6); /* "positive: local clock fast" */
	c = table_log_columns(LOG_CHRONY_STATISTICS);
	ck_assert_str_eq(c[3], "freq_ppb");
	ck_assert_double_near(atof(r.cols[3]), 1874, 1e-6);
	ck_assert_str_eq(c[6], "samples");
	ck_assert_str_eq(r.cols[6], "16");

	const char *meas = "2016-11-09 05:40:50 203.0.113.15    N  2 111 111 1111  10 10 1.0 "
			   "  -4.966e-03  2.296e-01  1.577e-05  1.615e-01  7.446e-03 CB00717B 4B D K";
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY, meas, &r, why, sizeof(why)), 1);
	ck_assert_int_eq(r.format, LOG_CHRONY_MEASUREMENTS);
	ck_assert_int_eq(r.t_ns, 1478670050LL * 1000000000LL);
	/* theta -4.966e-3: "positive: local clock slow" -> local - reference = +4.966 ms */
	ck_assert_double_near(r.offset_ns, 4966000, 1e-6);
	c = table_log_columns(LOG_CHRONY_MEASUREMENTS);
	ck_assert_str_eq(c[1], "daemon_offset_ns");
	ck_assert_double_near(atof(r.cols[1]), -4966000, 1e-6);
	ck_assert_str_eq(c[10], "delay_ns");
	ck_assert_double_near(atof(r.cols[10]), 229600000, 1e-3);
	ck_assert_str_eq(r.cols[14], "CB00717B");
	ck_assert_str_eq(r.cols[17], "K");

	/* Banners are skipped; broken lines are not. */
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY, "=====================================", &r, why,
				       sizeof(why)), 0);
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY, "   Date (UTC) Time     IP Address   St   Freq ppm",
				       &r, why, sizeof(why)), 0);
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY, "2017-08-22 13:22:36 only few", &r, why, sizeof(why)), -1);
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY_TRACKING, stats, &r, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "want 14"), "%s", why);
	char bad[300];
	snprintf(bad, sizeof(bad), "%s", tracking);
	memcpy(strstr(bad, "-8.621e-06"), "-8.62xe-06", 10);
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY, bad, &r, why, sizeof(why)), -1);
	snprintf(bad, sizeof(bad), "%s", tracking);
	memcpy(bad, "2017-13-22", 10);
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY, bad, &r, why, sizeof(why)), -1);
}
END_TEST

/* Real ntpd output: the reference was 5 ms ahead of the system clock. */
START_TEST(ntpsec_real)
{
	struct tl_row r;
	char why[160];
	FILE *f = fopen(tu_src("tests/data/ntpsec-1.2.2-shm-peerstats"), "r");
	ck_assert_ptr_nonnull(f);
	char line[512];
	int n = 0, at5 = 0;
	while (fgets(line, sizeof(line), f)) {
		ck_assert_int_eq(tl_parse_line(LOG_NTPSEC_PEERSTATS, line, &r, why, sizeof(why)), 1);
		/* The last line is after the writer stopped: ntpd's offset went to 0. */
		at5 += fabs(r.offset_ns + 5000000) < 1e-6;
		ck_assert_str_eq(r.cols[0], "SHM(201)");
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 14);
	ck_assert_int_eq(at5, 13);
	/* The first line: MJD 61370 = 2026-11-26, 75968.474 s after midnight. */
	ck_assert_int_eq(tl_parse_line(LOG_NTPSEC_PEERSTATS,
				       "61370 75968.474 SHM(201) 9014 0.005000000 0.000000000 7.937500000 0.000000000",
				       &r, why, sizeof(why)), 1);
	ck_assert_int_eq(r.t_ns, (1795651200LL + 75968) * 1000000000LL + 474000000LL);
	ck_assert_str_eq(r.cols[2], "9014");
	ck_assert_double_near(atof(r.cols[4]), 7937500000.0, 1e-3);
	f = fopen(tu_src("tests/data/ntpsec-1.2.2-shm-loopstats"), "r");
	ck_assert_ptr_nonnull(f);
	n = 0;
	at5 = 0;
	while (fgets(line, sizeof(line), f)) {
		ck_assert_int_eq(tl_parse_line(LOG_NTPSEC_LOOPSTATS, line, &r, why, sizeof(why)), 1);
		at5 += fabs(r.offset_ns + 5000000) < 1e-6;
		if (n == 0)
			ck_assert_double_near(atof(r.cols[2]), 60, 1e-6); /* jitter 0.000000060 s */
		n++;
	}
	fclose(f);
	ck_assert_int_eq(n, 14);
	ck_assert_int_ge(at5, 10);
	/* rawstats: offset and delay as ntp_proto.c computes them, from the first real line
	 * (t21 = 89634 ns, t34 = -16635 ns: theta = 36499.5 ns, delta = 106269 ns). */
	f = fopen(tu_src("tests/data/ntpsec-1.2.2-rawstats"), "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	ck_assert_int_eq(tl_parse_line(LOG_NTPSEC_RAWSTATS, line, &r, why, sizeof(why)), 1);
	ck_assert_double_near(r.offset_ns, -36499.5, 1e-9);
	const char *const *rc = table_log_columns(LOG_NTPSEC_RAWSTATS);
	ck_assert_str_eq(rc[2], "t1");
	ck_assert_str_eq(r.cols[2], "1795730101.573372634");
	ck_assert_str_eq(rc[7], "delay_ns");
	ck_assert_str_eq(r.cols[7], "106269");
	ck_assert_str_eq(rc[19], "flag");
	ck_assert_str_eq(r.cols[19], "20");
	ck_assert_str_eq(r.cols[16], ".PTPC.");
	ck_assert_int_eq(tl_parse_line(LOG_NTPSEC_RAWSTATS,
				       "61370 78901.574 a b 0.000000000 1.0 2.0 3.0 3 4 4 1 0 -24 0 0 X 0 1 20",
				       &r, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "t1"), "%s", why);
	ck_assert_int_eq(tl_parse_line(LOG_NTPSEC_LOOPSTATS, "61370 75968.474 0.005 0 0 0", &r, why,
				       sizeof(why)), -1);
	ck_assert_int_eq(tl_parse_line(LOG_NTPSEC_PEERSTATS, "40000 1.0 a 0 0 0 0 0", &r, why, sizeof(why)), -1);
	ck_assert_int_eq(tl_parse_line(LOG_NTPSEC_PEERSTATS, "61370 90000.0 a 0 0 0 0 0", &r, why, sizeof(why)), -1);
	ck_assert_int_eq(tl_parse_line(LOG_NTPSEC_PEERSTATS, "61370 1.0 a 0g 0 0 0 0", &r, why, sizeof(why)), -1);
	ck_assert_int_eq(tl_parse_line(LOG_NTPSEC_PEERSTATS, "61370 1.0 a 0 0 0 0", &r, why, sizeof(why)), -1);
}
END_TEST

/* Real chronyd 4.3 logs (tests/data/README.md): the SHM refclock PTPC had the reference
 * 5 ms ahead of the system clock, so local − reference = −5 ms (chrony with -x drifts its
 * estimate by a few us); the NTP server shares the host clock (|offset| well under 1 ms). */
static int count_data_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof(line), f))
		n += line[0] >= '0' && line[0] <= '9';
	if (f)
		fclose(f);
	return n;
}

START_TEST(chrony_real)
{
	const char *names[] = { "tracking", "statistics", "measurements", "refclocks" };
	const char *formats[] = { "chrony-tracking", "chrony-statistics", "chrony-measurements",
				  "chrony-refclocks" };
	log_set_verbosity(-1);
	for (int k = 0; k < 4; k++) {
		char in[256];
		snprintf(in, sizeof(in), "tests/data/chrony-4.3-%s.log", names[k]);
		const char *out = tu_path(names[k]);
		struct import_stats st;
		ck_assert_int_eq(log_import(LOG_CHRONY, tu_src(in), out, &st), EXIT_OK);
		ck_assert_int_eq(st.malformed, 0);
		ck_assert_int_eq(st.rows, (uint64_t)count_data_lines(tu_src(in)));
		struct ds_reader *r = ds_open(out, "servo");
		ck_assert_ptr_nonnull(r);
		ck_assert_str_eq(ds_meta_get(r, "log_format"), formats[k]);
		int c_off = ds_require_col(r, "offset_ns");
		int c_src = ds_col(r, k == 3 ? "refid" : k == 0 ? "reference" : "source");
		ck_assert_int_ge(c_src, 0);
		int ptpc = 0, server = 0;
		while (ds_next(r) == 1) {
			double off;
			ck_assert(ds_get_double(r, c_off, &off));
			const char *src = ds_field(r, c_src);
			if (!strcmp(src, "PTPC")) {
				ck_assert_msg(fabs(off + 5e6) < 1e4, "%s: PTPC offset %.0f ns", names[k], off);
				ptpc++;
			} else if (!strcmp(src, "127.0.0.1")) {
				ck_assert_msg(fabs(off) < 1e6, "%s: server offset %.0f ns", names[k], off);
				server++;
			}
		}
		ds_reader_close(r);
		if (k == 1 || k == 3)
			ck_assert_int_ge(ptpc, 5);
		if (k == 0 || k == 2)
			ck_assert_int_ge(server, 5);
	}
	/* A refclocks line: raw and filtered rows, exact microseconds. */
	struct tl_row row;
	char why[160];
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY,
				       "2026-11-26 21:49:11.487266 PTPC    - N -       -        5.000000e-03  2.900e-08",
				       &row, why, sizeof(why)), 1);
	ck_assert_int_eq(row.format, LOG_CHRONY_REFCLOCKS);
	ck_assert_int_eq(row.t_ns, 1795729751487266000LL);
	ck_assert_str_eq(row.cols[1], "1"); /* filtered */
	ck_assert_int_eq(tl_parse_line(LOG_CHRONY_REFCLOCKS,
				       "2026-11-26 21:49:11.48726 PTPC    - N -       -        5.000000e-03  2.900e-08",
				       &row, why, sizeof(why)), -1);
}
END_TEST

/* Count "master offset" lines in a lab log independently (plain text search). */
static int count_samples(const char *xz)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "xz -dc '%s' | grep -c 'ptp4l\\[[0-9.]*\\]: master offset'", xz);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

START_TEST(import_real_ptp4l)
{
	const char *log = tu_src("datasets/lab-l2-symmetric/ptp4l.log.xz");
	const char *out = tu_path("servo.tsv");
	struct import_stats st;
	log_set_verbosity(-1);
	ck_assert_int_eq(log_import(LOG_PTP4L, log, out, &st), EXIT_OK);
	int want = count_samples(log);
	ck_assert_int_gt(want, 50);
	ck_assert_int_eq(st.samples, (uint64_t)want);
	ck_assert_int_eq(st.malformed, 0);
	struct ds_reader *r = ds_open(out, "servo");
	ck_assert_ptr_nonnull(r);
	int c_t = ds_require_col(r, "t_s"), c_off = ds_require_col(r, "offset_ns"),
	    c_st = ds_require_col(r, "state"), c_ps = ds_require_col(r, "port_state");
	ck_assert_int_ge(c_ps, 0);
	/* The first sample of the log: "ptp4l[6994.720]: master offset      10340 s0 freq
	 * +10956 path delay    401584", after "port 1: LISTENING to UNCALIBRATED". */
	ck_assert_int_eq(ds_next(r), 1);
	struct ptime t;
	int64_t v;
	ck_assert(ds_get_time(r, c_t, &t));
	ck_assert_int_eq(t.ns, 6994720000000LL);
	ck_assert(ds_get_i64(r, c_off, &v));
	ck_assert_int_eq(v, 10340);
	ck_assert(ds_get_i64(r, c_st, &v));
	ck_assert_int_eq(v, 0); /* free_running 1: never locked */
	ck_assert_str_eq(ds_field(r, c_ps), "UNCALIBRATED");
	ck_assert_str_eq(ds_meta_get(r, "time_base"), "monotonic (the daemon's CLOCK_MONOTONIC, ms)");
	int rows = 1;
	while (ds_next(r) == 1)
		rows++;
	ck_assert_int_eq(rows, want);
	ds_reader_close(r);
	/* The same log is no phc2sys log. */
	ck_assert_int_eq(log_import(LOG_PHC2SYS, log, tu_path("x.tsv"), &st), EXIT_USAGE);
	ck_assert_int_eq(st.rows, 0);
}
END_TEST

/* Real ptp4l 3.1.1 summaries: each row against its own line's numbers (read with sscanf). */
START_TEST(import_real_summaries)
{
	const char *in = tu_src("tests/data/ptp4l-3.1.1-summary.log");
	struct import_stats st;
	log_set_verbosity(-1);
	ck_assert_int_eq(log_import(LOG_PTP4L, in, tu_path("sum.tsv"), &st), EXIT_OK);
	FILE *f = fopen(in, "r");
	ck_assert_ptr_nonnull(f);
	char line[300];
	int n = 0;
	struct ds_reader *r = ds_open(tu_path("sum.tsv"), "servo");
	ck_assert_ptr_nonnull(r);
	while (fgets(line, sizeof(line), f)) {
		long sec, ms;
		double rms, max, fr, frsd, d, dsd;
		if (sscanf(line, "ptp4l[%ld.%ld]: rms %lf max %lf freq %lf +/- %lf delay %lf +/- %lf", &sec,
			   &ms, &rms, &max, &fr, &frsd, &d, &dsd) != 8)
			continue;
		ck_assert_int_eq(ds_next(r), 1);
		struct ptime t;
		double v;
		ck_assert(ds_get_time(r, ds_col(r, "t_s"), &t));
		ck_assert_int_eq(t.ns, sec * 1000000000LL + ms * 1000000LL);
		ck_assert_str_eq(ds_field(r, ds_col(r, "kind")), "summary");
		ck_assert(ds_get_double(r, ds_col(r, "rms_ns"), &v));
		ck_assert_double_near(v, rms, 0);
		ck_assert(ds_get_double(r, ds_col(r, "max_abs_ns"), &v));
		ck_assert_double_near(v, max, 0);
		ck_assert(ds_get_double(r, ds_col(r, "freq_ppb"), &v));
		ck_assert_double_near(v, fr, 0);
		ck_assert(ds_get_double(r, ds_col(r, "freq_sd_ppb"), &v));
		ck_assert_double_near(v, frsd, 0);
		ck_assert(ds_get_double(r, ds_col(r, "delay_ns"), &v));
		ck_assert_double_near(v, d, 0);
		ck_assert(ds_get_double(r, ds_col(r, "delay_sd_ns"), &v));
		ck_assert_double_near(v, dsd, 0);
		ck_assert(ds_get_double(r, ds_col(r, "offset_ns"), &v));
		ck_assert(isnan(v));
		ck_assert_str_eq(ds_field(r, ds_col(r, "port_state")), "UNCALIBRATED");
		n++;
	}
	fclose(f);
	ck_assert_int_eq(ds_next(r), 0);
	ds_reader_close(r);
	ck_assert_int_ge(n, 3);
	ck_assert_int_eq(st.summaries, (uint64_t)n);
}
END_TEST

START_TEST(import_mixed_and_empty)
{
	/* A journal with both daemons: each import takes its own lines. */
	const char *in = tu_path("journal.log");
	tu_write_file(in,
		      "Nov 26 21:00:00 h ptp4l[10]: [100.000] port 1: UNCALIBRATED to SLAVE on MASTER_CLOCK_SELECTED\n"
		      "Nov 26 21:00:01 h ptp4l[10]: [101.000] master offset         -5 s2 freq    +100 path delay       900\n"
		      "Nov 26 21:00:01 h phc2sys[11]: [101.500] CLOCK_REALTIME phc offset        7 s2 freq     -3 delay    500\n"
		      "Nov 26 21:00:02 h ptp4l[10]: [102.000] master offset         garbage\n"
		      "Nov 26 21:00:03 h phc2sys[11]: [103.000] CLOCK_REALTIME rms    8 max   12 freq     -2 +/-   1 delay   510 +/-   3\n");
	struct import_stats st;
	log_set_verbosity(-1);
	ck_assert_int_eq(log_import(LOG_PTP4L, in, tu_path("p.tsv"), &st), EXIT_OK);
	ck_assert_int_eq(st.samples, 1);
	ck_assert_int_eq(st.malformed, 1);
	ck_assert_int_eq(st.port_states, 1);
	char *text = tu_read_file(tu_path("p.tsv"));
	ck_assert_msg(strstr(text, "101.000000000\tsample\t-5\t2\t100\t900\tSLAVE\t-"), "%s", text);
	free(text);
	ck_assert_int_eq(log_import(LOG_PHC2SYS, in, tu_path("q.tsv"), &st), EXIT_OK);
	ck_assert_int_eq(st.samples, 1);
	ck_assert_int_eq(st.summaries, 1);
	text = tu_read_file(tu_path("q.tsv"));
	ck_assert_msg(strstr(text, "101.500000000\tsample\t7\t2\t-3\t500\t-\tCLOCK_REALTIME/phc"), "%s", text);
	ck_assert_msg(strstr(text, "103.000000000\tsummary\tnan\tnan\t-2\t510\t-\tCLOCK_REALTIME\t8\t12\t1\t3"),
		      "%s", text);
	free(text);
	/* Nothing to import: exit 2. */
	tu_write_file(tu_path("empty.log"), "hello\nworld\n");
	ck_assert_int_eq(log_import(LOG_CHRONY, tu_path("empty.log"), tu_path("e.tsv"), &st), EXIT_USAGE);
	ck_assert_int_eq(st.malformed, 2);
	ck_assert_int_eq(log_import(LOG_PTP4L, tu_path("nonexistent.log"), tu_path("e.tsv"), &st),
			 EXIT_USAGE);
	/* chrony: the format comes from the first good row. */
	tu_write_file(tu_path("tracking.log"),
		      "====================================================================\n"
		      "   Date (UTC) Time     IP Address   St   Freq ppm   Skew ppm     Offset L Co  Offset sd Rem. corr. Root delay Root disp. Max. error\n"
		      "====================================================================\n"
		      "2017-08-22 13:22:36 203.0.113.15     2     -3.541      0.075 -8.621e-06 N  2  2.940e-03 -2.084e-04  1.534e-02  3.472e-04  8.304e-03\n");
	ck_assert_int_eq(log_import(LOG_CHRONY, tu_path("tracking.log"), tu_path("t.tsv"), &st), EXIT_OK);
	ck_assert_int_eq(st.rows, 1);
	struct ds_reader *r = ds_open(tu_path("t.tsv"), "servo");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(ds_meta_get(r, "log_format"), "chrony-tracking");
	ck_assert_int_ge(ds_col(r, "max_error_ns"), 0);
	ck_assert_int_eq(ds_next(r), 1);
	double off;
	ck_assert(ds_get_double(r, ds_col(r, "offset_ns"), &off));
	ck_assert_double_near(off, -8621, 1e-9);
	ds_reader_close(r);
}
END_TEST

Suite *log_import_suite(void)
{
	Suite *s = suite_create("log_import");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, ptp4l_lines);
	tcase_add_test(tc, phc2sys_lines);
	tcase_add_test(tc, port_states);
	tcase_add_test(tc, malformed_and_other);
	tcase_add_test(tc, chrony_doc_examples);
	tcase_add_test(tc, ntpsec_real);
	tcase_add_test(tc, chrony_real);
	tcase_add_test(tc, import_real_ptp4l);
	tcase_add_test(tc, import_real_summaries);
	tcase_add_test(tc, import_mixed_and_empty);
	suite_add_tcase(s, tc);
	return s;
}
