/* The pairer against a model with known truth. Master time T; slave clock C = T + theta;
 * forward delay d_ms, reverse d_sm. Then t2 - t1 = d_ms + theta, t4 - t3 = d_sm - theta, and
 * IEEE 1588 gives offset = theta + (d_ms - d_sm)/2 and delay = (d_ms + d_sm)/2. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "capture/exchange.h"
#include "capture/exchange_io.h"
#include "tests/unit/testutil.h"

#define MAXEX 4096
static struct exchange got[MAXEX];
static int ngot;
static struct pdelay gotpd[64];
static int ngotpd;

static void on_ex(void *ctx, const struct exchange *ex)
{
	(void)ctx;
	if (ngot < MAXEX)
		got[ngot] = *ex;
	ngot++;
}

static void on_pd(void *ctx, const struct pdelay *pd)
{
	(void)ctx;
	if (ngotpd < 64)
		gotpd[ngotpd] = *pd;
	ngotpd++;
}

static struct ptp_port_id M, S;

static struct ptp_packet pkt(enum ptp_type type, const struct ptp_port_id *src, uint16_t seq,
			     int64_t cap_ns)
{
	struct ptp_packet p;
	memset(&p, 0, sizeof(p));
	ptp_msg_init(&p.msg, type, 0, src, seq);
	p.ts = ptime_from_ns(cap_ns);
	p.fi.encap = ENCAP_L2;
	return p;
}

static void set_ts(struct ptp_packet *p, int64_t ns)
{
	p->msg.ts.sec = (uint64_t)(ns / NS_PER_SEC);
	p->msg.ts.nsec = (uint32_t)(ns % NS_PER_SEC);
	p->msg.has_ts = true;
}

/* master's Delay_Resp to slave's Delay_Req seq, captured at cap_ns, stamping the request's
 * arrival t4 (master clock). */
static struct ptp_packet resp(const struct ptp_port_id *master, const struct ptp_port_id *slave,
			      uint16_t seq, int64_t cap_ns, int64_t t4)
{
	struct ptp_packet r = pkt(PTP_DELAY_RESP, master, seq, cap_ns);
	set_ts(&r, t4);
	r.msg.port2 = *slave;
	return r;
}

/* A one-step Sync from master, captured at cap_ns, stamped t1. */
static struct ptp_packet sync1(const struct ptp_port_id *master, uint16_t seq, int64_t cap_ns,
			       int64_t t1)
{
	struct ptp_packet p = pkt(PTP_SYNC, master, seq, cap_ns);
	set_ts(&p, t1);
	return p;
}

struct model {
	int64_t theta, d_ms, d_sm;   /* ns */
	int64_t tc_fwd, tc_rev;      /* transparent-clock residence in the path, scaled ns */
	int64_t asym_sns;            /* the slave's delayAsymmetry (linuxptp: -A in Delay_Req) */
	bool two_step;
};

/* One Sync (+Follow_Up) and one Delay_Req/Delay_Resp at master time T (ns). */
static void exchange_at(struct pairer *p, const struct model *m, int64_t T, uint16_t seq,
			unsigned drop)
{
	/* Sync leaves the master at T, is held tc_fwd by a TC, arrives at T + d_ms (true time) */
	int64_t t1 = T;
	int64_t t2 = T + m->d_ms + m->theta;
	struct ptp_packet s = pkt(PTP_SYNC, &M, seq, t2);
	if (m->two_step)
		s.msg.hdr.flags = PTP_FLAG_TWO_STEP;
	else
		set_ts(&s, t1);
	s.msg.hdr.correction = m->tc_fwd;
	if (!(drop & 1))
		pairer_feed(p, &s);
	if (m->two_step && !(drop & 2)) {
		struct ptp_packet f = pkt(PTP_FOLLOW_UP, &M, seq, t2 + 30000);
		set_ts(&f, t1);
		pairer_feed(p, &f);
	}
	int64_t t3 = t2 + 20000000; /* slave clock */
	int64_t t4 = t3 - m->theta + m->d_sm; /* master clock */
	struct ptp_packet q = pkt(PTP_DELAY_REQ, &S, seq, t3);
	q.msg.hdr.correction = -m->asym_sns;
	if (!(drop & 4))
		pairer_feed(p, &q);
	struct ptp_packet r = resp(&M, &S, seq, t3 + 200000, t4);
	r.msg.hdr.correction = -m->asym_sns + m->tc_rev; /* master copies the request's */
	if (!(drop & 8))
		pairer_feed(p, &r);
}

