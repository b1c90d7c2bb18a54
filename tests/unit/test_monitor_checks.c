/* The checks of verify and analyze on the monitor's data: verify's judgements on data
 * already read (pipeline/verify_checks.h), and monitor_checks_run on a filled-in monitor:
 * each check its own status, absent without its data, the capture's protocol findings
 * grouped, the 37-second test on a window, and the exposition of the result. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/monitor.h"
#include "pipeline/monitor_capture.h"
#include "pipeline/monitor_checks.h"
#include "pipeline/monitor_metrics.h"
#include "pipeline/monitor_sources.h"
#include "pipeline/verify_checks.h"
#include "pipeline/sysview.h"
#include "tests/unit/testutil.h"

/* TAI - UTC 37 s since 2017, expires 2026-06-28 */
static const char leap[] = "#@\t3991593600\n3644697600\t36\n3692217600\t37\n";
#define NOW_S 1795000000LL /* 2026-11-18 */

static enum check_status judged(struct checks *cs, const char *id)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i]->id, id) == 0)
			return cs->v[i]->status;
	return (enum check_status)-1; /* absent */
}

START_TEST(verify_rules)
{
	struct checks cs = { 0 };
	struct pmc_time_props tp = { .utc_offset = 37,
				     .flags = PMC_PTP_TIMESCALE | PMC_UTC_OFF_VALID };
	verify_judge_utc_offset(check_new(&cs, "ok", ""), &tp, 37, false, "leap", NULL, false);
	tp.flags = PMC_PTP_TIMESCALE;
	verify_judge_utc_offset(check_new(&cs, "notvalid", ""), &tp, 37, false, "leap", NULL, false);
	tp.utc_offset = 36;
	verify_judge_utc_offset(check_new(&cs, "wrong", ""), &tp, 37, false, "leap", NULL, true);
	tp.utc_offset = 37;
	tp.flags = PMC_UTC_OFF_VALID;
	verify_judge_utc_offset(check_new(&cs, "arb", ""), &tp, 37, false, "leap", NULL, false);
	verify_judge_utc_offset(check_new(&cs, "noleap", ""), &tp, -1, false, "leap", "gone", false);
	ck_assert_int_eq(judged(&cs, "ok"), CHECK_PASS);
	ck_assert_int_eq(judged(&cs, "notvalid"), CHECK_WARN);
	ck_assert_int_eq(judged(&cs, "wrong"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "arb"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "noleap"), CHECK_SKIP);

	struct pmc_parent_ds pd = { 0 };
	pd.gm_quality.clock_class = 6;
	memset(pd.gm_identity, 0x11, 8);
	struct pmc_port_ds port = { .state = 9 };
	struct verify_gm g = { .parent = &pd, .ports = &port, .nports = 1 };
	verify_judge_grandmaster(check_new(&cs, "slave", ""), &g);
	port.state = 8;
	verify_judge_grandmaster(check_new(&cs, "uncal", ""), &g);
	g.free_running = true;
	verify_judge_grandmaster(check_new(&cs, "uncal-fr", ""), &g);
	pd.gm_quality.clock_class = 7;
	verify_judge_grandmaster(check_new(&cs, "class7-fr", ""), &g);
	struct pmc_default_ds dd = { 0 };
	memset(dd.clock_identity, 0x22, 8);
	g = (struct verify_gm){ .server = true, .parent = &pd, .dflt = &dd };
	pd.gm_quality.clock_class = 6;
	verify_judge_grandmaster(check_new(&cs, "server-other", ""), &g);
	memset(dd.clock_identity, 0x11, 8);
	verify_judge_grandmaster(check_new(&cs, "server-self", ""), &g);
	ck_assert_int_eq(judged(&cs, "slave"), CHECK_PASS);
	ck_assert_int_eq(judged(&cs, "uncal"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "uncal-fr"), CHECK_SKIP);
	ck_assert_int_eq(judged(&cs, "class7-fr"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "server-other"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "server-self"), CHECK_PASS);

	verify_judge_shm(check_new(&cs, "shm-ok", ""), 2, 3, 0, true, -250000);
	verify_judge_shm(check_new(&cs, "shm-none", ""), 2, 0, 1, false, 0);
	verify_judge_shm(check_new(&cs, "shm-stuck", ""), 2, 3, 0, false, 10);
	verify_judge_shm(check_new(&cs, "shm-37", ""), 2, 3, 0, true, -37000000000LL);
	ck_assert_int_eq(judged(&cs, "shm-ok"), CHECK_PASS);
	ck_assert_str_eq(cs.v[cs.n - 4]->detail, "unit 2 ticking, system - reference = -250000 ns");
	ck_assert_int_eq(judged(&cs, "shm-none"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "shm-stuck"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "shm-37"), CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(cs.v[cs.n - 1]->f[0].fix, "UTC/TAI"));

	verify_judge_ntpsec_peer(check_new(&cs, "ntp-down", ""), 1, false, false, "");
	verify_judge_ntpsec_peer(check_new(&cs, "ntp-other", ""), 0, true, false, "10.0.0.1");
	verify_judge_ntpsec_peer(check_new(&cs, "ntp-ours", ""), 0, true, true, "SHM(2)");
	ck_assert_int_eq(judged(&cs, "ntp-down"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "ntp-other"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "ntp-ours"), CHECK_PASS);
	checks_free(&cs);
}
END_TEST

