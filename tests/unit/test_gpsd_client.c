/* gpsd client: events from real gpsd 3.22 output (tests/data/gpsd-3.22-fix-loss.jsonl, what
 * gpsd printed for gpsfake fed tests/data/gnss-fix-loss.nmea: 3D fix for 12:00:00-09, no fix
 * 12:00:10-17, fix again 12:00:18-23), the health state on synthetic timelines with known
 * answers, and the reconnecting client against a scripted gpsd (a forked TCP server). */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gps.h>

#include "capture/gpsd_client.h"
#include "tests/unit/testutil.h"

#define T_120000 1795694400LL /* 2026-11-26T12:00:00Z (calendar.timegm) */
#define S 1000000000LL

static bool unpack(const char *line, struct gps_data_t *g, struct gnss_event *ev, int64_t mono)
{
	g->set = 0;
	gnss_unpack(line, g);
	return gnss_event_from_message(line, g, 1000 * S + mono, mono, ev);
}

/* libgps's gps_unpack never returns on these (3.22; the loop is the same in 3.26.1); the
 * tcase timeout fails this test if gnss_unpack does not either. */
START_TEST(unpack_does_not_hang)
{
	const char *bad[] = { "{x\"class\":\"TPV\"}", "{\x96\"class\":\"TPV\"00\",",
			      "{\"class\":\"TPV\",\"mode\":3}x{\"class\":\"TPV\"}",
			      "{\"class\":\"TPV\",x\"class\":\"TPV\"}", "{x\"class\":\"VERSION\"}" };
	struct gps_data_t g;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&g, 0, sizeof(g));
		gnss_unpack(bad[i], &g);
	}
	/* And a good report still decodes. */
	memset(&g, 0, sizeof(g));
	g.set = 0;
	ck_assert(gnss_unpack("{\"class\":\"TPV\",\"device\":\"/dev/x\",\"mode\":3}", &g));
	ck_assert_int_eq(g.fix.mode, 3);
	ck_assert(g.set & MODE_SET);
	ck_assert(!gnss_unpack("not json", &g));
}
END_TEST

START_TEST(report_class)
{
	char c[16];
	ck_assert(gnss_report_class("{\"class\":\"TPV\",\"mode\":3}", c, sizeof(c)));
	ck_assert_str_eq(c, "TPV");
	ck_assert(!gnss_report_class("{\"mode\":3}", c, sizeof(c)));
	ck_assert(!gnss_report_class("{\"class\":\"TPV", c, sizeof(c)));
	ck_assert(!gnss_report_class("{\"class\":\"\"}", c, sizeof(c)));
	ck_assert(!gnss_report_class(NULL, c, sizeof(c)));
	/* Longer than the buffer: no known class is, so it is not one. */
	ck_assert(!gnss_report_class("{\"class\":\"VERYLONGCLASSNAMEXX\"}", c, 8));
}
END_TEST