static void setup(void)
{
	M = tu_port(0xaa, 1);
	S = tu_port(0xbb, 1);
	ngot = 0;
	ngotpd = 0;
}

static void check_model(const struct model *m, int n, uint16_t seq0)
{
	struct pairer *p = pairer_new(NULL, on_ex, on_pd, NULL);
	for (int i = 0; i < n; i++)
		exchange_at(p, m, 1795578557000000000LL + (int64_t)i * 125000000, (uint16_t)(seq0 + i), 0);
	pairer_finish(p);
	ck_assert_int_eq(ngot, n);
	double tc_f = m->tc_fwd / 65536.0, tc_r = m->tc_rev / 65536.0, A = m->asym_sns / 65536.0;
	/* On the wire, a TC's residence is removed from the apparent delays (it is in the
	 * correction); the slave's asymmetry A is subtracted from the offset (IEEE 1588 11.6). */
	double want_off = m->theta + ((m->d_ms - tc_f) - (m->d_sm - tc_r)) / 2.0 - A;
	double want_delay = ((m->d_ms - tc_f) + (m->d_sm - tc_r)) / 2.0;
	for (int i = 0; i < n; i++) {
		ck_assert_msg(got[i].offset_ns == want_off, "offset %.6f != %.6f", got[i].offset_ns,
			      want_off);
		ck_assert_msg(got[i].delay_ns == want_delay, "delay %.6f != %.6f", got[i].delay_ns,
			      want_delay);
		ck_assert(got[i].fwd_ns == m->d_ms - tc_f + m->theta - A);
		ck_assert(got[i].rev_ns == m->d_sm - tc_r - m->theta + A);
		ck_assert(got[i].asym_ns == A);
		ck_assert_int_eq(got[i].two_step, m->two_step);
		ck_assert(ptp_port_id_eq(&got[i].master, &M));
		ck_assert(ptp_port_id_eq(&got[i].slave, &S));
		ck_assert_int_eq(got[i].req_seq, (uint16_t)(seq0 + i));
		ck_assert_int_eq(got[i].sync_seq, (uint16_t)(seq0 + i));
	}
	const struct pair_counts *c = pairer_counts(p);
	ck_assert_int_eq(c->sync_without_fup + c->fup_without_sync + c->req_unanswered +
				 c->resp_unmatched + c->resp_no_sync + c->out_of_range,
			 0);
	ck_assert_int_eq(pairer_nsessions(p), 1);
	ck_assert_int_eq(pairer_session(p, 0)->n, (uint64_t)n);
	pairer_free(p);
}

START_TEST(two_step_positive_asymmetry)
{
	setup();
	struct model m = { .theta = 0, .d_ms = 300000, .d_sm = 100000, .two_step = true };
	check_model(&m, 50, 0); /* offset +100 us, delay 200 us */
	ck_assert(got[0].offset_ns == 100000.0);
	ck_assert(got[0].delay_ns == 200000.0);
}
END_TEST

START_TEST(one_step_negative_asymmetry_and_offset)
{
	setup();
	struct model m = { .theta = -12345, .d_ms = 1000, .d_sm = 151001, .two_step = false };
	check_model(&m, 50, 1000); /* offset -12345 - 75000.5 */
	ck_assert(got[0].offset_ns == -87345.5);
}
END_TEST

START_TEST(transparent_clock_sub_ns)
{
	setup();
	/* residence with sub-ns parts: exactness to 2^-16 ns */
	struct model m = { .theta = 777, .d_ms = 52000, .d_sm = 9000, .tc_fwd = 50000LL * 65536 + 12345,
			   .tc_rev = 7000LL * 65536 + 65535, .two_step = true };
	check_model(&m, 10, 7);
}
END_TEST

START_TEST(slave_delay_asymmetry)
{
	setup();
	/* ptp4l with delayAsymmetry A = (d_ms - d_sm)/2 cancels the bias exactly */
	struct model m = { .theta = 0, .d_ms = 300000, .d_sm = 100000, .asym_sns = 100000LL * 65536,
			   .two_step = true };
	check_model(&m, 10, 0);
	ck_assert(got[0].offset_ns == 0.0);
	ck_assert(got[0].delay_ns == 200000.0);
}
END_TEST

