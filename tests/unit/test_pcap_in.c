/* Reading captures end to end: frames written to pcap/pcapng files, read back by the packet
 * source and by `ptpcal capture`, datasets read back exactly. */
#include <math.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/exchange_io.h"
#include "capture/pcap_in.h"
#include "capture/pcapng_out.h"
#include "common/commands.h"
#include "common/log.h"
#include "tests/unit/testutil.h"

static struct ptp_port_id M, S;

/* Encapsulation cycles with the index: L2, L2 with a VLAN tag, UDPv4, UDPv6. */
static size_t frame_for(int i, const struct ptp_msg *m, uint8_t *f)
{
	uint8_t ptp[128];
	size_t n = ptp_encode(m, ptp, sizeof(ptp));
	uint16_t vlan = 42;
	uint16_t port = ptp_is_event(m->hdr.type) ? 319 : 320;
	switch (i % 4) {
	case 0: return tu_eth(f, ptp, n, NULL, 0, 0);
	case 1: return tu_eth(f, ptp, n, &vlan, 1, 0x8100);
	case 2: return tu_udp4(f, ptp, n, port);
	default: return tu_udp6(f, ptp, n, port, 0);
	}
}

struct sink {
	struct tu_pcap *pcap;
	struct pcapng_out *ng;
	int enc;
};

static void emit(struct sink *s, const struct ptp_msg *m, int64_t ts)
{
	uint8_t f[256];
	size_t n = frame_for(s->enc, m, f);
	if (s->pcap)
		tu_pcap_add(s->pcap, ts, f, n);
	else
		pcapng_out_packet(s->ng, 0, ts, f, n, n, 0);
}

/* n two-step exchanges with theta, d_ms, d_sm (ns); 4 packets each, plus an Announce. */
static void write_model(struct sink *s, int n, int64_t theta, int64_t d_ms, int64_t d_sm)
{
	M = tu_port(0xaa, 1);
	S = tu_port(0xbb, 1);
	int64_t T = 1795578557000000000LL;
	struct ptp_msg m;
	ptp_msg_init(&m, PTP_ANNOUNCE, 0, &M, 0);
	m.announce.clock_class = 6;
	m.announce.utc_offset = 37;
	m.hdr.flags = PTP_FLAG_PTP_TIMESCALE | PTP_FLAG_UTC_OFFSET_VALID;
	emit(s, &m, T - 1000);
	for (int i = 0; i < n; i++, T += 125000000) {
		s->enc = i;
		int64_t t1 = T + 123, t2 = t1 + d_ms + theta, t3 = t2 + 10000000 + 7,
			t4 = t3 - theta + d_sm;
		ptp_msg_init(&m, PTP_SYNC, 0, &M, (uint16_t)i);
		m.hdr.flags = PTP_FLAG_TWO_STEP;
		emit(s, &m, t2);
		ptp_msg_init(&m, PTP_FOLLOW_UP, 0, &M, (uint16_t)i);
		m.ts.sec = (uint64_t)(t1 / NS_PER_SEC);
		m.ts.nsec = (uint32_t)(t1 % NS_PER_SEC);
		emit(s, &m, t2 + 40000);
		ptp_msg_init(&m, PTP_DELAY_REQ, 0, &S, (uint16_t)i);
		emit(s, &m, t3);
		ptp_msg_init(&m, PTP_DELAY_RESP, 0, &M, (uint16_t)i);
		m.port2 = S;
		m.ts.sec = (uint64_t)(t4 / NS_PER_SEC);
		m.ts.nsec = (uint32_t)(t4 % NS_PER_SEC);
		emit(s, &m, t3 + 300000);
	}
}

static int run_capture(const char *in, const char *out)
{
	char *argv[] = { "capture", "-q", "-r", (char *)in, "-o", (char *)out, NULL };
	return cmd_capture(6, argv);
}