/* The TOFF report of the recorded session, and a PPS report in gpsd_json's documented form. */
START_TEST(toff_and_pps)
{
	struct gps_data_t g;
	memset(&g, 0, sizeof(g));
	struct gnss_event ev;
	const char *toff = "{\"class\":\"TOFF\",\"device\":\"/dev/pts/1\",\"real_sec\":1795694401, "
			   "\"real_nsec\":0,\"clock_sec\":1795727414,\"clock_nsec\":349946950}";
	ck_assert(unpack(toff, &g, &ev, 0));
	ck_assert_int_eq(ev.kind, GNSS_TOFF);
	ck_assert_int_eq(ev.real.tv_sec, 1795694401);
	ck_assert_int_eq(ev.clock.tv_sec, 1795727414);
	ck_assert_int_eq(ev.clock.tv_nsec, 349946950);
	ck_assert_str_eq(ev.device, "/dev/pts/1");
	/* clock - real: 33013 s + 349946950 ns */
	ck_assert_int_eq(gnss_event_offset_ns(&ev), 33013LL * S + 349946950);
	const char *pps = "{\"class\":\"PPS\",\"device\":\"/dev/pps0\",\"real_sec\":1795694402,"
			  "\"real_nsec\":0,\"clock_sec\":1795694401,\"clock_nsec\":999998765,"
			  "\"precision\":-20,\"qErr\":-5123}";
	ck_assert(unpack(pps, &g, &ev, 0));
	ck_assert_int_eq(ev.kind, GNSS_PPS);
	ck_assert_int_eq(gnss_event_offset_ns(&ev), -1235);
	ck_assert_int_eq(ev.qerr_ps, -5123);
	ck_assert_str_eq(ev.device, "/dev/pps0");
	/* Reports that are not events. */
	ck_assert(!unpack("{\"class\":\"VERSION\",\"release\":\"3.22\",\"rev\":\"3.22\","
			  "\"proto_major\":3,\"proto_minor\":14}", &g, &ev, 0));
	ck_assert(!unpack("{\"class\":\"WATCH\",\"enable\":true}", &g, &ev, 0));
	ck_assert(!unpack("not json", &g, &ev, 0));
	/* A TPV without a mode: mode 0 (gpsd MODE_NOT_SEEN), no time. */
	ck_assert(unpack("{\"class\":\"TPV\",\"device\":\"/dev/x\"}", &g, &ev, 0));
	ck_assert_int_eq(ev.mode, 0);
	ck_assert(!ev.has_time);
}
END_TEST

START_TEST(recorded_session)
{
	FILE *f = fopen(tu_src("tests/data/gpsd-3.22-fix-loss.jsonl"), "r");
	ck_assert_ptr_nonnull(f);
	struct gps_data_t g;
	memset(&g, 0, sizeof(g));
	struct gnss_limits lim;
	gnss_limits_default(&lim);
	struct gnss_state st;
	/* Replay clock: each TPV moves it to its own GNSS time (one epoch per second). */
	int64_t mono = 0;
	gnss_state_init(&st, &lim, mono);
	struct gnss_event con = { .kind = GNSS_CONNECT, .mono_ns = mono };
	gnss_state_feed(&st, &con);
	char line[12000];
	int tpv = 0, toff = 0, sky = 0, dev = 0, n_lost = 0, n_ok = 0;
	int64_t lost_at = -1, ok_again_at = -1;
	int used_fix = -1, used_nofix = -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		struct gnss_event ev;
		if (!unpack(line, &g, &ev, mono))
			continue;
		if (ev.kind == GNSS_TPV) {
			ck_assert(ev.has_time);
			mono = ((int64_t)ev.time.tv_sec - T_120000) * S;
			ev.mono_ns = mono;
			tpv++;
		}
		if (ev.kind == GNSS_TOFF) {
			/* TOFF real is the fix's whole second; clock is later (the system clock). */
			ck_assert_int_ge(ev.real.tv_sec, T_120000);
			ck_assert_int_le(ev.real.tv_sec, T_120000 + 23);
			ck_assert_int_eq(ev.real.tv_nsec, 0);
			ck_assert_int_gt(gnss_event_offset_ns(&ev), 0);
			toff++;
		}
		if (ev.kind == GNSS_SKY) {
			sky++;
			if (mono == 5 * S)
				used_fix = ev.sats_used;
			if (mono == 14 * S)
				used_nofix = ev.sats_used;
		}
		if (ev.kind == GNSS_DEVICE) {
			dev++;
			ck_assert(!ev.device_active); /* gpsfake's closing "activated":0 */
		}
		unsigned ch = gnss_state_feed(&st, &ev);
		if (ch & GNSS_CHANGED_FIX) {
			if (st.fix_ok) {
				n_ok++;
				if (n_ok == 2)
					ok_again_at = mono;
			} else if (lost_at < 0) {
				n_lost++;
				lost_at = mono;
				ck_assert_str_eq(st.fix_reason, "TPV mode 1 (no fix)");
			} else {
				n_lost++;
			}
		}
	}
	fclose(f);
	/* The log: fix 12:00:00-09, none 12:00:10-17, fix 12:00:18-23. */
	ck_assert_int_eq(lost_at, 10 * S);
	ck_assert_int_eq(ok_again_at, 18 * S);
	ck_assert_int_eq(used_fix, 8);
	ck_assert_int_eq(used_nofix, 0);
	ck_assert_int_ge(tpv, 24);
	ck_assert_int_ge(toff, 20);
	ck_assert_int_ge(sky, 20);
	ck_assert_int_eq(dev, 1);
	/* The device went away at the end: the fix is lost with that reason. */
	ck_assert(!st.fix_ok);
	ck_assert_str_eq(st.fix_reason, "device deactivated");
	ck_assert_int_eq(n_lost, 2);
}
END_TEST

