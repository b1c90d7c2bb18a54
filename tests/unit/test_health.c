/* Protocol health on constructed message sequences with known defects. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/capture_input.h"
#include "analyze/health.h"
#include "capture/message_io.h"
#include "capture/ptp_build.h"
#include "tests/unit/testutil.h"

#define T0 (1795000000LL * 1000000000LL) /* 2026-11-18, TAI - UTC = 37 s */

static const char leap_text[] = "#@\t3991593600\n3644697600\t36\t# 1 Jul 2015\n"
				"3692217600\t37\t# 1 Jan 2017\n";

static const struct finding *find(const struct findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->f[i].code, code) == 0)
			return &f->f[i];
	return NULL;
}

static struct health_msg msg(int type, uint16_t seq, int64_t t, uint8_t port_n)
{
	struct health_msg m;
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.seq = seq;
	m.t_ns = t;
	m.source = tu_port(port_n, 1);
	m.log_interval = -3;
	return m;
}

/* 100 two-step Syncs at 8/s (logSyncInterval -3) from master 1, sequence 0..104 with 5
 * missing (10, 20, ..., 50); Follow_Ups for all but three of the Syncs sent (and not for the
 * last, which is in flight at the end); Delay_Reqs from slave 2 every 0.125 s, 40 answered of
 * 42 (the last in flight). */
START_TEST(loss_and_pairing)
{
	struct health *h = health_new();
	int sent = 0;
	for (int s = 0; s < 105; s++) {
		if (s % 10 == 0 && s >= 10 && s <= 50)
			continue;
		int64_t t = T0 + (int64_t)s * 125000000;
		struct health_msg m = msg(PTP_SYNC, (uint16_t)s, t, 1);
		m.flags = HEALTH_TWO_STEP;
		health_feed(h, &m);
		sent++;
		if (s == 104 || s == 7 || s == 33 || s == 77)
			continue;
		m = msg(PTP_FOLLOW_UP, (uint16_t)s, t + 100000, 1);
		m.has_ts = true;
		m.ts_sec = t / 1000000000;
		m.ts_nsec = (uint32_t)(t % 1000000000);
		health_feed(h, &m);
	}
	ck_assert_int_eq(sent, 100);
	for (int s = 0; s < 42; s++) {
		int64_t t = T0 + (int64_t)s * 125000000 + 50000000;
		struct health_msg m = msg(PTP_DELAY_REQ, (uint16_t)s, t, 2);
		m.log_interval = 0x7f;
		health_feed(h, &m);
		if (s == 41 || s == 20)
			continue;
		m = msg(PTP_DELAY_RESP, (uint16_t)s, t + 1000000, 1);
		m.has_port2 = true;
		m.port2 = tu_port(2, 1);
		health_feed(h, &m);
	}
	struct findings f = { 0 };
	health_judge(h, NULL, &f);
	const struct finding *x = find(&f, "sequence-gaps");
	ck_assert_ptr_nonnull(x);
	ck_assert_msg(strstr(x->msg, "Sync") && strstr(x->msg, ": 5 missing"), "%s", x->msg);
	ck_assert_int_eq(x->sev, SEV_WARN); /* 5 % */
	x = find(&f, "missing-follow-up");
	ck_assert_ptr_nonnull(x);
	ck_assert_msg(strstr(x->msg, "3 of 100"), "%s", x->msg);
	x = find(&f, "missing-delay-resp");
	ck_assert_ptr_nonnull(x);
	ck_assert_msg(strstr(x->msg, "1 of 42"), "%s", x->msg);
	x = find(&f, "interval");
	ck_assert_ptr_nonnull(x); /* 0.125 s as -3 says */
	ck_assert(!find(&f, "interval-mismatch"));
	x = find(&f, "delay-req-rate"); /* 0.125 s for logMinDelayReqInterval -3 */
	ck_assert_int_eq(x->sev, SEV_OK);
	findings_free(&f);
	health_free(h);
}
END_TEST

/* Syncs every 0.25 s although logSyncInterval -3 (0.125 s) says; Delay_Reqs every 0.02 s
 * although the master's Delay_Resp allows one per 2^-3 s on average. */
START_TEST(rates)
{
	struct health *h = health_new();
	for (int s = 0; s < 50; s++) {
		struct health_msg m = msg(PTP_SYNC, (uint16_t)s, T0 + (int64_t)s * 250000000, 1);
		health_feed(h, &m);
		m = msg(PTP_DELAY_REQ, (uint16_t)s, T0 + (int64_t)s * 20000000, 2);
		health_feed(h, &m);
		m = msg(PTP_DELAY_RESP, (uint16_t)s, T0 + (int64_t)s * 20000000 + 1000, 1);
		m.has_port2 = true;
		m.port2 = tu_port(2, 1);
		health_feed(h, &m);
	}
	struct findings f = { 0 };
	health_judge(h, NULL, &f);
	const struct finding *x = find(&f, "interval-mismatch");
	ck_assert_ptr_nonnull(x);
	ck_assert_msg(strstr(x->msg, "0.25 s"), "%s", x->msg);
	x = find(&f, "delay-req-rate");
	ck_assert_int_eq(x->sev, SEV_WARN);
	ck_assert(!find(&f, "missing-delay-resp"));
	findings_free(&f);
	health_free(h);
}
END_TEST