START_TEST(sequence_wrap)
{
	setup();
	struct model m = { .theta = 5, .d_ms = 2000, .d_sm = 2000, .two_step = true };
	check_model(&m, 200, 65500); /* crosses 65535 -> 0 */
	ck_assert_int_eq(got[35].req_seq, 65535);
	ck_assert_int_eq(got[36].req_seq, 0);
}
END_TEST

START_TEST(losses_counted)
{
	setup();
	struct model m = { .theta = 0, .d_ms = 2000, .d_sm = 2000, .two_step = true };
	struct pairer *p = pairer_new(NULL, on_ex, on_pd, NULL);
	int64_t T = 1795578557000000000LL;
	exchange_at(p, &m, T, 0, 0);
	exchange_at(p, &m, T + 125000000, 1, 2);       /* Follow_Up lost: pairs with Sync 0 */
	exchange_at(p, &m, T + 250000000, 2, 8);       /* Delay_Resp lost */
	exchange_at(p, &m, T + 375000000, 3, 0);
	pairer_finish(p);
	ck_assert_int_eq(ngot, 3);
	ck_assert_int_eq(got[1].req_seq, 1);
	ck_assert_int_eq(got[1].sync_seq, 0);
	/* paired with an older Sync, the offset is still exact (same clocks, constant delays) */
	ck_assert(got[1].offset_ns == 0.0);
	const struct pair_counts *c = pairer_counts(p);
	ck_assert_int_eq(c->sync_without_fup, 1);
	ck_assert_int_eq(c->req_pending_at_end, 1);
	pairer_free(p);
}
END_TEST

START_TEST(reordering_and_duplicates)
{
	setup();
	struct pairer *p = pairer_new(NULL, on_ex, on_pd, NULL);
	int64_t T = 1795578557000000000LL;
	/* Follow_Up before its Sync, then the Sync, then the request and two responses */
	struct ptp_packet f = pkt(PTP_FOLLOW_UP, &M, 5, T + 1000);
	set_ts(&f, T);
	pairer_feed(p, &f);
	struct ptp_packet s = pkt(PTP_SYNC, &M, 5, T + 2000);
	s.msg.hdr.flags = PTP_FLAG_TWO_STEP;
	pairer_feed(p, &s);
	pairer_feed(p, &s); /* duplicate Sync */
	pairer_feed(p, &f); /* duplicate Follow_Up */
	struct ptp_packet q = pkt(PTP_DELAY_REQ, &S, 9, T + 10000);
	pairer_feed(p, &q);
	pairer_feed(p, &q); /* duplicate Delay_Req */
	struct ptp_packet r = resp(&M, &S, 9, T + 20000, T + 12000);
	pairer_feed(p, &r);
	pairer_feed(p, &r); /* duplicate Delay_Resp */
	struct ptp_packet r2 = r;
	r2.msg.hdr.seq = 10; /* answers nothing */
	pairer_feed(p, &r2);
	pairer_finish(p);
	ck_assert_int_eq(ngot, 1);
	ck_assert(got[0].offset_ns == (2000.0 - 2000.0) / 2); /* fwd 2000, rev 2000 */
	const struct pair_counts *c = pairer_counts(p);
	ck_assert_int_eq(c->sync_duplicate, 1);
	ck_assert_int_eq(c->fup_duplicate, 1);
	ck_assert_int_eq(c->req_duplicate, 1);
	ck_assert_int_eq(c->resp_duplicate, 1);
	ck_assert_int_eq(c->resp_unmatched, 1);
	ck_assert_int_eq(c->reordered, 1); /* the duplicate Follow_Up went back in time */
	pairer_free(p);
}
END_TEST

START_TEST(unanswered_ring_overflow)
{
	setup();
	struct model m = { .theta = 0, .d_ms = 2000, .d_sm = 2000, .two_step = true };
	struct pairer *p = pairer_new(NULL, on_ex, on_pd, NULL);
	for (int i = 0; i < 1000; i++)
		exchange_at(p, &m, 1795578557000000000LL + (int64_t)i * 125000000, (uint16_t)i, 8);
	pairer_finish(p);
	ck_assert_int_eq(ngot, 0);
	const struct pair_counts *c = pairer_counts(p);
	ck_assert_int_eq(c->req_unanswered + c->req_pending_at_end, 1000);
	pairer_free(p);
}
END_TEST