static struct gnss_event mk(enum gnss_kind k, double t_s, int mode)
{
	struct gnss_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = k;
	ev.mono_ns = (int64_t)llround(t_s * 1e9);
	ev.mode = mode;
	ev.sats_used = ev.sats_visible = -1;
	return ev;
}

START_TEST(fix_timeout)
{
	struct gnss_limits lim = { .fix_timeout_s = 3, .pps_timeout_s = 2, .min_sats = 0 };
	struct gnss_state st;
	struct gnss_health h;
	gnss_state_init(&st, &lim, 0);
	gnss_state_health(&st, 5 * S, &h);
	ck_assert(!h.fix_ok);
	ck_assert_double_near(h.fix_lost_s, 5.0, 1e-9); /* never had one: since the start */
	ck_assert_double_near(h.since_tpv_s, -1, 0);
	struct gnss_event e = mk(GNSS_CONNECT, 0, 0);
	ck_assert_uint_eq(gnss_state_feed(&st, &e), GNSS_CHANGED_CONN);
	e = mk(GNSS_TPV, 10, 3);
	ck_assert_uint_eq(gnss_state_feed(&st, &e), GNSS_CHANGED_FIX);
	ck_assert(st.fix_ok);
	ck_assert_uint_eq(gnss_state_tick(&st, 12999999999LL), 0);
	ck_assert_uint_eq(gnss_state_tick(&st, 13 * S + 1), GNSS_CHANGED_FIX);
	ck_assert(!st.fix_ok);
	ck_assert_str_eq(st.fix_reason, "no fix reported for 3.0 s");
	/* The loss is dated at the timeout, not at the tick that noticed it. */
	ck_assert_int_eq(st.fix_change_mono, 13 * S);
	gnss_state_health(&st, 20 * S, &h);
	ck_assert_double_near(h.fix_lost_s, 7.0, 1e-9);
	ck_assert_double_near(h.since_tpv_s, 10.0, 1e-9);
	/* 2D is a fix; mode 1 loses it at once. */
	e = mk(GNSS_TPV, 21, 2);
	ck_assert_uint_eq(gnss_state_feed(&st, &e), GNSS_CHANGED_FIX);
	e = mk(GNSS_TPV, 22, 1);
	ck_assert_uint_eq(gnss_state_feed(&st, &e), GNSS_CHANGED_FIX);
	ck_assert_str_eq(st.fix_reason, "TPV mode 1 (no fix)");
	e = mk(GNSS_TPV, 23, 0);
	ck_assert_uint_eq(gnss_state_feed(&st, &e), 0); /* already lost */
	/* A disconnect loses the fix with its reason. */
	e = mk(GNSS_TPV, 24, 3);
	gnss_state_feed(&st, &e);
	e = mk(GNSS_DISCONNECT, 24.5, 0);
	ck_assert_uint_eq(gnss_state_feed(&st, &e), GNSS_CHANGED_FIX | GNSS_CHANGED_CONN);
	ck_assert_str_eq(st.fix_reason, "connection to gpsd lost");
	gnss_state_health(&st, 25 * S, &h);
	ck_assert(!h.connected);
	ck_assert_double_near(h.fix_lost_s, 0.5, 1e-9);
}
END_TEST