static struct proc_entry proc(int pid, const char *args, bool other_netns)
{
	struct proc_entry e = { .pid = pid, .args = (char *)args, .other_netns = other_netns };
	int n0 = (int)strcspn(args, " "); /* argv[0]'s basename, as sysview.c names it */
	const char *a0 = args;
	for (int i = 0; i < n0; i++)
		if (args[i] == '/')
			a0 = args + i + 1;
	snprintf(e.name, sizeof(e.name), "%.*s", (int)(args + n0 - a0), a0);
	return e;
}

/* daemons: the guide's chain is one ptp4l and one phc2sys, the client's phc2sys feeding
 * ntpsec (-E ntpshm), the server's steering the PHC from the system clock (-s CLOCK_REALTIME
 * -c IF); processes of other network namespaces (a lab) are not this host's chain. */
START_TEST(daemons_rules)
{
	struct checks cs = { 0 };
	struct verify_daemons d;
	struct proc_entry client[] = {
		proc(10, "/usr/sbin/ptp4l -f /etc/linuxptp/ptp4l.conf -i eth0", false),
		proc(11, "/usr/sbin/phc2sys -s eth0 -E ntpshm -M 2 -w", false),
		proc(12, "/usr/sbin/ptp4l -f lab.conf -i veth1", true),
		proc(13, "/usr/bin/ptp4l-helper", false),
	};
	verify_count_daemons(client, 4, &d);
	ck_assert_int_eq(d.nptp4l, 1);
	ck_assert_int_eq(d.nphc2sys, 1);
	verify_judge_daemons(check_new(&cs, "client", ""), &d, "eth0", false);
	verify_judge_daemons(check_new(&cs, "client-as-server", ""), &d, "eth0", true);
	client[2].other_netns = false; /* a second ptp4l here */
	verify_count_daemons(client, 4, &d);
	verify_judge_daemons(check_new(&cs, "two-ptp4l", ""), &d, "eth0", false);
	struct proc_entry server[] = {
		proc(20, "ptp4l -f /etc/linuxptp/ptp4l.conf -i eth1", false),
		proc(21, "/usr/sbin/phc2sys -s CLOCK_REALTIME -c eth1 -w -O 0", false),
	};
	verify_count_daemons(server, 2, &d);
	verify_judge_daemons(check_new(&cs, "server", ""), &d, "eth1", true);
	verify_judge_daemons(check_new(&cs, "server-as-client", ""), &d, "eth1", false);
	verify_count_daemons(server, 1, &d);
	verify_judge_daemons(check_new(&cs, "no-phc2sys", ""), &d, "eth1", true);
	ck_assert_int_eq(judged(&cs, "client"), CHECK_PASS);
	ck_assert_str_eq(cs.v[0]->detail,
			 "1 ptp4l, 1 phc2sys (/usr/sbin/phc2sys -s eth0 -E ntpshm -M 2 -w)");
	ck_assert_int_eq(judged(&cs, "client-as-server"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "two-ptp4l"), CHECK_FAIL);
	ck_assert_str_eq(cs.v[2]->f[0].message, "2 ptp4l processes running (want exactly 1)");
	ck_assert_int_eq(judged(&cs, "server"), CHECK_PASS);
	ck_assert_int_eq(judged(&cs, "server-as-client"), CHECK_FAIL);
	ck_assert_int_eq(judged(&cs, "no-phc2sys"), CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(cs.v[5]->f[0].fix, "phc2sys@eth1.service"));
	checks_free(&cs);
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* The monitor's daemons and phc-tai checks from recorded data (sysview's ps.txt and ethtool
 * output, a `phc` recording): the process list is read again only every 10 s, the PHC once
 * a second, an interface without a PHC is a skip that says so (as verify's), a PHC holding
 * UTC under TAI - UTC 37 fails, and a check without data is absent from the exposition. */
START_TEST(daemons_and_phc_on_monitor)
{
	const char *dir = tu_tmpdir();
	char path[4096];
	write_file(dir, "ps.txt", "  PID COMMAND\n  100 /usr/sbin/ptp4l -f /etc/linuxptp/ptp4l.conf "
				  "-i eth0\n  101 /usr/sbin/phc2sys -s eth0 -E ntpshm -M 2 -w\n");
	write_file(dir, "ethtool-T-eth0.txt", "Time stamping parameters for eth0:\n"
					      "PTP Hardware Clock: none\n"
					      "Hardware Transmit Timestamp Modes: none\n");
	/* PHC - CLOCK_REALTIME: 37 s + 4 us (TAI), then 4 us (UTC: the 37-second trap) */
	write_file(dir, "phc.tsv",
		   "# ptpcal-dataset 1 phc\n# device: /dev/ptp0\n"
		   "t_s\tsys\tphc\tphc_minus_sys_ns\tbracket_ns\tmethod\n"
		   "0\t1795000000.000000000\t1795000037.000004000\t37000004000\t900\t"
		   "PTP_SYS_OFFSET_EXTENDED\n"
		   "1\t1795000001.000000000\t1795000001.000004000\t4000\t900\t"
		   "PTP_SYS_OFFSET_EXTENDED\n");
	struct sysview sv = { .outputs = dir };
	struct monitor m;
	monitor_init(&m, 1, 60, 2);
	char err[256];
	ck_assert_msg(leapfile_parse("leap", leap, strlen(leap), &m.leap.lf, err, sizeof(err)), "%s",
		      err);
	m.leap.loaded = true;
	m.leap.tai_utc = 37;
	snprintf(m.iface, sizeof(m.iface), "eth0");
	m.watch_daemons = true;
	struct checks *cs = &m.checks.cs;
	int64_t now = 1000000000;

	/* no PHC on eth0: phc-tai skipped with verify's words, absent from the exposition */
	mon_find_phc(&m, &sv, "eth0", NULL);
	mon_poll_daemons(&m, &sv, now);
	mon_poll_phc(&m, now);
	monitor_checks_run(&m, now, NOW_S);
	ck_assert_int_eq(judged(cs, "daemons"), CHECK_PASS);
	ck_assert_int_eq(judged(cs, "phc-tai"), CHECK_SKIP);
	ck_assert_ptr_nonnull(strstr(cs->v[1]->detail, "eth0 has no PHC"));
	struct prom_buf b = { 0 };
	monitor_render(&m, now, NULL, &b);
	ck_assert_ptr_nonnull(strstr(b.s, "ptpcal_check_ok{check=\"daemons\",from=\"verify\"} 1\n"));
	ck_assert_ptr_null(strstr(b.s, "check=\"phc-tai\""));

	/* a second phc2sys appears: not seen before 10 s have passed, then judged */
	write_file(dir, "ps.txt", "  PID COMMAND\n  100 /usr/sbin/ptp4l -i eth0\n"
				  "  101 /usr/sbin/phc2sys -s eth0 -E ntpshm -M 2 -w\n"
				  "  102 phc2sys -a -r\n");
	now += 5000000000LL;
	mon_poll_daemons(&m, &sv, now);
	monitor_checks_run(&m, now, NOW_S + 5);
	ck_assert_int_eq(judged(cs, "daemons"), CHECK_PASS);
	now += 5000000000LL;
	mon_poll_daemons(&m, &sv, now);
	monitor_checks_run(&m, now, NOW_S + 10);
	ck_assert_int_eq(judged(cs, "daemons"), CHECK_FAIL);

	/* a recorded PHC: TAI passes, UTC fails, then the recording ends (absent again) */
	snprintf(path, sizeof(path), "%s/phc.tsv", dir);
	mon_find_phc(&m, &sv, "eth0", path);
	ck_assert(m.phc.found);
	monitor_checks_run(&m, now += 1000000000, NOW_S + 11);
	ck_assert_int_eq(judged(cs, "phc-tai"), (enum check_status)-1); /* not read yet */
	mon_poll_phc(&m, now);
	mon_poll_phc(&m, now + 500000000); /* within the second: no second reading */
	monitor_checks_run(&m, now += 1000000000, NOW_S + 12);
	ck_assert_int_eq(judged(cs, "phc-tai"), CHECK_PASS);
	mon_poll_phc(&m, now);
	monitor_checks_run(&m, now += 1000000000, NOW_S + 13);
	ck_assert_int_eq(judged(cs, "phc-tai"), CHECK_FAIL);
	const struct check *c = NULL;
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i]->id, "phc-tai") == 0)
			c = cs->v[i];
	ck_assert_ptr_nonnull(strstr(c->f[0].message, "the PHC holds UTC"));
	mon_poll_phc(&m, now);
	monitor_checks_run(&m, now += 1000000000, NOW_S + 14);
	ck_assert_int_eq(judged(cs, "phc-tai"), CHECK_SKIP);
	monitor_render(&m, now, NULL, &b);
	ck_assert_ptr_null(strstr(b.s, "check=\"phc-tai\""));
	ck_assert_ptr_nonnull(strstr(b.s, "ptpcal_check_status{check=\"daemons\",from=\"verify\"} 2\n"));

	/* a missing device: verify's "cannot read it" (a failure, not a skip) */
	mon_find_phc(&m, &sv, "eth0", "/nonexistent/ptp9");
	mon_poll_phc(&m, now);
	monitor_checks_run(&m, now += 1000000000, NOW_S + 15);
	ck_assert_int_eq(judged(cs, "phc-tai"), CHECK_FAIL);
	prom_free(&b);
	monitor_free(&m);
}
END_TEST