static int check_exchanges(const char *path, int n, double want_off, double want_delay,
			   int64_t round_ns)
{
	struct exchange_reader r;
	ck_assert(exchange_reader_open(&r, path));
	ck_assert_str_eq(ds_meta_get(r.ds, "capture_timestamps"), "t2 t3");
	struct exchange ex;
	int k = 0, rc;
	int64_t T = 1795578557000000000LL;
	while ((rc = exchange_reader_next(&r, &ex)) == 1) {
		int64_t t1 = T + (int64_t)k * 125000000 + 123;
		ck_assert_int_eq(ex.t1.ns, t1);
		ck_assert_int_eq(ex.req_seq, k);
		ck_assert_int_eq(ex.encap, k % 4 == 2 ? ENCAP_UDP4 : k % 4 == 3 ? ENCAP_UDP6 : ENCAP_L2);
		if (round_ns == 1) {
			ck_assert_msg(ex.offset_ns == want_off, "%g", ex.offset_ns);
			ck_assert(ex.delay_ns == want_delay);
		} else {
			ck_assert_double_near(ex.offset_ns, want_off, round_ns);
			ck_assert_double_near(ex.delay_ns, want_delay, round_ns);
		}
		k++;
	}
	ck_assert_int_eq(rc, 0);
	/* trailing metadata: what the Announce said */
	const char *gm = ds_meta_get(r.ds, "announce_gm");
	ck_assert_msg(gm && strstr(gm, "class 6") && strstr(gm, "utc_offset 37") &&
			      strstr(gm, "ptp_timescale 1"),
		      "%s", gm ? gm : "(none)");
	exchange_reader_close(&r);
	ck_assert_int_eq(k, n);
	return k;
}

START_TEST(pcap_nano_exact)
{
	const char *in = tu_path("nano.pcap"), *out = tu_path("nano.tsv");
	struct sink s = { .pcap = tu_pcap_open(in, DLT_EN10MB, 1) };
	write_model(&s, 100, -333, 180001, 20000);
	tu_pcap_close(s.pcap);
	ck_assert_int_eq(run_capture(in, out), 0);
	check_exchanges(out, 100, -333 + (180001 - 20000) / 2.0, (180001 + 20000) / 2.0, 1);
}
END_TEST

START_TEST(pcap_micro_scaled)
{
	const char *in = tu_path("micro.pcap"), *out = tu_path("micro.tsv");
	struct sink s = { .pcap = tu_pcap_open(in, DLT_EN10MB, 0) };
	write_model(&s, 20, 0, 150000, 50000);
	tu_pcap_close(s.pcap);
	struct pcap_in *pin = pcap_in_open_offline(in);
	ck_assert(pin != NULL);
	ck_assert_str_eq(pcap_in_format(pin), "pcap (microsecond timestamps)");
	struct ptp_packet p;
	int n = 0;
	while (pcap_in_next(pin, &p) == 1) {
		ck_assert_int_eq(p.ts.ns % 1000, 0); /* microseconds, scaled to ns */
		n++;
	}
	ck_assert_int_eq(n, 81);
	pcap_in_close(pin);
	ck_assert_int_eq(run_capture(in, out), 0);
	check_exchanges(out, 20, 50000, 100000, 1000); /* within the microsecond truncation */
}
END_TEST

START_TEST(pcapng_nano_exact)
{
	const char *in = tu_path("x.pcapng"), *out = tu_path("ng.tsv");
	struct sink s = { .ng = pcapng_out_open(in, DLT_EN10MB, "veth0", "unit test") };
	ck_assert(s.ng != NULL);
	write_model(&s, 40, 1000000, 3000, 3000);
	ck_assert_int_eq(pcapng_out_close(s.ng), 0);
	struct pcap_in *pin = pcap_in_open_offline(in);
	ck_assert(pin != NULL);
	ck_assert_str_eq(pcap_in_format(pin), "pcapng");
	pcap_in_close(pin);
	ck_assert_int_eq(run_capture(in, out), 0);
	check_exchanges(out, 40, 1000000 + 0.0, 3000, 1);
}
END_TEST