START_TEST(pps_timeout)
{
	struct gnss_limits lim = { .fix_timeout_s = 3, .pps_timeout_s = 2, .min_sats = 0 };
	struct gnss_state st;
	gnss_state_init(&st, &lim, 0);
	ck_assert_uint_eq(gnss_state_tick(&st, 100 * S), 0); /* never seen: nothing to lose */
	ck_assert(!st.pps_seen);
	for (int i = 0; i < 5; i++) {
		struct gnss_event e = mk(GNSS_PPS, 100 + i, 0);
		ck_assert_uint_eq(gnss_state_feed(&st, &e), i == 0 ? GNSS_CHANGED_PPS : 0);
	}
	ck_assert_uint_eq(gnss_state_tick(&st, 106 * S), 0);
	ck_assert_uint_eq(gnss_state_tick(&st, 106 * S + 1), GNSS_CHANGED_PPS);
	ck_assert_int_eq(st.pps_change_mono, 106 * S);
	ck_assert_str_eq(st.pps_reason, "no PPS for 2.0 s");
	struct gnss_health h;
	gnss_state_health(&st, 110 * S, &h);
	ck_assert(h.pps_seen && !h.pps_ok);
	ck_assert_double_near(h.pps_lost_s, 4.0, 1e-9);
	/* TOFF is not PPS. */
	struct gnss_event t = mk(GNSS_TOFF, 111, 0);
	ck_assert_uint_eq(gnss_state_feed(&st, &t), 0);
	ck_assert(!st.pps_ok);
}
END_TEST

START_TEST(min_sats)
{
	struct gnss_limits lim = { .fix_timeout_s = 3, .pps_timeout_s = 2, .min_sats = 4 };
	struct gnss_state st;
	gnss_state_init(&st, &lim, 0);
	struct gnss_event e = mk(GNSS_TPV, 1, 3);
	gnss_state_feed(&st, &e); /* satellites not known yet: the fix counts */
	ck_assert(st.fix_ok);
	e = mk(GNSS_SKY, 1.1, 0);
	e.sats_used = 3;
	e.sats_visible = 9;
	ck_assert_uint_eq(gnss_state_feed(&st, &e), GNSS_CHANGED_FIX);
	ck_assert_str_eq(st.fix_reason, "3 satellites used, fewer than 4");
	e.sats_used = 4;
	e.mono_ns = 2 * S;
	ck_assert_uint_eq(gnss_state_feed(&st, &e), GNSS_CHANGED_FIX);
	ck_assert(st.fix_ok);
}
END_TEST

/* A scripted gpsd: accepts a connection, reads the WATCH, sends reports, closes; then
 * accepts a second connection and sends one TPV. */
static void fake_gpsd(int lfd)
{
	const char *first[] = {
		"{\"class\":\"VERSION\",\"release\":\"3.22\",\"rev\":\"3.22\",\"proto_major\":3,\"proto_minor\":14}\n",
		"{\"class\":\"TPV\",\"device\":\"/dev/ttyX\",\"mode\":3,\"time\":\"2026-11-26T12:00:00.000Z\"}\n",
		"{\"class\":\"BOGUS\",\"x\":1}\n",
		"{x\"class\":\"TPV\"}\n", /* hangs gps_read/gps_unpack of libgps 3.22 */
		("{\"class\":\"PPS\",\"device\":\"/dev/pps0\",\"real_sec\":1795694401,\"real_nsec\":0,"
		 "\"clock_sec\":1795694401,\"clock_nsec\":250}\n"),
	};
	for (int round = 0; round < 2; round++) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0)
			_exit(1);
		char buf[512];
		if (read(c, buf, sizeof(buf)) <= 0) /* ?WATCH={...} */
			_exit(1);
		if (round == 0) {
			for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
				if (write(c, first[i], strlen(first[i])) < 0)
					_exit(1);
		} else {
			const char *t = "{\"class\":\"TPV\",\"device\":\"/dev/ttyX\",\"mode\":1}\n";
			if (write(c, t, strlen(t)) < 0)
				_exit(1);
			sleep(5); /* keep it open */
		}
		usleep(100000);
		close(c);
	}
	_exit(0);
}