/* A PTP message of the GM's port 1 at capture time t (ns since the epoch). */
static struct health_msg gm_msg(int type, uint16_t seq, int64_t t)
{
	struct health_msg h = { .t_ns = t, .type = type, .seq = seq, .log_interval = 0 };
	h.source = tu_port(1, 1);
	return h;
}

/* A client monitor with ptp4l's datasets, an SHM segment, and one window of a capture whose
 * GM announces the PTP timescale with TAI - UTC valid while sending UTC-valued origin
 * timestamps: the 37-second mistake, seen on the wire. */
START_TEST(run_on_monitor)
{
	struct monitor m;
	monitor_init(&m, 1, 60, 2);
	m.src[MON_PTP4L].enabled = m.src[MON_SHM].enabled = m.src[MON_CAPTURE].enabled = true;
	monitor_init_capture(&m);
	char err[256];
	ck_assert_msg(leapfile_parse("leap", leap, strlen(leap), &m.leap.lf, err, sizeof(err)), "%s",
		      err);
	m.leap.loaded = true;
	m.leap.path = "leap";
	m.leap.tai_utc = 37;
	monitor_mark(&m, MON_PTP4L, true, NULL);
	m.ptp.have_props = m.ptp.have_parent = m.ptp.have_port = true;
	m.ptp.props.utc_offset = 37;
	m.ptp.props.flags = PMC_PTP_TIMESCALE | PMC_UTC_OFF_VALID;
	m.ptp.parent.gm_quality.clock_class = 6;
	m.ptp.port.state = 9;
	/* ptp4l's offsets 37 s off (a PHC holding UTC under a TAI master) */
	for (int i = 0; i < 30; i++)
		mon_series_add(&m.ptp.offset, (int64_t)i * 1000000000, -37.0e9 + i);
	/* the capture: 30 s of Syncs (one-step, origin = capture time - 3 us: UTC-valued) and
	 * Announces */
	m.cap.epoch[0] = health_new();
	int64_t t0 = NOW_S * 1000000000LL;
	for (uint16_t s = 0; s < 30; s++) {
		int64_t t = t0 + (int64_t)s * 1000000000;
		struct health_msg h = gm_msg(PTP_SYNC, s, t);
		h.has_ts = true;
		h.ts_sec = (t - 3000) / 1000000000;
		h.ts_nsec = (uint32_t)((t - 3000) % 1000000000);
		health_feed(m.cap.epoch[0], &h);
		h = gm_msg(PTP_ANNOUNCE, s, t + 1000);
		h.is_announce = true;
		memcpy(h.gm, tu_port(1, 1).clock, 8);
		h.clock_class = 6;
		h.utc_offset = 37;
		h.flags = HEALTH_UTC_OFF_VALID | HEALTH_PTP_TIMESCALE;
		health_feed(m.cap.epoch[0], &h);
	}
	m.start_mono = 0;
	int64_t now = 30LL * 1000000000;
	m.cap.epoch_start[0] = 0;
	monitor_checks_run(&m, now, NOW_S + 30);
	struct checks *cs = &m.checks.cs;
	ck_assert_int_eq(judged(cs, "utc-offset"), CHECK_PASS);
	ck_assert_int_eq(judged(cs, "grandmaster"), CHECK_PASS);
	ck_assert_int_eq(judged(cs, "ptp-offset-tai-utc"), CHECK_FAIL);
	ck_assert_int_eq(judged(cs, "capture-utc-offset"), CHECK_PASS);
	ck_assert_int_eq(judged(cs, "capture-timescale"), CHECK_FAIL);
	ck_assert_int_eq(judged(cs, "capture-loss"), CHECK_PASS);
	ck_assert_int_eq(judged(cs, "capture-message-rates"), CHECK_PASS);
	/* no SHM sample after 30 s: verify's "no valid sample" */
	ck_assert_int_eq(judged(cs, "shm"), (enum check_status)-1); /* never polled: absent */
	monitor_mark(&m, MON_SHM, false, "no segment");
	monitor_checks_run(&m, now + 500000000, NOW_S + 30); /* within the second: not again */
	ck_assert_int_eq(judged(cs, "shm"), (enum check_status)-1);
	now += 1000000000;
	monitor_checks_run(&m, now, NOW_S + 31);
	ck_assert_int_eq(judged(cs, "shm"), CHECK_FAIL);
	ck_assert_int_eq(judged(cs, "capture-grandmaster"), CHECK_PASS);
	/* no capture offsets yet: no 37-second test on them */
	ck_assert_int_eq(judged(cs, "capture-offset-tai-utc"), (enum check_status)-1);
	ck_assert_str_eq(monitor_check_origin("capture-loss"), "analyze");
	ck_assert_str_eq(monitor_check_origin("ptp-offset-tai-utc"), "analyze");
	ck_assert_str_eq(monitor_check_origin("utc-offset"), "verify");

	struct prom_buf b = { 0 };
	monitor_render(&m, now, NULL, &b);
	ck_assert_ptr_nonnull(strstr(b.s, "# TYPE ptpcal_check_ok gauge\n"));
	ck_assert_ptr_nonnull(strstr(b.s, "ptpcal_check_ok{check=\"utc-offset\",from=\"verify\"} 1\n"));
	ck_assert_ptr_nonnull(
		strstr(b.s, "ptpcal_check_ok{check=\"capture-timescale\",from=\"analyze\"} 0\n"));
	ck_assert_ptr_nonnull(
		strstr(b.s, "ptpcal_check_status{check=\"capture-timescale\",from=\"analyze\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(b.s, "ptpcal_check_status{check=\"shm\",from=\"verify\"} 2\n"));
	ck_assert_ptr_null(strstr(b.s, "check=\"capture-offset-tai-utc\""));
	ck_assert_ptr_nonnull(strstr(b.s, "ptpcal_capture_health_span_seconds 30\n")); /* judged at 30 s */
	ck_assert_ptr_nonnull(strstr(b.s, "ptpcal_capture_exchanges_total 0\n"));
	ck_assert_ptr_nonnull(
		strstr(b.s, "ptpcal_capture_pairing_failures_total{reason=\"delay_req_unanswered\"} 0\n"));
	prom_free(&b);
	monitor_free(&m);
}
END_TEST

/* The health epochs of the capture: two, half a window apart, the older judged, never more. */
START_TEST(capture_epochs)
{
	struct monitor m;
	monitor_init(&m, 1, 60, 2);
	m.src[MON_CAPTURE].enabled = true;
	monitor_init_capture(&m);
	for (int64_t s = 0; s <= 200; s++) {
		mon_capture_epochs(&m, s * 1000000000LL);
		int n = (m.cap.epoch[0] != NULL) + (m.cap.epoch[1] != NULL);
		ck_assert_int_eq(n, s < 30 ? 1 : 2);
		for (int e = 0; e < 2; e++)
			if (m.cap.epoch[e])
				ck_assert_int_lt(s * 1000000000LL - m.cap.epoch_start[e], 60000000000LL);
	}
	ck_assert_int_eq(m.cap.epoch_start[0] % 30000000000LL, 0);
	ck_assert_int_eq(m.cap.epoch_start[1] % 30000000000LL, 0);
	ck_assert_int_ne(m.cap.epoch_start[0], m.cap.epoch_start[1]);
	monitor_free(&m);
}
END_TEST

Suite *monitor_checks_suite(void)
{
	Suite *s = suite_create("monitor_checks");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, verify_rules);
	tcase_add_test(tc, daemons_rules);
	tcase_add_test(tc, daemons_and_phc_on_monitor);
	tcase_add_test(tc, run_on_monitor);
	tcase_add_test(tc, capture_epochs);
	suite_add_tcase(s, tc);
	return s;
}