/* One grandmaster, Announces and one-step Syncs whose origin timestamps are `shift_s` from
 * the capture time, with the given flags and currentUtcOffset. */
static void timescale_case(int shift_s, uint16_t flags, int utc_offset, const char *want,
			   enum severity sev)
{
	struct leapfile ls;
	char err[256];
	ck_assert_msg(leapfile_parse("leap", leap_text, strlen(leap_text), &ls, err, sizeof err), "%s", err);
	struct health *h = health_new();
	for (int s = 0; s < 20; s++) {
		int64_t t = T0 + (int64_t)s * 125000000;
		struct health_msg m = msg(PTP_SYNC, (uint16_t)s, t, 1);
		m.has_ts = true;
		int64_t origin = t + (int64_t)shift_s * 1000000000LL - 3000; /* 3 us earlier */
		m.ts_sec = origin / 1000000000;
		m.ts_nsec = (uint32_t)(origin % 1000000000);
		health_feed(h, &m);
		if (s % 2 == 0) {
			m = msg(PTP_ANNOUNCE, (uint16_t)(s / 2), t, 1);
			m.log_interval = -2;
			m.is_announce = true;
			memcpy(m.gm, tu_port(1, 1).clock, 8);
			m.clock_class = 6;
			m.utc_offset = (int16_t)utc_offset;
			m.flags = flags;
			health_feed(h, &m);
		}
	}
	struct findings f = { 0 };
	health_judge(h, &ls, &f);
	const struct finding *x = find(&f, want);
	ck_assert_msg(x != NULL, "no %s for shift %d flags %#x offset %d", want, shift_s, flags,
		      utc_offset);
	ck_assert_int_eq(x->sev, sev);
	findings_free(&f);
	health_free(h);
	leapfile_free(&ls);
}

START_TEST(utc_tai)
{
	const uint16_t V = HEALTH_UTC_OFF_VALID, P = HEALTH_PTP_TIMESCALE;
	/* the 37-second error: PTP timescale claimed, UTC-valued origin */
	timescale_case(0, V | P, 37, "timescale-utc-as-tai", SEV_ERROR);
	/* correct: TAI = UTC + 37 */
	timescale_case(37, V | P, 37, "timescale-tai", SEV_OK);
	timescale_case(37, V | P, 37, "utc-offset", SEV_OK);
	/* software time stamping, honest: ARB with UTC values, offset not valid */
	timescale_case(0, 0, 37, "timescale-arb-utc", SEV_INFO);
	timescale_case(0, 0, 37, "utc-offset-not-valid", SEV_INFO);
	/* offset applied the wrong way, or twice */
	timescale_case(-37, V | P, 37, "timescale-offset-twice", SEV_ERROR);
	timescale_case(74, V | P, 37, "timescale-offset-twice", SEV_ERROR);
	/* a stale currentUtcOffset marked valid */
	timescale_case(36, V | P, 36, "utc-offset-wrong", SEV_ERROR);
	timescale_case(37, P, 36, "utc-offset-wrong", SEV_WARN);
	/* ARB, TAI-valued */
	timescale_case(37, V, 37, "timescale-arb-tai", SEV_WARN);
	/* neither */
	timescale_case(1000, V | P, 37, "timescale-unrelated", SEV_INFO);
}
END_TEST

START_TEST(offset_37)
{
	struct leapfile ls;
	char err[256];
	ck_assert_msg(leapfile_parse("leap", leap_text, strlen(leap_text), &ls, err, sizeof err), "%s", err);
	struct findings f = { 0 };
	health_check_offset_37("x", 37.0002e9, &ls, T0 / 1000000000, &f);
	health_check_offset_37("x", -36.6e9, &ls, T0 / 1000000000, &f);
	ck_assert_int_eq(f.n, 2);
	ck_assert_int_eq(f.f[0].sev, SEV_ERROR);
	health_check_offset_37("x", 1e6, &ls, T0 / 1000000000, &f);   /* 1 ms: fine */
	health_check_offset_37("x", 35.9e9, &ls, T0 / 1000000000, &f); /* not 37 */
	health_check_offset_37("x", 36.2e9, &ls, 1435708800LL + 10, &f); /* 2015: TAI-UTC 36 */
	ck_assert_int_eq(f.n, 3);
	health_check_offset_37("x", 37e9, NULL, T0 / 1000000000, &f); /* no table: no check */
	ck_assert_int_eq(f.n, 3);
	findings_free(&f);
	leapfile_free(&ls);
}
END_TEST