START_TEST(no_sync_before_request)
{
	setup();
	struct pairer *p = pairer_new(NULL, on_ex, on_pd, NULL);
	int64_t T = 1795578557000000000LL;
	struct ptp_packet q = pkt(PTP_DELAY_REQ, &S, 1, T);
	pairer_feed(p, &q);
	struct ptp_packet r = resp(&M, &S, 1, T + 5000, T + 2000);
	pairer_feed(p, &r);
	pairer_finish(p);
	ck_assert_int_eq(ngot, 0);
	ck_assert_int_eq(pairer_counts(p)->resp_no_sync, 1);
	pairer_free(p);
}
END_TEST

START_TEST(sessions_and_directions)
{
	setup();
	struct ptp_port_id M2 = tu_port(0xcc, 1), S2 = tu_port(0xdd, 2);
	struct pairer *p = pairer_new(NULL, on_ex, on_pd, NULL);
	int64_t T = 1795578557000000000LL;
	for (int i = 0; i < 4; i++) {
		int64_t t = T + i * 1000000000LL;
		/* M in domain 0, M2 in domain 1, S and S2 both ask each */
		for (int dm = 0; dm < 2; dm++) {
			const struct ptp_port_id *mm = dm ? &M2 : &M;
			struct ptp_packet s = sync1(mm, (uint16_t)i, t + 1000, t);
			s.msg.hdr.domain = (uint8_t)dm;
			pairer_feed(p, &s);
			for (int ds = 0; ds < 2; ds++) {
				const struct ptp_port_id *ss = ds ? &S2 : &S;
				uint16_t seq = (uint16_t)(i * 4 + dm * 2 + ds);
				struct ptp_packet q = pkt(PTP_DELAY_REQ, ss, seq, t + 5000);
				q.msg.hdr.domain = (uint8_t)dm;
				pairer_feed(p, &q);
				struct ptp_packet r = resp(mm, ss, seq, t + 9000, t + 6000);
				r.msg.hdr.domain = (uint8_t)dm;
				pairer_feed(p, &r);
			}
		}
	}
	/* an inbound Delay_Req (cooked capture says: received) is another port's */
	struct ptp_packet q = pkt(PTP_DELAY_REQ, &S, 999, T + 9000000000LL);
	q.fi.dir = DIR_IN;
	pairer_feed(p, &q);
	pairer_finish(p);
	ck_assert_int_eq(ngot, 16);
	ck_assert_int_eq(pairer_nsessions(p), 4);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pairer_session(p, i)->n, 4);
	ck_assert_int_eq(pairer_counts(p)->req_inbound, 1);
	pairer_free(p);

	/* --slave filter */
	ngot = 0;
	struct pairer_opts o = { .have_slave = true, .slave = S2 };
	p = pairer_new(&o, on_ex, on_pd, NULL);
	struct ptp_packet s = sync1(&M, 1, T + 1000, T);
	pairer_feed(p, &s);
	for (int ds = 0; ds < 2; ds++) {
		struct ptp_packet qq = pkt(PTP_DELAY_REQ, ds ? &S2 : &S, 3, T + 5000);
		pairer_feed(p, &qq);
		struct ptp_packet r = resp(&M, ds ? &S2 : &S, 3, T + 9000, T + 6000);
		pairer_feed(p, &r);
	}
	pairer_finish(p);
	ck_assert_int_eq(ngot, 1);
	ck_assert(ptp_port_id_eq(&got[0].slave, &S2));
	pairer_free(p);
}
END_TEST

START_TEST(out_of_range_timestamps)
{
	setup();
	/* a master whose origin is near the epoch (unsynchronised PHC) against a 2026 capture */
	struct pairer *p = pairer_new(NULL, on_ex, on_pd, NULL);
	int64_t T = 1795578557000000000LL;
	struct ptp_packet s = sync1(&M, 1, T + 1000, 1000);
	pairer_feed(p, &s);
	struct ptp_packet q = pkt(PTP_DELAY_REQ, &S, 1, T + 5000);
	pairer_feed(p, &q);
	struct ptp_packet r = resp(&M, &S, 1, T + 9000, 6000);
	pairer_feed(p, &r);
	pairer_finish(p);
	ck_assert_int_eq(ngot, 0);
	ck_assert_int_eq(pairer_counts(p)->out_of_range, 1);
	pairer_free(p);
}
END_TEST