START_TEST(truncated_file_keeps_data)
{
	const char *in = tu_path("trunc.pcap"), *out = tu_path("trunc.tsv");
	struct sink s = { .pcap = tu_pcap_open(in, DLT_EN10MB, 1) };
	write_model(&s, 10, 0, 1000, 1000);
	tu_pcap_close(s.pcap);
	struct stat st;
	ck_assert_int_eq(stat(in, &st), 0);
	ck_assert_int_eq(truncate(in, st.st_size - 5), 0); /* cut inside the last record */
	const char *err = tu_path("err.txt");
	ck_assert(freopen(err, "w", stderr) != NULL);
	ck_assert_int_eq(run_capture(in, out), EXIT_USAGE);
	fflush(stderr);
	char *text = tu_read_file(err);
	ck_assert_msg(strstr(text, "trunc.pcap: after packet 40: truncated dump file") != NULL, "%s",
		      text);
	free(text);
	/* 9 complete exchanges before the damaged Delay_Resp: all written */
	struct exchange_reader r;
	ck_assert(exchange_reader_open(&r, out));
	struct exchange ex;
	int k = 0;
	while (exchange_reader_next(&r, &ex) == 1)
		k++;
	ck_assert_int_eq(k, 9);
	ck_assert(ds_meta_get(r.ds, "input_truncated") != NULL);
	exchange_reader_close(&r);
}
END_TEST

/* pcap_in_each (libpcap's own loop, used by `ptpcal capture -r`) delivers what the model
 * wrote, in order, and stops when told to. */
struct each_seen {
	int n, stop_after;
	uint64_t frames[128];
	uint8_t types[128];
	uint16_t seqs[128];
};

static bool each_collect(void *ctx, const struct ptp_packet *pkt)
{
	struct each_seen *e = ctx;
	if (e->n < 128) {
		e->frames[e->n] = pkt->frame;
		e->types[e->n] = pkt->msg.hdr.type;
		e->seqs[e->n] = pkt->msg.hdr.seq;
	}
	e->n++;
	return e->n != e->stop_after;
}

START_TEST(each_in_order_and_stops)
{
	const char *in = tu_path("each.pcap");
	struct sink s = { .pcap = tu_pcap_open(in, DLT_EN10MB, 1) };
	write_model(&s, 20, 0, 1000, 1000); /* Announce, then 4 messages per exchange */
	tu_pcap_close(s.pcap);
	static const uint8_t order[4] = { PTP_SYNC, PTP_FOLLOW_UP, PTP_DELAY_REQ, PTP_DELAY_RESP };
	struct pcap_in *pin = pcap_in_open_offline(in);
	ck_assert(pin != NULL);
	struct each_seen all = { .stop_after = -1 };
	ck_assert_int_eq(pcap_in_each(pin, each_collect, &all), 0);
	ck_assert_int_eq(all.n, 81);
	ck_assert_int_eq(all.types[0], PTP_ANNOUNCE);
	for (int i = 1; i < 81; i++) {
		ck_assert_int_eq(all.frames[i], (uint64_t)i + 1);
		ck_assert_int_eq(all.types[i], order[(i - 1) % 4]);
		ck_assert_int_eq(all.seqs[i], (i - 1) / 4);
	}
	ck_assert_int_eq(pcap_in_stats(pin)->packets, 81);
	ck_assert_int_eq(pcap_in_stats(pin)->by_type[PTP_DELAY_RESP], 20);
	pcap_in_close(pin);

	pin = pcap_in_open_offline(in);
	struct each_seen some = { .stop_after = 10 };
	ck_assert_int_eq(pcap_in_each(pin, each_collect, &some), 0);
	ck_assert_int_eq(some.n, 10);
	ck_assert_int_eq(pcap_in_stats(pin)->packets, 10);
	pcap_in_close(pin);
}
END_TEST