/* Grandmaster changes and clockClass changes. */
START_TEST(grandmasters)
{
	struct health *h = health_new();
	int classes[] = { 6, 6, 7, 7, 6 };
	for (int s = 0; s < 5; s++) {
		struct health_msg m = msg(PTP_ANNOUNCE, (uint16_t)s, T0 + (int64_t)s * 250000000, 1);
		m.is_announce = true;
		memcpy(m.gm, tu_port(s == 3 ? 9 : 1, 1).clock, 8);
		m.clock_class = (uint8_t)classes[s];
		m.utc_offset = 37;
		health_feed(h, &m);
	}
	struct findings f = { 0 };
	health_judge(h, NULL, &f);
	const struct finding *x = find(&f, "clock-class-change");
	ck_assert_ptr_nonnull(x);
	ck_assert_msg(strstr(x->msg, "2 time(s) (6 -> 6)"), "%s", x->msg); /* 6,6,7,6 */
	x = find(&f, "grandmaster-change");
	ck_assert_msg(x && strstr(x->msg, "2 time(s)"), "%s", x ? x->msg : "none");
	ck_assert_ptr_nonnull(find(&f, "leap-seconds-unavailable"));
	findings_free(&f);
	health_free(h);
}
END_TEST

/* The same messages through a messages dataset (as ptpcal capture --messages writes it) and
 * through the decoder give the same health input. */
START_TEST(messages_dataset_roundtrip)
{
	const char *p = tu_path("msgs.tsv");
	struct message_writer *w = message_writer_open(p);
	struct ptp_port_id gm = tu_port(1, 1);
	struct ptp_packet pkts[3];
	memset(pkts, 0, sizeof(pkts));
	ptp_msg_init(&pkts[0].msg, PTP_ANNOUNCE, 4, &gm, 7);
	pkts[0].msg.announce.utc_offset = 37;
	pkts[0].msg.announce.clock_class = 248;
	memcpy(pkts[0].msg.announce.gm_identity, gm.clock, 8);
	pkts[0].msg.hdr.flags = HEALTH_PTP_TIMESCALE | HEALTH_UTC_OFF_VALID;
	ptp_msg_init(&pkts[1].msg, PTP_SYNC, 4, &gm, 8);
	pkts[1].msg.has_ts = true;
	pkts[1].msg.ts.sec = 1795000037;
	pkts[1].msg.ts.nsec = 5;
	pkts[1].msg.hdr.correction = 65536 * 3 + 1;
	ptp_msg_init(&pkts[2].msg, PTP_DELAY_RESP, 4, &gm, 9);
	pkts[2].msg.has_port2 = true;
	pkts[2].msg.port2 = tu_port(2, 3);
	for (int i = 0; i < 3; i++) {
		pkts[i].frame = (uint64_t)i + 1;
		pkts[i].ts = ptime_from_ns(T0 + i * 1000);
		message_writer_row(w, &pkts[i]);
	}
	ck_assert_int_eq(message_writer_close(w), 0);
	/* read back: a health fed from the dataset must equal one fed from the messages */
	struct health *a = health_new(), *b = health_new();
	ck_assert(capture_input_messages(a, p));
	for (int i = 0; i < 3; i++) {
		struct health_msg m;
		capture_input_from_msg(&pkts[i].msg, pkts[i].ts.ns, &m);
		health_feed(b, &m);
	}
	ck_assert_int_eq(health_messages(a), 3);
	struct findings fa = { 0 }, fb = { 0 };
	health_judge(a, NULL, &fa);
	health_judge(b, NULL, &fb);
	ck_assert_int_eq(fa.n, fb.n);
	for (size_t i = 0; i < fa.n; i++)
		ck_assert_str_eq(fa.f[i].msg, fb.f[i].msg);
	/* the Sync is TAI-valued (37 s ahead) and says so */
	ck_assert_ptr_nonnull(find(&fa, "timescale-tai"));
	findings_free(&fa);
	findings_free(&fb);
	health_free(a);
	health_free(b);
	/* damaged rows: one line, false */
	char *text = tu_read_file(p);
	char *sync = strstr(text, "\tSync\t");
	ck_assert_ptr_nonnull(sync);
	memcpy(sync + 1, "Sunc", 4);
	tu_write_file(p, text);
	free(text);
	a = health_new();
	ck_assert(!capture_input_messages(a, p));
	health_free(a);
}
END_TEST

Suite *health_suite(void)
{
	Suite *s = suite_create("health");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, loss_and_pairing);
	tcase_add_test(tc, rates);
	tcase_add_test(tc, utc_tai);
	tcase_add_test(tc, offset_37);
	tcase_add_test(tc, grandmasters);
	tcase_add_test(tc, messages_dataset_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}