START_TEST(peer_delay)
{
	setup();
	/* requester A (capture side), responder B; link delay 800 ns each way, B's clock is
	 * 1 s off (peer delay does not care), turnaround 30 us */
	struct ptp_port_id A = tu_port(0x0a, 1), B = tu_port(0x0b, 1);
	struct pairer *p = pairer_new(NULL, on_ex, on_pd, NULL);
	int64_t T = 1795578557000000000LL, off = NS_PER_SEC;
	for (int two = 0; two < 2; two++) {
		uint16_t seq = (uint16_t)(10 + two);
		struct ptp_packet rq = pkt(PTP_PDELAY_REQ, &A, seq, T);
		rq.msg.hdr.correction = -(500LL << 16); /* A's delayAsymmetry 500 ns */
		pairer_feed(p, &rq);
		int64_t t2 = T + 800 + off, t3 = t2 + 30000;
		struct ptp_packet rs = pkt(PTP_PDELAY_RESP, &B, seq, T + 800 + 30000 + 800);
		rs.msg.port2 = A;
		if (two) {
			rs.msg.hdr.flags = PTP_FLAG_TWO_STEP;
			set_ts(&rs, t2);
			pairer_feed(p, &rs);
			struct ptp_packet fu = pkt(PTP_PDELAY_RESP_FUP, &B, seq, T + 40000);
			fu.msg.port2 = A;
			fu.msg.hdr.correction = rq.msg.hdr.correction; /* copied, as linuxptp does */
			set_ts(&fu, t3);
			pairer_feed(p, &fu);
		} else {
			/* one-step: turnaround in the correction, plus the copied request correction */
			rs.msg.hdr.correction = (30000LL << 16) + rq.msg.hdr.correction;
			pairer_feed(p, &rs);
		}
		T += NS_PER_SEC;
	}
	pairer_finish(p);
	ck_assert_int_eq(ngotpd, 2);
	for (int i = 0; i < 2; i++) {
		ck_assert_msg(gotpd[i].link_delay_ns == 800.0, "link %.3f", gotpd[i].link_delay_ns);
		ck_assert(gotpd[i].turnaround_ns == 30000.0);
		ck_assert(ptp_port_id_eq(&gotpd[i].requester, &A));
		ck_assert(ptp_port_id_eq(&gotpd[i].responder, &B));
	}
	ck_assert_int_eq(gotpd[1].two_step, 1);
	ck_assert_int_eq(pairer_pdelays(p), 2);
	pairer_free(p);
}
END_TEST

START_TEST(derive_rejects_far_apart)
{
	struct exchange ex;
	memset(&ex, 0, sizeof(ex));
	ex.t1 = ptime_from_ns(0);
	ex.t2 = ptime_from_ns(INT64_C(1) << 50);
	ck_assert(!exchange_derive(&ex));
}
END_TEST

/* The row writers' text, field by field, against values worked out by hand: negative and
 * sub-nanosecond times (exact, 2^-16 ns = 0.0000152587890625 ns), signed corrections,
 * rounding of the derived values to 1 ps, nan, and the relative t_s column. */
static const char *data_line(const char *text, int k)
{
	static char line[1024];
	const char *p = strstr(text, "\nt_s\t");
	ck_assert_ptr_nonnull(p);
	for (int i = 0; i <= k; i++) {
		p = strchr(p + 1, '\n');
		ck_assert_ptr_nonnull(p);
	}
	p++;
	size_t n = strcspn(p, "\n");
	ck_assert_uint_lt(n, sizeof(line));
	memcpy(line, p, n);
	line[n] = '\0';
	return line;
}