START_TEST(malformed_counted_by_reason)
{
	const char *in = tu_path("mal.pcap");
	struct tu_pcap *pc = tu_pcap_open(in, DLT_EN10MB, 1);
	struct ptp_port_id src = tu_port(1, 1);
	struct ptp_msg m;
	ptp_msg_init(&m, PTP_FOLLOW_UP, 0, &src, 1);
	uint8_t ptp[128], f[256];
	size_t n = ptp_encode(&m, ptp, sizeof(ptp));
	size_t fl = tu_eth(f, ptp, n, NULL, 0, 0);
	tu_pcap_add(pc, 1000, f, fl);                /* fine */
	tu_pcap_add(pc, 2000, f, 20);                /* PTP short */
	tu_pcap_add_trunc(pc, 3000, f, 30, fl);      /* cut by snaplen */
	uint8_t g[256];
	memcpy(g, f, fl);
	g[15] = 0x01; /* PTPv1 */
	tu_pcap_add(pc, 4000, g, fl);
	memcpy(g, f, fl);
	wr16(g + 14 + 2, 200); /* messageLength beyond the frame */
	tu_pcap_add(pc, 5000, g, fl);
	fl = tu_udp4(f, ptp, n, 123);
	tu_pcap_add(pc, 6000, f, fl); /* other traffic */
	tu_pcap_close(pc);
	struct pcap_in *pin = pcap_in_open_offline(in);
	ck_assert(pin != NULL);
	struct ptp_packet p;
	int k = 0;
	while (pcap_in_next(pin, &p) == 1)
		k++;
	const struct pcap_in_stats *st = pcap_in_stats(pin);
	ck_assert_int_eq(k, 1);
	ck_assert_int_eq(st->packets, 6);
	ck_assert_int_eq(st->other, 1);
	ck_assert_int_eq(st->malformed, 4);
	ck_assert_int_eq(st->mal.n[MAL_PTP_SHORT], 1);
	ck_assert_int_eq(st->mal.n[MAL_SNAPLEN], 1);
	ck_assert_int_eq(st->mal.n[MAL_PTP_VERSION], 1);
	ck_assert_int_eq(st->mal.n[MAL_PTP_LENGTH], 1);
	ck_assert_int_eq(st->first_malformed_frame, 2);
	pcap_in_close(pin);
}
END_TEST

START_TEST(unreadable_inputs)
{
	const char *err = tu_path("err2.txt");
	ck_assert(freopen(err, "w", stderr) != NULL);
	const char *junk = tu_path("junk.pcap");
	tu_write_file(junk, "this is not a capture at all, just text\n");
	ck_assert(pcap_in_open_offline(junk) == NULL);
	ck_assert(pcap_in_open_offline(tu_path("absent.pcap")) == NULL);
	const char *wifi = tu_path("wifi.pcap");
	struct tu_pcap *pc = tu_pcap_open(wifi, DLT_IEEE802_11, 1);
	tu_pcap_close(pc);
	ck_assert(pcap_in_open_offline(wifi) == NULL);
	const char *empty = tu_path("empty.pcap");
	tu_write_file(empty, "");
	ck_assert(pcap_in_open_offline(empty) == NULL);
	fflush(stderr);
	char *text = tu_read_file(err);
	ck_assert_msg(strstr(text, "junk.pcap: cannot read as pcap/pcapng: unknown file format"), "%s", text);
	ck_assert_msg(strstr(text, "wifi.pcap: link type IEEE802_11 (105) is not supported"), "%s", text);
	ck_assert_msg(strstr(text, "empty.pcap: cannot read as pcap/pcapng"), "%s", text);
	free(text);
	/* the command maps all of these to exit 2 and creates no output */
	const char *out = tu_path("never.tsv");
	ck_assert_int_eq(run_capture(junk, out), EXIT_USAGE);
	ck_assert_int_eq(access(out, F_OK), -1);
}
END_TEST

START_TEST(usage_errors)
{
	ck_assert(freopen(tu_path("err3.txt"), "w", stderr) != NULL);
	char *a1[] = { "capture", NULL };
	ck_assert_int_eq(cmd_capture(1, a1), EXIT_USAGE);
	char *a2[] = { "capture", "-r", "x", "--slave", "nonsense", NULL };
	ck_assert_int_eq(cmd_capture(5, a2), EXIT_USAGE);
	char *a3[] = { "capture", "-r", "x", "-o", "-", "--json", NULL };
	ck_assert_int_eq(cmd_capture(6, a3), EXIT_USAGE);
	char *a4[] = { "capture", "--bogus", NULL };
	ck_assert_int_eq(cmd_capture(2, a4), EXIT_USAGE);
	char *a5[] = { "capture", "-r", "x", "extra", NULL };
	ck_assert_int_eq(cmd_capture(4, a5), EXIT_USAGE);
}
END_TEST

Suite *pcap_in_suite(void)
{
	Suite *s = suite_create("pcap_in");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, pcap_nano_exact);
	tcase_add_test(tc, pcap_micro_scaled);
	tcase_add_test(tc, pcapng_nano_exact);
	tcase_add_test(tc, truncated_file_keeps_data);
	tcase_add_test(tc, each_in_order_and_stops);
	tcase_add_test(tc, malformed_counted_by_reason);
	tcase_add_test(tc, unreadable_inputs);
	tcase_add_test(tc, usage_errors);
	suite_add_tcase(s, tc);
	return s;
}