struct collected {
	enum gnss_kind kinds[32];
	int n;
	int64_t pps_offset;
};

static void collect(void *ctx, const struct gnss_event *ev)
{
	struct collected *c = ctx;
	if (c->n < 32)
		c->kinds[c->n++] = ev->kind;
	if (ev->kind == GNSS_PPS)
		c->pps_offset = gnss_event_offset_ns(ev);
}

START_TEST(client_reconnects)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);
	socklen_t al = sizeof(a);
	getsockname(lfd, (struct sockaddr *)&a, &al);
	char port[16];
	snprintf(port, sizeof(port), "%d", ntohs(a.sin_port));
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		fake_gpsd(lfd);
	close(lfd);
	struct gpsd_client *cl = gpsd_client_new("127.0.0.1", port, NULL);
	struct collected got = { .n = 0 };
	char err[256];
	for (int i = 0; i < 40 && gpsd_client_connections(cl) < 2; i++)
		gpsd_client_poll(cl, 100, collect, &got, err, sizeof(err));
	/* Let the second connection's report arrive. */
	for (int i = 0; i < 5; i++)
		gpsd_client_poll(cl, 100, collect, &got, err, sizeof(err));
	int conns = gpsd_client_connections(cl);
	gpsd_client_free(cl);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert_int_eq(conns, 2);
	enum gnss_kind want[] = { GNSS_CONNECT, GNSS_TPV, GNSS_PPS, GNSS_DISCONNECT, GNSS_CONNECT,
				  GNSS_TPV };
	ck_assert_int_eq(got.n, 6);
	for (int i = 0; i < 6; i++)
		ck_assert_msg(got.kinds[i] == want[i], "event %d is %s, want %s", i,
			      gnss_kind_name(got.kinds[i]), gnss_kind_name(want[i]));
	ck_assert_int_eq(got.pps_offset, 250);
}
END_TEST

START_TEST(client_no_server)
{
	/* A port nothing listens on (bound, never listened). */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t al = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &al);
	char port[16];
	snprintf(port, sizeof(port), "%d", ntohs(a.sin_port));
	struct gpsd_client *cl = gpsd_client_new("127.0.0.1", port, NULL);
	struct collected got = { .n = 0 };
	char err[256];
	gpsd_client_poll(cl, 50, collect, &got, err, sizeof(err));
	ck_assert_msg(strstr(err, "gpsd at 127.0.0.1:") != NULL, "%s", err);
	/* Reported once per outage. */
	gpsd_client_poll(cl, 700, collect, &got, err, sizeof(err));
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(got.n, 0);
	ck_assert(!gpsd_client_connected(cl));
	gpsd_client_free(cl);
	close(fd);
}
END_TEST

Suite *gpsd_client_suite(void)
{
	Suite *s = suite_create("gpsd_client");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, report_class);
	tcase_add_test(tc, unpack_does_not_hang);
	tcase_add_test(tc, toff_and_pps);
	tcase_add_test(tc, recorded_session);
	tcase_add_test(tc, fix_timeout);
	tcase_add_test(tc, pps_timeout);
	tcase_add_test(tc, min_sats);
	tcase_add_test(tc, client_reconnects);
	tcase_add_test(tc, client_no_server);
	suite_add_tcase(s, tc);
	return s;
}