START_TEST(writer_row_text)
{
	const char *path = tu_path("ex.tsv");
	struct exchange_writer *w = exchange_writer_open(path);
	ck_assert_ptr_nonnull(w);
	struct exchange ex;
	memset(&ex, 0, sizeof(ex));
	ex.domain = 24;
	ex.master = tu_port(1, 1);
	ex.slave = tu_port(2, 7);
	ex.encap = ENCAP_UDP6;
	ex.sync_seq = 65535;
	ex.req_seq = 0;
	ex.two_step = true;
	ex.t1 = (struct ptime){ 1795579328912040517, 0 };
	ex.t2 = (struct ptime){ 1795579328912043743, 0 };
	ex.t3 = (struct ptime){ -1, 32768 };
	ex.t4 = (struct ptime){ 5000000001, 16384 };
	ex.corr_sync = 0;
	ex.corr_req = -65536;
	ex.corr_resp = 19724394496;
	ex.fwd_ns = 3226;
	ex.rev_ns = -0.0004;
	ex.offset_ns = -2168.5;
	ex.delay_ns = 5394.5;
	ex.asym_ns = NAN;
	exchange_writer_row(w, &ex);
	ex.t2.ns += 125106403;
	ex.encap = ENCAP_L2;
	ex.two_step = false;
	ex.asym_ns = 0;
	exchange_writer_row(w, &ex);
	ck_assert_int_eq(exchange_writer_close(w), 0);
	char *text = tu_read_file(path);
	ck_assert_str_eq(data_line(text, 0),
			 "0.000000000\t24\t000000.fffe.000001-1\t000000.fffe.000002-7\tUDPv6\t65535\t0\t1\t"
			 "1795579328.912040517\t1795579328.912043743\t-0.0000000005\t5.00000000125\t"
			 "0\t-65536\t19724394496\t3226.000\t0.000\t-2168.500\t5394.500\tnan");
	ck_assert_str_eq(data_line(text, 1),
			 "0.125106403\t24\t000000.fffe.000001-1\t000000.fffe.000002-7\tL2\t65535\t0\t0\t"
			 "1795579328.912040517\t1795579329.037150146\t-0.0000000005\t5.00000000125\t"
			 "0\t-65536\t19724394496\t3226.000\t0.000\t-2168.500\t5394.500\t0.000");
	free(text);

	path = tu_path("pd.tsv");
	struct pdelay_writer *pw = pdelay_writer_open(path);
	ck_assert_ptr_nonnull(pw);
	struct pdelay pd;
	memset(&pd, 0, sizeof(pd));
	pd.domain = 0;
	pd.requester = tu_port(3, 2);
	pd.responder = tu_port(0xab, 1);
	pd.encap = ENCAP_UDP4;
	pd.seq = 9;
	pd.t1 = (struct ptime){ 1000000000, 0 };
	pd.t4 = (struct ptime){ 1000002000, 1 };
	pd.corr_resp = -5;
	pd.corr_fup = 65536;
	pd.turnaround_ns = 10.25;
	pd.link_delay_ns = -0.5;
	pdelay_writer_row(pw, &pd);
	ck_assert_int_eq(pdelay_writer_close(pw), 0);
	text = tu_read_file(path);
	ck_assert_str_eq(data_line(text, 0),
			 "0.000000000\t0\t000000.fffe.000003-2\t000000.fffe.0000ab-1\tUDPv4\t9\t0\t"
			 "1.000000000\t0.000000000\t0.000000000\t1.0000020000000152587890625\t"
			 "0\t-5\t65536\t10.250\t-0.500");
	free(text);
}
END_TEST

Suite *exchange_suite(void)
{
	Suite *s = suite_create("exchange");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, two_step_positive_asymmetry);
	tcase_add_test(tc, one_step_negative_asymmetry_and_offset);
	tcase_add_test(tc, transparent_clock_sub_ns);
	tcase_add_test(tc, slave_delay_asymmetry);
	tcase_add_test(tc, sequence_wrap);
	tcase_add_test(tc, losses_counted);
	tcase_add_test(tc, reordering_and_duplicates);
	tcase_add_test(tc, unanswered_ring_overflow);
	tcase_add_test(tc, no_sync_before_request);
	tcase_add_test(tc, sessions_and_directions);
	tcase_add_test(tc, out_of_range_timestamps);
	tcase_add_test(tc, peer_delay);
	tcase_add_test(tc, derive_rejects_far_apart);
	tcase_add_test(tc, writer_row_text);
	suite_add_tcase(s, tc);
	return s;
}
